//! A small builder around the binary: one temporary database per test.
//!
//! Databases that several tests start from are made once per test process
//! ([`Portal::cached`]) and copied for each test, so the set-up commands run
//! once, not once per test.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use tempfile::TempDir;

/// The clock every test runs at unless it moves it.
pub const NOW: &str = "2026-11-25T10:00:00Z";
/// The owner `init` creates.
pub const OWNER: &str = "owner@acme.test";
/// The account `init` creates.
pub const ACCOUNT: &str = "Acme Ltd";
/// Where the owner `init` creates is: catalogs such as `moodle` need
/// every user's city and country, the owner's too.
pub const OWNER_LOCATION: [&str; 4] = ["--owner-city", "London", "--owner-country", "GB"];

/// Exit codes of the design.
pub const SUCCESS: i32 = 0;
pub const USAGE: i32 = 2;
pub const NOT_FOUND: i32 = 3;
pub const CONFLICT: i32 = 4;
pub const DENIED: i32 = 5;
pub const UNAVAILABLE: i32 = 6;

/// What undoes each migration after the first, in the order they run: the
/// database an earlier portalctl left, for tests of migrating forward. A
/// new migration adds its undo here.
const UNDO: &[&str] = &[
    // 0002_audit_insert_guard
    "DROP TRIGGER audit_events_no_replace;",
    // 0003_role_account
    "ALTER TABLE roles DROP COLUMN account_id;",
    // 0004_audit_hash_version
    "ALTER TABLE audit_events DROP COLUMN hash_version;",
    // 0005_outbox_delivery
    "DROP INDEX outbox_due; DROP INDEX outbox_by_invitation;
     ALTER TABLE outbox DROP COLUMN ended_at; ALTER TABLE outbox DROP COLUMN next_attempt_at;
     ALTER TABLE outbox DROP COLUMN last_attempt_at; ALTER TABLE outbox DROP COLUMN invitation_id;
     ALTER TABLE outbox DROP COLUMN state; DROP TABLE invitation_tokens;",
    // 0006_orders_never_stuck: the rebuilt `orders` table keeps the
    // cancellation columns, which the migration's copy ignores.
    "DROP TABLE order_approval_policies; ALTER TABLE order_policies DROP COLUMN released_at;",
    // 0007_partners
    "ALTER TABLE license_allocations DROP COLUMN ship_to;",
    // 0008_partner_details
    "DROP TABLE partner_prices; ALTER TABLE accounts DROP COLUMN billing_contact;",
    // 0009_course_progress
    "DROP TABLE course_progress;",
    // 0010_owner_handover
    "DELETE FROM settings WHERE key IN ('default_role', 'former_owner_role', 'former_owner_grants');",
    // 0011_time_bound_access
    "DROP INDEX audit_by_target;
     ALTER TABLE services DROP COLUMN assigned_until;
     ALTER TABLE memberships DROP COLUMN external_until;
     ALTER TABLE memberships DROP COLUMN role_after;
     ALTER TABLE memberships DROP COLUMN role_until;",
    // 0012_delegation
    "DROP TABLE order_decision_deciders; ALTER TABLE order_decisions DROP COLUMN more_deciders;
     ALTER TABLE order_decisions DROP COLUMN on_behalf_of; DROP TABLE delegations;
     DROP INDEX order_policy_approvers_by_person;",
    // 0013_member_indexes
    "DROP INDEX invitations_by_membership; DROP INDEX enrolments_by_membership;
     DROP INDEX memberships_time_bound; DROP INDEX membership_grants_by_name;
     DROP INDEX memberships_external; DROP TABLE account_member_counts;",
    // 0014_outbox_unsent
    "CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;",
    // 0015_checks_as_comparisons: its rewrite of the CHECKs finds nothing
    // to rewrite in a schema that has them as comparisons already.
    "",
    // 0016_people_merged
    "DROP INDEX people_merged;",
    // 0017_audit_hash_not_unique: the log as it was, `hash` UNIQUE.
    "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;
     DROP TRIGGER audit_events_no_replace;
     CREATE TABLE audit_events_unique (
         seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
         account_id INTEGER REFERENCES accounts (id), account TEXT, target TEXT, before TEXT,
         after TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
         hash_version INTEGER NOT NULL DEFAULT 1);
     INSERT INTO audit_events_unique SELECT * FROM audit_events;
     DROP TABLE audit_events;
     ALTER TABLE audit_events_unique RENAME TO audit_events;
     CREATE INDEX audit_by_account ON audit_events (account_id, seq);
     CREATE INDEX audit_by_actor ON audit_events (actor, seq);
     CREATE INDEX audit_by_target ON audit_events (target, account_id, seq);
     CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
     CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
     CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
     WHEN EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq OR hash = NEW.hash)
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    // 0018_order_refs_ignore_case
    "DROP INDEX orders_by_ref_nocase;",
    // 0019_delegation_setter
    "ALTER TABLE delegations DROP COLUMN setter_id;",
    // 0020_invited_name
    "ALTER TABLE memberships DROP COLUMN invited_name;",
    // 0021_outbox_inviter
    "ALTER TABLE outbox DROP COLUMN inviter;",
    // 0022_invited_email
    "DROP INDEX memberships_invited_email;
     ALTER TABLE memberships DROP COLUMN invited_email;",
    // 0023_invitees_unnamed: the names it cleared are not restored.
    "",
    // 0024_names
    "DROP INDEX accounts_by_name_key; DROP INDEX policies_by_name_key; DROP INDEX addresses_by_label_key;
     ALTER TABLE accounts DROP COLUMN name_key; ALTER TABLE policies DROP COLUMN name_key;
     ALTER TABLE addresses DROP COLUMN label_key;
     DROP INDEX roles_catalog_name; DROP INDEX roles_account_name;",
    // 0025_name_keys_spaces: the keys it wrote anew are keys still.
    "",
    // 0026_order_ref_keys
    "DROP INDEX orders_by_ref_key; ALTER TABLE orders DROP COLUMN ref_key;
     CREATE INDEX orders_by_ref_nocase ON orders (account_id, ref COLLATE NOCASE);",
    // 0027_memberships_by_role_account
    "DROP INDEX memberships_by_role; CREATE INDEX memberships_by_role ON memberships (role_id);",
    // 0028_name_skeletons
    "DROP INDEX accounts_by_name_skeleton; DROP INDEX policies_by_name_skeleton;
     DROP INDEX addresses_by_label_skeleton; ALTER TABLE accounts DROP COLUMN name_skeleton;
     ALTER TABLE policies DROP COLUMN name_skeleton; ALTER TABLE addresses DROP COLUMN label_skeleton;",
    // 0029_product_keys
    "DROP INDEX licenses_by_product_key; DROP INDEX partner_prices_by_product_key;
     ALTER TABLE licenses DROP COLUMN product_key; ALTER TABLE partner_prices DROP COLUMN product_key;",
    // 0030_email_skeletons
    "DROP INDEX people_by_email_skeleton; ALTER TABLE people DROP COLUMN email_skeleton;",
    // 0031_backquoted_texts
    "DELETE FROM settings WHERE key = 'backquoted_texts';",
    // 0032_no_email_skeletons
    "ALTER TABLE people ADD COLUMN email_skeleton TEXT;
     CREATE INDEX people_by_email_skeleton ON people (email_skeleton);",
    // 0033_loose_skeletons
    "DROP INDEX accounts_by_name_loose; DROP INDEX policies_by_name_loose;
     DROP INDEX addresses_by_label_loose; DROP INDEX cost_centres_by_name_loose;
     DROP INDEX services_by_name_loose; ALTER TABLE accounts DROP COLUMN name_loose;
     ALTER TABLE policies DROP COLUMN name_loose; ALTER TABLE addresses DROP COLUMN label_loose;
     ALTER TABLE cost_centres DROP COLUMN name_loose; ALTER TABLE services DROP COLUMN name_loose;",
    // 0034_orders_by_creator
    "DROP INDEX orders_by_creator;",
    // 0035_order_ref_loose
    "DROP INDEX orders_by_ref_loose; ALTER TABLE orders DROP COLUMN ref_loose;",
    // 0036_order_policies_by_policy
    "DROP INDEX order_policies_by_policy;",
    // 0037_services_end_with_access: the ends it set are kept.
    "",
    // 0038_customers_view
    "DELETE FROM role_capabilities WHERE capability = 'customers.view';",
    // 0039_account_numbers
    "DROP INDEX orders_by_number; ALTER TABLE orders DROP COLUMN number;
     DROP INDEX services_by_number; ALTER TABLE services DROP COLUMN number;",
];

