//! SQL for the audit log.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, OptionalExtension, Row, ToSql};

use super::{at, json_col, AuditQuery, AuditRecord, SqliteTx};
use crate::error::Result;
use crate::model::AuditEvent;

/// The columns of an event, as [`from_row`] reads them.
pub(super) const EVENT_COLUMNS: &str =
    "seq, at, actor, action, account, target, before, after, prev_hash, hash";

/// An event from a row that starts with [`EVENT_COLUMNS`], read by
/// position (see [`at`]): `audit list` and `audit verify` read the log by
/// the thousand.
pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<AuditEvent> {
    let col = |i, name| at(row, i, name);
    Ok(AuditEvent {
        seq: row.get(col(0, "seq"))?,
        at: row.get(col(1, "at"))?,
        actor: row.get(col(2, "actor"))?,
        action: row.get(col(3, "action"))?,
        account: row.get(col(4, "account"))?,
        target: row.get(col(5, "target"))?,
        before: json_col(row, col(6, "before"))?,
        after: json_col(row, col(7, "after"))?,
        prev_hash: row.get(col(8, "prev_hash"))?,
        hash: row.get(col(9, "hash"))?,
    })
}

/// The triggers that keep `audit_events` append-only, each with its
/// statement as the migration that last laid it wrote it (migration 17,
/// which built the table anew, laid all three), so that a trigger of the
/// same name that no longer refuses is told apart. Released migrations
/// never change, so these change only with a new migration.
const GUARDS: &[(&str, &str)] = &[
    (
        "audit_events_no_update",
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
    (
        "audit_events_no_delete",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
    (
        "audit_events_no_replace",
        "CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
         WHEN EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq)
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ),
];

/// A statement's words, one space apart: SQLite keeps a trigger's text as
/// written, and only its layout may differ from [`GUARDS`].
fn words(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Events appended by one statement, at most. SQLite copies every page an
/// insert into `audit_events` touches to its statement journal first (the
/// append-only trigger makes each such insert one it may have to undo
/// halfway), so a write of many members that inserted its events one by
/// one would copy the same few pages once per event.
const EVENTS_PER_INSERT: usize = 64; // a power of two

impl SqliteTx<'_> {
    pub(super) fn audit_head(&self) -> Result<Option<(i64, String)>> {
        let head = self
            .tx
            .prepare_cached("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get("seq")?, r.get("hash")?)))
            .optional()?;
        Ok(head)
    }

    pub(super) fn append_audit(&self, records: &[AuditRecord]) -> Result<()> {
        let mut rest = records;
        while !rest.is_empty() {
            // Full statements, then powers of two for the rest, so that
            // only a handful of statement texts are ever prepared.
            let n = EVENTS_PER_INSERT.min(1 << rest.len().ilog2());
            let (now, later) = rest.split_at(n);
            self.insert_events(now)?;
            rest = later;
        }
        Ok(())
    }

    fn insert_events(&self, records: &[AuditRecord]) -> Result<()> {
        let json: Vec<[Option<String>; 2]> = records
            .iter()
            .map(|r| [&r.event.before, &r.event.after].map(|v| v.as_ref().map(|v| v.to_string())))
            .collect();
        let mut params: Vec<&dyn ToSql> = Vec::with_capacity(records.len() * 12);
        for (r, [before, after]) in records.iter().zip(&json) {
            let e = &r.event;
            params.extend([
                &e.seq as &dyn ToSql, &e.at, &e.actor, &e.action, &r.account_id, &e.account,
                &e.target, before, after, &e.prev_hash, &e.hash, &r.hash_version,
            ]);
        }
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; records.len()].join(", ");
        self.exec(
            &format!(
                "INSERT INTO audit_events (seq, at, actor, action, account_id, account, target, before, after, prev_hash, hash, hash_version)
                 VALUES {rows}"
            ),
            params_from_iter(params),
        )?;
        Ok(())
    }

    pub(super) fn audit_chain(&self) -> Result<Vec<AuditRecord>> {
        self.rows(
            &format!(
                "SELECT {EVENT_COLUMNS}, account_id, hash_version FROM audit_events ORDER BY seq"
            ),
            [],
            |row| {
                Ok(AuditRecord {
                    event: from_row(row)?,
                    account_id: row.get(at(row, 10, "account_id"))?,
                    hash_version: row.get(at(row, 11, "hash_version"))?,
                })
            },
        )
    }

    pub(super) fn audit_guards_missing(&self) -> Result<Vec<String>> {
        let present: Vec<(String, Option<String>)> = self.rows(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'",
            [],
            |r| Ok((r.get("name")?, r.get("sql")?)),
        )?;
        Ok(GUARDS
            .iter()
            .filter(|(name, sql)| {
                !present.iter().any(|(found, found_sql)| {
                    found == name && found_sql.as_deref().map(words) == Some(words(sql))
                })
            })
            .map(|(name, _)| (*name).to_string())
            .collect())
    }

    pub(super) fn audit_events(&self, q: &AuditQuery) -> Result<Vec<AuditEvent>> {
        let mut sql = format!("SELECT {EVENT_COLUMNS} FROM audit_events WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(actor) = &q.actor {
            sql.push_str(" AND actor = ?");
            args.push(Value::Text(actor.clone()));
        }
        if let Some(accounts) = &q.accounts {
            let marks = vec!["?"; accounts.len()].join(", ");
            sql.push_str(&format!(" AND account_id IN ({marks})"));
            args.extend(accounts.iter().map(|a| Value::Integer(*a)));
        }
        if let Some(since) = q.since {
            sql.push_str(" AND at >= ?");
            args.push(Value::Text(since.to_string()));
        }
        if let Some(until) = q.until {
            sql.push_str(" AND at <= ?");
            args.push(Value::Text(until.to_string()));
        }
        if let Some(action) = &q.action {
            sql.push_str(" AND action = ?");
            args.push(Value::Text(action.clone()));
        }
        sql.push_str(" ORDER BY seq DESC");
        if let Some(limit) = q.limit {
            sql.push_str(" LIMIT ?");
            args.push(Value::Integer(i64::from(limit)));
        }
        let mut events: Vec<AuditEvent> = self
            .tx
            .prepare(&sql)?
            .query_map(params_from_iter(args), from_row)?
            .collect::<rusqlite::Result<_>>()?;
        events.reverse();
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::{SqliteStore, Store};
    use super::*;

    fn missing(store: &mut SqliteStore) -> Vec<String> {
        store
            .read()
            .expect("read")
            .audit_guards_missing()
            .expect("guards")
    }

    /// The domain's newest hash version covers exactly these columns; a
    /// migration that adds one must add a hash version that covers it.
    #[test]
    fn the_audit_log_has_the_columns_the_newest_hash_covers() {
        let store = SqliteStore::in_memory().expect("store");
        let columns: Vec<String> = store
            .conn
            .prepare("SELECT name FROM pragma_table_info('audit_events') ORDER BY cid")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("columns");
        assert_eq!(
            columns,
            [
                "seq", "at", "actor", "action", "account_id", "account", "target", "before",
                "after", "prev_hash", "hash", "hash_version"
            ]
        );
    }

    #[test]
    fn a_dropped_or_weakened_guard_is_missing_and_a_relaid_one_is_not() {
        let mut store = SqliteStore::in_memory().expect("store");
        assert_eq!(missing(&mut store), Vec::<String>::new());
        for (name, _) in GUARDS {
            let mut store = SqliteStore::in_memory().expect("store");
            store
                .conn
                .execute_batch(&format!("DROP TRIGGER {name}"))
                .expect("drop");
            assert_eq!(missing(&mut store), [*name]);
        }
        // Same name, but refusing nothing.
        store
            .conn
            .execute_batch(
                "DROP TRIGGER audit_events_no_update;
                 CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
                 WHEN 0 BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
            )
            .expect("weaken");
        assert_eq!(missing(&mut store), ["audit_events_no_update"]);
        // The same statement laid out otherwise is the same guard.
        store
            .conn
            .execute_batch(
                "DROP TRIGGER audit_events_no_update;
                 CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
                 SELECT RAISE(ABORT, 'the audit log is append-only');
                 END;",
            )
            .expect("relay");
        assert_eq!(missing(&mut store), Vec::<String>::new());
    }

    /// Migration 4 on a database that holds events: they stay as written,
    /// read as version 1, and the append-only triggers, which refuse any
    /// UPDATE, do not fire.
    #[test]
    fn migration_4_keeps_existing_events_as_version_1() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(include_str!("../../schema.sql"))
            .and_then(|()| {
                conn.execute_batch(include_str!("../../migrations/0002_audit_insert_guard.sql"))
            })
            .expect("migrations 1 and 2");
        conn.execute(
            "INSERT INTO audit_events (seq, at, actor, action, prev_hash, hash)
             VALUES (1, '2026-01-01T00:00:00Z', 'operator:root', 'init', 'p', 'h')",
            [],
        )
        .expect("an event");
        conn.execute_batch(include_str!("../../migrations/0004_audit_hash_version.sql"))
            .expect("migration 4");
        let row: (i64, String, String) = conn
            .query_row(
                "SELECT hash_version, actor, hash FROM audit_events",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("the event");
        assert_eq!(row, (1, "operator:root".into(), "h".into()));
        assert!(
            conn.execute("UPDATE audit_events SET hash_version = 2", [])
                .is_err(),
            "the column is guarded like the others"
        );
    }
}
