//! Hostile text: characters that drive a terminal (escape sequences, bells,
//! line breaks, C1 controls) or reorder what it shows (bidirectional
//! overrides and isolates) are refused in every stored free-text field, and
//! whatever gets printed anyway (a database written by other means, an
//! argument that fails to parse) is escaped in tables, errors and clap's
//! own messages.

use crate::support::{error_line, Portal, ACCOUNT, NOT_FOUND, OWNER, SUCCESS, USAGE};

/// Values no stored field may hold, one of each kind.
const HOSTILE: &[&str] = &[
    "\x1b[2J\x1b[31mred", "\x1b]0;pwned\x07", "x\nerror: forged", "x\rerror: forged", "tab\there",
    "del\x7f", "csi\u{9b}31m", "next\u{85}line", "evil\u{202e}txt.exe", "\u{2066}isolate\u{2069}x",
    "embed\u{202a}x", "mark\u{200f}x", "arabic\u{61c}mark", "line\u{2028}break",
];

/// Characters a terminal acts on or reorders text by; only line breaks the
/// program writes itself may appear in what it prints.
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{61c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Asserts that `out` holds nothing a terminal would act on, and no line
/// that pretends to be an error.
#[track_caller]
fn printable(out: &str) {
    let raw: Vec<char> = out.chars().filter(|&c| acts_on_terminal(c)).collect();
    assert!(raw.is_empty(), "raw {raw:?} printed: {out:?}");
    assert!(
        !out.lines()
            .any(|l| l.trim_start().starts_with("error: forged")),
        "a forged line: {out}"
    );
}

/// Asserts a refusal printed one `error:` line (and maybe `help:`), all of
/// it printable.
#[track_caller]
fn one_clean_error(stderr: &str) {
    printable(stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{stderr}"
    );
}

/// Writes `value` into the database behind the binary's back, as an old
/// binary or a hand edit could have: `sql` has one parameter.
fn store_raw(p: &Portal, sql: &str, value: &str) {
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    let changed = conn.execute(sql, [value]).unwrap();
    assert!(changed > 0, "{sql} changed nothing");
}

/// Every command that stores text a user types, with `V` where the value
/// goes, and how the refusal names the field.
const STORED_FIELDS: &[(&[&str], &str)] = &[
    (
        &[
            "role", "create", "r1", "--capabilities", "portal.access", "--description", "V",
        ],
        "--description",
    ),
    (
        &[
            "account", "create", "V", "--kind", "customer", "--parent", ACCOUNT,
        ],
        "the account name",
    ),
    (&["account", "set", "--phone", "V"], "--phone"),
    (&["account", "set", "--website", "V"], "--website"),
    (&["account", "set", "--marketing", "V"], "--marketing"),
    (&["account", "set", "--sectors", "V"], "--sectors"),
    (&["account", "set", "--status", "V"], "--status"),
    (
        &[
            "account", "address", "add", "--label", "V", "--line1", "1 High St", "--city", "Leeds",
            "--postcode", "LS1", "--country", "GB",
        ],
        "--label",
    ),
    (
        &[
            "account", "address", "add", "--label", "HQ", "--line1", "V", "--city", "Leeds",
            "--postcode", "LS1", "--country", "GB",
        ],
        "--line1",
    ),
    (
        &[
            "account", "address", "add", "--label", "HQ", "--line1", "1 High St", "--line2", "V",
            "--city", "Leeds", "--postcode", "LS1", "--country", "GB",
        ],
        "--line2",
    ),
    (
        &[
            "account", "address", "add", "--label", "HQ", "--line1", "1 High St", "--city", "V",
            "--postcode", "LS1", "--country", "GB",
        ],
        "--city",
    ),
    (
        &[
            "account", "address", "add", "--label", "HQ", "--line1", "1 High St", "--city",
            "Leeds", "--postcode", "V", "--country", "GB",
        ],
        "--postcode",
    ),
    (
        &[
            "account", "address", "add", "--label", "HQ", "--line1", "1 High St", "--city",
            "Leeds", "--postcode", "LS1", "--country", "V",
        ],
        "--country",
    ),
    (&["service", "add", "--name", "V"], "--name"),
    (
        &["service", "add", "--name", "Line", "--kind", "V"],
        "--kind",
    ),
    (&["cost-centre", "create", "FIN", "--name", "V"], "--name"),
    (&["cost-centre", "rename", "FIN", "--name", "V"], "--name"),
    (
        &["policy", "create", "--name", "V", "--threshold", "10"],
        "--name",
    ),
    (
        &[
            "policy", "create", "--name", "P", "--threshold", "10", "--order-type", "V",
        ],
        "--order-type",
    ),
    (
        &["order", "place", "--description", "V", "--amount", "10"],
        "--description",
    ),
    (
        &[
            "order", "place", "--description", "Router", "--amount", "10", "--order-type", "V",
        ],
        "--order-type",
    ),
    (
        &[
            "order", "place", "--description", "Router", "--amount", "10", "--ref", "V",
        ],
        "--ref",
    ),
    (&["order", "reject", "1", "--reason", "V"], "--reason"),
    (
        &["license", "purchase", "--product", "V", "--seats", "1"],
        "--product",
    ),
    (
        &[
            "user", "invite", "--email", "new@acme.test", "--name", "V", "--role", "user",
        ],
        "--name",
    ),
    (
        &[
            "user", "invite", "--email", "new@acme.test", "--name", "New", "--role", "user",
            "--city", "V",
        ],
        "--city",
    ),
];

/// `args` with `V` replaced by `value`.
fn with_value<'a>(args: &[&'a str], value: &'a str) -> Vec<&'a str> {
    args.iter()
        .map(|a| if *a == "V" { value } else { a })
        .collect()
}

