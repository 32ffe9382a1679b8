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

/// Writes `sql` to the database as an older portalctl would have: the
/// binary refuses these names now, so the test puts them there itself.
fn older_build_wrote(p: &Portal, sql: &str) {
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.execute_batch(sql).unwrap();
    // Before the upgrade that gathers the backquoted texts it left.
    support::rewind(&conn, support::version_before("0031_backquoted_texts.sql"));
}

/// `export` of `p`, applied into a new file: the run.
fn copied(p: &Portal) -> support::Run {
    let file = p.ok(&["export"]);
    Portal::empty().apply_stdin(&["--no-send"], &[], &file)
}

/// A database an older build filled with names today's rules make one
/// (`Ärø Shop` composed and decomposed, `Ærø Shop` and `ærø shop`) or
/// refuse (`H\u{34f}Q`, `Ann\u{1d173}`) works, but its copy is refused.
/// `status` names each, written with escapes, with the command that
/// renames it; each command does (audited, refusing a name taken), and
/// then the copy goes through.
#[test]
fn names_an_older_build_let_in_are_named_by_status_and_renamed() {
    let p = Portal::new();
    for name in ["Old One", "Old Two", "Old Three", "Old Four"] {
        p.ok(&["account", "create", name, "--kind", "partner"]);
    }
    p.ok(&[
        "policy", "create", "--account", ACCOUNT, "--name", "Big", "--threshold", "5",
    ]);
    p.ok(&[
        "user", "invite", "ann@acme.test", "--account", ACCOUNT, "--role", "user", "--name", "Ann",
    ]);
    let add = vec![
        "account", "address", "add", "--account", ACCOUNT, "--label", "HQ", "--line1", "a",
        "--city", "b", "--postcode", "c", "--country", "GB",
    ];
    p.ok(&add);
    p.ok(&[
        "order", "place", "--account", ACCOUNT, "--description", "Desk", "--amount", "1.00",
    ]);
    older_build_wrote(
        &p,
        "UPDATE accounts SET name = 'A\u{308}rø Shop', name_key = 'ärø shop' WHERE name = 'Old One';
         UPDATE accounts SET name = '\u{C4}rø Shop', name_key = 'ärø shop' WHERE name = 'Old Two';
         UPDATE accounts SET name = 'Ærø Shop', name_key = 'ærø shop' WHERE name = 'Old Three';
         UPDATE accounts SET name = 'ærø shop', name_key = 'ærø shop' WHERE name = 'Old Four';
         UPDATE policies SET name = 'B\u{34f}ig' WHERE name = 'Big';
         UPDATE addresses SET label = 'H\u{34f}Q' WHERE label = 'HQ';
         UPDATE people SET name = 'Ann\u{1d173}' WHERE email = 'ann@acme.test';
         UPDATE orders SET description = 'De\u{34f}sk' WHERE description = 'Desk';",
    );
    // It works: each is found by its exact spelling.
    let shown = p.json(&["account", "show", "A\u{308}rø Shop", "--json"]);
    assert_eq!(shown["name"], "A\u{308}rø Shop");

    let status = p.ok(&["status"]);
    for says in [
        "name: account `A\\u{308}rø Shop` reads as `\u{C4}rø Shop` too",
        "`portalctl account set 'A\u{308}rø Shop' --name NEW`",
        "name: account `ærø shop` reads as `Ærø Shop` too",
        "name: policy `B\\u{34f}ig` in `Acme Ltd` holds U+034F, a character that shows as nothing",
        "`portalctl policy edit 'B\u{34f}ig' --account 'Acme Ltd' --name NEW`",
        "name: address label `H\\u{34f}Q` in `Acme Ltd` holds U+034F",
        "`portalctl account address remove 'H\u{34f}Q' --account 'Acme Ltd'`",
        "name: user name `Ann\\u{1d173}` holds U+1D173",
        "`portalctl user edit ann@acme.test --account 'Acme Ltd' --name NEW`",
        "text: description `De\\u{34f}sk` of order #",
        "no command changes an order's description: write it anew in the exported file",
    ] {
        support::says(&status, says);
    }
    let json = p.json(&["status", "--json"]);
    assert_eq!(json["problems"].as_array().map(Vec::len), Some(8), "{json}");

    let copy = copied(&p);
    assert_eq!(copy.code, support::USAGE, "{}", copy.stderr);
    support::says(&copy.stderr, "is listed twice");
    support::says(&copy.stderr, "read as one; if this file is an export");
    support::says(&copy.stderr, "run `portalctl status` there");

    // A new name another account holds, as names compare, is refused.
    let taken = p.refused(
        &["account", "set", "A\u{308}rø Shop", "--name", "ÆRØ SHOP"],
        CONFLICT,
    );
    support::says(&taken, "error: account `ÆRØ SHOP` already exists");
    let taken = p.refused(
        &[
            "account", "set", "A\u{308}rø Shop", "--name", "\u{E4}rø shop",
        ],
        CONFLICT,
    );
    support::says(&taken, "already exists");
    p.ok(&[
        "account", "set", "A\u{308}rø Shop", "--name", "Ärø Shop North",
    ]);
    let event = p.last_event();
    assert_eq!(event["action"], "account.set", "{event}");
    assert_eq!(event["before"]["name"], "A\u{308}rø Shop", "{event}");
    assert_eq!(event["after"]["name"], "Ärø Shop North", "{event}");
    p.ok(&["account", "set", "ærø shop", "--name", "Ærø Shop East"]);
    p.ok(&[
        "policy", "edit", "B\u{34f}ig", "--account", ACCOUNT, "--name", "Big",
    ]);
    p.ok(&[
        "account", "address", "remove", "H\u{34f}Q", "--account", ACCOUNT,
    ]);
    p.ok(&add);
    p.ok(&[
        "user", "edit", "ann@acme.test", "--account", ACCOUNT, "--name", "Ann",
    ]);

    let status = p.ok(&["status"]);
    assert!(!status.contains("name:"), "{status}");
    let copy = copied(&p);
    assert_eq!(copy.code, support::USAGE, "{}", copy.stderr);
    support::says(&copy.stderr, "description: the text `De\\u{34f}sk`");
    support::says(&copy.stderr, "run `portalctl status` there");
    // What no command changes is written anew in the file.
    let file = p.ok(&["export"]).replace('\u{34f}', "");
    let copy = Portal::empty().apply_stdin(&["--no-send"], &[], &file);
    assert_eq!(copy.code, 0, "{}", copy.stderr);
}

