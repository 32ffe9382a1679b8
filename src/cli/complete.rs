//! Shell completion of real values, with clap_complete's dynamic engine.
//!
//! `portalctl completions SHELL` prints a small script that, at each Tab,
//! runs portalctl again with `PORTALCTL_COMPLETE=SHELL` and the words typed
//! so far; [`complete_from_env`] answers such a run before anything else
//! happens. Commands and flags come from the clap definition; statuses,
//! kinds, presets and capabilities from the model's own lists (attached
//! where those arguments are declared); roles, accounts and member emails
//! from the database that `--db` / `PORTALCTL_DB` names, read through the
//! domain without writing anything ([`crate::domain::names`]), the typed
//! prefix looked up there and at most a few hundred offered, and with
//! `--as` on the line only the member's own; `--as` itself completes
//! those who may act; for bash, escaped as the
//! shell would read them back, and for zsh and fish as they are, since
//! those escape what they insert. elvish and PowerShell are offered no
//! name from the database: a member chooses those names, and nothing here
//! checks how those shells would read one back. A missing or unreadable
//! database completes no names and prints nothing.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap_complete::engine::{ArgValueCandidates, ArgValueCompleter, CompletionCandidate};
use clap_complete::env::{CompleteEnv, Shells};

use crate::domain::NameKind;
use crate::error::{Error, Result};

/// The variable that tells portalctl to complete rather than run: set by
/// the script `portalctl completions SHELL` prints, never by hand.
pub(crate) const VAR: &str = "PORTALCTL_COMPLETE";

/// How the shell whose completion is being answered inserts a
/// candidate into the command line (see [`from_database`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Inserts {
    /// As it is, read back by the shell as if typed: bash.
    AsTyped,
    /// Escaped by the shell itself: zsh (`_describe`) and fish.
    Escaped,
    /// As it is, by rules not checked here: elvish and PowerShell, whose
    /// quoting (PowerShell reads curly quotes and backquotes too) a name
    /// chosen by a member could get round.
    Unknown,
}

static INSERTS: std::sync::OnceLock<Inserts> = std::sync::OnceLock::new();

/// Answers a completion request (`PORTALCTL_COMPLETE` set) and exits;
/// returns at once on an ordinary run.
pub fn complete_from_env() {
    // An ordinary run pays for no more than this look-up.
    let Some(shell) = std::env::var_os(VAR) else {
        return;
    };
    // clap_complete removes the variable before it asks for candidates.
    let inserts = match std::path::Path::new(&shell)
        .file_name()
        .and_then(|s| s.to_str())
    {
        Some("bash") => Inserts::AsTyped,
        Some("zsh" | "fish") => Inserts::Escaped,
        _ => Inserts::Unknown,
    };
    let _ = INSERTS.set(inserts);
    CompleteEnv::with_factory(super::command)
        .var(VAR)
        .completer(completer())
        .complete();
}

/// The registration script of `shell`: what `portalctl completions SHELL`
/// prints, to be sourced at shell start-up.
pub(crate) fn script(shell: clap_complete::Shell) -> Result<String> {
    let name = shell.to_string();
    let shells = Shells::builtins();
    let target = shells.completer(&name).ok_or_else(|| {
        Error::invalid(format!("no completion for `{name}`"))
            .help("use bash, zsh, fish, elvish or powershell")
    })?;
    let mut script = Vec::new();
    target
        .write_registration(VAR, "portalctl", "portalctl", &completer(), &mut script)
        .map_err(|e| Error::Internal(anyhow::Error::new(e)))?;
    Ok(String::from_utf8_lossy(&script).into_owned())
}

/// The binary the script calls back: this one, by its full path, so that
/// the values come from the same version that wrote the script.
fn completer() -> String {
    std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "portalctl".to_string())
}

/// Candidates from a fixed list of keywords.
pub(crate) fn keywords(names: &'static [&'static str]) -> ArgValueCandidates {
    ArgValueCandidates::new(move || names.iter().map(|n| CompletionCandidate::new(*n)).collect())
}

/// The shipped presets.
pub(crate) fn presets() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        crate::domain::preset_names()
            .into_iter()
            .map(CompletionCandidate::new)
            .collect()
    })
}

/// The capabilities of the catalog.
pub(crate) fn capabilities() -> ArgValueCandidates {
    keywords(crate::model::CAPABILITIES)
}

/// `cmd` with the database's names attached to every argument whose value
/// is one: by the value name, so that an argument added later with
/// `<ROLE>`, `<ACCOUNT>`, `<EMAIL>` or a list of them (`<EMAIL,..>`)
/// completes without more code. `--as` completes those who may act.
pub(crate) fn attach(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|arg| {
        let kind = match arg
            .get_value_names()
            .and_then(|v| v.first())
            .map(|n| n.as_str())
        {
            _ if arg.get_long() == Some("as") => Some(NameKind::Actor),
            Some("ROLE" | "ROLE,..") => Some(NameKind::Role),
            Some("ACCOUNT" | "ACCOUNT,..") => Some(NameKind::Account),
            Some("EMAIL" | "EMAIL,..") => Some(NameKind::MemberEmail),
            _ => None,
        };
        match kind {
            // A completer rather than a list, so that the typed prefix
            // reaches the store (a list is filtered only once read whole).
            Some(kind) => arg.add(ArgValueCompleter::new(move |current: &OsStr| {
                from_database(kind, current)
            })),
            None => arg,
        }
    })
    .mut_subcommands(attach)
}

