//! `audit verify` against someone who can write the database file: every
//! column of an event is covered by its hash, hash versions cannot be
//! flipped or downgraded, a database from before hash versions still
//! verifies, and a missing append-only guard is a fault.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::{
    rewind, says, schema_version, version_before, Portal, ACCOUNT, CONFLICT, DENIED, OWNER,
};

/// The triggers that keep the audit log append-only.
const GUARDS: [&str; 3] = [
    "audit_events_no_update", "audit_events_no_delete", "audit_events_no_replace",
];

/// Runs SQL on the file behind portalctl's back, as its owner could.
fn tamper(p: &Portal, sql: &str) {
    rusqlite::Connection::open(&p.db)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

/// Runs `change` with the append-only triggers dropped, then puts them
/// back as they were, as a careful attacker would: only the hashes can
/// tell.
fn unguarded(p: &Portal, change: impl FnOnce(&rusqlite::Connection)) {
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    let guards: Vec<String> = conn
        .prepare(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(guards.len(), GUARDS.len());
    for name in GUARDS {
        conn.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
    change(&conn);
    for guard in guards {
        conn.execute_batch(&guard).unwrap();
    }
}

/// `sql` run [`unguarded`].
fn tamper_unseen(p: &Portal, sql: &str) {
    unguarded(p, |conn| conn.execute_batch(sql).unwrap());
}

/// Acme, a second account Beta, and a member of Acme, ann: init, account
/// create, invite, accept.
fn acme_and_beta() -> Portal {
    Portal::cached("audit: acme and beta", || {
        let p = Portal::new();
        p.ok(&["account", "create", "Beta", "--kind", "partner"]);
        p.member("ann@acme.test", "user");
        p
    })
}

fn seq_of(p: &Portal, action: &str) -> String {
    p.text(&format!(
        "SELECT seq FROM audit_events WHERE action = '{action}'"
    ))
}

#[test]
fn a_new_log_is_hashed_over_every_column() {
    let p = acme_and_beta();
    let v = p.json(&["audit", "verify"]);
    assert_eq!(
        (&v["intact"], &v["events"], &v["legacy_events"]),
        (&json!(true), &json!(4), &json!(0))
    );
    assert_eq!(
        p.text("SELECT group_concat(DISTINCT hash_version) FROM audit_events"),
        "2"
    );
}

#[test]
fn an_event_moved_to_another_account_is_named() {
    let p = acme_and_beta();
    let invite = seq_of(&p, "user.invite");
    let beta = p.text("SELECT id FROM accounts WHERE name = 'Beta'");
    tamper_unseen(
        &p,
        &format!("UPDATE audit_events SET account_id = {beta} WHERE seq = {invite}"),
    );
    // What moving it does: Beta's admins now read Acme's event as theirs.
    let listed = p.json(&["audit", "list", "--account", "Beta"]);
    let seqs: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].to_string())
        .collect();
    assert!(seqs.contains(&invite), "{seqs:?}");
    let err = p.refused(&["audit", "verify"], CONFLICT);
    says(
        &err,
        &format!("broken at event {invite}: its content was edited"),
    );
}

#[test]
fn a_flipped_hash_version_is_named() {
    for (version, seq, fault) in [
        (1, 4, "its hash version 1 follows version 2"),
        (1, 1, "its content was edited"),
        (3, 2, "its hash version 3 is unknown"),
        (0, 3, "its hash version 0 is unknown"),
    ] {
        let p = acme_and_beta();
        tamper_unseen(
            &p,
            &format!("UPDATE audit_events SET hash_version = {version} WHERE seq = {seq}"),
        );
        let err = p.refused(&["audit", "verify"], CONFLICT);
        says(&err, &format!("broken at event {seq}: {fault}"));
    }
}

#[test]
fn each_missing_or_weakened_guard_trigger_is_a_fault() {
    for name in GUARDS {
        let p = acme_and_beta();
        tamper(&p, &format!("DROP TRIGGER {name}"));
        let err = p.refused(&["audit", "verify"], CONFLICT);
        says(&err, &format!("guard trigger missing: `{name}`"));
        says(&err, "help:");
    }
    let p = acme_and_beta();
    tamper(
        &p,
        "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_replace;",
    );
    let err = p.refused(&["audit", "verify"], CONFLICT);
    says(
        &err,
        "guard trigger missing: `audit_events_no_update`, `audit_events_no_replace`",
    );
    // A trigger of the right name that refuses nothing is no guard.
    let p = acme_and_beta();
    tamper(
        &p,
        "DROP TRIGGER audit_events_no_delete;
         CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
         WHEN 0 BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    );
    let err = p.refused(&["audit", "verify"], CONFLICT);
    says(&err, "guard trigger missing: `audit_events_no_delete`");
}

/// The version-1 hash, as portalctl wrote it before migration 4: the
/// previous hash, a newline and the sorted JSON of every column but
/// `account_id`, `prev_hash` and `hash`.
fn hash_v1(prev: &str, row: &rusqlite::Row<'_>) -> String {
    let json_col = |name: &str| -> Value {
        row.get::<_, Option<String>>(name)
            .unwrap()
            .map_or(Value::Null, |t| serde_json::from_str(&t).unwrap())
    };
    let body = json!({
        "seq": row.get::<_, i64>("seq").unwrap(),
        "at": row.get::<_, String>("at").unwrap(),
        "actor": row.get::<_, String>("actor").unwrap(),
        "action": row.get::<_, String>("action").unwrap(),
        "account": row.get::<_, Option<String>>("account").unwrap(),
        "target": row.get::<_, Option<String>>("target").unwrap(),
        "before": json_col("before"),
        "after": json_col("after"),
    });
    digest(prev, &body)
}

/// SHA-256 over the previous hash, a newline and the body's JSON, hex.
fn digest(prev: &str, body: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.to_string().as_bytes());
    format!("{:x}", hasher.finalize())
}

