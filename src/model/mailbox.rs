//! A mailbox as a `From:` header names it: an address with an optional
//! display name (`Acme Portal <portal@acme.test>`).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::{parse_name, Email};
use crate::error::{Error, Result};

/// An email address with an optional display name. The name holds no
/// control characters, so it can never break out of a header line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Mailbox {
    /// The display name, if any.
    pub name: Option<String>,
    /// The address.
    pub email: Email,
}

impl FromStr for Mailbox {
    type Err = Error;

    /// Reads `address` or `Display Name <address>`; the name may be quoted.
    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        let Some(open) = text.find('<') else {
            return Ok(Mailbox {
                name: None,
                email: text.parse()?,
            });
        };
        let address = text[open + 1..].strip_suffix('>').ok_or_else(|| {
            Error::invalid(format!("`{text}` is not a mailbox"))
                .help("write it like `Acme Portal <portal@acme.test>` or just the address")
        })?;
        let name = text[..open].trim().trim_matches('"').trim();
        Ok(Mailbox {
            name: if name.is_empty() {
                None
            } else {
                Some(parse_name("the sender's name", name)?)
            },
            email: address.parse()?,
        })
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} <{}>", self.email),
            None => write!(f, "{}", self.email),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_is_an_address_with_an_optional_name() {
        let m: Mailbox = " Acme Portal <Portal@Acme.test> ".parse().expect("valid");
        assert_eq!(m.name.as_deref(), Some("Acme Portal"));
        assert_eq!(m.email.as_str(), "portal@acme.test");
        assert_eq!(m.to_string(), "Acme Portal <portal@acme.test>");
        let bare: Mailbox = "portal@acme.test".parse().expect("valid");
        assert_eq!(bare.name, None);
        let quoted: Mailbox = "\"Acme, Portal\" <portal@acme.test>"
            .parse()
            .expect("valid");
        assert_eq!(quoted.name.as_deref(), Some("Acme, Portal"));
    }

    #[test]
    fn a_name_that_could_break_a_header_is_refused() {
        for bad in [
            "Evil\r\nBcc: all@acme.test <portal@acme.test>",
            "Ev\nil <portal@acme.test>",
            "Portal <portal@acme.test",
            "Portal <not-an-address>",
            "",
        ] {
            assert!(bad.parse::<Mailbox>().is_err(), "{bad:?} should be refused");
        }
    }
}
