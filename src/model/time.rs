//! Timestamps and their one text form, shared by the database and output.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, SecondsFormat, Utc};

use crate::error::{Error, Result};

/// A point in time; always UTC inside portalctl. Its one text form (in
/// the database, tables and JSON) is RFC 3339 in whole seconds with `Z`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Timestamp(DateTime<Utc>);

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Timestamp(t)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

/// As the wrapped time, so records print in `{:?}` as they always did.
impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Reads an RFC 3339 timestamp (any offset) as UTC.
impl FromStr for Timestamp {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        DateTime::parse_from_rfc3339(s.trim())
            .map(|t| Timestamp(t.with_timezone(&Utc)))
            .map_err(|_| {
                Error::invalid(format!("`{s}` is not an RFC 3339 time"))
                    .help("write it like 2026-11-25T09:30:00Z")
            })
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Timestamp {
    /// The day, as `2026-11-25` (UTC).
    pub(crate) fn date(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// `self + d`, refused when it would fall outside the years 0000–9999,
    /// the only ones the text form (and so the database) can hold.
    pub(crate) fn plus(self, d: Duration) -> Result<Timestamp> {
        self.0
            .checked_add_signed(d)
            .map(Timestamp)
            .filter(Timestamp::is_writable)
            .ok_or_else(|| out_of_range(self, "after"))
    }

    /// `self - d`, refused like [`Timestamp::plus`].
    pub(crate) fn minus(self, d: Duration) -> Result<Timestamp> {
        self.0
            .checked_sub_signed(d)
            .map(Timestamp)
            .filter(Timestamp::is_writable)
            .ok_or_else(|| out_of_range(self, "before"))
    }

    /// The last second the text form can hold: later than any `until`.
    pub(crate) fn end_of_time() -> Timestamp {
        let end = chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
            .and_then(|d| d.and_hms_opt(23, 59, 59))
            .expect("a valid date");
        Timestamp(end.and_utc())
    }

    fn is_writable(&self) -> bool {
        (0..=9999).contains(&self.0.year())
    }
}

fn out_of_range(from: Timestamp, side: &str) -> Error {
    Error::invalid(format!(
        "that reaches outside the years 0000 to 9999 (counting {side} {from})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_is_whole_seconds_in_utc() {
        let t: Timestamp = "2026-11-25T10:30:00.789+01:00".parse().expect("a time");
        assert_eq!(t.to_string(), "2026-11-25T09:30:00Z");
        assert_eq!(
            serde_json::to_string(&t).expect("json"),
            "\"2026-11-25T09:30:00Z\""
        );
        let back: Timestamp = serde_json::from_str("\"2026-11-25T09:30:00Z\"").expect("json");
        assert_eq!(back.to_string(), t.to_string());
    }

    #[test]
    fn a_bad_time_says_how_to_write_one() {
        let e = "yesterday".parse::<Timestamp>().expect_err("not a time");
        assert_eq!(e.to_string(), "`yesterday` is not an RFC 3339 time");
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}
