//! Rendering: tables for people, one JSON document for scripts. The only
//! writer to stdout; notes and errors go to stderr. Each view says how it
//! fills a table by implementing [`Row`], [`Fields`] or [`Sections`] beside
//! its struct in `crate::view`.
//!
//! Everything printed for people passes through [`escape`] here, once:
//! table cells, notes, warnings and errors (completion scripts, made from
//! the command definition alone, are printed as they are). Stored text is checked on the
//! way in ([`crate::model::Text`]), but a database written by an older
//! binary or by hand, or an argument that failed to parse, may still hold
//! an escape sequence, a newline or a bidirectional override; printed raw,
//! it could colour, clear or retitle the terminal, or forge an `error:`
//! line. A cell is therefore always one line: a view with several values
//! for one field gives one row per value, not a newline.

use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{escape, unsafe_to_print};

/// A view that prints as one row of a list.
pub(crate) trait Row {
    /// Column headers.
    fn headers() -> &'static [&'static str];
    /// This item's cells.
    fn cells(&self) -> Vec<String>;
}

/// A view that prints as a two-column table of fields.
pub(crate) trait Fields {
    /// Field names and values, in print order.
    fn fields(&self) -> Vec<(&'static str, String)>;
}

/// A view that prints as titled sections of fields (`account show`).
pub(crate) trait Sections {
    /// Section titles, each with its field names and values in print order.
    fn sections(&self) -> Vec<(&'static str, Vec<(String, String)>)>;
}

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    /// One JSON document instead of tables.
    pub json: bool,
    /// Nothing on stdout (`--quiet`): the exit code is the answer.
    pub quiet: bool,
    /// Print notes for people ("invited ann@acme.test") on stderr.
    pub notes: bool,
}

impl Output {
    /// Prints a list: a table, or a JSON array (`[]` when empty). An empty
    /// table prints nothing on stdout and says `no {what}` on a terminal's
    /// stderr, `what` naming the list (`orders match`).
    pub(crate) fn list<T: Serialize + Row>(&self, items: &[T], what: &str) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        if self.json {
            return self.print_json(&items);
        }
        let mut table = new_table();
        table.set_header(T::headers().to_vec());
        for item in items {
            table.add_row(item.cells().iter().map(|cell| escape(cell)));
        }
        if items.is_empty() {
            self.note(&format!("no {what}"));
            return Ok(());
        }
        write_table(&mut table)
    }

    /// Prints one object: a field table, or a JSON object.
    pub(crate) fn item<T: Serialize + Fields>(&self, item: &T) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        if self.json {
            return self.print_json(item);
        }
        let mut table = new_table();
        for (name, value) in item.fields() {
            table.add_row(vec![escape(name), escape(&value)]);
        }
        write_table(&mut table)
    }

    /// Prints one object in sections: a title line, then its fields
    /// indented and aligned; or a JSON object.
    pub(crate) fn sections<T: Serialize + Sections>(&self, item: &T) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        if self.json {
            return self.print_json(item);
        }
        let sections: Vec<(&str, Vec<(String, String)>)> = item
            .sections()
            .into_iter()
            .map(|(title, fields)| {
                let fields = fields
                    .iter()
                    .map(|(name, value)| (escape(name).into_owned(), escape(value).into_owned()))
                    .collect();
                (title, fields)
            })
            .collect();
        let width = sections
            .iter()
            .flat_map(|(_, fields)| fields.iter().map(|(name, _)| name.chars().count()))
            .max()
            .unwrap_or(0);
        let mut text = String::new();
        for (title, fields) in sections {
            text.push_str(title);
            text.push('\n');
            if fields.is_empty() {
                text.push_str("  -\n");
            }
            for (name, value) in fields {
                let line = format!("  {name:<width$}  {value}");
                text.push_str(line.trim_end());
                text.push('\n');
            }
        }
        write_stdout(&text)
    }

    /// Prints each item as one compact JSON document on its own line
    /// (NDJSON), for log systems; nothing for no items.
    pub(crate) fn ndjson<T: Serialize>(&self, items: &[T]) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        let mut text = String::new();
        for item in items {
            let line = serde_json::to_string(item).map_err(|e| {
                Error::Internal(anyhow::Error::new(e).context("cannot render JSON"))
            })?;
            text.push_str(&escape_json(&line));
            text.push('\n');
        }
        write_stdout(&text)
    }

    /// Prints CSV (RFC 4180): the header, then one record per row, each
    /// field quoted where it holds a comma, a quote or a line break.
    pub(crate) fn csv(&self, headers: &[&str], rows: &[Vec<String>]) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        write_stdout(&csv_text(headers, rows)?)
    }

    /// Prints text as it is (completion scripts).
    pub(crate) fn raw(&self, text: &str) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        write_stdout(text)
    }

    /// A line for people on stderr, such as "invited ann@acme.test"; only
    /// when stderr is a terminal and not under `--json`, so scripts see
    /// nothing but the result.
    #[allow(clippy::print_stderr)]
    pub(crate) fn note(&self, message: &str) {
        if self.notes {
            eprintln!("{}", escape(message));
        }
    }

    /// A `warning: ...` line on stderr, always: something succeeded but
    /// needs the user's attention.
    #[allow(clippy::print_stderr)]
    pub(crate) fn warn(&self, message: &str) {
        eprintln!("warning: {}", escape(message));
    }

    fn print_json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::Internal(anyhow::Error::new(e).context("cannot render JSON")))?;
        write_stdout(&format!("{}\n", escape_json(&text)))
    }
}

