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

use std::cell::RefCell;
use std::io::{self, Write};

use comfy_table::{presets, ColumnConstraint, ContentArrangement, Table, Width};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::error::{Error, Result};
use crate::model::{escape, quote, reveal, unsafe_to_print};

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
    /// table prints its header line alone on stdout, so that a script
    /// finds the columns it reads and a person sees the list ran and
    /// found nothing, and says `no {what}` on a terminal's stderr, `what`
    /// naming the list (`orders match`).
    pub(crate) fn list<T: Serialize + Row>(&self, items: &[T], what: &str) -> Result<()> {
        let mut list = self.stream(what);
        list.page(items)?;
        list.finish()
    }

    /// A list printed page by page as it is read, the same as [`Output::list`]
    /// of all its pages: [`ListWriter::page`] each, then
    /// [`ListWriter::finish`].
    pub(crate) fn stream<T: Serialize + Row>(&self, what: &str) -> ListWriter<T> {
        let table = if self.quiet || self.json {
            None
        } else {
            let table = new_table();
            // On a terminal the table is fitted to its width, which needs
            // every row; elsewhere it streams, its columns as wide as the
            // first rows need (see `Columns::Streamed`).
            Some(match table.content_arrangement() {
                ContentArrangement::Disabled => Columns::Streamed {
                    widths: None,
                    held: Vec::new(),
                },
                _ => Columns::Fitted(table),
            })
        };
        ListWriter {
            output: *self,
            what: what.to_string(),
            out: io::BufWriter::with_capacity(64 * 1024, io::stdout().lock()),
            rows: 0,
            table,
            line: String::new(),
            _items: std::marker::PhantomData,
        }
    }

    /// Prints one object: a field table, or a JSON object.
    pub(crate) fn item<T: Serialize + Fields>(&self, item: &T) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        if self.json {
            return self.print_json(item);
        }
        let rows: Vec<Vec<String>> = item
            .fields()
            .into_iter()
            .map(|(name, value)| vec![escape(name).into_owned(), escape(&value).into_owned()])
            .collect();
        let mut table = new_table();
        if matches!(table.content_arrangement(), ContentArrangement::Disabled) {
            // Laid out as comfy-table would lay it out, without building
            // its table: that cost a small command a twentieth of its run.
            let mut text = Vec::new();
            write_lines(
                &mut text,
                &mut String::new(),
                &column_widths(&["", ""], &rows),
                &rows,
            )?;
            return write_stdout(text);
        }
        for row in rows {
            table.add_row(row);
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
            stderr_line(format_args!("{}", escape(&written_out(message))));
        }
    }

    /// A `warning: ...` line on stderr, always: something succeeded but
    /// needs the user's attention. A change's JSON answer carries it too
    /// (see [`Output::change`]).
    #[allow(clippy::print_stderr)]
    pub(crate) fn warn(&self, message: &str) {
        WARNED.with_borrow_mut(|warned| warned.push(message.to_string()));
        stderr_line(format_args!("warning: {}", escape(&written_out(message))));
    }

    /// Prints what a change made, as [`Output::item`] does; under `--json`
    /// the object also carries `warnings`, every warning the command gave
    /// (`[]` for none), so that a script reads them where it reads the
    /// result. The JSON waits for [`Output::finish`]: a write's warnings
    /// are given only once the command is done with the portal.
    pub(crate) fn change<T: Serialize + Fields + Clone + 'static>(&self, item: &T) -> Result<()> {
        if self.quiet || !self.json {
            return self.item(item);
        }
        let (out, item) = (*self, item.clone());
        let print: HeldAnswer = Box::new(move |warnings| {
            out.print_json(&Answer {
                item: &item,
                warnings,
            })
        });
        HELD.with_borrow_mut(|held| *held = Some(print));
        Ok(())
    }

    /// Ends the command: prints the change answer [`Output::change`] held,
    /// with the warnings given since, when the command succeeded (`done`).
    pub(crate) fn finish(&self, done: Result<()>) -> Result<()> {
        let held = HELD.with_borrow_mut(Option::take);
        let warnings = WARNED.with_borrow_mut(std::mem::take);
        done?;
        match held {
            Some(print) => print(&warnings),
            None => Ok(()),
        }
    }

    fn print_json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        // Rendered whole before any of it is printed: a value that fails
        // to render prints nothing.
        let mut text = Vec::new();
        write_json(&mut text, value, 0)?;
        text.push(b'\n');
        write_stdout(text)
    }
}

