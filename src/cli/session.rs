//! What every command runs with besides its own arguments: the database,
//! the clock and the actor, confirmation, and the files it reads.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;

use crate::domain::{Actor, Ctx, NewFile, Portal};
use crate::error::{Error, Result};
use crate::model::{escape, Email};
use crate::output::Output;

/// An open portal that, once the command is done with it, prints the
/// notes and warnings its writes left on stderr: what a change did on the
/// user's behalf (a note, for people only), and a change that went
/// through but needs the user's attention, such as orders left without
/// approvers (`warning: ...`).
pub(crate) struct Opened {
    portal: Portal,
    out: Output,
}

impl std::ops::Deref for Opened {
    type Target = Portal;
    fn deref(&self) -> &Portal {
        &self.portal
    }
}

impl std::ops::DerefMut for Opened {
    fn deref_mut(&mut self) -> &mut Portal {
        &mut self.portal
    }
}

impl Drop for Opened {
    fn drop(&mut self) {
        let (notes, warnings) = (self.portal.take_notes(), self.portal.take_warnings());
        // Before an error, a note or a warning is printed.
        written_out_stored();
        for note in notes {
            self.out.note(&note);
        }
        for warning in warnings {
            self.out.warn(&warning);
        }
    }
}

/// Has the messages still to print write out the backquotes the
/// database's texts hold (see [`crate::output::write_out`]), as the
/// command read them with its catalog: no lookup of its own, and none
/// once the portal is closed.
fn written_out_stored() {
    crate::output::write_out(Portal::backquoted_texts());
}

/// What a command needs besides its own arguments.
pub(crate) struct Session {
    pub(super) cli_db: Option<PathBuf>,
    pub(super) act_as: Option<String>,
    pub(super) now: Option<String>,
    pub(super) yes: bool,
    pub(super) interactive: bool,
    pub out: Output,
}

impl Session {
    /// Opens the portal; `init` uses [`Session::init_portal`] instead.
    pub(crate) fn portal(&self) -> Result<Opened> {
        Ok(Opened {
            portal: Portal::open(&self.db_path()?, busy_timeout()?, self.ctx()?)?,
            out: self.out,
        })
    }

    /// Runs `init` on the portal, creating the database file if there is
    /// none; a file created here is removed again if `init` fails, or
    /// whatever it returns with [`NewFile::Discard`] (see
    /// [`Portal::create`]).
    pub(crate) fn init_portal<T>(
        &self,
        new_file: NewFile,
        init: impl FnOnce(&mut Portal) -> Result<T>,
    ) -> Result<T> {
        let done = Portal::create(
            &self.db_path()?,
            busy_timeout()?,
            self.ctx()?,
            new_file,
            init,
        );
        written_out_stored();
        done
    }

    /// The database file: --db / PORTALCTL_DB, else the default. An
    /// empty PORTALCTL_DB is refused here, where a command first needs
    /// the database, so that commands that need none run regardless.
    pub(crate) fn db_path(&self) -> Result<PathBuf> {
        match &self.cli_db {
            // clap refuses an empty --db, so only the variable is empty.
            Some(p) if p.as_os_str().is_empty() => Err(Error::invalid("PORTALCTL_DB is empty")
                .help(
                    "name the database file, or unset it for the default (see `portalctl --help`)",
                )),
            Some(p) => Ok(p.clone()),
            None => crate::domain::default_db_path(),
        }
    }

    fn ctx(&self) -> Result<Ctx> {
        let now = match self.now.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(text) => text.parse().map_err(|_| {
                Error::invalid(format!("PORTALCTL_NOW `{text}` is not an RFC 3339 time"))
            })?,
            None => Utc::now().into(),
        };
        // Only leaving --as out means the operator: a blank one is a
        // mistake (an unset variable in a script), not a way to gain rights.
        let actor = match self.act_as.as_deref().map(str::trim) {
            Some("") => {
                return Err(Error::invalid("--as (or PORTALCTL_AS) is empty")
                    .help("name a member with --as EMAIL, or leave it out to act as the operator"))
            }
            Some(email) => Actor::Member(email.parse::<Email>()?),
            None => Actor::Operator(os_user()),
        };
        Ok(Ctx::new(now, actor))
    }

    /// Asks before an irreversible or access-removing change. `--yes`
    /// answers for the user; a run that cannot prompt (no terminal, or
    /// `--no-input`) must say `--yes` rather than go ahead unasked (exit
    /// 2), and a declined prompt changes nothing (exit 2).
    pub(crate) fn confirm(&self, question: &str) -> Result<()> {
        if self.yes {
            return Ok(());
        }
        if !self.interactive {
            return Err(
                Error::invalid(format!("{question}: needs confirmation, pass --yes")).help(
                    "without a terminal, or with --no-input, portalctl never asks: --yes (-y) confirms",
                ),
            );
        }
        match crate::prompt::confirm(&escape(question)) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::invalid("cancelled; nothing changed")),
            Err(e) => Err(e),
        }
    }

    /// As [`Session::confirm_checked`], with a question made from what the
    /// rehearsed command would answer, so that it can name what changes.
    pub(crate) fn confirm_rehearsed<T>(
        &self,
        portal: &mut Portal,
        rehearse: impl FnOnce(&mut Portal) -> Result<T>,
        question: impl FnOnce(&T) -> String,
    ) -> Result<()> {
        if self.yes {
            return Ok(());
        }
        let answer = rehearse(portal)?;
        self.confirm(&question(&answer))
    }

    /// Confirms `question` once `check` (the command itself, rehearsed by
    /// [`Portal::check`]) shows it would go through: nobody is asked to
    /// confirm what is then refused. With `--yes` nobody is asked, and the
    /// command checks itself as it runs.
    pub(crate) fn confirm_checked(
        &self,
        portal: &mut Portal,
        check: impl FnOnce(&mut Portal) -> Result<()>,
        question: &str,
    ) -> Result<()> {
        if self.yes {
            return Ok(());
        }
        check(portal)?;
        self.confirm(question)
    }
}

