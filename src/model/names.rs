//! What people and accounts are called and reached at: email addresses and
//! display names, checked once so every layer agrees on one spelling.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

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
        if email_address::EmailAddress::is_valid(&normal) && !normal.contains(['<', '>', ' ']) {
            Ok(Email(normal))
        } else {
            Err(Error::invalid(format!(
                "`{}` is not a valid email address",
                s.trim()
            )))
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads a person's or account's display name: trimmed, not empty.
pub(crate) fn parse_name(what: &str, s: &str) -> Result<String> {
    let name = s.trim();
    if name.is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "{what} `{}` contains control characters",
            name.escape_debug()
        )));
    }
    Ok(name.to_string())
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
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad:?} should be refused");
        }
    }
}