/// A change's JSON answer, printed given the warnings (see
/// [`Output::change`]).
type HeldAnswer = Box<dyn FnOnce(&[String]) -> Result<()>>;

thread_local! {
    /// The warnings the command gave so far, for its change answer.
    static WARNED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// The change answer waiting for [`Output::finish`].
    static HELD: RefCell<Option<HeldAnswer>> = const { RefCell::new(None) };
}

/// A change's object with the command's warnings after its own fields.
#[derive(Serialize)]
struct Answer<'a, T> {
    #[serde(flatten)]
    item: &'a T,
    warnings: &'a [String],
}

/// Rows a streamed table holds back to size its columns: a list of up to
/// this many rows is aligned whole, whatever its pages (a list across
/// accounts comes a page per account, the first often the narrowest),
/// and a longer one streams once its first rows are printed.
const ROWS_SIZED: usize = 10_000;

/// How a streamed table lays out its columns.
enum Columns {
    /// Plain columns, two spaces apart, each as wide as its widest cell
    /// among the first [`ROWS_SIZED`] rows, which are `held` until then
    /// (`widths` is `None` until they are printed); past them, a wider
    /// cell pushes the rest of its line right.
    Streamed {
        widths: Option<Vec<usize>>,
        held: Vec<Vec<String>>,
    },
    /// Every row, fitted to the terminal's width at the end.
    Fitted(Table),
}

/// A list being printed: see [`Output::stream`].
pub(crate) struct ListWriter<T> {
    output: Output,
    what: String,
    out: io::BufWriter<io::StdoutLock<'static>>,
    rows: usize,
    /// `None` for JSON or `--quiet`.
    table: Option<Columns>,
    /// A table line, reused.
    line: String,
    _items: std::marker::PhantomData<fn(&T)>,
}

impl<T: Serialize + Row> ListWriter<T> {
    /// Prints the next items of the list.
    pub(crate) fn page(&mut self, items: &[T]) -> Result<()> {
        if self.output.quiet || items.is_empty() {
            return Ok(());
        }
        let written = match &mut self.table {
            None => json_items(&mut self.out, items, self.rows > 0),
            Some(Columns::Fitted(table)) => {
                if self.rows == 0 {
                    table.set_header(T::headers().to_vec());
                }
                for item in items {
                    table.add_row(item.cells().iter().map(|cell| escape(cell)));
                }
                Ok(())
            }
            Some(Columns::Streamed { widths, held }) => {
                let cells = items.iter().map(|item| {
                    item.cells()
                        .into_iter()
                        .map(|c| match escape(&c) {
                            std::borrow::Cow::Borrowed(_) => c,
                            std::borrow::Cow::Owned(e) => e,
                        })
                        .collect()
                });
                match widths {
                    Some(widths) => {
                        let lines: Vec<Vec<String>> = cells.collect();
                        write_lines(&mut self.out, &mut self.line, widths, &lines)
                    }
                    None => {
                        held.extend(cells);
                        if held.len() < ROWS_SIZED {
                            Ok(())
                        } else {
                            release::<T>(&mut self.out, &mut self.line, widths, held)
                        }
                    }
                }
            }
        };
        self.rows += items.len();
        written
    }

