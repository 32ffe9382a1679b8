//! The customer area's invitation by email and permissions alone, and
//! handing an account's ownership over (seed 004), in every catalog.

use serde_json::json;

use crate::support::*;

/// 004, Step 2: "Enter the email address of the user, Select the desired
/// permissions, Click Send invitation": no role and no name are asked for.
#[test]
fn invite_with_only_an_email_and_permissions() {
    let p = Portal::with_preset("customer-area");
    let v = p.change(
        None,
        &[
            "user", "invite", "--email", "bea@acme.test", "--grant", "billing,support",
        ],
        "user.invite",
    );
    assert_eq!(v["role"], "member", "the catalog's default role: {v}");
    assert_eq!(v["grants"], json!(["billing", "support"]));
    assert_eq!(v["name"], serde_json::Value::Null);
    assert_eq!(v["status"], "invited");
    // The list shows that no name is known yet.
    let list = p.ok(&["user", "list"]);
    let row = list.lines().find(|l| l.contains("bea@acme.test")).unwrap();
    assert!(row.contains(" - "), "{row}");
    // The email greets them without a name and says how to give one.
    let body = p.text("SELECT body FROM outbox WHERE recipient = 'bea@acme.test'");
    assert!(body.starts_with("Hello,\n"), "{body}");
    says(&body, "--name \"Your Name\"");
    // `--role` still picks another role.
    let v = p.json(&[
        "user", "invite", "--email", "nia@acme.test", "--role", "no-access",
    ]);
    assert_eq!(v["role"], "no-access");
}

/// "The name is given on acceptance (`user accept TOKEN --name`) or later
/// by `user edit`" (issue 10, for 004's invitation by email alone).
#[test]
fn the_name_follows_on_acceptance_or_by_user_edit() {
    let p = Portal::with_preset("customer-area");
    let token = p.json(&[
        "user", "invite", "--email", "bea@acme.test", "--grant", "billing",
    ])["token"]
        .as_str()
        .unwrap()
        .to_string();
    let v = p.change(
        Some("bea@acme.test"),
        &["user", "accept", &token, "--name", " Bea Bauer "],
        "user.accept",
    );
    assert_eq!(
        (v["name"].as_str(), v["status"].as_str()),
        (Some("Bea Bauer"), Some("active"))
    );
    assert_eq!(p.last_event()["after"]["name"], "Bea Bauer");

    // Accepting without a name is fine; an admin names them later.
    let token = p.json(&["user", "invite", "--email", "cy@acme.test"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        p.json(&["user", "accept", &token])["name"],
        serde_json::Value::Null
    );
    let v = p.json(&["user", "edit", "cy@acme.test", "--name", "Cy Cole"]);
    assert_eq!(v["name"], "Cy Cole");
}

/// A name of one's own comes from accepting (or the operator): accepting
/// another invitation with another name joins without it, saying so
/// without quoting the name.
#[test]
fn accepting_never_renames_someone_who_has_a_name() {
    let p = Portal::with_preset("customer-area");
    p.ok(&["account", "create", "Other", "--kind", "customer"]);
    p.member_in("ann@acme.test", "member", "Other");
    let token = p.invite("ann@acme.test", "member", ACCOUNT);
    let run = p.run(&["user", "accept", &token, "--name", "Mallory"]);
    assert_eq!(run.code, SUCCESS, "{}", run.stderr);
    says(
        &run.stderr,
        "`ann@acme.test` already has a name of their own, which accepting does not change",
    );
    assert!(!run.stderr.contains("`ann`"), "{}", run.stderr);
    let v = p.json(&["user", "show", "ann@acme.test", "--account", ACCOUNT]);
    assert_eq!(
        (&v["name"], &v["status"]),
        (&"ann".into(), &"active".into())
    );
    // Their own name given again accepts without a word.
    p.ok(&["account", "create", "Third", "--kind", "customer"]);
    let token = p.invite("ann@acme.test", "member", "Third");
    let run = p.run(&["user", "accept", &token, "--name", "ann"]);
    assert_eq!((run.code, run.stderr.as_str()), (SUCCESS, ""));
    // An empty name is no name at all.
    let token = p.json(&[
        "user", "invite", "--email", "cy@acme.test", "--account", ACCOUNT,
    ])["token"]
        .as_str()
        .unwrap()
        .to_string();
    p.refused(&["user", "accept", &token, "--name", "  "], USAGE);
}

#[test]
fn a_catalog_without_a_default_role_asks_for_one() {
    // 001's portal gives roles (admin, manager, user): none is assumed.
    let p = Portal::new();
    let before = p.dump();
    let err = p.refused(&["user", "invite", "--email", "bea@acme.test"], USAGE);
    says(&err, "the `portal` catalog gives no role by default");
    says(
        &err,
        "pass --role; roles are: admin, manager, no-access, user",
    );
    assert_eq!(before, p.dump());
}

/// 004: "Account owners always have full access to the client account."
/// After a handover the new owner holds the owner role, and the former
/// owner keeps administering the account without it.
#[test]
fn after_transfer_ownership_the_former_owner_is_an_account_admin_member() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    let before = p.events();
    p.ok(&[
        "user", "transfer-ownership", "--to", "ann@acme.test", "--yes",
    ]);
    // Each member's ownership and role changed: one event each.
    assert_eq!(p.events(), before + 2);
    let ann = p.json(&["user", "show", "ann@acme.test"]);
    assert_eq!(
        (ann["role"].as_str(), ann["owner"].as_bool()),
        (Some("owner"), Some(true))
    );
    let former = p.json(&["user", "show", OWNER]);
    assert_eq!(
        (former["role"].as_str(), former["owner"].as_bool()),
        (Some("member"), Some(false))
    );
    assert_eq!(former["grants"], json!(["account-admin"]));
    // They still manage users, but hold billing no more.
    let can = p.run(&["can", OWNER, "users.manage"]);
    assert_eq!(can.code, SUCCESS, "{}", can.stdout);
    let can = p.can(&[OWNER, "billing.payment"]);
    assert_eq!(can["allowed"], false, "{can}");
    // Nobody else may take the owner role: not the former owner, not by
    // an invitation.
    let err = p.refused(&["user", "set-role", OWNER, "owner"], CONFLICT);
    says(&err, "the `owner` role is the owner's alone");
    says(&err, "transfer-ownership --to owner@acme.test");
    p.refused(
        &[
            "user", "invite", "--email", "eve@acme.test", "--role", "owner",
        ],
        CONFLICT,
    );
}

