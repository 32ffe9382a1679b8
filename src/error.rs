//! The one error type of portalctl and the exit code each kind maps to.

use std::fmt;

/// Everything that can go wrong, sorted by what the user can do about it.
///
/// Messages are lowercase and name the thing in backticks; `help` says what
/// to do next, where that helps.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A malformed value or a request the design does not allow (exit 2).
    #[error("{0}")]
    Invalid(Detail),
    /// An account, person, role, order or token that does not exist (exit 3).
    #[error("{0}")]
    NotFound(Detail),
    /// Already exists, or a portal rule forbids it (exit 4).
    #[error("{0}")]
    Conflict(Detail),
    /// The acting member lacks the capability (exit 5).
    #[error("{0}")]
    Denied(Detail),
    /// The database stayed locked past the busy timeout, or is newer than
    /// this binary (exit 6).
    #[error("{0}")]
    Unavailable(Detail),
    /// I/O, SQL or anything else that is not the user's to fix (exit 1).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A message with an optional `help:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// The one-line statement of what was wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

macro_rules! constructor {
    ($fn:ident, $variant:ident) => {
        #[doc = concat!("An [`Error::", stringify!($variant), "`] with this message.")]
        pub fn $fn(message: impl Into<String>) -> Self {
            Error::$variant(Detail {
                message: bounded(message.into()),
                help: None,
            })
        }
    };
}

impl Error {
    constructor!(invalid, Invalid);
    constructor!(not_found, NotFound);
    constructor!(conflict, Conflict);
    constructor!(denied, Denied);
    constructor!(unavailable, Unavailable);

    /// Adds a `help:` line saying what to do.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        if let Some(detail) = self.detail_mut() {
            detail.help = Some(bounded(help.into()));
        }
        self
    }

    /// Drops the `help:` line, for where it would mislead (a command's
    /// help shown for an `apply` that lacks the flags it names).
    #[must_use]
    pub fn without_help(mut self) -> Self {
        if let Some(detail) = self.detail_mut() {
            detail.help = None;
        }
        self
    }

    /// Names where in a file the error is: `accounts[2].users[17]: ...`.
    #[must_use]
    pub fn at(mut self, path: &str) -> Self {
        if let Some(detail) = self.detail_mut() {
            detail.message = format!("{}: {}", bounded_path(path), detail.message);
        }
        self
    }

    /// Prefixes the JSON path of the entry an error comes from, as
    /// [`Error::at`] does, except that an error already naming a field
    /// relative to it (`.role: ...`, from `within(".role")`) is joined to
    /// it, so the path reads to the field: `accounts[0].users[3].role: ...`.
    pub fn within(mut self, path: &str) -> Self {
        if let Some(detail) = self.detail_mut() {
            let joined = detail.message.starts_with('.');
            let sep = if joined { "" } else { ": " };
            detail.message = format!("{}{sep}{}", bounded_path(path), detail.message);
        }
        self
    }

    fn detail_mut(&mut self) -> Option<&mut Detail> {
        match self {
            Error::Invalid(d)
            | Error::NotFound(d)
            | Error::Conflict(d)
            | Error::Denied(d)
            | Error::Unavailable(d) => Some(d),
            Error::Internal(_) => None,
        }
    }

    /// The `help:` line, if any.
    pub fn help_text(&self) -> Option<&str> {
        match self {
            Error::Invalid(d)
            | Error::NotFound(d)
            | Error::Conflict(d)
            | Error::Denied(d)
            | Error::Unavailable(d) => d.help.as_deref(),
            Error::Internal(_) => None,
        }
    }

    /// The `--flag` names its `help:` line tells someone to pass or leave
    /// out, without their dashes; none in backticks, where a whole
    /// command to run names them (`portalctl user list --account A`).
    pub fn help_flags(&self) -> Vec<&str> {
        self.help_text()
            .map(|help| flags_outside_backticks(help).collect())
            .unwrap_or_default()
    }

    /// The process exit code of the design for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Internal(_) => 1,
            Error::Invalid(_) => 2,
            Error::NotFound(_) => 3,
            Error::Conflict(_) => CONFLICT,
            Error::Denied(_) => DENIED,
            Error::Unavailable(_) => 6,
        }
    }

    /// The kind a script reads in `--json` errors, one per exit code.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Internal(_) => "internal",
            Error::Invalid(_) => "invalid",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Denied(_) => "permission_denied",
            Error::Unavailable(_) => "unavailable",
        }
    }
}

/// The most characters of one quoted value a refusal shows whole: a
/// name's most (1,000) and a command to paste with it fit.
const QUOTED_WHOLE: usize = 1_200;

/// How much of a longer value it shows.
const QUOTED_PREFIX: usize = 60;

/// The most characters of text outside backquotes shown whole: far more
/// than any sentence of ours, so only a value quoted otherwise (clap's
/// `'...'`, a value holding a backquote of its own) is ever cut.
const PLAIN_WHOLE: usize = 5_000;

