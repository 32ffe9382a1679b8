//! The baseline `scripts/bench_apply.sh` measures `apply` against: the
//! least a program can do to load a fixture's users into the same schema.
//! It parses the same JSON, then inserts each user's person and membership
//! with prepared statements, in one transaction (or, with `--per-row`, one
//! transaction per user: the naive way). No checks, no audit.
//!
//!   cargo run --release --example apply_baseline -- DB FIXTURE [--per-row]

use std::collections::HashMap;

use rusqlite::{params, Connection};

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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (db, fixture) = match (args.get(1), args.get(2)) {
        (Some(db), Some(fixture)) => (db, fixture),
        _ => return Err("usage: apply_baseline DB FIXTURE [--per-row]".into()),
    };
    let per_row = args.iter().any(|a| a == "--per-row");
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
    for account in doc["accounts"].as_array().unwrap_or(&empty) {
        let id: i64 = conn.query_row(
            "SELECT id FROM accounts WHERE name = ?1",
            [account["name"].as_str().unwrap_or_default()],
            |r| r.get(0),
        )?;
        for user in account["users"].as_array().unwrap_or(&empty) {
            let role = roles
                .get(user["role"].as_str().unwrap_or("user"))
                .copied()
                .ok_or("unknown role")?;
            let email = user["email"].as_str().unwrap_or_default();
            let name = user["name"].as_str().unwrap_or_default();
            let row = per_row.then(|| conn.unchecked_transaction()).transpose()?;
            insert(&conn, id, role, email, name)?;
            row.map(|t| t.commit()).transpose()?;
        }
    }
    whole.map(|t| t.commit()).transpose()?;
    Ok(())
}
