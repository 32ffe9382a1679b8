//! How the table files read and write column values: times as RFC 3339
//! text, JSON documents and keywords.

use crate::model::Timestamp;

/// Column helpers shared by the table files: times are RFC 3339 text.
pub(super) fn time_col(row: &rusqlite::Row<'_>, col: &str) -> rusqlite::Result<Timestamp> {
    let text: String = row.get(col)?;
    parse_stored_time(col, &text)
}

pub(super) fn opt_time_col(
    row: &rusqlite::Row<'_>,
    col: &str,
) -> rusqlite::Result<Option<Timestamp>> {
    let text: Option<String> = row.get(col)?;
    text.map(|t| parse_stored_time(col, &t)).transpose()
}

pub(super) fn parse_stored_time(col: &str, text: &str) -> rusqlite::Result<Timestamp> {
    crate::model::parse_time(text).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("column `{col}` holds `{text}`, not an RFC 3339 time").into(),
        )
    })
}

/// A JSON text column read into a value.
pub(super) fn json_col<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    col: &str,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(col)?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

pub(super) fn keyword_col<T: std::str::FromStr>(
    row: &rusqlite::Row<'_>,
    col: &str,
) -> rusqlite::Result<T> {
    let text: String = row.get(col)?;
    text.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("column `{col}` holds unknown value `{text}`").into(),
        )
    })
}

pub(super) fn fmt_time(t: Timestamp) -> String {
    crate::model::format_time(t)
}

pub(super) fn fmt_opt_time(t: Option<Timestamp>) -> Option<String> {
    t.map(crate::model::format_time)
}