#[test]
fn every_stored_text_field_refuses_control_and_bidi_characters() {
    let p = Portal::new();
    for (i, (args, what)) in STORED_FIELDS.iter().enumerate() {
        // Each field meets a different kind, the role description every one.
        let samples = if i == 0 {
            HOSTILE.to_vec()
        } else {
            vec![HOSTILE[i % HOSTILE.len()]]
        };
        for value in samples {
            let stderr = p.refused(&with_value(args, value), USAGE);
            one_clean_error(&stderr);
            let line = error_line(&stderr);
            assert!(
                line.starts_with(&format!("error: {what} `")) && line.contains(" contains a"),
                "{args:?} with {value:?}: {stderr}"
            );
        }
    }
}

/// A name that reads as another (a decoy customer `Fabri\u{200B}kam`
/// beside `Fabrikam`) is refused in every stored field; a Persian name's
/// joiners are not.
#[test]
fn every_stored_text_field_refuses_characters_that_show_as_nothing() {
    let p = Portal::new();
    for (args, what) in STORED_FIELDS {
        for value in ["Fabri\u{200B}kam", "Fabri\u{200D}kam", "\u{FEFF}Fabrikam"] {
            let stderr = p.refused(&with_value(args, value), USAGE);
            one_clean_error(&stderr);
            let line = error_line(&stderr);
            assert!(
                line.starts_with(&format!("error: {what} `"))
                    && line.contains(" contains a character that shows as nothing"),
                "{args:?} with {value:?}: {stderr}"
            );
        }
    }
    let persian = "\u{0645}\u{06CC}\u{200C}\u{0634}\u{0648}\u{062F}";
    let made = p.json(&["account", "create", persian, "--kind", "partner"]);
    assert_eq!(made["name"], persian);
}

/// What an email address refuses as showing as nothing or blank, a name
/// and a label refuse too: a decoy `Fabri\u{34F}kam` (a combining
/// grapheme joiner) or `H\u{3164}Q` (a Hangul filler) beside the real one.
#[test]
fn names_and_labels_refuse_what_an_address_refuses_as_invisible() {
    let p = Portal::new();
    let before = p.dump();
    let stderr = p.refused(
        &["account", "create", "Fabri\u{34F}kam", "--kind", "partner"],
        USAGE,
    );
    one_clean_error(&stderr);
    assert_eq!(
        error_line(&stderr),
        "error: the account name `Fabri\\u{34f}kam` contains a character that shows as nothing (U+034F)"
    );
    let stderr = p.refused(
        &[
            "account", "address", "add", "--label", "H\u{3164}Q", "--line1", "1 High St", "--city",
            "Leeds", "--postcode", "LS1", "--country", "GB",
        ],
        USAGE,
    );
    one_clean_error(&stderr);
    assert_eq!(
        error_line(&stderr),
        "error: --label `H\\u{3164}Q` contains a character that shows as blank space (U+3164)"
    );
    assert_eq!(p.dump(), before);
}

