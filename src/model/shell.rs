//! Commands portalctl prints for a person to paste into a POSIX shell (in
//! `help:` lines, warnings, `order show`, mails to support), and the
//! quoting of every value they carry.
//!
//! Account, policy and role names and email addresses are chosen by
//! members and may hold `$(...)`, backquotes or quotes; pasted between
//! double quotes, or bare, they would run as code in the shell of whoever
//! pastes them, often the operator who owns the database. So a value
//! enters a command only through [`Paste::arg`] or [`Paste::opt`], which
//! quote it, and the command's own words are `&'static str`, so a value
//! cannot be slipped in among them.

use std::borrow::Cow;
use std::fmt;

/// `value` as one POSIX shell word, as Python's `shlex.quote` writes it:
/// bare when it holds only letters, digits and `@%+=:,./-_` (so
/// `ann@acme.test` and `42` stay as they are), otherwise in single quotes,
/// inside which the shell expands nothing, each `'` written as `'\''`.
/// The empty string is `''`.
///
/// The `shlex` crate's `try_quote` is not used: it mixes double quotes
/// into its output (`"'foo"` for `'foo`) and quotes `,`, so the printed
/// commands would not read as the single-quoted form people expect.
pub(crate) fn quote(value: &str) -> Cow<'_, str> {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        return Cow::Borrowed(value);
    }
    Cow::Owned(format!("'{}'", value.replace('\'', r"'\''")))
}

/// A `portalctl` command to be pasted as it is: its fixed words written
/// as given, every value quoted by [`quote`]. It prints as the command
/// line, without the backquotes the message puts around it.
///
/// ```text
/// Paste::new("policy edit").arg("Big $(x)").opt("--account", "Acme Ltd")
///     => portalctl policy edit 'Big $(x)' --account 'Acme Ltd'
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paste(String);

impl Paste {
    /// `portalctl` followed by `words`: subcommands, flags and
    /// placeholders such as `EMAIL` (never a value: those go through
    /// [`Paste::arg`]).
    pub(crate) fn new(words: &'static str) -> Paste {
        Paste(String::from("portalctl")).words(words)
    }

    /// Adds fixed `words` (a subcommand, a flag without a value, a
    /// placeholder such as `ROLE`), written as they are.
    pub(crate) fn words(mut self, words: &'static str) -> Paste {
        if !words.is_empty() {
            self.0.push(' ');
            self.0.push_str(words);
        }
        self
    }

    /// Adds one value, quoted for the shell.
    pub(crate) fn arg(mut self, value: impl fmt::Display) -> Paste {
        self.0.push(' ');
        self.0.push_str(&quote(&value.to_string()));
        self
    }

    /// Adds `flag` and its value, the value quoted for the shell.
    pub(crate) fn opt(self, flag: &'static str, value: impl fmt::Display) -> Paste {
        self.words(flag).arg(value)
    }

    /// Adds `flag` and its value when there is one.
    pub(crate) fn opt_some(self, flag: &'static str, value: Option<impl fmt::Display>) -> Paste {
        match value {
            Some(value) => self.opt(flag, value),
            None => self,
        }
    }
}