/// `PORTALCTL_BUSY_TIMEOUT` in milliseconds, else the store's default.
fn busy_timeout() -> Result<Option<Duration>> {
    match std::env::var("PORTALCTL_BUSY_TIMEOUT") {
        // SQLite counts the wait in a signed 32-bit number of milliseconds.
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|ms| i32::try_from(*ms).is_ok())
            .map(|ms| Some(Duration::from_millis(u64::from(ms))))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "PORTALCTL_BUSY_TIMEOUT `{text}` is not a number of milliseconds up to {}",
                    i32::MAX
                ))
            }),
        _ => Ok(None),
    }
}

/// The name of the OS user running portalctl, for the audit log.
fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(user_of_this_process)
}

/// The login name of this process's user from `/etc/passwd`, else its uid,
/// for when no USER variable is set (cron, CI containers).
fn user_of_this_process() -> String {
    use std::os::unix::fs::MetadataExt;
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return "unknown".into();
    };
    let passwd = read_text_file(Path::new("/etc/passwd")).unwrap_or_default();
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.get(2) == Some(&uid.to_string().as_str()))
        .and_then(|fields| fields.first().map(|name| name.to_string()))
        .unwrap_or_else(|| format!("uid{uid}"))
}

/// The most, in MiB, of any file portalctl reads besides its database (a
/// preset file, `/etc/passwd`): hundreds of times the largest shipped
/// preset, and still a small allocation.
const MAX_FILE_MIB: u64 = 1;

/// Reads the UTF-8 text file at `path`, refusing it (exit 2) once it holds
/// more than [`MAX_FILE_MIB`]: a huge file, or one that never ends such as
/// `/dev/zero`, is refused after that much rather than read into memory.
/// Pipes are read too (`--preset-file <(...)`), under the same cap.
pub(crate) fn read_text_file(path: &Path) -> Result<String> {
    read_capped(path, MAX_FILE_MIB)
}

/// Reads the UTF-8 text at `path` (`-`: stdin), refusing it (exit 2) once
/// it holds more than `cap_mib` MiB.
pub(crate) fn read_capped(path: &Path, cap_mib: u64) -> Result<String> {
    let cap = cap_mib << 20;
    // Exit codes as the design gives them: a file that is not there is
    // "not found" (3), as a missing database is; any other failure to
    // read it (a directory, no permission) is an I/O error (1). One line
    // naming the path, either way.
    let cannot_read = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => Error::not_found(format!("no file `{}`", path.display())),
        _ => Error::Internal(anyhow::anyhow!("cannot read `{}`: {e}", path.display())),
    };
    let mut bytes = Vec::new();
    // One byte past the cap tells a file of exactly the cap from a larger one.
    if path == Path::new("-") {
        std::io::stdin()
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot_read)?;
    } else {
        std::fs::File::open(path)
            .map_err(cannot_read)?
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot_read)?;
    }
    if bytes.len() as u64 > cap {
        return Err(Error::invalid(format!(
            "`{}` is larger than {cap_mib} MiB, the most portalctl reads from it",
            path.display()
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("`{}` is not UTF-8 text", path.display())))?;
    written_out_read(&text);
    Ok(text)
}

/// Has the messages still to print write out the backquotes the JSON
/// strings of `text` hold (see [`crate::output::write_out`]): a file's
/// values are typed as arguments are, and a refusal quoting one
/// (``unknown role `a\u{60}dmin` ``) must not have its backquotes closed
/// early by it. A text without a backquote, written or escaped, is not
/// read again; one that is not JSON has nothing a message quotes.
fn written_out_read(text: &str) {
    if !text.contains('`') && !text.to_ascii_lowercase().contains("\\u0060") {
        return;
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let mut found = Vec::new();
    let mut todo = vec![&value];
    while let Some(value) = todo.pop() {
        match value {
            serde_json::Value::String(s) => found.push(s.clone()),
            serde_json::Value::Array(items) => todo.extend(items),
            serde_json::Value::Object(map) => {
                found.extend(map.keys().cloned());
                todo.extend(map.values());
            }
            _ => {}
        }
    }
    crate::output::write_out(found);
}
