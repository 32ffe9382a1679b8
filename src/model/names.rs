//! What people and accounts are called and reached at: email addresses and
//! display names, checked once so every layer agrees on one spelling.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_script::{Script, ScriptExtension};
use unicode_security::mixed_script::AugmentedScriptSet;
use unicode_security::MixedScript;

use super::text::{fold_spaces, printable, unseen, Text};
use crate::error::{Error, Result};

/// A normalised email address: trimmed, lower-cased, syntactically valid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub(crate) struct Email(String);

impl Email {
    /// The normalised address.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalised address, without a copy.
    pub(crate) fn into_string(self) -> String {
        self.0
    }

    /// An address as the store holds it, which was parsed when it was
    /// written. Its grammar is not checked again (that is most of a long
    /// list's reading time); what is checked is what keeps a file edited
    /// by hand from printing anything a parsed address could not: it is
    /// in its normal form, one `@`, nothing unsafe to print. A text that
    /// is not is handed back.
    pub(crate) fn stored(text: String) -> std::result::Result<Email, String> {
        let normal = text.len() <= 254
            && text.bytes().filter(|b| *b == b'@').count() == 1
            && !text.starts_with('@')
            && !text.ends_with('@')
            && !text.contains(['<', '>', ' '])
            && printable(&text)
            && if text.is_ascii() {
                !text.bytes().any(|b| b.is_ascii_uppercase())
            } else {
                !text.chars().any(char::is_uppercase)
            };
        if normal {
            Ok(Email(text))
        } else {
            Err(text)
        }
    }
}

/// The longest address there is (RFC 5321's path, less its brackets).
const MAX_EMAIL_CHARS: usize = 254;

impl FromStr for Email {
    type Err = Error;

    /// Reads an address by the one rule every place an address is taken
    /// uses (an invitation, a new address, a billing contact, a setting,
    /// a file's `apply`), which reads nothing the database holds: it
    /// refuses what it refuses for every database alike, in any order.
    fn from_str(s: &str) -> Result<Self> {
        // A plain ASCII address is read as the rule reads it, without
        // the Unicode work it would do to find so (see `plain`).
        match super::plain::address(s.trim()) {
            Some(normal) => Ok(Email(normal)),
            None => parse_address(s),
        }
    }
}

/// [`Email`]'s rule in full, for any address: what its `FromStr` reads
/// where the address is not a plain ASCII one.
pub(super) fn parse_address(s: &str) -> Result<Email> {
    let typed = s.trim();
    // Counted first, and not echoed: no address is that long, and a
    // refusal quoting it would be as long (the store's rule, in bytes,
    // is checked on what is read back).
    let long = typed.chars().count();
    if long > MAX_EMAIL_CHARS {
        return Err(Error::invalid(format!(
            "an email address is at most {MAX_EMAIL_CHARS} characters, and this one is {long}"
        )));
    }
    // Composed as every other text is (a decomposed `ü` is `ü`), so
    // that one typed either way is the same login.
    let composed: String = match typed.is_ascii() {
        true => typed.to_string(),
        false => typed.nfc().collect(),
    };
    // Checked as typed, before lower case and IDNA change it, so that
    // a refusal names a character that was typed (`İ`, not the
    // combining dot its lower case is made of).
    check_characters(typed, &composed)?;
    let lower = match composed.is_ascii() {
        true => composed.to_ascii_lowercase(),
        false => composed.to_lowercase().nfc().collect(),
    };
    let not_valid = || {
        Error::invalid(format!(
            "`{}` is not a valid email address",
            super::text::escape(typed)
        ))
    };
    let (local, domain) = lower.rsplit_once('@').ok_or_else(not_valid)?;
    let local = unquoted(local).ok_or_else(|| {
        Error::invalid(format!(
            "`{}` is not a valid email address: the part before its `@` needs quotes, and mail is sent only to addresses that need none",
            super::text::escape(typed)
        ))
        .help("type the address without quotes")
    })?;
    let domain = one_domain_form(domain).map_err(|why| {
        Error::invalid(format!(
            "`{}` is not a valid email address: {why}",
            super::text::escape(typed)
        ))
        .help("type a domain name such as `acme.test`: letters, digits and hyphens between dots")
    })?;
    let normal = format!("{local}@{domain}");
    // The form kept is held to what the typed one was: `xn--` spells a
    // domain whose Unicode form may hold what no one could type in.
    if normal != composed {
        check_characters(typed, &normal)?;
    }
    // An address is printed in tables and errors, so it holds no more
    // than a name may: no backquote either, which would close the
    // backquotes a message puts around it (see `Text`).
    if !(email_address::EmailAddress::is_valid(&normal)
        && !normal.contains(['<', '>', ' ', '`', '"'])
        && printable(&normal))
    {
        return Err(not_valid());
    }
    // `fіona@` with a Cyrillic `і`, or a domain `аcme.test` with a
    // Cyrillic `а` (another domain, which anyone may register), reads
    // as the real one beside it; a word of the address is held to one
    // script as a name's word is.
    let words = local
        .split(|c: char| !c.is_alphanumeric())
        .chain(domain.split(|c: char| !c.is_alphanumeric()));
    if let Some(mixed) = mixed_scripts(words) {
        // Named as typed: lower case and IDNA may have changed the
        // word's letters (Cherokee `ꭺ` is kept as its capital `Ꭺ`).
        let typed_words = composed.split(|c: char| !c.is_alphanumeric());
        let (first, other, word) = mixed_scripts(typed_words).unwrap_or(mixed);
        return Err(Error::invalid(format!(
            "`{}` is not a valid email address: it mixes {first} and {other} letters in `{}`, and so reads as another address",
            super::text::escape(typed),
            super::text::escape(word)
        ))
        .help("type each word of the address in one script"));
    }
    // `olıve@` with a dotless `ı`, `оӏіѵе@` all in Cyrillic, `straße@`
    // beside `strasse@`: an address in other letters that reads as one
    // in plain Latin letters would be a second mailbox that reads as
    // that one.
    // Refused whether or not that one is here, so the refusal tells
    // nothing of who is, and the order two addresses come in cannot
    // matter.
    // Read as typed too: Cherokee capitals `ᏞᎬᎾ` read as `LEO`, which
    // their small letters kept in the store do not.
    if let Some(reading) = latin_reading(&normal).or_else(|| latin_reading(&composed)) {
        return Err(Error::invalid(format!(
            "`{}` is not a valid email address: it reads as `{reading}`, written in other letters",
            super::text::escape(typed)
        ))
        .help(format!(
            "if `{reading}` is the address meant, type it in plain letters"
        )));
    }
    // `ᴍax@` with a small capital reads as `max@`: a letter no name
    // may hold, no address may either. Checked after the reading, so
    // that one which reads as an address says which.
    if let Some((c, kind)) = composed
        .chars()
        .chain(normal.chars())
        .find_map(|c| unused_letter(c).map(|k| (c, k)))
    {
        return Err(Error::invalid(format!(
            "`{}` is not a valid email address: it holds `{c}` (U+{:04X}), {kind} no address is written with, and so reads as another address",
            super::text::escape(typed),
            u32::from(c)
        ))
        .help("type the address with the letters its language uses"));
    }
    Ok(Email(normal))
}