/// The schema version just before `migration` (a file in `migrations/`).
pub fn version_before(migration: &str) -> usize {
    let mut files: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    files.sort();
    // schema.sql is version 1, the first file in `migrations/` version 2.
    1 + files.iter().position(|f| f == migration).unwrap()
}

/// Undoes every migration after `version` on `conn`, newest first, and
/// sets `user_version` to `version`.
pub fn rewind(conn: &rusqlite::Connection, version: usize) {
    for undo in UNDO.iter().skip(version - 1).rev() {
        conn.execute_batch(undo).unwrap();
    }
    conn.pragma_update(None, "user_version", version).unwrap();
}

/// `PRAGMA user_version` of a database this binary made or migrated:
/// schema.sql and every migration after it.
pub fn schema_version() -> String {
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .map_or(0, Iterator::count);
    format!("Integer({})", migrations + 1)
}

/// Asserts that `haystack` contains `needle`, showing both when not.
#[track_caller]
pub fn says(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "expected {needle:?} in: {haystack}"
    );
}

/// The words a POSIX `sh` reads `line` as (a command portalctl printed
/// for pasting, `portalctl` left off): its quoting, not a test's guess
/// at it, decides.
#[track_caller]
pub fn shell_words(line: &str) -> Vec<String> {
    let script = format!("set -- {line}\nprintf '%s\\0' \"$@\"\n");
    let out = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    assert!(
        out.status.success(),
        "sh could not read `{line}`: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_terminator('\0').map(str::to_string).collect()
}

/// The `error:` line of a refusal.
pub fn error_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or("")
}

