//! The baseline `scripts/bench_commands.sh` measures the small commands
//! against: the least a process can do to answer one question or make one
//! change in a portalctl database. It opens the file as portalctl's store
//! does (read-write, no mutex, the same busy timeout, WAL journaling and
//! foreign keys switched on), then either runs one indexed SELECT (a
//! person by email, as `user show` starts) or commits one INSERT in an
//! immediate transaction (a new person, as `user invite` writes among its
//! rows). Closing the connection checkpoints the log into the file, as
//! portalctl's does.
//!
//! `invite` commits, in one immediate transaction and with no checks, the
//! five rows an invitation is: the person, their membership, the
//! invitation, its email in the outbox and the audit event chained by
//! SHA-256 to the one before. It is the least a program can write that
//! keeps what `user invite` promises (an email that arrives, a provable
//! log), as `apply_baseline --audited` is for `apply`.
//!
//!   cargo run --release --example command_baseline -- DB select EMAIL
//!   cargo run --release --example command_baseline -- DB insert EMAIL
//!   cargo run --release --example command_baseline -- DB invite EMAIL

use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

const NOW: &str = "2026-11-25T10:00:00Z";

/// The busy timeout portalctl uses when PORTALCTL_BUSY_TIMEOUT is unset.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (db, mode, email) = match (args.get(1), args.get(2), args.get(3)) {
        (Some(db), Some(mode), Some(email)) => (db, mode.as_str(), email),
        _ => return Err("usage: command_baseline DB select|insert|invite EMAIL".into()),
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(db, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let journal: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !journal.eq_ignore_ascii_case("wal") {
        return Err(format!("cannot use WAL journaling (got {journal})").into());
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    match mode {
        "select" => {
            let name: Option<String> = conn
                .query_row("SELECT name FROM people WHERE email = ?1", [email], |r| {
                    r.get(0)
                })
                .optional()?;
            if name.is_none() {
                return Err(format!("no person `{email}`").into());
            }
        }
        "insert" => {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO people (email, name, created_at) VALUES (?1, ?2, ?3)",
                params![email, "Bench Person", NOW],
            )?;
            tx.commit()?;
        }
        "invite" => invite(&mut conn, email)?,
        other => return Err(format!("unknown mode `{other}`: select, insert or invite").into()),
    }
    Ok(())
}

/// The five rows of an invitation to the first account as its `user` role,
/// in one immediate transaction.
fn invite(conn: &mut Connection, email: &str) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (account, account_name): (i64, String) = tx.query_row(
        "SELECT id, name FROM accounts ORDER BY id LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let role: i64 = tx.query_row("SELECT id FROM roles WHERE name = 'user'", [], |r| r.get(0))?;
    tx.execute(
        "INSERT INTO people (email, name, created_at) VALUES (?1, '', ?2)",
        params![email, NOW],
    )?;
    let person = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO memberships (person_id, account_id, role_id, status, invited_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'invited', ?4, ?4, ?4)",
        params![person, account, role, NOW],
    )?;
    let membership = tx.last_insert_rowid();
    let token_hash = format!("{:x}", Sha256::digest(format!("token of {email}")));
    tx.execute(
        "INSERT INTO invitations (membership_id, token_hash, created_at, expires_at, state)
         VALUES (?1, ?2, ?3, ?3, 'pending')",
        params![membership, token_hash, NOW],
    )?;
    let invitation = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO outbox (kind, recipient, subject, body, created_at, state, invitation_id, next_attempt_at)
         VALUES ('invitation', ?1, 'You are invited', ?2, ?3, 'pending', ?4, ?3)",
        params![email, format!("Accept with the token of {email}."), NOW, invitation],
    )?;
    let (seq, prev): (i64, String) = tx
        .query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or_default();
    let after = serde_json::json!({
        "account": account_name, "email": email, "grants": [], "invited_at": NOW,
        "name": "", "owner": false, "role": "user", "status": "invited",
    })
    .to_string();
    let hash = format!(
        "{:x}",
        Sha256::digest(format!("{prev}\n{}{NOW}user.invite{email}{after}", seq + 1))
    );
    tx.execute(
        "INSERT INTO audit_events (seq, at, actor, action, account_id, account, target, after, prev_hash, hash, hash_version)
         VALUES (?1, ?2, 'operator:bench', 'user.invite', ?3, ?4, ?5, ?6, ?7, ?8, 2)",
        params![seq + 1, NOW, account, account_name, email, after, prev, hash],
    )?;
    tx.commit()
}