/// Turns `p` into the database an earlier portalctl left: schema version 3,
/// no `hash_version` column, every event hashed by version 1.
fn as_before_hash_versions(p: &Portal) {
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    rewind(&conn, 3);
    // Rehashed with the update guard lifted, then laid again as it was.
    let guard: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'audit_events_no_update'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute_batch("DROP TRIGGER audit_events_no_update")
        .unwrap();
    {
        let mut prev = "0".repeat(64);
        let rows: Vec<(i64, String)> = conn
            .prepare("SELECT * FROM audit_events ORDER BY seq")
            .unwrap()
            .query_map([], |r| {
                let hash = hash_v1(&prev, r);
                prev.clone_from(&hash);
                Ok((r.get("seq")?, hash))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut prev = "0".repeat(64);
        for (seq, hash) in rows {
            conn.execute(
                "UPDATE audit_events SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
                rusqlite::params![prev, hash, seq],
            )
            .unwrap();
            prev = hash;
        }
    }
    conn.execute_batch(&guard).unwrap();
}

#[test]
fn a_database_from_before_hash_versions_verifies_and_goes_on_with_version_2() {
    let p = acme_and_beta();
    let before = p.text("SELECT hash FROM audit_events WHERE seq = 4");
    as_before_hash_versions(&p);
    assert_eq!(p.query("PRAGMA user_version"), "Integer(3)");
    // The anchor an admin kept from the earlier portalctl.
    let hash = p.text("SELECT hash FROM audit_events WHERE seq = 4");
    assert_ne!(hash, before, "rehashed by version 1");
    let anchor = format!("4:{hash}");

    // Opening it migrates it; its events verify by version 1, and the
    // anchor taken before the upgrade still holds.
    let v = p.json(&["audit", "verify", "--anchor", &anchor]);
    assert_eq!((&v["events"], &v["legacy_events"]), (&json!(4), &json!(4)));
    assert_eq!(p.query("PRAGMA user_version"), schema_version());

    // New events are version 2, chained on.
    p.ok(&["user", "deactivate", "--yes", "ann@acme.test"]);
    assert_eq!(
        p.text("SELECT group_concat(hash_version, '') FROM (SELECT hash_version FROM audit_events ORDER BY seq)"),
        "11112"
    );
    let v = p.json(&["audit", "verify", "--anchor", &anchor]);
    assert_eq!((&v["events"], &v["legacy_events"]), (&json!(5), &json!(4)));
}

/// Hash columns declared UNIQUE: what migration 17 took away.
fn unique_indexes(p: &Portal) -> String {
    p.text("SELECT COUNT(*) FROM pragma_index_list('audit_events') WHERE origin = 'u'")
}

/// Migration 17 builds the log anew without its UNIQUE hash: every event
/// stays as written, the guards are laid again, and an anchor taken
/// before the upgrade still holds.
#[test]
fn a_log_from_before_migration_17_keeps_its_events_guards_and_anchors() {
    let p = acme_and_beta();
    let head = p.json(&["audit", "head"]);
    let anchor = format!("{}:{}", head["seq"], head["hash"].as_str().unwrap());
    let events = "SELECT group_concat(seq || at || actor || action || ifnull(account_id, '') \
                  || ifnull(before, '') || ifnull(after, '') || prev_hash || hash || hash_version, '|') \
                  FROM (SELECT * FROM audit_events ORDER BY seq)";
    let written = p.text(events);
    {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        rewind(&conn, version_before("0017_audit_hash_not_unique.sql"));
    }
    assert_eq!(unique_indexes(&p), "1");

    let v = p.json(&["audit", "verify", "--anchor", &anchor]);
    assert_eq!((&v["intact"], &v["events"]), (&json!(true), &json!(4)));
    assert_eq!(p.query("PRAGMA user_version"), schema_version());
    assert_eq!(unique_indexes(&p), "0");
    assert_eq!(p.text(events), written);
    // Still append-only, and new events chain on.
    tamper_refused(
        &p,
        "UPDATE audit_events SET actor = 'mallory' WHERE seq = 1",
    );
    tamper_refused(&p, "DELETE FROM audit_events WHERE seq = 1");
    tamper_refused(
        &p,
        "REPLACE INTO audit_events (seq, at, actor, action, prev_hash, hash) VALUES (1, 'x', 'x', 'x', 'x', 'x')",
    );
    p.ok(&["user", "deactivate", "--yes", "ann@acme.test"]);
    let v = p.json(&["audit", "verify", "--anchor", &anchor]);
    assert_eq!((&v["intact"], &v["events"]), (&json!(true), &json!(5)));
}

/// Asserts that SQLite refuses `sql` on the file: a guard holds.
#[track_caller]
fn tamper_refused(p: &Portal, sql: &str) {
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    let err = conn.execute_batch(sql).unwrap_err();
    says(&err.to_string(), "the audit log is append-only");
}

#[test]
fn a_version_1_event_appended_after_version_2_is_a_downgrade() {
    // Anyone who can write the file can append a well-chained event, and
    // the guards let an insert through. Hashed by version 1, its account id
    // could be changed later unseen, so after version 2 it is a fault.
    let p = acme_and_beta();
    let (seq, prev): (i64, String) = {
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        conn.query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let body = json!({
        "seq": seq + 1, "at": "2026-11-25T10:00:00Z", "actor": "operator:tester",
        "action": "user.invite", "account": "Acme Ltd", "target": "mallory@acme.test",
        "before": null, "after": null,
    });
    let hash = digest(&prev, &body);
    rusqlite::Connection::open(&p.db)
        .unwrap()
        .execute(
            "INSERT INTO audit_events (seq, at, actor, action, account_id, account, target, prev_hash, hash)
             VALUES (?1, '2026-11-25T10:00:00Z', 'operator:tester', 'user.invite', 1, 'Acme Ltd',
                     'mallory@acme.test', ?2, ?3)",
            rusqlite::params![seq + 1, prev, hash],
        )
        .unwrap();
    assert_eq!(
        p.text("SELECT hash_version FROM audit_events ORDER BY seq DESC LIMIT 1"),
        "1",
        "an insert that names no version gets the column's default"
    );
    let err = p.refused(&["audit", "verify"], CONFLICT);
    says(
        &err,
        &format!(
            "broken at event {}: its hash version 1 follows version 2",
            seq + 1
        ),
    );
}

/// An account named like a spreadsheet formula comes out of the CSV as
/// text a spreadsheet shows rather than runs; the JSON keeps the name.
#[test]
fn csv_marks_a_cell_a_spreadsheet_would_run_as_text() {
    let p = Portal::new();
    let name = "=HYPERLINK(\"http://x.test\",\"open\")";
    p.ok(&["account", "create", name, "--kind", "partner"]);
    let text = p.ok(&["audit", "list", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let created = rows
        .iter()
        .find(|r| &r[3] == "account.create")
        .expect("the account's event");
    assert_eq!(&created[4], format!("'{name}"));
    assert_eq!(&created[5], format!("'{name}"));
    let events = p.json(&["audit", "list"]);
    let json_names: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "account.create")
        .map(|e| &e["account"])
        .collect();
    assert_eq!(json_names, [&json!(name)]);
}

/// The demo (`examples/demo.json`): accounts, members, services, policies,
/// orders placed and decided, each change an event.
fn demo() -> Portal {
    Portal::cached("audit: apply examples/demo.json", || {
        let p = Portal::empty();
        p.ok(&[
            "apply",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.json"),
        ]);
        p
    })
}

/// The anchor `audit head` gives, as an admin would keep it elsewhere.
fn anchor(p: &Portal) -> String {
    let head = p.json(&["audit", "head"]);
    format!("{}:{}", head["seq"], head["hash"].as_str().unwrap())
}

#[test]
fn the_demo_log_with_orders_and_decisions_verifies() {
    let p = demo();
    let actions = p.text("SELECT group_concat(DISTINCT action) FROM audit_events");
    says(&actions, "order.place");
    says(&actions, "order.delegate");
    let v = p.json(&["audit", "verify", "--anchor", &anchor(&p)]);
    assert_eq!(v["intact"], json!(true), "{v}");
    assert_eq!(
        v["events"].to_string(),
        p.text("SELECT MAX(seq) FROM audit_events")
    );
}

/// Stored text rewritten to other text that reads as the same values, so
/// every hash still matches: another offset or a fraction for the same
/// second, a duplicate key whose last value is the one hashed (while SQL
/// reads the first), spacing, JSON `null` for NULL. The text is what the
/// log says (`audit list --since` compares it, SQL readers read it), so
/// each is an edit, named by its event, anchor or not.
#[test]
fn text_rewritten_to_read_as_the_same_values_is_an_edit() {
    let cases = [
        ("at", "at = '2026-11-25T20:00:00+10:00'"),
        ("at", "at = substr(at, 1, 19) || '.000Z'"),
        ("at", "at = lower(at)"),
        ("at", "at = ' ' || at"),
        (
            "after",
            r#"after = '{"role":"no-access",' || substr(after, 2)"#,
        ),
        ("after", "after = '{ ' || substr(after, 2)"),
        ("after", "after = after || char(10)"),
        ("before", "before = 'null'"),
    ];
    for (column, set) in cases {
        let p = demo();
        let anchor = anchor(&p);
        // A member added by the apply: `at` and `after` hold text, `before`
        // is NULL.
        let seq = p.text("SELECT MIN(seq) FROM audit_events WHERE action = 'user.add'");
        assert_eq!(
            p.text(&format!(
                "SELECT before IS NULL FROM audit_events WHERE seq = {seq}"
            )),
            "1"
        );
        tamper_unseen(
            &p,
            &format!("UPDATE audit_events SET {set} WHERE seq = {seq}"),
        );
        for args in [
            vec!["audit", "verify"],
            vec!["audit", "verify", "--anchor", &anchor],
        ] {
            let err = p.refused(&args, CONFLICT);
            says(
                &err,
                &format!("broken at event {seq}: its content was edited"),
            );
            says(
                &err,
                &format!("`{column}` is not stored as portalctl writes it"),
            );
        }
    }
}

/// The attack as found: the offset hides the event from `--since`, and
/// the duplicate key shows SQL readers another role than portalctl
/// verified.
#[test]
fn an_event_moved_out_of_a_time_window_by_its_offset_is_named() {
    let p = demo();
    let anchor = anchor(&p);
    tamper_unseen(
        &p,
        "UPDATE audit_events SET at = '2026-11-25T20:00:00+10:00' WHERE seq = 5;
         UPDATE audit_events SET after = '{\"role\":\"no-access\",' || substr(after, 2) WHERE seq = 6;",
    );
    // Every event is at 10:00 UTC, as is the edited one, but its text
    // sorts after the window's end.
    let listed = p.json(&["audit", "list", "--all", "--until", "2026-11-25T10:00:00Z"]);
    let seqs: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["seq"])
        .collect();
    assert!(
        seqs.contains(&&json!(4)) && !seqs.contains(&&json!(5)),
        "the edit hides event 5 from the window, which verify must catch: {seqs:?}"
    );
    assert_eq!(
        p.text("SELECT json_extract(after, '$.role') FROM audit_events WHERE seq = 6"),
        "no-access"
    );
    let err = p.refused(&["audit", "verify", "--anchor", &anchor], CONFLICT);
    says(&err, "broken at event 5: its content was edited");
}

/// A row that does not read as an event at all is named by `audit
/// verify` like any other broken event (exit 4), and `audit list`
/// refuses it the same way, pointing to `audit verify`, rather than
/// failing as a database error.
#[test]
fn a_row_that_does_not_read_as_an_event_is_named_by_verify_and_list() {
    let cases = [
        ("after = 'not json'", "`after` does not read as JSON"),
        (
            r#"after = '{"a":1e400}'"#,
            "`after` does not read as JSON: number out of range",
        ),
        (
            "after = CAST(after AS BLOB)",
            "`after` holds a blob where text belongs",
        ),
        (
            "before = x'00ff'",
            "`before` holds a blob where text belongs",
        ),
        ("at = 'soon'", "`at` is not a time"),
        ("at = 20261125", "`at` is not a time"),
        (
            "actor = CAST(actor AS BLOB)",
            "`actor` holds a blob where text belongs",
        ),
        (
            "account = x'ff'",
            "`account` holds a blob where text belongs",
        ),
        (
            "account_id = 1.5",
            "`account_id` holds a number where a whole number belongs",
        ),
        (
            "hash_version = 'two'",
            "`hash_version` holds text where a whole number belongs",
        ),
    ];
    for (set, why) in cases {
        let p = demo();
        let seq = p.text("SELECT MIN(seq) FROM audit_events WHERE action = 'user.add'");
        // An account id of 1.5 names no account: past the foreign key too.
        tamper_unseen(
            &p,
            &format!("PRAGMA foreign_keys = OFF; UPDATE audit_events SET {set} WHERE seq = {seq}"),
        );
        let err = p.refused(&["audit", "verify"], CONFLICT);
        says(
            &err,
            &format!("the audit log is broken at event {seq}: {why}"),
        );
        if !set.starts_with("account_id") && !set.starts_with("hash_version") {
            let err = p.refused(&["audit", "list", "--all"], CONFLICT);
            says(
                &err,
                &format!("the audit log is broken at event {seq}: {why}"),
            );
            says(&err, "portalctl audit verify");
        }
    }
}

/// A broken event earlier in the log is named before an unreadable one
/// later: verify names the first fault.
#[test]
fn verify_names_the_first_fault_before_an_unreadable_row() {
    let p = demo();
    tamper_unseen(
        &p,
        "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;
         UPDATE audit_events SET after = 'not json' WHERE seq = 9;",
    );
    let err = p.refused(&["audit", "verify"], CONFLICT);
    says(&err, "broken at event 3: its content was edited");
}

/// The events after `seq` that name `target`.
fn events_about(p: &Portal, after_seq: i64, target: &str) -> Vec<Value> {
    p.json(&["audit", "list", "--all"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["seq"].as_i64().unwrap() > after_seq && e["target"] == target)
        .cloned()
        .collect()
}

/// Order 3 of the demo (hardware, 899.00) waits on both of Acme's
/// policies: disabling the first re-evaluates it and disabling the second
/// releases it, two entries of one apply that change one order. It gets
/// one event, from pending to approved, named for what became of it.
#[test]
fn an_order_that_two_policy_entries_change_is_one_event_of_the_apply() {
    let both_off = json!({"accounts": [{"name": "Acme Ltd", "policies": [
        {"name": "Finance approval over 50", "threshold": "50.00",
         "approvers": ["fiona@acme.test"], "enabled": false},
        {"name": "Hardware over 500", "threshold": "500.00", "order_type": "hardware",
         "required_approvals": 2, "enabled": false}
    ]}]});
    // Through the operator's apply, and through fiona's apply whose prune
    // disables the policy her file no longer lists.
    let mut demo_file: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/demo.json"
    )))
    .unwrap();
    let accounts = demo_file["accounts"].as_array_mut().unwrap();
    accounts.retain(|a| a["name"] == "Acme Ltd");
    accounts[0]["policies"] = json!([{"name": "Finance approval over 50", "threshold": "50.00",
        "approvers": ["fiona@acme.test"], "enabled": false}]);
    let runs: [(Value, Option<&str>, &[&str]); 2] = [
        (both_off, None, &[]),
        (demo_file, Some("fiona@acme.test"), &["--prune", "--yes"]),
    ];
    for (doc, act_as, flags) in runs {
        let p = demo();
        let dir = crate::support::scratch_dir();
        let file = dir.path().join("policies.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        let before: i64 = p.text("SELECT MAX(seq) FROM audit_events").parse().unwrap();
        let mut args = vec!["apply", file.to_str().unwrap()];
        args.extend_from_slice(flags);
        p.json_as(act_as, &args);
        let events = events_about(&p, before, "order 3");
        assert_eq!(events.len(), 1, "{act_as:?}: {events:#?}");
        let event = &events[0];
        assert_eq!(event["action"], "order.release", "{event}");
        assert_eq!(event["actor"], act_as.unwrap_or("operator:tester"));
        assert_eq!(
            (&event["before"]["status"], &event["after"]["status"]),
            (&json!("pending"), &json!("approved"))
        );
        assert_eq!(
            event["after"]["steps"],
            json!(["order.reevaluate", "order.release"])
        );
        let v = p.json(&["audit", "verify"]);
        assert_eq!(v["intact"], json!(true), "{v}");
    }
}

#[test]
fn audit_list_refuses_an_action_no_event_has_and_names_the_one_meant() {
    let p = Portal::new();
    let found = p.json(&["audit", "list", "--action", "init"]);
    assert!(
        found.as_array().is_some_and(|events| !events.is_empty()),
        "{found}"
    );
    let err = p.refused(
        &["audit", "list", "--action", "account.craete"],
        crate::support::USAGE,
    );
    says(&err, "unknown action `account.craete`");
    says(&err, "did you mean `account.create`?");
}

#[test]
fn audit_list_action_takes_a_namespace_and_several_actions() {
    let p = Portal::new();
    p.member("ann@acme.test", "user");
    let users = p.json(&["audit", "list", "--action", "user", "--all"]);
    let actions: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(!actions.is_empty(), "{users}");
    assert!(
        actions.iter().all(|a| a.starts_with("user.")),
        "{actions:?}"
    );
    // `order` is known though no order is placed yet.
    let orders = p.json(&["audit", "list", "--action", "order"]);
    assert_eq!(orders, serde_json::json!([]));
    let both = p.json(&[
        "audit", "list", "--action", "init", "--action", "user", "--all",
    ]);
    assert_eq!(both.as_array().unwrap().len(), actions.len() + 1, "{both}");
}

#[test]
fn audit_list_refusal_of_an_unknown_action_is_short() {
    let p = Portal::new();
    let err = p.refused(
        &["audit", "list", "--action", "ordr"],
        crate::support::USAGE,
    );
    says(&err, "unknown action `ordr`");
    says(&err, "did you mean `order`?");
    says(&err, "order.*");
    assert!(!err.contains("order.reevaluate"), "{err}");
}

/// A member who manages users but may not see the account reads in the
/// log none of what `policy list`, `cost-centre list` and `account show`
/// refuse them: no policy thresholds or approvers, no cost centres, no
/// profile or owner from `init`, in `audit list` or `user history`.
#[test]
fn managing_users_reads_no_policy_cost_centre_or_account_profile_in_the_log() {
    let p = Portal::new();
    p.ok(&[
        "role",
        "create",
        "clerk",
        "--capabilities",
        "portal.access,users.manage,users.view",
        "--account",
        ACCOUNT,
    ]);
    p.member("clerk@acme.test", "clerk");
    p.ok(&[
        "policy", "create", "--name", "Big spend", "--threshold", "500", "--approvers", OWNER,
    ]);
    p.ok(&["cost-centre", "create", "OPS", "--name", "Operations"]);
    let clerk = Some("clerk@acme.test");
    for refused in [
        &["policy", "list"][..],
        &["cost-centre", "list"],
        &["account", "show"],
    ] {
        p.refused_as(clerk, refused, DENIED);
    }
    let kinds = [
        "audit", "list", "--action", "policy", "--action", "cost_centre", "--action", "init",
    ];
    let owner = p.json_as(Some(OWNER), &kinds);
    let seen: Vec<&str> = owner
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        seen,
        ["init", "policy.create", "cost_centre.create"],
        "{owner}"
    );
    assert_eq!(p.json_as(clerk, &kinds), json!([]));
    // The rest of the log is theirs, and a limit counts what they read.
    let last = p.json_as(clerk, &["audit", "list", "--limit", "1"]);
    assert_eq!(last[0]["action"], "user.accept", "{last}");
    let history = p.json_as(clerk, &["user", "history", OWNER]);
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] != "init"),
        "{history}"
    );
    let history = p.json_as(Some(OWNER), &["user", "history", OWNER]);
    assert_eq!(history[0]["action"], "init", "{history}");
}