/// The `.json` files in `dir`, sorted by name.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The strings of a JSON array.
#[track_caller]
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// `account address add` of a second address, `Depot`, to Acme.
pub const ADD_DEPOT: &[&str] = &[
    "account", "address", "add", ACCOUNT, "--label", "Depot", "--line1", "2 Dock Road", "--city",
    "Leeds", "--postcode", "LS1 1AA", "--country", "GB",
];

/// What a run is checked against: see [`Portal::run_with`].
#[derive(Clone)]
struct Content {
    bytes: Vec<u8>,
    events: i64,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A temporary portal database and the clock the binary sees.
pub struct Portal {
    _dir: TempDir,
    pub db: PathBuf,
    pub now: String,
    /// The database as the last run left it (see [`Portal::run_with`]).
    seen: Mutex<Option<Content>>,
}

impl Portal {
    /// A path for a database that does not exist yet.
    pub fn empty() -> Portal {
        let dir = scratch_dir();
        let db = dir.path().join("portal.db");
        Portal {
            _dir: dir,
            db,
            now: NOW.to_string(),
            seen: Mutex::default(),
        }
    }

    /// A copy of the database `build` makes. `build` runs once per test
    /// process for each `key`; every call after the first copies its file.
    /// A key names one set-up: two builders must not share one.
    #[track_caller]
    pub fn cached(key: &str, build: impl FnOnce() -> Portal) -> Portal {
        static IMAGES: OnceLock<Mutex<HashMap<String, Arc<OnceLock<Image>>>>> = OnceLock::new();
        let cell = IMAGES
            .get_or_init(Mutex::default)
            .lock()
            .unwrap()
            .entry(key.to_string())
            .or_default()
            .clone();
        // Only this key's cell waits while it is built; other keys go on.
        cell.get_or_init(|| Image::of(&build())).restore()
    }

    /// A copy of a database initialised with `preset` (see [`Portal::init`]).
    #[track_caller]
    pub fn with_preset(preset: &str) -> Portal {
        Portal::cached(&format!("init --preset {preset}"), || Portal::init(preset))
    }

    /// Runs `init` with `preset`: account `Acme Ltd`, owner
    /// `owner@acme.test`. Tests about `init` itself use this; the others
    /// take a copy with [`Portal::with_preset`].
    #[track_caller]
    pub fn init(preset: &str) -> Portal {
        let p = Portal::empty();
        let mut args = vec![
            "init", "--preset", preset, "--account", ACCOUNT, "--owner-email", OWNER,
            "--owner-name", "Olive Owner",
        ];
        if preset == "moodle" {
            args.extend(OWNER_LOCATION);
        }
        p.ok(&args);
        p
    }

