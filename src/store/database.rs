//! Opening a portalctl database: telling a portal from an empty or foreign
//! file before anything is written to it, reading a file this user may not
//! write, the journal mode and busy timeout, the migrations, and how
//! SQLite's errors read.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior, MAIN_DB};

use super::file::{CreatedFile, FileId};
use super::{Open, SqliteStore, SqliteTx, Store, Tx};
use crate::error::{Error, Result};
use crate::model::Timestamp;

/// The migrations in order; `PRAGMA user_version` counts how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("../../schema.sql"),
    include_str!("../../migrations/0002_audit_insert_guard.sql"),
    include_str!("../../migrations/0003_role_account.sql"),
    include_str!("../../migrations/0004_audit_hash_version.sql"),
    include_str!("../../migrations/0005_outbox_delivery.sql"),
    include_str!("../../migrations/0006_orders_never_stuck.sql"),
    include_str!("../../migrations/0007_partners.sql"),
    include_str!("../../migrations/0008_partner_details.sql"),
    include_str!("../../migrations/0009_course_progress.sql"),
    include_str!("../../migrations/0010_owner_handover.sql"),
    include_str!("../../migrations/0011_time_bound_access.sql"),
    include_str!("../../migrations/0012_delegation.sql"),
    include_str!("../../migrations/0013_member_indexes.sql"),
    include_str!("../../migrations/0014_outbox_unsent.sql"),
    include_str!("../../migrations/0015_checks_as_comparisons.sql"),
    include_str!("../../migrations/0016_people_merged.sql"),
    include_str!("../../migrations/0017_audit_hash_not_unique.sql"),
    include_str!("../../migrations/0018_order_refs_ignore_case.sql"),
    include_str!("../../migrations/0019_delegation_setter.sql"),
    include_str!("../../migrations/0020_invited_name.sql"),
    include_str!("../../migrations/0021_outbox_inviter.sql"),
    include_str!("../../migrations/0022_invited_email.sql"),
    include_str!("../../migrations/0023_invitees_unnamed.sql"),
    NAME_KEYS,
    NAME_KEYS_SPACES,
    REF_KEYS,
    include_str!("../../migrations/0027_memberships_by_role_account.sql"),
    SKELETONS,
    PRODUCT_KEYS,
    include_str!("../../migrations/0030_email_skeletons.sql"),
    include_str!("../../migrations/0031_backquoted_texts.sql"),
    include_str!("../../migrations/0032_no_email_skeletons.sql"),
    LOOSE_SKELETONS,
    include_str!("../../migrations/0034_orders_by_creator.sql"),
    REF_LOOSE,
    include_str!("../../migrations/0036_order_policies_by_policy.sql"),
    include_str!("../../migrations/0037_services_end_with_access.sql"),
    include_str!("../../migrations/0038_customers_view.sql"),
    include_str!("../../migrations/0039_account_numbers.sql"),
];

/// The migration that adds the keys names are found by, which SQLite
/// cannot compute: [`fill_name_keys`] writes them as part of it.
const NAME_KEYS: &str = include_str!("../../migrations/0024_names.sql");

/// The migration that writes every name's key anew, as keys now fold
/// spaces: [`fill_name_keys`] again.
const NAME_KEYS_SPACES: &str = include_str!("../../migrations/0025_name_keys_spaces.sql");

/// The migration that adds the keys order references are found by:
/// [`fill_ref_keys`] writes them as part of it.
const REF_KEYS: &str = include_str!("../../migrations/0026_order_ref_keys.sql");

/// The migration that adds the skeletons look-alike names are told by:
/// [`fill_name_skeletons`] writes them as part of it.
const SKELETONS: &str = include_str!("../../migrations/0028_name_skeletons.sql");

/// The migration that adds the skeletons look-alike candidates are found
/// by: [`fill_loose_skeletons`] writes them as part of it.
const LOOSE_SKELETONS: &str = include_str!("../../migrations/0033_loose_skeletons.sql");

/// The migration that adds the skeletons look-alike order references are
/// found by: [`fill_ref_loose`] writes them as part of it.
const REF_LOOSE: &str = include_str!("../../migrations/0035_order_ref_loose.sql");

/// The migration that adds the keys licences' and prices' products are
/// found by: [`fill_product_keys`] writes them as part of it.
const PRODUCT_KEYS: &str = include_str!("../../migrations/0029_product_keys.sql");

