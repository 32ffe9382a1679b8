//! Refusals: every bad or forbidden request exits with its documented code,
//! prints one `error:` line naming what was wrong, nothing on stdout, and
//! leaves the database exactly as it was.

use crate::support::{
    error_line, says, Portal, Run, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, SUCCESS,
    UNAVAILABLE, USAGE,
};

/// `user invite` arguments for a new person in Acme.
fn invite_args<'a>(email: &'a str, name: &'a str, role: &'a str) -> Vec<&'a str> {
    vec![
        "user",
        "invite",
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
        "--account",
        ACCOUNT,
    ]
}

/// Invites `email` and returns the token, with `--json`.
#[track_caller]
fn token_of(p: &Portal, email: &str) -> String {
    p.invite(email, "user", ACCOUNT)
}

/// One `error:` line, first on stderr, and an empty stdout.
#[track_caller]
fn one_error_line(run: &Run) {
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(run.stderr.starts_with("error: "), "stderr: {}", run.stderr);
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1,
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------- bad values

#[test]
fn invite_with_an_invalid_email_is_a_usage_error() {
    let p = Portal::new();
    let err = p.refused(&invite_args("not-an-email", "Nobody", "user"), USAGE);
    says(error_line(&err), "not-an-email");
    says(error_line(&err), "not a valid email");
}

#[test]
fn a_new_user_needs_a_non_blank_name() {
    let p = Portal::new();
    let err = p.refused(&invite_args("ann@acme.test", "", "user"), USAGE);
    says(error_line(&err), "name");
    let err = p.refused(&invite_args("ann@acme.test", "   ", "user"), USAGE);
    says(error_line(&err), "name");
    says(error_line(&err), "empty");
}

#[test]
fn an_unknown_role_is_named() {
    let p = Portal::new();
    let err = p.refused(&invite_args("ann@acme.test", "Ann", "wizard"), USAGE);
    says(error_line(&err), "unknown role");
    says(error_line(&err), "wizard");

    p.member("ann@acme.test", "user");
    let err = p.refused(&["user", "set-role", "ann@acme.test", "wizard"], USAGE);
    says(error_line(&err), "wizard");
}

#[test]
fn an_unknown_account_is_not_found() {
    let p = Portal::new();
    let mut args = invite_args("ann@acme.test", "Ann", "user");
    *args.last_mut().unwrap() = "Nope Ltd";
    let err = p.refused(&args, NOT_FOUND);
    says(error_line(&err), "Nope Ltd");

    let err = p.refused(&["user", "list", "--account", "Nope Ltd"], NOT_FOUND);
    says(error_line(&err), "Nope Ltd");

    let err = p.refused(&["user", "show", OWNER, "--account", "Nope Ltd"], NOT_FOUND);
    says(error_line(&err), "Nope Ltd");
}

#[test]
fn an_unknown_user_is_not_found() {
    let p = Portal::new();
    for args in [
        vec!["user", "show", "ghost@acme.test"],
        vec!["user", "set-role", "ghost@acme.test", "user"],
        vec!["user", "deactivate", "ghost@acme.test"],
    ] {
        let err = p.refused(&args, NOT_FOUND);
        says(error_line(&err), "ghost@acme.test");
    }
}

#[test]
fn a_malformed_expiry_is_a_usage_error() {
    let p = Portal::new();
    let mut args = invite_args("ann@acme.test", "Ann", "user");
    args.extend(["--expires-in", "soon"]);
    let err = p.refused(&args, USAGE);
    says(error_line(&err), "soon");
    says(error_line(&err), "duration");

    let mut args = invite_args("ann@acme.test", "Ann", "user");
    args.extend(["--expires-in", "0s"]);
    let err = p.refused(&args, USAGE);
    says(error_line(&err), "expire");
}

#[test]
fn a_bad_timezone_is_a_usage_error() {
    let p = Portal::new();
    let mut args = invite_args("ann@acme.test", "Ann", "user");
    args.extend(["--timezone", "Mars/Olympus_Mons"]);
    let err = p.refused(&args, USAGE);
    says(error_line(&err), "Mars/Olympus_Mons");
    says(error_line(&err), "timezone");
}

#[test]
fn a_bad_country_is_a_usage_error() {
    let p = Portal::new();
    let mut args = invite_args("ann@acme.test", "Ann", "user");
    args.extend(["--city", "London", "--country", "GBR"]);
    let err = p.refused(&args, USAGE);
    says(error_line(&err), "GBR");
    says(error_line(&err), "country");
}

#[test]
fn a_bad_currency_is_a_usage_error() {
    let p = Portal::new();
    let err = p.refused(
        &[
            "account",
            "create",
            "Other Ltd",
            "--kind",
            "customer",
            "--currency",
            "POUNDS",
        ],
        USAGE,
    );
    says(error_line(&err), "POUNDS");
    says(error_line(&err), "currency");
}

#[test]
fn a_malformed_clock_is_a_usage_error() {
    let mut p = Portal::new();
    p.now = "yesterday".into();
    let err = p.refused(&["user", "list"], USAGE);
    says(error_line(&err), "PORTALCTL_NOW");
    says(error_line(&err), "yesterday");
    let err = p.refused(&invite_args("ann@acme.test", "Ann", "user"), USAGE);
    says(error_line(&err), "PORTALCTL_NOW");
}

#[test]
fn an_unknown_capability_grant_or_preset_is_a_usage_error() {
    let p = Portal::new();
    let err = p.refused(&["can", OWNER, "users.fly"], USAGE);
    says(error_line(&err), "users.fly");

    p.member("ann@acme.test", "user");
    let err = p.refused(&["user", "grant", "ann@acme.test", "superpowers"], USAGE);
    says(error_line(&err), "superpowers");

    let err = p.refused(
        &[
            "init",
            "--preset",
            "nope",
            "--account",
            ACCOUNT,
            "--owner-email",
            OWNER,
        ],
        USAGE,
    );
    says(error_line(&err), "nope");

    let fresh = Portal::empty();
    let err = fresh.refused(
        &[
            "init",
            "--preset",
            "nope",
            "--account",
            ACCOUNT,
            "--owner-email",
            OWNER,
        ],
        USAGE,
    );
    says(error_line(&err), "unknown preset");
    assert!(
        !fresh.db.exists(),
        "a refused init must not create the file"
    );
}

#[test]
fn clap_usage_errors_exit_2() {
    let p = Portal::new();
    // --role is required.
    let err = p.refused(
        &[
            "user",
            "invite",
            "--email",
            "ann@acme.test",
            "--name",
            "Ann",
        ],
        USAGE,
    );
    says(&err, "--role");
    // An unknown subcommand.
    p.refused(&["user", "frobnicate"], USAGE);
    // An invalid kind.
    let err = p.refused(&["account", "create", "X Ltd", "--kind", "vendor"], USAGE);
    says(&err, "vendor");
}

// ---------------------------------------------------------------- conflicts

#[test]
fn inviting_a_member_again_is_a_conflict() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let err = p.refused(&invite_args("ann@acme.test", "Ann", "manager"), CONFLICT);
    says(error_line(&err), "ann@acme.test");
    says(error_line(&err), "already a member");

    p.invite("bob@acme.test", "user", ACCOUNT);
    let err = p.refused(&invite_args("bob@acme.test", "Bob", "user"), CONFLICT);
    says(error_line(&err), "already a member");

    let err = p.refused(&invite_args(OWNER, "Olive", "user"), CONFLICT);
    says(error_line(&err), OWNER);
}

