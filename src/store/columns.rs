//! How the table files read and write column values: times as RFC 3339
//! text, JSON documents and keywords.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::model::Timestamp;

/// Times are stored in their one text form; existing databases keep it.
impl ToSql for Timestamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

/// A stored text that is not a time is an error naming that text.
impl FromSql for Timestamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Timestamp::stored(text)
            .map_err(|_| FromSqlError::Other(format!("`{text}` is not an RFC 3339 time").into()))
    }
}

/// Column `i` of `row`, which tests (debug builds) check is named `name`:
/// the mappers of rows a list reads many of find their columns by
/// position, since finding one by name compares it with every column of
/// the row, for every row.
pub(super) fn at(row: &rusqlite::Row<'_>, i: usize, name: &str) -> usize {
    debug_assert_eq!(row.as_ref().column_name(i).ok(), Some(name));
    i
}

/// A JSON text column read into a value.
pub(super) fn json_col<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    col: impl rusqlite::RowIndex,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(col)?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

/// A keyword column (a status, a kind) parsed into its type; `col` is its
/// name or, where a list reads many rows, its position.
pub(super) fn keyword_col<T: std::str::FromStr>(
    row: &rusqlite::Row<'_>,
    col: impl rusqlite::RowIndex,
) -> rusqlite::Result<T> {
    let i = col.idx(row.as_ref())?;
    // Borrowed: a keyword is parsed, never kept as the row's text.
    let text = row.get_ref(i)?.as_str()?;
    keyword(text, row.as_ref().column_name(i).unwrap_or("?"))
}

/// A stored keyword, such as an invitation's state, read from column `col`.
pub(super) fn keyword<T: std::str::FromStr>(text: &str, col: &str) -> rusqlite::Result<T> {
    text.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("column `{col}` holds unknown value `{text}`").into(),
        )
    })
}

/// ` LIMIT n` where a list is limited, else nothing. Never a bound
/// `LIMIT -1` for none: with a LIMIT, SQLite keeps the ordered rows in a
/// b-tree of the first N instead of sorting them, which takes two and a
/// half times as long for a whole list.
pub(super) fn limit(limit: Option<u32>) -> String {
    limit.map_or(String::new(), |n| format!(" LIMIT {n}"))
}

/// A list of columns (`"id, name"`) with each named through `alias`
/// (`"o.id, o.name"`), for a join whose tables share column names.
///
/// Built once for the process and kept: the statements that ask for it
/// run once per entry of a file of many (an apply reads the pending
/// orders naming each user it enrols), where building the list again
/// each time cost more than running the statement. Its callers name a
/// handful of fixed lists, so what is kept is a handful of strings.
pub(super) fn qualified(columns: &'static str, alias: &'static str) -> &'static str {
    type Built = Vec<(&'static str, &'static str, &'static str)>;
    static BUILT: std::sync::Mutex<Built> = std::sync::Mutex::new(Vec::new());
    // A panic elsewhere while the list was held left it whole: every
    // entry is pushed complete.
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(&(_, _, list)) = built.iter().find(|(c, a, _)| *c == columns && *a == alias) {
        return list;
    }
    let list: &'static str = columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
        .leak();
    built.push((columns, alias, list));
    list
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use crate::model::Timestamp;

    /// A qualified list is built once and handed out again, so that a
    /// statement run per entry of a long file does not build it anew.
    #[test]
    fn a_qualified_column_list_is_built_once() {
        let first = super::qualified("id, name", "o");
        assert_eq!(first, "o.id, o.name");
        assert!(std::ptr::eq(first, super::qualified("id, name", "o")));
        assert_eq!(super::qualified("id, name", "a"), "a.id, a.name");
    }

    #[test]
    fn times_are_bound_and_read_as_their_text() {
        let conn = Connection::open_in_memory().expect("in-memory db");
        let t: Timestamp = "2026-11-25T10:30:00+01:00".parse().expect("a time");
        let (text, back): (String, Timestamp) = conn
            .query_row("SELECT ?1 AS a, ?1 AS b", [t], |r| {
                Ok((r.get("a")?, r.get("b")?))
            })
            .expect("a row");
        assert_eq!(text, "2026-11-25T09:30:00Z");
        assert_eq!(back, t);
    }

    #[test]
    fn a_stored_text_that_is_not_a_time_is_named() {
        let conn = Connection::open_in_memory().expect("in-memory db");
        let e = conn
            .query_row("SELECT 'soon' AS created_at", [], |r| {
                r.get::<_, Timestamp>("created_at")
            })
            .expect_err("not a time");
        assert!(
            e.to_string().contains("`soon` is not an RFC 3339 time"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_keyword_names_its_column_however_it_is_found() {
        let conn = Connection::open_in_memory().expect("in-memory db");
        for by_position in [false, true] {
            let e = conn
                .query_row("SELECT 'gone' AS status", [], |r| {
                    if by_position {
                        super::keyword_col::<crate::model::MemberStatus>(r, 0)
                    } else {
                        super::keyword_col::<crate::model::MemberStatus>(r, "status")
                    }
                })
                .expect_err("not a status");
            assert!(
                e.to_string()
                    .contains("column `status` holds unknown value `gone`"),
                "{e}"
            );
        }
    }
}
