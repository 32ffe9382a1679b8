//! Rendering: tables for people, one JSON document for scripts. The only
//! writer to stdout; notes and errors go to stderr. Each view says how it
//! fills a table by implementing [`Row`], [`Fields`] or [`Sections`] beside
//! its struct in `crate::view`.

use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;

use crate::error::{Error, Result};
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
    /// Prints a list: a table, or a JSON array.
    pub(crate) fn list<T: Serialize + Row>(&self, items: &[T]) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        if self.json {
            return self.print_json(&items);
        }
        let mut table = new_table();
        table.set_header(T::headers().to_vec());
        for item in items {
            table.add_row(item.cells());
        }
        if items.is_empty() {
            self.note("nothing to list");
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
            table.add_row(vec![name.to_string(), value]);
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
        let sections = item.sections();
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
            eprintln!("{message}");
        }
    }

    /// A `warning: ...` line on stderr, always: something succeeded but
    /// needs the user's attention.
    #[allow(clippy::print_stderr)]
    pub(crate) fn warn(&self, message: &str) {
        eprintln!("warning: {message}");
    }

    fn print_json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::Internal(anyhow::Error::new(e).context("cannot render JSON")))?;
        write_stdout(&format!("{text}\n"))
    }
}

/// Prints an error as `error: ...` and an optional `help: ...` on stderr.
#[allow(clippy::print_stderr)]
pub fn print_error(e: &Error) {
    match e {
        Error::Internal(inner) => eprintln!("error: {inner:#}"),
        other => eprintln!("error: {other}"),
    }
    if let Some(help) = e.help_text() {
        eprintln!("help: {help}");
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
    table
        .load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic);
    table
}
