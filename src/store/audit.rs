//! SQL for the audit log.

use rusqlite::types::{Value, ValueRef};
use rusqlite::{params_from_iter, OptionalExtension, Row, ToSql};

use super::{
    at, AuditQuery, AuditRecord, AuditText, NewEvent, SqliteTx, StoredEvent, UnreadableEvent,
};
use crate::error::{Error, Result};
use crate::model::{AuditEvent, CanonicalJson, Timestamp};

/// The columns of an event, as [`from_row`] reads them.
pub(super) const EVENT_COLUMNS: &str =
    "seq, at, actor, action, account, target, before, after, prev_hash, hash";

/// An event from a row that starts with [`EVENT_COLUMNS`], or what keeps
/// the row from reading as one: whoever lists events can then say which
/// is broken (see [`readable`]) instead of failing on the whole log.
pub(super) fn from_row(
    row: &Row<'_>,
) -> rusqlite::Result<std::result::Result<AuditEvent, UnreadableEvent>> {
    Ok(read_event(row)?.map(|(event, _)| event))
}

/// The events a list read, or the refusal of the first row among them
/// that does not read as an event.
pub(super) fn readable(
    rows: Vec<std::result::Result<AuditEvent, UnreadableEvent>>,
) -> Result<Vec<AuditEvent>> {
    Ok(rows.into_iter().collect::<std::result::Result<_, _>>()?)
}

/// A list of events that meets a row not reading as one refuses it by its
/// position: the file was written behind portalctl's back, so no answer
/// drawn from the log can be trusted, and `audit verify` says where the
/// log first breaks.
impl From<UnreadableEvent> for Error {
    fn from(e: UnreadableEvent) -> Error {
        Error::conflict(format!(
            "the audit log is broken at event {}: {}",
            e.seq, e.why
        ))
        .help(
            "run `portalctl audit verify`; restore the database from a backup, \
             and find out who could write to the file",
        )
    }
}

/// What a column holds instead of what belongs there.
type Read<T> = std::result::Result<T, String>;

/// A row that starts with [`EVENT_COLUMNS`] read as an event, with the
/// stored text of the columns read into values. Columns are read by
/// position (see [`at`]): `audit list` and `audit verify` read the log by
/// the thousand. A column that does not read is the row's fault, not the
/// database's, so it comes back as an [`UnreadableEvent`]; only SQLite's
/// own failures are errors.
fn read_event<'r>(
    row: &'r Row<'_>,
) -> rusqlite::Result<std::result::Result<(AuditEvent, RawText<'r>), UnreadableEvent>> {
    // `seq` is the rowid (INTEGER PRIMARY KEY), which SQLite keeps an
    // integer whatever is written to it.
    let seq: i64 = row.get(at(row, 0, "seq"))?;
    let value = |i, name| row.get_ref(at(row, i, name));
    let cells = [
        value(1, "at")?,
        value(2, "actor")?,
        value(3, "action")?,
        value(4, "account")?,
        value(5, "target")?,
        value(6, "before")?,
        value(7, "after")?,
        value(8, "prev_hash")?,
        value(9, "hash")?,
    ];
    let read = || -> Read<(AuditEvent, RawText<'r>)> {
        let [at, actor, action, account, target, before, after, prev_hash, hash] = cells;
        let raw = RawText {
            at: required(text(at, "at")?, "at")?,
            before: text(before, "before")?,
            after: text(after, "after")?,
        };
        let event = AuditEvent {
            seq,
            at: raw
                .at
                .parse::<Timestamp>()
                .map_err(|_| "`at` is not a time".to_string())?,
            actor: required(text(actor, "actor")?, "actor")?.to_string(),
            action: required(text(action, "action")?, "action")?.to_string(),
            account: text(account, "account")?.map(str::to_string),
            target: text(target, "target")?.map(str::to_string),
            before: json(raw.before, "before")?,
            after: json(raw.after, "after")?,
            prev_hash: required(text(prev_hash, "prev_hash")?, "prev_hash")?.to_string(),
            hash: required(text(hash, "hash")?, "hash")?.to_string(),
        };
        Ok((event, raw))
    };
    Ok(read().map_err(|why| UnreadableEvent { seq, why }))
}