/// Tables every portalctl schema has held since migration 1, and which
/// later migrations must keep: a database at a `user_version` we use is
/// ours only if it holds them, so another application's database that
/// happens to count its own `user_version` is not taken for a portal and
/// migrated.
const MARKER_TABLES: &[&str] = &["settings", "audit_events"];

/// Why a database is opened: only `init` may put the schema in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Any command but `init`: the file must hold a portal already.
    Command,
    /// `init`: an empty file gets the schema.
    Init,
}

/// What a database file holds, as read before anything is written to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contents {
    /// No schema object at all and `user_version` 0: a 0-byte file, or an
    /// SQLite file nobody has put anything in. A portal is never seen at
    /// version 0, because the migrations and the version that counts them
    /// commit in one transaction.
    Empty,
    /// A portal at this schema version, which this binary knows.
    Portal(i64),
    /// A portal at this schema version, newer than this binary knows.
    Newer(i64),
    /// Another application's SQLite database.
    Foreign,
}

impl SqliteStore {
    /// Opens the existing database at `path` and migrates it to this
    /// binary's schema. Writers wait up to `busy_timeout` for another
    /// process's lock.
    ///
    /// Only a portal is opened: an empty file, another application's
    /// database or a newer portal is refused before anything is written to
    /// it. A file this user may read but not write (or whose directory it
    /// may not write) opens read-only; a write then refuses (see
    /// [`read_only`]).
    pub(crate) fn open(path: &Path, busy_timeout: Duration) -> Result<SqliteStore> {
        if !path.exists() {
            return Err(
                Error::not_found(format!("no database at `{}`", path.display())).help(
                    "create one with `portalctl init`, or point --db / PORTALCTL_DB at yours",
                ),
            );
        }
        SqliteStore::connect(path, busy_timeout, Purpose::Command)
    }

    /// Opens the portal at `path` only to read it, for shell completion:
    /// unlike [`SqliteStore::open`] it never creates, migrates or writes
    /// anything, not even the journal mode, and refuses a file that is not
    /// a portal at this binary's schema version rather than change it.
    pub(crate) fn open_to_read(path: &Path, busy_timeout: Duration) -> Result<SqliteStore> {
        if !path.is_file() {
            return Err(Error::not_found(format!(
                "no database at `{}`",
                path.display()
            )));
        }
        let mut conn = open_read_only(path, busy_timeout)?;
        let contents = inspect(&mut conn, busy_timeout).map_err(|e| not_a_database(path, e))?;
        if contents != Contents::Portal(known_version()) {
            return Err(Error::invalid(format!(
                "`{}` is not a portal at schema version {}",
                path.display(),
                known_version()
            )));
        }
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(SqliteStore::on(conn))
    }

    /// Runs `init` on the database at `path`, creating the file (mode
    /// 0600) when there is none. An existing file is made private (mode
    /// 0600) and gets the schema if it is empty; another application's
    /// database is refused and left as it is.
    ///
    /// A refused `init` leaves no half-made database behind: when this call
    /// created the file and `init` fails, the file is removed again, but
    /// only if nobody else's database can be in it. Another process may
    /// have opened the new file meanwhile, even initialised it; such a file
    /// stays, as does any file this call did not create. With
    /// [`NewFile::Discard`] a file it created is removed on those terms
    /// whatever `init` returns.
    pub(crate) fn create<T>(
        path: &Path,
        busy_timeout: Duration,
        new_file: NewFile,
        init: impl FnOnce(SqliteStore) -> Result<T>,
    ) -> Result<T> {
        let created = if path.exists() {
            None
        } else {
            CreatedFile::create(path)?
        };
        // `init` owns the store, so its connection is closed by the time
        // the file may be removed.
        let result = SqliteStore::connect(path, busy_timeout, Purpose::Init).and_then(init);
        if let (true, Some(file)) = (result.is_err() || new_file == NewFile::Discard, created) {
            // The user needs to hear why `init` failed, not why a clean-up
            // did; a file left behind holds no data, and `init` can use it.
            let _ = file.remove_if_unused();
        }
        result
    }

