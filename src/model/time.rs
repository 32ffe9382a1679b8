//! Timestamps and their one text form, shared by the database and output.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, SecondsFormat, Timelike, Utc};

use crate::error::{Error, Result};

/// A point in time; always UTC inside portalctl, and always a whole
/// second. Its one text form (in the database, tables and JSON) is RFC
/// 3339 in whole seconds with `Z`.
///
/// The portal keeps times to the second, so a time is made one when it is
/// read, whatever its source (a file, `--until`, `PORTALCTL_NOW`, the
/// clock): a fraction would be dropped by the text the database holds,
/// and a time compared with what it was stored as would then never be
/// equal to it, so a fixture naming one would never apply as unchanged.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Timestamp(DateTime<Utc>);

/// How to write a duration: the help of a text that is none.
pub(crate) const DURATION_FORMS: &str = "write it like 7d, 48h or 30m";

/// Reads a length of time such as `7d`, `48h`, `30m` or `1w 2d`:
/// weeks, days, hours, minutes and seconds. Months and years are refused,
/// being of no fixed length (`1y` would be 365.25 days, so a year on from
/// noon ends at six in the evening): days say it exactly.
pub(crate) fn parse_duration(text: &str) -> Result<Duration> {
    let text = text.trim();
    let unfixed = text
        .split(|c: char| c.is_ascii_digit() || c.is_whitespace())
        .any(|unit| matches!(unit, "y" | "year" | "years" | "M" | "month" | "months"));
    if unfixed {
        return Err(Error::invalid(format!(
            "`{text}` is in months or years, which are of no fixed length"
        ))
        .help("give it in days (30d, 365d), or give a time (2027-01-05T00:00:00Z)"));
    }
    let std = humantime::parse_duration(text)
        .map_err(|_| Error::invalid(format!("`{text}` is not a duration")).help(DURATION_FORMS))?;
    Duration::from_std(std).map_err(|_| Error::invalid(format!("`{text}` is too long")))
}

impl From<DateTime<Utc>> for Timestamp {
    /// The second `t` falls in.
    fn from(t: DateTime<Utc>) -> Self {
        Timestamp::second_of(t)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written digit by digit: a list of 100,000 members prints a few
        // hundred thousand times, and chrono's formatter costs ten times
        // as much. Leap seconds and years the text form cannot hold are
        // chrono's.
        let (date, time) = (self.0.date_naive(), self.0.time());
        let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999);
        match year {
            Some(year) if time.nanosecond() < 1_000_000_000 => {
                let mut text = *b"0000-00-00T00:00:00Z";
                for (at, value, width) in [
                    (0, year, 4),
                    (5, date.month(), 2),
                    (8, date.day(), 2),
                    (11, time.hour(), 2),
                    (14, time.minute(), 2),
                    (17, time.second(), 2),
                ] {
                    let mut value = value;
                    for i in (at..at + width).rev() {
                        text[i] = b'0' + (value % 10) as u8;
                        value /= 10;
                    }
                }
                f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
            }
            _ => f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Secs, true)),
        }
    }
}

/// As the wrapped time, so records print in `{:?}` as they always did.
impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Reads an RFC 3339 timestamp (any offset) as UTC, a fraction of a
/// second as the second it falls in (`2027-01-01T00:00:00.5Z` is
/// `2027-01-01T00:00:00Z`), as the text form writes it.
impl FromStr for Timestamp {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        if let Some(t) = canonical(s) {
            return Ok(t);
        }
        let t = DateTime::parse_from_rfc3339(s.trim()).map_err(|_| {
            Error::invalid(format!("`{s}` is not an RFC 3339 time"))
                .help("write it like 2026-11-25T09:30:00Z")
        })?;
        // chrono reads second 60 as a leap second, one instant with the
        // next minute's first: kept as written, it would compare as one and
        // print as the other. Times are kept to the second, 0 to 59.
        if t.nanosecond() >= 1_000_000_000 {
            return Err(Error::invalid(format!(
                "`{s}` names second 60, a leap second, which portalctl does not keep"
            ))
            .help("write the next minute's second 00 instead, like 2026-12-01T00:01:00Z"));
        }
        Ok(Timestamp::second_of(t.with_timezone(&Utc)))
    }
}

