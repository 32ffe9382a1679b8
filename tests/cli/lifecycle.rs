//! Members after acceptance: roles, grants, deactivation, leaving,
//! duplicates, ownership, and what the audit log says of it.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::{says, Portal, ACCOUNT, CONFLICT, DENIED, NOT_FOUND, OWNER, SUCCESS, USAGE};

#[test]
fn set_role_changes_capabilities_at_once() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    assert_eq!(p.can(&["ann@acme.test", "orders.place"])["allowed"], false);
    let v = p.json(&["user", "set-role", "ann@acme.test", "manager"]);
    assert_eq!(v["role"], "manager");
    assert_eq!(p.can(&["ann@acme.test", "orders.place"])["allowed"], true);
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["action"], "user.set_role");
    assert_eq!(audit[0]["before"]["role"], "user");
    assert_eq!(audit[0]["after"]["role"], "manager");
    assert_eq!(audit[0]["actor"], "operator:tester");
    // The same role again changes nothing and records nothing.
    let events = p.query("SELECT COUNT(*) FROM audit_events");
    p.ok(&["user", "set-role", "ann@acme.test", "manager"]);
    assert_eq!(p.query("SELECT COUNT(*) FROM audit_events"), events);
}

#[test]
fn an_admin_acting_as_themselves_manages_users() {
    let p = Portal::new();
    p.member("ann@acme.test", "admin");
    p.member("bob@acme.test", "user");
    let v = p.json_as(
        Some("ann@acme.test"),
        &["user", "set-role", "bob@acme.test", "manager"],
    );
    assert_eq!(v["role"], "manager");
    let audit = p.json(&["audit", "list", "--limit", "1"]);
    assert_eq!(audit[0]["actor"], "ann@acme.test");
    // A manager cannot: "Only admin contacts can manage users."
    let err = p.refused_as(
        Some("bob@acme.test"),
        &["user", "deactivate", "--yes", "ann@acme.test"],
        DENIED,
    );
    assert!(
        err.contains("users.manage") && err.contains("owner@acme.test"),
        "{err}"
    );
}

#[test]
fn grants_add_to_the_role_and_say_where_they_come_from() {
    let p = Portal::with_preset("customer-area");
    p.member("ann@acme.test", "member");
    let v = p.json(&["user", "grant", "ann@acme.test", "billing,domains"]);
    assert_eq!(v["grants"], serde_json::json!(["billing", "domains"]));
    let can = p.can(&["ann@acme.test", "billing.payment"]);
    assert_eq!(
        (can["allowed"].as_bool(), can["reason"].as_str()),
        (Some(true), Some("granted by area `billing`"))
    );
    let can = p.can(&["ann@acme.test", "domains.manage"]);
    assert_eq!(can["reason"], "granted by area `domains`");
    let shown = p.json(&["user", "show", "ann@acme.test"]);
    let caps: Vec<&str> = shown["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        caps,
        ["portal.access", "account.view", "billing.view", "billing.payment", "domains.manage"]
    );
    let v = p.json(&["user", "revoke", "ann@acme.test", "billing"]);
    assert_eq!(v["grants"], serde_json::json!(["domains"]));
    assert_eq!(p.can(&["ann@acme.test", "billing.view"])["allowed"], false);
    // Grants count for nothing in the blocking role or while inactive.
    p.ok(&["user", "set-role", "ann@acme.test", "no-access"]);
    let can = p.can(&["ann@acme.test", "domains.manage"]);
    assert_eq!(
        (can["allowed"].as_bool(), can["reason"].as_str()),
        (Some(false), Some("role `no-access` blocks all access"))
    );
    p.ok(&["user", "set-role", "ann@acme.test", "member"]);
    p.ok(&["user", "deactivate", "--yes", "ann@acme.test"]);
    let can = p.can(&["ann@acme.test", "domains.manage"]);
    assert_eq!(can["allowed"], false);
    assert!(can["reason"].as_str().unwrap().contains("deactivated"));
}