/// The names of `kind` in the database the command line being completed
/// names that complete `current`, the value being typed; none when there
/// is no such database.
fn from_database(kind: NameKind, current: &OsStr) -> Vec<CompletionCandidate> {
    let typed: Vec<OsString> = std::env::args_os().collect();
    let Some(path) = database(typed.clone()) else {
        return Vec::new();
    };
    // As the command would act: its --as, else PORTALCTL_AS. Completing
    // `--as` itself, the value on the line is the one being typed, and
    // only PORTALCTL_AS says who acts: a member acting so is offered no
    // address but their own, as for every other email.
    let acting = match kind {
        NameKind::Actor => None,
        _ => flag_value(&typed, "--as"),
    }
    .or_else(|| std::env::var_os("PORTALCTL_AS").filter(|a| !a.is_empty()))
    .map(|a| a.to_string_lossy().into_owned());
    // bash's script puts what it is given into the command line as it is,
    // where a member's name would split or run (#18): escaped for it. zsh
    // and fish escape what they insert themselves, so they get the names
    // as they are. Other shells get no name a member chose.
    let inserts = INSERTS.get().copied().unwrap_or(Inserts::Unknown);
    if inserts == Inserts::Unknown {
        return Vec::new();
    }
    // At the clock the command would run at: time-bound access that has
    // lapsed by then gives no names.
    let now = flag_value(&typed, "--now")
        .or_else(|| std::env::var_os("PORTALCTL_NOW").filter(|t| !t.is_empty()))
        .and_then(|t| t.to_string_lossy().trim().parse().ok())
        .unwrap_or_else(|| chrono::Utc::now().into());
    let current = current.to_string_lossy();
    // bash hands over the word as typed, escapes and all; the store is
    // asked for the names starting with what it reads back.
    let prefix = match inserts {
        Inserts::AsTyped => read_back(&current),
        _ => current.to_string(),
    };
    crate::domain::names(&path, kind, acting.as_deref(), now, &prefix)
        .unwrap_or_default()
        .into_iter()
        .filter(|name| offered(name))
        .map(|name| match inserts {
            Inserts::AsTyped => crate::model::backslash_escape(&name).into_owned(),
            _ => name,
        })
        .filter(|name| name.starts_with(current.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}

/// What bash reads back from `typed`, a word being completed as it was
/// typed: each backslash escape as the character it escapes, up to a
/// quote or a `$'...'`, whose rules are not followed here, so that the
/// prefix is what precedes them (every name starting with the word
/// starts with it; the candidates are then matched against the word).
fn read_back(typed: &str) -> String {
    let mut read = String::with_capacity(typed.len());
    let mut chars = typed.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => read.push(escaped),
                None => break,
            },
            '\'' | '"' | '$' => break,
            c => read.push(c),
        }
    }
    read
}

/// Whether a name may be inserted as a word of the command line. One
/// starting with `-` is not: inserted where a value goes, it is read as a
/// flag (A3: a customer named `--db=/other.db` would make the completed
/// `account set` write to another database), and no escaping of bash's,
/// zsh's or fish's protects a leading `-`; the candidate cannot carry its
/// option (`--account=-x`) or a `--` either, as the shell puts it in the
/// word being typed. Nor is one starting with `%` or `~`, which fish
/// inserts bare and then reads as a process id (`%self`) or a home
/// directory (`~root` is `/root`). Such a name is typed by hand, as
/// printed commands write it.
fn offered(name: &str) -> bool {
    !name.starts_with(['-', '%', '~'])
}

/// The last value the command line being completed gives `flag`
/// (`--db PATH` or `--db=PATH`). The words typed follow `--` in this
/// process's arguments.
fn flag_value(args: &[OsString], flag: &str) -> Option<OsString> {
    let typed = args.iter().skip_while(|a| *a != "--").skip(1);
    let joined = format!("{flag}=");
    let mut value = None;
    let mut next_is_value = false;
    for word in typed {
        if next_is_value {
            value = Some(word.clone());
            next_is_value = false;
        } else if word == flag {
            next_is_value = true;
        } else if let Some(v) = word.to_str().and_then(|w| w.strip_prefix(&joined)) {
            value = Some(OsString::from(v));
        }
    }
    value
}

/// The database of the command line being completed: its `--db`, else
/// `PORTALCTL_DB`, else the default.
fn database(args: Vec<OsString>) -> Option<PathBuf> {
    let db = flag_value(&args, "--db").map(PathBuf::from);
    db.filter(|p| !p.as_os_str().is_empty())
        .or_else(|| super::db_from_env().filter(|p| !p.as_os_str().is_empty()))
        .or_else(|| crate::domain::default_db_path().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_typed_escaped_reads_back_as_bash_reads_it() {
        assert_eq!(read_back(r"Acme\ L"), "Acme L");
        assert_eq!(read_back(r"Zeta\ \$\(touch"), "Zeta $(touch");
        assert_eq!(read_back("ann@"), "ann@");
        // A quote's rules are not followed: the prefix stops there.
        assert_eq!(read_back("Ac'me"), "Ac");
        assert_eq!(read_back("A$'\\u0007'"), "A");
        assert_eq!(read_back("Acme\\"), "Acme");
    }

    #[test]
    fn the_database_is_the_typed_db_flag() {
        let args = |words: &[&str]| words.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            database(args(&[
                "portalctl", "--", "portalctl", "--db", "/tmp/a.db", "user", "show", ""
            ])),
            Some(PathBuf::from("/tmp/a.db"))
        );
        assert_eq!(
            database(args(&[
                "portalctl", "--", "portalctl", "user", "show", "--db=/tmp/b.db", ""
            ])),
            Some(PathBuf::from("/tmp/b.db"))
        );
    }
}
