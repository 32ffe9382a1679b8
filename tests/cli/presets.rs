//! `init`, `preset` and `role`.

use crate::support::{
    says, schema_version, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, OWNER_LOCATION,
    USAGE,
};

const PRESETS: [&str; 5] = ["portal", "lmp", "msp", "moodle", "customer-area"];

#[test]
fn preset_list_names_every_shipped_catalog() {
    let p = Portal::empty();
    let list = p.json(&["preset", "list"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, PRESETS);
    let table = p.ok(&["preset", "list"]);
    assert!(table.contains("partner-allocator"), "{table}");
}

#[test]
fn preset_roles_follow_the_seed_articles() {
    let p = Portal::empty();
    let caps = |preset: &str, role: &str| -> Vec<String> {
        let v = p.json(&["preset", "show", preset]);
        let role = v["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == role)
            .unwrap()
            .clone();
        role["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    // "Partner Allocator: can add and manage customers ... can use, but not edit, shipping addresses."
    let allocator = caps("lmp", "partner-allocator");
    assert!(
        allocator.contains(&"customers.manage".into())
            && allocator.contains(&"addresses.use".into())
    );
    assert!(
        !allocator.contains(&"addresses.edit".into())
            && !allocator.contains(&"account.edit".into())
    );
    // "Bank Details Only: can view pages and change payment method."
    assert!(caps("lmp", "bank-details-only").contains(&"billing.payment".into()));
    assert!(!caps("lmp", "partner-view-only").contains(&"billing.payment".into()));
    // "Users: view services assigned to them".
    let user = caps("portal", "user");
    assert!(
        user.contains(&"services.view_assigned".into())
            && !user.contains(&"services.view_all".into())
    );
    // Marketing "does not have access to financial (royalty invoices) information".
    assert!(!caps("moodle", "marketing").contains(&"invoices.manage".into()));
    // Every blocking role holds nothing, not even portal.access.
    for (preset, blocking) in [
        ("portal", "no-access"),
        ("lmp", "no-lmp-access"),
        ("msp", "no-access"),
        ("moodle", "no-access"),
        ("customer-area", "no-access"),
    ] {
        assert!(caps(preset, blocking).is_empty(), "{preset} {blocking}");
        let owner_role = p.json(&["preset", "show", preset])["owner_role"].clone();
        assert_eq!(
            caps(preset, owner_role.as_str().unwrap()).len(),
            37,
            "{preset}: the owner role holds all"
        );
    }
    let areas = p.json(&["preset", "show", "customer-area"])["grant_bundles"].clone();
    let names: Vec<&str> = areas
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["services", "domains", "billing", "support", "account-admin"]
    );
}

#[test]
fn init_creates_the_account_and_its_owner_for_every_preset() {
    for preset in PRESETS {
        let p = Portal::empty();
        let mut args = vec![
            "init", "--preset", preset, "--account", ACCOUNT, "--owner-email", " Owner@ACME.test ",
        ];
        args.extend(OWNER_LOCATION);
        let v = p.json(&args);
        assert_eq!(v["preset"], preset);
        assert_eq!(v["created"], true);
        assert_eq!(v["account"]["name"], ACCOUNT);
        assert_eq!(v["account"]["currency"], "GBP");
        assert_eq!(v["owner"]["email"], OWNER, "emails are normalised");
        assert_eq!(v["owner"]["status"], "active");
        assert_eq!(v["owner"]["owner"], true);
        let roles = p.json(&["role", "list"]);
        let shipped = p.json(&["preset", "show", preset])["roles"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(roles.as_array().unwrap().len(), shipped, "{preset}");
        assert_eq!(
            p.query("SELECT COUNT(*) FROM audit_events WHERE action = 'init'"),
            "Integer(1)"
        );
    }
}

#[test]
fn the_database_file_is_private_and_uses_wal() {
    use std::os::unix::fs::PermissionsExt;
    let p = Portal::init("portal");
    let mode = std::fs::metadata(&p.db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(p.text("PRAGMA journal_mode"), "wal");
    assert_eq!(p.query("PRAGMA user_version"), schema_version());
}

#[test]
fn init_on_an_existing_file_makes_it_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Portal| std::fs::metadata(&p.db).unwrap().permissions().mode() & 0o777;
    let p = Portal::init("portal");
    std::fs::set_permissions(&p.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    p.ok(&["init", "--account", ACCOUNT, "--owner-email", OWNER]);
    assert_eq!(mode(&p), 0o600, "init again, as seeding scripts do");
    // An empty file someone made with the default mode.
    let fresh = Portal::empty();
    std::fs::write(&fresh.db, b"").unwrap();
    std::fs::set_permissions(&fresh.db, std::fs::Permissions::from_mode(0o664)).unwrap();
    fresh.ok(&["init", "--account", ACCOUNT, "--owner-email", OWNER]);
    assert_eq!(mode(&fresh), 0o600);
}

#[test]
fn init_with_a_preset_file_loads_the_same_catalog() {
    let from_file = Portal::empty();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/presets/lmp.json");
    from_file.ok(&[
        "init", "--preset-file", path, "--account", ACCOUNT, "--owner-email", OWNER,
    ]);
    let shipped = Portal::with_preset("lmp");
    assert_eq!(
        from_file.json(&["role", "list"]),
        shipped.json(&["role", "list"])
    );
}

#[test]
fn a_malformed_preset_file_is_refused_with_its_json_path() {
    let p = Portal::empty();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.json");
    std::fs::write(
        &file,
        r#"{"name":"mine","title":"Mine","owner_role":"boss","roles":[{"name":"boss","all_capabilities":true},{"name":"clerk","capabilities":["orders.fly"]},{"name":"none","blocking":true}]}"#,
    )
    .unwrap();
    let err = p.refused(
        &[
            "init",
            "--preset-file",
            file.to_str().unwrap(),
            "--account",
            ACCOUNT,
            "--owner-email",
            OWNER,
        ],
        USAGE,
    );
    assert!(
        err.contains("roles[1].capabilities[0]") && err.contains("orders.fly"),
        "{err}"
    );
    assert!(!p.db.exists(), "a refused init leaves no database");
}

/// A catalog is read as a fixture is: a key given twice, or text after
/// the object, would otherwise be dropped without a word.
#[test]
fn a_preset_file_with_a_key_twice_or_text_after_it_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = r#"{"name":"mine","title":"Mine","owner_role":"boss","roles":[{"name":"boss","all_capabilities":true},{"name":"none","blocking":true}]}"#;
    let cases = [
        (
            good.replace(r#""title":"Mine""#, r#""title":"Mine","title":"Other""#),
            "duplicate key `title`",
        ),
        (
            good.replace(r#"{"name":"none""#, r#"{"name":"none","name":"nobody""#),
            "roles[1]: duplicate key `name`",
        ),
        (format!("{good}\n{good}"), "after the document"),
        ("[]".to_string(), "the file must hold one JSON object"),
    ];
    for (text, why) in cases {
        let p = Portal::empty();
        let file = dir.path().join("mine.json");
        std::fs::write(&file, &text).unwrap();
        let err = p.refused(
            &[
                "init",
                "--preset-file",
                file.to_str().unwrap(),
                "--account",
                ACCOUNT,
                "--owner-email",
                OWNER,
            ],
            USAGE,
        );
        assert!(err.contains(why), "{why}: {err}");
        assert!(!p.db.exists(), "a refused init leaves no database");
    }
    // A byte-order mark is no part of the text.
    let p = Portal::empty();
    let file = dir.path().join("bom.json");
    std::fs::write(&file, format!("\u{feff}{good}")).unwrap();
    p.ok(&[
        "init",
        "--preset-file",
        file.to_str().unwrap(),
        "--account",
        ACCOUNT,
        "--owner-email",
        OWNER,
    ]);
}

#[test]
fn role_create_adds_a_custom_role_that_can_be_given() {
    let p = Portal::new();
    let v = p.json(&[
        "role", "create", "auditor", "--capabilities", "account.view, users.view", "--description",
        "Reads",
    ]);
    assert_eq!(v["name"], "auditor");
    assert_eq!(v["builtin"], false);
    assert_eq!(
        v["capabilities"],
        serde_json::json!(["portal.access", "account.view", "users.view"])
    );
    p.member("aud@acme.test", "auditor");
    let can = p.can(&["aud@acme.test", "users.view"]);
    assert_eq!(can["allowed"], true);
    assert_eq!(can["reason"], "role `auditor` includes it");
    let show = p.ok(&["role", "show", "auditor"]);
    assert!(
        show.contains("custom") && show.contains("users.view"),
        "{show}"
    );
    let err = p.refused(
        &[
            "role", "create", "auditor", "--capabilities", "account.view",
        ],
        CONFLICT,
    );
    assert!(err.contains("already exists"), "{err}");
    let err = p.refused(
        &[
            "role", "create", "Bad Name", "--capabilities", "account.view",
        ],
        USAGE,
    );
    assert!(err.contains("not a valid name"), "{err}");
}

#[test]
fn role_list_counts_members() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let roles = p.json(&["role", "list"]);
    let count = |name: &str| {
        roles
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["members"]
            .clone()
    };
    assert_eq!(count("admin"), 1);
    assert_eq!(count("user"), 1);
    assert_eq!(count("manager"), 0);
    let table = p.ok(&["role", "list"]);
    assert!(table.lines().next().unwrap().starts_with("ROLE"), "{table}");
    assert!(table.contains("none (blocks all access)"), "{table}");
}

#[test]
fn members_read_the_catalog_without_counts_across_accounts() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let roles = p.json_as(Some("ann@acme.test"), &["role", "list"]);
    let roles = roles.as_array().unwrap();
    assert_eq!(roles.len(), 4, "{roles:?}");
    assert!(
        roles.iter().all(|r| r.get("members").is_none()),
        "{roles:?}"
    );
    assert!(p
        .json_as(Some("ann@acme.test"), &["role", "show", "admin"])
        .get("members")
        .is_none());
    let err = p.refused_as(Some("stranger@else.test"), &["role", "list"], NOT_FOUND);
    assert!(err.contains("no member `stranger@else.test`"), "{err}");
    p.ok(&["user", "deactivate", "--yes", "ann@acme.test"]);
    p.refused_as(Some("ann@acme.test"), &["role", "list"], DENIED);
}

#[test]
fn a_missing_preset_file_is_not_found() {
    let p = Portal::empty();
    let err = p.refused(
        &[
            "init", "--preset-file", "/nonexistent/mine.json", "--account", ACCOUNT,
            "--owner-email", OWNER,
        ],
        NOT_FOUND,
    );
    assert!(err.contains("no file `/nonexistent/mine.json`"), "{err}");
}

#[test]
fn a_member_shut_out_of_the_account_is_told_nothing_about_its_members() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let err = p.refused_as(Some("ann@acme.test"), &["user", "list"], DENIED);
    assert!(
        err.contains(OWNER),
        "an active member is told who can help: {err}"
    );
    p.ok(&["user", "left-company", "--yes", "ann@acme.test"]);
    let err = p.refused_as(Some("ann@acme.test"), &["user", "list"], DENIED);
    assert!(!err.contains(OWNER), "a leaver learns no emails: {err}");
}

#[test]
fn init_runs_as_the_operator_only() {
    let p = Portal::empty();
    let err = p.refused_as(
        Some(OWNER),
        &["init", "--account", ACCOUNT, "--owner-email", OWNER],
        DENIED,
    );
    assert!(err.contains("only the operator"), "{err}");
    assert!(!p.db.exists(), "nothing is left behind");
}

#[test]
fn init_again_with_other_settings_names_the_difference_and_the_same_changes_nothing() {
    let p = Portal::new();
    let same = ["init", "--account", ACCOUNT, "--owner-email", OWNER];
    let before = p.dump();
    let v = p.json(&same);
    assert_eq!(v["created"], false, "{v}");
    assert_eq!(before, p.dump(), "the same settings change nothing");
    for (extra, named) in [
        (
            &["--currency", "EUR"][..],
            "it has currency `GBP`; this asked for currency `EUR`",
        ),
        (
            &["--kind", "partner"],
            "it has kind `customer`; this asked for kind `partner`",
        ),
        (
            &["--owner-name", "Someone Else"],
            "it has owner name `Olive Owner`; this asked for owner name `Someone Else`",
        ),
        (
            &["--preset", "lmp"],
            "it has preset `portal`; this asked for preset `lmp`",
        ),
        (
            &["--owner-city", "Paris", "--owner-country", "FR"],
            "it has no owner city, no owner country; this asked for owner city `Paris`, owner country `FR`",
        ),
        // Every difference at once, not one per run; another preset's
        // kind of account only where it was asked for.
        (
            &["--preset", "lmp", "--currency", "EUR", "--owner-name", "Someone Else"],
            "it has preset `portal`, currency `GBP`, owner name `Olive Owner`; this asked for preset `lmp`, currency `EUR`, owner name `Someone Else`",
        ),
    ] {
        let err = p.refused(&[&same[..], extra].concat(), CONFLICT);
        assert_eq!(
            crate::support::error_line(&err),
            format!("error: this database is already initialised with other settings: {named}"),
            "{extra:?}"
        );
        assert_eq!(before, p.dump(), "{extra:?}");
    }
    // Where the owner is, as it is in any case, changes nothing; another
    // place is named.
    let m = Portal::with_preset("moodle");
    let same = [
        "init", "--preset", "moodle", "--account", ACCOUNT, "--owner-email", OWNER,
    ];
    let before = m.dump();
    m.ok(&[
        &same[..],
        &["--owner-city", "london", "--owner-country", "gb"],
    ]
    .concat());
    assert_eq!(before, m.dump());
    let err = m.refused(
        &[
            &same[..],
            &["--owner-city", "Paris", "--owner-country", "FR"],
        ]
        .concat(),
        CONFLICT,
    );
    says(
        &err,
        "it has owner city `London`, owner country `GB`; this asked for owner city `Paris`, owner country `FR`",
    );
    assert_eq!(before, m.dump());
    let err = p.refused(
        &["init", "--account", "Other Ltd", "--owner-email", OWNER],
        CONFLICT,
    );
    says(
        &err,
        "it has account `Acme Ltd`; this asked for account `Other Ltd`",
    );
    let err = p.refused(
        &["init", "--account", ACCOUNT, "--owner-email", "x@acme.test"],
        CONFLICT,
    );
    says(
        &err,
        "it has owner `owner@acme.test`; this asked for owner `x@acme.test`",
    );
}