/// The README's way to keep an anchor, run as it is written: `audit head
/// --anchor` prints one line, `SEQ:HASH`, which `audit verify --anchor`
/// takes back from the file; `audit head` alone keeps its table, and its
/// JSON the `anchor` a script reads.
#[test]
fn the_readme_s_anchor_commands_work_as_written() {
    let p = Portal::new();
    p.member("una@acme.test", "user");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let keep = "portalctl audit head --anchor > audit-anchor.txt";
    let check = "portalctl audit verify --anchor \"$(cat audit-anchor.txt)\"";
    says(&readme, keep);
    says(&readme, check);
    let dir = crate::support::scratch_dir();
    let mut bash = std::process::Command::new("bash");
    bash.args(["-c", &format!("set -e\n{keep}\n{check}")])
        .current_dir(dir.path())
        .env("PATH", path_with_binary())
        .env("PORTALCTL_DB", &p.db)
        .env("PORTALCTL_NOW", &p.now)
        .env_remove("PORTALCTL_AS");
    let out = bash.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let kept = std::fs::read_to_string(dir.path().join("audit-anchor.txt")).unwrap();
    assert_eq!(kept, format!("{}\n", anchor(&p)));
    says(&String::from_utf8_lossy(&out.stdout), "intact");
    assert_eq!(p.json(&["audit", "head"])["anchor"], anchor(&p).as_str());
    assert_eq!(p.json(&["audit", "head", "--anchor"]), json!(anchor(&p)));
    assert_eq!(p.ok(&["audit", "head"]).lines().count(), 3);
}