impl fmt::Display for Paste {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `line` as a POSIX shell does words of literal text (single
    /// and double quotes, backslashes), enough to check that [`quote`]
    /// round-trips; `None` on an unterminated quote.
    fn split(line: &str) -> Option<Vec<String>> {
        let mut words = Vec::new();
        let mut word: Option<String> = None;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                ' ' | '\t' | '\n' => words.extend(word.take()),
                '\'' => {
                    let w = word.get_or_insert_with(String::new);
                    loop {
                        match chars.next()? {
                            '\'' => break,
                            c => w.push(c),
                        }
                    }
                }
                '\\' => word.get_or_insert_with(String::new).push(chars.next()?),
                c => word.get_or_insert_with(String::new).push(c),
            }
        }
        words.extend(word);
        Some(words)
    }

    #[test]
    fn safe_words_stay_bare() {
        for word in [
            "ann@acme.test", "42", "a-b_c", "x=1,y:2", "50%", "+44", "./f/g", "Acme",
        ] {
            assert_eq!(quote(word), word);
            assert!(matches!(quote(word), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn everything_else_is_single_quoted_as_shlex_quote_writes_it() {
        let cases = [
            ("", "''"),
            ("Acme Ltd", "'Acme Ltd'"),
            ("Big $(touch /tmp/x)", "'Big $(touch /tmp/x)'"),
            ("a`id`@x.test", "'a`id`@x.test'"),
            ("Evil \"quoted\" Co", "'Evil \"quoted\" Co'"),
            ("O'Brien", r"'O'\''Brien'"),
            ("'", r"''\'''"),
            ("back\\slash", "'back\\slash'"),
            ("München", "'München'"),
            ("a;b|c&d>e<f", "'a;b|c&d>e<f'"),
            ("*?[x]~#!{}", "'*?[x]~#!{}'"),
            ("tab\there", "'tab\there'"),
        ];
        for (value, quoted) in cases {
            assert_eq!(quote(value), quoted, "{value}");
        }
    }

    #[test]
    fn quoted_values_split_back_to_themselves() {
        let values = [
            "", "Big $(touch /tmp/x)", "a`id`@x.test", "Evil \"quoted\" Co", "O'Brien's ''x''",
            "\\'\\\"", "Zürich 東京 🚀", "-- --account", "$HOME ${x} $'a' \"$(id)\"",
        ];
        for value in values {
            let line = Paste::new("policy edit")
                .arg(value)
                .opt("--account", value)
                .to_string();
            assert_eq!(
                split(&line).as_deref(),
                Some(
                    &["portalctl", "policy", "edit", value, "--account", value].map(String::from)[..]
                ),
                "{line}"
            );
        }
    }

    /// The next message that writes a command to paste with `format!`:
    /// a value interpolated into a backquoted `portalctl ...`, or between
    /// escaped double quotes after `portalctl`, would reach the shell
    /// unquoted. Such commands are built with [`Paste`].
    #[test]
    fn no_source_interpolates_a_value_into_a_command_to_paste() {
        fn files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("src is readable") {
                let path = entry.expect("src is readable").path();
                if path.is_dir() {
                    files(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.push(path);
                }
            }
        }
        let mut sources = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut sources,
        );
        // Spelled in two so that this line is not one it finds.
        let backquote = concat!("`", "portalctl ");
        let mut unquoted = Vec::new();
        for path in &sources {
            let text = std::fs::read_to_string(path).expect("a source is text");
            for (n, line) in text.lines().enumerate() {
                let backquoted = line.split(backquote).skip(1).any(|rest| {
                    rest.split('`')
                        .next()
                        .is_some_and(|command| command.contains('{'))
                });
                let double_quoted = line
                    .split_once("portalctl ")
                    .is_some_and(|(_, rest)| rest.contains("\\\"{"));
                if backquoted || double_quoted {
                    unquoted.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(sources.len() > 50, "{sources:?}");
        assert!(
            unquoted.is_empty(),
            "build these with `Paste`:\n{}",
            unquoted.join("\n")
        );
    }

    #[test]
    fn a_command_reads_as_its_words_and_quoted_values() {
        let edit = Paste::new("policy edit")
            .arg("Big one")
            .opt("--account", "Acme Ltd")
            .opt("--required-approvals", 1)
            .opt_some("--for", None::<&str>)
            .opt_some("--as", Some("ann@acme.test"));
        assert_eq!(
            edit.to_string(),
            "portalctl policy edit 'Big one' --account 'Acme Ltd' --required-approvals 1 --as ann@acme.test"
        );
        assert_eq!(
            Paste::new("user invite EMAIL")
                .opt("--account", "Fabrikam")
                .words("--role admin")
                .to_string(),
            "portalctl user invite EMAIL --account Fabrikam --role admin"
        );
    }
}
