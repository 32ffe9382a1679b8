//! Canonical JSON text: compact, object keys in sorted order at every
//! depth. It is the one form the audit log stores an event's `before` and
//! `after` in, and the form its hash reads them in.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};
use serde_json::Value;

/// A value as canonical JSON text: what `serde_json::Value` prints (its
/// objects keep their keys sorted), made straight from the value's
/// `Serialize`, since building a `Value` tree first costs a write of
/// many members more than the rest of its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CanonicalJson(String);

impl CanonicalJson {
    /// `value` as canonical JSON text. Fails only for what JSON cannot
    /// hold (a map keyed by something other than strings or numbers).
    pub(crate) fn of<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<CanonicalJson> {
        let mut text = Vec::with_capacity(256);
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut text,
            Sorting::default(),
        ))?;
        // The formatter writes what serde_json gives it, which is UTF-8;
        // checked all the same rather than assumed.
        let text = String::from_utf8(text).map_err(serde::ser::Error::custom)?;
        // Every event the tests write passes here: a value whose text
        // differs from its `Value`'s would hash as one thing and verify
        // as another.
        debug_assert_eq!(
            Some(text.as_str()),
            serde_json::to_value(value)
                .ok()
                .map(|v| v.to_string())
                .as_deref(),
            "canonical JSON differs from serde_json's Value"
        );
        Ok(CanonicalJson(text))
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The value the text reads as.
    pub(crate) fn to_value(&self) -> Value {
        // The text was written from a value, as JSON, so it reads back;
        // were it not to, null is what JSON reads as nothing.
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }

    /// Whether the value is JSON `null`.
    pub(crate) fn is_null(&self) -> bool {
        self.0 == "null"
    }
}

impl From<Value> for CanonicalJson {
    fn from(value: Value) -> Self {
        // `Value` keeps object keys sorted (serde_json without
        // `preserve_order`), and prints compactly.
        CanonicalJson(value.to_string())
    }
}

/// A member of an object being written, by its place in the buffer.
struct Entry {
    /// Where the key's opening quote is.
    start: usize,
    /// Just after the key's closing quote.
    key_end: usize,
    /// Just after the value.
    end: usize,
    /// Whether the key holds an escape, so that it sorts by what it
    /// reads as rather than by its escaped text.
    escaped: bool,
}

/// serde_json's compact formatter, but for objects, whose members it
/// holds until the object ends and then writes in key order.
#[derive(Default)]
struct Sorting {
    /// The text of the objects being written, outermost first; empty
    /// outside any object, where writes go straight to the writer.
    buffer: Vec<u8>,
    /// Each open object: where its first member starts in `buffer`, and
    /// where its members begin in `entries`.
    objects: Vec<(usize, usize)>,
    /// The members of the open objects.
    entries: Vec<Entry>,
    /// Whether a key is being written.
    in_key: bool,
}

impl Sorting {
    /// Where the next bytes go: the buffer inside an object, else the
    /// writer.
    fn put<W: ?Sized + io::Write>(&mut self, writer: &mut W, bytes: &[u8]) -> io::Result<()> {
        if self.objects.is_empty() {
            writer.write_all(bytes)
        } else {
            self.buffer.extend_from_slice(bytes);
            Ok(())
        }
    }

    /// Writes through the compact formatter into wherever bytes go now.
    fn compact<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        write: impl FnOnce(&mut CompactFormatter, &mut dyn io::Write) -> io::Result<()>,
    ) -> io::Result<()> {
        if self.objects.is_empty() {
            let mut writer = writer;
            write(&mut CompactFormatter, &mut writer)
        } else {
            write(&mut CompactFormatter, &mut self.buffer)
        }
    }

    /// The key of `entry` as it reads, for sorting.
    fn key<'a>(buffer: &'a [u8], entry: &Entry) -> std::borrow::Cow<'a, [u8]> {
        let quoted = &buffer[entry.start..entry.key_end];
        if entry.escaped {
            if let Ok(key) = serde_json::from_slice::<String>(quoted) {
                return std::borrow::Cow::Owned(key.into_bytes());
            }
        }
        std::borrow::Cow::Borrowed(quoted.get(1..quoted.len() - 1).unwrap_or_default())
    }
}

/// Writes a number as the compact formatter does.
macro_rules! numbers {
    ($($method:ident: $ty:ty),* $(,)?) => {$(
        fn $method<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: $ty) -> io::Result<()> {
            self.compact(writer, |f, w| f.$method(w, value))
        }
    )*};
}

impl Formatter for Sorting {
    numbers!(
        write_i8: i8, write_i16: i16, write_i32: i32, write_i64: i64, write_i128: i128,
        write_u8: u8, write_u16: u16, write_u32: u32, write_u64: u64, write_u128: u128,
        write_f32: f32, write_f64: f64,
    );