#[test]
fn deactivate_and_activate_keep_the_role() {
    let p = Portal::new();
    p.member("ann@acme.test", "manager");
    let v = p.json(&["user", "deactivate", "--yes", "ann@acme.test"]);
    assert_eq!(
        (v["status"].as_str(), v["role"].as_str()),
        (Some("deactivated"), Some("manager"))
    );
    // "They cannot log in, but their history ... is preserved."
    p.refused_as(Some("ann@acme.test"), &["account", "show"], DENIED);
    assert_eq!(p.query("SELECT COUNT(*) FROM memberships WHERE person_id = (SELECT id FROM people WHERE email = 'ann@acme.test')"), "Integer(1)");
    let v = p.json(&["user", "activate", "ann@acme.test"]);
    assert_eq!(
        (v["status"].as_str(), v["role"].as_str()),
        (Some("active"), Some("manager"))
    );
    p.json_as(Some("ann@acme.test"), &["account", "show"]);
}

#[test]
fn left_company_blocks_access_and_activate_restores_the_role() {
    let p = Portal::with_preset("lmp");
    p.member("ann@acme.test", "partner-allocator");
    // "Setting a user to Left the Company will set that users account's permission level to No LMP access."
    let v = p.json(&["user", "left-company", "--yes", "ann@acme.test"]);
    assert_eq!(
        (v["status"].as_str(), v["role"].as_str()),
        (Some("left"), Some("no-lmp-access"))
    );
    assert_eq!(p.can(&["ann@acme.test", "portal.access"])["allowed"], false);
    p.refused_as(Some("ann@acme.test"), &["account", "show"], DENIED);
    let v = p.json(&["user", "activate", "ann@acme.test"]);
    assert_eq!(
        (v["status"].as_str(), v["role"].as_str()),
        (Some("active"), Some("partner-allocator"))
    );
}

#[test]
fn user_list_filters_by_status_and_role() {
    let p = Portal::new();
    p.member("ann@acme.test", "manager");
    p.member("bob@acme.test", "user");
    p.invite("cat@acme.test", "user", ACCOUNT);
    let emails = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["user", "list"];
        all.extend_from_slice(args);
        p.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["email"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        emails(&[]),
        ["ann@acme.test", "bob@acme.test", "cat@acme.test", OWNER]
    );
    assert_eq!(emails(&["--status", "invited"]), ["cat@acme.test"]);
    assert_eq!(
        emails(&["--role", "user"]),
        ["bob@acme.test", "cat@acme.test"]
    );
    assert_eq!(
        emails(&["--role", "user", "--status", "active", "--account", ACCOUNT]),
        ["bob@acme.test"]
    );
    let first = &p.json(&["user", "list"])[0];
    for field in [
        "email", "name", "account", "role", "status", "grants", "invited_at", "accepted_at",
        "timezone",
    ] {
        assert!(first.get(field).is_some(), "member JSON lacks `{field}`");
    }
}

#[test]
fn members_may_see_themselves_without_users_view() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let me = p.json_as(Some("ann@acme.test"), &["user", "show", "ann@acme.test"]);
    assert_eq!(me["role"], "user");
    assert_eq!(
        p.can(&["ann@acme.test", "tickets.raise", "--as", "ann@acme.test"])["allowed"],
        true
    );
    p.refused_as(Some("ann@acme.test"), &["user", "show", OWNER], DENIED);
}

#[test]
fn transfer_ownership_moves_every_capability_and_the_protections() {
    let p = Portal::new();
    p.member("ann@acme.test", "manager");
    // Only the owner may transfer; an admin is not enough.
    p.member("adm@acme.test", "admin");
    p.refused_as(
        Some("adm@acme.test"),
        &[
            "user", "transfer-ownership", "--to", "adm@acme.test", "--yes",
        ],
        DENIED,
    );
    let v = p.json_as(
        Some(OWNER),
        &[
            "user", "transfer-ownership", "--to", "ann@acme.test", "--yes",
        ],
    );
    assert_eq!(v["owner"], true);
    assert_eq!(p.json(&["account", "show"])["owner"], "ann@acme.test");
    assert_eq!(
        p.can(&["ann@acme.test", "users.manage"])["reason"],
        "account owner: holds every capability"
    );
    // The former owner can now be changed; the new one cannot be deactivated.
    p.ok(&["user", "set-role", OWNER, "user"]);
    p.refused(&["user", "deactivate", "--yes", "ann@acme.test"], CONFLICT);
}