/// Refuses `text` (what was typed, or the form it is kept in) for a
/// character an address may not hold, naming `typed`: one that shows as
/// nothing or as blank space, a backquote, or a compatibility form.
fn check_characters(typed: &str, text: &str) -> Result<()> {
    // An address is a login people tell apart by reading it: one with
    // an invisible character reads as another's. The dot above that
    // lower case gives `İ` sits where `i`'s own does, and shows.
    let mut before = None;
    let unseen_char = text.chars().find_map(|c| {
        let dot_on_i = c == '\u{307}' && matches!(before, Some('i' | 'j'));
        before = Some(c);
        unseen(c).filter(|_| !dot_on_i).map(|how| (c, how))
    });
    if let Some((c, how)) = unseen_char {
        return Err(Error::invalid(format!(
            "`{}` is not a valid email address: it holds a character that {how} (U+{:04X})",
            // Written out, or the address would read as valid.
            super::text::reveal(typed),
            u32::from(c)
        ))
        .help("type the address with visible characters only"));
    }
    if text.contains('`') {
        return Err(Error::invalid(format!(
            "`{}` is not a valid email address: it holds a backquote (U+0060)",
            super::text::escape(typed).replace('`', "\\u{60}")
        ))
        .help("type the address without backquotes"));
    }
    // A ligature (`ﬁ`), a full-width or a mathematical letter reads as
    // the plain letter it stands for, yet names another mailbox:
    // `ｆiona@` beside `fiona@` would be two people who look like one.
    if let Some(c) = text
        .chars()
        .find(|c| !c.is_ascii() && c.to_string().nfkc().ne(c.to_string().chars()))
    {
        return Err(Error::invalid(format!(
            "`{}` is not a valid email address: it holds `{c}` (U+{:04X}), a compatibility form of `{}`, and so reads as another address",
            super::text::escape(typed),
            u32::from(c),
            c.to_string().nfkc().collect::<String>()
        ))
        .help("type the address with plain letters"));
    }
    Ok(())
}

/// The address in plain Latin (ASCII) letters `address` reads as, if it
/// reads as another: each word (a run of letters, digits and marks) whose
/// letters all look like ASCII ones read as those, by their confusable
/// skeleton (UTS #39: dotless `ı` as `i`, Cyrillic `о` as `o`) or,
/// failing that, without case as names are keyed (`ß` as `ss`), and the
/// dot `İ`'s lower case puts on an `i` as the `i`'s own. So
/// `olıve@acmé.test` reads as `olive@acmé.test`. `None` for an address
/// that reads as itself (`élodie@acmé.test`), or whose every word either
/// does or still holds a letter that reads as nothing in ASCII: UTS #39's
/// skeleton keeps `ç` a `c` with a mark below and `ğ` a `g` with a breve,
/// so `çağrı@` is no plain Latin word, whatever its `ı` reads as; nor is
/// Cyrillic `асме`, whose `м` reads as no Latin `m` (its skeleton is the
/// turned `ʍ`), nor `иван@почта.рф`.
fn latin_reading(address: &str) -> Option<String> {
    if address.is_ascii() {
        return None;
    }
    let in_word =
        |c: char| c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c);
    let mut reading = String::with_capacity(address.len());
    let mut rest = address;
    while let Some(c) = rest.chars().next() {
        let len = if in_word(c) {
            rest.find(|c: char| !in_word(c)).unwrap_or(rest.len())
        } else {
            c.len_utf8()
        };
        let (word, after) = rest.split_at(len);
        let lower = word.to_lowercase();
        match word_reading(word) {
            Some(plain) if plain != lower => reading.push_str(&plain),
            _ => reading.push_str(&lower),
        }
        rest = after;
    }
    (reading != address.to_lowercase()).then_some(reading)
}

/// The word in plain Latin letters `word` reads as (lower case), when
/// each of its letters looks like one in ASCII; `None` when one reads as
/// nothing there (`ç`, `é`, Cyrillic `м`).
fn word_reading(word: &str) -> Option<String> {
    if word.is_ascii() {
        return Some(word.to_ascii_lowercase());
    }
    // Read in the case it is written in: a capital that looks like a
    // Latin one may have a small letter that does not, and a letter of no
    // case (Lisu `ꓡ`) may look like a capital. Addresses are without
    // case, so a capital reads as its small letter.
    // A letter of another script drawn as a Latin one with a bar through
    // it (Cherokee `Ꮎ`, an `O` so) reads as that letter beside others
    // that read as Latin: `ᏞᎬᎾ@` reads as `leo@`. A Latin letter with a
    // bar (`đ`) is a letter of its own.
    let plain = |s: &str, strip_bar: bool| -> Option<String> {
        let seen: String = unicode_security::skeleton(s)
            .filter(|m| !(strip_bar && *m == '\u{335}'))
            .collect();
        seen.is_ascii().then(|| seen.to_ascii_lowercase())
    };
    let mut reading = String::with_capacity(word.len());
    for c in word.chars() {
        if c.is_ascii() {
            reading.push(c.to_ascii_lowercase());
        } else if c == '\u{307}' && reading.ends_with(['i', 'j']) {
            continue;
        } else {
            let one = c.to_string();
            let folded: String = one.to_uppercase().to_lowercase();
            let strip_bar = !ScriptExtension::from(c).contains_script(Script::Latin);
            reading.push_str(&plain(&one, strip_bar).or_else(|| plain(&folded, strip_bar))?);
        }
    }
    Some(reading)
}