/// `text` with every value quoted in it (between backquotes) that is
/// longer than [`QUOTED_WHOLE`] characters cut to its first
/// [`QUOTED_PREFIX`], marked `…` and followed by how long it was: a
/// refusal is one short line whatever was typed (a 100,000-character
/// argument would otherwise be echoed whole into a log). Every message
/// and help line of an [`Error`] passes through it, so no refusal needs
/// to remember; so do the values clap echoes (see `cli::clap_error`).
pub(crate) fn bounded(text: String) -> String {
    // No piece can be too long in a short text: the common case is free.
    if text.len() <= QUOTED_WHOLE {
        return text;
    }
    let mut out = String::with_capacity(QUOTED_WHOLE);
    let mut note: Option<String> = None;
    for (i, piece) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
            // After the closing backquote of a value cut short.
            if let Some(note) = note.take() {
                out.push_str(&note);
            }
        }
        let long = piece.chars().count();
        let whole = match i % 2 {
            1 => QUOTED_WHOLE,
            _ => PLAIN_WHOLE,
        };
        if long <= whole {
            out.push_str(piece);
            continue;
        }
        out.extend(piece.chars().take(QUOTED_PREFIX));
        out.push('…');
        let said = format!(" ({long} characters)");
        match i % 2 {
            1 => note = Some(said),
            _ => out.push_str(&said),
        }
    }
    if let Some(note) = note {
        out.push_str(&note);
    }
    out
}

/// `path` as a refusal shows it: a path through a file's map holds the
/// key as written (`settings.KEY`), so a long one is cut as a quoted
/// value is, not echoed whole (findings D5: a 100,000-character setting
/// key gave a 100 KB `error:` line).
fn bounded_path(path: &str) -> std::borrow::Cow<'_, str> {
    let long = path.chars().count();
    if long <= QUOTED_WHOLE {
        return path.into();
    }
    let mut out: String = path.chars().take(QUOTED_PREFIX).collect();
    out.push_str(&format!("… ({long} characters)"));
    out.into()
}

/// The `--flag` names in `text` outside backticks, without their dashes.
fn flags_outside_backticks(text: &str) -> impl Iterator<Item = &str> {
    text.split('`')
        .step_by(2)
        .flat_map(|plain| plain.split(|c: char| c.is_whitespace() || ",;:()/.".contains(c)))
        .filter_map(|word| word.strip_prefix("--"))
        .map(|flag| flag.split('=').next().unwrap_or(flag))
        .filter(|flag| !flag.is_empty())
}

/// Every exit code, the `kind` of the `--json` errors that exit with it,
/// and what it means: the one text the top-level help and `portalctl help
/// exit-codes` both print.
pub(crate) const EXIT_CODES: &[(u8, &str, &str)] = &[
    (0, "", "success"),
    (1, "internal", "internal or I/O error"),
    (
        2,
        "invalid",
        "invalid usage or value; not a portalctl database; a confirmation declined or needing `--yes`",
    ),
    (
        3,
        "not_found",
        "not found (account, user, order, token, database, a file a command reads)",
    ),
    (
        4,
        "conflict",
        "conflict: exists, or a rule forbids it; a broken audit chain or a failed integrity check",
    ),
    (
        DENIED,
        "permission_denied",
        "permission denied for the acting member; `can` answering no",
    ),
    (
        6,
        "unavailable",
        "database busy, read-only or newer than this binary; mail server unreachable (`outbox send`)",
    ),
];

/// The exit code of a permission refusal, and of `can` answering no.
const DENIED: u8 = 5;

/// The exit code of a conflict. A broken audit chain is one: `audit
/// verify` fails with it, and `status` refuses with it too, after its
/// report.
const CONFLICT: u8 = 4;

/// How a command that ran ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked.
    Done,
    /// It answered "no" (`can`): exit 5 like a refusal, so that `if
    /// portalctl can ...` works in a script, with the answer printed.
    No,
}

impl Outcome {
    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::No => DENIED,
        }
    }
}

/// The result type used throughout portalctl.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The table says what the code does: each error's code and kind are
    /// in it, and so is every outcome's.
    #[test]
    fn the_exit_code_table_is_the_codes_errors_exit_with() {
        let errors = [
            Error::Internal(anyhow::anyhow!("x")),
            Error::invalid("x"),
            Error::not_found("x"),
            Error::conflict("x"),
            Error::denied("x"),
            Error::unavailable("x"),
        ];
        for e in &errors {
            assert!(
                EXIT_CODES.contains(&(
                    e.exit_code(),
                    e.kind(),
                    EXIT_CODES[usize::from(e.exit_code())].2
                )),
                "{} {}",
                e.exit_code(),
                e.kind()
            );
        }
        for outcome in [Outcome::Done, Outcome::No] {
            assert!(EXIT_CODES
                .iter()
                .any(|(code, _, _)| *code == outcome.exit_code()));
        }
        let codes: Vec<u8> = EXIT_CODES.iter().map(|(code, _, _)| *code).collect();
        assert_eq!(codes, (0..=6).collect::<Vec<u8>>());
    }
}

#[cfg(test)]
mod bounded_tests {
    use super::*;

    /// Finding N11: a refusal quotes at most a short prefix of a value
    /// too long to show, and says how long it was; short ones are whole.
    #[test]
    fn a_long_quoted_value_is_cut_to_a_prefix() {
        let long = "a".repeat(100_000);
        let err = Error::invalid(format!("unknown status `{long}`"))
            .help(format!("`{long}` is no status; use one of: active, left"));
        let message = err.to_string();
        assert!(message.len() < 200, "{}", message.len());
        assert_eq!(
            message,
            format!("unknown status `{}…` (100000 characters)", "a".repeat(60))
        );
        assert!(err.help_text().is_some_and(|h| h.len() < 200
            && h.ends_with("` (100000 characters) is no status; use one of: active, left")));
        let name = "n".repeat(1_000);
        let whole = Error::conflict(format!("`{name}` exists"));
        assert_eq!(whole.to_string(), format!("`{name}` exists"));
        let unquoted = Error::invalid(long.clone()).to_string();
        assert!(unquoted.len() < 200, "{unquoted}");
    }
}
