//! Custom roles and catalogs of one's own: `role create|show|delete`,
//! `init --preset-file`, and the shipped presets in `examples/presets/`.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::{Portal, ACCOUNT, CONFLICT, DENIED, OWNER, OWNER_LOCATION, USAGE};

/// A catalog of one's own, using every part of the format.
const AGENCY: &str = r#"{
  "name": "agency",
  "title": "Agency portal",
  "description": "A catalog of our own",
  "owner_role": "boss",
  "account_kind": "partner",
  "require_location": true,
  "roles": [
    {"name": "boss", "description": "Runs the account", "all_capabilities": true},
    {"name": "clerk", "capabilities": ["account.view", "orders.place"]},
    {"name": "trainee", "capabilities": ["account.view"]},
    {"name": "blocked", "blocking": true}
  ],
  "grant_bundles": [
    {"name": "money", "description": "Billing", "capabilities": ["billing.view", "billing.payment"]}
  ],
  "courses": [
    {"name": "Onboarding"},
    {"name": "Finance 101", "roles": ["clerk"], "area_capabilities": ["billing.view", "billing.payment"]}
  ]
}"#;

/// Writes `text` to a file in a fresh temporary directory.
fn catalog_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.json");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn init_args(file: &Path) -> Vec<String> {
    [
        "init",
        "--preset-file",
        file.to_str().unwrap(),
        "--account",
        ACCOUNT,
        "--owner-email",
        OWNER,
    ]
    .iter()
    .chain(&OWNER_LOCATION)
    .map(|s| s.to_string())
    .collect()
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_catalog_file_is_loaded_and_used() {
    let (_dir, file) = catalog_file(AGENCY);
    let p = Portal::empty();
    let args = init_args(&file);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let v = p.json(&args);
    assert_eq!(v["preset"], "agency");
    assert_eq!(v["owner"]["role"], "boss");
    assert_eq!(v["owner"]["courses"], json!(["Onboarding"]));
    assert_eq!(
        names(&p.json(&["role", "list"])),
        ["boss", "clerk", "trainee", "blocked"]
    );
    let courses = p.json(&["course", "list"]);
    assert_eq!(names(&courses), ["Onboarding", "Finance 101"]);
    assert_eq!(courses[0]["roles"], json!(["boss", "clerk", "trainee"]));
    assert_eq!(courses[1]["roles"], json!(["clerk"]));

    // require_location comes from the file.
    let err = p.refused(
        &[
            "user", "invite", "--email", "cal@acme.test", "--name", "Cal", "--role", "clerk",
        ],
        USAGE,
    );
    assert!(err.contains("city"), "{err}");
    p.member("cal@acme.test", "clerk");
    let cal = p.json(&["user", "show", "cal@acme.test"]);
    assert_eq!(cal["timezone"], "Europe/London");
    assert_eq!(cal["courses"], json!(["Onboarding", "Finance 101"]));

    // The file's area is granted like a shipped one.
    p.ok(&["user", "grant", "cal@acme.test", "money"]);
    let can = p.can(&["cal@acme.test", "billing.payment"]);
    assert_eq!(can["reason"], "granted by area `money`");
    let finance = &p.json(&["user", "courses", "cal@acme.test"])[1];
    assert_eq!(
        finance["area_access"],
        json!(["billing.view", "billing.payment"])
    );

    // Roles move enrolments here too.
    let v = p.json(&["user", "set-role", "cal@acme.test", "trainee"]);
    assert_eq!(v["courses"], json!(["Onboarding"]));
    let v = p.json(&["user", "set-role", "cal@acme.test", "blocked"]);
    assert_eq!(v["courses"], json!([]));
}