/// The stored text of a row's columns that are read into values,
/// borrowed from the row (see [`AuditText`]).
struct RawText<'r> {
    at: &'r str,
    before: Option<&'r str>,
    after: Option<&'r str>,
}

/// A text column: `None` for NULL.
fn text<'r>(value: ValueRef<'r>, name: &str) -> Read<Option<&'r str>> {
    match value {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("`{name}` is not UTF-8 text")),
        other => Err(format!("`{name}` holds {} where text belongs", kind(other))),
    }
}

/// An integer column: `None` for NULL.
fn integer(value: ValueRef<'_>, name: &str) -> Read<Option<i64>> {
    match value {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(n)),
        other => Err(format!(
            "`{name}` holds {} where a whole number belongs",
            kind(other)
        )),
    }
}

/// A column no event leaves empty.
fn required<T>(value: Option<T>, name: &str) -> Read<T> {
    value.ok_or_else(|| format!("`{name}` is empty"))
}

/// A JSON column's text read into a value. serde_json's message says
/// where the text fails and why, never what it holds.
fn json(text: Option<&str>, name: &str) -> Read<Option<serde_json::Value>> {
    text.map(|t| {
        serde_json::from_str(t).map_err(|e| format!("`{name}` does not read as JSON: {e}"))
    })
    .transpose()
}

