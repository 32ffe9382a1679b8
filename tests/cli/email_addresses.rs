//! One rule for an email address, wherever one is taken (an invitation,
//! a new address, a billing contact, a setting, a file's `apply`), that
//! reads nothing the database holds: findings A6, A7, A8, A11, A14, N7,
//! N9 and N10 of round 9; B4, B9, B10 and F5 of round 10.

use crate::support::{self, Portal, ACCOUNT, OWNER, USAGE};

/// `olıve@acme.test` with a dotless `ı`: reads as the owner's address.
const DOTLESS: &str = "ol\u{131}ve@acme.test";

/// Addresses every command refuses (exit 2), with what the refusal says.
const REFUSED: [(&str, &str); 18] = [
    (DOTLESS, "reads as `olive@acme.test`"),
    (
        "\u{43e}\u{4cf}\u{456}\u{475}\u{435}@acme.test",
        "reads as `olive@acme.test`",
    ),
    ("\"a@b\"@acme.test", "needs quotes"),
    ("\"a,b\"@acme.test", "needs quotes"),
    ("x@xn--istanbul-o0e.test", "reads as `x@istanbul.test`"),
    ("x@\u{130}stanbul.test", "reads as `x@istanbul.test`"),
    (
        "ol\u{131}ve@acm\u{e9}.test",
        "reads as `olive@acm\u{e9}.test`",
    ),
    // Turkish dotless `ı` in a word of otherwise plain letters reads as
    // `i`; Cyrillic capitals `АСМЕ`, as typed, as `ACME`.
    ("\u{131}lker@firma.test", "reads as `ilker@firma.test`"),
    (
        "olive@\u{410}\u{421}\u{41c}\u{415}.test",
        "reads as `olive@acme.test`",
    ),
    // A small capital, refused in names too, and capitals of other
    // scripts that read as Latin ones (finding B4).
    ("\u{1d0d}ax@acme.test", "a phonetic or technical letter"),
    (
        "\u{13de}\u{13ac}\u{13be}@acme.test",
        "reads as `leo@acme.test`",
    ),
    (
        "\u{a4e1}\u{a4f0}\u{a4f3}@acme.test",
        "reads as `leo@acme.test`",
    ),
    // Dot-like marks for the domain's dot (finding B9), domains that are
    // no host name and IP addresses, which the mailer cannot send to
    // (findings B10, F5).
    ("olive@acme\u{2027}test", "its domain holds `\u{2027}`"),
    ("olive@acme\u{b7}test", "its domain holds `\u{b7}`"),
    ("x@a/b.test", "its domain holds `/`"),
    ("x@a_b.test", "its domain holds `_`"),
    ("x@[::1]", "its domain is an IP address"),
    ("x@[127.0.0.1]", "its domain is an IP address"),
];

/// Every way an address is taken, for `address`.
fn commands(address: &str) -> Vec<Vec<String>> {
    let file = serde_json::json!({"accounts": [{"name": ACCOUNT, "users": [
        {"email": address, "name": "P", "role": "user", "status": "invited"}]}]});
    let file = file.to_string();
    [
        vec![
            "user", "invite", "--email", address, "--role", "user", "--no-send",
        ],
        vec![
            "user", "edit", "una@acme.test", "--new-email", address, "--yes",
        ],
        vec!["account", "set", ACCOUNT, "--billing-contact", address],
        vec!["settings", "set", "support-email", address],
        vec!["settings", "set", "mail-from", address],
        vec!["apply", "-", "--no-send", "--dry-run"],
        vec!["apply", "-", "--no-send"],
    ]
    .into_iter()
    .map(|args| {
        let mut args: Vec<String> = args.into_iter().map(String::from).collect();
        if args[0] == "apply" {
            args.push(file.clone());
        }
        args
    })
    .collect()
}