/// A local part without the quotes that change nothing: `"fiona"` and
/// `"fi\ona"` name the mailbox `fiona` does, so they are one person.
/// `None` for one that needs its quotes (`"a@b"`, `"a,b"`): the mail
/// library sends to no such address, and the store keeps none.
fn unquoted(local: &str) -> Option<std::borrow::Cow<'_, str>> {
    let Some(inner) = local.strip_prefix('"') else {
        return Some(local.into());
    };
    let inner = inner.strip_suffix('"')?;
    let mut plain = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => plain.push(chars.next()?),
            c => plain.push(c),
        }
    }
    let atom = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_{|}~".contains(c);
    plain
        .split('.')
        .all(|part| !part.is_empty() && part.chars().all(atom))
        .then_some(plain.into())
}

/// A domain in the one form it is kept in: IDNA's (UTS #46) Unicode form,
/// so `acmé.test` and its ASCII spelling `xn--acm-dma.test` are one
/// domain, and so one person. The reason, in words, for a domain that is
/// no host name the mailer can send to: IDNA with STD3's ASCII rules
/// (letters, digits and hyphens in each label) refuses it, it has no
/// dot, or it is an IP address, in brackets (`[192.0.2.1]`) or not; or a
/// label holds a character that is no letter, digit or mark (`acme‧test`
/// with a hyphenation point for its dot, `a☃b.test`), which UTS #46
/// lets through and IDNA 2008 does not.
fn one_domain_form(domain: &str) -> std::result::Result<String, String> {
    let named = |c: char| {
        format!(
            "`{}` (U+{:04X})",
            super::text::escape(&c.to_string()),
            u32::from(c)
        )
    };
    let host_char = |c: char| {
        c == '-' || c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
    };
    if domain.starts_with('[') {
        return Err(
            "its domain is an IP address, and mail is sent only to a domain name".to_string(),
        );
    }
    let Ok(ascii) = idna::domain_to_ascii_strict(domain) else {
        return Err(match domain.chars().find(|c| *c != '.' && !host_char(*c)) {
            Some(c) => format!(
                "its domain holds {}, and a domain name is letters, digits and hyphens between dots",
                named(c)
            ),
            None => "its domain is no domain name".to_string(),
        });
    };
    let unicode: String = match idna::domain_to_unicode(&ascii) {
        (unicode, Ok(())) => unicode.nfc().collect(),
        (_, Err(_)) => return Err("its domain is no domain name".to_string()),
    };
    if let Some(c) = unicode.chars().find(|c| *c != '.' && !host_char(*c)) {
        return Err(format!(
            "its domain holds {}, and a domain name is letters, digits and hyphens between dots",
            named(c)
        ));
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return Err(
            "its domain is no domain name: it needs a dot between names, as in `acme.test`"
                .to_string(),
        );
    }
    // A name that ends in a number is read as an IP address (`127.0.0.1`).
    if labels
        .last()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(
            "its domain is an IP address, and mail is sent only to a domain name".to_string(),
        );
    }
    Ok(unicode)
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The key a name is found and kept apart by: its letters composed as
/// Unicode's NFC writes them (a precomposed `Ä` and `A` with a combining
/// diaeresis are one), then without case for every script's letters, not
/// only ASCII's (`ÆRØ SHOP` is `ærø shop`, `STRASSE` is `straße`'s
/// `strasse`), each run of spaces of any kind one plain space. Account
/// names, policy names and address labels compare so.
pub(crate) fn name_key(name: &str) -> String {
    let name = name.trim();
    if name.is_ascii()
        && !name.contains(|c: char| c.is_ascii_whitespace() && c != ' ')
        && !name.contains("  ")
    {
        return name.to_ascii_lowercase();
    }
    // Every space is one plain space, and a run of them one: `Acme`, a
    // no-break space, `Ltd` reads as `Acme Ltd` (migration 25 wrote the
    // keys anew so). A tab or line break a name was never let hold
    // folds too, for a key only compares.
    let name = fold_spaces(name, |_| true);
    if name.is_ascii() {
        return name.to_ascii_lowercase();
    }
    // Upper then lower case folds what lower case alone leaves apart
    // (`ß` and `SS`, `ς` and `σ`); NFC again, as changing case may
    // leave a letter decomposed (`ǰ`).
    let composed: String = name.nfc().collect();
    composed.to_uppercase().to_lowercase().nfc().collect()
}

/// The skeleton a name's look-alikes share: Unicode's confusable skeleton
/// (UTS #39) of its [`name_key`], so `Соре` written all in Cyrillic and
/// `Cope` in Latin have one, as do `ΡΑΝ` in Greek and `PAN`. Two names of
/// different keys and one skeleton are two names that look alike on a
/// screen. Account names, policy names and address labels are told from
/// their look-alikes so (migration 28).
///
/// The name is read as its skeleton before its case is folded too: a
/// capital that looks like a Latin one may have a small letter that does
/// not (Cyrillic `ТОР` is `TOP`, its `тор` is not `top`), and a name is
/// seen in the case it is written in.
pub(crate) fn name_skeleton(name: &str) -> String {
    let seen: String = unicode_security::skeleton(name).collect();
    unicode_security::skeleton(&name_key(&seen)).collect()
}