#[test]
fn clean_text_is_stored_as_typed_trimmed() {
    let p = Portal::new();
    let v = p.json(&[
        "role",
        "create",
        "r1",
        "--capabilities",
        "portal.access",
        "--description",
        "  Café staff — 50% \"quoted\" \\ שלום  ",
    ]);
    assert_eq!(v["description"], "Café staff — 50% \"quoted\" \\ שלום");
    let v = p.json(&[
        "account", "set", "--phone", "+44 20 7946 0000", "--marketing", "",
    ]);
    assert_eq!(v["phone"], "+44 20 7946 0000");
    assert_eq!(v["marketing"], serde_json::Value::Null);
}

#[test]
fn names_and_emails_refuse_bidi_and_control_characters_too() {
    let p = Portal::new();
    for email in ["\"a\x1b[2J\"@acme.test", "a\u{202e}b@acme.test"] {
        one_clean_error(&p.refused(
            &[
                "user", "invite", "--email", email, "--name", "A", "--role", "user",
            ],
            USAGE,
        ));
    }
    // `init` reads its names in the domain: the same check, worded so.
    let fresh = Portal::empty();
    let evil = "Olive\u{202e}evil";
    for (names, what) in [
        (
            ["--account", "Acme", "--owner-name", evil],
            "the owner's name",
        ),
        (
            ["--account", evil, "--owner-name", "Olive"],
            "the account name",
        ),
    ] {
        let mut args = vec!["init", "--owner-email", OWNER];
        args.extend(names);
        let stderr = fresh.refused(&args, USAGE);
        one_clean_error(&stderr);
        assert!(
            error_line(&stderr).starts_with(&format!("error: {what} `Olive\\u{{202e}}evil`")),
            "{stderr}"
        );
    }
}

#[test]
fn a_preset_file_with_hostile_text_is_refused_naming_its_json_path() {
    let p = Portal::empty();
    let dir = crate::support::scratch_dir();
    for (field, json) in [
        (
            "roles[0].description",
            r#"{"name":"x","title":"X","owner_role":"a","roles":[{"name":"a","all_capabilities":true,"description":"Admin\u001b[2J\nerror: forged"},{"name":"b","blocking":true}]}"#,
        ),
        (
            "courses[0].description",
            r#"{"name":"x","title":"X","owner_role":"a","roles":[{"name":"a","all_capabilities":true},{"name":"b","blocking":true}],"courses":[{"name":"Intro","description":"evil\u202etxt"}]}"#,
        ),
        (
            "title",
            r#"{"name":"x","title":"X\u0007","owner_role":"a","roles":[{"name":"a","all_capabilities":true},{"name":"b","blocking":true}]}"#,
        ),
    ] {
        let file = dir.path().join("preset.json");
        std::fs::write(&file, json).unwrap();
        let stderr = p.refused(
            &[
                "init",
                "--preset-file",
                file.to_str().unwrap(),
                "--account",
                "Acme",
                "--owner-email",
                OWNER,
            ],
            USAGE,
        );
        one_clean_error(&stderr);
        assert!(
            error_line(&stderr).contains(&format!("{field}: the text `")),
            "{stderr}"
        );
    }
}

/// What an old database might hold: a screen clear, a colour, a title, a
/// bell, a forged error line, a right-to-left override.
const STORED: &str = "Admin\x1b[2J\x1b[31m\x1b]0;pwned\x07\nerror: forged\u{202e}gnp.exe";
/// How tables print it.
const ESCAPED: &str =
    "Admin\\u{1b}[2J\\u{1b}[31m\\u{1b}]0;pwned\\u{7}\\nerror: forged\\u{202e}gnp.exe";

