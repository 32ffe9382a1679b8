//! Order types: the word an order and an approval policy share, so that
//! the policy holds the order ("a second pair of eyes on specific order
//! types", article 001).
//!
//! A type is matched by what it reads as, not by how it was typed: an
//! order typed `ｈａｒｄｗａｒｅ` (full-width) or `HARDWARE` is a
//! `hardware` order, or it would slip past the policy its approvers take
//! it to be under (findings C3). A type that only looks like another
//! (`hardwаre` with a Cyrillic `а`) is refused where it is typed, by the
//! rule names follow (see [`one_script_per_word`]).

use unicode_normalization::UnicodeNormalization;

use super::names::one_script_per_word;
use super::text::{composed, escape, refused, Text};
use crate::error::{Error, Result};

/// The key an order type is kept and matched by: its compatibility forms
/// read as their plain letters (NFKC: full-width `ｈａｒｄ` is `hard`, a
/// ligature `ﬁ` is `fi`), without case in every script (`STRASSE` and
/// `straße` are `strasse`), its spaces one plain space each. Types an
/// older version stored (lower-cased only) match by their key too, so no
/// stored type needs writing anew.
pub(crate) fn order_type_key(order_type: &str) -> String {
    if order_type.is_ascii() {
        return composed(order_type).to_ascii_lowercase();
    }
    let plain: String = order_type.nfkc().collect();
    // Upper then lower case folds what lower case alone leaves apart
    // (`ß` and `SS`); NFKC again, as changing case may decompose.
    let folded: String = plain.to_uppercase().to_lowercase().nfkc().collect();
    composed(&folded).into_owned()
}

/// Whether two order types are one by [`order_type_key`].
pub(crate) fn same_order_type(a: &str, b: &str) -> bool {
    a == b || order_type_key(a) == order_type_key(b)
}

/// Reads an order type as `policy create|edit --order-type`, `order
/// place --order-type` and a file give it, into the key it is kept by:
/// not empty, no word mixing scripts nor a letter no name is written
/// with (exit 2, as names), and nothing its plain form would hold that
/// text may not (a full-width backquote reads as a backquote).
pub(crate) fn parse_order_type(text: &Text) -> Result<String> {
    let typed = text.required("the order type")?;
    one_script_per_word("the order type", &typed)?;
    let key = order_type_key(&typed);
    one_script_per_word("the order type", &key)?;
    if let Some((c, kind)) = refused(&key) {
        return Err(Error::invalid(format!(
            "the order type `{}` reads as one holding {kind} (U+{:04X})",
            escape(&typed),
            u32::from(c)
        ))
        .help("type the order type in plain letters"));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(typed: &str) -> Result<String> {
        parse_order_type(&Text::parse("the order type", typed)?)
    }

    #[test]
    fn compatibility_forms_and_case_read_as_plain_letters() {
        for (typed, key) in [
            ("hardware", "hardware"),
            ("HARDWARE", "hardware"),
            ("  Hardware  ", "hardware"),
            ("ｈａｒｄｗａｒｅ", "hardware"),
            ("ＨＡＲＤＷＡＲＥ", "hardware"),
            ("ｈardware", "hardware"),
            ("𝐡𝐚𝐫𝐝𝐰𝐚𝐫𝐞", "hardware"),
            ("oﬃce kit", "office kit"),
            ("office\u{3000}kit", "office kit"),
            ("STRASSE", "strasse"),
            ("Straße", "strasse"),
            ("Ｓｏｆｔ ware", "soft ware"),
            // A type of its own in another script is a type.
            ("Оборудование", "оборудование"),
            ("ハードウェア", "ハードウェア"),
        ] {
            let kept = parsed(typed).unwrap_or_else(|e| panic!("{typed:?}: {e}"));
            assert_eq!(kept, key, "{typed:?}");
        }
    }

    #[test]
    fn a_type_that_reads_as_another_is_refused() {
        for typed in [
            "hardw\u{430}re", "h\u{430}rdware", "ｈａｒｄｗ\u{430}ｒｅ", "\u{29c}ardware",
            "soft\u{ff40}ware", "", "  ",
        ] {
            let err = parsed(typed).expect_err(typed);
            assert_eq!(err.exit_code(), 2, "{typed:?}: {err}");
        }
        let err = parsed("hardw\u{430}re").expect_err("mixed");
        assert!(
            err.to_string().contains("mixes Latin and Cyrillic"),
            "{err}"
        );
    }

    #[test]
    fn stored_types_match_by_their_key() {
        // As an older version stored them: lower-cased only.
        assert!(same_order_type("ｈａｒｄｗａｒｅ", "hardware"));
        assert!(same_order_type("straße", "strasse"));
        assert!(same_order_type("hardware", "hardware"));
        assert!(!same_order_type("hardw\u{430}re", "hardware"));
        assert!(!same_order_type("software", "hardware"));
    }
}