#[test]
fn malformed_catalog_files_are_refused_with_their_json_path() {
    let agency: Value = serde_json::from_str(AGENCY).unwrap();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut v = agency.clone();
        change(&mut v);
        v.to_string()
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown capability",
            with(&|v| v["roles"][1]["capabilities"][1] = json!("orders.fly")),
            "roles[1].capabilities[1]: unknown capability `orders.fly`",
        ),
        (
            "duplicate role",
            with(&|v| v["roles"][2]["name"] = json!("clerk")),
            "roles[2].name: duplicate role `clerk`",
        ),
        (
            "no blocking role",
            with(&|v| {
                v["roles"].as_array_mut().unwrap().pop();
            }),
            "roles: the catalog needs one blocking role",
        ),
        (
            "two blocking roles",
            with(&|v| v["roles"][2] = json!({"name": "out", "blocking": true})),
            "roles: the catalog may have only one blocking role",
        ),
        (
            "a blocking role with capabilities",
            with(&|v| v["roles"][3]["capabilities"] = json!(["account.view"])),
            "roles[3]: blocking role `blocked` must hold no capability",
        ),
        (
            "unknown owner role",
            with(&|v| v["owner_role"] = json!("chief")),
            "owner_role: no role named `chief`",
        ),
        (
            "unknown capability in an area",
            with(&|v| v["grant_bundles"][0]["capabilities"][0] = json!("money.print")),
            "grant_bundles[0].capabilities[0]",
        ),
        (
            "a course for an unknown role",
            with(&|v| v["courses"][1]["roles"][0] = json!("intern")),
            "courses[1].roles[0]: no role named `intern`",
        ),
        (
            "unknown field",
            with(&|v| v["roles"][0]["colour"] = json!("red")),
            "roles[0].colour",
        ),
        ("not JSON", "{\"name\": \"agency\",".to_string(), "line 1"),
    ];
    for (what, text, wanted) in cases {
        let (_dir, file) = catalog_file(&text);
        let p = Portal::empty();
        let args = init_args(&file);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = p.refused(&args, USAGE);
        assert!(err.contains(wanted), "{what}: wanted {wanted:?} in {err}");
        assert!(
            err.contains("catalog.json"),
            "{what}: names the file: {err}"
        );
        assert!(!p.db.exists(), "{what}: a refused init leaves no database");
    }
}