    /// A copy of a database initialised from a catalog file holding `text`
    /// (`init --preset-file`), with the account and owner of
    /// [`Portal::init`]. `key` names the catalog among the cached set-ups.
    #[track_caller]
    pub fn with_catalog(key: &str, text: &str) -> Portal {
        Portal::cached(&format!("init --preset-file {key}"), || {
            let p = Portal::empty();
            let file = p.db.with_file_name("catalog.json");
            std::fs::write(&file, text).unwrap();
            p.ok(&[
                "init",
                "--preset-file",
                file.to_str().unwrap(),
                "--account",
                ACCOUNT,
                "--owner-email",
                OWNER,
                "--owner-name",
                "Olive Owner",
            ]);
            p
        })
    }

    /// The default `portal` preset.
    #[track_caller]
    pub fn new() -> Portal {
        Portal::with_preset("portal")
    }

    /// `apply -` with `args` after it, `env` on top (`PORTALCTL_AS`, ...),
    /// and `file_text` on stdin.
    pub fn apply_stdin(&self, args: &[&str], env: &[(&str, &str)], file_text: &str) -> Run {
        use std::io::Write as _;
        let mut all = vec!["apply", "-"];
        all.extend(args);
        let mut child = self
            .command(&all, env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(file_text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// The command line `args` as a process, not started yet: this portal's
    /// database and clock, the OS user `tester`, none of the `PORTALCTL_*`
    /// settings of the environment the tests run in, no terminal on stdin,
    /// and `env` on top (`PORTALCTL_AS`, `PORTALCTL_NOW`, ...).
    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_portalctl"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PORTALCTL_") {
                cmd.env_remove(key);
            }
        }
        cmd.args(args)
            .env("PORTALCTL_DB", &self.db)
            .env("PORTALCTL_NOW", &self.now)
            .env("USER", "tester")
            .envs(env.iter().copied())
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `args` with `env` set (see [`Portal::command`]) and waits for
    /// it. Every helper below that runs the binary comes through here.
    ///
    /// Every run is held to the rule every write keeps: whatever it changed
    /// in the database came with an audit event. So any command any test
    /// runs that writes without one fails that test.
    #[track_caller]
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let before = self.content(self.seen.lock().unwrap().take());
        let out = self.command(args, env).output().unwrap();
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        };
        let after = self.content(before.clone());
        if let (Some(before), Some(after)) = (&before, &after) {
            assert!(
                before.bytes == after.bytes
                    || after.events > before.events
                    || after.bytes.get(60..64) != before.bytes.get(60..64),
                "`portalctl {}` changed the database without an audit event (exit {}): {}",
                args.join(" "),
                run.code,
                run.stderr
            );
        }
        *self.seen.lock().unwrap() = after;
        run
    }

    /// The database file as it is between commands (each checkpoints on
    /// closing), and how many events its log holds; none while there is no
    /// database yet, or while its log holds more. Equal bytes mean nothing changed, so the count is
    /// read again only when the file differs from `known`. Bytes 60..64
    /// hold the schema version a migration moves.
    fn content(&self, known: Option<Content>) -> Option<Content> {
        // A write-ahead log left behind (a process killed, or one still
        // running) holds changes the file does not show yet: not a state
        // to compare.
        let mut wal = self.db.clone().into_os_string();
        wal.push("-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            return None;
        }
        let bytes = std::fs::read(&self.db).ok()?;
        if let Some(known) = known.filter(|k| k.bytes == bytes) {
            return Some(known);
        }
        let events = rusqlite::Connection::open(&self.db)
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM audit_events", [], |r| r.get(0)))
            .ok()?;
        Some(Content { bytes, events })
    }

    /// Runs as the operator, or as `act_as`.
    pub fn run_as(&self, act_as: Option<&str>, args: &[&str]) -> Run {
        self.run_with(args, &acting(act_as))
    }