// ---------------------------------------------------------------- tokens

#[test]
fn a_token_never_issued_is_not_found() {
    let p = Portal::new();
    let fake = format!("pinv_{}", "0".repeat(64));
    let err = p.refused(&["user", "accept", &fake], NOT_FOUND);
    says(error_line(&err), "invitation");
    p.refused(&["user", "accept", "garbage"], NOT_FOUND);
}

#[test]
fn a_used_token_is_already_accepted() {
    let p = Portal::new();
    let token = token_of(&p, "ann@acme.test");
    p.ok(&["user", "accept", &token]);
    let err = p.refused(&["user", "accept", &token], CONFLICT);
    says(error_line(&err), "already accepted");
}

#[test]
fn an_expired_token_says_expired() {
    let mut p = Portal::new();
    let token = token_of(&p, "ann@acme.test");
    p.now = "2026-12-03T10:00:00Z".into();
    let err = p.refused(&["user", "accept", &token], CONFLICT);
    says(error_line(&err), "expired");
}

#[test]
fn a_token_replaced_by_a_resend_says_replaced_and_the_new_one_works() {
    let p = Portal::new();
    let old = token_of(&p, "ann@acme.test");
    let v = p.json(&["user", "resend-invite", "ann@acme.test"]);
    let new = v["token"].as_str().unwrap().to_string();
    assert_ne!(old, new);
    let err = p.refused(&["user", "accept", &old], CONFLICT);
    says(error_line(&err), "replaced");
    let v = p.json(&["user", "accept", &new]);
    assert_eq!(v["status"], "active");
}

