//! Opening a portalctl database: the file, its journal mode and busy
//! timeout, the migrations, and how SQLite's errors read.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use super::file::{CreatedFile, FileId};
use super::{SqliteStore, SqliteTx, Store, Tx};
use crate::error::{Error, Result};

/// The migrations in order; `PRAGMA user_version` counts how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("../../schema.sql"),
    include_str!("../../migrations/0002_audit_insert_guard.sql"),
    include_str!("../../migrations/0003_role_account.sql"),
    include_str!("../../migrations/0005_outbox_delivery.sql"),
];

impl SqliteStore {
    /// Opens the existing database at `path` and migrates it to this
    /// binary's schema. Writers wait up to `busy_timeout` for another
    /// process's lock.
    pub(crate) fn open(path: &Path, busy_timeout: Duration) -> Result<SqliteStore> {
        if !path.exists() {
            return Err(
                Error::not_found(format!("no database at `{}`", path.display())).help(
                    "create one with `portalctl init`, or point --db / PORTALCTL_DB at yours",
                ),
            );
        }
        SqliteStore::connect(path, busy_timeout)
    }

    /// Runs `init` on the database at `path`, creating the file (mode
    /// 0600) when there is none.
    ///
    /// A refused `init` leaves no half-made database behind: when this call
    /// created the file and `init` fails, the file is removed again, but
    /// only if nobody else's database can be in it. Another process may
    /// have opened the new file meanwhile, even initialised it; such a file
    /// stays, as does any file this call did not create.
    pub(crate) fn create<T>(
        path: &Path,
        busy_timeout: Duration,
        init: impl FnOnce(SqliteStore) -> Result<T>,
    ) -> Result<T> {
        let created = if path.exists() {
            make_private(path)?;
            None
        } else {
            CreatedFile::create(path)?
        };
        // `init` owns the store, so its connection is closed by the time
        // the file may be removed.
        let result = SqliteStore::connect(path, busy_timeout).and_then(init);
        if let (Err(_), Some(file)) = (&result, created) {
            // The user needs to hear why `init` failed, not why a clean-up
            // did; a file left behind holds no data, and `init` can use it.
            let _ = file.remove_if_unused();
        }
        result
    }

    /// Opens and migrates the existing database file at `path`.
    fn connect(path: &Path, busy_timeout: Duration) -> Result<SqliteStore> {
        let opened =
            FileId::at(path).with_context(|| format!("cannot open `{}`", path.display()))?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)
            .with_context(|| format!("cannot open `{}`", path.display()))?;
        conn.busy_timeout(busy_timeout)
            .context("cannot set the busy timeout")?;
        let journal = use_wal(&conn, busy_timeout).map_err(|e| not_a_database(path, e))?;
        if !journal.eq_ignore_ascii_case("wal") {
            return Err(anyhow::anyhow!(
                "`{}` cannot use WAL journaling (got {journal})",
                path.display()
            )
            .into());
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        // From its first read until it closes, the connection holds a
        // shared lock on the file, and a failed `init` removes only a file
        // nobody holds. So if `path` still names the file opened above,
        // nobody removes it under us; if not, a failed `init` removed it
        // before our lock, and what we would write would be lost.
        if FileId::at(path).ok() != Some(opened) {
            return Err(Error::unavailable(format!(
                "`{}` was removed while it was being opened",
                path.display()
            ))
            .help("try again"));
        }
        Ok(SqliteStore { conn })
    }

    /// An in-memory database, for unit tests.
    #[cfg(test)]
    pub(crate) fn in_memory() -> Result<SqliteStore> {
        let mut conn = Connection::open_in_memory().context("cannot open an in-memory database")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(SqliteStore { conn })
    }
}

impl Store for SqliteStore {
    fn read(&mut self) -> Result<Box<dyn Tx + '_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        Ok(Box::new(SqliteTx::new(tx)))
    }

    fn write(&mut self) -> Result<Box<dyn Tx + '_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Box::new(SqliteTx::new(tx)))
    }
}

/// The default database: `portal.db` in the platform data directory.
pub(crate) fn default_path() -> Result<PathBuf> {
    let dir = dirs::data_dir().ok_or_else(|| {
        Error::invalid("no data directory is known for this user").help("pass --db PATH")
    })?;
    Ok(dir.join("portalctl").join("portal.db"))
}

fn not_a_database(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            Error::invalid(format!("`{}` is not a portalctl database", path.display()))
        }
        _ => e.into(),
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version == known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the write lock: another process may have migrated.
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > known {
        return Err(Error::unavailable(format!(
            "the database has schema version {version}, newer than this portalctl knows ({known})"
        ))
        .help("upgrade portalctl to open it"));
    }
    for (done, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)
            .with_context(|| format!("migration {} failed", done + 1))?;
        tx.pragma_update(None, "user_version", done as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

/// Makes an existing database file, and its `-wal` and `-shm` files, readable
/// by its owner alone, as a file `init` creates is: it holds invitation
/// tokens and the audit log.
fn make_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = PathBuf::from(file);
        if suffix.is_empty() || file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("cannot make `{}` private (mode 0600)", file.display()))?;
        }
    }
    Ok(())
}

/// Switches the file to WAL journaling and returns the mode it now has.
/// SQLite answers "busy" at once, without waiting, when another connection
/// is switching the same new file, so the switch is retried until
/// `busy_timeout` as every other lock is.
fn use_wal(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<String> {
    let deadline = Instant::now() + busy_timeout;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(2));
            }
            other => return other,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                Error::unavailable("the database stayed locked by another writer past the busy timeout")
                    .help("try again when the other writer has finished, or raise PORTALCTL_BUSY_TIMEOUT (milliseconds)")
            }
            Some(ErrorCode::ReadOnly) => {
                Error::Internal(anyhow::Error::new(e).context("the database is read-only"))
            }
            _ => Error::Internal(anyhow::Error::new(e).context("database error")),
        }
    }
}