/// `PATH` with the built binary's folder first, so `portalctl` in a
/// shell line is the binary under test.
fn path_with_binary() -> std::ffi::OsString {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_portalctl"))
        .parent()
        .unwrap()
        .to_path_buf();
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

/// #8: a member who manages users but sees only their assigned services
/// (and the account's basic details) reads in the log none of the
/// policies, sites, IP addresses and contracted prices that `policy
/// list`, `account address list`, `account ip list` and `license price
/// list` refuse them; the admin reads them all.
#[test]
fn the_log_shows_a_basic_details_reader_nothing_their_list_commands_refuse() {
    let p = demo();
    p.ok(&[
        "account", "address", "add", "--account", "Acme Ltd", "--label", "Leeds site", "--line1",
        "1 Secret Site", "--city", "Leeds", "--postcode", "LS1", "--country", "GB",
    ]);
    p.ok(&[
        "license", "price", "set", "--account", "Acme Ltd", "--product", "Office E3", "--price",
        "20.00",
    ]);
    p.ok(&[
        "account", "ip", "add", "--account", "Acme Ltd", "--inbound", "203.0.113.7",
    ]);
    let admin = Some("olive@acme.test");
    p.json_as(
        admin,
        &[
            "role",
            "create",
            "hr2",
            "--capabilities",
            "portal.access,account.view,services.view_assigned,users.view,users.manage",
        ],
    );
    p.json_as(admin, &["user", "set-role", "ada@acme.test", "hr2"]);
    let hr = Some("ada@acme.test");
    for list in [
        &["policy", "list"][..],
        &["account", "address", "list", "--account", "Acme Ltd"][..],
        &["account", "ip", "list", "--account", "Acme Ltd"][..],
        &["license", "price", "list", "--account", "Acme Ltd"][..],
    ] {
        p.refused_as(hr, list, DENIED);
    }
    let hidden = [
        "policy.", "account.address_", "account.ip_", "license.price_",
    ];
    let actions = |who| -> Vec<String> {
        p.json_as(who, &["audit", "list", "--all", "--account", "Acme Ltd"])
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    };
    let read = actions(hr);
    for start in hidden {
        assert!(
            !read.iter().any(|a| a.starts_with(start)),
            "{start}: {read:?}"
        );
    }
    assert!(read.iter().any(|a| a == "user.set_role"), "{read:?}");
    let ndjson = p.run_as(hr, &["audit", "list", "--all", "--format", "ndjson"]);
    assert_eq!(ndjson.code, 0, "{}", ndjson.stderr);
    let text = ndjson.stdout;
    assert!(
        !text.contains("Secret Site") && !text.contains("203.0.113.7"),
        "{text}"
    );
    let all = actions(admin);
    for start in hidden {
        assert!(all.iter().any(|a| a.starts_with(start)), "{start}: {all:?}");
    }
}

/// `export` copies the state, not the log, so a broken chain does not stop
/// it; but the operator making the copy is told, once, where the chain
/// breaks and which command checks it.
#[test]
fn export_warns_of_a_broken_chain_and_still_exports() {
    let p = acme_and_beta();
    let clean = p.run(&["export"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert_eq!(clean.stderr, "", "an intact log says nothing");
    let invite = seq_of(&p, "user.invite");
    tamper_unseen(
        &p,
        &format!("UPDATE audit_events SET target = 'eve@acme.test' WHERE seq = {invite}"),
    );
    let run = p.run(&["export"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, clean.stdout, "the same state is exported");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].starts_with("warning: "), "{}", run.stderr);
    says(lines[0], &format!("broken at event {invite}"));
    says(lines[0], "portalctl audit verify");
    // With --json too, stdout stays the document alone.
    let run = p.run(&["--json", "export"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str::<Value>(&run.stdout).unwrap();
    says(&run.stderr, "warning: ");
}