#[test]
fn merge_moves_memberships_and_retires_the_duplicate() {
    let p = Portal::new();
    p.ok(&["account", "create", "Other Ltd", "--kind", "customer"]);
    p.member("ann@acme.test", "user");
    p.member("ann.smith@acme.test", "manager");
    p.member_in("ann.smith@acme.test", "user", "Other Ltd");
    let v = p.json(&[
        "user", "flag-duplicate", "ann.smith@acme.test", "--of", "ann@acme.test", "--account",
        ACCOUNT,
    ]);
    assert_eq!(v["duplicate_of"], "ann@acme.test");
    let v = p.json(&[
        "user", "merge", "ann.smith@acme.test", "--into", "ann@acme.test", "--yes",
    ]);
    assert_eq!(v["moved"], serde_json::json!(["Other Ltd"]));
    assert_eq!(v["ended"], serde_json::json!([ACCOUNT]));
    // The kept person is now in both accounts; the duplicate is retired, not deleted.
    let other = p.json(&["user", "show", "ann@acme.test", "--account", "Other Ltd"]);
    assert_eq!(other["status"], "active");
    assert_eq!(p.query("SELECT COUNT(*) FROM people WHERE email = 'ann.smith@acme.test' AND merged_into IS NOT NULL"), "Integer(1)");
    let err = p.refused(&["user", "show", "ann.smith@acme.test"], CONFLICT);
    assert!(err.contains("merged into `ann@acme.test`"), "{err}");
    // One event per changed object: the membership that moved, the one
    // that ended, and the retired person.
    assert_eq!(
        p.query("SELECT COUNT(*) FROM audit_events WHERE action = 'user.merge'"),
        "Integer(3)"
    );
}

#[test]
fn the_audit_log_is_a_hash_chain_and_append_only() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.ok(&["user", "deactivate", "--yes", "ann@acme.test"]);
    let events = p.json(&["audit", "list"]);
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 4, "init, invite, accept, deactivate");
    assert_eq!(events[0]["prev_hash"], "0".repeat(64));
    for pair in events.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"]);
    }
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    assert!(conn
        .execute("UPDATE audit_events SET actor = 'x'", [])
        .is_err());
    assert!(conn.execute("DELETE FROM audit_events", []).is_err());
    // Replacing an event is refused too: the conflict's delete fires no
    // DELETE trigger, so the schema guards the insert itself.
    for replace in [
        "INSERT OR REPLACE INTO audit_events (seq, at, actor, action, prev_hash, hash)
         VALUES (1, 'x', 'mallory', 'x', 'x', 'new')",
        "REPLACE INTO audit_events (seq, at, actor, action, prev_hash, hash)
         VALUES (4, 'x', 'mallory', 'x', 'x', 'new')",
    ] {
        assert!(conn.execute(replace, []).is_err(), "{replace}");
    }
    assert_eq!(
        p.text("SELECT actor FROM audit_events WHERE seq = 1"),
        events[0]["actor"].as_str().unwrap()
    );
    drop(conn);
    p.ok(&["audit", "verify"]);
    // An event copied under a number of its own replaces nothing, and
    // the chain tells it from the events before it: its hash names
    // another predecessor.
    rusqlite::Connection::open(&p.db).unwrap().execute(
        "REPLACE INTO audit_events (seq, at, actor, action, prev_hash, hash, hash_version)
         SELECT 5, at, actor, action, prev_hash, hash, hash_version FROM audit_events WHERE seq = 1",
        [],
    )
    .unwrap();
    assert_eq!(p.text("SELECT COUNT(*) FROM audit_events"), "5");
    let err = p.refused(&["audit", "verify"], CONFLICT);
    says(&err, "broken at event 5");
}

