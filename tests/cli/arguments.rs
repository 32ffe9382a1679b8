//! Arguments: `--account` on every command that acts in an account (the
//! account commands keep their positional shorthand), and values that the
//! model's parsers refuse before anything runs.

use serde_json::json;

use crate::support::{says, Portal, ACCOUNT, DENIED, OWNER, SUCCESS, USAGE};

const ADMIN: &str = "ada@acme.test";

/// `Acme Ltd` (msp, a partner) with an administrator and a customer, so
/// that the operator must say which account is meant.
fn partner() -> Portal {
    let p = Portal::with_preset("msp");
    p.member(ADMIN, "msp-administrator");
    p.customer("Client Co");
    p
}

#[test]
fn partner_config_takes_dash_dash_account() {
    let p = partner();
    let v = p.json(&[
        "account", "ip", "add", "--account", ACCOUNT, "--inbound", "192.0.2.10",
    ]);
    assert_eq!(v["inbound"], json!(["192.0.2.10"]));
    let v = p.json(&["account", "ip", "list", "--account", ACCOUNT]);
    assert_eq!(v[0]["address"], "192.0.2.10");
    let v = p.json(&[
        "account", "ip", "remove", "--account", ACCOUNT, "--inbound", "192.0.2.10",
    ]);
    assert_eq!(v["inbound"], json!([]));
    let v = p.json(&[
        "account", "smarthost", "set", "--account", ACCOUNT, "mail.acme.test:25",
    ]);
    assert_eq!(v["smarthost"], "mail.acme.test:25");
    // The positional shorthand still works.
    let v = p.json(&["account", "smarthost", "set", ACCOUNT, "mail.acme.test"]);
    assert_eq!(v["smarthost"], "mail.acme.test");
}

#[test]
fn a_left_out_account_defaults_as_elsewhere() {
    let p = partner();
    // A member of one account acts in it.
    let v = p.json_as(
        Some(ADMIN),
        &["account", "smarthost", "set", "relay.acme.test"],
    );
    assert_eq!(v["account"], ACCOUNT);
    assert_eq!(v["smarthost"], "relay.acme.test");
    let v = p.json_as(Some(ADMIN), &["account", "ip", "list"]);
    assert_eq!(v, json!([]));
    // Of a partner and its customer, only the partner has a config: it
    // is the one meant. Of two partners, the operator must say which.
    let v = p.json(&["account", "ip", "add", "--inbound", "192.0.2.10"]);
    assert_eq!(v["account"], ACCOUNT);
    p.ok(&["account", "create", "Other MSP", "--kind", "partner"]);
    let err = p.refused(&["account", "ip", "add", "--inbound", "192.0.2.11"], USAGE);
    says(&err, "pass --account");
}

#[test]
fn payment_and_addresses_take_dash_dash_account_or_none() {
    let p = Portal::with_preset("lmp");
    let v = p.json(&[
        "account", "payment", "set", "--account", ACCOUNT, "--method", "card",
    ]);
    assert_eq!(v["method"], "card");
    // One account in the database: it may be left out.
    let v = p.json(&["account", "payment", "show"]);
    assert_eq!(v["account"], ACCOUNT);
    assert_eq!(v["method"], "card");
    let v = p.json(&[
        "account", "address", "add", "--account", ACCOUNT, "--label", "HQ", "--line1",
        "1 High Street", "--city", "London", "--postcode", "EC1A 1BB", "--country", "GB",
    ]);
    assert_eq!(v["label"], "HQ");
    let v = p.json(&["account", "address", "list", "--account", ACCOUNT]);
    assert_eq!(v[0]["label"], "HQ");
    let v = p.json(&["account", "address", "list"]);
    assert_eq!(v[0]["label"], "HQ");
    let v = p.json(&["account", "address", "remove", "--account", ACCOUNT, "HQ"]);
    assert_eq!(v["label"], "HQ");
    assert_eq!(p.json(&["account", "address", "list", ACCOUNT]), json!([]));
}

#[test]
fn the_positional_account_and_dash_dash_account_must_agree() {
    let p = partner();
    let err = p.refused(
        &[
            "account", "ip", "add", ACCOUNT, "--account", "Client Co", "--inbound", "192.0.2.10",
        ],
        USAGE,
    );
    says(&err, "two accounts given");
    p.refused(
        &[
            "account", "smarthost", "set", "--account", "Client Co", ACCOUNT, "mail.acme.test",
        ],
        USAGE,
    );
    // Naming the same account twice is fine.
    let v = p.json(&["account", "ip", "list", ACCOUNT, "--account", ACCOUNT]);
    assert_eq!(v, json!([]));
}

