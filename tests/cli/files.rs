//! The database file and the other files portalctl reads: only `init` puts
//! a schema in a file, and never in another application's; a file this user
//! may only read serves the commands that only read; input files are read
//! up to a cap.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

use crate::support::{
    error_line, rewind, says, schema_version, Portal, ACCOUNT, NOT_FOUND, OWNER, UNAVAILABLE, USAGE,
};

/// Commands that only read.
const READS: &[&[&str]] = &[
    &["user", "list"],
    &["audit", "list"],
    &["audit", "verify"],
    &["account", "list"],
];

/// Commands that write.
const WRITES: &[&[&str]] = &[
    &[
        "user", "invite", "--email", "ann@acme.test", "--name", "Ann", "--role", "user",
    ],
    &[
        "account", "create", "Beta Ltd", "--kind", "customer", "--parent", ACCOUNT,
    ],
    &["init", "--account", ACCOUNT, "--owner-email", OWNER],
];

/// Everything about the database file a command could change: its bytes,
/// size, modification time and mode, and which of its side files exist.
#[derive(Debug, PartialEq)]
struct FileState {
    bytes: Vec<u8>,
    modified: SystemTime,
    mode: u32,
    side_files: Vec<String>,
}

impl FileState {
    #[track_caller]
    fn of(db: &Path) -> FileState {
        let meta = std::fs::metadata(db).unwrap();
        FileState {
            bytes: std::fs::read(db).unwrap(),
            modified: meta.modified().unwrap(),
            mode: meta.permissions().mode() & 0o7777,
            side_files: side_files(db),
        }
    }
}

/// The `-wal`, `-shm` and `-journal` files beside `db`.
fn side_files(db: &Path) -> Vec<String> {
    ["-wal", "-shm", "-journal"]
        .into_iter()
        .filter(|suffix| side_file(db, suffix).exists())
        .map(str::to_string)
        .collect()
}

fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The journal mode recorded in an SQLite file's header, read from its
/// bytes so that looking opens no connection: `wal` or `rollback`.
fn header_journal(bytes: &[u8]) -> &'static str {
    match bytes.get(18..20) {
        Some([2, 2]) => "wal",
        _ => "rollback",
    }
}

/// Another application's database: a table of notes, in `journal` mode,
/// at `user_version` `version`.
fn foreign(journal: &str, version: i64) -> Portal {
    let p = Portal::empty();
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.pragma_update_and_check(None, "journal_mode", journal, |_| Ok(()))
        .unwrap();
    conn.execute_batch(
        "CREATE TABLE notes (body TEXT NOT NULL);
         INSERT INTO notes VALUES ('buy milk'), ('call the bank');",
    )
    .unwrap();
    conn.pragma_update(None, "user_version", version).unwrap();
    drop(conn);
    assert_eq!(side_files(&p.db), Vec::<String>::new());
    p
}

/// A file of `bytes` that is no SQLite database.
fn garbage() -> Portal {
    let p = Portal::empty();
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&p.db, bytes).unwrap();
    p
}

/// An empty file, as `touch` makes.
fn zero_bytes() -> Portal {
    let p = Portal::empty();
    std::fs::write(&p.db, b"").unwrap();
    p
}

/// A portal at a schema version newer than this binary's.
fn newer() -> Portal {
    let p = Portal::new();
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    p
}

/// A portal at schema version 1: without what migration 2 added.
fn version_1() -> Portal {
    let p = Portal::new();
    let conn = rusqlite::Connection::open(&p.db).unwrap();
    rewind(&conn, 1);
    p
}

/// Runs `args` on `p`, expects the refusal `code` with `says` in its error
/// line, and asserts that the file is exactly as it was, down to its
/// modification time and mode, with no side file left behind.
#[track_caller]
fn refused_untouched(p: &Portal, args: &[&str], code: i32, says_what: &str) {
    let before = FileState::of(&p.db);
    let err = p.refused(args, code);
    says(error_line(&err), says_what);
    assert_eq!(
        FileState::of(&p.db),
        before,
        "`portalctl {}` changed the file",
        args.join(" ")
    );
}

/// A file that holds no portal this binary may open, and how a command
/// on it is refused.
struct Unfit {
    what: &'static str,
    setup: fn() -> Portal,
    code: i32,
    says: &'static str,
}

