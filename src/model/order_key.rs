//! How a command line names an order: by its number, or by the external
//! reference (`ref`) a fixture, an export or `order place --ref` gave it.
//!
//! The spelling follows the fixture format's, so that what an admin reads
//! in a file works on the command line: `#N` is order number N, never a
//! reference (a new reference may not start with `#`), and `##...` is an
//! older reference that does start with `#`. Which order a key names is
//! the domain's to decide, since it depends on what the actor may see.

use std::fmt;
use std::str::FromStr;

use super::text::Text;
use crate::error::{Error, Result};

/// The largest order number: the largest integer every JSON reader keeps
/// exactly (2^53 - 1), as `--json` prints order numbers. A number past it,
/// restored from a file, would also leave SQLite no next number to give.
pub(crate) const MAX_ORDER_NUMBER: i64 = (1 << 53) - 1;

/// An order as a command names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OrderKey {
    /// `#N`: order number N, whatever references look like.
    Number(i64),
    /// Digits alone: order number N, or an order whose reference is
    /// written with these digits. Purchase-order numbers are often all
    /// digits, so neither reading is dropped; the domain refuses the key
    /// when the two name different orders.
    NumberOrReference(i64, String),
    /// Anything else: a reference, compared as the store finds one: by
    /// its [`name_key`](super::name_key), composed and without case.
    Reference(String),
}

impl OrderKey {
    /// The reference the key may stand for, if any.
    pub(crate) fn reference(&self) -> Option<&str> {
        match self {
            OrderKey::Number(_) => None,
            OrderKey::NumberOrReference(_, r) | OrderKey::Reference(r) => Some(r),
        }
    }

    /// The order number the key may stand for, if any.
    pub(crate) fn number(&self) -> Option<i64> {
        match self {
            OrderKey::Number(n) | OrderKey::NumberOrReference(n, _) => Some(*n),
            OrderKey::Reference(_) => None,
        }
    }
}

impl From<i64> for OrderKey {
    fn from(number: i64) -> OrderKey {
        OrderKey::Number(number)
    }
}

impl FromStr for OrderKey {
    type Err = Error;

    /// Reads `#N`, digits, `##ref` or any other one-line text. The text is
    /// checked as stored text is (see [`Text`]): a key that holds a control
    /// character names no order and must not reach an error message raw.
    fn from_str(s: &str) -> Result<OrderKey> {
        let text = Text::parse("the order", s)?;
        let text = text.as_str();
        if text.is_empty() {
            return Err(Error::invalid("the order must not be empty")
                .help("name an order by its number or its reference"));
        }
        // Only ASCII digits: `+7` and `٣` are references, as `str::parse`
        // would otherwise take the first as a number.
        // Past the highest order number, as a file reads `#N`.
        let number = |digits: &str| {
            (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse::<i64>().ok())
                .flatten()
                .filter(|n| (1..=MAX_ORDER_NUMBER).contains(n))
        };
        match text.strip_prefix('#') {
            Some(rest) if rest.starts_with('#') => Ok(OrderKey::Reference(rest.to_string())),
            Some(rest) => number(rest).map(OrderKey::Number).ok_or_else(|| {
                Error::invalid(format!(
                    "`{text}` is no order number: `#N` names order N (1 to {MAX_ORDER_NUMBER})"
                ))
                .help(format!(
                    "a reference that starts with `#` is written with one more: `#{text}`"
                ))
            }),
            // Digits too many for a number can only be a reference.
            None => Ok(match number(text) {
                Some(n) => OrderKey::NumberOrReference(n, text.to_string()),
                None => OrderKey::Reference(text.to_string()),
            }),
        }
    }
}

impl fmt::Display for OrderKey {
    /// As messages name the order asked for: a number bare (`order 7`,
    /// as ever), a reference in backticks.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderKey::Number(n) | OrderKey::NumberOrReference(n, _) => write!(f, "{n}"),
            OrderKey::Reference(r) => write!(f, "`{r}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> OrderKey {
        s.parse().expect("a key")
    }

    #[test]
    fn numbers_references_and_their_fixture_spellings() {
        assert_eq!(key("#7"), OrderKey::Number(7));
        assert_eq!(key(" 7 "), OrderKey::NumberOrReference(7, "7".into()));
        assert_eq!(key("007"), OrderKey::NumberOrReference(7, "007".into()));
        assert_eq!(key("PO-2"), OrderKey::Reference("PO-2".into()));
        assert_eq!(key("##7"), OrderKey::Reference("#7".into()));
        assert_eq!(key("+7"), OrderKey::Reference("+7".into()));
        let huge = "99999999999999999999";
        assert_eq!(key(huge), OrderKey::Reference(huge.into()));
        // Numbers end where a file's `#N` ends: past 2^53 - 1, or 0,
        // digits are a reference only.
        assert_eq!(key("#9007199254740991"), OrderKey::Number(MAX_ORDER_NUMBER));
        for past in ["9007199254740992", "0"] {
            assert_eq!(key(past), OrderKey::Reference(past.into()));
        }
    }

    #[test]
    fn malformed_keys_are_usage_errors() {
        for bad in [
            "", "  ", "#", "#x", "#+7", "#99999999999999999999", "#9007199254740992", "#0",
            "PO\u{1b}[2J",
        ] {
            let err = bad.parse::<OrderKey>().expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad:?}: {err}");
        }
    }
}