    /// Runs as the operator.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    /// Runs as the operator and expects success; returns stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(
            run.code,
            SUCCESS,
            "`portalctl {}` failed: {}",
            args.join(" "),
            run.stderr
        );
        run.stdout
    }

    /// Runs with `--json` as the operator and parses stdout.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        self.json_with(args, &[])
    }

    /// Runs with `--json`, as `act_as` if given, expects success and parses stdout.
    #[track_caller]
    pub fn json_as(&self, act_as: Option<&str>, args: &[&str]) -> Value {
        self.json_with(args, &acting(act_as))
    }

    /// Runs with `--json` and `env`, expects success and parses stdout.
    #[track_caller]
    pub fn json_with(&self, args: &[&str], env: &[(&str, &str)]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = self.run_with(&all, env);
        assert_eq!(
            run.code,
            SUCCESS,
            "`portalctl {}` failed: {}",
            all.join(" "),
            run.stderr
        );
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
    }

    /// Runs as the operator, expects exit `code`, one `error:` line,
    /// nothing on stdout and no change to the database; returns stderr.
    #[track_caller]
    pub fn refused(&self, args: &[&str], code: i32) -> String {
        self.refused_as(None, args, code)
    }

    /// `refused` as `act_as`, or the operator.
    #[track_caller]
    pub fn refused_as(&self, act_as: Option<&str>, args: &[&str], code: i32) -> String {
        self.refused_with(args, &acting(act_as), code)
    }

    /// `refused_as` with `env` set.
    #[track_caller]
    pub fn refused_with(&self, args: &[&str], env: &[(&str, &str)], code: i32) -> String {
        let before = self.files();
        let run = self.run_with(args, env);
        assert_eq!(
            run.code,
            code,
            "`portalctl {}`: stdout {} stderr {}",
            args.join(" "),
            run.stdout,
            run.stderr
        );
        assert!(
            run.stderr.starts_with("error: "),
            "stderr should start with `error: `: {}",
            run.stderr
        );
        assert_eq!(
            run.stderr
                .lines()
                .filter(|l| l.starts_with("error:"))
                .count(),
            1,
            "{}",
            run.stderr
        );
        assert!(
            run.stdout.is_empty(),
            "a refusal prints nothing on stdout: {}",
            run.stdout
        );
        self.assert_unchanged(&before, &format!("`portalctl {}`", args.join(" ")));
        run.stderr
    }

    /// The database file and its write-ahead log, as bytes.
    /// Runs a command line in this process instead of spawning the
    /// binary: the same parsing and dispatch, `--quiet` so nothing is
    /// printed. For the permission matrix's thousand-odd cases, where a
    /// process start would cost more than the command. Returns the exit
    /// code the binary would exit with.
    pub fn exit_code_in_process(&self, act_as: Option<&str>, args: &[&str]) -> i32 {
        self.answer_in_process(act_as, args).0
    }

    /// Runs in process like [`Portal::exit_code_in_process`] and returns
    /// the exit code with what the error said (message and help), empty
    /// on success.
    pub fn answer_in_process(&self, act_as: Option<&str>, args: &[&str]) -> (i32, String) {
        use clap::Parser;
        let db = self.db.to_string_lossy().into_owned();
        let mut argv = vec!["portalctl", "--quiet", "--no-input", "--db", &db];
        argv.extend(["--now", &self.now]);
        argv.extend(act_as.map(|who| ["--as", who]).into_iter().flatten());
        argv.extend(args);
        let said = |e: &portalctl::Error| format!("{e} | {}", e.help_text().unwrap_or_default());
        let (code, said) = match portalctl::Cli::try_parse_from(argv) {
            Ok(cli) => match portalctl::run(cli) {
                Ok(outcome) => (outcome.exit_code(), String::new()),
                Err(e) => (e.exit_code(), said(&e)),
            },
            Err(e) => match portalctl::value_error(&e) {
                Some(e) => (e.exit_code(), said(e)),
                None => (e.exit_code() as u8, e.to_string()),
            },
        };
        (i32::from(code), said)
    }

    /// Runs in process like [`Portal::answer_in_process`] and asserts that
    /// a refusal changed nothing.
    #[track_caller]
    pub fn answer_unchanged_on_refusal(
        &self,
        act_as: Option<&str>,
        args: &[&str],
    ) -> (i32, String) {
        let before = self.files();
        let answer = self.answer_in_process(act_as, args);
        if answer.0 != SUCCESS {
            self.assert_unchanged(&before, &format!("`portalctl {}`", args.join(" ")));
        }
        answer
    }

    /// Runs in process like [`Portal::exit_code_in_process`] and asserts
    /// that the command was refused with `code` and changed nothing.
    #[track_caller]
    pub fn refused_in_process(&self, act_as: Option<&str>, args: &[&str], code: i32) {
        let before = self.files();
        let got = self.exit_code_in_process(act_as, args);
        assert_eq!(got, code, "`portalctl {}` exited {got}", args.join(" "));
        self.assert_unchanged(&before, &format!("`portalctl {}`", args.join(" ")));
    }

    fn files(&self) -> Files {
        let read = |path: &Path| std::fs::read(path).ok();
        Files {
            db: read(&self.db),
            wal: read(&sidecar(&self.db, "-wal")),
        }
    }

    /// Asserts that the database holds what it held `before`. Equal bytes
    /// hold equal content; only when the bytes differ are the contents
    /// compared, row by row.
    #[track_caller]
    fn assert_unchanged(&self, before: &Files, what: &str) {
        if self.files() == *before {
            return;
        }
        let was = Portal::empty();
        for (bytes, path) in [
            (&before.db, was.db.clone()),
            (&before.wal, sidecar(&was.db, "-wal")),
        ] {
            if let Some(bytes) = bytes {
                std::fs::write(path, bytes).unwrap();
            }
        }
        assert_eq!(was.dump(), self.dump(), "{what} changed the database");
    }

    /// Creates `name`, a customer of `Acme Ltd`.
    #[track_caller]
    pub fn customer(&self, name: &str) {
        self.ok(&[
            "account", "create", name, "--kind", "customer", "--parent", ACCOUNT,
        ]);
    }

    /// Invites `email` with `role` and accepts: an active member.
    #[track_caller]
    pub fn member(&self, email: &str, role: &str) {
        self.member_in(email, role, ACCOUNT);
    }

    /// `member` in another account.
    #[track_caller]
    pub fn member_in(&self, email: &str, role: &str, account: &str) {
        let token = self.invite(email, role, account);
        self.ok(&["user", "accept", &token]);
    }

    /// Invites and returns the token. Every invitee gets a location
    /// (London, GB), which presets such as `moodle` require.
    #[track_caller]
    pub fn invite(&self, email: &str, role: &str, account: &str) -> String {
        let name = email.split('@').next().unwrap();
        let v = self.json(&[
            "user", "invite", "--email", email, "--name", name, "--role", role, "--account",
            account, "--city", "London", "--country", "GB",
        ]);
        v["token"].as_str().unwrap().to_string()
    }

    /// The schema version and every row of every table, as sorted text:
    /// equal dumps mean equal content. A missing file, or a file that is not
    /// a database, dumps as such.
    pub fn dump(&self) -> String {
        let Ok(bytes) = std::fs::read(&self.db) else {
            return "(no database file)".to_string();
        };
        dump_rows(&self.db).unwrap_or_else(|e| {
            format!("(not a database: {e})\n{}", String::from_utf8_lossy(&bytes))
        })
    }

    /// How many audit events the database holds.
    pub fn events(&self) -> i64 {
        self.text("SELECT COUNT(*) FROM audit_events")
            .parse()
            .unwrap()
    }

    /// The newest audit event.
    #[track_caller]
    pub fn last_event(&self) -> Value {
        self.json(&["audit", "list", "--limit", "1"])[0].clone()
    }

    /// `--json can ARGS`: the answer, after asserting that the exit code
    /// says the same (0 for yes, 5 for no).
    #[track_caller]
    pub fn can(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json", "can"];
        all.extend(args);
        let run = self.run(&all);
        let v: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "`can {}`: {e}: {}{}",
                args.join(" "),
                run.stdout,
                run.stderr
            )
        });
        let code = if v["allowed"] == true {
            SUCCESS
        } else {
            DENIED
        };
        assert_eq!(run.code, code, "`can {}` exit code: {v}", args.join(" "));
        v
    }

    /// Runs a change as `who` (or the operator) and asserts it wrote exactly
    /// one audit event with `action`, by that actor, about `Acme Ltd`;
    /// returns the command's JSON.
    #[track_caller]
    pub fn change(&self, who: Option<&str>, args: &[&str], action: &str) -> Value {
        let before = self.events();
        let v = self.json_as(who, args);
        assert_eq!(
            self.events(),
            before + 1,
            "`{}` should write one audit event",
            args.join(" ")
        );
        let e = self.last_event();
        assert_eq!(e["action"], action, "{e}");
        let actor = who.map_or("operator:tester".to_string(), str::to_string);
        assert_eq!(e["actor"], actor.as_str(), "{e}");
        assert_eq!(e["account"], ACCOUNT, "{e}");
        v
    }

    /// One value from the database as plain text (`NULL` for null).
    pub fn text(&self, sql: &str) -> String {
        use rusqlite::types::ValueRef;
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.query_row(sql, [], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Null => "NULL".to_string(),
                ValueRef::Integer(i) => i.to_string(),
                ValueRef::Real(f) => f.to_string(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                ValueRef::Blob(b) => format!("{b:?}"),
            })
        })
        .unwrap()
    }

    /// One value from the database.
    pub fn query(&self, sql: &str) -> String {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.query_row(sql, [], |r| Ok(format!("{:?}", r.get_ref(0)?)))
            .unwrap()
    }
}