/// Runs `args` (an `apply -` carries its file last) and returns the exit
/// code and stderr.
fn answer(p: &Portal, act_as: Option<&str>, args: &[String]) -> (i32, String) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if args[0] == "apply" {
        let (file, args) = args.split_last().unwrap();
        let env: Vec<(&str, &str)> = act_as.map(|w| ("PORTALCTL_AS", w)).into_iter().collect();
        let run = p.apply_stdin(&args[2..], &env, file);
        return (run.code, run.stderr);
    }
    let run = p.run_as(act_as, &args);
    (run.code, run.stderr)
}

/// Each refused address is refused by every command alike (exit 2, one
/// `error:` line naming what was typed), changing nothing: no command
/// takes an address another refuses, and none fails inside its write.
#[test]
fn every_command_refuses_the_same_addresses_alike() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    let before = p.dump();
    for (address, says) in REFUSED {
        for args in commands(address) {
            let (code, stderr) = answer(&p, None, &args);
            assert_eq!(code, USAGE, "{args:?}: {stderr}");
            let error = support::error_line(&stderr);
            support::says(error, says);
            support::says(error, &format!("`{address}` is not a valid email address"));
            assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
            assert!(!stderr.contains("database"), "{stderr}");
        }
    }
    assert_eq!(p.dump(), before);
}

/// The look-alike refusal reads the same whether the address it reads as
/// is someone's or no one's (finding A7): a member learns nothing of who
/// holds a login elsewhere, through a command or a dry run.
#[test]
fn a_look_alike_is_refused_alike_whether_or_not_its_ascii_address_is_anyones() {
    let p = Portal::new();
    p.ok(&["account", "create", "Contoso", "--kind", "customer"]);
    p.member_in("carl@contoso.test", "admin", "Contoso");
    p.member_in("cleo@contoso.test", "user", "Contoso");
    let carl = Some("carl@contoso.test");
    for (held, nobody) in [
        (DOTLESS, "nobod\u{131}@acme.test"),
        (
            "\u{43e}\u{4cf}\u{456}\u{475}\u{435}@acme.test",
            "\u{441}\u{43e}\u{440}\u{443}@acme.test",
        ),
    ] {
        let mut file_held = commands(held);
        let mut file_nobody = commands(nobody);
        // Carl's own account, and his member rather than Acme's.
        for args in file_held.iter_mut().chain(file_nobody.iter_mut()) {
            for a in args.iter_mut() {
                *a = a
                    .replace(ACCOUNT, "Contoso")
                    .replace("una@acme.test", "cleo@contoso.test");
            }
        }
        for (a, b) in file_held.iter().zip(&file_nobody) {
            if a[0] == "settings" {
                continue;
            }
            let (code_a, said_a) = answer(&p, carl, a);
            let (code_b, said_b) = answer(&p, carl, b);
            assert_eq!((code_a, code_b), (USAGE, USAGE), "{said_a} {said_b}");
            let a_reads = said_a.replace(held, "X").replace("olive@", "Y@");
            let b_reads = said_b
                .replace(nobody, "X")
                .replace("copy@", "Y@")
                .replace("nobodi@", "Y@");
            assert_eq!(a_reads, b_reads);
        }
    }
}

/// Two addresses that would read alike, invited in either order, in two
/// accounts or one (findings A14, N10): the second never makes a database
/// whose copy (`export`, then `apply`) is refused, and `status` reports
/// no problem.
#[test]
fn no_order_of_two_invitations_makes_a_database_its_copy_refuses() {
    let pairs = [
        ("newhire@acme.test", "newh\u{131}re@acme.test"),
        ("strasse@acme.test", "stra\u{df}e@acme.test"),
        (
            "olive@zzz.test",
            "\u{43e}\u{4cf}\u{456}\u{475}\u{435}@zzz.test",
        ),
        ("x@istanbul.test", "x@xn--istanbul-o0e.test"),
        ("olive@acm\u{e9}.test", "ol\u{131}ve@xn--acm-dma.test"),
        ("\u{e9}lodie@acm\u{e9}.test", "\u{e9}lodie@xn--acm-dma.test"),
        (
            "\u{e7}a\u{11f}ri@firma.test",
            "\u{e7}a\u{11f}r\u{131}@firma.test",
        ),
    ];
    for (a, b) in pairs {
        for (first, second) in [(a, b), (b, a)] {
            let p = Portal::new();
            p.ok(&["account", "create", "Contoso", "--kind", "customer"]);
            for (address, account) in [(first, "Contoso"), (second, ACCOUNT)] {
                p.run(&[
                    "user", "invite", "--email", address, "--role", "user", "--account", account,
                    "--no-send",
                ]);
            }
            let status = p.ok(&["status"]);
            assert!(!status.contains("problem"), "{first} {second}: {status}");
            let export = p.ok(&["export"]);
            let copy = Portal::empty();
            let run = copy.apply_stdin(&["--no-send"], &[], &export);
            assert_eq!(run.code, 0, "{first} then {second}: {}", run.stderr);
        }
    }
}

