//! Free text a user types and portalctl stores: descriptions, profile
//! fields, address lines, order and policy names. It is printed back in
//! tables and error messages on a terminal, so characters that drive the
//! terminal or reorder what it shows are refused on the way in, and
//! escaped on the way out (for text that got into a database by other
//! means).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One line of free text: trimmed, possibly empty, holding no control
/// character (C0, DEL, C1, so no newline or tab either), no Unicode
/// bidirectional formatting character (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069) and no line or paragraph separator
/// (U+2028, U+2029), and no backquote.
///
/// Messages put names between backquotes (``no account `Acme` ``), the
/// commands they give to paste too, so a backquote in a name would end
/// it early and let the rest read as the tool's own advice (A5: a
/// customer named ``A`; run `portalctl user left-company --yes ...``).
/// Hundreds of messages quote names so; refusing the one character where
/// text enters keeps every one of them sound.
///
/// Every stored field is one line: it is shown in one table cell, and a
/// line break typed into a marketing message would read as a new row.
/// The only way to make a `Text` is [`Text::parse`] (or its `FromStr` and
/// serde forms; `Default` is the empty text), so holding one means the
/// check was made.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub(crate) struct Text(String);

/// The most characters a [`Text`] holds: far more than any name, address
/// line or description needs, and a bound on what one mistaken value (a
/// file pasted into `--name`) makes every table and event carry.
pub(crate) const MAX_TEXT_CHARS: usize = 1_000;

/// `s` trimmed, in Unicode's composed form (NFC), its spaces folded, as
/// a [`Text`] keeps it: two spellings of one letter (`Ä`, `A` with a
/// combining diaeresis) are one text, and so are `Acme Ltd` and `Acme`,
/// a no-break, en or ideographic space (or two spaces), `Ltd`, which read
/// alike. Only the spaces of one line fold: a line break, a tab or any
/// other control character stays, for [`Text::parse`] to refuse.
pub(crate) fn composed(s: &str) -> std::borrow::Cow<'_, str> {
    let s = s.trim();
    if s.is_ascii() && !s.contains("  ") {
        return std::borrow::Cow::Borrowed(s);
    }
    use unicode_normalization::UnicodeNormalization;
    let composed: String = if s.is_ascii() {
        s.to_string()
    } else {
        s.nfc().collect()
    };
    std::borrow::Cow::Owned(fold_spaces(&composed, |c| {
        !c.is_control() && !matches!(c, '\u{2028}' | '\u{2029}')
    }))
}

