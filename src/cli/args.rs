//! Arguments many commands share: the account, a list's limit, stored
//! text, and moments and durations.

use clap::Args;

use crate::domain::Actor;
use crate::error::{Error, Result};
use crate::model::{Text, Timestamp, DURATION_FORMS};

// `--account`: the account a command acts in. Left out, the domain picks
// the only account of the member concerned, of the acting member, or of
// the database.
// (Not a doc comment: clap would show it as the about of every command
// that flattens these arguments, over the command's own.)
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct AccountArg {
    /// The account to act in (may be left out when it is clear).
    #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
    account: Option<String>,
}

impl AccountArg {
    /// The account named, if any.
    pub(crate) fn name(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The account named, if any, for a request that owns it.
    pub(crate) fn into_name(self) -> Option<String> {
        self.account
    }

    /// The account named by `--account` or by the positional shorthand
    /// `account ... ACCOUNT`; naming two different ones is a usage error.
    pub(crate) fn or_positional(self, positional: Option<String>) -> Result<AccountArg> {
        match (self.account, positional) {
            (Some(flag), Some(pos)) if flag.trim() != pos.trim() => Err(Error::invalid(format!(
                "two accounts given: `{}` and --account `{}`",
                pos.trim(),
                flag.trim()
            ))
            .help("name the account once, with --account")),
            (flag, pos) => Ok(AccountArg {
                account: flag.or(pos),
            }),
        }
    }
}

/// Reads an account's name where a command line gives one (`--account`,
/// `--customer`, the positional shorthand): one of blanks alone names no
/// account, and is a usage error (exit 2) rather than an account nobody
/// has, as a blank `--as` is.
pub(crate) fn named_account(text: &str) -> std::result::Result<String, String> {
    if text.trim().is_empty() {
        return Err("an account is named by more than blanks".into());
    }
    Ok(text.to_string())
}

// `--limit COUNT` of a list: at most this many items, the first in the
// list's order.
// (Not a doc comment: clap would show it as the about of every command
// that flattens these arguments, over the command's own.)
#[derive(Debug, Clone, Copy, Default, Args)]
pub(crate) struct LimitArg {
    /// List at most this many, the first in the list's order.
    #[arg(long, value_name = "COUNT")]
    pub(crate) limit: Option<u32>,
}

/// The value parser of every stored free-text argument: reads it into a
/// [`Text`], and a refusal names the flag (`--description ... contains a
/// control character`) and reads as the domain's own (see [`value_error`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextArg;

impl clap::builder::TypedValueParser for TextArg {
    type Value = Text;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<Text, clap::Error> {
        let what = match arg {
            Some(a) => match a.get_long() {
                Some(long) => format!("--{long}"),
                None => format!("the {}", a.get_id()),
            },
            None => "the text".to_string(),
        };
        // A function parser makes clap keep our error as the source, which
        // `value_error` finds again.
        let parse = move |s: &str| Text::parse(&what, s);
        parse.parse_ref(cmd, arg, value)
    }
}

/// Reads `7d`, `48h`, `30m` into a duration.
pub(crate) fn duration(text: &str) -> Result<chrono::Duration> {
    crate::model::parse_duration(text)
}

/// A point in time given either as such or as how long ago it was.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Since {
    /// An RFC 3339 time.
    At(Timestamp),
    /// This long before now.
    Ago(chrono::Duration),
    /// A whole day (UTC): from its start, or up to its end.
    Day(chrono::NaiveDate),
}

impl Since {
    /// The time meant as a start, counting back from `now`: a day means
    /// its first second.
    pub(crate) fn at(self, now: Timestamp) -> Result<Timestamp> {
        match self {
            Since::At(t) => Ok(t),
            Since::Ago(d) => now.minus(d),
            Since::Day(day) => Ok(day.and_time(chrono::NaiveTime::MIN).and_utc().into()),
        }
    }

    /// The time meant as an end (inclusive): a day means its last second.
    pub(crate) fn until(self, now: Timestamp) -> Result<Timestamp> {
        match self {
            Since::Day(_) => self
                .at(now)?
                .plus(chrono::Duration::days(1) - chrono::Duration::seconds(1)),
            other => other.at(now),
        }
    }
}

/// Reads `--since` and `--until`: a date (`2026-11-25`, a whole day in
/// UTC), an RFC 3339 time, or a duration ago such as `2h` or `7d`.
pub(crate) fn since(text: &str) -> Result<Since> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        return Ok(Since::Day(day));
    }
    if text.contains('T') || text.contains('-') {
        text.parse().map(Since::At)
    } else {
        // A text that is no duration at all may have meant a time or a
        // date, which the duration's own help leaves out; one in months or
        // years keeps its more telling answer.
        duration(text)
            .map(Since::Ago)
            .map_err(|e| match e.help_text() {
                Some(DURATION_FORMS) => Error::invalid(format!(
                    "`{}` is not a time, a date or a duration",
                    text.trim()
                ))
                .help(WHEN_FORMS),
                _ => e,
            })
    }
}

