//! `apply` and `export` of roles, and of the fields no command changes,
//! through the binary: a role of any account comes back through `export
//! | apply`, a deleted role's name stays taken, and a file that changes
//! what no command changes is refused at the field rather than ignored.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::*;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json");

/// Writes `text` beside the portal's database; its path.
fn file(p: &Portal, name: &str, text: &str) -> PathBuf {
    let path = p.db.with_file_name(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The counts of `apply FILE --json`.
#[track_caller]
fn counts(p: &Portal, path: &std::path::Path) -> (u64, u64, u64) {
    let v = p.json(&["apply", path.to_str().unwrap()]);
    let n = |k: &str| v[k].as_u64().unwrap();
    (n("created"), n("updated"), n("removed"))
}

/// The demo fixture, applied.
fn demo() -> Portal {
    Portal::cached("apply examples/demo.json", || {
        let p = Portal::empty();
        p.ok(&["apply", DEMO]);
        p
    })
}

#[test]
fn export_then_apply_brings_back_a_second_accounts_role_and_a_deleted_roles_name() {
    let p = Portal::empty();
    p.ok(&[
        "init", "--preset", "portal", "--account", "Alpha", "--owner-email", "a@a.test",
    ]);
    p.ok(&["account", "create", "Beta", "--kind", "customer"]);
    p.ok(&[
        "role", "create", "beta-role", "--capabilities", "portal.access", "--account", "Beta",
    ]);
    // A member of the second account holds its role.
    p.ok(&[
        "user", "invite", "x@a.test", "--role", "beta-role", "--account", "Beta", "--no-send",
    ]);
    p.ok(&[
        "role", "create", "retired-role", "--capabilities", "account.view",
    ]);
    p.ok(&["role", "delete", "retired-role", "--yes"]);
    let exported = p.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(doc["roles"][0]["account"], "Beta", "{doc}");
    assert_eq!(doc["roles"][1]["deleted"], true, "{doc}");
    let copy = Portal::empty();
    let path = file(&copy, "export.json", &exported);
    let path = path.to_str().unwrap();
    // The plan of a new database reads as the file does; nothing is made.
    let plan = copy.ok(&["apply", path, "--dry-run"]);
    let lines: Vec<String> = plan
        .lines()
        .filter(|l| l.contains(" role ") || l.contains(" account "))
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        lines,
        [
            "create role beta-role", "create role retired-role", "create account Alpha",
            "create account Beta"
        ],
        "{plan}"
    );
    assert!(!copy.db.exists(), "a dry run leaves no database");
    copy.ok(&["apply", path]);
    assert_eq!(copy.ok(&["export"]), exported);
    assert_eq!(counts(&copy, std::path::Path::new(path)), (0, 0, 0));
    let refusal = copy.refused(
        &[
            "role", "create", "retired-role", "--capabilities", "account.view",
        ],
        CONFLICT,
    );
    says(&refusal, "a deleted role's name is not reused");
    // Made deleted in one event.
    let events = copy.json(&["audit", "list", "--action", "role.create"]);
    let retired: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == "retired-role")
        .collect();
    assert_eq!(retired.len(), 1, "{events}");
    assert_eq!(retired[0]["after"]["deleted"], true, "{events}");
}

#[test]
fn a_live_role_listed_as_deleted_is_deleted_once_nobody_holds_it() {
    let p = demo();
    let text = std::fs::read_to_string(DEMO).unwrap();
    let retired = text.replacen(
        r#""capabilities": ["account.view", "users.view"]}"#,
        r#""capabilities": ["account.view", "users.view"], "deleted": true}"#,
        1,
    );
    assert_ne!(retired, text);
    let held = file(&p, "held.json", &retired);
    let refusal = p.refused(&["apply", held.to_str().unwrap()], CONFLICT);
    assert_eq!(
        error_line(&refusal),
        "error: roles[0].deleted: role `auditor` is held by 1 membership(s): `ada@acme.test` in `Acme Ltd`"
    );
    // The same file gives Ada another role first.
    let moved = retired.replace(
        r#""Ada Auditor", "role": "auditor""#,
        r#""Ada Auditor", "role": "user""#,
    );
    let path = file(&p, "moved.json", &moved);
    assert_eq!(counts(&p, &path), (0, 1, 1));
    let last = p.json(&["audit", "list", "--action", "role.delete"]);
    assert_eq!(last[0]["target"], "auditor", "{last}");
    assert_eq!(counts(&p, &path), (0, 0, 0));
    // Listed live again, it is refused: a deleted role is not made again.
    let refusal = p.refused(&["apply", DEMO], CONFLICT);
    says(
        error_line(&refusal),
        "error: roles[0].deleted: role `auditor` was deleted at",
    );
}

