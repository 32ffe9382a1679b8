//! `status`: which database, its schema and preset, counts, and health.

use crate::support::*;

#[test]
fn status_names_the_database_and_counts_by_what_the_actor_may_see() {
    let p = Portal::with_preset("lmp");
    p.customer("Beta Co");
    p.member("ann@acme.test", "partner-view-only");
    p.member_in("bob@beta.test", "partner-administrator", "Beta Co");
    p.invite("cat@beta.test", "partner-view-only", "Beta Co");
    p.ok(&[
        "order", "place", "--account", "Beta Co", "--description", "Desk", "--amount", "5",
    ]);

    let all = p.json(&["status"]);
    assert_eq!(all["database"], p.db.display().to_string());
    assert_eq!(all["schema_version"], all["schema_current"]);
    assert_eq!(all["preset"], "lmp");
    assert_eq!(all["accounts"], 2);
    assert_eq!(all["members"], 3, "{all}");
    assert_eq!(all["pending_invitations"], 1);
    assert_eq!(all["mail_pending"], 1, "the open invitation's email: {all}");
    assert_eq!(all["pending_orders"], 0, "no policy holds the order");
    assert_eq!(all["mail_failed"], 0);
    assert_eq!(all["integrity_ok"], true);
    assert_eq!(all["audit_chain_ok"], true);

    // A member counts their own accounts only, and sees no outbox.
    let ann = p.json_as(Some("ann@acme.test"), &["status"]);
    assert_eq!(ann["accounts"], 1, "{ann}");
    assert_eq!(ann["members"], 2, "owner and ann: {ann}");
    assert_eq!(ann["pending_invitations"], 0);
    assert_eq!(ann["pending_orders"], 0);
    assert_eq!(ann["mail_pending"], serde_json::Value::Null);
    assert_eq!(ann["audit_chain_ok"], true);

    // What happens in another account does not show.
    p.member_in("dan@beta.test", "partner-view-only", "Beta Co");
    assert_eq!(ann, p.json_as(Some("ann@acme.test"), &["status"]));

    // Each count is of what the member may see: the account's users and
    // every order. Someone blocked sees nothing counted at all.
    let p = Portal::new();
    p.member("una@acme.test", "user");
    p.member("nob@acme.test", "no-access");
    p.member("fay@acme.test", "admin");
    p.member("max@acme.test", "manager");
    p.invite("ivy@acme.test", "user", ACCOUNT);
    p.ok(&["policy", "create", "--name", "All", "--threshold", "0"]);
    p.json_as(
        Some("max@acme.test"),
        &["order", "place", "--description", "Desk", "--amount", "5"],
    );
    let fay = p.json_as(Some("fay@acme.test"), &["status"]);
    let counts = |v: &serde_json::Value| {
        [
            "accounts", "members", "pending_invitations", "pending_orders",
        ]
        .map(|k| v[k].as_i64())
    };
    assert_eq!(counts(&fay), [Some(1), Some(5), Some(1), Some(1)], "{fay}");
    // A count the member may see in none of their accounts is withheld,
    // `null` (and `hidden` in the table, as `account show` says it), as
    // the outbox's are, not 0.
    let una = p.json_as(Some("una@acme.test"), &["status"]);
    assert_eq!(counts(&una), [Some(1), None, None, None], "{una}");
    for key in ["members", "pending_invitations", "pending_orders"] {
        assert!(una[key].is_null(), "{key}: {una}");
    }
    let table = p.run_as(Some("una@acme.test"), &["status"]).stdout;
    for label in ["members", "pending invitations", "pending orders"] {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(label) && l.trim_end().ends_with(" hidden")),
            "{label}: {table}"
        );
    }
    let nob = p.json_as(Some("nob@acme.test"), &["status"]);
    assert_eq!(counts(&nob), [Some(0), None, None, None], "{nob}");
    // `account show` and `account list` withhold the member count alike
    // from who may not see the users; fay sees it.
    let una = Some("una@acme.test");
    assert!(p.json_as(una, &["account", "show"])["active_members"].is_null());
    assert!(p.json_as(una, &["account", "list"])[0]["active_members"].is_null());
    let listed = p.run_as(una, &["account", "list"]).stdout;
    assert!(
        listed
            .lines()
            .nth(1)
            .is_some_and(|l| l.trim_end().ends_with(" hidden")),
        "{listed}"
    );
    let shown = p.run_as(una, &["account", "show"]).stdout;
    assert!(
        shown
            .lines()
            .any(|l| l.trim_start().starts_with("active members")
                && l.trim_end().ends_with(" hidden")),
        "{shown}"
    );
    // The operator's own status counts the mail, which a member's hides.
    let table = p.run_as(una, &["status"]).stdout;
    for label in ["mail pending", "mail failed"] {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(label) && l.trim_end().ends_with(" hidden")),
            "{label}: {table}"
        );
    }
    let fay = Some("fay@acme.test");
    assert_eq!(p.json_as(fay, &["account", "show"])["active_members"], 5);
    assert_eq!(p.json_as(fay, &["account", "list"])[0]["active_members"], 5);

    let text = p.ok(&["status"]);
    says(&text, "audit chain          ok");
    says(&text, "integrity check      ok");
}