    /// Opens the existing database file at `path` for `purpose`, and
    /// migrates it if it may.
    ///
    /// What the file holds is read first, before the journal mode is
    /// switched or anything else is written: switching another
    /// application's database to WAL, or writing our tables into it, would
    /// change a file that is not ours.
    fn connect(path: &Path, busy_timeout: Duration, purpose: Purpose) -> Result<SqliteStore> {
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot open `{}`", path.display()))?;
        // A device or a pipe is no database, and `init` would change the
        // mode of what it names (`/dev/null`).
        if !meta.is_file() {
            return Err(Error::invalid(format!(
                "`{}` is not a portalctl database: it is not a regular file",
                path.display()
            )));
        }
        let opened =
            FileId::at(path).with_context(|| format!("cannot open `{}`", path.display()))?;
        let (mut conn, mut writable) = open_file(path, busy_timeout)?;
        let contents = match inspect(&mut conn, busy_timeout) {
            // A read-write connection to a WAL database has to create its
            // `-wal` and `-shm` files, which a read-only directory refuses:
            // read without them.
            Err(e) if writable && cannot_write(&e) => {
                conn = open_read_only(path, busy_timeout)?;
                writable = false;
                inspect(&mut conn, busy_timeout)
            }
            other => other,
        }
        .map_err(|e| not_a_database(path, e))?;
        if let Some(refusal) = refusal(path, contents, purpose) {
            return Err(refusal);
        }
        let current = contents == Contents::Portal(known_version());
        if writable {
            if purpose == Purpose::Init {
                make_private(path)?;
            }
            let journal = use_wal(&conn, busy_timeout).map_err(|e| {
                if cannot_write(&e) {
                    read_only(path, "change", "")
                } else {
                    not_a_database(path, e)
                }
            })?;
            if !journal.eq_ignore_ascii_case("wal") {
                return Err(anyhow::anyhow!(
                    "`{}` cannot use WAL journaling (got {journal})",
                    path.display()
                )
                .into());
            }
        } else if purpose == Purpose::Init {
            return Err(read_only(path, "initialise", ""));
        } else if let (false, Contents::Portal(version)) = (current, contents) {
            return Err(read_only(
                path,
                "migrate",
                &format!(" from schema version {version} to {}", known_version()),
            ));
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A command runs a few dozen distinct statements, an apply the same
        // ones per object: rusqlite's default of 16 would evict and parse
        // them again and again.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        if !current {
            migrate(&mut conn, path, purpose)?;
        }
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
        Ok(SqliteStore::on(conn))
    }

    /// An in-memory database that hands every statement it runs to
    /// `trace`, for the tests of query plans.
    #[cfg(test)]
    pub(crate) fn in_memory_traced(
        trace: fn(rusqlite::trace::TraceEvent<'_>),
    ) -> Result<SqliteStore> {
        let store = SqliteStore::in_memory()?;
        store.conn.trace_v2(
            rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT,
            Some(trace),
        );
        Ok(store)
    }

    /// How SQLite would run `sql`: the detail lines of `EXPLAIN QUERY
    /// PLAN`, for the tests of query plans.
    #[cfg(test)]
    pub(crate) fn query_plan(&self, sql: &str) -> Result<Vec<String>> {
        let mut statement = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        // The plan does not depend on the values: each parameter is NULL.
        let nulls = vec![rusqlite::types::Null; statement.parameter_count()];
        let rows =
            statement.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// An in-memory database, for unit tests.
    #[cfg(test)]
    pub(crate) fn in_memory() -> Result<SqliteStore> {
        let mut conn = Connection::open_in_memory().context("cannot open an in-memory database")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        migrate(&mut conn, Path::new(":memory:"), Purpose::Init)?;
        Ok(SqliteStore::on(conn))
    }
}

/// What becomes of a database file that [`SqliteStore::create`] made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NewFile {
    /// Kept once the run goes through (`init`, `apply`).
    Keep,
    /// Removed whatever the run returns (`apply --dry-run`).
    Discard,
}

/// The page cache of a batch, in KiB (SQLite's default is 2 MiB). A batch
/// (an apply) writes many rows into the same tables and indexes; once its
/// dirty pages outgrow the cache, SQLite spills them to the WAL before the
/// commit and writes each again whenever it changes after, so an apply of
/// 100,000 users wrote some 300,000 pages for a 22,000-page database. The
/// cache grows only as pages are used: a small batch costs nothing more.
const BATCH_CACHE_KIB: i64 = 256 * 1024;

/// How many prepared statements a connection keeps: more than the store
/// has distinct statements.
const STATEMENT_CACHE: usize = 512;

impl Store for SqliteStore {
    fn set_moment(&mut self, at: Timestamp) {
        self.moment = Some(at);
    }