#[test]
fn malformed_values_are_refused_while_parsing() {
    let p = Portal::new();
    for (amount, why) in [
        (
            "12.345",
            " portalctl keeps: it keeps two decimals, for currencies of three (KWD, BHD, ...) too",
        ),
        (
            "abc",
            ": write it as digits, with a decimal point if it has decimals",
        ),
        (
            "1e3",
            ": write it as digits, with a decimal point if it has decimals (no exponent)",
        ),
        ("-5", ": an amount cannot be negative"),
        (
            "£100",
            ": write it without a currency sign or code, in the account's currency",
        ),
    ] {
        let err = p.refused(
            &["order", "place", "--description", "X", "--amount", amount],
            USAGE,
        );
        assert_eq!(
            err,
            format!(
                "error: `{amount}` is not an amount{why}\nhelp: write it in the account's currency with at most two decimals, like 120 or 49.99\n"
            )
        );
    }
    let err = p.refused(
        &[
            "policy", "create", "--name", "Big", "--threshold", "50", "--approvers",
            "owner@acme.test,not-an-email",
        ],
        USAGE,
    );
    says(&err, "`not-an-email` is not a valid email address");
    let err = p.refused(
        &[
            "user", "invite", "--email", "ann@acme.test", "--role", "user", "--expires-in", "soon",
        ],
        USAGE,
    );
    says(&err, "`soon` is not a duration");
    let err = p.refused(&["audit", "list", "--since", "yesterday"], USAGE);
    says(&err, "`yesterday` is not a time, a date or a duration");
    let err = p.refused(&["account", "payment", "set", "--method", "cheque"], USAGE);
    says(&err, "unknown payment method `cheque`");
    // What clap itself refuses still reads as one `error:` line, exit 2.
    p.refused(&["order", "place", "--description", "X"], USAGE);
    p.refused(&["order", "place", "--bogus"], USAGE);
}

#[test]
fn lists_are_split_on_commas() {
    let p = Portal::new();
    p.member("ann@acme.test", "admin");
    p.member("bob@acme.test", "admin");
    let v = p.json(&[
        "policy", "create", "--name", "Big", "--threshold", "50", "--approvers",
        "ann@acme.test, bob@acme.test", "--required-approvals", "2",
    ]);
    assert_eq!(v["approvers"], json!(["ann@acme.test", "bob@acme.test"]));
    let v = p.json(&[
        "role", "create", "viewer", "--capabilities", "account.view,users.view",
    ]);
    assert_eq!(v["name"], "viewer");
}

/// `user invite` of Ann as a user.
const INVITE_ANN: [&str; 8] = [
    "user", "invite", "--email", "ann@acme.test", "--name", "Ann", "--role", "user",
];

#[test]
fn quiet_prints_nothing_on_success_and_still_explains_a_refusal() {
    let p = Portal::new();
    let run = p.run(&[&["--quiet"][..], &INVITE_ANN].concat());
    assert_eq!((run.code, &*run.stdout, &*run.stderr), (SUCCESS, "", ""));
    assert_eq!(
        p.json(&["user", "show", "ann@acme.test"])["status"],
        "invited"
    );
    let run = p.run(&["-q", "user", "list", "--json"]);
    assert_eq!((run.code, &*run.stdout), (SUCCESS, ""));
    let err = p.refused_as(Some("ann@acme.test"), &["-q", "user", "list"], DENIED);
    says(&err, "error: ");
}