#[test]
fn tables_escape_what_the_database_holds() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    p.ok(&[
        "account", "address", "add", "--label", "HQ", "--line1", "1 High St", "--city", "Leeds",
        "--postcode", "LS1 1AA", "--country", "GB",
    ]);
    store_raw(
        &p,
        "UPDATE roles SET description = ?1 WHERE name = 'user'",
        STORED,
    );
    store_raw(&p, "UPDATE accounts SET phone = ?1, marketing = ?1", STORED);
    store_raw(
        &p,
        "UPDATE people SET name = ?1 WHERE email = 'una@acme.test'",
        STORED,
    );
    store_raw(&p, "UPDATE addresses SET label = ?1, line1 = ?1", STORED);

    for args in [
        &["role", "list"][..],
        &["role", "show", "user"],
        &["account", "show"],
        &["account", "address", "list"],
        &["user", "list"],
        &["user", "show", "una@acme.test"],
    ] {
        let out = p.ok(args);
        printable(&out);
        assert!(
            out.contains(ESCAPED),
            "{args:?} should show {ESCAPED}: {out}"
        );
    }
    // A change prints its result the same way.
    let out = p.ok(&["account", "set", "--website", "acme.test"]);
    printable(&out);
    assert!(out.contains(ESCAPED), "{out}");
}

#[test]
fn json_keeps_the_value_and_escapes_what_serde_leaves_raw() {
    let p = Portal::new();
    store_raw(
        &p,
        "UPDATE roles SET description = ?1 WHERE name = 'user'",
        STORED,
    );
    store_raw(
        &p,
        "UPDATE accounts SET marketing = ?1",
        "csi\u{9b}2J del\x7f",
    );
    let run = p.run(&["--json", "role", "show", "user"]);
    printable(&run.stdout);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["description"], STORED, "a program reads the value itself");
    assert!(run.stdout.contains("\\u202e"), "{}", run.stdout);
    let run = p.run(&["--json", "account", "show"]);
    printable(&run.stdout);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["marketing"], "csi\u{9b}2J del\x7f");
}

#[test]
fn errors_escape_what_they_echo() {
    let p = Portal::new();
    // An argument naming nothing, echoed back.
    let stderr = p.refused(&["account", "show", "\x1b]0;title\x07"], NOT_FOUND);
    one_clean_error(&stderr);
    assert_eq!(
        error_line(&stderr),
        "error: no account `\\u{1b}]0;title\\u{7}`"
    );
    // An argument refused while parsing, and the environment.
    one_clean_error(&p.refused(&["--as", "\x1b[31m", "user", "list"], USAGE));
    one_clean_error(&p.refused(&["user", "show", "x\nerror: forged@acme.test"], USAGE));
    one_clean_error(&p.refused_with(
        &["user", "list"],
        &[("PORTALCTL_NOW", "\x1b[2J\nerror: forged")],
        USAGE,
    ));
    // A stored name the message quotes: the only account, renamed.
    store_raw(&p, "UPDATE accounts SET name = ?1", STORED);
    let stderr = p.refused(&["cost-centre", "rename", "NOPE", "--name", "X"], NOT_FOUND);
    one_clean_error(&stderr);
    assert!(stderr.contains(ESCAPED), "{stderr}");
}

#[test]
fn clap_errors_escape_the_arguments_they_echo() {
    let p = Portal::new();
    for args in [
        &["x\nerror: forged"][..],
        &["user", "fr\x1b[31mob"],
        &["user", "x\nerror: forged"],
        &["--fo\x1b]0;t\x07o", "user", "list"],
        &["audit", "list", "--limit", "\x1b]0;t\x07"],
        &["order", "show", "1\u{202e}"],
        &["completions", "ba\x1bsh"],
    ] {
        let stderr = p.refused(args, USAGE);
        one_clean_error(&stderr);
    }
    let stderr = p.refused(&["user", "x\nerror: forged"], USAGE);
    assert_eq!(
        error_line(&stderr),
        "error: unrecognized subcommand 'x\\nerror: forged'"
    );
    // With colour forced, clap styles its message with escape sequences of
    // its own; the user's are still escaped.
    let run = p.run_with(&["user", "fr\x1b[31mob"], &[("CLICOLOR_FORCE", "1")]);
    assert_eq!(run.code, USAGE);
    assert!(!run.stderr.contains("fr\x1b[31mob"), "{:?}", run.stderr);
    assert!(run.stderr.contains("fr\\u{1b}[31mob"), "{:?}", run.stderr);
}