/// The skeletons a name reads as: its [`name_skeleton`], and, when it
/// holds a capital letter that looks like `I` (Latin `I`, Lisu `ꓲ`),
/// its skeleton with each such capital read as `i`. Unicode's
/// confusables read that capital as `l`, which is half of what it shows:
/// `PayPaI` reads as `PayPal`, but a name all in capitals reads as the
/// capitals of another (`ꓝꓮꓐꓣꓲꓗꓮꓟ` in Lisu as `FABRIKAM`, so as
/// `Fabrikam`). Two names look alike when they share a reading.
pub(crate) fn name_readings(name: &str) -> Vec<String> {
    let plain = name_skeleton(name);
    let capital_i = |c: char| {
        c != 'l'
            && c.is_alphabetic()
            && !c.is_lowercase()
            && unicode_security::skeleton(&c.to_string()).eq("l".chars())
    };
    if !name.chars().any(capital_i) {
        return vec![plain];
    }
    let read: String = name
        .chars()
        .map(|c| if capital_i(c) { 'i' } else { c })
        .collect();
    let as_i = name_skeleton(&read);
    if as_i == plain {
        vec![plain]
    } else {
        vec![plain, as_i]
    }
}

/// Whether two names look alike: they share one of their
/// [`name_readings`].
pub(crate) fn look_alike(a: &str, b: &str) -> bool {
    let theirs = name_readings(b);
    name_readings(a).iter().any(|r| theirs.contains(r))
}

/// The key a name's look-alike candidates are found by, by equality: its
/// [`name_skeleton`] with `i` and `l` one letter, so every name it shares
/// a reading with (see [`name_readings`]) has it too, whichever way a
/// capital `I` is read. It only narrows the rows read: `Mail` and `Mall`
/// share it and look alike by no reading, which [`look_alike`] decides
/// (migration 33).
pub(crate) fn loose_skeleton(name: &str) -> String {
    name_skeleton(name).replace('i', "l")
}

/// An order reference as it reads, for telling look-alikes apart: its
/// compatibility form (`¹⁰⁰¹` is `1001`, full-width letters are letters)
/// with every dash read as `-`, which Unicode's confusables leave apart
/// (an en or em dash beside a hyphen). An approver copies a reference
/// from a list, where these read as one.
pub(crate) fn reference_reading(reference: &str) -> String {
    reference
        .nfkc()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}'
            | '\u{2212}'
            | '\u{2E3A}'
            | '\u{2E3B}'
            | '\u{FE58}'
            | '\u{FE63}'
            | '\u{FF0D}'
            | '\u{30FC}' => '-',
            c => c,
        })
        .collect()
}

/// The loose skeleton of an order reference's reading (see
/// [`reference_reading`], [`loose_skeleton`]): what migration 35 stores
/// and a new reference's look-alikes are found by.
pub(crate) fn reference_loose(reference: &str) -> String {
    loose_skeleton(&reference_reading(reference))
}

/// Whether two order references look alike: their readings do (see
/// [`reference_reading`], [`look_alike`]).
pub(crate) fn references_look_alike(a: &str, b: &str) -> bool {
    look_alike(&reference_reading(a), &reference_reading(b))
}

/// Whether two names are one by [`name_key`].
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim()) || name_key(a) == name_key(b)
}

/// Refuses (exit 2) a name (`what`: "the account name") that reads as
/// another by its letters alone: one of its words mixes scripts
/// (`Fabrіkam` with a Cyrillic `і`, `Ꭰcme` with a Cherokee `Ꭰ`), or it
/// holds a letter no living language writes names with (`Faʙrikam`
/// with a small capital, see [`unused_letter`]). A name may be written in
/// any script word by word (`Acme Россия`), and a word may mix Latin
/// with the scripts Japanese, Korean and Chinese write beside it
/// (`Tシャツ`), as UTS #39's Highly Restrictive level allows.
pub(crate) fn one_script_per_word(what: &str, name: &str) -> Result<()> {
    // An ASCII word is in one script and no ASCII letter is refused.
    if name.is_ascii() {
        return Ok(());
    }
    letters_in_one_script(what, name)
}

/// [`one_script_per_word`]'s rule in full, for any name.
pub(super) fn letters_in_one_script(what: &str, name: &str) -> Result<()> {
    if let Some((first, other, word)) = mixed_scripts(name.split_whitespace()) {
        return Err(Error::invalid(format!(
            "{what} `{}` mixes {first} and {other} letters in `{}`, and so reads as another name",
            super::text::escape(name),
            super::text::escape(word)
        ))
        .help("write each word in one script"));
    }
    if let Some((c, kind)) = name.chars().find_map(|c| unused_letter(c).map(|k| (c, k))) {
        return Err(Error::invalid(format!(
            "{what} `{}` holds `{c}` (U+{:04X}), {kind} no name is written with, and so reads as another name",
            super::text::escape(name),
            u32::from(c)
        ))
        .help("write the name with the letters its language uses"));
    }
    Ok(())
}

/// What [`one_script_per_word`] finds wrong with a name an older version
/// stored, in a few words; `None` when a new name may be so.
pub(crate) fn letters_problem(name: &str) -> Option<String> {
    // As [`one_script_per_word`] reads it: nothing for ASCII.
    if name.is_ascii() {
        return None;
    }
    problem_of_letters(name)
}

/// [`letters_problem`]'s rule in full, for any name.
pub(super) fn problem_of_letters(name: &str) -> Option<String> {
    if let Some((first, other, _)) = mixed_scripts(name.split_whitespace()) {
        return Some(format!("mixes {first} and {other} letters in a word"));
    }
    name.chars()
        .find_map(|c| unused_letter(c).map(|kind| format!("holds U+{:04X}, {kind}", u32::from(c))))
}