/// `--quiet` silences what a command reports, not what needs attention:
/// a warning still reaches stderr (a CI log), as an error does, and the
/// help says so rather than promising nothing at all.
#[test]
fn quiet_keeps_warnings_on_stderr_and_says_so() {
    let p = Portal::new();
    p.ok(&["policy", "create", "--name", "Big", "--threshold", "10"]);
    let run = p.run_as(
        Some(OWNER),
        &[
            "--quiet", "order", "place", "--description", "X", "--amount", "60",
        ],
    );
    assert_eq!((run.code, &*run.stdout), (SUCCESS, ""), "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .all(|l| l.starts_with("warning: ") || l.starts_with("  ")),
        "{}",
        run.stderr
    );
    says(&run.stderr, "warning: order 1 in `");
    says(&run.stderr, "cannot get enough approvals");
    // Read as one line, however the help is wrapped.
    let help = p
        .ok(&["--help"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    says(&help, "Print nothing on stdout on success");
    says(&help, "warnings still go to stderr");
}

#[test]
fn the_clock_can_be_fixed_by_flag_as_by_environment() {
    let p = Portal::new();
    let v = p.json(&[&["--now", "2030-01-02T03:04:05Z"][..], &INVITE_ANN].concat());
    assert_eq!(v["invited_at"], "2030-01-02T03:04:05Z");
    p.refused(&["--now", "soon", "user", "list"], USAGE);
}

/// B7: `--db` takes any path the system allows, as PORTALCTL_DB does,
/// UTF-8 or not; a PORTALCTL_NOW that is not UTF-8 is refused as the
/// variable's, not as an argument.
#[test]
fn a_database_path_need_not_be_utf8_and_a_bad_clock_is_named() {
    use std::os::unix::ffi::OsStrExt as _;
    let p = Portal::new();
    let dir = crate::support::scratch_dir();
    let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"d\xff.db"));
    std::fs::copy(&p.db, &odd).expect("copy the database");
    let out = p
        .command(&["user", "list"], &[])
        .env_remove("PORTALCTL_DB")
        .arg("--db")
        .arg(&odd)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(SUCCESS),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    says(&String::from_utf8_lossy(&out.stdout), OWNER);
    let out = p
        .command(&["user", "list"], &[])
        .env("PORTALCTL_NOW", std::ffi::OsStr::from_bytes(b"\xff"))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(USAGE), "{err}");
    says(&err, "error: PORTALCTL_NOW");
    says(&err, "is not an RFC 3339 time");
}

#[test]
fn a_busy_timeout_sqlite_cannot_take_is_a_usage_error() {
    let p = Portal::new();
    let err = p.refused_with(
        &["user", "list"],
        &[("PORTALCTL_BUSY_TIMEOUT", "2147483648")],
        USAGE,
    );
    says(&err, "up to 2147483647");
    let run = p.run_with(
        &["user", "list"],
        &[("PORTALCTL_BUSY_TIMEOUT", "2147483647")],
    );
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
}

#[test]
fn the_subject_member_is_the_positional_email_on_invite_too() {
    let p = Portal::new();
    let v = p.json(&["user", "invite", "ann@acme.test", "--role", "user"]);
    assert_eq!(v["email"], "ann@acme.test", "{v}");
    // --email still works, as the one alternative.
    let v = p.json(&[
        "user", "invite", "--email", "bob@acme.test", "--role", "user",
    ]);
    assert_eq!(v["email"], "bob@acme.test", "{v}");
    p.refused(
        &[
            "user", "invite", "cat@acme.test", "--email", "cat@acme.test",
        ],
        USAGE,
    );
    p.refused(&["user", "invite", "--role", "user"], USAGE);
}

#[test]
fn order_place_and_policies_name_the_order_type_alike() {
    let p = Portal::new();
    p.ok(&[
        "policy", "create", "--name", "Hardware", "--threshold", "10", "--order-type", "hardware",
    ]);
    let held = p.json(&[
        "order", "place", "--description", "Router", "--amount", "60", "--order-type", "hardware",
    ]);
    assert_eq!(held["status"], "pending", "{held}");
    // `--type` stays as a hidden alias.
    let held = p.json(&[
        "order", "place", "--description", "Desk", "--amount", "60", "--type", "hardware",
    ]);
    assert_eq!(held["status"], "pending", "{held}");
    let help = p.ok(&["order", "place", "--help"]);
    says(&help, "--order-type <TYPE>");
    assert!(!help.contains("--type"), "{help}");
}

#[test]
fn value_names_say_what_they_are_and_global_options_have_their_heading() {
    let p = Portal::new();
    for (cmd, wanted) in [
        (&["user", "merge"][..], "--into <EMAIL>"),
        (&["user", "flag-duplicate"], "--of <EMAIL>"),
        (&["user", "transfer-ownership"], "--to <EMAIL>"),
        (&["service", "assign"], "--to <EMAIL>"),
        (&["license", "move"], "--to <ACCOUNT>"),
        (&["policy", "create"], "--threshold <AMOUNT>"),
        (&["policy", "create"], "--required-approvals <COUNT>"),
        (&["order", "place"], "--amount <AMOUNT>"),
    ] {
        let help = p.ok(&[cmd, &["--help"]].concat());
        says(&help, wanted);
        says(&help, "Global options:\n");
        for bad in ["<TO>", "<OF>", "<INTO>", "<N>"] {
            assert!(!help.contains(bad), "{cmd:?}: {help}");
        }
    }
    let top = p.ok(&["--help"]);
    says(&top, "Global options:\n");
    for var in [
        "PORTALCTL_DB", "PORTALCTL_AS", "PORTALCTL_NOW", "PORTALCTL_BUSY_TIMEOUT",
    ] {
        says(&top, var);
    }
    says(&top, "portalctl/portal.db");
}