impl Timestamp {
    /// A time as the database holds it. An older version kept a second 60
    /// as written: it reads as the instant it always compared as, the
    /// next minute's first second, so that the row can be read, and set
    /// right, rather than failing every command that reads it.
    pub(crate) fn stored(s: &str) -> Result<Timestamp, Error> {
        match s.parse() {
            Ok(t) => Ok(t),
            Err(e) => {
                let t = DateTime::parse_from_rfc3339(s.trim()).map_err(|_| e)?;
                let second = t
                    .with_nanosecond(0)
                    .and_then(|t| t.checked_add_signed(Duration::seconds(1)))
                    .ok_or_else(|| Error::invalid(format!("`{s}` is not an RFC 3339 time")))?;
                Ok(Timestamp::second_of(second.with_timezone(&Utc)))
            }
        }
    }
}

/// `s` read as the text form itself (`2026-11-25T09:30:00Z`), which is
/// what the database holds: digit by digit, where chrono's RFC 3339 parser
/// costs ten times as much on every time of every row a list reads.
/// `None` for any other form, left to chrono.
fn canonical(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() != 20 || [b[4], b[7], b[10], b[13], b[16], b[19]] != *b"--T::Z" {
        return None;
    }
    let number = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(0, 4)?).ok()?;
    let time = chrono::NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?)?.and_hms_opt(
        number(11, 13)?,
        number(14, 16)?,
        number(17, 19)?,
    )?;
    Some(Timestamp(time.and_utc()))
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
    /// The second `t` falls in: its fraction dropped, as the text form
    /// drops it. A leap second (which chrono counts past 1,000,000,000
    /// nanoseconds) stays one.
    fn second_of(t: DateTime<Utc>) -> Timestamp {
        const SECOND: u32 = 1_000_000_000;
        let whole = t.nanosecond() / SECOND * SECOND;
        Timestamp(t.with_nanosecond(whole).unwrap_or(t))
    }

    /// The day, as `2026-11-25` (UTC).
    pub(crate) fn date(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// `self + d`, refused when it would fall outside the years 0000–9999,
    /// the only ones the text form (and so the database) can hold.
    pub(crate) fn plus(self, d: Duration) -> Result<Timestamp> {
        self.0
            .checked_add_signed(d)
            .map(Timestamp::second_of)
            .filter(Timestamp::is_writable)
            .ok_or_else(|| out_of_range(self, "after"))
    }

    /// `self - d`, refused like [`Timestamp::plus`].
    pub(crate) fn minus(self, d: Duration) -> Result<Timestamp> {
        self.0
            .checked_sub_signed(d)
            .map(Timestamp::second_of)
            .filter(Timestamp::is_writable)
            .ok_or_else(|| out_of_range(self, "before"))
    }

    /// How long after `earlier` this is; negative when it is before.
    pub(crate) fn since(self, earlier: Timestamp) -> Duration {
        self.0 - earlier.0
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
    fn a_fraction_of_a_second_is_read_as_the_second_it_falls_in() {
        // What the database holds of a time is its second: read so, a
        // time equals what it is stored as, whichever way it came in.
        let stored: Timestamp = "2027-01-01T00:00:00Z".parse().expect("a time");
        for text in [
            "2027-01-01T00:00:00.5Z",
            "2027-01-01T00:00:00.999999999Z",
            "2027-01-01T00:00:00.123456789123Z",
            "2027-01-01T01:00:00.25+01:00",
        ] {
            let read: Timestamp = text.parse().expect("a time");
            assert_eq!(read, stored, "{text}");
            assert_eq!(read.to_string().parse::<Timestamp>().ok(), Some(read));
        }
        let clock = DateTime::from_timestamp(1_798_761_600, 700_000_000).expect("in range");
        assert_eq!(Timestamp::from(clock), stored);
        let later = stored
            .plus(Duration::milliseconds(1_500))
            .expect("in range");
        assert_eq!(later.to_string(), "2027-01-01T00:00:01Z");
        assert_eq!(
            later.minus(Duration::milliseconds(200)).expect("in range"),
            stored
        );
    }

    /// Second 60 would be one instant under two spellings: refused at
    /// parsing (exit 2), fraction or none, whatever the offset.
    #[test]
    fn a_leap_second_is_refused() {
        for text in [
            "2016-12-31T23:59:60Z", "2016-12-31T23:59:60.5Z", "2026-12-01T00:00:60Z",
            "2026-12-01T01:00:60+01:00",
        ] {
            let e = text.parse::<Timestamp>().expect_err(text);
            assert_eq!(e.exit_code(), 2, "{text}");
            assert!(e.to_string().contains("second 60"), "{e}");
        }
    }

    #[test]
    fn a_bad_time_says_how_to_write_one() {
        let e = "yesterday".parse::<Timestamp>().expect_err("not a time");
        assert_eq!(e.to_string(), "`yesterday` is not an RFC 3339 time");
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }

    proptest::proptest! {
        /// The digit-by-digit text form and reading agree with chrono's
        /// for every second of the years the text form holds.
        #[test]
        fn the_text_form_is_chronos(
            secs in -62_167_219_200i64..253_402_300_800i64,
            nanos in 0u32..1_000_000_000,
        ) {
            // Fractions of a second are left out of the text, as chrono
            // leaves them.
            let fraction = DateTime::from_timestamp(secs, nanos).expect("in range");
            proptest::prop_assert_eq!(
                Timestamp(fraction).to_string(),
                fraction.to_rfc3339_opts(SecondsFormat::Secs, true)
            );
            let t = DateTime::from_timestamp(secs, 0).expect("in range");
            let text = t.to_rfc3339_opts(SecondsFormat::Secs, true);
            proptest::prop_assert_eq!(Timestamp(t).to_string(), text.clone());
            proptest::prop_assert_eq!(text.parse::<Timestamp>().expect("a time"), Timestamp(t));
            proptest::prop_assert!(canonical(&text).is_some());
        }
    }

    #[test]
    fn other_forms_and_impossible_dates_are_left_to_chrono() {
        for (text, read) in [
            ("2026-11-25T10:30:00+01:00", Some("2026-11-25T09:30:00Z")),
            ("2026-11-25t09:30:00z", Some("2026-11-25T09:30:00Z")),
            (" 2026-11-25T09:30:00Z", Some("2026-11-25T09:30:00Z")),
            // A leap second is refused (see `a_leap_second_is_refused`).
            ("2016-12-31T23:59:60Z", None),
            ("2026-02-30T09:30:00Z", None),
            ("2026-11-25T24:00:00Z", None),
            ("2026-1a-25T09:30:00Z", None),
            ("+026-11-25T09:30:00Z", None),
        ] {
            assert_eq!(
                text.parse::<Timestamp>()
                    .ok()
                    .map(|t| t.to_string())
                    .as_deref(),
                read,
                "{text}"
            );
        }
        assert!(canonical("2026-11-25T10:30:00+01:00").is_none());
        assert!(canonical("2016-12-31T23:59:60Z").is_none());
        // A second 60 an older version stored reads as the next minute's
        // first, the instant it always compared as.
        assert_eq!(
            Timestamp::stored("2026-12-01T00:00:60Z")
                .map(|t| t.to_string())
                .ok(),
            Some("2026-12-01T00:01:00Z".to_string())
        );
        assert!(Timestamp::stored("2026-12-01T00:00:61Z").is_err());
    }
}

#[cfg(test)]
mod duration_tests {
    use super::*;

    #[test]
    fn a_duration_is_in_units_of_fixed_length() {
        assert_eq!(parse_duration("7d").expect("7d"), Duration::days(7));
        assert_eq!(
            parse_duration(" 1w 2h ").expect("1w 2h"),
            Duration::hours(170)
        );
        for unfixed in ["1y", "2years", "1M", "3 months", "1y 2d"] {
            let err = parse_duration(unfixed).expect_err(unfixed);
            assert_eq!(err.exit_code(), 2, "{err}");
            assert!(err.to_string().contains("no fixed length"), "{err}");
        }
        assert!(parse_duration("soon").is_err());
        // `m` is minutes, not months.
        assert_eq!(parse_duration("30m").expect("30m"), Duration::minutes(30));
    }
}
