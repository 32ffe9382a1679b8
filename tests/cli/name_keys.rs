//! Account names, policy names and address labels compare as Unicode
//! does, not only ASCII: kept composed (NFC) and found, and kept apart,
//! without case in every script (migration 24).

use crate::support::{self, Portal, ACCOUNT, CONFLICT};

#[test]
fn names_are_one_whatever_their_case_or_composition() {
    let p = Portal::new();
    p.ok(&["account", "create", "Ærø Shop", "--kind", "partner"]);
    for taken in ["ærø shop", "ÆRØ SHOP"] {
        let stderr = p.refused(&["account", "create", taken, "--kind", "partner"], CONFLICT);
        support::says(&stderr, "error: account");
    }
    // A decomposed `Ä` is stored composed, and is the composed one.
    let made = p.json(&[
        "account", "create", "A\u{308}rø", "--kind", "partner", "--json",
    ]);
    assert_eq!(made["name"], "\u{C4}rø");
    p.refused(
        &["account", "create", "\u{E4}RØ", "--kind", "partner"],
        CONFLICT,
    );
    let shown = p.json(&["account", "show", "ÆRØ SHOP", "--json"]);
    assert_eq!(shown["name"], "Ærø Shop");

    // Policies and labels alike.
    p.ok(&[
        "policy", "create", "--account", "acme LTD", "--name", "Ærø big", "--threshold", "5",
    ]);
    p.refused(
        &[
            "policy", "create", "--account", ACCOUNT, "--name", "ærø BIG", "--threshold", "6",
        ],
        CONFLICT,
    );
    let edited = p.json(&[
        "policy", "edit", "ÆRØ BIG", "--account", ACCOUNT, "--threshold", "7", "--json",
    ]);
    assert_eq!(edited["name"], "Ærø big");
    let add = |label: &str| {
        vec![
            "account".to_string(),
            "address".into(),
            "add".into(),
            "--account".into(),
            ACCOUNT.into(),
            "--label".into(),
            label.into(),
            "--line1".into(),
            "a".into(),
            "--city".into(),
            "b".into(),
            "--postcode".into(),
            "c".into(),
            "--country".into(),
            "GB".into(),
        ]
    };
    let args = add("Øst");
    p.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let args = add("øST");
    p.refused(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        CONFLICT,
    );

    // A file naming them in another case changes nothing.
    let dir = support::scratch_dir();
    let file = dir.path().join("f.json");
    let fixture = serde_json::json!({"accounts": [
        {"name": "ærø SHOP", "kind": "partner"},
        {"name": ACCOUNT, "policies": [{"name": "ÆRØ BIG", "threshold": "7.00"}]},
    ]});
    std::fs::write(&file, fixture.to_string()).unwrap();
    let before = p.dump();
    let plan = p.ok(&["apply", "--dry-run", file.to_str().unwrap()]);
    assert!(
        plan.contains("created    would be 0") && plan.contains("unchanged  3"),
        "{plan}"
    );
    assert_eq!(p.dump(), before);
}

/// A database from before migration 24 gets the keys of the names it
/// holds, so they are found without case from then on.
#[test]
fn the_migration_keys_the_names_already_held() {
    let p = Portal::new();
    p.ok(&["account", "create", "Ærø Shop", "--kind", "partner"]);
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        support::rewind(&conn, support::version_before("0024_names.sql"));
    }
    let shown = p.json(&["account", "show", "ÆRØ SHOP", "--json"]);
    assert_eq!(shown["name"], "Ærø Shop");
    assert_eq!(
        p.text("SELECT name_key FROM accounts WHERE name = 'Ærø Shop'"),
        "ærø shop"
    );
}

/// A name or an address typed decomposed (`U` and a combining diaeresis)
/// is the composed one: a file giving it so applies again changing
/// nothing, and the address finds the same login.
#[test]
fn a_decomposed_name_or_address_is_the_composed_one() {
    let p = Portal::init("portal");
    let file = serde_json::json!({"accounts": [{"name": ACCOUNT, "users": [
        {"email": "u\u{308}na@acme.test", "name": "U\u{308}na U\u{308}ber", "role": "user"}
    ]}]})
    .to_string();
    let first = p.apply_stdin(&[], &[], &file);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let again = p.apply_stdin(&[], &[], &file);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("updated    0"), "{}", again.stdout);
    let una = p.json(&["user", "show", "\u{fc}na@acme.test"]);
    assert_eq!(una["name"], "\u{dc}na \u{dc}ber", "{una}");
}