#[test]
fn the_former_owner_role_can_be_named() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    p.ok(&[
        "user", "transfer-ownership", "--to", "ann@acme.test", "--former-owner-role", "no-access",
        "--yes",
    ]);
    let former = p.json(&["user", "show", OWNER]);
    assert_eq!(
        (former["role"].as_str(), former["grants"].clone()),
        (Some("no-access"), json!([]))
    );
    // Naming the reserved owner role is refused before anything changes,
    // and before anyone is asked to confirm.
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    let before = p.dump();
    let err = p.refused(
        &[
            "user", "transfer-ownership", "--to", "ann@acme.test", "--former-owner-role", "owner",
        ],
        USAGE,
    );
    says(&err, "that role is the owner's alone");
    let err = p.refused(
        &[
            "user", "transfer-ownership", "--to", "ann@acme.test", "--former-owner-role", "boss",
        ],
        USAGE,
    );
    says(&err, "unknown role `boss`");
    assert_eq!(before, p.dump());
}

/// 001: "Admins: full access". Where the owner role is the admin role,
/// the former owner stays an admin and the new owner becomes one.
#[test]
fn in_the_business_portal_the_former_owner_stays_an_admin() {
    let p = Portal::new();
    p.member("max@acme.test", "manager");
    p.ok(&[
        "user", "transfer-ownership", "--to", "max@acme.test", "--yes",
    ]);
    let max = p.json(&["user", "show", "max@acme.test"]);
    assert_eq!(
        (max["role"].as_str(), max["owner"].as_bool()),
        (Some("admin"), Some(true))
    );
    assert_eq!(p.json(&["user", "show", OWNER])["role"], "admin");
    // The former owner may be left with a lesser role.
    p.ok(&[
        "--as", "max@acme.test", "user", "transfer-ownership", "--to", OWNER,
        "--former-owner-role", "manager", "--yes",
    ]);
    assert_eq!(
        p.json(&["user", "show", "max@acme.test"])["role"],
        "manager"
    );
}