/// What kind of value a column holds, for saying what it should not.
fn kind(value: ValueRef<'_>) -> &'static str {
    match value {
        ValueRef::Null => "nothing",
        ValueRef::Integer(_) | ValueRef::Real(_) => "a number",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "a blob",
    }
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

    pub(super) fn append_audit(&self, events: &[NewEvent]) -> Result<()> {
        let mut rest = events;
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

    fn insert_events(&self, events: &[NewEvent]) -> Result<()> {
        let json: Vec<[Option<&str>; 2]> = events
            .iter()
            .map(|e| [&e.before, &e.after].map(|v| v.as_ref().map(CanonicalJson::as_str)))
            .collect();
        let mut params: Vec<&dyn ToSql> = Vec::with_capacity(events.len() * 12);
        for (e, [before, after]) in events.iter().zip(&json) {
            params.extend([
                &e.seq as &dyn ToSql, &e.at, &e.actor, &e.action, &e.account_id, &e.account,
                &e.target, before, after, &e.prev_hash, &e.hash, &e.hash_version,
            ]);
        }
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; events.len()].join(", ");
        self.exec(
            &format!(
                "INSERT INTO audit_events (seq, at, actor, action, account_id, account, target, before, after, prev_hash, hash, hash_version)
                 VALUES {rows}"
            ),
            params_from_iter(params),
        )?;
        Ok(())
    }

    pub(super) fn audit_chain(
        &self,
        each: &mut dyn FnMut(StoredEvent) -> Result<()>,
    ) -> Result<()> {
        // One row at a time: a log of millions of events is checked in
        // the memory of one.
        let read = |row: &rusqlite::Row<'_>| -> rusqlite::Result<StoredEvent> {
            let extra = [
                row.get_ref(at(row, 10, "account_id"))?,
                row.get_ref(at(row, 11, "hash_version"))?,
            ];
            Ok(read_event(row)?.and_then(|(event, raw)| {
                let seq = event.seq;
                let read = || -> Read<AuditRecord> {
                    let [account_id, hash_version] = extra;
                    Ok(AuditRecord {
                        event,
                        account_id: integer(account_id, "account_id")?,
                        hash_version: required(
                            integer(hash_version, "hash_version")?,
                            "hash_version",
                        )?,
                    })
                };
                let record = read().map_err(|why| UnreadableEvent { seq, why })?;
                let text = AuditText {
                    at: raw.at.to_string(),
                    before: raw.before.map(str::to_string),
                    after: raw.after.map(str::to_string),
                };
                Ok((record, text))
            }))
        };
        let mut statement = self.tx.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS}, account_id, hash_version FROM audit_events ORDER BY seq"
        ))?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            each(read(row)?)?;
        }
        Ok(())
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
        if let Some(seq) = q.before_seq {
            sql.push_str(" AND seq < ?");
            args.push(Value::Integer(seq));
        }
        if !q.actions.is_empty() {
            // Each action and those beneath it: `user.merge` takes in
            // `user.merge.order`.
            let one = "(action = ? OR substr(action, 1, ?) = ?)";
            sql.push_str(&format!(
                " AND ({})",
                vec![one; q.actions.len()].join(" OR ")
            ));
            for action in &q.actions {
                args.push(Value::Text(action.clone()));
                let beneath = format!("{action}.");
                args.push(Value::Integer(
                    i64::try_from(beneath.len()).unwrap_or(i64::MAX),
                ));
                args.push(Value::Text(beneath));
            }
        }
        if let Some(shown) = &q.shown {
            // One term per account, its actions in a list: a term per
            // action would deepen the expression past SQLite's limit for a
            // reader of many accounts.
            let mut terms = Vec::with_capacity(shown.len());
            for (account, actions) in shown.iter().filter(|(_, a)| !a.is_empty()) {
                let marks = vec!["?"; actions.len()].join(", ");
                terms.push(format!("account_id IS ? AND action IN ({marks})"));
                args.push(Value::Integer(*account));
                args.extend(actions.iter().map(|a| Value::Text((*a).to_string())));
            }
            if terms.is_empty() {
                sql.push_str(" AND 0");
            } else {
                sql.push_str(&format!(" AND ({})", terms.join(" OR ")));
            }
        }
        sql.push_str(" ORDER BY seq DESC");
        if let Some(limit) = q.limit {
            sql.push_str(" LIMIT ?");
            args.push(Value::Integer(i64::from(limit)));
        }
        let rows: Vec<_> = self
            .tx
            .prepare(&sql)?
            .query_map(params_from_iter(args), from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let mut events = readable(rows)?;
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

    /// A row whose column does not read is its event's fault, by position
    /// and column, in the chain and in every list of events; the rows
    /// before it still read.
    #[test]
    fn a_row_that_does_not_read_is_named_not_a_database_error() {
        let mut store = SqliteStore::in_memory().expect("store");
        store
            .conn
            .execute_batch(
                "DROP TRIGGER audit_events_no_update;
                 INSERT INTO audit_events (seq, at, actor, action, after, prev_hash, hash, hash_version)
                 VALUES (1, '2026-01-01T00:00:00Z', 'operator:root', 'init', '{\"a\":1}', 'p', 'h', 2),
                        (2, '2026-01-01T00:00:00Z', 'operator:root', 'init', '{\"a\":1e400}', 'h', 'i', 2);",
            )
            .expect("events");
        let tx = store.read().expect("read");
        let chain = super::super::whole_chain(&*tx).expect("chain");
        let (first, text) = chain[0].as_ref().expect("the first reads");
        assert_eq!(text.after.as_deref(), Some(r#"{"a":1}"#));
        assert_eq!(first.hash_version, 2);
        let unreadable = chain[1].as_ref().expect_err("the second does not");
        assert_eq!(unreadable.seq, 2);
        assert!(
            unreadable
                .why
                .starts_with("`after` does not read as JSON: number out of range"),
            "{unreadable:?}"
        );
        let err = tx
            .audit_events(&AuditQuery::default())
            .expect_err("the list refuses");
        assert_eq!(err.exit_code(), 4);
        assert!(
            err.to_string().contains("broken at event 2: `after`"),
            "{err}"
        );
        drop(tx);
        for (set, why) in [
            ("at = x'00'", "`at` holds a blob where text belongs"),
            ("hash_version = 2.0", ""),
            (
                "hash_version = 2.5",
                "`hash_version` holds a number where a whole number belongs",
            ),
            ("actor = 'caf' || char(233)", ""),
        ] {
            store
                .conn
                .execute_batch(&format!(
                    "UPDATE audit_events SET at = '2026-01-01T00:00:00Z', hash_version = 2,
                     actor = 'operator:root' WHERE seq = 1;
                     UPDATE audit_events SET {set} WHERE seq = 1"
                ))
                .expect("tamper");
            let tx = store.read().expect("read");
            let chain = super::super::whole_chain(&*tx).expect("chain");
            match &chain[0] {
                Ok(_) => assert_eq!(why, "", "{set}"),
                Err(e) => assert_eq!((e.seq, e.why.as_str()), (1, why), "{set}"),
            }
        }
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