    fn read(&mut self) -> Result<Box<dyn Tx + '_>> {
        if self.batch > 0 {
            return Ok(Box::new(SqliteTx::new(
                Open::Savepoint(self.conn.savepoint()?),
                self.moment,
                &self.catalog,
            )));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        Ok(Box::new(SqliteTx::new(
            Open::Transaction(tx),
            self.moment,
            &self.catalog,
        )))
    }

    fn begin_batch(&mut self) -> Result<()> {
        // A batch inside a batch (checking an apply before confirming it)
        // is a savepoint of the outer one.
        if self.batch > 0 {
            self.conn
                .execute_batch(&format!("SAVEPOINT batch{}", self.batch))?;
        } else {
            self.ensure_writable()?;
            self.conn
                .pragma_update(None, "cache_size", -BATCH_CACHE_KIB)?;
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        self.batch += 1;
        Ok(())
    }

    fn end_batch(&mut self, commit: bool) -> Result<()> {
        let depth = self.batch;
        if depth == 0 {
            return Err(anyhow::anyhow!("no batch is open").into());
        }
        self.batch -= 1;
        if !commit {
            // What the batch's writes did to the catalog is undone with
            // them: a catalog read since is stale.
            self.catalog.undone();
        }
        let sql = match (depth, commit) {
            (1, true) => "COMMIT".to_string(),
            (1, false) => "ROLLBACK".to_string(),
            (_, true) => format!("RELEASE batch{}", depth - 1),
            (_, false) => format!("ROLLBACK TO batch{0}; RELEASE batch{0}", depth - 1),
        };
        self.conn.execute_batch(&sql)?;
        Ok(())
    }

    fn write(&mut self) -> Result<Box<dyn Tx + '_>> {
        if self.batch > 0 {
            return Ok(Box::new(SqliteTx::new(
                Open::Savepoint(self.conn.savepoint()?),
                self.moment,
                &self.catalog,
            )));
        }
        self.ensure_writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Box::new(SqliteTx::new(
            Open::Transaction(tx),
            self.moment,
            &self.catalog,
        )))
    }
}

impl SqliteStore {
    /// On a read-only connection SQLite would refuse the first write
    /// statement; refusing before it says which file and why.
    fn ensure_writable(&self) -> Result<()> {
        if self.conn.is_readonly(MAIN_DB)? {
            let path = PathBuf::from(self.conn.path().unwrap_or_default());
            return Err(read_only(&path, "change", ""));
        }
        Ok(())
    }
}

/// The default database: `portal.db` in the platform data directory.
pub(crate) fn default_path() -> Result<PathBuf> {
    let dir = dirs::data_dir().ok_or_else(|| {
        Error::invalid("no data directory is known for this user").help("pass --db PATH")
    })?;
    Ok(dir.join("portalctl").join("portal.db"))
}

/// The schema version of this binary.
pub(crate) fn known_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Opens `path` read-write if this user may write it, else read-only;
/// true if read-write.
fn open_file(path: &Path, busy_timeout: Duration) -> Result<(Connection, bool)> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .with_context(|| format!("cannot open `{}`", path.display()))?;
    // SQLite opens a file it may not write read-only, though asked for
    // read-write. Its first read of a WAL database would then create the
    // `-wal` and `-shm` files, and a read-only connection cannot remove
    // them when it closes: open it without them instead.
    if conn.is_readonly(MAIN_DB)? {
        return Ok((open_read_only(path, busy_timeout)?, false));
    }
    conn.busy_timeout(busy_timeout)
        .context("cannot set the busy timeout")?;
    Ok((conn, true))
}