/// An address in letters of its own stays an address, and its copy
/// takes it back; so does a quoted local part that needs no quotes, kept
/// without them.
#[test]
fn addresses_in_letters_of_their_own_are_taken_and_copied() {
    let p = Portal::new();
    for address in [
        "\u{438}\u{432}\u{430}\u{43d}@\u{43f}\u{43e}\u{447}\u{442}\u{430}.\u{440}\u{444}",
        "\u{e9}lodie@acm\u{e9}.test",
        "\u{15f}\u{fc}kr\u{fc}@acme.test",
        // Turkish `çağrı`: its `ç` and `ğ` read as nothing in ASCII, so
        // it is no plain Latin word, whatever its dotless `ı` reads as;
        // German `größe` likewise for its `ö`.
        "\u{e7}a\u{11f}r\u{131}@firma.test",
        "gr\u{f6}\u{df}e@contoso.test",
        // All Cyrillic: `м` reads as no Latin `m`, so `асме` is no `acme`.
        "olive@\u{430}\u{441}\u{43c}\u{435}.test",
    ] {
        p.ok(&[
            "user", "invite", "--email", address, "--role", "user", "--no-send",
        ]);
        assert_eq!(
            p.text(&format!(
                "SELECT count(*) FROM people WHERE email = '{address}'"
            )),
            "1",
            "{address}"
        );
    }
    p.ok(&[
        "account", "set", ACCOUNT, "--billing-contact", "\"una\"@acme.test",
    ]);
    assert_eq!(
        p.text("SELECT billing_contact FROM accounts WHERE name = 'Acme Ltd'"),
        "una@acme.test"
    );
    let export = p.ok(&["export"]);
    let copy = Portal::empty();
    let run = copy.apply_stdin(&["--no-send"], &[], &export);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        copy.text("SELECT count(*) FROM people"),
        p.text("SELECT count(*) FROM people")
    );
    assert!(p.ok(&["user", "list"]).contains(OWNER));
}

/// Addresses an older version stored that the rule now refuses, as a
/// person's, a billing contact or a setting, are named by `status` with
/// what changes them, as a copy would refuse them; a person's look-alike
/// is named whether or not the address it reads as is anyone's.
#[test]
fn status_names_stored_addresses_the_rule_refuses() {
    let p = Portal::new();
    p.member("old@acme.test", "user");
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        conn.execute_batch(&format!(
            "UPDATE people SET email = 'newh\u{131}re@acme.test' WHERE email = 'old@acme.test';
             UPDATE accounts SET billing_contact = '\"a@b\"@evil.test' WHERE name = '{ACCOUNT}';
             INSERT OR REPLACE INTO settings (key, value) VALUES ('support-email', '{DOTLESS}');"
        ))
        .unwrap();
    }
    let run = p.run(&["status"]);
    for says in [
        "email address `newh\u{131}re@acme.test` is not a valid email address: it reads as `newhire@acme.test`",
        "billing contact `\"a@b\"@evil.test` of `Acme Ltd` is not a valid email address: the part before its `@` needs quotes",
        "`portalctl account set 'Acme Ltd' --billing-contact NEW`",
        "address `ol\u{131}ve@acme.test` of setting `support-email` is not a valid email address: it reads as `olive@acme.test`",
        "`portalctl settings set support-email NEW`",
    ] {
        support::says(&run.stdout, says);
    }
}
