//! The baseline `scripts/bench_apply.sh` measures `apply` against: the
//! least a program can do to load a fixture's users into the same schema.
//! It parses the same JSON, then inserts each user's person and membership
//! with prepared statements, in one transaction (or, with `--per-row`, one
//! transaction per user: the naive way). No checks, no audit.
//!
//! With `--audited` it also appends, per user, the audit event `apply`
//! must write (the member as JSON, chained by SHA-256 to the one before),
//! 64 to an INSERT as `apply` appends them: the least a program can do
//! that keeps the log `apply` promises.
//!
//!   cargo run --release --example apply_baseline -- DB FIXTURE [--per-row|--audited]

use std::collections::HashMap;

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, ToSql};
use sha2::{Digest, Sha256};

const NOW: &str = "2026-11-25T10:00:00Z";

/// Inserts one user unless their email is taken.
fn insert(
    conn: &Connection,
    account: i64,
    role: i64,
    email: &str,
    name: &str,
) -> rusqlite::Result<()> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM people WHERE email = ?1")?
        .exists([email])?;
    if exists {
        return Ok(());
    }
    conn.prepare_cached("INSERT INTO people (email, name, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![email, name, NOW])?;
    let person = conn.last_insert_rowid();
    conn.prepare_cached(
        "INSERT INTO memberships (person_id, account_id, role_id, status, accepted_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'active', ?4, ?4, ?4)",
    )?
    .execute(params![person, account, role, NOW])?;
    Ok(())
}

/// Events appended by one INSERT, as `apply` appends them: the log's
/// append-only trigger makes SQLite journal every statement that inserts
/// into it, so one event per statement would charge the baseline a
/// journal per event that `apply` does not pay.
const EVENTS_PER_INSERT: usize = 64;

/// One event's values: seq, account id, account, target, after,
/// prev_hash, hash.
type Event = (i64, i64, String, String, String, String, String);

/// The audit log as the baseline appends to it: chained from `head`,
/// inserted `EVENTS_PER_INSERT` at a time.
struct Log {
    head: (i64, String),
    pending: Vec<Event>,
}

impl Log {
    /// Chains the event of `email` joining, and inserts a full batch.
    fn append(
        &mut self,
        conn: &Connection,
        account: (i64, &str),
        role: &str,
        email: &str,
        name: &str,
    ) -> rusqlite::Result<()> {
        /// The member as the event keeps it, its fields declared in the
        /// sorted order of canonical JSON, written with no tree between.
        #[derive(serde::Serialize)]
        struct After<'a> {
            accepted_at: &'a str,
            account: &'a str,
            email: &'a str,
            grants: [&'a str; 0],
            invited_at: &'a str,
            name: &'a str,
            owner: bool,
            role: &'a str,
            status: &'a str,
        }
        let after = serde_json::to_string(&After {
            accepted_at: NOW,
            account: account.1,
            email,
            grants: [],
            invited_at: NOW,
            name,
            owner: false,
            role,
            status: "active",
        })
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let seq = self.head.0 + 1;
        let hash = format!(
            "{:x}",
            Sha256::digest(format!("{}\n{seq}{NOW}user.add{email}{after}", self.head.1))
        );
        let prev = std::mem::replace(&mut self.head, (seq, hash.clone())).1;
        let (id, name) = account;
        let event = (
            seq,
            id,
            name.to_string(),
            email.to_string(),
            after,
            prev,
            hash,
        );
        self.pending.push(event);
        if self.pending.len() == EVENTS_PER_INSERT {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Inserts the events not yet inserted, in one statement.
    fn flush(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows =
            vec!["(?, ?, 'operator:bench', 'user.add', ?, ?, ?, ?, ?, ?, 2)"; self.pending.len()];
        let mut values: Vec<&dyn ToSql> = Vec::with_capacity(self.pending.len() * 8);
        for (seq, id, account, target, after, prev, hash) in &self.pending {
            values.extend([
                seq as &dyn ToSql, &NOW, id, account, target, after, prev, hash,
            ]);
        }
        conn.prepare_cached(&format!(
            "INSERT INTO audit_events (seq, at, actor, action, account_id, account, target, after, prev_hash, hash, hash_version)
             VALUES {}",
            rows.join(", ")
        ))?
        .execute(params_from_iter(values))?;
        self.pending.clear();
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (db, fixture) = match (args.get(1), args.get(2)) {
        (Some(db), Some(fixture)) => (db, fixture),
        _ => return Err("usage: apply_baseline DB FIXTURE [--per-row]".into()),
    };
    let per_row = args.iter().any(|a| a == "--per-row");
    let audited = args.iter().any(|a| a == "--audited");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fixture)?)?;
    let conn = Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let roles: HashMap<String, i64> = conn
        .prepare("SELECT name, id FROM roles")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let empty = Vec::new();
    let mut whole = Some(conn.unchecked_transaction()?);
    if per_row {
        whole.take().map(|t| t.rollback()).transpose()?;
    }
    let head: (i64, String) = conn
        .query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or_default();
    let mut log = Log {
        head,
        pending: Vec::new(),
    };
    for account in doc["accounts"].as_array().unwrap_or(&empty) {
        let name = account["name"].as_str().unwrap_or_default();
        let id: i64 = conn.query_row("SELECT id FROM accounts WHERE name = ?1", [name], |r| {
            r.get(0)
        })?;
        for user in account["users"].as_array().unwrap_or(&empty) {
            let role_name = user["role"].as_str().unwrap_or("user");
            let role = roles.get(role_name).copied().ok_or("unknown role")?;
            let email = user["email"].as_str().unwrap_or_default();
            let user_name = user["name"].as_str().unwrap_or_default();
            let row = per_row.then(|| conn.unchecked_transaction()).transpose()?;
            insert(&conn, id, role, email, user_name)?;
            if audited {
                log.append(&conn, (id, name), role_name, email, user_name)?;
            }
            if per_row {
                log.flush(&conn)?;
            }
            row.map(|t| t.commit()).transpose()?;
        }
    }
    log.flush(&conn)?;
    whole.map(|t| t.commit()).transpose()?;
    Ok(())
}
