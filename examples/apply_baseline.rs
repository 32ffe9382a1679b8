//! The baseline `scripts/bench_apply.sh` measures `apply` against: the
//! least a program can do to load a fixture's users into the same schema.
//! It parses the same JSON, then inserts each user's person and membership
//! with prepared statements, in one transaction (or, with `--per-row`, one
//! transaction per user: the naive way). No checks, no audit.
//!
//! With `--audited` it also appends, per user, the audit event `apply`
//! must write (the member as JSON, chained by SHA-256 to the one before):
//! the least a program can do that keeps the log `apply` promises.
//!
//!   cargo run --release --example apply_baseline -- DB FIXTURE [--per-row|--audited]

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
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

/// Appends the event of `email` joining, chained to `head`.
fn audit(
    conn: &Connection,
    head: &mut (i64, String),
    account: (i64, &str),
    role: &str,
    email: &str,
    name: &str,
) -> rusqlite::Result<()> {
    let after = serde_json::json!({
        "accepted_at": NOW, "account": account.1, "email": email, "grants": [],
        "invited_at": NOW, "name": name, "owner": false, "role": role, "status": "active",
    })
    .to_string();
    let seq = head.0 + 1;
    let hash = format!(
        "{:x}",
        Sha256::digest(format!("{}\n{seq}{NOW}user.add{email}{after}", head.1))
    );
    conn.prepare_cached(
        "INSERT INTO audit_events (seq, at, actor, action, account_id, account, target, after, prev_hash, hash, hash_version)
         VALUES (?1, ?2, 'operator:bench', 'user.add', ?3, ?4, ?5, ?6, ?7, ?8, 2)",
    )?
    .execute(params![seq, NOW, account.0, account.1, email, after, head.1, hash])?;
    *head = (seq, hash);
    Ok(())
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
    let mut head: (i64, String) = conn
        .query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or_default();
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
                audit(&conn, &mut head, (id, name), role_name, email, user_name)?;
            }
            row.map(|t| t.commit()).transpose()?;
        }
    }
    whole.map(|t| t.commit()).transpose()?;
    Ok(())
}
