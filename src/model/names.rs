//! What people and accounts are called and reached at: email addresses and
//! display names, checked once so every layer agrees on one spelling.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::text::{unsafe_to_print, Text};
use crate::error::{Error, Result};

/// A normalised email address: trimmed, lower-cased, syntactically valid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub(crate) struct Email(String);

impl Email {
    /// The normalised address.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let normal = s.trim().to_lowercase();
        // A quoted local part may hold almost anything; an address is
        // printed in tables and errors, so it holds no more than a name may.
        if email_address::EmailAddress::is_valid(&normal)
            && !normal.contains(['<', '>', ' '])
            && !normal.chars().any(unsafe_to_print)
        {
            Ok(Email(normal))
        } else {
            Err(Error::invalid(format!(
                "`{}` is not a valid email address",
                super::text::escape(s.trim())
            )))
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads a person's or account's display name (and the other names a user
/// gives: policies, cost centres, services): a [`Text`] that is not empty.
pub(crate) fn parse_name(what: &str, s: &str) -> Result<String> {
    Text::parse(what, s)?.required(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let e: Email = "  Ann@Acme.TEST ".parse().expect("valid");
        assert_eq!(e.as_str(), "ann@acme.test");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "", "ann", "ann@", "@acme.test", "a b@acme.test", "ann@@acme.test",
            "\"a\u{1b}[2J\"@acme.test", "\"a\u{202e}b\"@acme.test", "a\u{202e}b@acme.test",
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn names_refuse_bidi_and_control_characters() {
        assert_eq!(parse_name("the name", "  Ann  ").expect("clean"), "Ann");
        assert!(parse_name("the name", "   ").is_err());
        for bad in [
            "A\u{202e}nn", "A\u{2066}nn", "A\u{1b}[31mnn", "A\nnn", "A\u{9b}nn",
        ] {
            assert_eq!(
                parse_name("the name", bad).map_err(|e| e.exit_code()),
                Err(2)
            );
        }
    }
}