/// Every kind of file that holds no portal this binary may open.
fn unfit_files() -> Vec<Unfit> {
    let unfit = |what, setup, code, says| Unfit {
        what,
        setup,
        code,
        says,
    };
    let not_ours = "not a portalctl database";
    vec![
        unfit("a 0-byte file", zero_bytes, NOT_FOUND, "empty"),
        unfit("bytes of no database", garbage, USAGE, not_ours),
        unfit(
            "notes in rollback mode",
            || foreign("delete", 0),
            USAGE,
            not_ours,
        ),
        unfit("notes in WAL mode", || foreign("wal", 0), USAGE, not_ours),
        // Another application counting its own user_version is not a
        // portal to migrate.
        unfit(
            "notes at user_version 1",
            || foreign("delete", 1),
            USAGE,
            not_ours,
        ),
        unfit("a newer portal", newer, UNAVAILABLE, "newer"),
    ]
}

#[test]
fn no_command_but_init_writes_to_a_file_without_a_portal() {
    for file in unfit_files() {
        eprintln!("file: {}", file.what);
        let p = (file.setup)();
        let journal = header_journal(&std::fs::read(&p.db).unwrap());
        for args in READS.iter().chain(&WRITES[..2]) {
            refused_untouched(&p, args, file.code, file.says);
        }
        assert_eq!(
            header_journal(&std::fs::read(&p.db).unwrap()),
            journal,
            "{}: the journal mode changed",
            file.what
        );
    }
}

#[test]
fn init_leaves_another_applications_file_alone() {
    let init: &[&str] = &["init", "--account", ACCOUNT, "--owner-email", OWNER];
    // An empty file is `init`'s to fill (see below).
    for file in unfit_files().into_iter().filter(|f| f.code != NOT_FOUND) {
        eprintln!("file: {}", file.what);
        let p = (file.setup)();
        // Readable by all: a refused init does not even make it private.
        std::fs::set_permissions(&p.db, std::fs::Permissions::from_mode(0o644)).unwrap();
        refused_untouched(&p, init, file.code, file.says);
    }
}

#[test]
fn init_gives_an_empty_file_the_schema() {
    let empty_database = || {
        // An SQLite file nobody has put anything in.
        let p = Portal::empty();
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        conn.execute_batch("VACUUM").unwrap();
        p
    };
    for p in [zero_bytes(), empty_database()] {
        p.ok(&["init", "--account", ACCOUNT, "--owner-email", OWNER]);
        assert_eq!(p.query("PRAGMA user_version"), schema_version());
        assert_eq!(p.text("PRAGMA journal_mode"), "wal");
        assert_eq!(
            std::fs::metadata(&p.db).unwrap().permissions().mode() & 0o777,
            0o600
        );
        p.ok(&["user", "list"]);
    }
}

#[test]
fn an_older_portal_migrates_on_any_command() {
    let p = version_1();
    p.ok(&["user", "list"]);
    assert_eq!(p.query("PRAGMA user_version"), schema_version());
    assert_eq!(
        p.text("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'audit_events_no_replace'"),
        "1"
    );
}

#[test]
fn a_path_that_is_no_regular_file_is_refused() {
    let p = Portal::empty();
    std::fs::create_dir(&p.db).unwrap();
    let err = p.refused(&["user", "list"], USAGE);
    says(error_line(&err), "not a regular file");
    let err = p.refused(
        &["init", "--account", ACCOUNT, "--owner-email", OWNER],
        USAGE,
    );
    says(error_line(&err), "not a regular file");
}

// ------------------------------------------------------ read-only files

/// Takes away this user's write permission on a file or directory while
/// it lives, and gives the old mode back when dropped, so the temporary
/// directory can be removed.
struct Protected {
    path: PathBuf,
    mode: u32,
}

impl Protected {
    /// Sets `path` to `mode`; `None` if this user can write it all the
    /// same (root can), when the test has nothing to show.
    #[track_caller]
    fn new(path: &Path, mode: u32) -> Option<Protected> {
        let old = std::fs::metadata(path).unwrap().permissions().mode();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        let guard = Protected {
            path: path.to_path_buf(),
            mode: old,
        };
        let writable = if path.is_dir() {
            let probe = path.join("write-probe");
            let made = std::fs::File::create(&probe).is_ok();
            let _ = std::fs::remove_file(&probe);
            made
        } else {
            std::fs::OpenOptions::new().write(true).open(path).is_ok()
        };
        if writable {
            eprintln!(
                "note: skipped: this user can write `{}` at mode {mode:o} (root?)",
                path.display()
            );
            return None;
        }
        Some(guard)
    }
}