/// Opens `path` read-only, creating no file beside it where it can.
///
/// When the write-ahead log holds no frames, the file alone is the whole
/// database, and it is opened `immutable`: SQLite then takes no lock and
/// needs no `-shm`, so it reads where no `-wal`/`-shm` may be created (a
/// read-only directory) and leaves nothing behind. Immutable also means
/// SQLite would not notice a change made while it reads. That is safe
/// enough here: with no log, nobody is writing now, and the only race left
/// is a writer with more rights than this user who opens, commits and
/// folds its log into the file (when its last connection closes) within
/// the few milliseconds of this command's reads. With frames in the log (a
/// writer at work, or one that crashed), the log holds committed data the
/// file lacks, so SQLite's ordinary read-only mode reads it, with locks and
/// the existing `-shm`.
fn open_read_only(path: &Path, busy_timeout: Duration) -> Result<Connection> {
    let log_has_frames = std::fs::metadata(side_file(path, "-wal")).is_ok_and(|m| m.len() > 0);
    let uri = format!(
        "{}?mode=ro{}",
        file_uri(path),
        if log_has_frames { "" } else { "&immutable=1" }
    );
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&uri, flags)
        .with_context(|| format!("cannot open `{}`", path.display()))?;
    conn.busy_timeout(busy_timeout)
        .context("cannot set the busy timeout")?;
    Ok(conn)
}

/// `path` as an SQLite `file:` URI, every byte but the unreserved ones
/// percent-encoded, so that a `?`, `#` or `%` in a name stays part of it.
fn file_uri(path: &Path) -> String {
    // `file:` with an absolute path takes an empty authority, so that a
    // path starting `//` is not read as a host.
    let mut uri = String::from(if path.is_absolute() {
        "file://"
    } else {
        "file:"
    });
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// Whether SQLite refused because this user may not write the file, or
/// create the files it needs beside it.
fn cannot_write(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen)
    )
}

/// What the file holds, read in one transaction so that the version and
/// the tables agree. It reads only: nothing is written to the file.
fn inspect(conn: &mut Connection, busy_timeout: Duration) -> rusqlite::Result<Contents> {
    retry_busy(busy_timeout, || {
        // Dropped, the transaction ends; it wrote nothing to commit.
        let tx = conn.transaction()?;
        contents(&tx)
    })
}

/// What the database of `conn` holds; see [`Contents`].
fn contents(conn: &Connection) -> rusqlite::Result<Contents> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let objects: i64 = conn.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| r.get(0))?;
    if version == 0 && objects == 0 {
        return Ok(Contents::Empty);
    }
    for table in MARKER_TABLES {
        let present: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
            [table],
            |r| r.get(0),
        )?;
        if !present {
            return Ok(Contents::Foreign);
        }
    }
    Ok(match version {
        ..=0 => Contents::Foreign,
        v if v > known_version() => Contents::Newer(v),
        v => Contents::Portal(v),
    })
}

/// Why a command for `purpose` may not go on with a file holding
/// `contents`, if it may not.
fn refusal(path: &Path, contents: Contents, purpose: Purpose) -> Option<Error> {
    match (contents, purpose) {
        (Contents::Portal(_), _) | (Contents::Empty, Purpose::Init) => None,
        // An empty file holds no portal, as a missing file does not: the
        // same exit code (3) and the same way out.
        (Contents::Empty, Purpose::Command) => Some(
            Error::not_found(format!(
                "no portal in `{}`: the file is empty",
                path.display()
            ))
            .help("create one with `portalctl init`, or point --db / PORTALCTL_DB at yours"),
        ),
        (Contents::Newer(version), _) => Some(
            Error::unavailable(format!(
                "the database has schema version {version}, newer than this portalctl knows ({})",
                known_version()
            ))
            .help("upgrade portalctl to open it"),
        ),
        (Contents::Foreign, _) => Some(
            Error::invalid(format!("`{}` is not a portalctl database", path.display())).help(
                "it is another application's SQLite database, left as it is; \
                 point --db / PORTALCTL_DB at a portalctl database",
            ),
        ),
    }
}

/// The refusal to `verb` (change, initialise, migrate) the database at
/// `path`, which this user may only read; `rest` follows the path.
///
/// Exit 6 (unavailable), as for a database another writer keeps locked:
/// the command is right as it stands and works once the file and its
/// directory are writable. Not 2, which says the command line needs
/// changing; not 5, which says the portal's rules refused the acting
/// member; not 1, since it is the user's to fix.
fn read_only(path: &Path, verb: &str, rest: &str) -> Error {
    // Opening for writing changes nothing in the file; it only asks.
    let file_writable = std::fs::OpenOptions::new().write(true).open(path).is_ok();
    let why = if file_writable {
        "its directory is read-only for this user, and SQLite keeps the `-wal` and `-shm` files there"
    } else {
        "the file is read-only for this user"
    };
    Error::unavailable(format!("cannot {verb} `{}`{rest}: {why}", path.display())).help(
        "run it as a user who may write the file and its directory; commands that only read work as they are",
    )
}