#[test]
fn a_revoked_token_says_revoked() {
    let p = Portal::new();
    let token = token_of(&p, "ann@acme.test");
    p.ok(&["user", "revoke-invite", "ann@acme.test"]);
    let err = p.refused(&["user", "accept", &token], CONFLICT);
    says(error_line(&err), "revoked");
}

// ---------------------------------------------------------------- last admin

fn solo() -> Portal {
    Portal::cached("refusals: solo", build_solo)
}

fn build_solo() -> Portal {
    let p = Portal::new();
    p.ok(&["account", "create", "Solo Ltd", "--kind", "partner"]);
    p.member_in("sam@solo.test", "admin", "Solo Ltd");
    p
}

#[test]
fn the_last_admin_cannot_be_demoted_deactivated_or_marked_left() {
    let p = solo();
    for args in [
        vec![
            "user",
            "set-role",
            "sam@solo.test",
            "user",
            "--account",
            "Solo Ltd",
        ],
        vec!["user", "set-role", "sam@solo.test", "no-access"],
        vec![
            "user",
            "deactivate",
            "sam@solo.test",
            "--account",
            "Solo Ltd",
        ],
        vec![
            "user",
            "left-company",
            "sam@solo.test",
            "--account",
            "Solo Ltd",
        ],
    ] {
        let err = p.refused(&args, CONFLICT);
        says(error_line(&err), "Solo Ltd");
        says(error_line(&err), "users.manage");
    }
}

#[test]
fn with_a_second_admin_the_demotion_works() {
    let p = solo();
    p.member_in("tia@solo.test", "admin", "Solo Ltd");
    let v = p.json(&[
        "user",
        "set-role",
        "sam@solo.test",
        "user",
        "--account",
        "Solo Ltd",
    ]);
    assert_eq!(v["role"], "user");
    // Now tia is the last one.
    let err = p.refused(&["user", "deactivate", "tia@solo.test"], CONFLICT);
    says(error_line(&err), "users.manage");
}

// ---------------------------------------------------------------- the owner

#[test]
fn the_owner_cannot_be_deactivated_marked_left_or_demoted() {
    let p = Portal::new();
    // Another admin exists, so only the owner rule can refuse.
    p.member("ann@acme.test", "admin");
    for args in [
        vec!["user", "deactivate", OWNER],
        vec!["user", "left-company", OWNER],
        vec!["user", "set-role", OWNER, "user"],
    ] {
        let err = p.refused(&args, CONFLICT);
        says(error_line(&err), OWNER);
        says(error_line(&err), "owns");
    }
    // Not even by another admin.
    let err = p.refused_as(
        Some("ann@acme.test"),
        &["user", "deactivate", OWNER],
        CONFLICT,
    );
    says(error_line(&err), "owns");
}

// ---------------------------------------------------------------- acting as

/// Both a write and a read in Acme, as `who`, must be denied.
#[track_caller]
fn denied_in_acme(p: &Portal, who: &str, why: &str) {
    let err = p.refused_as(
        Some(who),
        &invite_args("newbie@acme.test", "Newbie", "user"),
        DENIED,
    );
    says(error_line(&err), who);
    says(error_line(&err), why);
    let err = p.refused_as(Some(who), &["user", "list", "--account", ACCOUNT], DENIED);
    says(error_line(&err), who);
    says(error_line(&err), why);
}

#[test]
fn a_deactivated_member_may_not_act() {
    let p = Portal::new();
    p.member("ann@acme.test", "admin");
    p.ok(&["user", "deactivate", "ann@acme.test"]);
    denied_in_acme(&p, "ann@acme.test", "deactivated");
}

#[test]
fn a_member_who_left_may_not_act() {
    let p = Portal::new();
    p.member("ann@acme.test", "admin");
    p.ok(&["user", "left-company", "ann@acme.test"]);
    denied_in_acme(&p, "ann@acme.test", "left");
}

#[test]
fn an_invited_member_may_not_act_before_accepting() {
    let p = Portal::new();
    p.invite("ann@acme.test", "admin", ACCOUNT);
    denied_in_acme(&p, "ann@acme.test", "invited");
}

#[test]
fn a_member_in_the_blocking_role_may_not_act() {
    let p = Portal::new();
    p.member("ann@acme.test", "no-access");
    denied_in_acme(&p, "ann@acme.test", "no-access");
    let err = p.refused_as(Some("ann@acme.test"), &["user", "show", OWNER], DENIED);
    says(error_line(&err), "users.view");
}

