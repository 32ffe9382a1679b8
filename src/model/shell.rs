//! Commands portalctl prints for a person to paste into a shell (in
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

/// `value` as one shell word that sh, bash, zsh and fish all read back
/// as `value`: bare when it holds only letters, digits and `@+=:,./-_`
/// and does not start with `=` (so `ann@acme.test` and `42` stay as they
/// are), otherwise in single
/// quotes, inside which no shell expands anything, as Python's
/// `shlex.quote` writes it, each `'` written as `'\''`. A backslash is
/// written outside the quotes, as `'\\'`: fish, for which portalctl ships
/// completions, reads `\'` and `\\` as escapes even inside single quotes,
/// so a name holding `\'` would otherwise close them early there and run
/// the rest. The empty string is `''`.
///
/// `%` and a leading `=` are POSIX-safe but not safe everywhere: zsh
/// reads a word starting with `=` as a command's path (`=ls` is
/// `/usr/bin/ls`), and fish a word starting with `%` as a process id
/// (`%self`), so either would paste another name. `%` is quoted wherever
/// it stands, which keeps the rule one that is easy to state.
///
/// The `shlex` crate's `try_quote` is not used: it mixes double quotes
/// into its output (`"'foo"` for `'foo`) and quotes `,`, so the printed
/// commands would not read as the single-quoted form people expect.
pub(crate) fn quote(value: &str) -> Cow<'_, str> {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@+=:,./-_".contains(c);
    if !value.is_empty() && !value.starts_with('=') && value.chars().all(safe) {
        return Cow::Borrowed(value);
    }
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('\'');
    for c in value.chars() {
        match c {
            '\'' => quoted.push_str(r"'\''"),
            '\\' => quoted.push_str(r"'\\'"),
            c => quoted.push(c),
        }
    }
    quoted.push('\'');
    Cow::Owned(quoted)
}

/// `value` as bash reads it back from a completion: each ASCII character
/// other than letters, digits and `@%+=:,./-_` behind a backslash, as
/// `printf %q` writes it, a control character as `$'\u....'`, anything
/// else (`München`) as it is. bash's completion script puts what the
/// completer prints into the command line as it is, so a name holding
/// `$(...)` or a space would run or split there; written so, a prefix
/// typed bare or backslash-escaped (`Acme\ L`) is still its prefix.
/// zsh and fish escape what they insert themselves.
pub(crate) fn backslash_escape(value: &str) -> Cow<'_, str> {
    let bare = |c: char| {
        c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c) || !(c.is_ascii() || c.is_control())
    };
    if value.chars().all(bare) {
        return Cow::Borrowed(value);
    }
    let mut escaped = String::with_capacity(value.len() * 2);
    for c in value.chars() {
        if bare(c) {
            escaped.push(c);
        } else if c.is_control() {
            escaped.push_str(&format!("$'\\u{:04x}'", u32::from(c)));
        } else {
            escaped.push('\\');
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// A `portalctl` command to be pasted as it is: its fixed words written
/// as given, every value quoted by [`quote`]. It prints as the command
/// line, without the backquotes the message puts around it.
///
/// ```text
/// Paste::new("policy edit").arg("Big $(x)").opt("--account", "Acme Ltd")
///     => portalctl policy edit 'Big $(x)' --account 'Acme Ltd'
/// ```
///
/// A value starting with `-` would be read by the command's parser as a
/// flag, so it is written where the parser takes it as a value: an
/// option's as one word with its flag (`--account='-z Co'`), and a
/// positional one after `--`, which puts every option before the `--`
/// and every positional word (values and placeholders) after it
/// (`portalctl policy edit --account Acme -- -Big`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paste {
    /// The words after `portalctl`, each whole, in the order given.
    words: Vec<Word>,
}

/// One word of a [`Paste`], as written, and whether the parser reads it
/// as a positional argument.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    text: String,
    positional: bool,
    /// A positional value starting with `-`: the command needs `--`.
    dashed: bool,
}

impl Paste {
    /// `portalctl` followed by `words`: subcommands, flags and
    /// placeholders such as `EMAIL` (never a value: those go through
    /// [`Paste::arg`]).
    pub(crate) fn new(words: &'static str) -> Paste {
        Paste { words: Vec::new() }.words(words)
    }