    /// Ends the list: closes the JSON array, prints a fitted table, or
    /// prints an empty table's header and says `no {what}`.
    pub(crate) fn finish(mut self) -> Result<()> {
        if self.output.quiet {
            return Ok(());
        }
        let failed = |e: io::Error| Error::Internal(e.into());
        match &mut self.table {
            None => {
                let end: &[u8] = if self.rows == 0 { b"[]\n" } else { b"\n]\n" };
                self.out.write_all(end).map_err(failed)?;
            }
            Some(_) if self.rows == 0 => {
                release::<T>(&mut self.out, &mut self.line, &mut None, &mut Vec::new())?;
                self.output.note(&format!("no {}", self.what));
            }
            Some(Columns::Fitted(table)) => {
                plain_columns(table);
                for line in table.lines() {
                    self.out
                        .write_all(line.trim_end().as_bytes())
                        .map_err(failed)?;
                    self.out.write_all(b"\n").map_err(failed)?;
                }
            }
            Some(Columns::Streamed { widths, held }) => {
                if widths.is_none() {
                    release::<T>(&mut self.out, &mut self.line, widths, held)?;
                }
            }
        }
        self.out.flush().map_err(failed)
    }
}

/// Prints a streamed table's header and `held` rows, in columns sized to
/// them, which later rows keep.
fn release<T: Row>(
    out: &mut impl Write,
    line: &mut String,
    widths: &mut Option<Vec<usize>>,
    held: &mut Vec<Vec<String>>,
) -> Result<()> {
    let sized = widths.insert(column_widths(T::headers(), held));
    let header: Vec<String> = T::headers().iter().map(|h| h.to_string()).collect();
    write_lines(out, line, sized, std::slice::from_ref(&header))?;
    write_lines(out, line, sized, held)?;
    *held = Vec::new();
    Ok(())
}

/// Writes `items` as elements of one pretty-printed JSON array, opening it
/// unless `more` (a later page): what `serde_json::to_string_pretty` of
/// the whole list gives, an item at a time, but for the `\n]` that
/// [`ListWriter::finish`] closes it with.
fn json_items<T: Serialize>(out: &mut impl Write, items: &[T], more: bool) -> Result<()> {
    for (i, item) in items.iter().enumerate() {
        let start: &[u8] = if more || i > 0 { b",\n  " } else { b"[\n  " };
        out.write_all(start)
            .map_err(|e| Error::Internal(e.into()))?;
        write_json(out, item, 1)?;
    }
    Ok(())
}

/// The display width of each column: its widest cell or header.
fn column_widths(headers: &[&str], rows: &[Vec<String>]) -> Vec<usize> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    widths
}