/// A database held in memory: the file once every process that wrote it has
/// exited, its permissions, and the clock it was made at.
struct Image {
    bytes: Vec<u8>,
    permissions: std::fs::Permissions,
    now: String,
}

impl Image {
    #[track_caller]
    fn of(p: &Portal) -> Image {
        // Fold the write-ahead log into the file, so that the file alone is
        // the database; closing the last connection removes the log.
        let conn = rusqlite::Connection::open(&p.db).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        drop(conn);
        assert!(
            !sidecar(&p.db, "-wal").exists(),
            "the write-ahead log of {} outlived its connections",
            p.db.display()
        );
        Image {
            bytes: std::fs::read(&p.db).unwrap(),
            permissions: std::fs::metadata(&p.db).unwrap().permissions(),
            now: p.now.clone(),
        }
    }

    /// A new portal holding a copy of the database.
    fn restore(&self) -> Portal {
        let mut p = Portal::empty();
        std::fs::write(&p.db, &self.bytes).unwrap();
        std::fs::set_permissions(&p.db, self.permissions.clone()).unwrap();
        p.now.clone_from(&self.now);
        p
    }
}

/// A new temporary directory for databases: in memory where the system
/// offers it (`/dev/shm`), else in the usual temporary directory. No test
/// needs a file to outlive a crash, and waiting for the disk to sync each
/// write is most of what a write costs.
pub fn scratch_dir() -> TempDir {
    let shm = Path::new("/dev/shm");
    shm.is_dir()
        .then(|| tempfile::tempdir_in(shm).ok())
        .flatten()
        .unwrap_or_else(|| tempfile::tempdir().unwrap())
}