#[test]
fn a_stranger_may_not_act() {
    let p = Portal::new();
    denied_in_acme(&p, "ghost@acme.test", "not a known user");
    let err = p.refused_as(Some("ghost@acme.test"), &["user", "list"], DENIED);
    says(error_line(&err), "users.view");
}

#[test]
fn a_member_of_another_account_may_not_act_on_acme() {
    let p = Portal::new();
    p.ok(&["account", "create", "Other Ltd", "--kind", "customer"]);
    p.member_in("olga@other.test", "admin", "Other Ltd");
    denied_in_acme(&p, "olga@other.test", "not a member of `Acme Ltd`");
    let err = p.refused_as(
        Some("olga@other.test"),
        &["user", "deactivate", OWNER, "--account", ACCOUNT],
        DENIED,
    );
    says(error_line(&err), "Acme Ltd");
    // Their own account is fine.
    let v = p.json_as(
        Some("olga@other.test"),
        &["user", "list", "--account", "Other Ltd"],
    );
    assert_eq!(v.as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------- escalation

fn customer_area_with_account_admin() -> Portal {
    Portal::cached(
        "refusals: customer_area_with_account_admin",
        build_customer_area_with_account_admin,
    )
}

fn build_customer_area_with_account_admin() -> Portal {
    let p = Portal::with_preset("customer-area");
    p.member("max@acme.test", "member");
    p.ok(&["user", "grant", "max@acme.test", "account-admin"]);
    p
}

#[test]
fn an_account_admin_member_may_invite_members() {
    let p = customer_area_with_account_admin();
    let v = p.json_as(
        Some("max@acme.test"),
        &invite_args("mia@acme.test", "Mia", "member"),
    );
    assert_eq!(v["role"], "member");
}

#[test]
fn an_account_admin_member_may_not_invite_an_owner() {
    let p = customer_area_with_account_admin();
    let err = p.refused_as(
        Some("max@acme.test"),
        &invite_args("mia@acme.test", "Mia", "owner"),
        DENIED,
    );
    says(error_line(&err), "max@acme.test");
    says(error_line(&err), "owner");
}

#[test]
fn an_account_admin_member_may_not_grant_billing() {
    let p = customer_area_with_account_admin();
    p.member("mia@acme.test", "member");
    let err = p.refused_as(
        Some("max@acme.test"),
        &["user", "grant", "mia@acme.test", "billing"],
        DENIED,
    );
    says(error_line(&err), "billing");
    // Nor to themselves.
    let err = p.refused_as(
        Some("max@acme.test"),
        &["user", "grant", "max@acme.test", "billing"],
        DENIED,
    );
    says(error_line(&err), "billing");
    // Nor by inviting with it.
    let mut args = invite_args("zoe@acme.test", "Zoe", "member");
    args.extend(["--grant", "billing"]);
    let err = p.refused_as(Some("max@acme.test"), &args, DENIED);
    says(error_line(&err), "billing");
}

#[test]
fn an_account_admin_member_may_not_create_a_role_beyond_their_capabilities() {
    let p = customer_area_with_account_admin();
    let err = p.refused_as(
        Some("max@acme.test"),
        &[
            "role",
            "create",
            "biller",
            "--capabilities",
            "account.view,billing.view",
        ],
        DENIED,
    );
    says(error_line(&err), "billing.view");
}

// ---------------------------------------------------------------- wrong state

#[test]
fn deactivating_twice_is_a_conflict() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.ok(&["user", "deactivate", "ann@acme.test"]);
    let err = p.refused(&["user", "deactivate", "ann@acme.test"], CONFLICT);
    says(error_line(&err), "already deactivated");
}

#[test]
fn activating_an_active_member_is_a_conflict() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let err = p.refused(&["user", "activate", "ann@acme.test"], CONFLICT);
    says(error_line(&err), "already active");
}

#[test]
fn activating_a_member_who_never_accepted_is_a_conflict() {
    let p = Portal::new();
    p.invite("ann@acme.test", "user", ACCOUNT);
    let err = p.refused(&["user", "activate", "ann@acme.test"], CONFLICT);
    says(error_line(&err), "ann@acme.test");
    says(error_line(&err), "accepted");

    // A revoked invitation leaves them deactivated but still never accepted.
    p.ok(&["user", "revoke-invite", "ann@acme.test"]);
    let err = p.refused(&["user", "activate", "ann@acme.test"], CONFLICT);
    says(error_line(&err), "never accepted");
}