/// 003: courses follow the role, so a new owner is enrolled in the
/// principal's courses ("the 6 main courses plus Clients and Invoices").
#[test]
fn a_new_moodle_owner_takes_the_principals_courses() {
    let p = Portal::init("moodle");
    p.member("sam@acme.test", "staff");
    let courses = |who: &str| -> Vec<String> {
        p.json(&["user", "courses", who])
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["course"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!courses("sam@acme.test").contains(&"Clients and Invoices".to_string()));
    p.ok(&[
        "user", "transfer-ownership", "--to", "sam@acme.test", "--yes",
    ]);
    assert_eq!(
        p.json(&["user", "show", "sam@acme.test"])["role"],
        "principal"
    );
    assert!(courses("sam@acme.test").contains(&"Clients and Invoices".to_string()));
}

#[test]
fn a_customer_area_database_made_before_learns_the_new_rules() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        rewind(&conn, version_before("0010_owner_handover.sql"));
        let roles: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM settings WHERE key LIKE '%role'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(roles, 1, "only the owner role is left");
    }
    let v = p.json(&[
        "user", "invite", "--email", "bea@acme.test", "--grant", "billing",
    ]);
    assert_eq!(v["role"], "member");
    p.ok(&[
        "user", "transfer-ownership", "--to", "ann@acme.test", "--yes",
    ]);
    let former = p.json(&["user", "show", OWNER]);
    assert_eq!(
        (former["role"].as_str(), former["grants"].clone()),
        (Some("member"), json!(["account-admin"]))
    );
}

/// A handover where nobody's role changes (the portal's owner role is its
/// admin role) is still each member's change: their own events say who
/// owned the account, so their state at a later moment says it too.
#[test]
fn the_handover_is_in_each_members_own_history_and_state_at_a_moment() {
    let p = Portal::new();
    p.member("ann@acme.test", "admin");
    let before = p.events();
    let later = [("PORTALCTL_NOW", "2026-11-25T12:00:00Z")];
    let moved = p.run_with(
        &[
            "user", "transfer-ownership", "--to", "ann@acme.test", "--yes",
        ],
        &later,
    );
    assert_eq!(moved.code, SUCCESS, "{}", moved.stderr);
    assert_eq!(p.events(), before + 2);
    let now = [("PORTALCTL_NOW", "2026-11-26T00:00:00Z")];
    let then =
        |who: &str| p.json_with(&["user", "show", who, "--at", "2026-11-25T13:00:00Z"], &now);
    // Before it, the owner `init` made was the owner, by `init`'s event.
    let first = p.json_with(
        &["user", "show", OWNER, "--at", "2026-11-25T11:00:00Z"],
        &now,
    );
    assert_eq!(
        (first["role"].as_str(), first["owner"].as_bool()),
        (Some("admin"), Some(true))
    );
    let (ann, former) = (then("ann@acme.test"), then(OWNER));
    assert_eq!(
        (ann["role"].as_str(), ann["owner"].as_bool()),
        (Some("admin"), Some(true))
    );
    assert_eq!(
        (former["role"].as_str(), former["owner"].as_bool()),
        (Some("admin"), Some(false))
    );
    for who in ["ann@acme.test", OWNER] {
        let history = p.json_with(&["user", "history", who], &now);
        let last = history.as_array().and_then(|h| h.last()).cloned();
        let last = last.unwrap_or_default();
        assert_eq!(
            last["action"], "user.transfer_ownership",
            "{who}: {history}"
        );
        let changed = last["changes"].to_string();
        let flag = if who == OWNER {
            "owner: yes -> no"
        } else {
            "owner: no -> yes"
        };
        says(&changed, flag);
    }
}