/// `headers` and `rows` as CSV (RFC 4180, CRLF line ends).
fn csv_text(headers: &[&str], rows: &[Vec<String>]) -> Result<String> {
    let failed = |e: csv::Error| Error::Internal(anyhow::Error::new(e).context("cannot write CSV"));
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(headers).map_err(failed)?;
    for row in rows {
        writer.write_record(row).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("cannot write CSV: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("CSV is not UTF-8")))
}

/// Rendered JSON with the characters [`unsafe_to_print`] that serde leaves
/// raw (DEL, C1 controls, bidirectional formatting, U+2028/U+2029) written
/// as `\uXXXX` escapes. serde already escapes the C0 controls inside
/// strings (the newlines and spaces left are the layout's), and outside
/// strings JSON is ASCII, so every character replaced is inside a string,
/// where the escape means the same character: a program reads the same
/// document, and a person who runs `--json` at a terminal sees nothing act
/// on it.
fn escape_json(text: &str) -> std::borrow::Cow<'_, str> {
    let raw = |c: char| c > '\u{1f}' && unsafe_to_print(c);
    // The common case, checked byte by byte: ASCII below DEL has nothing
    // to replace (the C0 controls are serde's).
    if text.bytes().all(|b| b < 0x7f) || !text.chars().any(raw) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if raw(c) {
            // All of them are in the Basic Multilingual Plane: one escape.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Prints an error as `error: ...` and an optional `help: ...` on stderr,
/// each one line whatever the message echoes (see [`escape`]); with
/// `--json`, as one JSON object `{"error": {"code", "kind", "message",
/// "help"}}` instead.
#[allow(clippy::print_stderr)]
pub fn print_error(e: &Error, json: bool) {
    let message = match e {
        Error::Internal(inner) => format!("{inner:#}"),
        other => other.to_string(),
    };
    if json {
        // One JSON object, so a script reads the kind and code without
        // parsing prose; escaped as the text is, since serde leaves
        // bidirectional controls as they are.
        let error = serde_json::json!({"error": {
            "code": e.exit_code(),
            "kind": e.kind(),
            "message": escape(&message),
            "help": e.help_text().map(escape),
        }});
        eprintln!("{error}");
        return;
    }
    eprintln!("error: {}", escape(&message));
    if let Some(help) = e.help_text() {
        eprintln!("help: {}", escape(help));
    }
}

/// Writes a table as plain aligned columns, two spaces apart.
fn write_table(table: &mut Table) -> Result<()> {
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    let text: String = table
        .lines()
        .map(|line| format!("{}\n", line.trim_end()))
        .collect();
    write_stdout(&text)
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::Internal(e.into()))
}

/// True for the error a closed pipe gives (`portalctl user list | head`).
pub fn is_broken_pipe(e: &Error) -> bool {
    match e {
        Error::Internal(inner) => inner
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe),
        _ => false,
    }
}

fn new_table() -> Table {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    // Wrap to the terminal's width only when it has one: a pseudo-terminal
    // nobody sized (a CI job's, `script`'s) reports 0 columns, and
    // wrapping to that would print every cell one character a line.
    let sized = table.width().is_some_and(|w| w >= MIN_TABLE_WIDTH);
    table.set_content_arrangement(if sized {
        ContentArrangement::Dynamic
    } else {
        ContentArrangement::Disabled
    });
    table
}

/// The narrowest terminal a table is wrapped to.
const MIN_TABLE_WIDTH: u16 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_holds_commas_quotes_or_line_breaks() {
        let rows = [vec![
            r#"{"x":"1, 2"}"#.to_string(),
            "two\nlines".to_string(),
            "plain".to_string(),
        ]];
        let text = csv_text(&["a", "b", "c"], &rows).expect("csv");
        assert_eq!(
            text,
            "a,b,c\r\n\"{\"\"x\"\":\"\"1, 2\"\"}\",\"two\nlines\",plain\r\n"
        );
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw_and_means_the_same() {
        let value = serde_json::json!({ "a": "x\u{1b}\u{7f}\u{9b}\u{202e}\u{2066}\u{2028}y" });
        let text = serde_json::to_string_pretty(&value).expect("json");
        let escaped = escape_json(&text);
        assert!(
            !escaped.chars().any(|c| c != '\n' && unsafe_to_print(c)),
            "{escaped}"
        );
        assert!(
            escaped.contains("\\u001b\\u007f\\u009b\\u202e\\u2066\\u2028y"),
            "{escaped}"
        );
        let back: serde_json::Value = serde_json::from_str(&escaped).expect("still JSON");
        assert_eq!(back, value);
    }
}