/// Of two accounts, policies or labels an older build let in that now
/// read as one (`Beta Co` and `Beta` no-break space `Co`), the exact
/// spelling names each, and any other (`Beta  Co`, `BETA CO`) is refused
/// as naming both (exit 2), not resolved to the one the bytes favour
/// (findings N10).
#[test]
fn a_spelling_that_is_neither_of_two_look_alikes_is_refused_naming_both() {
    let p = Portal::new();
    for name in ["Beta Co", "Beta Two"] {
        p.ok(&["account", "create", name, "--kind", "partner"]);
    }
    for name in ["Big one", "Big two"] {
        p.ok(&[
            "policy", "create", "--account", ACCOUNT, "--name", name, "--threshold", "5",
        ]);
    }
    for label in ["Head office", "Head two"] {
        p.ok(&[
            "account", "address", "add", "--account", ACCOUNT, "--label", label, "--line1", "a",
            "--city", "b", "--postcode", "c", "--country", "GB",
        ]);
    }
    older_build_wrote(
        &p,
        "UPDATE accounts SET name = 'Beta\u{a0}Co', name_key = 'beta co' WHERE name = 'Beta Two';
         UPDATE policies SET name = 'Big\u{a0}one', name_key = 'big one' WHERE name = 'Big two';
         UPDATE addresses SET label = 'Head\u{a0}office', label_key = 'head office'
          WHERE label = 'Head two';",
    );
    for exact in ["Beta Co", "Beta\u{a0}Co"] {
        assert_eq!(p.json(&["account", "show", exact])["name"], exact);
    }
    for neither in ["Beta  Co", "BETA CO", "beta\u{a0}co", "Beta\u{2002}Co"] {
        let err = p.refused(&["account", "show", neither], support::USAGE);
        support::says(
            &err,
            "names more than one account: `Beta Co` and `Beta\\u{a0}Co`",
        );
        p.refused(&["account", "set", neither, "--phone", "1"], support::USAGE);
    }
    p.ok(&["policy", "show", "Big one", "--account", ACCOUNT]);
    p.ok(&["policy", "show", "Big\u{a0}one", "--account", ACCOUNT]);
    let err = p.refused(
        &["policy", "show", "BIG  ONE", "--account", ACCOUNT],
        support::USAGE,
    );
    support::says(
        &err,
        "names more than one policy: `Big one` and `Big\\u{a0}one`",
    );
    let err = p.refused(
        &[
            "account", "address", "remove", "head  office", "--account", ACCOUNT,
        ],
        support::USAGE,
    );
    support::says(
        &err,
        "names more than one address label: `Head office` and `Head\\u{a0}office`",
    );
}