#[test]
fn leaving_twice_is_a_conflict() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.ok(&["user", "left-company", "ann@acme.test"]);
    let err = p.refused(&["user", "left-company", "ann@acme.test"], CONFLICT);
    says(error_line(&err), "already left");
}

#[test]
fn revoking_or_resending_the_invitation_of_an_active_member_is_a_conflict() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let err = p.refused(&["user", "revoke-invite", "ann@acme.test"], CONFLICT);
    says(error_line(&err), "no pending invitation");
    let err = p.refused(&["user", "resend-invite", "ann@acme.test"], CONFLICT);
    says(error_line(&err), "no invitation to resend");
}

#[test]
fn ownership_cannot_go_to_an_invited_member() {
    let p = Portal::new();
    p.invite("ann@acme.test", "admin", ACCOUNT);
    let err = p.refused(
        &[
            "user",
            "transfer-ownership",
            "--to",
            "ann@acme.test",
            "--yes",
        ],
        CONFLICT,
    );
    says(error_line(&err), "ann@acme.test");
    says(error_line(&err), "invited");
}

#[test]
fn merge_and_transfer_need_yes_without_a_terminal() {
    let p = Portal::new();
    p.member("ann@acme.test", "admin");
    p.member("ann.b@acme.test", "user");
    let err = p.refused(
        &[
            "user",
            "merge",
            "ann.b@acme.test",
            "--into",
            "ann@acme.test",
        ],
        USAGE,
    );
    says(&err, "--yes");
    let err = p.refused(
        &["user", "transfer-ownership", "--to", "ann@acme.test"],
        USAGE,
    );
    says(&err, "--yes");
}

// ---------------------------------------------------------------- the file

#[test]
fn a_database_newer_than_the_binary_is_unavailable() {
    let p = Portal::new();
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = p.refused(&["user", "list"], UNAVAILABLE);
    says(error_line(&err), "99");
    let err = p.refused(&invite_args("ann@acme.test", "Ann", "user"), UNAVAILABLE);
    says(error_line(&err), "newer");
    assert_eq!(p.query("PRAGMA user_version"), "Integer(99)");
}

#[test]
fn a_missing_database_is_not_found() {
    let p = Portal::empty();
    let err = p.refused(&["user", "list"], NOT_FOUND);
    says(error_line(&err), "no database");
    assert!(!p.db.exists(), "`user list` must not create the database");
}

#[test]
fn a_file_that_is_not_a_database_is_a_usage_error() {
    let p = Portal::empty();
    let text = "these are my shopping notes, not a database\n".repeat(100);
    std::fs::write(&p.db, &text).unwrap();
    let run = p.run(&["user", "list"]);
    assert_eq!(run.code, USAGE, "{run:?}");
    one_error_line(&run);
    says(error_line(&run.stderr), "not a portalctl database");
    assert_eq!(std::fs::read_to_string(&p.db).unwrap(), text);
}

#[test]
fn a_locked_database_is_unavailable_after_the_busy_timeout() {
    let p = Portal::new();
    let before = p.dump();
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let run = p.run_with(
        &invite_args("ann@acme.test", "Ann", "user"),
        &[("PORTALCTL_BUSY_TIMEOUT", "200")],
    );
    conn.execute_batch("ROLLBACK").unwrap();
    drop(conn);
    assert_eq!(run.code, UNAVAILABLE, "{run:?}");
    one_error_line(&run);
    says(error_line(&run.stderr), "locked");
    assert_eq!(before, p.dump(), "a busy write changed the database");
    // Once the lock is gone the same command works.
    p.ok(&invite_args("ann@acme.test", "Ann", "user"));
}

// ---------------------------------------------------------------- init

#[test]
fn init_with_another_preset_is_a_conflict() {
    let p = Portal::new();
    let err = p.refused(
        &[
            "init",
            "--preset",
            "lmp",
            "--account",
            ACCOUNT,
            "--owner-email",
            OWNER,
        ],
        CONFLICT,
    );
    says(error_line(&err), "already initialised");
    says(error_line(&err), "portal");
}

#[test]
fn the_same_init_again_changes_nothing() {
    let p = Portal::new();
    let before = p.dump();
    let run = p.run(&[
        "init",
        "--preset",
        "portal",
        "--account",
        ACCOUNT,
        "--owner-email",
        OWNER,
        "--owner-name",
        "Olive Owner",
    ]);
    assert_eq!(run.code, SUCCESS, "{run:?}");
    assert_eq!(before, p.dump(), "a repeated init changed the database");
}
