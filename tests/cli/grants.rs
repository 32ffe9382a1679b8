//! What a catalog lets be granted on top of a role (issue 10, "One role per
//! user where the article says so"): `portal`, `lmp`, `msp` and `moodle`
//! assign access by role alone, `customer-area` grants its areas (see
//! `areas.rs`), and a catalog of one's own says so with `grants`.

use serde_json::json;

use crate::support::{says, Portal, CONFLICT, DENIED, USAGE};

/// 003: "Partner portal roles - each user is assigned only 1 role". A
/// grant on top of `staff` would give a staff member the financial role's
/// invoices: refused (exit 4) naming the rule, by `user grant` and by
/// `user invite --grant`, and nothing changes.
#[test]
fn each_user_is_assigned_only_1_role_in_the_moodle_portal() {
    let p = Portal::with_preset("moodle");
    p.member("sam@acme.test", "staff");
    let events = p.events();
    let err = p.refused(
        &["user", "grant", "sam@acme.test", "invoices.manage"],
        CONFLICT,
    );
    says(
        &err,
        "error: the `moodle` catalog assigns access by role alone, one role per user: `invoices.manage` cannot be granted on top of a role",
    );
    says(
        &err,
        "help: give a role that includes it with `portalctl user set-role`",
    );
    let err = p.refused(
        &[
            "user", "invite", "--email", "fin@acme.test", "--name", "Fin", "--role", "staff",
            "--grant", "invoices.manage", "--city", "London", "--country", "GB",
        ],
        CONFLICT,
    );
    says(&err, "one role per user");
    assert_eq!(p.events(), events);
    assert_eq!(
        p.json(&["user", "show", "sam@acme.test"])["grants"],
        json!([])
    );
    // The role is how access changes.
    let v = p.json(&["user", "set-role", "sam@acme.test", "financial"]);
    assert_eq!(v["role"], "financial");
}

/// 001: "Only admin contacts can manage users." A manager granted
/// `users.manage` could change roles; no catalog of a portal whose levels
/// are roles lets that grant be given, not even by the operator.
#[test]
fn only_admin_contacts_can_manage_users_so_no_grant_makes_a_manager_one() {
    for (preset, role) in [
        ("portal", "manager"),
        ("lmp", "partner-view-only"),
        ("msp", "msp-user"),
    ] {
        let p = Portal::with_preset(preset);
        p.member("max@acme.test", role);
        let err = p.refused(
            &["user", "grant", "max@acme.test", "users.manage"],
            CONFLICT,
        );
        says(
            &err,
            &format!("the `{preset}` catalog assigns access by role alone"),
        );
        // An unknown name is still a usage error, and says what to do.
        let err = p.refused(&["user", "grant", "max@acme.test", "superpowers"], USAGE);
        says(&err, "this catalog grants nothing on top of a role");
        // So the manager still may not manage users.
        p.refused_as(
            Some("max@acme.test"),
            &["user", "set-role", "owner@acme.test", role],
            DENIED,
        );
        // Revoking stays possible: it takes nothing it does not find.
        p.ok(&["user", "revoke", "max@acme.test", "users.manage"]);
        assert_eq!(
            p.json(&["preset", "show", preset])["grants"],
            "none",
            "{preset}"
        );
    }
}

/// A database made before the rule was stored reads as a catalog file
/// without `grants` does: areas where it has areas, nothing otherwise.
#[test]
fn a_database_from_before_the_rule_reads_it_from_its_areas() {
    for (preset, role, allowed) in [
        ("portal", "user", None),
        ("customer-area", "member", Some("billing")),
    ] {
        let p = Portal::with_preset(preset);
        p.member("ann@acme.test", role);
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        assert_eq!(
            conn.execute("DELETE FROM settings WHERE key = 'grants'", [])
                .unwrap(),
            1
        );
        drop(conn);
        p.refused(
            &["user", "grant", "ann@acme.test", "billing.view"],
            CONFLICT,
        );
        if let Some(area) = allowed {
            p.ok(&["user", "grant", "ann@acme.test", area]);
        }
    }
}

/// The catalog file's `grants`: `none`, `areas` or `capabilities`; left
/// out, areas if the file declares any, else nothing. A rule that cannot
/// hold is refused with its JSON path.
#[test]
fn a_catalog_file_says_what_it_grants() {
    const BASE: &str = r#"{"name": "own", "title": "Own", "owner_role": "boss", GRANTS
        "roles": [{"name": "boss", "all_capabilities": true},
                  {"name": "clerk", "capabilities": ["account.view"]},
                  {"name": "out", "blocking": true}] BUNDLES}"#;
    const BUNDLES: &str =
        r#", "grant_bundles": [{"name": "money", "capabilities": ["billing.view"]}]"#;
    let file =
        |grants: &str, bundles: &str| BASE.replace("GRANTS", grants).replace("BUNDLES", bundles);
    for (key, text, area, capability) in [
        ("own: default, areas", file("", BUNDLES), Ok(()), Err(())),
        ("own: default, none", file("", ""), Err(()), Err(())),
        (
            "own: capabilities",
            file(r#""grants": "capabilities","#, BUNDLES),
            Ok(()),
            Ok(()),
        ),
        (
            "own: capabilities, no areas",
            file(r#""grants": "capabilities","#, ""),
            Err(()),
            Ok(()),
        ),
    ] {
        let p = Portal::with_catalog(key, &text);
        p.member("cal@acme.test", "clerk");
        let code = |r: Result<(), ()>| if r.is_ok() { 0 } else { CONFLICT };
        // `money` is unknown where the file has no areas: a usage error.
        let money = if text.contains("money") {
            code(area)
        } else {
            USAGE
        };
        assert_eq!(
            p.run(&["user", "grant", "cal@acme.test", "money"]).code,
            money,
            "{key}"
        );
        assert_eq!(
            p.run(&["user", "grant", "cal@acme.test", "alerts.manage"])
                .code,
            code(capability),
            "{key}"
        );
    }
    for (text, path) in [
        (
            file(r#""grants": "areas","#, ""),
            "grants: `areas` needs at least one area",
        ),
        (
            file(r#""grants": "none","#, BUNDLES),
            "grant_bundles: the catalog grants nothing",
        ),
        (
            file(r#""grants": "everything","#, BUNDLES),
            "grants: unknown variant `everything`",
        ),
    ] {
        let p = Portal::empty();
        let f = p.db.with_file_name("own.json");
        std::fs::write(&f, &text).unwrap();
        let err = p.refused(
            &[
                "init",
                "--preset-file",
                f.to_str().unwrap(),
                "--account",
                "A",
                "--owner-email",
                "o@a.test",
            ],
            USAGE,
        );
        says(&err, path);
    }
}

/// `preset show` says what each catalog grants.
#[test]
fn preset_show_says_what_may_be_granted_on_top_of_a_role() {
    let p = Portal::empty();
    let table = p.ok(&["preset", "show", "moodle"]);
    says(&table, "nothing on top of a role: one role per user");
    let table = p.ok(&["preset", "show", "customer-area"]);
    says(&table, "areas on top of a role");
}