/// `s` with every Unicode `White_Space` character `folds` accepts written
/// as one plain space, and each run of them (plain spaces included) as
/// one: the spaces of a name read alike whichever were typed.
pub(crate) fn fold_spaces(s: &str, folds: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() && folds(c) {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

impl Text {
    /// Checks `s` as the text `what` names (`--description`, "the city"):
    /// trims it and refuses the characters listed on [`Text`], naming the
    /// first one.
    pub(crate) fn parse(what: &str, s: &str) -> Result<Text> {
        // Kept in Unicode's composed form (NFC), so two spellings of one
        // letter (`Ä`, `A` with a combining diaeresis) are one text.
        let composed = composed(s);
        let text = composed.as_ref();
        let long = text.chars().count();
        if long > MAX_TEXT_CHARS {
            // Not echoed: the point is that it is too long to show.
            return Err(Error::invalid(format!(
                "{what} is {long} characters long; the most is {MAX_TEXT_CHARS}"
            )));
        }
        match refused(text) {
            None => Ok(Text(text.to_string())),
            Some((c, kind)) => Err(Error::invalid(format!(
                "{what} `{}` contains {kind} (U+{:04X})",
                // Written out, or the message would show what it names
                // as nothing too.
                escape(text).replace(c, &format!("\\u{{{:x}}}", u32::from(c))),
                u32::from(c)
            ))
            .help(
                "type the text on one line, without control, bidirectional formatting or invisible characters or backquotes",
            )),
        }
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether nothing was typed (or only spaces).
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text as a name: refused when empty.
    pub(crate) fn required(&self, what: &str) -> Result<String> {
        if self.is_empty() {
            return Err(Error::invalid(format!("{what} must not be empty")));
        }
        Ok(self.0.clone())
    }

    /// The text, or `None` when empty: an empty value clears a field.
    pub(crate) fn non_empty(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.0.clone())
    }
}

impl FromStr for Text {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Text::parse("the text", s)
    }
}

impl TryFrom<String> for Text {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Text> for String {
    fn from(text: Text) -> String {
        text.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Unit tests build requests from literals they know to be clean.
#[cfg(test)]
impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::parse("a test literal", s).expect("clean text")
    }
}

/// The first character of `text` (composed, as [`Text::parse`] reads it)
/// that a [`Text`] may not hold, with what kind of character it is ("a
/// control character", "a character that shows as nothing"); `None` when
/// it may hold every one. A name an older version stored may hold one.
pub(crate) fn refused(text: &str) -> Option<(char, &'static str)> {
    // Printable ASCII but the backquote is what most text is, and holds
    // none (see `plain`).
    if super::plain::text(text) {
        return None;
    }
    refused_by_rule(text)
}

/// [`refused`]'s rule in full, for any text.
pub(super) fn refused_by_rule(text: &str) -> Option<(char, &'static str)> {
    text.chars()
        .find_map(|c| match c {
            '`' => Some((c, "a backquote")),
            c => forbidden(c).map(|kind| (c, kind)),
        })
        .or_else(|| {
            invisible(text).map(|(c, how)| {
                let kind = if how == "shows as blank space" {
                    "a character that shows as blank space"
                } else {
                    "a character that shows as nothing"
                };
                (c, kind)
            })
        })
}

/// `s` with every character that shows as nothing or as blank space
/// ([`unseen`]: a combining mark, a space other than the plain one, one a
/// name refuses) written as a Rust-style escape too, as [`escape`] writes
/// those unsafe to print: two names that read alike are told apart
/// (`A\u{308}rø`, `Acme\u{a0}Ltd`). A backquote, which a name may no
/// longer hold, is written out too (`\u{60}`): a name an older version
/// stored is shown between backquotes, which it would otherwise close.
pub(crate) fn reveal(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'`') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '`' || unsafe_to_print(c) || unseen(c).is_some() {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// What kind of character `c` is when stored text may not hold it.
fn forbidden(c: char) -> Option<&'static str> {
    if c.is_control() {
        Some("a control character")
    } else if is_bidi_control(c) {
        Some("a bidirectional formatting character")
    } else if matches!(c, '\u{2028}' | '\u{2029}') {
        Some("a line break")
    } else {
        None
    }
}

/// The first character of `text` that shows as no character and serves
/// no script, with how it shows: one that would let two names read alike
/// (`Fabri\u{200B}kam` beside `Fabrikam`) while they differ. These are
/// the characters [`hidden`] names, the ones an email address refuses
/// too, with what scripts need of them: the zero-width joiner and
/// non-joiner between two characters outside ASCII (Persian and Indic
/// names, emoji sequences use them between their own characters), and a
/// variation selector right after a character outside ASCII (an emoji's
/// or an ideograph's form); beside ASCII or at an end they only hide.
/// Combining marks are letters' own (`Cafe\u{301}`).
fn invisible(text: &str) -> Option<(char, &'static str)> {
    // Most names are ASCII, and a fixture's are read by the thousand.
    if text.is_ascii() {
        return None;
    }
    // A character a joiner may stand beside: outside ASCII and shown, or
    // the variation selector that gave it its form.
    let script = |n: Option<char>| {
        n.is_some_and(|n| !n.is_ascii() && (hidden(n).is_none() || variation_selector(n)))
    };
    let mut before = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(how) = hidden(c) {
            let allowed = match c {
                '\u{200C}' | '\u{200D}' => script(before) && script(chars.peek().copied()),
                c if variation_selector(c) => {
                    before.is_some_and(|b: char| !b.is_ascii() && hidden(b).is_none())
                }
                _ => false,
            };
            if !allowed {
                return Some((c, how));
            }
        }
        before = Some(c);
    }
    None
}

/// How `c` shows when it shows as no character in any text: Unicode's
/// `Default_Ignorable_Code_Point` characters (zero-width spaces and
/// joiners, the byte-order mark, the soft hyphen, the combining grapheme
/// joiner, variation selectors, tags, invisible operators, the Hangul and
/// Khmer fillers) show as nothing, or as blank space for the Hangul
/// fillers and the Braille blank, which fonts draw empty. Both names and
/// keys refuse them; see [`invisible`] for where names keep some.
fn hidden(c: char) -> Option<&'static str> {
    match c {
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}' => {
            Some("shows as blank space")
        }
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{FFF0}'..='\u{FFF8}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}' => Some("shows as nothing"),
        _ => None,
    }
}