/// Writes `lines` as columns of `widths`, two spaces apart, each line
/// without trailing spaces: as comfy-table lays out a table without
/// borders.
fn write_lines(
    out: &mut impl Write,
    line: &mut String,
    widths: &[usize],
    lines: &[Vec<String>],
) -> Result<()> {
    for cells in lines {
        line.clear();
        for (i, cell) in cells.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < cells.len() {
                let width = widths.get(i).copied().unwrap_or(0);
                let pad = width.saturating_sub(cell.width()) + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let trimmed = line.trim_end();
        out.write_all(trimmed.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|e| Error::Internal(e.into()))?;
    }
    Ok(())
}

/// A CSV cell a spreadsheet would run as a formula (an account named
/// `=HYPERLINK(...)`, an email starting with `+` or `@`) with a `'` in
/// front, as spreadsheets themselves mark text; any other cell as it is.
/// A log system reading the file sees the leading `'` on those cells only.
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if cell.len() > 1 => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// `headers` and `rows` as CSV (RFC 4180, CRLF line ends), each cell
/// [`inert`].
fn csv_text(headers: &[&str], rows: &[Vec<String>]) -> Result<String> {
    let failed = |e: csv::Error| Error::Internal(anyhow::Error::new(e).context("cannot write CSV"));
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(headers).map_err(failed)?;
    for row in rows {
        for cell in row {
            writer.write_field(inert(cell).as_bytes()).map_err(failed)?;
        }
        writer.write_record(None::<&[u8]>).map_err(failed)?;
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

/// Writes `value` as pretty JSON, `depth` levels in (1 for an element of
/// a list): see [`JsonFormatter`].
fn write_json<T: Serialize + ?Sized>(out: &mut impl Write, value: &T, depth: usize) -> Result<()> {
    let formatter = JsonFormatter {
        depth,
        has_value: false,
    };
    value
        .serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
        .map_err(|e| {
            if e.is_io() {
                // As it is, so a closed pipe is still told apart
                // ([`is_broken_pipe`]).
                Error::Internal(io::Error::from(e).into())
            } else {
                Error::Internal(anyhow::Error::new(e).context("cannot render JSON"))
            }
        })
}

/// `serde_json::to_string_pretty`'s layout (two spaces a level, `"key":
/// value`, `[]` and `{}` when empty) starting `depth` levels in, with the
/// characters [`escape_json`] replaces written as the same `\uXXXX`
/// escapes. A list of 100,000 rows is so written once, straight into the
/// output, rather than rendered, checked as UTF-8, escaped and re-indented
/// item by item.
struct JsonFormatter {
    /// Levels in: the indent of the next line.
    depth: usize,
    /// Whether the array or object being written has an element yet, so
    /// that its end goes on a line of its own.
    has_value: bool,
}

impl JsonFormatter {
    fn indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        // One write for the usual depths: every key of every row starts
        // a line.
        const SPACES: &[u8; 16] = b"                ";
        let mut left = 2 * self.depth;
        while left > 0 {
            let now = left.min(SPACES.len());
            writer.write_all(&SPACES[..now])?;
            left -= now;
        }
        Ok(())
    }

    fn begin<W: ?Sized + Write>(&mut self, writer: &mut W, open: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(open)
    }

    fn end<W: ?Sized + Write>(&mut self, writer: &mut W, close: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(close)
    }

    fn begin_element<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }
}

impl serde_json::ser::Formatter for JsonFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.begin(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_element(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.begin(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_element(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    /// A run of a string (a key or a value) between the characters serde
    /// escapes itself: the C0 controls, quotes and backslashes.
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // The common case, checked byte by byte: ASCII below DEL has
        // nothing to replace.
        if fragment.bytes().all(|b| b < 0x7f) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| unsafe_to_print(c)) {
            let (clean, tail) = rest.split_at(at);
            writer.write_all(clean.as_bytes())?;
            // All of them are in the Basic Multilingual Plane: one escape.
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &tail[c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
}

/// Prints an error as `error: ...` and an optional `help: ...` on stderr,
/// each one line whatever the message echoes (see [`escape`]); with
/// `--json`, as one JSON object `{"error": {"code", "kind", "message",
/// "help"}}` instead.
#[allow(clippy::print_stderr)]
pub fn print_error(e: &Error, json: bool) {
    let message = match e {
        Error::Internal(inner) => format!("{inner:#}"),
        other => written_out(&other.to_string()).into_owned(),
    };
    let help = e.help_text().map(|help| written_out(help).into_owned());
    if json {
        // One JSON object, so a script reads the kind and code without
        // parsing prose; escaped as the text is, since serde leaves
        // bidirectional controls as they are.
        let error = serde_json::json!({"error": {
            "code": e.exit_code(),
            "kind": e.kind(),
            "message": escape(&message),
            "help": help.as_deref().map(escape),
        }});
        stderr_line(format_args!("{error}"));
        return;
    }
    stderr_line(format_args!("error: {}", escape(&message)));
    if let Some(help) = help {
        stderr_line(format_args!("help: {}", escape(&help)));
    }
}

/// The values holding a backquote that messages may quote: stored texts
/// an older version let in, and arguments typed. See [`write_out`].
static BACKQUOTED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Has every message printed from now on (errors, help lines, warnings,
/// notes) write each of `values` that holds a backquote as [`reveal`]
/// does (`Old\u{60}One`). Messages put names between backquotes, the
/// commands they give to paste too; hundreds of them quote a name as it
/// is, and a backquote one holds would close those backquotes early, so
/// that the rest read as the tool's own advice (``A`; run `portalctl
/// ...``). New text refuses a backquote; a value that holds one came
/// from an older version's database or was typed, and is written out
/// here, where every message is printed.
pub fn write_out(values: impl IntoIterator<Item = String>) {
    let mut held = BACKQUOTED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    held.extend(values.into_iter().filter(|v| v.contains('`')));
    held.sort();
    held.dedup();
    // Longest first, so a value holding another is written out whole.
    held.sort_by_key(|v| std::cmp::Reverse(v.len()));
}

/// `message` with every value [`write_out`] was given written out,
/// except where a command to paste carries it: there it stands quoted
/// for the shell ([`quote`], the one way every printed command quotes a
/// value), inside single quotes no shell reads a backquote in, and
/// written out it would name no row when pasted (as `status` keeps the
/// rename it prints).
fn written_out(message: &str) -> std::borrow::Cow<'_, str> {
    if !message.contains('`') {
        return std::borrow::Cow::Borrowed(message);
    }
    let held = BACKQUOTED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let present: Vec<&String> = held
        .iter()
        .filter(|v| message.contains(v.as_str()))
        .collect();
    if present.is_empty() {
        return std::borrow::Cow::Borrowed(message);
    }
    let pasted: Vec<String> = present.iter().map(|v| quote(v).into_owned()).collect();
    let reveal_all = |text: &str| -> String {
        let mut out = text.to_string();
        for value in &present {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), &reveal(value));
            }
        }
        out
    };
    let mut out = String::with_capacity(message.len() + 16);
    let mut rest = message;
    // The earliest quoted value, the longest where two start alike.
    while let Some((at, kept)) = pasted
        .iter()
        .filter_map(|q| rest.find(q.as_str()).map(|at| (at, q.as_str())))
        .min_by_key(|(at, q)| (*at, std::cmp::Reverse(q.len())))
    {
        out.push_str(&reveal_all(&rest[..at]));
        out.push_str(kept);
        rest = &rest[at + kept.len()..];
    }
    out.push_str(&reveal_all(rest));
    std::borrow::Cow::Owned(out)
}

/// Writes one line to stderr. A closed stderr (`2>&1 | head -c1`) loses
/// the line, and must not make the command panic, as `eprintln!` would.
fn stderr_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Writes a table as plain aligned columns, two spaces apart.
fn write_table(table: &mut Table) -> Result<()> {
    plain_columns(table);
    let text: String = table
        .lines()
        .map(|line| format!("{}\n", line.trim_end()))
        .collect();
    write_stdout(&text)
}

/// Sets a table's columns two spaces apart, each at least as wide as its
/// longest word: fitted to a terminal, a cell wraps between words, never
/// inside one, since a token, an email or an id cut across two lines is
/// copied as two broken halves (a table too wide runs past the edge).
fn plain_columns(table: &mut Table) {
    const PADDING: u16 = 2;
    let mut longest: Vec<usize> = Vec::new();
    for row in table.row_iter() {
        for (i, cell) in row.cell_iter().enumerate() {
            let word = cell
                .content()
                .split_whitespace()
                .map(UnicodeWidthStr::width)
                .max()
                .unwrap_or(0);
            match longest.get_mut(i) {
                Some(w) => *w = (*w).max(word),
                None => longest.push(word),
            }
        }
    }
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, PADDING));
        let word = longest.get(i).copied().unwrap_or(0);
        let least = u16::try_from(word)
            .unwrap_or(u16::MAX)
            .saturating_add(PADDING);
        column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(least)));
    }
}