    /// Adds fixed `words` (a subcommand, a flag with or without its fixed
    /// value, a placeholder such as `ROLE`), written as they are. A word
    /// in capitals is a positional placeholder, unless it follows a flag,
    /// whose value it then is (`--to EMAIL`, `--role admin`); so a flag
    /// that takes no value comes last or before another flag.
    pub(crate) fn words(mut self, words: &'static str) -> Paste {
        let mut after_flag = false;
        for word in words.split_whitespace() {
            let flag = word.starts_with('-');
            let placeholder = word.chars().all(|c| c.is_ascii_uppercase());
            self.words.push(Word {
                text: word.to_string(),
                positional: placeholder && !flag && !after_flag,
                dashed: false,
            });
            after_flag = flag;
        }
        self
    }

    /// Adds one positional value, quoted for the shell.
    pub(crate) fn arg(mut self, value: impl fmt::Display) -> Paste {
        let value = value.to_string();
        self.words.push(Word {
            text: quote(&value).into_owned(),
            positional: true,
            dashed: value.starts_with('-'),
        });
        self
    }

    /// Adds `flag` and its value, the value quoted for the shell; as one
    /// word `flag=value` when the value starts with `-`.
    pub(crate) fn opt(mut self, flag: &'static str, value: impl fmt::Display) -> Paste {
        let value = value.to_string();
        let quoted = quote(&value);
        let text = if value.starts_with('-') {
            format!("{flag}={quoted}")
        } else {
            format!("{flag} {quoted}")
        };
        self.words.push(Word {
            text,
            positional: false,
            dashed: false,
        });
        self
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
        f.write_str("portalctl")?;
        if !self.words.iter().any(|w| w.dashed) {
            return self.words.iter().try_for_each(|w| write!(f, " {}", w.text));
        }
        let (positional, options): (Vec<&Word>, Vec<&Word>) =
            self.words.iter().partition(|w| w.positional);
        for w in options {
            write!(f, " {}", w.text)?;
        }
        f.write_str(" --")?;
        positional.iter().try_for_each(|w| write!(f, " {}", w.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `line` as a POSIX shell does words of literal text (single
    /// and double quotes, backslashes), enough to check that [`quote`]
    /// round-trips; `None` on an unterminated quote.
    fn split(line: &str) -> Option<Vec<String>> {
        split_as(line, false)
    }

    /// Splits `line` as fish does: inside single quotes `\'` and `\\` are
    /// escapes and any other backslash is itself; outside them as
    /// [`split`].
    fn split_fish(line: &str) -> Option<Vec<String>> {
        split_as(line, true)
    }

    fn split_as(line: &str, fish: bool) -> Option<Vec<String>> {
        let mut words = Vec::new();
        let mut word: Option<String> = None;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                ' ' | '\t' | '\n' => words.extend(word.take()),
                '\'' => {
                    let w = word.get_or_insert_with(String::new);
                    loop {
                        match chars.next()? {
                            '\'' => break,
                            '\\' if fish && matches!(chars.peek(), Some('\'' | '\\')) => {
                                w.push(chars.next()?)
                            }
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

    /// Values a member may choose that a shell would run, split or
    /// unquote, fish's escapes inside single quotes among them.
    const HOSTILE: [&str; 14] = [
        "", "Big $(touch /tmp/x)", "a`id`@x.test", "Evil \"quoted\" Co", "O'Brien's ''x''",
        "\\'\\\"", "Zürich 東京 🚀", "-- --account", "$HOME ${x} $'a' \"$(id)\"",
        "a\\' ; touch /tmp/x ; : \\'b", "\\\\'\\", "\\", "'\\''", "(echo x) {a,b} ~ % *",
    ];

    #[test]
    fn safe_words_stay_bare() {
        for word in [
            "ann@acme.test", "42", "a-b_c", "x=1,y:2", "+44", "./f/g", "Acme", "a=b",
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
            ("back\\slash", r"'back'\\'slash'"),
            ("a\\'b", r"'a'\\''\''b'"),
            ("München", "'München'"),
            ("a;b|c&d>e<f", "'a;b|c&d>e<f'"),
            ("*?[x]~#!{}", "'*?[x]~#!{}'"),
            ("tab\there", "'tab\there'"),
            // zsh reads `=ls` as `/usr/bin/ls`, fish `%self` as its pid.
            ("=ls", "'=ls'"),
            ("=u@acme.test", "'=u@acme.test'"),
            ("%self", "'%self'"),
            ("50%", "'50%'"),
        ];
        for (value, quoted) in cases {
            assert_eq!(quote(value), quoted, "{value}");
        }
    }

    #[test]
    fn quoted_values_split_back_to_themselves() {
        for value in HOSTILE {
            let line = Paste::new("policy edit")
                .arg(value)
                .opt("--account", value)
                .to_string();
            let words = split(&line);
            let expected: Vec<String> = if value.starts_with('-') {
                let account = format!("--account={value}");
                ["portalctl", "policy", "edit", &account, "--", value]
                    .map(String::from)
                    .to_vec()
            } else {
                ["portalctl", "policy", "edit", value, "--account", value]
                    .map(String::from)
                    .to_vec()
            };
            assert_eq!(words.as_ref(), Some(&expected), "{line}");
            assert_eq!(split_fish(&line).as_ref(), Some(&expected), "fish: {line}");
        }
    }

    /// #11: fish reads `\'` and `\\` inside single quotes as escapes; a
    /// quoted value holds neither there, so fish reads it back whole too.
    #[test]
    fn quoted_values_read_back_the_same_in_fish() {
        for value in HOSTILE {
            let quoted = quote(value);
            assert_eq!(
                split_fish(&quoted),
                Some(vec![value.to_string()]),
                "{quoted}"
            );
            assert_eq!(split(&quoted), Some(vec![value.to_string()]), "{quoted}");
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

    /// #18: what bash completion inserts reads back, in a POSIX shell,
    /// as the name, and a name a shell would not touch is left as it is.
    #[test]
    fn backslash_escaped_values_read_back_to_themselves() {
        for value in HOSTILE.iter().filter(|v| !v.is_empty()) {
            let escaped = backslash_escape(value);
            assert_eq!(split(&escaped), Some(vec![value.to_string()]), "{escaped}");
        }
        assert_eq!(backslash_escape("Acme Ltd"), r"Acme\ Ltd");
        assert_eq!(backslash_escape("Zeta $(id)"), r"Zeta\ \$\(id\)");
        assert_eq!(backslash_escape("~x#!*?[a]"), r"\~x\#\!\*\?\[a\]");
        assert_eq!(backslash_escape("line\nbreak"), r"line$'\u000a'break");
        for bare in ["ann@acme.test", "München", "a-b_c", "x=1,y:2"] {
            assert!(matches!(backslash_escape(bare), Cow::Borrowed(_)), "{bare}");
        }
    }

    /// #1: a value starting with `-` pasted where a value goes would be
    /// read as a flag: an option's is joined to its flag, a positional
    /// one goes after `--`, with the other positional words, after every
    /// option.
    #[test]
    fn a_value_starting_with_a_dash_is_not_read_as_a_flag() {
        let edit = Paste::new("policy edit")
            .arg("-Big")
            .opt("--account", "-z Co")
            .opt("--required-approvals", 1);
        assert_eq!(
            edit.to_string(),
            "portalctl policy edit --account='-z Co' --required-approvals 1 -- -Big"
        );
        assert_eq!(
            Paste::new("user set-role")
                .arg("-a@x.test")
                .words("ROLE --until T")
                .opt("--account", "Acme Ltd")
                .to_string(),
            "portalctl user set-role --until T --account 'Acme Ltd' -- -a@x.test ROLE"
        );
        assert_eq!(
            Paste::new("policy edit")
                .arg("--")
                .opt("--account", "--")
                .to_string(),
            "portalctl policy edit --account=-- -- --"
        );
        // Without such a value, the words stay in the order given.
        assert_eq!(
            Paste::new("user set-role")
                .arg("a@x.test")
                .words("ROLE --until T")
                .opt("--account", "Acme")
                .to_string(),
            "portalctl user set-role a@x.test ROLE --until T --account Acme"
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
