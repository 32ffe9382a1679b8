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
//!   cargo run --release --example command_baseline -- DB select EMAIL
//!   cargo run --release --example command_baseline -- DB insert EMAIL

use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

const NOW: &str = "2026-11-25T10:00:00Z";

/// The busy timeout portalctl uses when PORTALCTL_BUSY_TIMEOUT is unset.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (db, mode, email) = match (args.get(1), args.get(2), args.get(3)) {
        (Some(db), Some(mode), Some(email)) => (db, mode.as_str(), email),
        _ => return Err("usage: command_baseline DB select|insert EMAIL".into()),
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
        other => return Err(format!("unknown mode `{other}`: select or insert").into()),
    }
    Ok(())
}