#[test]
fn a_file_changing_what_no_command_changes_is_refused_at_the_field() {
    let p = demo();
    let text = std::fs::read_to_string(DEMO).unwrap();
    let cases = [
        (
            r#""Reads the account and its users""#,
            r#""Reads everything""#,
            "error: roles[0].description: role `auditor` is described otherwise, and no command changes a role's description",
        ),
        (
            r#""capabilities": ["account.view", "users.view"]}"#,
            r#""capabilities": ["account.view", "users.view"], "account": "Contoso"}"#,
            "error: roles[0].account: role `auditor` belongs to no account, and no command moves a role to another account",
        ),
        (
            r#""kind": "broadband", "assigned_to": "una@acme.test""#,
            r#""kind": "fibre", "assigned_to": "una@acme.test""#,
            "error: accounts[0].services[0].kind: `Broadband London` is a `broadband` service, and no command changes a service's kind",
        ),
        (
            r#""role": "no-access", "status": "left""#,
            r#""role": "admin", "status": "left""#,
            "error: accounts[0].users[6].role: `leo@acme.test` has left `Acme Ltd`, and the role of one who left is not changed",
        ),
    ];
    for (i, (from, to, error)) in cases.into_iter().enumerate() {
        let changed = text.replacen(from, to, 1);
        assert_ne!(changed, text, "{from}");
        let path = file(&p, &format!("changed-{i}.json"), &changed);
        let refusal = p.refused(&["apply", path.to_str().unwrap()], CONFLICT);
        assert_eq!(error_line(&refusal), error);
    }
    // `user set-role` refuses the same.
    p.refused(&["user", "set-role", "leo@acme.test", "admin"], CONFLICT);
    // A kind left out is left as it is.
    let left_out = text.replacen(r#""kind": "broadband", "#, "", 1);
    let path = file(&p, "left-out.json", &left_out);
    assert_eq!(counts(&p, &path), (0, 0, 0));
}

/// A custom role made by a member of one account is that account's:
/// another account neither lists, holds nor deletes it, and its name is
/// free there (custom roles' names are unique per account), so making
/// one of that name tells nothing of it; the role's events are in its
/// account's log. `export` writes it as the account's.
#[test]
fn a_members_custom_role_stays_in_its_account() {
    let p = Portal::new();
    p.ok(&["account", "create", "Contoso", "--kind", "customer"]);
    p.member_in("carl@contoso.test", "admin", "Contoso");
    p.member("fiona@acme.test", "admin");
    p.member("una@acme.test", "user");
    let carl = Some("carl@contoso.test");
    let fiona = Some("fiona@acme.test");
    p.refused_as(
        fiona,
        &["user", "set-role", "una@acme.test", "helper"],
        USAGE,
    );
    p.json_as(
        carl,
        &[
            "role", "create", "helper", "--capabilities", "users.manage,account.view",
        ],
    );
    let listed = p.json_as(fiona, &["role", "list"]);
    assert!(!listed.to_string().contains("helper"), "{listed}");
    p.refused_as(
        fiona,
        &["user", "set-role", "una@acme.test", "helper"],
        USAGE,
    );
    p.refused(
        &[
            "user", "set-role", "una@acme.test", "helper", "--account", ACCOUNT,
        ],
        USAGE,
    );
    // Fiona's own `helper`, as if Contoso's did not exist.
    let hers = p.json_as(
        fiona,
        &["role", "create", "helper", "--capabilities", "account.view"],
    );
    assert!(!hers.to_string().contains("Contoso"), "{hers}");
    assert!(!hers.to_string().contains("users.manage"), "{hers}");
    p.json_as(fiona, &["user", "set-role", "una@acme.test", "helper"]);
    let una = p.json(&["user", "show", "una@acme.test", "--account", ACCOUNT]);
    assert!(!una.to_string().contains("users.manage"), "{una}");
    // A second of one account's is refused as before.
    p.refused_as(
        fiona,
        &["role", "create", "helper", "--capabilities", "account.view"],
        CONFLICT,
    );
    // A catalog role's name is no account's to take.
    p.refused_as(
        carl,
        &["role", "create", "admin", "--capabilities", "account.view"],
        CONFLICT,
    );
    let events = p.json_as(carl, &["audit", "list", "--action", "role"]);
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{events}");
    let exported = p.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    let helper = doc["roles"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["name"] == "helper"))
        .cloned();
    assert_eq!(helper.map(|h| h["account"].clone()), Some("Contoso".into()));
    // Exported and applied again, each account's `helper` is unchanged.
    let dir = scratch_dir();
    let path = dir.path().join("again.json");
    std::fs::write(&path, &exported).unwrap();
    let before = p.dump();
    p.ok(&["apply", path.to_str().unwrap()]);
    assert_eq!(p.dump(), before);
    p.json_as(carl, &["role", "delete", "helper", "--yes"]);
    let events = p.json_as(carl, &["audit", "list", "--action", "role"]);
    assert_eq!(events.as_array().map(Vec::len), Some(2), "{events}");
}