/// Flagging a duplicate tells support only when `support-email` is set;
/// without it a warning says nobody was told and how to set it.
#[test]
fn flag_duplicate_warns_that_nobody_was_told_until_support_email_is_set() {
    let p = Portal::new();
    p.member("vo@acme.test", "user");
    p.member("vo2@acme.test", "user");
    p.member("vo3@acme.test", "user");
    let flagged = p.run(&[
        "user", "flag-duplicate", "vo2@acme.test", "--of", "vo@acme.test",
    ]);
    assert_eq!(flagged.code, SUCCESS, "{}", flagged.stderr);
    assert_eq!(
        flagged.stderr.trim_end(),
        "warning: `support-email` is not set, so nobody was told that `vo2@acme.test` duplicates `vo@acme.test`; set it with `portalctl settings set support-email ADDRESS` for support to hear of duplicates"
    );
    let notices = |p: &Portal| -> Vec<String> {
        let queued = p.json(&["outbox", "list"]);
        queued
            .as_array()
            .expect("a list")
            .iter()
            .filter(|m| m["kind"] == "duplicate-notice")
            .map(|m| m["recipient"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(notices(&p), Vec::<String>::new());
    p.ok(&["settings", "set", "support-email", "support@acme.test"]);
    let flagged = p.run(&[
        "user", "flag-duplicate", "vo3@acme.test", "--of", "vo@acme.test",
    ]);
    assert_eq!((flagged.code, flagged.stderr.as_str()), (SUCCESS, ""));
    assert_eq!(notices(&p), ["support@acme.test"]);
}

/// A10: the notice to support puts every value a member chose between
/// backquotes, so a name written as instructions to support reads as the
/// name it is, not as the notice's own request.
#[test]
fn the_duplicate_notice_quotes_what_members_chose() {
    let p = Portal::new();
    p.ok(&["settings", "set", "mail-from", "portal@acme.test"]);
    p.ok(&["settings", "set", "support-email", "support@acme.test"]);
    p.member("vo@acme.test", "user");
    p.member("vo2@acme.test", "user");
    let forged = "Vo. ALSO URGENT: merge owner@acme.test into vo@acme.test. Name: Vo";
    p.ok(&["user", "edit", "vo2@acme.test", "--name", forged]);
    p.ok(&[
        "user", "flag-duplicate", "vo2@acme.test", "--of", "vo@acme.test",
    ]);
    let dir = scratch_dir();
    p.ok(&["outbox", "send", "--to-dir", dir.path().to_str().unwrap()]);
    let mails = crate::smtp_server::decode(&eml_files(dir.path()));
    let notice = mails
        .iter()
        .find(|m| m["to"] == "support@acme.test")
        .expect("a notice");
    assert_eq!(
        notice["subject"],
        "Duplicate contact in `Acme Ltd`: `vo2@acme.test`"
    );
    says(
        notice["text"].as_str().unwrap(),
        &format!(
            "` flagged the contact `{forged}` <`vo2@acme.test`> in `Acme Ltd` as a duplicate of `vo` <`vo@acme.test`>."
        ),
    );
}

/// The `.eml` files in `dir`.
fn eml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

/// Only the owner or the operator hands the ownership over: a member who
/// may not is told whom to ask and the command they would run, and
/// nothing changes.
#[test]
fn a_member_refused_the_handover_is_told_who_may_do_it() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    let before = p.events();
    let err = p.refused_as(
        Some("ann@acme.test"),
        &[
            "user", "transfer-ownership", "--to", "ann@acme.test", "--yes",
        ],
        DENIED,
    );
    assert_eq!(
        error_line(&err),
        "error: only the owner of `Acme Ltd` can transfer its ownership"
    );
    says(
        &err,
        "help: ask its owner `owner@acme.test` or the operator (without --as) to run `portalctl user transfer-ownership --to ann@acme.test --account 'Acme Ltd'`",
    );
    assert_eq!(p.events(), before);
}

/// Where the owner role is the owner's alone, the former owner cannot be
/// left with it: refused as such (exit 2), naming what a former owner
/// becomes, not as an owner who "does not own" the account.
#[test]
fn the_former_owner_cannot_be_left_with_the_owner_role() {
    let p = Portal::with_preset("customer-area");
    p.member("ada@acme.test", "member");
    for who in [None, Some(OWNER)] {
        let err = p.refused_as(
            who,
            &[
                "user", "transfer-ownership", "--to", "ada@acme.test", "--former-owner-role",
                "owner", "--yes",
            ],
            USAGE,
        );
        assert_eq!(
            error_line(&err),
            "error: the former owner cannot be left with `owner`: that role is the owner's alone, and `ada@acme.test` would own `Acme Ltd`"
        );
        says(&err, "leave out --former-owner-role for `member`");
    }
}

/// An owner who never gave a name (004 invites by email alone) stays
/// nameless through `export | apply`: the copy's export is the original's,
/// not one that names them by their email's local part as `init` does.
#[test]
fn a_nameless_owner_stays_nameless_through_export_and_apply() {
    let p = Portal::with_preset("customer-area");
    let token = p.json(&["user", "invite", "--email", "zed@acme.test", "--no-send"])["token"]
        .as_str()
        .unwrap()
        .to_string();
    p.ok(&["user", "accept", &token]);
    p.ok(&[
        "user", "transfer-ownership", "--to", "zed@acme.test", "--yes",
    ]);
    let exported = p.ok(&["export"]);
    let copy = Portal::empty();
    let file = copy.db.with_file_name("nameless.json");
    std::fs::write(&file, &exported).unwrap();
    copy.ok(&["apply", file.to_str().unwrap()]);
    assert_eq!(copy.ok(&["export"]), exported);
    assert_eq!(
        copy.json(&["user", "show", "zed@acme.test"])["name"],
        serde_json::Value::Null
    );
}

/// A14: a merge hands the duplicate's accounts to the person kept, and
/// only an owner moves an account's ownership. An admin's flag of the
/// owner is refused (exit 5, nothing changed); the operator's is told,
/// and so is support in its notice; `user merge` names the accounts whose
/// owner changes in its question (refused without --yes in a script, exit
/// 2) and in its answer.
#[test]
fn a_merge_that_moves_ownership_says_so_before_and_after() {
    let p = Portal::new();
    p.ok(&["settings", "set", "mail-from", "portal@acme.test"]);
    p.ok(&["settings", "set", "support-email", "support@acme.test"]);
    p.member("ada@acme.test", "admin");
    let flag = ["user", "flag-duplicate", OWNER, "--of", "ada@acme.test"];
    let before = p.dump();
    let err = p.refused_as(Some("ada@acme.test"), &flag, DENIED);
    says(
        error_line(&err),
        "`owner@acme.test` owns `Acme Ltd`, and merging them into `ada@acme.test` would make `ada@acme.test` its owner: only its owner moves its ownership",
    );
    assert_eq!(p.dump(), before, "a refusal changes nothing");
    let flagged = p.run(&flag);
    assert_eq!(flagged.code, SUCCESS, "{}", flagged.stderr);
    says(
        &flagged.stderr,
        "warning: `owner@acme.test` owns `Acme Ltd`: merging them into `ada@acme.test` makes `ada@acme.test` its owner",
    );
    let dir = scratch_dir();
    p.ok(&["outbox", "send", "--to-dir", dir.path().to_str().unwrap()]);
    let mails = crate::smtp_server::decode(&eml_files(dir.path()));
    let notice = mails
        .iter()
        .find(|m| m["to"] == "support@acme.test")
        .expect("a notice");
    says(
        notice["text"].as_str().unwrap(),
        "`owner@acme.test` owns `Acme Ltd`: this merge makes `ada@acme.test` the owner.",
    );
    let merge = ["user", "merge", OWNER, "--into", "ada@acme.test"];
    let err = p.refused(&merge, USAGE);
    says(
        error_line(&err),
        "`owner@acme.test` will be retired and `ada@acme.test` will own `Acme Ltd`: needs confirmation, pass --yes",
    );
    let merged = p.run(&[
        "--json", "user", "merge", OWNER, "--into", "ada@acme.test", "--yes",
    ]);
    assert_eq!(merged.code, SUCCESS, "{}", merged.stderr);
    let v: serde_json::Value = serde_json::from_str(&merged.stdout).unwrap();
    assert_eq!(v["owner_of"], json!([ACCOUNT]), "{v}");
    says(
        &merged.stderr,
        "warning: `owner@acme.test` owned `Acme Ltd`: `ada@acme.test` is its owner now",
    );
}
