//! The database file itself: creating it private, telling whether a path
//! still names the file it named, and removing a file that a failed `init`
//! of this process created.
//!
//! Removal is the dangerous part: another process may open the new file
//! between its creation and a failed `init`, and may even initialise it.
//! So [`CreatedFile::remove_if_unused`] removes the file only while it can
//! prove that nobody else's database is in it, and [`FileId`] lets an
//! opening process notice that the file it opened was removed meanwhile.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::Result;

/// Which file a path names: its device and inode. A path can come to name
/// another file (removed and created again); the identity tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The file `path` names now.
    pub(super) fn at(path: &Path) -> std::io::Result<FileId> {
        let meta = std::fs::metadata(path)?;
        Ok(FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }
}

/// A database file this process has just created (with `create_new`), so
/// no other process can have had data in it before.
pub(super) struct CreatedFile {
    path: PathBuf,
    id: FileId,
    /// The connection that may remove the file, open from its creation on:
    /// its descriptor keeps the file's inode, and so its [`FileId`], from
    /// passing to a file created at `path` after this one is removed. It
    /// reads nothing until then, so it holds no lock.
    conn: Connection,
}

/// Creates the file at `path` with mode 0600, and its directory with mode
/// 0700 if that is missing too. `None`: another process created the file
/// first, and it is theirs as much as ours.
fn create_private_file(path: &Path) -> Result<Option<File>> {
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        // A directory made for the database is private like the file.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
    }
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(file) => Ok(Some(file)),
        // Another process created it a moment ago: open theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(anyhow::Error::new(e)
            .context(format!("cannot create `{}`", path.display()))
            .into()),
    }
}

impl CreatedFile {
    /// Creates the file at `path` as [`create_private_file`] does; `None`:
    /// it was there already, or was replaced at once, so it is not this
    /// process's to remove.
    pub(super) fn create(path: &Path) -> Result<Option<CreatedFile>> {
        let Some(file) = create_private_file(path)? else {
            return Ok(None);
        };
        let meta = file
            .metadata()
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        let id = FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .with_context(|| format!("cannot open `{}`", path.display()))?;
        // `file` still holds the inode, so an equal id is this very file,
        // and the connection above opened it. `file` closes when this
        // returns, before any lock exists that closing it could drop.
        if FileId::at(path).ok() != Some(id) {
            return Ok(None);
        }
        Ok(Some(CreatedFile {
            path: path.to_path_buf(),
            id,
            conn,
        }))
    }

    /// Removes the file with its `-wal` and `-shm` files, if nobody's
    /// database is in it; true if it did. Every other connection to it,
    /// this process's own included, must be closed first.
    ///
    /// It holds an exclusive lock on the file while it checks and removes:
    /// SQLite grants that lock only while no other connection, in any
    /// process, has the database open (in WAL mode each holds a shared lock
    /// until it closes), and it keeps anyone from opening the database
    /// meanwhile. Under the lock, the file must hold no rows (a database
    /// someone initialised does) and `path` must still name the file this
    /// process created. Whatever fails or cannot be proved leaves the file.
    pub(super) fn remove_if_unused(mut self) -> Result<bool> {
        // A file another connection has open is shared now: leave it
        // rather than wait for it.
        self.conn.busy_timeout(Duration::ZERO)?;
        let mode: String =
            self.conn
                .pragma_update_and_check(None, "locking_mode", "EXCLUSIVE", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("exclusive") {
            return Ok(false);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)?;
        if holds_rows(&tx)? || FileId::at(&self.path).ok() != Some(self.id) {
            return Ok(false);
        }
        // The side files first: once the database file is gone, another
        // process may create a new one at `path`, with side files of its own.
        for suffix in ["-wal", "-shm", ""] {
            let mut file = OsString::from(self.path.as_os_str());
            file.push(suffix);
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(anyhow::Error::new(e)
                        .context(format!("cannot remove `{}`", Path::new(&file).display()))
                        .into());
                }
                _ => {}
            }
        }
        // Closing is harmless now: SQLite sees that the file has gone, so
        // it neither checkpoints into it nor removes side files by name.
        Ok(true)
    }
}