/// A refusal from SQLite that the file is no database at all, as ours.
fn not_a_database(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            Error::invalid(format!("`{}` is not a portalctl database", path.display()))
                .help("point --db / PORTALCTL_DB at a portalctl database, or at a new file for `portalctl init`")
        }
        _ => e.into(),
    }
}

/// Runs the migrations the database lacks, in one transaction.
fn migrate(conn: &mut Connection, path: &Path, purpose: Purpose) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the write lock: another process may have migrated,
    // or initialised the empty file, meanwhile.
    let contents = contents(&tx).map_err(|e| not_a_database(path, e))?;
    if let Some(refusal) = refusal(path, contents, purpose) {
        return Err(refusal);
    }
    let version = match contents {
        Contents::Portal(version) => version,
        _ => 0,
    };
    for (done, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)
            .with_context(|| format!("migration {} failed", done + 1))?;
        if *sql == NAME_KEYS || *sql == NAME_KEYS_SPACES {
            fill_name_keys(&tx).with_context(|| format!("migration {} failed", done + 1))?;
        }
        if *sql == REF_KEYS {
            fill_ref_keys(&tx).with_context(|| format!("migration {} failed", done + 1))?;
        }
        if *sql == SKELETONS {
            fill_name_skeletons(&tx).with_context(|| format!("migration {} failed", done + 1))?;
        }
        if *sql == LOOSE_SKELETONS {
            fill_loose_skeletons(&tx).with_context(|| format!("migration {} failed", done + 1))?;
        }
        if *sql == REF_LOOSE {
            fill_ref_loose(&tx).with_context(|| format!("migration {} failed", done + 1))?;
        }
        if *sql == PRODUCT_KEYS {
            fill_product_keys(&tx).with_context(|| format!("migration {} failed", done + 1))?;
        }
        tx.pragma_update(None, "user_version", done as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

/// Writes the key of every account name, policy name and address label
/// already in the database (see migrations 24 and 25).
fn fill_name_keys(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    for (table, column, key) in [
        ("accounts", "name", "name_key"),
        ("policies", "name", "name_key"),
        ("addresses", "label", "label_key"),
    ] {
        fill(tx, table, column, key, crate::model::name_key)?;
    }
    Ok(())
}

/// Writes the skeleton of every account name, policy name and address
/// label already in the database (see migration 28).
fn fill_name_skeletons(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    for (table, column, skeleton) in [
        ("accounts", "name", "name_skeleton"),
        ("policies", "name", "name_skeleton"),
        ("addresses", "label", "label_skeleton"),
    ] {
        fill(tx, table, column, skeleton, crate::model::name_skeleton)?;
    }
    Ok(())
}

/// Writes the loose skeleton of every account name, policy name, address
/// label, cost centre name and service name already in the database (see
/// migration 33).
fn fill_loose_skeletons(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    for (table, column, loose) in [
        ("accounts", "name", "name_loose"),
        ("policies", "name", "name_loose"),
        ("addresses", "label", "label_loose"),
        ("cost_centres", "name", "name_loose"),
        ("services", "name", "name_loose"),
    ] {
        fill(tx, table, column, loose, crate::model::loose_skeleton)?;
    }
    Ok(())
}

/// Writes the key of every order reference already in the database (see
/// migration 26).
fn fill_ref_keys(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    fill(tx, "orders", "ref", "ref_key", crate::model::name_key)
}

/// Writes the loose skeleton of every order reference already in the
/// database (see migration 35).
fn fill_ref_loose(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    fill(
        tx,
        "orders",
        "ref",
        "ref_loose",
        crate::model::reference_loose,
    )
}

/// Writes `derive` of each row's `column` of `table` into its `into`
/// column, row by row by id: what a migration adds that SQLite cannot
/// compute. A row whose `column` is NULL keeps a NULL.
fn fill(
    tx: &rusqlite::Transaction<'_>,
    table: &str,
    column: &str,
    into: &str,
    derive: fn(&str) -> String,
) -> rusqlite::Result<()> {
    let rows: Vec<(i64, String)> = tx
        .prepare(&format!(
            "SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = tx.prepare(&format!("UPDATE {table} SET {into} = ?2 WHERE id = ?1"))?;
    for (id, value) in rows {
        update.execute(rusqlite::params![id, derive(&value)])?;
    }
    Ok(())
}

/// Writes the key of every licence's and contracted price's product
/// already in the database (see migration 29).
fn fill_product_keys(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    for table in ["licenses", "partner_prices"] {
        let rows: Vec<(i64, String)> = tx
            .prepare(&format!("SELECT account_id, product FROM {table}"))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut update = tx.prepare(&format!(
            "UPDATE {table} SET product_key = ?3 WHERE account_id = ?1 AND product = ?2"
        ))?;
        for (account_id, product) in rows {
            update.execute(rusqlite::params![
                account_id,
                product,
                crate::model::name_key(&product)
            ])?;
        }
    }
    Ok(())
}

/// `path` with `suffix` (`-wal`, `-shm`) added to its name.
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut file = OsString::from(path.as_os_str());
    file.push(suffix);
    PathBuf::from(file)
}

/// Makes an existing database file, and its `-wal` and `-shm` files, readable
/// by its owner alone, as a file `init` creates is: it holds invitation
/// tokens and the audit log.
fn make_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for suffix in ["", "-wal", "-shm"] {
        let file = side_file(path, suffix);
        if suffix.is_empty() || file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("cannot make `{}` private (mode 0600)", file.display()))?;
        }
    }
    Ok(())
}

