//! Timestamps and their one text form, shared by the database and output.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::{Error, Result};

/// A point in time; always UTC inside portalctl.
pub(crate) type Timestamp = DateTime<Utc>;

/// The one text form of a timestamp, in the database and in output.
pub(crate) fn format_time(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Reads an RFC 3339 timestamp (any offset) as UTC.
pub(crate) fn parse_time(s: &str) -> Result<Timestamp> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::invalid(format!("`{s}` is not an RFC 3339 time"))
                .help("write it like 2026-11-25T09:30:00Z")
        })
}

/// Serialises a timestamp in the one text form.
pub(crate) fn ser_time<S: serde::Serializer>(
    t: &Timestamp,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(*t))
}

/// Serialises an optional timestamp in the one text form.
pub(crate) fn ser_opt_time<S: serde::Serializer>(
    t: &Option<Timestamp>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&format_time(*t)),
        None => s.serialize_none(),
    }
}