impl Drop for Protected {
    fn drop(&mut self) {
        let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(self.mode));
    }
}

/// Reads work on `p` as they are, leaving no side file, and writes are
/// refused as unavailable, naming `why`, changing nothing.
#[track_caller]
fn reads_work_and_writes_refuse(p: &Portal, why: &str) {
    let before = FileState::of(&p.db);
    for args in READS {
        p.ok(args);
        assert_eq!(
            FileState::of(&p.db),
            before,
            "`portalctl {}` changed the file or left a side file",
            args.join(" ")
        );
    }
    let owner = p.json(&["user", "list"]);
    assert_eq!(owner[0]["email"], OWNER, "{owner}");
    for args in WRITES {
        refused_untouched(p, args, UNAVAILABLE, why);
    }
}

#[test]
fn a_read_only_file_serves_reads_and_refuses_writes() {
    let p = Portal::new();
    let Some(_guard) = Protected::new(&p.db, 0o400) else {
        return;
    };
    reads_work_and_writes_refuse(&p, "the file is read-only");
}

#[test]
fn a_file_in_a_read_only_directory_serves_reads_and_refuses_writes() {
    let p = Portal::new();
    let dir = p.db.parent().unwrap().to_path_buf();
    let Some(_guard) = Protected::new(&dir, 0o500) else {
        return;
    };
    reads_work_and_writes_refuse(&p, "directory is read-only");
}

#[test]
fn an_older_portal_that_cannot_be_written_is_refused_until_it_can() {
    let p = version_1();
    {
        let Some(_guard) = Protected::new(&p.db, 0o400) else {
            return;
        };
        for args in READS {
            refused_untouched(&p, args, UNAVAILABLE, "migrate");
        }
    }
    {
        let dir = p.db.parent().unwrap().to_path_buf();
        let Some(_guard) = Protected::new(&dir, 0o500) else {
            return;
        };
        refused_untouched(&p, &["user", "list"], UNAVAILABLE, "migrate");
    }
    // Writable again, any command migrates it.
    p.ok(&["user", "list"]);
    assert_eq!(p.query("PRAGMA user_version"), schema_version());
}

// ---------------------------------------------------------- input files

/// Runs `args` and waits at most `limit` for it, killing it if it takes
/// longer; returns the exit code and stderr.
#[track_caller]
fn run_within(p: &Portal, args: &[&str], limit: Duration) -> (i32, String) {
    let mut child = p
        .command(args, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`portalctl {}` still ran after {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn init_with_preset_file(file: &str) -> Vec<&str> {
    vec![
        "init", "--preset-file", file, "--account", ACCOUNT, "--owner-email", OWNER,
    ]
}

#[test]
fn a_preset_file_that_never_ends_is_refused_at_once() {
    let p = Portal::empty();
    let (code, stderr) = run_within(
        &p,
        &init_with_preset_file("/dev/zero"),
        Duration::from_secs(20),
    );
    assert_eq!(code, USAGE, "{stderr}");
    says(error_line(&stderr), "larger than 1 MiB");
    assert!(!p.db.exists(), "no database is made");
}

#[test]
fn a_preset_file_over_the_cap_is_refused_naming_it() {
    let p = Portal::empty();
    let dir = crate::support::scratch_dir();
    let big = dir.path().join("big.json");
    // The shipped lmp catalog, padded with spaces (still valid JSON) to
    // one byte over the cap.
    let mut text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/presets/lmp.json"
    ))
    .unwrap();
    text.push_str(&" ".repeat((1 << 20) + 1 - text.len()));
    std::fs::write(&big, &text).unwrap();
    let err = p.refused(&init_with_preset_file(big.to_str().unwrap()), USAGE);
    says(error_line(&err), "larger than 1 MiB");
    says(error_line(&err), "big.json");
    // One byte less is within the cap and loads.
    text.pop();
    std::fs::write(&big, &text).unwrap();
    p.ok(&init_with_preset_file(big.to_str().unwrap()));
}

#[test]
fn a_preset_file_that_is_not_text_is_refused() {
    let p = Portal::empty();
    let dir = crate::support::scratch_dir();
    let file = dir.path().join("preset.json");
    std::fs::write(&file, [0xff, 0xfe, b'{', b'}']).unwrap();
    let err = p.refused(&init_with_preset_file(file.to_str().unwrap()), USAGE);
    says(error_line(&err), "not UTF-8");
}