/// Variation selectors: they choose the form of the character before
/// them (an emoji's colour, an ideograph's or a Mongolian letter's shape).
fn variation_selector(c: char) -> bool {
    matches!(
        c,
        '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{180B}'..='\u{180D}' | '\u{180F}'
    )
}

/// Unicode's `Bidi_Control` characters: marks, embeddings, overrides and
/// isolates that reorder how the text around them is shown.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// How `c` shows on a terminal when it shows as no character at all:
/// every character a name refuses ([`hidden`], wherever it stands), and
/// also a combining mark (nothing) or a space other than the plain one
/// (blank space). In a key people copy from a list (an order's reference,
/// an email address), it makes two different keys read alike.
pub(crate) fn unseen(c: char) -> Option<&'static str> {
    if let Some(how) = hidden(c) {
        Some(how)
    } else if unicode_width::UnicodeWidthChar::width(c).is_none_or(|w| w == 0) {
        Some("shows as nothing")
    } else if (c != ' ' && c.is_whitespace()) || ('\u{13430}'..='\u{1345F}').contains(&c) {
        Some("shows as blank space")
    } else {
        None
    }
}

/// Whether printing `c` to a terminal could act on it (colour, clear,
/// retitle, move the cursor, start a line) or reorder the text around it.
pub(crate) fn unsafe_to_print(c: char) -> bool {
    forbidden(c).is_some()
}

/// Whether `s` holds no character [`unsafe_to_print`]: printable ASCII is
/// checked byte by byte, as lists check every cell of every row.
pub(crate) fn printable(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(unsafe_to_print)
}

