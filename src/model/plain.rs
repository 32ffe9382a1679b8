//! The all-ASCII fast path of the address and name rules. A file of many
//! users gives each an address and a name, nearly always in plain
//! printable ASCII, where Unicode's normalisation changes nothing and no
//! letter can belong to a second script: the full rules (NFC, NFKC, IDNA,
//! scripts, confusable readings) would spend most of their time proving
//! so. What is read here is a strict subset of what the full rules
//! accept, answered exactly as they answer it; anything outside it (any
//! character past ASCII, a quote, a `xn--` label, a length near a limit)
//! is left to them, so every refusal, and every look-alike, is still
//! theirs to find.

/// The form an address is kept in, when `typed` (trimmed) is a plain one:
/// printable ASCII, one `@`, before it dot-separated atoms of RFC 5322's
/// characters (no quotes, no backquote), after it two or more labels of
/// letters, digits and hyphens, none at a label's ends or two in a row,
/// the last not all digits; within RFC 5321's lengths, with room to
/// spare. That form is the address in lower case, which is what the full
/// rule keeps for it. `None` for any other, which the full rule reads.
pub(super) fn address(typed: &str) -> Option<String> {
    // RFC 5321's path and local part, and DNS's label.
    const MOST: usize = 254;
    const MOST_LOCAL: usize = 64;
    const MOST_LABEL: usize = 63;
    if typed.len() > MOST {
        return None;
    }
    let (local, domain) = typed.split_once('@')?;
    if local.is_empty() || local.len() > MOST_LOCAL {
        return None;
    }
    let atom = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_{|}~".contains(&b);
    if !local
        .split('.')
        .all(|part| !part.is_empty() && part.bytes().all(atom))
    {
        return None;
    }
    let mut labels = 0;
    let mut last = "";
    for label in domain.split('.') {
        let host = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
        // Two hyphens in a row start a `xn--` label (IDNA's, which reads
        // as Unicode) or are one IDNA refuses: the full rule reads them.
        if label.is_empty()
            || label.len() > MOST_LABEL
            || !label.bytes().all(host)
            || label.starts_with('-')
            || label.ends_with('-')
            || label.contains("--")
        {
            return None;
        }
        labels += 1;
        last = label;
    }
    // A domain ending in a number reads as an IP address.
    if labels < 2 || last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(typed.to_ascii_lowercase())
}

/// Whether `s` is printable ASCII (space to `~`) without a backquote: text
/// that holds no character a [`Text`](super::Text) refuses, and that
/// Unicode's NFC leaves as it is.
pub(super) fn text(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'`')
}

#[cfg(test)]
mod tests {
    use super::super::names::{letters_in_one_script, parse_address, problem_of_letters};
    use super::super::text::refused_by_rule;
    use super::super::{letters_problem, one_script_per_word, refused, Email};

    /// Every printable ASCII character, and a few control ones.
    fn characters() -> impl Iterator<Item = char> {
        (0x20u8..0x7f)
            .chain([0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x7f])
            .map(char::from)
    }

    /// `base` with each character of [`characters`] put before each of its
    /// characters and at its end, and put in place of each.
    fn spread(base: &str) -> Vec<String> {
        let chars: Vec<char> = base.chars().collect();
        let mut out = Vec::new();
        for c in characters() {
            for i in 0..=chars.len() {
                let mut inserted = chars.clone();
                inserted.insert(i, c);
                out.push(inserted.into_iter().collect());
                if i < chars.len() {
                    let mut replaced = chars.clone();
                    replaced[i] = c;
                    out.push(replaced.into_iter().collect());
                }
            }
        }
        out
    }