    fn write_null<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.put(writer, b"null")
    }

    fn write_bool<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: bool) -> io::Result<()> {
        self.put(writer, if value { b"true" } else { b"false" })
    }

    fn write_number_str<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        value: &str,
    ) -> io::Result<()> {
        self.put(writer, value.as_bytes())
    }

    fn begin_string<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.put(writer, b"\"")
    }

    fn end_string<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.put(writer, b"\"")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.put(writer, fragment.as_bytes())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        if self.in_key {
            if let Some(entry) = self.entries.last_mut() {
                entry.escaped = true;
            }
        }
        self.compact(writer, |f, w| f.write_char_escape(w, escape))
    }

    fn write_byte_array<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        value: &[u8],
    ) -> io::Result<()> {
        self.compact(writer, |f, w| f.write_byte_array(w, value))
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.put(writer, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.put(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            self.put(writer, b",")
        }
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.buffer.push(b'{');
        self.objects.push((self.buffer.len(), self.entries.len()));
        Ok(())
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        let Some((start, first)) = self.objects.pop() else {
            return Err(io::Error::other("an object ended that never began"));
        };
        // Each key is read once, then compared as bytes: reading it anew
        // at each comparison was most of the sort's time.
        let buffer = &self.buffer;
        let mut members: Vec<_> = self.entries[first..]
            .iter()
            .map(|entry| (Self::key(buffer, entry), entry.start, entry.end))
            .collect();
        // Keys are distinct, so an unstable sort gives the one order.
        members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let spans: Vec<(usize, usize)> = members.into_iter().map(|(_, s, e)| (s, e)).collect();
        self.entries.truncate(first);
        let written = self.buffer.split_off(start);
        for (i, (from, to)) in spans.into_iter().enumerate() {
            if i > 0 {
                self.buffer.push(b',');
            }
            self.buffer
                .extend_from_slice(&written[from - start..to - start]);
        }
        self.buffer.push(b'}');
        if self.objects.is_empty() {
            writer.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        _writer: &mut W,
        _first: bool,
    ) -> io::Result<()> {
        self.in_key = true;
        self.entries.push(Entry {
            start: self.buffer.len(),
            key_end: 0,
            end: 0,
            escaped: false,
        });
        Ok(())
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.in_key = false;
        if let Some(entry) = self.entries.last_mut() {
            entry.key_end = self.buffer.len();
        }
        Ok(())
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.buffer.push(b':');
        Ok(())
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        let end = self.buffer.len();
        // The member just written is the last of the innermost object:
        // the members of objects inside its value were taken off when
        // those objects ended.
        if let Some(entry) = self.entries.last_mut() {
            entry.end = end;
        }
        Ok(())
    }

    fn write_raw_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.put(writer, fragment.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[derive(Serialize)]
    struct Unsorted {
        zebra: u32,
        apple: Option<String>,
        mango: Vec<Inner>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<bool>,
        by_name: BTreeMap<String, i64>,
        kind: Kind,
    }

    #[derive(Serialize)]
    struct Inner {
        y: &'static str,
        x: f64,
        nested: BTreeMap<i64, Vec<bool>>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Tagged { b: i8, a: u64 },
    }

    fn both(value: &impl Serialize) -> (String, String) {
        let text = CanonicalJson::of(value).expect("serialises");
        let tree = serde_json::to_value(value).expect("serialises").to_string();
        (text.as_str().to_string(), tree)
    }

    #[test]
    fn structs_are_written_as_their_value_prints_them_keys_sorted_at_every_depth() {
        let value = Unsorted {
            zebra: 7,
            apple: None,
            mango: vec![
                Inner {
                    y: "quote \" and \\ and \n and \u{1}",
                    x: -1.5,
                    nested: BTreeMap::from([(10, vec![true]), (9, vec![])]),
                },
                Inner {
                    y: "ünïcode",
                    x: 0.1,
                    nested: BTreeMap::new(),
                },
            ],
            skipped: None,
            by_name: BTreeMap::from([("b".into(), 2), ("a".into(), i64::MIN)]),
            kind: Kind::Tagged { b: -3, a: u64::MAX },
        };
        let (text, tree) = both(&value);
        assert_eq!(text, tree);
        assert!(
            text.starts_with(r#"{"apple":null,"by_name":{"a":"#),
            "{text}"
        );
    }

    #[test]
    fn keys_with_escapes_sort_by_what_they_read_as() {
        // '"' sorts before '#' as a character, though its escape `\"`
        // sorts after it as text.
        let map = BTreeMap::from([
            ("a#".to_string(), 1),
            ("a\"".to_string(), 2),
            ("a\n".into(), 3),
        ]);
        let (text, tree) = both(&map);
        assert_eq!(text, tree);
        assert_eq!(text, r#"{"a\n":3,"a\"":2,"a#":1}"#);
    }

    #[test]
    fn values_and_scalars_are_written_as_they_print() {
        for value in [
            json!(null),
            json!("text"),
            json!([1, {"b": [], "a": {}}, "x"]),
            json!({"z": {"y": {"x": [{"b": 1, "a": 2}]}}, "a": null}),
            json!({}),
            json!([]),
        ] {
            let (text, tree) = both(&value);
            assert_eq!(text, tree);
            assert_eq!(CanonicalJson::from(value.clone()).as_str(), tree);
        }
        assert!(CanonicalJson::of(&json!(null)).expect("null").is_null());
    }
}