/// `--since` takes a duration, a date or an RFC 3339 time: a word that is
/// none of them is told all three.
#[test]
fn a_since_that_is_no_when_is_told_every_form_it_takes() {
    let p = Portal::new();
    let err = p.refused(&["audit", "list", "--since", "yesterday"], USAGE);
    says(&err, "`yesterday` is not a time, a date or a duration");
    says(
        &err,
        "help: write a duration like 7d, 48h or 30m, a date like 2026-11-25 (a whole day, UTC), or an RFC 3339 time like 2026-11-25T09:00:00Z",
    );
    for when in ["48h", "2026-11-25", "2026-11-25T09:00:00Z"] {
        p.ok(&["audit", "list", "--since", when]);
    }
}

/// PORTALCTL_DB and PORTALCTL_AS fill in --db and --as, which an error's
/// usage line must not then show as required.
#[test]
fn a_usage_line_shows_no_option_the_environment_filled_in() {
    let p = Portal::new();
    let run = p.run_as(Some(OWNER), &["order", "reject", "3"]);
    assert_eq!(run.code, USAGE, "{}", run.stderr);
    says(
        &run.stderr,
        "Usage: portalctl order reject --reason <REASON> <ORDER>",
    );
    assert!(!run.stderr.contains("--db"), "{}", run.stderr);
    assert!(!run.stderr.contains("--as"), "{}", run.stderr);
    // They still say which database and who acts.
    assert_eq!(
        p.json_as(Some(OWNER), &["status"])["scope"],
        format!("the accounts of {OWNER}")
    );
    let err = p.refused_with(&["status"], &[("PORTALCTL_DB", "")], USAGE);
    says(&err, "PORTALCTL_DB is empty");
    let err = p.refused_with(&["status"], &[("PORTALCTL_AS", " ")], USAGE);
    says(&err, "--as (or PORTALCTL_AS) is empty");
}

/// An empty PORTALCTL_DB is refused only by a command that opens the
/// database: those that need none (`preset list`, `completions`,
/// `schema`, `help exit-codes`) run regardless.
#[test]
fn an_empty_portalctl_db_stops_only_commands_that_open_the_database() {
    let p = Portal::empty();
    for args in [
        &["preset", "list"][..],
        &["preset", "show", "portal"],
        &["completions", "bash"],
        &["schema"],
        &["help", "exit-codes"],
    ] {
        let run = p.run_with(args, &[("PORTALCTL_DB", "")]);
        assert_eq!(run.code, SUCCESS, "{args:?}: {}", run.stderr);
        assert!(!run.stdout.is_empty(), "{args:?}");
    }
    for args in [&["user", "list"][..], &["export"]] {
        let err = p.refused_with(args, &[("PORTALCTL_DB", "")], USAGE);
        says(&err, "PORTALCTL_DB is empty");
    }
}

/// A PORTALCTL_DB of blanks alone is as empty as an empty one: refused by
/// a command that opens the database, not taken as a file name.
#[test]
fn a_blank_portalctl_db_reads_as_an_empty_one() {
    let p = Portal::empty();
    for blank in [" ", "   ", "\t", "\n"] {
        for args in [&["user", "list"][..], &["status"]] {
            let err = p.refused_with(args, &[("PORTALCTL_DB", blank)], USAGE);
            says(&err, "PORTALCTL_DB is empty");
        }
        let run = p.run_with(&["preset", "list"], &[("PORTALCTL_DB", blank)]);
        assert_eq!(run.code, SUCCESS, "{}", run.stderr);
        // Nor is `--db` of blanks a file name: refused before anything
        // runs, and no file is made.
        for args in [
            &["status"][..],
            &["init", "--account", "A", "--owner-email", "o@a.test"],
        ] {
            let args = [&["--db", blank][..], args].concat();
            let err = p.refused(&args, USAGE);
            says(&err, "--db <PATH>");
        }
    }
}

/// An account named by blanks alone is a usage error (exit 2), as a blank
/// `--as` is, not an account nobody has (exit 3) or may see (exit 5).
#[test]
fn an_account_of_blanks_alone_is_a_usage_error() {
    let p = Portal::new();
    for args in [
        &["user", "list", "--account", ""][..],
        &["account", "show", " "],
        &["order", "list", "--account", "   "],
        &["license", "list", "--customer", ""],
        &["export", "--account", ""],
    ] {
        for who in [None, Some(OWNER)] {
            let err = p.refused_as(who, args, USAGE);
            says(&err, "an account is named by more than blanks");
        }
    }
}