/// The operator's `role list` and `role show` name the account each custom
/// role belongs to, as `export` does, and `role show` of a name two
/// accounts have asks which, as `role delete` does; a member reads their
/// own accounts' roles only.
#[test]
fn role_list_and_show_name_a_custom_roles_account() {
    let p = Portal::empty();
    p.ok(&["apply", DEMO]);
    let (fiona, carl) = (Some("fiona@acme.test"), Some("carl@contoso.test"));
    p.json_as(
        fiona,
        &[
            "role",
            "create",
            "ops",
            "--capabilities",
            "portal.access,account.view,users.view",
        ],
    );
    p.json_as(
        carl,
        &[
            "role", "create", "ops", "--capabilities", "portal.access,orders.place",
        ],
    );
    let owners = |list: &Value| -> Vec<Value> {
        let mut owners: Vec<Value> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["name"] == "ops")
            .map(|r| r["account"].clone())
            .collect();
        owners.sort_by_key(Value::to_string);
        owners
    };
    assert_eq!(
        owners(&p.json(&["role", "list"])),
        [Value::from("Acme Ltd"), Value::from("Contoso")]
    );
    let table = p.ok(&["role", "list"]);
    let headers: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(headers[..3], ["ROLE", "ACCOUNT", "MEMBERS"], "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("ops") && l.contains("Contoso")),
        "{table}"
    );
    let before = p.dump();
    let err = p.refused(&["role", "show", "ops"], USAGE);
    assert_eq!(
        error_line(&err),
        "error: several accounts have a custom role `ops`"
    );
    says(
        &err,
        "help: name the account with --account: `Acme Ltd`, `Contoso`",
    );
    let shown = p.json(&["role", "show", "ops", "--account", "Contoso"]);
    assert_eq!(shown["account"], "Contoso");
    assert!(shown.to_string().contains("orders.place"), "{shown}");
    let text = p.ok(&["role", "show", "ops", "--account", "Acme Ltd"]);
    assert!(
        text.lines()
            .any(|l| l.starts_with("account") && l.ends_with("Acme Ltd")),
        "{text}"
    );
    // A catalog role serves every account: no account is written.
    let admin = p.json(&["role", "show", "admin"]);
    assert!(admin.get("account").is_none(), "{admin}");
    assert_eq!(p.dump(), before, "reading changes nothing");
    // Fiona sees Acme's `ops` alone, without naming it, and no other.
    let hers = p.json_as(fiona, &["role", "show", "ops"]);
    assert_eq!(hers["account"], "Acme Ltd");
    assert_eq!(
        owners(&p.json_as(fiona, &["role", "list"])),
        [Value::from("Acme Ltd")]
    );
    // Contoso, her partner's customer, she may name: its `ops` reads as
    // a role nobody has.
    assert_eq!(
        p.refused_as(
            fiona,
            &["role", "show", "ops", "--account", "Contoso"],
            USAGE
        ),
        p.refused_as(
            fiona,
            &["role", "show", "nope", "--account", "Contoso"],
            USAGE
        )
        .replace("nope", "ops"),
    );
}

/// N#11: a file's role that no role serving its account has is refused
/// as `user set-role` refuses it, naming only those roles: another
/// account's custom role is neither suggested nor listed, in a user's
/// role or an external admin's.
#[test]
fn a_files_unknown_role_names_no_other_accounts_role() {
    let p = demo();
    p.ok(&["account", "create", "Other", "--kind", "customer"]);
    p.member_in("oa@other.test", "admin", "Other");
    p.json_as(
        Some("oa@other.test"),
        &[
            "role", "create", "secret-merger-team", "--capabilities", "portal.access",
        ],
    );
    let carl = Some("carl@contoso.test");
    let by_hand = p.refused_as(
        carl,
        &["user", "set-role", "cleo@contoso.test", "secret-merger"],
        USAGE,
    );
    assert!(!by_hand.contains("secret-merger-team"), "{by_hand}");
    for entry in [
        r#""users": [{"email": "cleo@contoso.test", "role": "secret-merger", "status": "active"}]"#,
        r#""external_admins": [{"email": "fiona@acme.test", "role": "secret-merger"}]"#,
    ] {
        let path = file(
            &p,
            "typo.json",
            &format!(r#"{{"accounts": [{{"name": "Contoso", {entry}}}]}}"#),
        );
        let said = p.refused_as(carl, &["apply", "--dry-run", path.to_str().unwrap()], USAGE);
        assert!(said.contains("unknown role `secret-merger`"), "{said}");
        assert!(said.contains("roles are: admin,"), "{said}");
        assert!(!said.contains("secret-merger-team"), "{said}");
    }
}