/// Every space reads as one: a name typed with a no-break, en, narrow,
/// ideographic space or two plain ones is the name with one plain space,
/// so it is refused beside it, as any name held is.
#[test]
fn a_name_written_with_other_spaces_is_the_name_with_one_space() {
    let p = Portal::new();
    p.ok(&[
        "policy", "create", "--account", ACCOUNT, "--name", "Big one", "--threshold", "5",
    ]);
    for space in [
        "\u{A0}", "\u{2002}", "\u{202F}", "\u{3000}", "  ", " \u{A0} ",
    ] {
        let name = format!("Acme{space}Ltd");
        let stderr = p.refused(&["account", "create", &name, "--kind", "partner"], CONFLICT);
        support::says(&stderr, "error: account `Acme Ltd` already exists");
        let policy = format!("Big{space}one");
        p.refused(
            &[
                "policy", "create", "--account", ACCOUNT, "--name", &policy, "--threshold", "6",
            ],
            CONFLICT,
        );
        // Looked up so, it is the one name.
        let shown = p.json(&["account", "show", &name, "--json"]);
        assert_eq!(shown["name"], ACCOUNT);
    }
    // A tab or a line break in a name stays refused.
    for bad in ["Acme\tTwo", "Acme\nTwo", "Acme\u{2028}Two"] {
        p.refused(
            &["account", "create", bad, "--kind", "partner"],
            support::USAGE,
        );
    }
}

/// A database from before migration 25 holding `Acme Ltd` with a no-break
/// space gets keys that fold it: it is found as `Acme Ltd` too, and
/// `status` names the two as reading alike.
#[test]
fn the_migration_keys_names_with_other_spaces_anew() {
    let p = Portal::new();
    p.ok(&["account", "create", "Acme Two", "--kind", "partner"]);
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        support::rewind(&conn, support::version_before("0025_name_keys_spaces.sql"));
        conn.execute_batch(
            "UPDATE accounts SET name = 'Acme\u{A0}Ltd', name_key = 'acme\u{A0}ltd'
              WHERE name = 'Acme Two'",
        )
        .unwrap();
    }
    let status = p.ok(&["status"]);
    support::says(
        &status,
        "name: account `Acme\\u{a0}Ltd` reads as `Acme Ltd` too",
    );
    assert_eq!(
        p.text("SELECT name_key FROM accounts WHERE name = 'Acme\u{A0}Ltd'"),
        "acme ltd"
    );
}