#[test]
fn status_reports_a_broken_audit_chain_and_changes_nothing() {
    let p = Portal::new();
    let before = p.dump();
    let v = p.json(&["status"]);
    assert_eq!(v["audit_chain_ok"], true);
    assert_eq!(before, p.dump(), "status is read-only");
    rusqlite::Connection::open(&p.db)
        .unwrap()
        .execute_batch("DROP TRIGGER audit_events_no_update")
        .unwrap();
    // The whole report is printed, and the exit code is the one `audit
    // verify` fails with, so that a health check fails.
    let verify = p.run(&["audit", "verify"]);
    assert_eq!(verify.code, CONFLICT, "{}", verify.stderr);
    let run = p.run(&["--json", "status"]);
    assert_eq!(run.code, verify.code, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["audit_chain_ok"], false, "{v}");
    says(&v["problems"][0].to_string(), "audit");
    let table = p.run(&["status"]);
    assert_eq!(table.code, verify.code, "{}", table.stderr);
    says(&table.stdout, "audit chain");
    says(&table.stdout, "integrity check      ok");
    // A member sees it fail as well.
    let member = p.run_as(Some(OWNER), &["status"]);
    assert_eq!(member.code, verify.code, "{}", member.stderr);
}

#[test]
fn status_fails_on_a_file_that_fails_its_integrity_check() {
    let p = Portal::new();
    // An index whose stored definition no longer matches its entries: the
    // file opens and every command runs, but SQLite's check finds rows
    // missing from the index.
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        conn.execute_batch(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_master
                SET sql = 'CREATE INDEX audit_by_actor ON audit_events (seq, actor)'
              WHERE name = 'audit_by_actor';
             PRAGMA writable_schema = OFF;",
        )
        .unwrap();
    }
    let verify = p.run(&["audit", "verify"]);
    assert_eq!(verify.code, 0, "the chain itself holds: {}", verify.stderr);
    let run = p.run(&["--json", "status"]);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["integrity_ok"], false, "{v}");
    assert_eq!(v["audit_chain_ok"], true, "{v}");
    says(&v["problems"][0].to_string(), "integrity: ");
    let table = p.run(&["status"]);
    assert_eq!(table.code, CONFLICT, "{}", table.stderr);
    says(&table.stdout, "audit chain          ok");
    let member = p.run_as(Some(OWNER), &["status"]);
    assert_eq!(member.code, CONFLICT, "{}", member.stderr);
}

/// A page too damaged for SQLite's check to read past is what the check
/// finds: the report is printed and `status` fails (exit 4), not an
/// internal error.
#[test]
fn status_reports_a_page_the_integrity_check_cannot_read() {
    let p = Portal::new();
    overwrite_root_page(&p, "audit_by_actor");
    let run = p.run(&["status"]);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    says(&run.stdout, "integrity check      FAILED");
    says(&run.stdout, "malformed");
}

