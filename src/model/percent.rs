//! A share of something done, as a whole percentage: progress on a course.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::text::escape;
use crate::error::{Error, Result};

/// A whole number from 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub(crate) struct Percent(u8);

impl Percent {
    /// All of it.
    pub(crate) const FULL: Percent = Percent(100);

    /// `value` as a percentage, refused outside 0..=100.
    pub(crate) fn new(value: i64) -> Result<Percent> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= 100)
            .map(Percent)
            .ok_or_else(|| out_of_range(&value.to_string()))
    }

    /// The number.
    pub(crate) fn value(self) -> u8 {
        self.0
    }
}

fn out_of_range(text: &str) -> Error {
    Error::invalid(format!(
        "`{}` is not a percentage from 0 to 100",
        escape(text)
    ))
    .help("pass a whole number such as 40, or --completed")
}

/// Reads `40` (or `40%`) as 40 percent.
impl FromStr for Percent {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        let digits = text.strip_suffix('%').unwrap_or(text).trim();
        match digits.parse::<i64>() {
            Ok(n) => Percent::new(n).map_err(|_| out_of_range(text)),
            Err(_) => Err(out_of_range(text)),
        }
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_whole_numbers_from_0_to_100() {
        assert_eq!("0".parse::<Percent>().map(Percent::value).ok(), Some(0));
        assert_eq!(
            " 40% ".parse::<Percent>().map(Percent::value).ok(),
            Some(40)
        );
        assert_eq!("100".parse::<Percent>().ok(), Some(Percent::FULL));
        for bad in ["101", "-1", "4.5", "", "forty", "99999999999999999999"] {
            let e = bad.parse::<Percent>().expect_err(bad);
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
    }
}