fn write_stdout(text: impl AsRef<[u8]>) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_ref())
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

    /// On an 80-column terminal the one-time token stays on one line: the
    /// table wraps between words, never inside one.
    #[test]
    fn a_fitted_table_never_cuts_a_word() {
        let token = format!("pinv_{}", "0123456789abcdef".repeat(4));
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        table.set_content_arrangement(ContentArrangement::Dynamic);
        table.set_width(80);
        table.add_row(vec![
            "token".to_string(),
            format!("{token} (shown only this once)"),
        ]);
        table.add_row(vec![
            "invitation email".to_string(),
            "queued in the outbox".to_string(),
        ]);
        plain_columns(&mut table);
        let lines: Vec<String> = table.lines().collect();
        assert!(lines.iter().any(|l| l.contains(&token)), "{lines:#?}");
    }

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
    fn csv_cells_a_spreadsheet_would_run_are_marked_as_text() {
        let rows = [vec![
            "=HYPERLINK(\"http://x.test\",\"y\")".to_string(),
            "+1".to_string(),
            "@SUM(A1)".to_string(),
            "-2+3".to_string(),
            "-".to_string(),
            "ann@acme.test".to_string(),
        ]];
        let text = csv_text(&["a", "b", "c", "d", "e", "f"], &rows).expect("csv");
        assert_eq!(
            text,
            "a,b,c,d,e,f\r\n\"'=HYPERLINK(\"\"http://x.test\"\",\"\"y\"\")\",'+1,'@SUM(A1),'-2+3,-,ann@acme.test\r\n"
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

    /// `value` as [`write_json`] writes it, `depth` levels in.
    fn written<T: Serialize + ?Sized>(value: &T, depth: usize) -> String {
        let mut out = Vec::new();
        write_json(&mut out, value, depth).expect("json");
        String::from_utf8(out).expect("UTF-8")
    }

    /// `value` rendered by serde, then escaped: the output before
    /// [`JsonFormatter`].
    fn rendered<T: Serialize + ?Sized>(value: &T) -> String {
        let text = serde_json::to_string_pretty(value).expect("json");
        escape_json(&text).into_owned()
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Member,
    }

    #[derive(Serialize)]
    struct Person {
        email: &'static str,
        name: Option<&'static str>,
        kind: Kind,
        roles: Vec<&'static str>,
        seats: std::collections::BTreeMap<u32, &'static str>,
    }

    fn person(email: &'static str, name: Option<&'static str>, roles: Vec<&'static str>) -> Person {
        Person {
            email,
            name,
            kind: Kind::Member,
            roles,
            seats: [(7, "München"), (12, "rlo\u{202e}")].into(),
        }
    }

    #[test]
    fn json_is_written_as_serde_renders_it_escaped() {
        use serde_json::json;
        let values = [
            json!({"a": {"b": [1, [2, []], {}], "c": {"d": null}}, "e": [], "f": {}}),
            json!([]),
            json!({}),
            json!(null),
            json!([[], {}, [[]], [{}]]),
            json!([0, -1, 1.5, 1e300, -2.5e-8, u64::MAX, i64::MIN, true, false]),
            json!({
                "rlo": "file\u{202e}fdp.exe",
                "esc": "\u{1b}[31mred\u{7}",
                "quoted": "say \"hi\" to C:\\dir\\",
                "city": "München — Zürich ✓ 😀",
                "raw": "x\u{7f}\u{85}\u{9b}\u{61c}\u{200f}\u{2066}\u{2069}\u{2028}\u{2029}y",
            }),
            json!({"key\u{202e}\u{1b}": "value"}),
            json!("\u{202e}"),
        ];
        for value in &values {
            assert_eq!(written(value, 0), rendered(value), "{value}");
        }
        // Deeper than one write of indent.
        let deep = (0..12).fold(json!({"leaf": [1, 2]}), |inner, _| json!({"in": [inner]}));
        assert_eq!(written(&deep, 0), rendered(&deep));
        let people = person(
            "ann@acme.test",
            Some("Ann \u{202e}Smith"),
            vec!["admin", "buyer"],
        );
        assert_eq!(written(&people, 0), rendered(&people));
    }

    #[test]
    fn json_strings_escape_bidi_controls_and_keep_other_text() {
        assert_eq!(
            written("a\u{202e}b\u{1b}c\"d\\e München", 0),
            r#""a\u202eb\u001bc\"d\\e München""#
        );
    }

    #[test]
    fn json_written_deeper_is_indented_deeper() {
        let value = serde_json::json!({"a": [1], "b": {}});
        assert_eq!(
            written(&value, 1),
            "{\n    \"a\": [\n      1\n    ],\n    \"b\": {}\n  }"
        );
    }

    #[test]
    fn json_items_over_pages_are_the_whole_list_rendered() {
        let people = vec![
            person("ann@acme.test", Some("Ann"), vec!["admin"]),
            person("bob@acme.test", None, vec![]),
            person(
                "eve@acme.test",
                Some("\u{202e}evE"),
                vec!["buyer", "\u{2066}x"],
            ),
        ];
        let mut out = Vec::new();
        json_items(&mut out, &people[..2], false).expect("first page");
        json_items(&mut out, &people[2..], true).expect("second page");
        out.extend_from_slice(b"\n]");
        assert_eq!(String::from_utf8(out).expect("UTF-8"), rendered(&people));
    }
}