/// A5: a backquote in a name would close the backquotes a message puts
/// around it, and what follows would read as the message's own advice
/// (a fake "run `portalctl user left-company --yes ...`"): names, text
/// and addresses refuse it (exit 2, written out), and one an older
/// build stored is named by `status`, written out, with its rename.
#[test]
fn a_backquote_is_refused_in_names_and_addresses_and_status_names_an_old_one() {
    let p = Portal::new();
    let fake = "A`; run `portalctl user left-company --yes f@x.test`; or `B";
    for args in [
        vec!["account", "create", "--kind", "customer", "--", fake],
        vec![
            "policy", "create", "--account", ACCOUNT, "--name", fake, "--threshold", "5",
        ],
        vec![
            "user", "invite", "a`b@acme.test", "--account", ACCOUNT, "--role", "user", "--name",
            "A",
        ],
    ] {
        let err = p.refused(&args, support::USAGE);
        assert!(!err.contains("A`") && !err.contains("a`b"), "{err}");
        support::says(&err, "a backquote (U+0060)");
    }
    p.ok(&["account", "create", "Old One", "--kind", "partner"]);
    older_build_wrote(
        &p,
        "UPDATE accounts SET name = 'Old`One', name_key = 'old`one' WHERE name = 'Old One';",
    );
    let status = p.ok(&["status"]);
    support::says(
        &status,
        "name: account `Old\\u{60}One` holds U+0060, a backquote",
    );
    support::says(&status, "`portalctl account set 'Old`One' --name NEW`");
    // Issue 11: the rename is printed to be pasted, so it keeps the
    // backquote, inside single quotes where no POSIX shell reads it, and
    // pasted into `sh` it renames exactly that account.
    let line = status
        .lines()
        .find(|l| l.contains("Old\\u{60}One"))
        .unwrap();
    let pasted = (line.split_once("rename it: `").unwrap().1)
        .strip_suffix('`')
        .unwrap()
        .replace("--name NEW", "--name Renamed");
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_portalctl"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let plain = p.command(&[], &[]);
    let out = std::process::Command::new("sh")
        .args(["-c", &pasted])
        .envs(plain.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{pasted}: {out:?}");
    assert_eq!(
        p.text("SELECT group_concat(name, '|') FROM (SELECT name FROM accounts ORDER BY id)"),
        "Acme Ltd|Renamed"
    );
}

/// `Соре` written all in Cyrillic.
const COPE: &str = "\u{421}\u{43e}\u{440}\u{435}";

/// A whole word in other letters that looks like a name held (a partner
/// account imitating a customer, so an operator picks the wrong one from
/// a list) is refused as a conflict (exit 4), one line naming the name it
/// imitates, nothing written; to a member who may not see that account,
/// only as not available. A name of its own in Cyrillic stays allowed.
#[test]
fn a_name_that_looks_like_one_held_in_other_letters_is_refused() {
    let p = Portal::new();
    p.ok(&["account", "create", "Cope", "--kind", "partner"]);
    let err = p.refused(&["account", "create", COPE, "--kind", "partner"], CONFLICT);
    assert_eq!(
        support::error_line(&err),
        format!("error: account `{COPE}` looks like the existing account `Cope`")
    );
    let russian = "\u{420}\u{43e}\u{43c}\u{430}\u{448}\u{43a}\u{430}";
    p.ok(&["account", "create", russian, "--kind", "partner"]);
    let err = p.refused(
        &[
            "account", "set", russian, "--name", "\u{421}\u{41e}\u{420}\u{415}",
        ],
        CONFLICT,
    );
    support::says(&err, "looks like the existing account `Cope`");

    p.ok(&[
        "policy", "create", "--account", ACCOUNT, "--name", "TOP", "--threshold", "5",
    ]);
    let err = p.refused(
        &[
            "policy", "create", "--account", ACCOUNT, "--name", "\u{422}\u{41e}\u{420}",
            "--threshold", "6",
        ],
        CONFLICT,
    );
    support::says(&err, "looks like the existing policy `TOP`");
    let label = |label: &str| {
        [
            "account", "address", "add", "--account", ACCOUNT, "--label", label, "--line1", "a",
            "--city", "b", "--postcode", "c", "--country", "GB",
        ]
        .map(String::from)
    };
    let args = label("PAN");
    p.ok(&args.each_ref().map(String::as_str));
    let args = label("\u{3a1}\u{391}\u{39d}");
    let err = p.refused(&args.each_ref().map(String::as_str), CONFLICT);
    support::says(&err, "looks like the existing address label `PAN`");

    let file = format!(r#"{{"accounts": [{{"name": "{COPE}", "kind": "partner"}}]}}"#);
    let accounts = p.text("SELECT count(*) FROM accounts");
    let run = p.apply_stdin(&["--no-send"], &[], &file);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    support::says(&run.stderr, "looks like the existing account `Cope`");
    assert_eq!(p.text("SELECT count(*) FROM accounts"), accounts);

    // A partner's member creating a customer is not told of an account
    // they cannot see.
    p.ok(&["account", "create", "Fjord", "--kind", "partner"]);
    p.member_in("pat@fjord.test", "admin", "Fjord");
    let err = p.refused_as(
        Some("pat@fjord.test"),
        &[
            "account", "create", COPE, "--kind", "customer", "--parent", "Fjord",
        ],
        CONFLICT,
    );
    assert_eq!(
        support::error_line(&err),
        format!("error: the account name `{COPE}` is not available")
    );
}

/// Two look-alikes an older build let in both stay and work; migration
/// 28 gives them their skeletons at open, and `status` names each with
/// the command that renames it.
#[test]
fn status_names_two_look_alikes_an_older_build_let_in() {
    let p = Portal::new();
    p.ok(&["account", "create", "Cope", "--kind", "partner"]);
    p.ok(&["account", "create", "Old One", "--kind", "partner"]);
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        support::rewind(&conn, support::version_before("0028_name_skeletons.sql"));
        conn.execute(
            "UPDATE accounts SET name = ?1, name_key = lower(?1) WHERE name = 'Old One'",
            [COPE],
        )
        .unwrap();
    }
    let status = p.ok(&["status"]);
    support::says(
        &status,
        &format!("name: account `{COPE}` looks like `Cope`, written in other letters"),
    );
    support::says(
        &status,
        &format!("name: account `Cope` looks like `{COPE}`, written in other letters"),
    );
    support::says(
        &status,
        &format!("`portalctl account set '{COPE}' --name NEW`"),
    );
    assert_eq!(
        p.text("SELECT count(DISTINCT name_skeleton) FROM accounts WHERE name IN ('Cope', 'Соре')"),
        "1"
    );
    p.ok(&["account", "set", COPE, "--name", "Kope"]);
    let status = p.ok(&["status"]);
    assert!(!status.contains("looks like"), "{status}");
}

/// A5 for a name an older build stored: every refusal that names it,
/// typed or read from the database, writes its backquotes out
/// (`\u{60}`), so none of its text reads as a command of the message's
/// own, in the error line, the help line or `--json`.
#[test]
fn a_backquote_an_older_build_stored_is_written_out_in_every_refusal() {
    let p = Portal::new();
    let fake = "A`; run `portalctl user left-company --yes f@x.test`; or `B";
    p.ok(&["account", "create", "Old One", "--kind", "partner"]);
    older_build_wrote(
        &p,
        &format!(
            "UPDATE accounts SET name = '{fake}', name_key = lower('{fake}') WHERE name = 'Old One';"
        ),
    );
    p.member("dee@acme.test", "admin");
    p.member_in("dee@acme.test", "admin", fake);
    p.member("una@acme.test", "user");
    let refusals = [
        (
            None,
            vec!["account", "create", "--kind", "partner", "--", fake],
            support::USAGE,
        ),
        (None, vec!["user", "show", "dee@acme.test"], support::USAGE),
        (
            None,
            vec!["user", "set-role", "dee@acme.test", "user"],
            support::USAGE,
        ),
        (
            None,
            vec![
                "user", "set-role", "dee@acme.test", "user", "--account", fake,
            ],
            CONFLICT,
        ),
        (
            Some("una@acme.test"),
            vec!["user", "list", "--account", fake],
            support::DENIED,
        ),
    ];
    for (who, args, code) in refusals {
        let err = p.refused_as(who, &args, code);
        assert!(!err.contains(fake) && !err.contains("`;"), "{err}");
        support::says(&err, "A\\u{60}; run \\u{60}portalctl");
        let json = [&["--json"], args.as_slice()].concat();
        let run = p.run_as(who, &json);
        assert_eq!(run.code, code, "{}", run.stderr);
        assert!(run.stderr.starts_with("{\"error\""), "{}", run.stderr);
        assert!(!run.stderr.contains("`;"), "{}", run.stderr);
    }
    // A warning too.
    p.ok(&[
        "policy", "create", "--account", fake, "--name", "Big", "--threshold", "5", "--order-type",
        "hardware",
    ]);
    let done = p.run_as(
        Some("dee@acme.test"),
        &[
            "order", "place", "--account", fake, "--description", "Desk", "--amount", "10",
            "--order-type", "software",
        ],
    );
    assert_eq!(done.code, 0, "{}", done.stderr);
    support::says(&done.stderr, "warning: no policy of `A\\u{60}; run");
    assert!(!done.stderr.contains("`;"), "{}", done.stderr);
}

/// Every stored text a copy refuses, as an older build could have left
/// it: `status` names it with what fixes it, and `export | apply` is
/// indeed refused for it, so the two cannot drift apart.
#[test]
fn status_names_every_stored_text_a_copy_refuses() {
    let setup = |base: &Portal| {
        for args in [
            &["cost-centre", "create", "CC1", "--name", "Cost One"][..],
            &["service", "add", "--name", "Svc One", "--kind", "broadband"],
            &[
                "role", "create", "custom-one", "--capabilities", "portal.access", "--description",
                "Desc one", "--account", ACCOUNT,
            ],
            &[
                "account", "address", "add", "--label", "HQ", "--line1", "Line one", "--line2",
                "Line two", "--city", "Leeds", "--postcode", "LS1", "--country", "GB",
            ],
            &[
                "account", "set", ACCOUNT, "--phone", "123", "--website", "w.test", "--marketing",
                "Mk one", "--sectors", "Sec one",
            ],
        ] {
            base.ok(args);
        }
        base.member("ann@acme.test", "user");
    };
    let cases = [
        (
            "people SET email = 'a`nn@acme.test' WHERE email = 'ann@acme.test'",
            "text: email address `a\\u{60}nn@acme.test` holds U+0060",
            "no command changes an email address refused as typed",
        ),
        (
            "cost_centres SET name = 'Cost`One'",
            "name: cost centre name `Cost\\u{60}One` in `Acme Ltd` holds U+0060",
            "`portalctl cost-centre rename CC1 --account 'Acme Ltd' --name NEW`",
        ),
        (
            "cost_centres SET code = 'CC 1'",
            "text: cost centre code `CC 1` in `Acme Ltd` is not a cost centre code",
            "no command changes a cost centre's code",
        ),
        (
            "services SET name = 'Svc`One'",
            "name: service name `Svc\\u{60}One` in `Acme Ltd` holds U+0060",
            "no command changes a service's name or kind",
        ),
        (
            "services SET kind = 'broad`band'",
            "text: service kind `broad\\u{60}band` of `Svc One` in `Acme Ltd` holds U+0060",
            "no command changes a service's name or kind",
        ),
        (
            "roles SET name = 'custom`one' WHERE name = 'custom-one'",
            "name: role `custom\\u{60}one` in `Acme Ltd` holds U+0060",
            "no command changes a role's name or description",
        ),
        (
            "roles SET description = 'De`sc' WHERE name = 'custom-one'",
            "text: description `De\\u{60}sc` of `custom-one` in `Acme Ltd` holds U+0060",
            "no command changes a role's name or description",
        ),
        (
            "addresses SET line1 = 'Line`one'",
            "text: first line `Line\\u{60}one` of address `HQ` in `Acme Ltd` holds U+0060",
            "`portalctl account address remove HQ --account 'Acme Ltd'`",
        ),
        (
            "addresses SET line2 = 'Line`two'",
            "text: second line `Line\\u{60}two` of address `HQ`",
            "and add it again",
        ),
        (
            "addresses SET city = 'Le`eds'",
            "text: city `Le\\u{60}eds` of address `HQ`",
            "and add it again",
        ),
        (
            "addresses SET postcode = 'LS`1'",
            "text: postcode `LS\\u{60}1` of address `HQ`",
            "and add it again",
        ),
        (
            "accounts SET phone = '1`23'",
            "text: phone `1\\u{60}23` of `Acme Ltd` holds U+0060",
            "change it: `portalctl account set 'Acme Ltd' --phone NEW`",
        ),
        (
            "accounts SET website = 'w`.test'",
            "text: website `w\\u{60}.test` of `Acme Ltd`",
            "--website NEW`",
        ),
        (
            "accounts SET marketing = 'Mk`one'",
            "text: marketing message `Mk\\u{60}one` of `Acme Ltd`",
            "--marketing NEW`",
        ),
        (
            "accounts SET sectors = 'Sec`one'",
            "text: sectors `Sec\\u{60}one` of `Acme Ltd`",
            "--sectors NEW`",
        ),
    ];
    for (update, problem, fix) in cases {
        let p = Portal::new();
        setup(&p);
        assert_eq!(copied(&p).code, 0, "the copy goes through before {update}");
        older_build_wrote(&p, &format!("UPDATE {update};"));
        let status = p.ok(&["status"]);
        let line = status
            .lines()
            .find(|l| l.contains(problem))
            .unwrap_or_else(|| panic!("{update}: expected {problem:?} in {status}"));
        support::says(line, fix);
        let copy = copied(&p);
        assert_eq!(copy.code, support::USAGE, "{update}: {}", copy.stderr);
    }
}

/// A copy of a database holding an account name with a word mixing
/// scripts is refused at that name, the first account's too, and its
/// help says why and where to rename it (`status`), as `status` does.
#[test]
fn a_copy_refusing_a_mixed_script_name_says_why_and_points_to_status() {
    for first in [true, false] {
        let p = Portal::new();
        p.ok(&["account", "create", "Fab Two", "--kind", "partner"]);
        let which = if first { ACCOUNT } else { "Fab Two" };
        older_build_wrote(
            &p,
            &format!(
                "UPDATE accounts SET name = 'Fabr\u{456}kam', name_key = 'fabr\u{456}kam'
                  WHERE name = '{which}';"
            ),
        );
        support::says(
            &p.ok(&["status"]),
            "name: account `Fabr\u{456}kam` mixes Latin and Cyrillic letters in a word",
        );
        let copy = copied(&p);
        assert_eq!(copy.code, support::USAGE, "{}", copy.stderr);
        support::says(
            &copy.stderr,
            "].name: the account name `Fabr\u{456}kam` mixes",
        );
        let help = copy
            .stderr
            .lines()
            .find(|l| l.starts_with("help: "))
            .unwrap_or_default();
        support::says(
            help,
            "a word mixing scripts (`Fabr\u{456}kam`, Cyrillic `\u{456}`, as `Fabrikam`) or a letter no name is written with",
        );
        support::says(help, "run `portalctl status` there");
    }
}

/// A7: an address that reads as a person's, or names their very mailbox,
/// is no new person: a word mixing scripts or a compatibility letter is
/// refused (exit 2), a quoted local part that needs no quotes and a
/// domain in its other IDNA spelling are the person already here, and a
/// whole word in other letters that look the same is a look-alike
/// (exit 4). Nothing is stored for any of them.
#[test]
fn addresses_that_read_as_a_person_here_are_no_new_person() {
    let p = Portal::new();
    p.member("olive@acme.test", "user");
    p.invite("\u{e9}lodie@acm\u{e9}.test", "user", ACCOUNT);
    let people = p.text("SELECT count(*) FROM people");
    let invite = |email: &str| -> Vec<String> {
        [
            "user", "invite", "--email", email, "--role", "user", "--no-send",
        ]
        .map(String::from)
        .to_vec()
    };
    for (email, code, says) in [
        (
            "olive@\u{430}cme.test",
            support::USAGE,
            "mixes Cyrillic and Latin letters in `\u{430}cme`",
        ),
        (
            "ol\u{456}ve@acme.test",
            support::USAGE,
            "mixes Latin and Cyrillic letters",
        ),
        (
            "olive@xn--cme-5cd.test",
            support::USAGE,
            "mixes Cyrillic and Latin letters",
        ),
        (
            "\u{fb01}ona@acme.test",
            support::USAGE,
            "a compatibility form of `fi`",
        ),
        (
            "\u{ff4f}live@acme.test",
            support::USAGE,
            "a compatibility form of `o`",
        ),
        (
            "\u{1d5c8}live@acme.test",
            support::USAGE,
            "a compatibility form of `o`",
        ),
        (
            "\"olive\"@acme.test",
            CONFLICT,
            "`olive@acme.test` is already a member",
        ),
        (
            "\u{e9}lodie@xn--acm-dma.test",
            CONFLICT,
            "`\u{e9}lodie@acm\u{e9}.test` is already a member",
        ),
        (
            "\u{43e}\u{4cf}\u{456}\u{475}\u{435}@acme.test",
            support::USAGE,
            "reads as `olive@acme.test`, written in other letters",
        ),
    ] {
        let args = invite(email);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let stderr = p.refused(&args, code);
        support::says(&stderr, says);
    }
    assert_eq!(p.text("SELECT count(*) FROM people"), people);
    // Addresses in one other script each stay people of their own.
    p.invite("\u{438}\u{432}\u{430}\u{43d}@acme.test", "user", ACCOUNT);
    p.invite(
        "ivan@\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}",
        "user",
        ACCOUNT,
    );
}

/// A7 for addresses an older build stored: migration 30 gives each
/// person the skeleton of their address, and `status` names an address a
/// copy would now refuse, as mixing scripts or as a look-alike.
#[test]
fn status_names_addresses_a_copy_would_now_refuse() {
    let p = Portal::new();
    p.member("olive@acme.test", "user");
    p.member("old@acme.test", "user");
    p.member("older@acme.test", "user");
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        support::rewind(&conn, support::version_before("0030_email_skeletons.sql"));
        conn.execute_batch(
            "UPDATE people SET email = 'olive@\u{430}cme.test' WHERE email = 'old@acme.test';
             UPDATE people SET email = '\u{43e}\u{4cf}\u{456}\u{475}\u{435}@acme.test'
                 WHERE email = 'older@acme.test';",
        )
        .unwrap();
    }
    let status = p.ok(&["status"]);
    support::says(
        &status,
        "`olive@\u{430}cme.test` is not a valid email address",
    );
    support::says(
        &status,
        "`\u{43e}\u{4cf}\u{456}\u{475}\u{435}@acme.test` is not a valid email address: it reads as `olive@acme.test`, written in other letters",
    );
}