/// A table `status` counts, too damaged to read: the report says so
/// (exit 4), as for a file too damaged to open.
#[test]
fn status_reports_a_table_it_cannot_count() {
    let p = Portal::new();
    overwrite_root_page(&p, "memberships");
    let run = p.run(&["status"]);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    says(&run.stdout, "integrity check      FAILED");
    says(&run.stdout, "malformed");
    says(error_line(&run.stderr), "fails its integrity check");
}

/// Writes over the first bytes of the root page of `name`.
fn overwrite_root_page(p: &Portal, name: &str) {
    let (page, size) = {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        let page: i64 = conn
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap();
        let size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        (page, size)
    };
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut file = std::fs::OpenOptions::new().write(true).open(&p.db).unwrap();
        file.seek(SeekFrom::Start(u64::try_from((page - 1) * size).unwrap()))
            .unwrap();
        file.write_all(&[0xff; 64]).unwrap();
    }
}

/// A file cut short (a copy interrupted) cannot even be opened: `status`
/// still reports the file and the damage as the integrity check's finding
/// and fails (exit 4) with one `error:` line; other commands fail on it
/// saying the file is damaged.
#[test]
fn status_reports_a_truncated_file_and_fails() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    rusqlite::Connection::open(&p.db)
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let bytes = std::fs::read(&p.db).unwrap();
    std::fs::write(&p.db, &bytes[..8192]).unwrap();

    let run = p.run(&["--json", "status"]);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["database"], p.db.display().to_string());
    assert_eq!(v["integrity_ok"], false, "{v}");
    assert!(v["audit_chain_ok"].is_null(), "not checked: {v}");
    assert!(v["accounts"].is_null(), "{v}");
    says(&v["problems"][0].to_string(), "integrity: ");
    says(&v["problems"][0].to_string(), "malformed");
    let error: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(error["error"]["kind"], "conflict", "{error}");

    let table = p.run(&["status"]);
    assert_eq!(table.code, CONFLICT, "{}", table.stderr);
    says(&table.stdout, "integrity check      FAILED");
    says(&table.stdout, "audit chain          not checked");
    let errors: Vec<&str> = table
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", table.stderr);
    says(errors[0], "fails its integrity check");
    assert!(!table.stderr.contains("panicked"), "{}", table.stderr);

    let list = p.run(&["user", "list"]);
    assert_eq!(list.code, 1, "{}", list.stderr);
    says(error_line(&list.stderr), "the database file is damaged");
}

/// A row naming one that does not exist (a membership's role deleted
/// behind portalctl's back) fails the integrity check: `status` names the
/// table, the row and the table it points to, and exits 4.
#[test]
fn status_fails_on_a_reference_to_a_row_that_does_not_exist() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let id = p.text("SELECT m.id FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.email = 'ann@acme.test'");
    rusqlite::Connection::open(&p.db)
        .unwrap()
        .execute_batch(&format!(
            "PRAGMA foreign_keys = OFF; UPDATE memberships SET role_id = 9999 WHERE id = {id}"
        ))
        .unwrap();
    let run = p.run(&["--json", "status"]);
    assert_eq!(run.code, CONFLICT, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["integrity_ok"], false, "{v}");
    assert_eq!(v["audit_chain_ok"], true, "{v}");
    assert_eq!(
        v["problems"][0],
        format!("integrity: foreign key: `memberships` row {id} names a `roles` row that does not exist"),
        "{v}"
    );
    let table = p.run(&["status"]);
    assert_eq!(table.code, CONFLICT, "{}", table.stderr);
    says(&table.stdout, "integrity check      FAILED");
    says(error_line(&table.stderr), "fails its integrity check");
}

/// An expired invitation can no longer be accepted: `status` does not
/// count it as pending (`user list --expired` lists it to resend).
#[test]
fn status_counts_open_invitations_only() {
    let p = Portal::new();
    p.invite("ivy@acme.test", "user", ACCOUNT);
    assert_eq!(p.json(&["status"])["pending_invitations"], 1);
    let later = p.json_with(&["status"], &[("PORTALCTL_NOW", "2026-12-03T10:00:00Z")]);
    assert_eq!(later["pending_invitations"], 0, "{later}");
}