/// What kind of letter `c` is when no name may hold it: one UTS #39's
/// General Security Profile keeps out of identifiers as technical
/// (phonetic letters, small capitals `ʙ` `ᴍ`), obsolete (`ĸ`),
/// deprecated or of a historic script, and a Latin, Greek or Cyrillic one
/// out of common use (`ƅ`), which beside the common letters of its script
/// reads as one of them and that Unicode's confusables do not map.
/// Letters of scripts of limited use (Cherokee, N'Ko, Vai, Mongolian ...)
/// stay allowed: people write their names in them. Compatibility letters
/// (full-width, mathematical) stay too: names are compared by their plain
/// form, so they are refused beside the name they imitate.
fn unused_letter(c: char) -> Option<&'static str> {
    use unicode_security::general_security_profile::IdentifierType as T;
    use unicode_security::GeneralSecurityProfile;
    if c.is_ascii() || !c.is_alphabetic() {
        return None;
    }
    match c.identifier_type()? {
        T::Technical => Some("a phonetic or technical letter"),
        T::Obsolete => Some("an obsolete letter"),
        T::Deprecated => Some("a deprecated letter"),
        T::Exclusion => Some("a letter of a historic script"),
        T::Uncommon_Use => {
            let script = ScriptExtension::from(c);
            [Script::Latin, Script::Greek, Script::Cyrillic]
                .into_iter()
                .any(|s| script.contains_script(s))
                .then_some("a letter out of common use")
        }
        _ => None,
    }
}

/// The first word whose letters share no script (UTS #39's resolved
/// script set is empty), but for Latin beside Han, kana, Hangul or
/// Bopomofo, with the two scripts it mixes.
fn mixed_scripts<'a>(
    words: impl Iterator<Item = &'a str>,
) -> Option<(&'static str, &'static str, &'a str)> {
    for word in words {
        if word.is_ascii() || word.is_single_script() {
            continue;
        }
        // Highly Restrictive: what is left without the Latin letters is
        // one of the CJK sets (Japanese, Korean, Chinese with Bopomofo).
        let mut without_latin = AugmentedScriptSet::default();
        for c in word.chars() {
            let set = AugmentedScriptSet::for_char(c);
            if !set.base.contains_script(Script::Latin) {
                without_latin.intersect_with(set);
            }
        }
        if without_latin.jpan || without_latin.kore || without_latin.hanb {
            continue;
        }
        let mut seen = ScriptExtension::default();
        for c in word.chars() {
            let next = seen.intersection(ScriptExtension::from(c));
            if next.is_empty() {
                let name = |e: ScriptExtension| e.iter().next().map_or("other", Script::full_name);
                return Some((name(seen), name(c.into()), word));
            }
            seen = next;
        }
    }
    None
}