/// Runs SQL on the file behind portalctl's back, as its owner could.
fn tamper(p: &Portal, sql: &str) {
    rusqlite::Connection::open(&p.db)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

#[test]
fn audit_verify_proves_the_chain_and_an_anchor_kept_elsewhere_catches_a_rewrite() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let head = p.json(&["audit", "head"]);
    assert_eq!(head["seq"], 3, "init, invite, accept");
    let anchor = format!("{}:{}", head["seq"], head["hash"].as_str().unwrap());
    let v = p.json(&["audit", "verify", "--anchor", &anchor]);
    assert_eq!(
        (v["intact"].as_bool(), v["events"].as_i64()),
        (Some(true), Some(3))
    );
    // Only the operator, who owns the whole file, verifies it.
    p.refused_as(Some("ann@acme.test"), &["audit", "verify"], DENIED);
    p.refused(&["audit", "verify", "--anchor", "3:nothex"], USAGE);
    // An edited event is named.
    let edited = Portal::new();
    edited.member("ann@acme.test", "user");
    tamper(&edited, "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 2;");
    let err = edited.refused(&["audit", "verify"], CONFLICT);
    says(&err, "broken at event 2: its content was edited");
    // A missing event breaks the order.
    tamper(
        &p,
        "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 2;",
    );
    let err = p.refused(&["audit", "verify"], CONFLICT);
    says(&err, "broken at event 3");
    // Truncated to before the anchor, the guard put back: only the anchor
    // tells.
    tamper(
        &p,
        "DELETE FROM audit_events WHERE seq >= 2;
         CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    );
    p.ok(&["audit", "verify"]);
    let err = p.refused(&["audit", "verify", "--anchor", &anchor], CONFLICT);
    says(&err, "no event 3");
}

#[test]
fn audit_list_filters() {
    let mut p = Portal::new();
    p.ok(&["account", "create", "Other Ltd", "--kind", "customer"]);
    p.now = "2026-11-26T10:00:00Z".into();
    p.member("ann@acme.test", "admin");
    let count = |args: &[&str]| {
        let mut all = vec!["audit", "list"];
        all.extend_from_slice(args);
        p.json(&all).as_array().unwrap().len()
    };
    assert_eq!(count(&[]), 4);
    assert_eq!(count(&["--account", "Other Ltd"]), 1);
    assert_eq!(count(&["--since", "2026-11-26T00:00:00Z"]), 2);
    assert_eq!(count(&["--since", "1h"]), 2);
    assert_eq!(count(&["--actor", "ann@acme.test"]), 1);
    // The operator is found by their login name, with or without the prefix.
    let operator = p.json(&["audit", "list"])[0]["actor"]
        .as_str()
        .unwrap()
        .to_string();
    let login = operator.strip_prefix("operator:").unwrap();
    assert_eq!(count(&["--actor", &operator]), 3);
    assert_eq!(count(&["--actor", login]), 3);
    assert_eq!(count(&["--limit", "3"]), 3);
    // A member with users.manage reads their own account's events only:
    // every one but the creation of Other Ltd.
    let theirs = p.json_as(Some("ann@acme.test"), &["audit", "list"]);
    let accounts: Vec<&str> = theirs
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["account"].as_str().unwrap())
        .collect();
    assert_eq!(accounts, [ACCOUNT; 3], "{theirs}");
}