/// How to write a `--since` or `--until`.
const WHEN_FORMS: &str = "write a duration like 7d, 48h or 30m, a date like 2026-11-25 (a whole day, UTC), or an RFC 3339 time like 2026-11-25T09:00:00Z";

/// A moment ahead, for `--until`: an RFC 3339 time, a date (its first
/// second, UTC), or how long from now (`7d`, `36h`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Until {
    /// An RFC 3339 time.
    At(Timestamp),
    /// This long after now.
    In(chrono::Duration),
    /// The start of a day (UTC).
    Day(chrono::NaiveDate),
}

impl Until {
    /// The moment meant, counting on from `now`.
    pub(crate) fn at(self, now: Timestamp) -> Result<Timestamp> {
        match self {
            Until::At(t) => Ok(t),
            Until::In(d) => now.plus(d),
            Until::Day(day) => Ok(day.and_time(chrono::NaiveTime::MIN).and_utc().into()),
        }
    }
}

/// Reads `--until`: what `--since` reads, with a duration counted forward.
pub(crate) fn until(text: &str) -> Result<Until> {
    Ok(match since(text)? {
        Since::At(t) => Until::At(t),
        Since::Ago(d) => Until::In(d),
        Since::Day(day) => Until::Day(day),
    })
}

/// Reads an audit actor: an email, or the operator as `operator:USER` or
/// just the login name `USER` (a login name never holds an `@`).
pub(crate) fn audit_actor(text: &str) -> Result<Actor> {
    let text = text.trim();
    match text.strip_prefix("operator:") {
        Some(user) => Ok(Actor::Operator(user.to_string())),
        None if !text.is_empty() && !text.contains('@') => Ok(Actor::Operator(text.to_string())),
        None => Ok(Actor::Member(text.parse()?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every argument that names an account (shown as `ACCOUNT`) refuses
    /// one of blanks alone as a usage error, so the next command that
    /// takes an account and forgets the parser fails here.
    #[test]
    fn every_account_argument_refuses_blanks() {
        fn walk(cmd: &clap::Command, path: &mut Vec<String>, checked: &mut usize) {
            for arg in cmd.get_arguments() {
                let names_account = arg
                    .get_value_names()
                    .is_some_and(|v| v.iter().any(|n| n.as_str() == "ACCOUNT"));
                if !names_account {
                    continue;
                }
                let mut line: Vec<String> = vec!["portalctl".into()];
                line.extend(path.iter().cloned());
                if let Some(long) = arg.get_long() {
                    line.push(format!("--{long}"));
                }
                line.push("  ".into());
                let args: Vec<std::ffi::OsString> = line.iter().map(Into::into).collect();
                let err = crate::cli::parse(&args).expect_err(&line.join(" "));
                assert!(
                    err.to_string()
                        .contains("an account is named by more than blanks"),
                    "{}: {err}",
                    line.join(" ")
                );
                *checked += 1;
            }
            for sub in cmd.get_subcommands() {
                path.push(sub.get_name().to_string());
                walk(sub, path, checked);
                path.pop();
            }
        }
        let mut checked = 0;
        walk(&crate::cli::command(), &mut Vec::new(), &mut checked);
        assert!(checked > 40, "only {checked} account arguments found");
    }

    /// `--since yesterday` is refused with help naming every form
    /// `--since` takes, not durations alone.
    #[test]
    fn a_when_that_is_none_of_its_forms_is_told_all_three() {
        for text in ["yesterday", "soon"] {
            let err = since(text).expect_err("not a when");
            assert_eq!(err.exit_code(), 2, "{err}");
            assert!(err.to_string().contains(&format!("`{text}`")), "{err}");
            let help = err.help_text().unwrap_or_default();
            for form in ["7d", "2026-11-25", "RFC 3339"] {
                assert!(help.contains(form), "{form} in {help}");
            }
            assert!(until(text).is_err());
        }
        let years = since("2y").expect_err("of no fixed length");
        assert!(years.to_string().contains("no fixed length"), "{years}");
        assert!(matches!(since("48h"), Ok(Since::Ago(_))));
        assert!(matches!(since("2026-11-25"), Ok(Since::Day(_))));
        assert!(matches!(since("2026-11-25T09:00:00Z"), Ok(Since::At(_))));
    }
}