#[test]
fn the_examples_are_the_shipped_presets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = names(&Portal::empty().json(&["preset", "list"]));
    let mut examples: Vec<String> = std::fs::read_dir(root.join("examples/presets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    examples.sort();
    let mut wanted: Vec<String> = shipped.iter().map(|n| format!("{n}.json")).collect();
    wanted.sort();
    assert_eq!(examples, wanted, "one example per shipped preset");
    for name in &shipped {
        let example = root.join(format!("examples/presets/{name}.json"));
        let source = root.join(format!("src/presets/{name}.json"));
        assert_eq!(
            std::fs::read_to_string(&example).unwrap(),
            std::fs::read_to_string(&source).unwrap(),
            "examples/presets/{name}.json differs from src/presets/{name}.json: copy it over"
        );
        // Loaded from the file, it makes the same database as the preset.
        let from_file = Portal::empty();
        let args = init_args(&example);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let by_file = from_file.json(&args);
        let mut by_name = vec![
            "init", "--preset", name, "--account", ACCOUNT, "--owner-email", OWNER,
        ];
        by_name.extend(OWNER_LOCATION);
        let by_name = Portal::empty().json(&by_name);
        assert_eq!(by_file, by_name, "{name}");
        let shipped = Portal::with_preset(name);
        for list in [["role", "list"], ["course", "list"]] {
            assert_eq!(
                from_file.json(&list),
                shipped.json(&list),
                "{name}: {list:?}"
            );
        }
        // And `preset show` prints what the file says.
        let file: Value =
            serde_json::from_str(&std::fs::read_to_string(&example).unwrap()).unwrap();
        let shown = Portal::empty().json(&["preset", "show", name]);
        for field in ["name", "title", "owner_role"] {
            assert_eq!(shown[field], file[field], "{name}: {field}");
        }
        assert_eq!(names(&shown["roles"]), names(&file["roles"]), "{name}");
    }
}

/// What `preset show --json` prints of a shipped preset reads back with
/// `init --preset-file`, and makes the database the preset makes.
#[test]
fn preset_show_json_reads_back_as_a_preset_file() {
    for name in names(&Portal::empty().json(&["preset", "list"])) {
        let shown = Portal::empty().json(&["preset", "show", &name]);
        let from_file = Portal::empty();
        let file = from_file.db.with_file_name("shown.json");
        std::fs::write(&file, shown.to_string()).unwrap();
        let args = init_args(&file);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        from_file.ok(&args);
        let shipped = Portal::with_preset(&name);
        for list in [["role", "list"], ["course", "list"]] {
            assert_eq!(
                from_file.json(&list),
                shipped.json(&list),
                "{name}: {list:?}"
            );
        }
    }
}

// ---------------------------------------------------------------- custom roles

#[test]
fn role_create_checks_capabilities_against_the_catalog() {
    let p = Portal::new();
    let err = p.refused(
        &[
            "role", "create", "auditor", "--capabilities", "account.view,users.peek",
        ],
        USAGE,
    );
    assert!(err.contains("users.peek"), "{err}");
    let v = p.json(&[
        "role",
        "create",
        "auditor",
        "--capabilities",
        "users.view, account.view,users.view",
        "--description",
        "Reads",
    ]);
    assert_eq!(
        v["capabilities"],
        json!(["portal.access", "account.view", "users.view"])
    );
    let shown = p.json(&["role", "show", "auditor"]);
    assert_eq!(shown["description"], "Reads");
    assert_eq!(shown["members"], 0);
    assert!(shown.get("courses").is_none(), "no courses in this preset");
}

#[test]
fn a_custom_role_gets_the_courses_for_every_role() {
    let p = Portal::with_preset("moodle");
    p.ok(&[
        "role", "create", "reseller", "--capabilities", "account.view",
    ]);
    let shown = p.json(&["role", "show", "reseller"]);
    assert_eq!(shown["courses"].as_array().unwrap().len(), 6);
    p.member("rex@acme.test", "reseller");
    let v = p.json(&["user", "show", "rex@acme.test"]);
    assert_eq!(v["courses"].as_array().unwrap().len(), 6);
    assert!(!v["courses"]
        .as_array()
        .unwrap()
        .contains(&json!("Clients and Invoices")));
}

#[test]
fn role_delete_retires_an_unused_role() {
    let p = Portal::new();
    p.ok(&["role", "create", "auditor", "--capabilities", "users.view"]);
    let v = p.json(&["role", "delete", "--yes", "auditor"]);
    assert_eq!(v["name"], "auditor");
    assert!(!names(&p.json(&["role", "list"])).contains(&"auditor".to_string()));
    let event = &p.json(&["audit", "list", "--limit", "1"])[0];
    assert_eq!(event["action"], "role.delete");
    assert_eq!(event["target"], "auditor");
    assert_eq!(
        event["before"]["capabilities"],
        json!(["portal.access", "users.view"])
    );
    // Kept as a row, never offered again, its name not reused.
    assert_eq!(
        p.text("SELECT deleted_at FROM roles WHERE name = 'auditor'"),
        crate::support::NOW
    );
    let err = p.refused(&["role", "show", "auditor"], USAGE);
    assert!(err.contains("unknown role `auditor`"), "{err}");
    let err = p.refused(
        &[
            "user", "invite", "--email", "a@acme.test", "--name", "A", "--role", "auditor",
        ],
        USAGE,
    );
    assert!(err.contains("unknown role"), "{err}");
    let err = p.refused(
        &["role", "create", "auditor", "--capabilities", "users.view"],
        CONFLICT,
    );
    assert!(err.contains("was deleted"), "{err}");
    p.refused(&["role", "delete", "--yes", "auditor"], USAGE);
    // A preset role nobody holds may go too, by the operator.
    p.ok(&["role", "delete", "--yes", "manager"]);
}

#[test]
fn role_delete_is_refused_while_a_member_holds_the_role() {
    let p = Portal::new();
    p.ok(&["role", "create", "auditor", "--capabilities", "users.view"]);
    p.member("ann@acme.test", "auditor");
    let err = p.refused(&["role", "delete", "--yes", "auditor"], CONFLICT);
    assert!(
        err.contains("held by 1 membership")
            && err.contains("ann@acme.test")
            && err.contains(ACCOUNT),
        "{err}"
    );
    assert!(err.contains("set-role"), "{err}");
    // A membership that ended holds no role (findings E12): once she has
    // left, the role is retired; brought back, she gets the least role.
    p.ok(&["user", "left-company", "--yes", "ann@acme.test"]);
    p.ok(&["role", "delete", "--yes", "auditor"]);
    p.ok(&["user", "activate", "ann@acme.test"]);
    let shown = p.ok(&["user", "show", "ann@acme.test"]);
    assert!(shown.contains("role          user"), "{shown}");
    // An invitation not yet accepted holds it as well.
    p.ok(&["role", "create", "viewer", "--capabilities", "account.view"]);
    p.invite("bob@acme.test", "viewer", ACCOUNT);
    p.refused(&["role", "delete", "--yes", "viewer"], CONFLICT);
}

#[test]
fn the_owner_and_blocking_roles_stay() {
    let p = Portal::with_preset("customer-area");
    let err = p.refused(&["role", "delete", "--yes", "no-access"], CONFLICT);
    assert!(err.contains("blocking role"), "{err}");
    // The owner role, held by the owner alone, whoever that is.
    p.member("ann@acme.test", "member");
    p.ok(&[
        "user", "transfer-ownership", "--to", "ann@acme.test", "--yes",
    ]);
    assert_eq!(p.json(&["role", "show", "owner"])["members"], 1);
    let err = p.refused(&["role", "delete", "--yes", "owner"], CONFLICT);
    assert!(err.contains("owner role"), "{err}");
}

#[test]
fn members_may_delete_only_their_own_accounts_roles_with_users_manage() {
    let p = Portal::with_preset("customer-area");
    p.member("max@acme.test", "member");
    p.ok(&["user", "grant", "max@acme.test", "account-admin"]);
    p.member("bob@acme.test", "member");
    p.ok(&["account", "create", "Beta Co", "--kind", "customer"]);
    p.member_in("bea@beta.test", "member", "Beta Co");
    p.ok(&[
        "user", "grant", "bea@beta.test", "account-admin", "--account", "Beta Co",
    ]);
    let max = Some("max@acme.test");
    p.json_as(
        max,
        &["role", "create", "viewer", "--capabilities", "account.view"],
    );
    let err = p.refused_as(
        Some("bob@acme.test"),
        &["role", "delete", "--yes", "viewer"],
        DENIED,
    );
    assert!(err.contains("users.manage"), "{err}");
    p.json_as(max, &["role", "delete", "--yes", "viewer"]);
    let event = &p.json(&["audit", "list", "--limit", "1"])[0];
    assert_eq!(event["actor"], "max@acme.test");

    // A role the operator made serves every account: an account's admin
    // cannot retire it for all of them.
    p.ok(&["role", "create", "reader", "--capabilities", "account.view"]);
    let err = p.refused_as(max, &["role", "delete", "--yes", "reader"], DENIED);
    assert!(err.contains("not made for this account"), "{err}");
    // Nor one another account made.
    let bea = Some("bea@beta.test");
    p.json_as(
        bea,
        &[
            "role", "create", "beta-view", "--capabilities", "account.view",
        ],
    );
    // To Acme it is unknown.
    p.refused_as(max, &["role", "delete", "--yes", "beta-view"], USAGE);
    // Acme's role is held in Acme alone: Beta cannot give it.
    p.json_as(
        max,
        &[
            "role", "create", "acme-view", "--capabilities", "account.view",
        ],
    );
    p.member_in("ben@beta.test", "member", "Beta Co");
    p.refused_as(
        bea,
        &["user", "set-role", "ben@beta.test", "acme-view"],
        USAGE,
    );
    // Held at home: the holders are named, as they are the admin's own.
    p.member("amy@acme.test", "acme-view");
    let err = p.refused_as(max, &["role", "delete", "--yes", "acme-view"], CONFLICT);
    assert!(err.contains("amy@acme.test"), "{err}");
    p.ok(&["user", "set-role", "amy@acme.test", "member"]);
    p.json_as(max, &["role", "delete", "--yes", "acme-view"]);

    // A role of the preset is the operator's to delete.
    let err = p.refused_as(max, &["role", "delete", "--yes", "no-access"], DENIED);
    assert!(err.contains("preset"), "{err}");
}

#[test]
fn export_carries_a_catalog_of_ones_own_and_apply_makes_the_copy_from_it() {
    let (_dir, file) = catalog_file(AGENCY);
    let p = Portal::empty();
    let args = init_args(&file);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    p.ok(&args);
    p.member("cal@acme.test", "clerk");
    let exported = p.ok(&["export"]);
    let doc: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(doc["preset"], "agency");
    assert_eq!(doc["catalog"]["owner_role"], "boss", "{doc}");

    let copy = Portal::empty();
    let run = copy.apply_stdin(&[], &[], &exported);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(copy.ok(&["export"]), exported);
    assert_eq!(
        names(&copy.json(&["role", "list"])),
        ["boss", "clerk", "trainee", "blocked"]
    );
    assert_eq!(
        copy.can(&["cal@acme.test", "orders.place"])["allowed"],
        true
    );
    // Applied again, or onto the original, it changes nothing.
    for db in [&copy, &p] {
        let run = db.apply_stdin(&[], &[], &exported);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("updated    0"), "{}", run.stdout);
    }

    // A catalog that is not the database's is refused, nothing changed.
    let mut other = doc.clone();
    other["catalog"]["roles"][1]["capabilities"] = json!(["account.view"]);
    let before = copy.dump();
    let run = copy.apply_stdin(&[], &[], &other.to_string());
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: catalog: "), "{}", run.stderr);
    assert_eq!(before, copy.dump());

    // An older export, without its catalog, says how to make the copy.
    let mut older = doc.clone();
    older.as_object_mut().unwrap().remove("catalog");
    let fresh = Portal::empty();
    let run = fresh.apply_stdin(&[], &[], &older.to_string());
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    assert!(run.stderr.contains("init --preset-file"), "{}", run.stderr);
    assert!(!fresh.db.exists() || fresh.text("SELECT count(*) FROM accounts") == "0");
}

#[test]
fn a_catalog_of_ones_own_may_not_take_a_shipped_presets_name() {
    let shipped: Value =
        serde_json::from_str(include_str!("../../examples/presets/portal.json")).unwrap();
    // The shipped preset itself, copied, is that preset.
    let (_dir, file) = catalog_file(&shipped.to_string());
    let p = Portal::empty();
    let args = init_args(&file);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    p.ok(&args);
    let doc: Value = serde_json::from_str(&p.ok(&["export"])).unwrap();
    assert_eq!(doc["preset"], "portal");
    assert!(doc.get("catalog").is_none(), "{doc}");
    // Changed, it must take a name of its own.
    let mut changed = shipped.clone();
    changed["title"] = json!("Our portal");
    let (_dir2, file) = catalog_file(&changed.to_string());
    let fresh = Portal::empty();
    let args = init_args(&file);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let err = fresh.refused(&args, USAGE);
    assert!(err.contains("`portal` is a shipped preset's name"), "{err}");
    assert!(!fresh.db.exists());
}