/// `portalctl user list | head -n 1`: the reader goes away after one line,
/// while the list is still being written.
#[test]
fn a_closed_pipe_exits_quietly() {
    // Many rows with names as long as a name may be, so that what follows
    // the table's first line is more than a pipe holds by default (16
    // pages: 64 KiB, or 256 KiB with 16 KiB pages): the writer is still
    // writing when the pipe closes.
    let p = Portal::empty();
    let long = "N".repeat(1_000);
    let users: Vec<serde_json::Value> = (0..300)
        .map(|i| serde_json::json!({"email": format!("u{i}@acme.test"), "name": long, "role": "user"}))
        .collect();
    let fixture = serde_json::json!({"preset": "portal", "accounts": [{
        "name": long, "owner": OWNER, "users": users}]});
    let file = p.db.with_file_name("long.json");
    std::fs::write(&file, fixture.to_string()).unwrap();
    p.ok(&["apply", file.to_str().unwrap()]);
    let whole = p.ok(&["user", "list"]);
    let rest = whole.len() - whole.lines().next().unwrap_or("").len();
    assert!(rest > 256 << 10, "{rest} bytes fit in a pipe");

    let mut child = p
        .command(&["user", "list"], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: the pipe is closed.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("EMAIL"), "{first}");
    assert_eq!(out.status.code(), Some(SUCCESS));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `user merge` checks both people and the actor's rights before it asks
/// to confirm: what would be refused anyway says so first, with its own
/// exit code, and a merge that would go through still waits for the
/// answer (here none can be given: no terminal, no --yes), having changed
/// nothing.
#[test]
fn user_merge_checks_both_people_and_the_actor_before_asking_to_confirm() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    p.member("ann.b@acme.test", "user");
    // Vic sees the users but may not manage them.
    p.ok(&[
        "role", "create", "viewer", "--capabilities", "account.view,users.view",
    ]);
    p.member("vic@acme.test", "viewer");
    let events = p.events();
    for (args, code) in [
        (["ghost@acme.test", "ann@acme.test"], NOT_FOUND),
        (["ann.b@acme.test", "ghost@acme.test"], NOT_FOUND),
        (["ann@acme.test", "ann@acme.test"], USAGE),
    ] {
        let err = p.refused(&["user", "merge", args[0], "--into", args[1]], code);
        assert!(!err.contains("confirmation"), "{err}");
    }
    let err = p.refused_as(
        Some("vic@acme.test"),
        &[
            "user", "merge", "ann.b@acme.test", "--into", "ann@acme.test",
        ],
        DENIED,
    );
    says(&err, "may not merge people");
    let err = p.refused(
        &[
            "user", "merge", "ann.b@acme.test", "--into", "ann@acme.test",
        ],
        USAGE,
    );
    says(&err, "needs confirmation");
    assert_eq!(p.events(), events, "nothing was written");
    p.ok(&[
        "--yes", "user", "merge", "ann.b@acme.test", "--into", "ann@acme.test",
    ]);
    assert!(p.events() > events);
}

/// `portalctl ... 2>&1 | head -c1`: the reader of stderr goes away; the
/// error is lost, and the exit code still says what happened.
#[test]
fn a_closed_stderr_keeps_the_exit_code() {
    let p = Portal::new();
    let mut child = p
        .command(&["--as", "ghost@nowhere.test", "user", "list"], &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(NOT_FOUND), "{status:?}");
}

/// 001: "Their account is immediately disabled. They cannot log in": a
/// deactivated member is refused every list alike (services included),
/// and told that access comes first, not which role gives what they asked.
#[test]
fn a_deactivated_member_is_refused_every_list_and_told_access_comes_first() {
    let p = Portal::new();
    p.member("bob@acme.test", "user");
    let seen = p.json_as(Some("bob@acme.test"), &["service", "list"]);
    assert_eq!(seen, serde_json::json!([]), "active, he sees what is his");
    p.ok(&["user", "deactivate", "--yes", "bob@acme.test"]);
    for list in [
        &["service", "list"][..],
        &["policy", "list"],
        &["user", "list"],
    ] {
        let err = p.refused_as(Some("bob@acme.test"), list, DENIED);
        says(
            &err,
            "help: `bob@acme.test` holds nothing in `Acme Ltd` now: an admin of it can give their access back",
        );
        assert!(!err.contains("it comes with"), "{err}");
    }
    // One who never accepted is told to accept, not that access was taken.
    p.invite("ivy@acme.test", "user", ACCOUNT);
    let err = p.refused_as(Some("ivy@acme.test"), &["policy", "list"], DENIED);
    says(
        &err,
        "help: `ivy@acme.test` has not accepted their invitation to `Acme Ltd` yet: `portalctl user accept TOKEN`",
    );
}