/// Whether any table of the database holds a row.
fn holds_rows(conn: &Connection) -> Result<bool> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in tables {
        let quoted = table.replace('"', "\"\"");
        let any: bool = conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM \"{quoted}\")"),
            [],
            |r| r.get(0),
        )?;
        if any {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::store::{NewFile, SqliteStore, Store, DEFAULT_BUSY_TIMEOUT};

    /// A path in a new temporary directory, below a directory `create`
    /// has to make.
    fn new_path() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("data").join("portal.db");
        (dir, path)
    }

    fn refused<T>() -> Result<T> {
        Err(Error::invalid("refused"))
    }

    fn open(path: &Path) -> Result<SqliteStore> {
        SqliteStore::open(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// Commits what an initialised database holds: a setting.
    fn initialise(store: &mut dyn Store) -> Result<()> {
        let tx = store.write()?;
        tx.put_setting("preset", "portal")?;
        tx.commit()
    }

    /// The preset setting of the database at `path`.
    fn preset_at(path: &Path) -> Option<String> {
        let mut store = open(path).expect("the database is there");
        let tx = store.read().expect("read transaction");
        tx.setting("preset").expect("reads")
    }

    fn side_files(path: &Path) -> Vec<PathBuf> {
        ["-wal", "-shm"]
            .iter()
            .map(|s| {
                let mut file = OsString::from(path.as_os_str());
                file.push(s);
                PathBuf::from(file)
            })
            .filter(|f| f.exists())
            .collect()
    }

    #[test]
    fn a_failed_init_removes_the_file_it_created() {
        let (_dir, path) = new_path();
        let result =
            SqliteStore::create(&path, DEFAULT_BUSY_TIMEOUT, NewFile::Keep, |mut store| {
                // Written but never committed: nobody's data.
                store.write()?.put_setting("preset", "portal")?;
                refused::<()>()
            });
        assert!(result.is_err());
        assert!(!path.exists(), "the file is gone");
        assert_eq!(
            side_files(&path),
            Vec::<PathBuf>::new(),
            "and its side files"
        );
    }

    #[test]
    fn a_successful_init_keeps_its_file() {
        let (_dir, path) = new_path();
        SqliteStore::create(&path, DEFAULT_BUSY_TIMEOUT, NewFile::Keep, |mut store| {
            initialise(&mut store)
        })
        .expect("init succeeds");
        assert_eq!(preset_at(&path).as_deref(), Some("portal"));
    }

    #[test]
    fn a_failed_init_keeps_a_file_it_did_not_create() {
        let (_dir, path) = new_path();
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("directory");
        std::fs::write(&path, b"").expect("an empty file of someone else's");
        assert!(SqliteStore::create(
            &path,
            DEFAULT_BUSY_TIMEOUT,
            NewFile::Keep,
            |_| refused::<()>()
        )
        .is_err());
        assert!(path.exists());
    }

    #[test]
    fn a_failed_init_keeps_a_database_another_process_initialised_meanwhile() {
        let (_dir, path) = new_path();
        let result = SqliteStore::create(&path, DEFAULT_BUSY_TIMEOUT, NewFile::Keep, |store| {
            drop(store);
            // Another process's connection, closed before this one fails.
            initialise(&mut open(&path)?)?;
            refused::<()>()
        });
        assert!(result.is_err());
        assert_eq!(preset_at(&path).as_deref(), Some("portal"), "theirs stays");
    }

    #[test]
    fn a_failed_init_keeps_a_file_another_connection_has_open() {
        let (_dir, path) = new_path();
        let mut other = None;
        let result = SqliteStore::create(&path, DEFAULT_BUSY_TIMEOUT, NewFile::Keep, |_| {
            // Another process, about to initialise it when this init fails.
            other = Some(open(&path)?);
            refused::<()>()
        });
        assert!(result.is_err());
        assert!(path.exists(), "the other connection's file stays");
        initialise(&mut other.expect("the other store")).expect("it can still write");
        assert_eq!(preset_at(&path).as_deref(), Some("portal"));
    }

    #[test]
    fn a_failed_init_keeps_a_file_that_took_the_place_of_its_own() {
        let (_dir, path) = new_path();
        let result = SqliteStore::create(&path, DEFAULT_BUSY_TIMEOUT, NewFile::Keep, |store| {
            drop(store);
            std::fs::remove_file(&path).expect("removes");
            std::fs::write(&path, b"").expect("another empty file");
            refused::<()>()
        });
        assert!(result.is_err());
        assert!(path.exists(), "the new file is not ours to remove");
    }

    #[test]
    fn removal_is_refused_while_a_connection_is_open() {
        let (_dir, path) = new_path();
        let created = CreatedFile::create(&path)
            .expect("creates")
            .expect("this call made it");
        // Another process's `init`, with the new file open.
        SqliteStore::create(&path, DEFAULT_BUSY_TIMEOUT, NewFile::Keep, |store| {
            assert!(matches!(
                created.remove_if_unused(),
                Err(Error::Unavailable(_))
            ));
            assert!(path.exists(), "the open database stays");
            drop(store);
            Ok(())
        })
        .expect("the other init opens it");
    }

    #[test]
    fn a_file_created_twice_is_the_first_creators() {
        let (_dir, path) = new_path();
        let first = CreatedFile::create(&path).expect("creates");
        assert!(first.is_some());
        assert!(CreatedFile::create(&path).expect("finds it").is_none());
    }
}