/// Switches the file to WAL journaling and returns the mode it now has.
fn use_wal(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<String> {
    retry_busy(busy_timeout, || {
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
    })
}

/// Runs `attempt` again while SQLite answers "busy", until `busy_timeout`
/// has passed. SQLite answers so at once, without waiting, when another
/// connection is switching the same new file to WAL; such an answer is
/// retried here as SQLite waits for every other lock.
fn retry_busy<T>(
    busy_timeout: Duration,
    mut attempt: impl FnMut() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let deadline = Instant::now() + busy_timeout;
    loop {
        match attempt() {
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
            // Writes to a read-only store are refused before SQLite sees
            // them (see `read_only`); this is the same refusal, unnamed.
            Some(ErrorCode::ReadOnly) => {
                Error::unavailable("the database is read-only for this user")
                    .help("run it as a user who may write the file and its directory")
            }
            // Named for what it is, so that every command says so and
            // `status` can report the file rather than fail (see `Damaged`).
            Some(ErrorCode::DatabaseCorrupt) => Error::Internal(anyhow::Error::new(Damaged(
                e.to_string(),
            ))),
            _ => Error::Internal(anyhow::Error::new(e).context("database error")),
        }
    }
}

/// SQLite found the file damaged where it had to read it (a truncated
/// file, a page overwritten): what it said. Any command reading there
/// fails with it (exit 1); `status` reports it as the integrity check's
/// finding instead (see [`Damaged::in_error`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the database file is damaged: {0}")]
pub(crate) struct Damaged(pub String);

impl Damaged {
    /// The damage `error` reports, if it is one.
    pub(crate) fn in_error(error: &Error) -> Option<&Damaged> {
        match error {
            Error::Internal(e) => e.downcast_ref::<Damaged>(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DEFAULT_BUSY_TIMEOUT;

    /// What an in-memory database holds after `sql`.
    fn contents_after(sql: &str) -> Contents {
        let conn = Connection::open_in_memory().expect("in-memory db");
        conn.execute_batch(sql).expect("set-up");
        contents(&conn).expect("reads")
    }

    /// Migration 1 at `user_version` `version`.
    fn schema_at(version: i64) -> String {
        format!("{}; PRAGMA user_version = {version};", MIGRATIONS[0])
    }

    #[test]
    fn a_batch_keeps_its_pages_in_a_cache_of_its_size() {
        let mut store = SqliteStore::in_memory().expect("store");
        let cache = |s: &SqliteStore| -> i64 {
            s.conn
                .pragma_query_value(None, "cache_size", |r| r.get(0))
                .expect("cache_size")
        };
        assert_eq!(cache(&store), -2000, "SQLite's default outside a batch");
        store.begin_batch().expect("batch");
        assert_eq!(cache(&store), -BATCH_CACHE_KIB);
        store.end_batch(false).expect("rolled back");
    }

    #[test]
    fn a_file_is_empty_ours_newer_or_foreign() {
        assert_eq!(contents_after(""), Contents::Empty);
        assert_eq!(contents_after(&schema_at(1)), Contents::Portal(1));
        assert_eq!(contents_after(&schema_at(99)), Contents::Newer(99));
        for foreign in [
            "CREATE TABLE notes (body TEXT)",
            "PRAGMA user_version = 3",
            "CREATE TABLE notes (body TEXT); PRAGMA user_version = 1",
            "CREATE TABLE settings (k); PRAGMA user_version = 1",
        ] {
            assert_eq!(contents_after(foreign), Contents::Foreign, "{foreign}");
        }
        // Our tables at a version no portalctl writes.
        assert_eq!(contents_after(&schema_at(0)), Contents::Foreign);
        assert_eq!(contents_after(&schema_at(-1)), Contents::Foreign);
    }

    /// SQLite checks a column against a list of more than two values by
    /// filling a temporary index with the list at every write (see
    /// migration 15); a table whose CHECK does so slows every insert.
    #[test]
    fn no_insert_builds_a_temporary_index_for_a_check() {
        let store = SqliteStore::in_memory().expect("in-memory store");
        let tables: Vec<String> = store
            .conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("tables");
        assert!(tables.len() > 20, "{tables:?}");
        for table in tables {
            let ops: Vec<String> = store
                .conn
                .prepare(&format!("EXPLAIN INSERT INTO \"{table}\" DEFAULT VALUES"))
                .and_then(|mut s| s.query_map([], |r| r.get("opcode"))?.collect())
                .expect("explained");
            assert!(
                !ops.iter().any(|op| op == "OpenEphemeral"),
                "{table}: {ops:?}"
            );
        }
    }

    #[test]
    fn a_migrated_database_is_current() {
        let store = SqliteStore::in_memory().expect("in-memory store");
        assert_eq!(
            contents(&store.conn).expect("reads"),
            Contents::Portal(known_version())
        );
    }

    #[test]
    fn only_init_may_go_on_with_an_empty_file() {
        let path = Path::new("portal.db");
        assert!(refusal(path, Contents::Empty, Purpose::Init).is_none());
        assert!(matches!(
            refusal(path, Contents::Empty, Purpose::Command),
            Some(Error::NotFound(_))
        ));
        for purpose in [Purpose::Command, Purpose::Init] {
            assert!(refusal(path, Contents::Portal(1), purpose).is_none());
            assert!(matches!(
                refusal(path, Contents::Foreign, purpose),
                Some(Error::Invalid(_))
            ));
            assert!(matches!(
                refusal(path, Contents::Newer(99), purpose),
                Some(Error::Unavailable(_))
            ));
        }
    }

    #[test]
    fn a_file_uri_keeps_every_character_of_the_path() {
        assert_eq!(
            file_uri(Path::new("/tmp/a b?c#d%e.db")),
            "file:///tmp/a%20b%3Fc%23d%25e.db"
        );
        assert_eq!(file_uri(Path::new("data/portal.db")), "file:data/portal.db");
        assert_eq!(file_uri(Path::new("//host/x.db")), "file:////host/x.db");
    }

    #[test]
    fn a_read_only_store_reads_and_refuses_writes_leaving_no_side_file() {
        let dir = tempfile::tempdir().expect("temporary directory");
        // Characters a URI would otherwise take for its own.
        let path = dir.path().join("a b?c#d%e.db");
        SqliteStore::create(&path, DEFAULT_BUSY_TIMEOUT, NewFile::Keep, |_| Ok(())).expect("init");
        let conn = open_read_only(&path, DEFAULT_BUSY_TIMEOUT).expect("opens");
        let mut store = SqliteStore::on(conn);
        assert_eq!(
            contents(&store.conn).expect("reads"),
            Contents::Portal(known_version())
        );
        assert!(store.read().is_ok());
        assert!(matches!(store.write(), Err(Error::Unavailable(_))));
        drop(store);
        for suffix in ["-wal", "-shm"] {
            assert!(!side_file(&path, suffix).exists(), "{suffix} left behind");
        }
    }
}