/// N6: a value read from an `apply` file is quoted as a typed argument
/// is, its backquotes written out (`\u{60}`), whether the file writes the
/// backquote itself or as a JSON escape.
#[test]
fn a_backquote_read_from_an_apply_file_is_written_out_in_its_refusal() {
    let p = Portal::new();
    for role in ["a`dmin", "a\\u0060dmin"] {
        let file = format!(
            r#"{{"accounts":[{{"name":"{ACCOUNT}","users":[{{"email":"una@acme.test","role":"{role}","status":"active"}}]}}]}}"#
        );
        let run = p.apply_stdin(&["--dry-run"], &[], &file);
        assert_eq!(run.code, support::USAGE, "{}", run.stderr);
        support::says(
            &run.stderr,
            "error: accounts[0].users[0].role: unknown role `a\\u{60}dmin`",
        );
        assert!(!run.stderr.contains("a`dmin"), "{}", run.stderr);
    }
}

/// A help line's command to paste keeps a name an older build stored
/// with a backquote and a quote as the shell reads it back (single
/// quotes, `'\''`), while the rest of the message writes the backquote
/// out: pasted into `sh`, it names that very account. Written out there
/// too (`\u{60}`), it named no row.
#[test]
fn a_help_line_s_command_names_a_backquoted_name_the_shell_way() {
    let p = Portal::new();
    p.ok(&["account", "create", "Old One", "--kind", "customer"]);
    p.ok(&[
        "account", "address", "add", "--account", "Old One", "--label", "Depot", "--line1",
        "1 Road", "--city", "Leeds", "--postcode", "LS1 1AA", "--country", "GB",
    ]);
    let name = "O'Neil`s Co";
    older_build_wrote(
        &p,
        "UPDATE accounts SET name = 'O''Neil`s Co', name_key = 'o''neil`s co' WHERE name = 'Old One';",
    );
    // The upgrade, which the refusal below must not be the one to run.
    p.ok(&["status"]);
    let err = p.refused(
        &["account", "address", "remove", "--account", name, "Nowhere"],
        support::NOT_FOUND,
    );
    support::says(&err, "`O'Neil\\u{60}s Co` has no shipping address");
    let help = err.lines().find(|l| l.starts_with("help: ")).unwrap();
    let pasted = (help.split_once('`').unwrap().1)
        .split_once("` shows them")
        .unwrap()
        .0;
    assert_eq!(
        pasted,
        r"portalctl account address list --account 'O'\''Neil`s Co'"
    );
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_portalctl"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let plain = p.command(&[], &[]);
    let out = std::process::Command::new("sh")
        .args(["-c", pasted])
        .envs(plain.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{pasted}: {out:?}");
    support::says(&String::from_utf8(out.stdout).unwrap(), "Depot");
}