/// Reads a person's or account's display name (and the other names a user
/// gives: policies, cost centres, services): a [`Text`] that is not empty.
pub(crate) fn parse_name(what: &str, s: &str) -> Result<String> {
    Text::parse(what, s)?.required(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let e: Email = "  Ann@Acme.TEST ".parse().expect("valid");
        assert_eq!(e.as_str(), "ann@acme.test");
        // A letter typed decomposed is the same login as typed composed.
        let composed: Email = "\u{fc}na@acme.test".parse().expect("composed");
        let decomposed: Email = "U\u{308}na@acme.test".parse().expect("decomposed");
        assert_eq!(composed, decomposed);
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "", "ann", "ann@", "@acme.test", "a b@acme.test", "ann@@acme.test",
            "\"a\u{1b}[2J\"@acme.test", "\"a\u{202e}b\"@acme.test", "a\u{202e}b@acme.test",
            "olive\u{200b}@acme.test", "ol\u{00ad}ive@acme.test", "olive@acme\u{2060}.test",
            "olive\u{115f}@acme.test", "olive\u{2800}@acme.test", "olive\u{a0}@acme.test",
            "olive\u{202f}@acme.test", "olive\u{3000}@acme.test", "olive\u{13430}@acme.test",
            "a`id`@acme.test", "\"a`b\"@acme.test",
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad:?} should be refused");
        }
    }

    /// Each address as it is kept, or the exit its refusal gives: one
    /// mailbox has one spelling, and none reads as another.
    #[test]
    fn addresses_have_one_spelling_and_read_as_no_other() {
        for (typed, kept) in [
            ("fiona@acme.test", Ok("fiona@acme.test")),
            ("FIONA@ACME.test", Ok("fiona@acme.test")),
            ("\"fiona\"@acme.test", Ok("fiona@acme.test")),
            ("\"fi\\ona\"@Acme.test", Ok("fiona@acme.test")),
            ("\"fi.ona\"@acme.test", Ok("fi.ona@acme.test")),
            // Quotes the mail library cannot send to (findings A6, A11).
            ("\"a@b\"@acme.test", Err(2)),
            ("\"fiona@acme.test\"@evil.test", Err(2)),
            ("\"a..b\"@acme.test", Err(2)),
            ("\"a,b\"@acme.test", Err(2)),
            ("\"x\\\"y\"@acme.test", Err(2)),
            ("\"$(id)\"@acme.test", Err(2)),
            ("\"\"@acme.test", Err(2)),
            ("o'neil+x@sub.acme.test", Ok("o'neil+x@sub.acme.test")),
            (
                "\u{e9}lodie@acm\u{e9}.test",
                Ok("\u{e9}lodie@acm\u{e9}.test"),
            ),
            (
                "\u{e9}lodie@xn--acm-dma.test",
                Ok("\u{e9}lodie@acm\u{e9}.test"),
            ),
            (
                "\u{e9}lodie@ACM\u{c9}.test",
                Ok("\u{e9}lodie@acm\u{e9}.test"),
            ),
            (
                "ivan@\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}",
                Ok("ivan@\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}"),
            ),
            (
                "\u{438}\u{432}\u{430}\u{43d}.smith@acme.test",
                Ok("\u{438}\u{432}\u{430}\u{43d}.smith@acme.test"),
            ),
            // IP addresses, and domains that are no host name: the mailer
            // sends to none (findings B10, F5).
            ("fiona@[192.0.2.1]", Err(2)),
            ("x@[127.0.0.1]", Err(2)),
            ("x@[::1]", Err(2)),
            ("x@[IPv6:::1]", Err(2)),
            ("x@127.0.0.1", Err(2)),
            ("x@a/b.test", Err(2)),
            ("x@a&b.test", Err(2)),
            ("x@a?b.test", Err(2)),
            ("x@a{b.test", Err(2)),
            ("x@a\u{2603}b.test", Err(2)),
            ("x@xn--ab-sgw.test", Err(2)),
            ("x@a_b.test", Err(2)),
            ("x@a b.test", Err(2)),
            ("x@-acme.test", Err(2)),
            ("x@acme-.test", Err(2)),
            ("x@localhost", Err(2)),
            ("x@acme.test.", Err(2)),
            ("x@acme..test", Err(2)),
            ("x@.acme.test", Err(2)),
            ("x@a-b.test", Ok("x@a-b.test")),
            ("x@3com.test", Ok("x@3com.test")),
            ("x@sub.acme.test", Ok("x@sub.acme.test")),
            ("x_y@acme.test", Ok("x_y@acme.test")),
            // Marks that look like the domain's dot (finding B9).
            ("olive@acme\u{2027}test", Err(2)),
            ("olive@acme\u{b7}test", Err(2)),
            ("olive@acme\u{30fb}test", Err(2)),
            ("olive@acme\u{2219}test", Err(2)),
            ("olive@acme\u{22c5}test", Err(2)),
            // Small capitals and other technical letters, refused in
            // names too, and addresses wholly in Cherokee or Lisu
            // letters that read as Latin ones (finding B4).
            ("\u{1d0d}ax@acme.test", Err(2)),
            ("o\u{29f}ive@acme.test", Err(2)),
            ("\u{a730}iona@acme.test", Err(2)),
            ("oliv\u{1d07}@acme.test", Err(2)),
            ("olive@\u{1d00}cme.test", Err(2)),
            ("fiona@acme.tes\u{1d1b}", Err(2)),
            ("\u{13de}\u{13ac}\u{13be}@acme.test", Err(2)),
            ("\u{ab8e}\u{ab7c}\u{ab8e}@acme.test", Ok("\u{ab8e}\u{ab7c}\u{ab8e}@acme.test")),
            ("\u{a4e1}\u{a4f0}\u{a4f3}@acme.test", Err(2)),
            ("\u{13df}\u{13aa}\u{13a1}\u{13de}@contoso.test", Err(2)),
            ("\u{111}or\u{111}e@acme.test", Ok("\u{111}or\u{111}e@acme.test")),
            // Cyrillic `а` in the domain, `і` in the local part.
            ("fiona@\u{430}cme.test", Err(2)),
            ("f\u{456}ona@acme.test", Err(2)),
            // The same, in the domain's ASCII spelling.
            ("fiona@xn--cme-5cd.test", Err(2)),
            ("fiona@acme.\u{3c4}est", Err(2)),
            // A ligature, full-width and mathematical letters.
            ("\u{fb01}ona@acme.test", Err(2)),
            ("\u{ff46}iona@acme.test", Err(2)),
            ("\u{1d5bf}iona@acme.test", Err(2)),
            ("fiona@acme\u{ff0e}test", Err(2)),
            ("fiona@xn--.test", Err(2)),
            // Other letters that read as an ASCII address, whether or not
            // that one is anyone's (findings A7, A14, N10).
            ("ol\u{131}ve@acme.test", Err(2)),
            ("\u{43e}\u{4cf}\u{456}\u{475}\u{435}@acme.test", Err(2)),
            ("olive@\u{430}\u{441}\u{435}.test", Err(2)),
            ("stra\u{df}e@contoso.test", Err(2)),
            ("STRA\u{1e9e}E@contoso.test", Err(2)),
            ("strasse@contoso.test", Ok("strasse@contoso.test")),
            ("\u{130}lker@acme.test", Err(2)),
            ("x@\u{130}stanbul.test", Err(2)),
            ("x@xn--istanbul-o0e.test", Err(2)),
            ("i\u{307}lker@acme.test", Err(2)),
            // In a word of ASCII letters, beside other words that are
            // not: `olive@acmé.test`.
            ("ol\u{131}ve@acm\u{e9}.test", Err(2)),
            // A word holding a letter that reads as nothing in ASCII is
            // no plain Latin word, whatever its other letters read as:
            // Turkish `çağrı` (`ç` is `c` with a mark below, `ğ` a `g`
            // with a breve, to UTS #39's skeleton), `İlkçe`.
            (
                "\u{e7}a\u{11f}r\u{131}@firma.test",
                Ok("\u{e7}a\u{11f}r\u{131}@firma.test"),
            ),
            (
                "\u{c7}A\u{11e}RI@FIRMA.TEST",
                Ok("\u{e7}a\u{11f}ri@firma.test"),
            ),
            ("\u{130}lk\u{e7}e@acme.test", Ok("i\u{307}lk\u{e7}e@acme.test")),
            ("ol\u{131}ve@firma.test", Err(2)),
            ("\u{131}lker@firma.test", Err(2)),
            ("gro\u{df}e@contoso.test", Err(2)),
            ("gr\u{f6}\u{df}e@contoso.test", Ok("gr\u{f6}\u{df}e@contoso.test")),
            // A whole-script Cyrillic label reads as a Latin one only when
            // every letter does (UTS #39's whole-script confusable):
            // `асе` as `ace`, but not `асме`, whose `м` is no `m` (its
            // skeleton is the turned `ʍ`). Typed in capitals, `АСМЕ`
            // reads as `ACME`, as typed.
            ("olive@\u{430}\u{441}\u{43c}\u{435}.test", Ok("olive@\u{430}\u{441}\u{43c}\u{435}.test")),
            ("olive@\u{410}\u{421}\u{41c}\u{415}.test", Err(2)),
            // Cyrillic letters that look Latin, in a Cyrillic word.
            (
                "\u{441}\u{435}\u{440}\u{433}\u{435}\u{439}@acme.test",
                Ok("\u{441}\u{435}\u{440}\u{433}\u{435}\u{439}@acme.test"),
            ),
            (
                "\u{15f}\u{fc}kr\u{fc}@acme.test",
                Ok("\u{15f}\u{fc}kr\u{fc}@acme.test"),
            ),
            (
                "\u{438}\u{432}\u{430}\u{43d}@\u{43f}\u{43e}\u{447}\u{442}\u{430}.\u{440}\u{444}",
                Ok("\u{438}\u{432}\u{430}\u{43d}@\u{43f}\u{43e}\u{447}\u{442}\u{430}.\u{440}\u{444}"),
            ),
            ("\u{1c4}emal@acme.test", Err(2)),
        ] {
            let got = typed.parse::<Email>();
            assert_eq!(
                got.as_ref().map(Email::as_str).map_err(|e| e.exit_code()),
                kept,
                "{typed:?}: {:?}",
                got.as_ref().err().map(|e| e.to_string())
            );
            // What is kept is read back as itself: a copy takes it.
            if let Ok(kept) = got {
                assert_eq!(kept.as_str().parse::<Email>().ok(), Some(kept.clone()));
            }
        }
    }

    /// Whatever the parser accepts, the mail library can send: as an
    /// address, as a mailbox, and as a message's sender and recipient
    /// (findings B10, F5: an address it could not was retried forever).
    #[test]
    fn every_accepted_address_is_one_the_mailer_takes() {
        for typed in [
            "fiona@acme.test",
            "\"fi.ona\"@acme.test",
            "o'neil+x@sub.acme.test",
            "x_y@acme.test",
            "x@a-b.test",
            "x@3com.test",
            "\u{e9}lodie@acm\u{e9}.test",
            "\u{e9}lodie@xn--acm-dma.test",
            "ivan@\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.\u{440}\u{444}",
            "\u{441}\u{435}\u{440}\u{433}\u{435}\u{439}@acme.test",
            "\u{15f}\u{fc}kr\u{fc}@acme.test",
            "\u{438}\u{432}\u{430}\u{43d}@\u{43f}\u{43e}\u{447}\u{442}\u{430}.\u{440}\u{444}",
            "\u{ab8e}\u{ab7c}\u{ab8e}@acme.test",
            "strasse@contoso.test",
        ] {
            let kept: Email = typed.parse().expect(typed);
            let kept = kept.as_str();
            let address: lettre::Address = kept.parse().expect(kept);
            let mailbox: lettre::message::Mailbox = kept.parse().expect(kept);
            let message = lettre::Message::builder()
                .from(mailbox.clone())
                .to(mailbox)
                .subject("x")
                .body(String::new());
            assert!(message.is_ok(), "{typed:?}: {:?}", message.err());
            assert_eq!(address.to_string(), kept);
        }
    }

    /// A refusal names what was typed, not what lower case or IDNA made
    /// of it (finding N9), and says which ASCII address a look-alike
    /// reads as: derived from what was typed, so it tells nothing of
    /// who is here.
    #[test]
    fn a_refused_address_names_what_was_typed() {
        let message = |typed: &str| typed.parse::<Email>().expect_err(typed).to_string();
        for (typed, says) in [
            ("\u{130}lker@acme.test", "reads as `ilker@acme.test`"),
            ("x@\u{130}stanbul.test", "reads as `x@istanbul.test`"),
            ("x@xn--istanbul-o0e.test", "reads as `x@istanbul.test`"),
            ("ol\u{131}ve@acme.test", "reads as `olive@acme.test`"),
            (
                "ol\u{131}ve@acm\u{e9}.test",
                "reads as `olive@acm\u{e9}.test`",
            ),
            (
                "stra\u{df}e@contoso.test",
                "reads as `strasse@contoso.test`",
            ),
            ("ol\u{131}ve@firma.test", "reads as `olive@firma.test`"),
            (
                "olive@\u{410}\u{421}\u{41c}\u{415}.test",
                "reads as `olive@acme.test`",
            ),
            ("\u{1c4}emal@acme.test", "holds `\u{1c4}` (U+01C4)"),
            ("\"a@b\"@acme.test", "needs quotes"),
            (
                "\u{1d0d}ax@acme.test",
                "holds `\u{1d0d}` (U+1D0D), a phonetic or technical letter",
            ),
            (
                "\u{13de}\u{13ac}\u{13be}@acme.test",
                "reads as `leo@acme.test`",
            ),
            ("x@[::1]", "its domain is an IP address"),
            ("x@a/b.test", "its domain holds `/` (U+002F)"),
            ("x@a_b.test", "its domain holds `_` (U+005F)"),
            (
                "olive@acme\u{2027}test",
                "its domain holds `\u{2027}` (U+2027)",
            ),
            ("x@localhost", "needs a dot"),
            // Cherokee small `ꭺ`, which IDNA keeps as its capital `Ꭺ`
            // (finding F8).
            ("x@\u{ab7a}cme.test", "letters in `\u{ab7a}cme`"),
        ] {
            let got = message(typed);
            assert!(
                got.starts_with(&format!("`{typed}` is not a valid")),
                "{got}"
            );
            assert!(got.contains(says), "{typed:?}: {got}");
            assert!(!got.contains("U+0307"), "{got}");
        }
    }

    /// What the store hands back as an email is an address a parse gives,
    /// or refused: a file edited by hand prints nothing a parse refuses
    /// for printing's sake.
    #[test]
    fn stored_emails_are_taken_only_in_their_parsed_form() {
        for good in ["ann@acme.test", "o'neil+x@sub.acme.test"] {
            let parsed: Email = good.parse().expect("valid");
            assert_eq!(Email::stored(good.to_string()), Ok(parsed));
        }
        for bad in [
            "", "ann", "ann@", "@acme.test", "a b@acme.test", "ann@@acme.test", "Ann@acme.test",
            "a\u{1b}[2J@acme.test", "a\u{202e}b@acme.test", "<a@acme.test>",
        ] {
            assert_eq!(
                Email::stored(bad.to_string()),
                Err(bad.to_string()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn name_keys_are_composed_and_without_case_in_every_script() {
        for (a, b) in [
            ("Ærø Shop", "ærø shop"),
            ("ÆRØ SHOP", " ærø Shop "),
            ("\u{C4}rø", "A\u{308}RØ"),
            ("STRASSE", "straße"),
            ("ΣΑΣ", "σας"),
            ("Acme LTD", "acme ltd"),
        ] {
            assert_eq!(name_key(a), name_key(b), "{a:?} {b:?}");
            assert!(same_name(a, b));
        }
        assert_ne!(name_key("Ärø"), name_key("Arø"));
        assert_eq!(name_key("A\u{308}"), "\u{E4}");
    }

    /// A whole word in Cyrillic or Greek that looks like a Latin one has
    /// its skeleton, in either case; one that looks like no other word
    /// (a Russian company's name) keeps its own.
    #[test]
    fn look_alikes_in_other_scripts_share_a_skeleton() {
        for (latin, other) in [
            ("Cope", "\u{421}\u{43e}\u{440}\u{435}"),
            ("COPE", "\u{421}\u{43e}\u{440}\u{435}"),
            ("TOP Ltd", "\u{422}\u{41e}\u{420} Ltd"),
            ("PAN", "\u{3a1}\u{391}\u{39d}"),
            ("Acme Ltd", "acme\u{a0}LTD"),
        ] {
            assert_eq!(name_skeleton(latin), name_skeleton(other), "{other:?}");
        }
        for (a, b) in [
            (
                "Romashka",
                "\u{420}\u{43e}\u{43c}\u{430}\u{448}\u{43a}\u{430}",
            ),
            ("Acme", "Acne"),
            ("top", "\u{442}\u{43e}\u{440}"),
        ] {
            assert_ne!(name_skeleton(a), name_skeleton(b), "{a:?} {b:?}");
        }
    }

    /// A capital that looks like `I` reads as `l` and, in capitals, as
    /// `i`: two names look alike when they share a reading (finding B11),
    /// and any two that do share the key their candidates are found by.
    #[test]
    fn a_capital_i_is_read_both_ways() {
        let lisu = "\u{a4dd}\u{a4ee}\u{a4d0}\u{a4e3}\u{a4f2}\u{a4d7}\u{a4ee}\u{a4df}";
        let office = "\u{a4f3}\u{a4dd}\u{a4dd}\u{a4f2}\u{a4da}\u{a4f0} \u{a4e2}\u{a4f4}\u{a4f2}\u{a4d4}\u{a4f0}";
        for (a, b, alike) in [
            ("Fabrikam", lisu, true),
            ("FABRIKAM", lisu, true),
            ("Office Suite", office, true),
            ("PayPal", "PayPaI", true),
            ("Kilo Inc", "KILO INC", true),
            ("Mail", "Mall", false),
            ("Fabrikam", "Fabr1kam", false),
            // Unicode reads a `1` as `l`, not as `i`.
            ("Client 1", "Client l", true),
            ("top", "\u{442}\u{43e}\u{440}", false),
            ("Lisa", "\u{a4e1}\u{a4f2}\u{a4e2}\u{a4f4}", false),
            // Cherokee `ᏦᏆᏞᎾ`: Unicode's confusables read no `K` in `Ꮶ`.
            ("Kilo", "\u{13e6}\u{13c6}\u{13de}\u{13be}", false),
        ] {
            assert_eq!(look_alike(a, b), alike, "{a:?} {b:?}");
            assert_eq!(look_alike(b, a), alike, "{b:?} {a:?}");
            if alike {
                assert_eq!(loose_skeleton(a), loose_skeleton(b), "{a:?} {b:?}");
            }
        }
        // Names told apart by more than an `i` or `l` are found apart.
        assert_ne!(loose_skeleton("Client 1"), loose_skeleton("Client 2"));
    }

    /// Each name as a new account, policy, label or product name reads:
    /// accepted, or refused (exit 2) for a word mixing scripts or a letter
    /// no name is written with (finding A2); real names of every language
    /// stay names.
    #[test]
    fn names_that_read_as_another_by_their_letters_are_refused() {
        for bad in [
            "Fabr\u{456}kam", "Cont\u{43e}so Ltd", "Acme \u{391}cme", "\u{440}ay",
            // Cherokee `Ꭰ` in a Latin word, Armenian `օ`.
            "\u{13a0}cme Ltd", "C\u{585}ntoso",
            // Small capitals, IPA, kra, Zhuang tone six, long-leg r.
            "Fa\u{299}rikam", "Fabrika\u{1d0d}", "Fabri\u{138}am", "Fa\u{185}rikam", "\u{280}ed",
            // Cyrillic beside Greek, Han beside Cyrillic.
            "\u{3b1}\u{431}", "\u{43c}\u{43e}\u{441}\u{6f22}",
        ] {
            let err = one_script_per_word("the account name", bad).expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(letters_problem(bad).is_some(), "{bad}");
        }
        for good in [
            "Fabrikam",
            "Fabr1kam",
            "\u{c6}r\u{f8} Shop",
            "Acme \u{420}\u{43e}\u{441}\u{441}\u{438}\u{44f}",
            "\u{391}\u{3b8}\u{3ae}\u{3bd}\u{3b1} Ltd",
            "Acme-7 GmbH",
            "\u{682a}\u{5f0f}\u{4f1a}\u{793e} Acme",
            // Latin in a Japanese or Korean word, as UTS #39 allows.
            "T\u{30b7}\u{30e3}\u{30c4}",
            "K\u{d31d}",
            // Cherokee, Azerbaijani schwa, Hausa hooked letters, Hawaiian
            // okina, Vietnamese, Turkish dotless i, Icelandic thorn.
            "\u{13e3}\u{13b3}\u{13a9}",
            "\u{259}li",
            "\u{253}\u{257}\u{199}",
            "Hawai\u{2bb}i",
            "Nguy\u{1ec5}n",
            "Ispar\u{131}s",
            "\u{de}\u{f3}r",
            "Caf\u{e9} Suite",
            // Full-width: compared by its plain form instead.
            "\u{ff26}\u{ff21}\u{ff22}",
        ] {
            assert!(
                one_script_per_word("the account name", good).is_ok(),
                "{good}"
            );
            assert_eq!(letters_problem(good), None, "{good}");
        }
    }

    #[test]
    fn names_refuse_bidi_and_control_characters() {
        assert_eq!(parse_name("the name", "  Ann  ").expect("clean"), "Ann");
        assert!(parse_name("the name", "   ").is_err());
        for bad in [
            "A\u{202e}nn", "A\u{2066}nn", "A\u{1b}[31mnn", "A\nnn", "A\u{9b}nn",
        ] {
            assert_eq!(
                parse_name("the name", bad).map_err(|e| e.exit_code()),
                Err(2)
            );
        }
    }
}