/// A value its parser refuses keeps the parser's reason when clap's
/// message is rebuilt to escape the value: the reason says what to fix.
#[test]
fn a_refused_value_holding_a_control_character_keeps_its_reason() {
    let p = Portal::new();
    for (args, line) in [
        (
            &["user", "list", "--account", "\t"][..],
            "error: invalid value '\\t' for '--account <ACCOUNT>': an account is named by more than blanks",
        ),
        (
            &["user", "list", "--limit", "x\ty"],
            "error: invalid value 'x\\ty' for '--limit <COUNT>': invalid digit found in string",
        ),
    ] {
        let stderr = p.refused(args, USAGE);
        one_clean_error(&stderr);
        assert_eq!(error_line(&stderr), line, "{stderr}");
        assert!(stderr.contains("For more information, try '--help'."), "{stderr}");
    }
    // With colour forced, the value is still escaped and the reason kept.
    let run = p.run_with(
        &["user", "list", "--limit", "\x1b]0;t\x07"],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert_eq!(run.code, USAGE);
    assert!(!run.stderr.contains("\x1b]0;t"), "{:?}", run.stderr);
    assert!(
        run.stderr
            .contains("'\\u{1b}]0;t\\u{7}' for '--limit <COUNT>': invalid digit found in string"),
        "{:?}",
        run.stderr
    );
}

/// An address holding a character that shows as nothing reads as another
/// person's login (`olive@acme.test`): refused by hand and in a file.
#[test]
fn an_address_with_an_invisible_character_is_refused() {
    let p = Portal::new();
    let before = p.dump();
    let look_alike = "olive\u{200b}@acme.test";
    // The character is written out, or the quoted address would read as
    // the valid one.
    for (address, said) in [
        (look_alike, "`olive\\u{200b}@acme.test` is not a valid email address: it holds a character that shows as nothing (U+200B)"),
        ("olive\u{115f}@acme.test", "`olive\\u{115f}@acme.test` is not a valid email address: it holds a character that shows as blank space (U+115F)"),
        ("olive\u{a0}@acme.test", "`olive\\u{a0}@acme.test` is not a valid email address: it holds a character that shows as blank space (U+00A0)"),
    ] {
        let stderr = p.refused(
            &["user", "invite", address, "--role", "admin", "--no-send"],
            USAGE,
        );
        one_clean_error(&stderr);
        assert!(error_line(&stderr).contains(said), "{stderr}");
    }
    let dir = crate::support::scratch_dir();
    let file = dir.path().join("f.json");
    let fixture = serde_json::json!({"accounts": [{"name": ACCOUNT, "users": [
        {"email": look_alike, "role": "admin", "status": "active"}
    ]}]});
    std::fs::write(&file, fixture.to_string()).unwrap();
    let stderr = p.refused(&["apply", file.to_str().unwrap()], USAGE);
    one_clean_error(&stderr);
    assert!(
        error_line(&stderr).contains("accounts[0].users[0].email"),
        "{stderr}"
    );
    assert_eq!(p.dump(), before, "nothing changed");
}

/// A word mixing Latin with Cyrillic or Greek letters reads as another
/// name (`Fabrіkam` with a Cyrillic `і` beside `Fabrikam`): refused for
/// an account, a policy and an address label; a word in one script, or
/// words in several, are names.
#[test]
fn a_name_word_mixing_scripts_is_refused() {
    let p = Portal::with_preset("lmp");
    let before = p.dump();
    let look_alike = "Fabr\u{456}kam";
    let err = p.refused(&["account", "set", "--name", look_alike], USAGE);
    one_clean_error(&err);
    assert_eq!(
        error_line(&err),
        "error: the account name `Fabr\u{456}kam` mixes Latin and Cyrillic letters in `Fabr\u{456}kam`, and so reads as another name"
    );
    let err = p.refused(
        &[
            "policy", "create", "--name", "Big \u{39f}rders", "--threshold", "50",
        ],
        USAGE,
    );
    assert!(
        error_line(&err).contains("mixes Greek and Latin letters"),
        "{err}"
    );
    let err = p.refused(
        &[
            "account", "address", "add", ACCOUNT, "--label", "Dep\u{43e}t", "--line1",
            "1 High Street", "--city", "London", "--postcode", "EC1A 1BB", "--country", "GB",
        ],
        USAGE,
    );
    assert!(
        error_line(&err).contains("the label `Dep\u{43e}t` mixes"),
        "{err}"
    );
    assert_eq!(p.dump(), before);
    p.ok(&[
        "account",
        "set",
        "--name",
        "Acme \u{420}\u{43e}\u{441}\u{441}\u{438}\u{44f}",
    ]);
}

/// Every path through the binary that names a policy refuses a word
/// mixing scripts, the operator's `apply` too (finding N1), and writes
/// nothing; a policy an older database holds so is named by `status`,
/// and its own export still applies to it.
#[test]
fn every_path_that_names_a_policy_refuses_a_word_mixing_scripts() {
    let p = Portal::with_preset("lmp");
    p.ok(&[
        "policy", "create", "--name", "Finance approval", "--threshold", "50",
    ]);
    let before = p.dump();
    let decoy = "Fin\u{430}nce approval";
    let dir = crate::support::scratch_dir();
    let file = dir.path().join("decoy.json");
    let fixture = serde_json::json!({"accounts": [{"name": ACCOUNT, "policies": [
        {"name": decoy, "threshold": "5.00"}
    ]}]});
    std::fs::write(&file, fixture.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let paths: [(Option<&str>, &[&str]); 4] = [
        (
            None,
            &["policy", "create", "--name", decoy, "--threshold", "5"],
        ),
        (
            None,
            &["policy", "edit", "Finance approval", "--name", decoy],
        ),
        (None, &["apply", file, "--no-send"]),
        (Some(OWNER), &["apply", file, "--no-send"]),
    ];
    for (who, args) in paths {
        let err = p.refused_as(who, args, USAGE);
        one_clean_error(&err);
        assert!(
            error_line(&err).contains(
                "the policy name `Fin\u{430}nce approval` mixes Latin and Cyrillic letters"
            ),
            "{args:?}: {err}"
        );
        assert_eq!(p.dump(), before, "{args:?} wrote nothing");
    }
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        conn.execute(
            "UPDATE policies SET name = ?1, name_key = lower(?1) WHERE name = 'Finance approval'",
            [decoy],
        )
        .unwrap();
    }
    let status = p.ok(&["status"]);
    crate::support::says(
        &status,
        &format!(
            "name: policy `{decoy}` in `{ACCOUNT}` mixes Latin and Cyrillic letters in a word"
        ),
    );
    let exported = p.ok(&["export"]);
    let run = p.apply_stdin(&["--no-send"], &[], &exported);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
}

/// Finding N11: a 100,000-character value given to any argument a
/// refusal quotes comes back as one short `error:` line (and a short help
/// line), whichever check refuses it: the domain's, a value parser's, or
/// clap's.
#[test]
fn a_very_long_argument_is_refused_in_a_short_line() {
    let p = Portal::cached("apply examples/demo.json", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
        ]);
        p
    });
    let long = "a".repeat(100_000);
    let address = format!("{long}@acme.test");
    let cases: &[&[&str]] = &[
        &["user", "invite", &address, "--role", "user", "--no-send"],
        &["user", "show", &long],
        &["user", "show", &address],
        &["audit", "list", "--since", &long],
        &["user", "list", "--status", &long],
        &["user", "list", "--limit", &long],
        &["user", "list", "--account", &long],
        &["user", "set-role", "una@acme.test", &long],
        &["order", "place", "--amount", &long, "--description", "x"],
        &["order", "show", &long],
        &["account", "show", &long],
        &["license", "list", "--account", &long],
        &["can", &address, "account.view"],
        &["can", "una@acme.test", &long],
        &["role", "show", &long],
        &["settings", "set", "mail-from", &long],
        &["completions", &long],
    ];
    for args in cases {
        let args: Vec<&str> = ["--as", "olive@acme.test"]
            .iter()
            .copied()
            .chain(args.iter().copied())
            .collect();
        let run = p.run(&args);
        assert_ne!(run.code, SUCCESS, "{:?}", &args[2..4]);
        assert!(
            run.stderr.len() < 2_000,
            "{:?}: {} bytes: {}",
            &args[2..4],
            run.stderr.len(),
            &run.stderr[..300]
        );
    }
    let stderr = p.refused(&["user", "list", "--status", &long], USAGE);
    assert_eq!(
        error_line(&stderr),
        format!(
            "error: unknown status `{}…` (100000 characters)",
            "a".repeat(60)
        )
    );
    let stderr = p.refused(&["user", "invite", &address, "--no-send"], USAGE);
    assert_eq!(
        error_line(&stderr),
        "error: an email address is at most 254 characters, and this one is 100010"
    );
}