/// The body of [`Portal::dump`] for a file that exists.
fn dump_rows(db: &Path) -> rusqlite::Result<String> {
    let conn = rusqlite::Connection::open(db)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut out = format!("[user_version] {version}\n");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\""))?;
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let cells = (0..n)
                    .map(|i| Ok(cell(r.get_ref(i)?)))
                    .collect::<rusqlite::Result<Vec<String>>>()?;
                Ok(cells.join("|"))
            })?
            .collect::<Result<_, _>>()?;
        rows.sort();
        out.push_str(&format!("[{table}]\n{}\n", rows.join("\n")));
    }
    Ok(out)
}

/// One value of a dump, readable and telling the types apart: `NULL`, `7`,
/// `7.0`, `"text"`, `x'00ff'`.
fn cell(value: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => "NULL".to_string(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => format!("{f:?}"),
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(text) => format!("{text:?}"),
            Err(_) => format!("text{t:?}"),
        },
        ValueRef::Blob(b) => {
            let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
            format!("x'{hex}'")
        }
    }
}

/// A database as files: the main file and its write-ahead log, if any.
#[derive(PartialEq)]
struct Files {
    db: Option<Vec<u8>>,
    wal: Option<Vec<u8>>,
}

/// `db` with `suffix` (`-wal`, `-shm`) added to its name.
fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The environment that makes a command act as `act_as`; none for the
/// operator.
fn acting(act_as: Option<&str>) -> Vec<(&'static str, &str)> {
    act_as
        .map(|who| ("PORTALCTL_AS", who))
        .into_iter()
        .collect()
}