    /// Addresses at and around the edges the fast path draws: empty,
    /// spaces, dots and `@`s in every place, lengths at each limit, the
    /// letters and digits that look alike, IDNA's `xn--`, numbers for a
    /// domain, and a few past ASCII that the full rule must read.
    fn addresses() -> Vec<String> {
        let mut all: Vec<String> = [
            "", " ", "@", "@@", ".", "a@b", "a@b.", "a@.b", ".a@b.test", "a.@b.test",
            "a..b@c.test", "a@b..test", "a@b.test.", "a@.b.test", " ann@acme.test ",
            "ann @acme.test", "ann@ acme.test", "ann@acme .test", "a nn@acme.test",
            "ann@acme.test@", "@ann@acme.test", "ann@@acme.test", "ann@acme@test",
            "\tann@acme.test\n", "ann@acme.test\u{0}", "IlI0O@acme.test", "lIl0O@ACME.TEST",
            "O0o@0O0.test", "Il1@l1I.test", "ann@acme.1", "ann@1.2.3.4", "ann@acme.123",
            "ann@123.test", "ann@acme.t3st", "0@0.o", "ann@-acme.test", "ann@acme-.test",
            "ann@ac--me.test", "ann@xn--acm-bma.test", "ann@XN--ACM-BMA.TEST", "ann@xn--.test",
            "ann@a-b.c-d.test", "ann@[192.0.2.1]", "\"ann\"@acme.test", "\"a@b\"@acme.test",
            "a\\b@acme.test", "a`b@acme.test", "a<b>@acme.test", "a(b)@acme.test", "a,b@acme.test",
            "a;b@acme.test", "a:b@acme.test", "a[b]@acme.test", "o'neil+x@sub.acme.test",
            "!#$%&'*+-/=?^_{|}~@acme.test", "ann@acme_corp.test", "ann@acme.te_st",
            "\u{e9}lodie@acm\u{e9}.test", "ol\u{131}ve@acme.test", "\u{441}ann@acme.test",
            "ann@\u{430}cme.test", "\u{ff41}nn@acme.test", "ann\u{200b}@acme.test",
            "ann@acme.test\u{a0}", "\u{a0}ann@acme.test", "stra\u{df}e@acme.test",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        for base in ["ann@acme.test", "A.b-c@X-y.Test", "u1@a.b"] {
            all.extend(spread(base));
        }
        // Lengths at each limit: the local part's 64, a label's 63, the
        // address's 254, each one short, at and one past.
        let label = |n: usize| "d".repeat(n);
        for n in [63, 64, 65] {
            all.push(format!("{}@acme.test", "a".repeat(n)));
            all.push(format!("{}@acme.test", "A.".repeat(n / 2) + "b"));
        }
        for n in [62, 63, 64] {
            all.push(format!("ann@{}.test", label(n)));
            all.push(format!("ann@acme.{}", label(n)));
        }
        for total in [252, 253, 254, 255, 256, 300] {
            let local = "a".repeat(64);
            let mut domain = String::new();
            while local.len() + 1 + domain.len() + 2 < total {
                let room = total - local.len() - 1 - domain.len() - 2;
                domain.push_str(&label(room.min(63)));
                domain.push('.');
            }
            domain.push_str("tt");
            all.push(format!("{local}@{domain}"));
        }
        all
    }

    /// Names and free text: empty, spaces, backquotes, control characters
    /// in every place, the letters and digits that look alike, and a few
    /// past ASCII that the full rules must read.
    fn names() -> Vec<String> {
        let mut all: Vec<String> = [
            "",
            " ",
            "  ",
            "Acme Ltd",
            " Acme  Ltd ",
            "Acme\tLtd",
            "Acme\nLtd",
            "`",
            "a`b",
            "PayPaI",
            "PayPal",
            "IlI0O",
            "0O0",
            "l1I|",
            "rn m",
            "A.B.",
            ".Acme.",
            "@acme",
            "Fabr\u{456}kam",
            "Fa\u{299}rikam",
            "Acme \u{420}\u{43e}\u{441}\u{441}\u{438}\u{44f}",
            "Acme\u{a0}Ltd",
            "Fabri\u{200b}kam",
            "A\u{308}r\u{f8}",
            "T\u{30b7}\u{30e3}\u{30c4}",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        for base in ["User 1", "Olive O'Neil-Smith"] {
            all.extend(spread(base));
        }
        all.push("x".repeat(1_000));
        all.push("x ".repeat(600));
        all
    }

    /// The fast path reads every address as the full rule does: the same
    /// form kept, or the same refusal.
    #[test]
    fn the_ascii_path_reads_every_address_as_the_full_rule() {
        let corpus = addresses();
        let mut fast = 0;
        for typed in &corpus {
            if super::address(typed.trim()).is_some() {
                fast += 1;
            }
            let by_rule = parse_address(typed).map_err(|e| e.to_string());
            let read = typed.parse::<Email>().map_err(|e| e.to_string());
            assert_eq!(read, by_rule, "{typed:?}");
        }
        // The path is taken, not only declined: by most of the corpus
        // (each variant of a plain address that stays one), and by the
        // addresses a file of users gives.
        assert!(fast > corpus.len() / 3, "{fast} of {}", corpus.len());
        for plain in ["u1@acme.test", "Olive@Acme.Test", "o'neil+x@sub.acme.test"] {
            assert!(super::address(plain).is_some(), "{plain:?}");
        }
    }

    /// The fast path reads every name and text as the full rules do: the
    /// same character refused, the same script and letter checks.
    #[test]
    fn the_ascii_path_reads_every_name_as_the_full_rules() {
        for name in names() {
            assert_eq!(refused(&name), refused_by_rule(&name), "{name:?}");
            assert_eq!(
                one_script_per_word("the name", &name).map_err(|e| e.to_string()),
                letters_in_one_script("the name", &name).map_err(|e| e.to_string()),
                "{name:?}"
            );
            assert_eq!(
                letters_problem(&name),
                problem_of_letters(&name),
                "{name:?}"
            );
        }
    }
}