/// `s` with every character [`unsafe_to_print`] written as a Rust-style
/// escape: `\n`, `\r`, `\t`, else `\u{1b}`. Everything else, backslashes
/// included, is left as it is, so ordinary text reads unchanged and
/// escaping twice changes nothing more.
pub(crate) fn escape(s: &str) -> Cow<'_, str> {
    if printable(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_to_print(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &[&str] = &[
        "\u{1b}[31mred", "bell\u{7}", "del\u{7f}", "csi\u{9b}2J", "next\u{85}line", "two\nlines",
        "tab\tbed", "cr\rreturn", "rlo\u{202e}txt", "lre\u{202a}x", "isolate\u{2066}x\u{2069}",
        "mark\u{200f}", "arabic\u{61c}mark", "line\u{2028}sep",
    ];

    #[test]
    fn clean_text_is_trimmed_and_kept() {
        let t =
            Text::parse("the description", "  Café — 50% off, \"quoted\" \\ ok  ").expect("clean");
        assert_eq!(t.as_str(), "Café — 50% off, \"quoted\" \\ ok");
        assert!(Text::parse("x", "   ").expect("blank").is_empty());
        // Right-to-left scripts are text, not formatting.
        assert!(Text::parse("x", "שלום عربي").is_ok());
    }

    /// Every space of a line is one plain space, and a run of them one,
    /// so no decoy `Acme` no-break space `Ltd` sits beside `Acme Ltd`;
    /// a line break or a tab stays refused.
    #[test]
    fn every_kind_of_space_reads_as_one_plain_space() {
        for space in [
            "\u{A0}", "\u{1680}", "\u{2002}", "\u{2003}", "\u{2009}", "\u{200A}", "\u{202F}",
            "\u{205F}", "\u{3000}", "  ", " \u{A0} \u{3000}",
        ] {
            let typed = format!("Acme{space}Ltd");
            // Account, policy, label and person names are all read so.
            for what in [
                "the account name", "the policy name", "the label", "the name",
            ] {
                let name = crate::model::parse_name(what, &typed).expect("a name");
                assert_eq!(name, "Acme Ltd", "{typed:?}");
            }
            assert_eq!(crate::model::name_key(&typed), "acme ltd", "{typed:?}");
        }
        for bad in ["Acme\tLtd", "Acme\nLtd", "Acme\u{2028}Ltd", "Acme\u{85}Ltd"] {
            assert!(Text::parse("the name", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn control_and_bidi_characters_are_refused_and_named() {
        for bad in HOSTILE {
            let err = Text::parse("--description", bad).expect_err(bad);
            assert_eq!(err.exit_code(), 2);
            let message = err.to_string();
            assert!(message.starts_with("--description `"), "{message}");
            assert!(!message.chars().any(unsafe_to_print), "{message:?}");
        }
        let err = Text::parse("the city", "a\u{202e}b").expect_err("bidi");
        assert_eq!(
            err.to_string(),
            "the city `a\\u{202e}b` contains a bidirectional formatting character (U+202E)"
        );
    }

    /// A5: a backquote would close the backquotes a message puts around
    /// a name, so text holds none; the refusal writes it out, and so does
    /// `reveal`, which shows a name an older version stored.
    #[test]
    fn a_backquote_is_refused_and_written_out() {
        let typed = "A`; run `portalctl user left-company --yes f@x.test`; or `B";
        let err = Text::parse("the account name", typed).expect_err("backquote");
        assert_eq!(err.exit_code(), 2);
        let message = err.to_string();
        assert!(!message.contains("A`"), "{message}");
        assert!(
            message.ends_with("contains a backquote (U+0060)"),
            "{message}"
        );
        assert_eq!(refused("a`b"), Some(('`', "a backquote")));
        assert_eq!(reveal("a`b"), "a\\u{60}b");
        assert_eq!(reveal("plain"), "plain");
    }

    #[test]
    fn text_is_at_most_a_thousand_characters() {
        let most = "é".repeat(MAX_TEXT_CHARS);
        assert_eq!(Text::parse("the name", &most).expect("fits").as_str(), most);
        let err = Text::parse("the name", &format!("{most}x")).expect_err("too long");
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.to_string(),
            "the name is 1001 characters long; the most is 1000"
        );
    }

    #[test]
    fn serde_checks_too() {
        assert!(serde_json::from_str::<Text>("\"ok\"").is_ok());
        assert!(serde_json::from_str::<Text>("\"a\\u001b[2J\"").is_err());
        assert!(serde_json::from_str::<Text>("\"a\\u202eb\"").is_err());
    }

    #[test]
    fn escaping_leaves_nothing_a_terminal_acts_on() {
        assert_eq!(escape("plain \\ text"), "plain \\ text");
        assert_eq!(
            escape("\u{1b}]0;title\u{7}\nerror: forged\u{202e}"),
            "\\u{1b}]0;title\\u{7}\\nerror: forged\\u{202e}"
        );
        for bad in HOSTILE {
            let once = escape(bad);
            assert!(!once.chars().any(unsafe_to_print), "{once:?}");
            assert_eq!(escape(&once), once, "escaping is idempotent");
        }
    }

    proptest::proptest! {
        #[test]
        fn parsed_text_and_escaped_text_print_safely(s in "\\PC*|[\\x00-\\x{9f}\\x{2028}\\x{202e}\\x{2066} a-z]*") {
            if let Ok(text) = Text::parse("x", &s) {
                proptest::prop_assert!(!text.as_str().chars().any(unsafe_to_print));
            }
            let once = escape(&s);
            proptest::prop_assert!(!once.chars().any(unsafe_to_print));
            proptest::prop_assert_eq!(escape(&once), once.clone());
        }

        #[test]
        fn the_ascii_check_is_the_character_check(s in "\\PC*|[\\x00-\\x{9f}\\x{2028}\\x{202e} a-z]*") {
            proptest::prop_assert_eq!(printable(&s), !s.chars().any(unsafe_to_print));
        }
    }

    /// A name that reads as another is refused; the joiners scripts
    /// need between their own letters, and combining marks, are kept.
    #[test]
    fn invisible_characters_are_refused_where_no_script_needs_them() {
        for bad in [
            "Fabri\u{200B}kam", "Fabri\u{200D}kam", "Fabri\u{200C}kam", "\u{FEFF}Fabrikam",
            "Fabri\u{2060}kam", "Fabri\u{00AD}kam", "Fabrikam\u{200D}", "a\u{200D}\u{200D}b",
            "\u{0645}\u{200B}\u{0645}",
        ] {
            let err = Text::parse("the name", bad).expect_err(bad);
            assert!(err.to_string().contains("shows as nothing"), "{err}");
        }
        for good in [
            "\u{0645}\u{06CC}\u{200C}\u{0634}\u{0648}\u{062F}", // Persian: mi-shavad
            "\u{0915}\u{094D}\u{200D}\u{0937}",                 // Devanagari half form
            "\u{1F469}\u{200D}\u{1F4BB}",                       // an emoji sequence
            "Cafe\u{301}",
            "Fabrikam",
        ] {
            assert!(Text::parse("the name", good).is_ok(), "{good:?}");
        }
    }

    /// Names refuse every character an email address refuses as showing
    /// as nothing or blank, except where a script needs it.
    #[test]
    fn names_refuse_what_emails_refuse_as_invisible() {
        let refused: &[(&str, char)] = &[
            ("Fabri\u{34F}kam", '\u{34F}'),
            ("Fi\u{115F}ona", '\u{115F}'),
            ("Fi\u{1160}ona", '\u{1160}'),
            ("Fabri\u{3164}kam", '\u{3164}'),
            ("Fabri\u{FFA0}kam", '\u{FFA0}'),
            ("Fabrikam\u{2800}", '\u{2800}'),
            ("Fabri\u{E0041}kam", '\u{E0041}'),
            ("Fabri\u{E0001}kam", '\u{E0001}'),
            ("Fabri\u{E007F}kam", '\u{E007F}'),
            ("Fabri\u{17B4}kam", '\u{17B4}'),
            ("Fabri\u{17B5}kam", '\u{17B5}'),
            ("Fabrikam\u{FE0F}", '\u{FE0F}'),
            ("Fabrikam\u{E0100}", '\u{E0100}'),
            ("Fabri\u{1D173}kam", '\u{1D173}'),
            ("Fabri\u{1BCA0}kam", '\u{1BCA0}'),
            ("Fabri\u{2065}kam", '\u{2065}'),
            ("Fabri\u{FFF0}kam", '\u{FFF0}'),
            ("\u{2764}\u{FE0F}\u{FE0F}", '\u{FE0F}'),
            ("\u{1F469}\u{200D}", '\u{200D}'),
        ];
        for (bad, c) in refused {
            let err = Text::parse("the name", bad).expect_err(bad);
            assert_eq!(err.exit_code(), 2);
            let message = err.to_string();
            assert!(
                message.contains(&format!("\\u{{{:x}}}", u32::from(*c))),
                "{message}"
            );
            let (_, how) = invisible(bad).expect("invisible");
            assert_eq!(Some(how), unseen(*c), "{bad:?}");
            // The email check refuses it alike.
            let address = format!("a{c}b@acme.test");
            assert!(
                address.parse::<crate::model::Email>().is_err(),
                "{address:?}"
            );
        }
        for good in [
            "\u{2764}\u{FE0F} Shop",                      // heavy heart, emoji form
            "\u{1F441}\u{FE0F}\u{200D}\u{1F5E8}\u{FE0F}", // eye in speech bubble
            "\u{845B}\u{E0100}",                          // an ideographic variation
            "Ærø Shop",
            "\u{0645}\u{06CC}\u{200C}\u{0634}\u{0648}\u{062F}",
            "A\u{308}rø",
        ] {
            assert!(Text::parse("the name", good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn every_hostile_text_is_unprintable() {
        for bad in HOSTILE {
            assert!(!printable(bad), "{bad:?}");
        }
        assert!(printable("plain ASCII ~ text") && printable("Café"));
    }
}
