//! Amounts and currencies: exact minor units, never floating point.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result};

/// An amount of money in minor units (pence, cents): never floating point.
///
/// Text has at most two decimals: `50`, `50.5` and `50.00` are fine;
/// negative numbers, exponents, currency signs and thousands separators
/// are not. Amounts are held in hundredths whatever the currency; one read
/// as an amount of a currency ([`Money::in_currency`], [`Money::shown_in`])
/// prints with that currency's decimals (`1000` JPY, `120.00` GBP), one
/// parsed from text as it was written (so a refusal quotes it as typed),
/// any other with two. Two amounts are equal when their hundredths are.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Money(i64, Decimals);

/// How many decimals an amount prints with: its currency's, of two at
/// most (portalctl keeps hundredths).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimals(u8);

impl Default for Decimals {
    fn default() -> Self {
        Decimals(2)
    }
}

impl PartialEq for Money {
    fn eq(&self, other: &Money) -> bool {
        self.0 == other.0
    }
}

impl Eq for Money {}

impl PartialOrd for Money {
    fn partial_cmp(&self, other: &Money) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Money {
    fn cmp(&self, other: &Money) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl std::hash::Hash for Money {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl Money {
    /// The largest amount accepted: a bound far above any real order that
    /// keeps sums of many amounts inside `i64`.
    pub(crate) const MAX: Money = Money(99_999_999_999_999, Decimals(2));

    /// From minor units.
    pub(crate) fn from_minor(minor: i64) -> Money {
        Money(minor, Decimals::default())
    }

    /// In minor units.
    pub(crate) fn minor(self) -> i64 {
        self.0
    }

    /// The amount as one in `currency` (an ISO 4217 code): refused when
    /// it has decimals the currency does not divide into, as ISO 4217's
    /// minor unit says (no yen has cents: `12.50` JPY is no amount).
    /// Amounts are held in hundredths whatever the currency, so the check
    /// is what keeps a zero-decimal currency's amounts whole; a currency
    /// of three decimals (KWD) is kept to two. It prints as one of the
    /// currency (see [`Money::shown_in`]).
    pub(crate) fn in_currency(self, currency: &str) -> Result<Money> {
        let digits = minor_digits(currency);
        let step = match digits {
            0 => 100,
            1 => 10,
            _ => 1,
        };
        if self.0 % step == 0 {
            return Ok(self.shown_in(currency));
        }
        let (what, like) = match digits {
            0 => ("no decimals", format!("{}", self.0 / 100)),
            _ => (
                "one decimal",
                format!("{}.{}", self.0 / 100, (self.0 % 100) / 10),
            ),
        };
        Err(Error::invalid(format!(
            "`{self}` is not an amount in {currency}: {currency} amounts have {what}"
        ))
        .help(format!("write it with {what}, like {like}")))
    }

    /// The amount printed as one of `currency`: with its decimals (none
    /// for JPY, two for GBP, two for KWD, whose third portalctl does not
    /// keep). One that has decimals the currency lacks (an amount from
    /// before the rule) keeps them rather than lose them.
    pub(crate) fn shown_in(self, currency: &str) -> Money {
        let digits = minor_digits(currency).min(2) as u8;
        Money(self.0, Decimals(digits))
    }
}

/// How many decimals amounts in `currency` have: ISO 4217's minor unit
/// (0 for JPY, 2 for GBP), 2 for a code it gives none.
pub(crate) fn minor_digits(currency: &str) -> u16 {
    iso_currency::Currency::from_code(currency)
        .and_then(|c| c.exponent())
        .unwrap_or(2)
}

impl FromStr for Money {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        // What is wrong, where the text says it: an article's "£100", a
        // refund's "-5", a spreadsheet's "1,200".
        let sign = |c: char| c == '$' || !c.is_ascii() || c.is_ascii_alphabetic();
        let has_digits = text.chars().any(|c| c.is_ascii_digit());
        let why = if text.starts_with('-') && has_digits {
            ": an amount cannot be negative"
        } else if has_digits && (text.starts_with(sign) || text.ends_with(sign)) {
            ": write it without a currency sign or code, in the account's currency"
        } else if text.contains(',') {
            ": write it without thousands separators"
        } else {
            ""
        };
        let why = match why {
            "" if text.is_empty() => ": it is empty",
            "" if text.contains(['e', 'E']) && has_digits => {
                ": write it as digits, with a decimal point if it has decimals (no exponent)"
            }
            "" => ": write it as digits, with a decimal point if it has decimals",
            why => why,
        };
        let bad = || {
            Error::invalid(format!("`{text}` is not an amount{why}")).help(
                "write it in the account's currency with at most two decimals, like 120 or 49.99",
            )
        };
        let too_large = || {
            Error::invalid(format!(
                "`{text}` is larger than any amount portalctl accepts (at most {})",
                Money::MAX
            ))
        };
        let (units, cents) = match text.split_once('.') {
            Some((u, c)) => (u, c),
            None => (text, ""),
        };
        let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if !units.is_empty() && digits(units) && digits(cents) && cents.len() == 3 {
            // What a currency of three decimals (KWD, BHD) would take.
            return Err(Error::invalid(format!(
                "`{text}` is not an amount portalctl keeps: it keeps two decimals, for currencies of three (KWD, BHD, ...) too"
            ))
            .help(
                "write it in the account's currency with at most two decimals, like 120 or 49.99",
            ));
        }
        if units.is_empty()
            || !digits(units)
            || !digits(cents)
            || cents.len() > 2
            || (text.contains('.') && cents.is_empty())
        {
            return Err(bad());
        }
        // Only digits are left: a number `i64` cannot hold is too large.
        let typed = Decimals(cents.len() as u8);
        let units: i64 = units.parse().map_err(|_| too_large())?;
        let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| bad())?;
        let minor = units
            .checked_mul(100)
            .and_then(|u| u.checked_add(cents))
            .ok_or_else(too_large)?;
        if minor > Money::MAX.0 {
            return Err(too_large());
        }
        Ok(Money(minor, typed))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (units, cents) = (abs / 100, abs % 100);
        match self.1 {
            Decimals(0) if cents == 0 => write!(f, "{sign}{units}"),
            Decimals(1) if cents % 10 == 0 => write!(f, "{sign}{units}.{}", cents / 10),
            _ => write!(f, "{sign}{units}.{cents:02}"),
        }
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Reads an ISO 4217 currency code such as `GBP` (any case): a currency
/// the standard lists as in use, not any three letters, nor one of its
/// codes that are no money an account is kept in (`XXX` no currency,
/// `XTS` testing, `XAU` gold, funds such as `BOV`), nor one replaced
/// (`HRK`, now `EUR`).
pub(crate) fn parse_currency(s: &str) -> Result<String> {
    let code = s.trim().to_uppercase();
    if iso_currency::Currency::from_code(&code).is_some_and(|c| c.flags().is_empty()) {
        Ok(code)
    } else {
        Err(
            Error::invalid(format!("`{}` is not an ISO 4217 currency code", s.trim()))
                .help("write it like GBP, EUR or USD"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_into_minor_units() {
        let cases: &[(&str, Option<i64>)] = &[
            ("50", Some(5000)),
            ("50.5", Some(5050)),
            ("50.00", Some(5000)),
            (" 0.01 ", Some(1)),
            ("0", Some(0)),
            ("999999999999.99", Some(99_999_999_999_999)),
            ("1000000000000", None),
            ("50.001", None),
            ("-1", None),
            ("+1", None),
            ("1e3", None),
            ("£50", None),
            ("50 GBP", None),
            ("1,000", None),
            ("", None),
            (".5", None),
            ("5.", None),
            ("NaN", None),
        ];
        for (text, minor) in cases {
            assert_eq!(
                text.parse::<Money>().ok().map(Money::minor),
                *minor,
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_refused_amount_says_what_is_wrong_where_it_can_tell() {
        let cases = [
            ("£100", "without a currency sign"),
            ("100 GBP", "without a currency sign"),
            ("$5", "without a currency sign"),
            ("-5", "cannot be negative"),
            ("1,200", "without thousands separators"),
        ];
        for (text, why) in cases {
            let err = text.parse::<Money>().expect_err(text).to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
        for (text, said) in [
            ("1e3", "`1e3` is not an amount: write it as digits, with a decimal point if it has decimals (no exponent)"),
            ("", "`` is not an amount: it is empty"),
            ("12x", "`12x` is not an amount: write it without a currency sign or code, in the account's currency"),
            ("1.2.3", "`1.2.3` is not an amount: write it as digits, with a decimal point if it has decimals"),
            ("99999999999999999", "`99999999999999999` is larger than any amount portalctl accepts (at most 999999999999.99)"),
            ("999999999999999999999", "`999999999999999999999` is larger than any amount portalctl accepts (at most 999999999999.99)"),
        ] {
            let err = text.parse::<Money>().expect_err(text).to_string();
            assert_eq!(err, said, "{text:?}");
        }
    }

    /// A refusal quotes an amount as it was typed (`12.5`, not `12.50`),
    /// and once read as an amount of its currency it prints with that
    /// currency's decimals whatever was typed.
    #[test]
    fn an_amount_is_quoted_as_typed_until_its_currency_says_otherwise() {
        let money = |s: &str| s.parse::<Money>().expect("an amount");
        for typed in ["12", "12.5", "12.50", "0.05"] {
            assert_eq!(money(typed).to_string(), typed);
        }
        assert_eq!(
            money("12.5").in_currency("GBP").expect("GBP").to_string(),
            "12.50"
        );
        assert_eq!(
            money("12").in_currency("EUR").expect("EUR").to_string(),
            "12.00"
        );
        assert_eq!(
            money("12.00").in_currency("JPY").expect("JPY").to_string(),
            "12"
        );
        let err = money("12.5")
            .in_currency("JPY")
            .expect_err("yen")
            .to_string();
        assert_eq!(
            err,
            "`12.5` is not an amount in JPY: JPY amounts have no decimals"
        );
    }

    /// An amount in a currency with no minor unit (JPY) is whole; one
    /// with two (GBP) takes what Money holds.
    #[test]
    fn an_amount_has_no_more_decimals_than_its_currency() {
        let money = |s: &str| s.parse::<Money>().expect("an amount");
        for (text, currency, ok) in [
            ("12", "JPY", true),
            ("12.00", "JPY", true),
            ("12.50", "JPY", false),
            ("0.01", "KRW", false),
            ("12.50", "GBP", true),
            ("12.05", "EUR", true),
            ("12.5", "BHD", true),
        ] {
            let got = money(text).in_currency(currency);
            assert_eq!(got.is_ok(), ok, "{text} {currency}: {got:?}");
        }
        let err = money("12.50").in_currency("JPY").expect_err("yen");
        assert_eq!(
            err.to_string(),
            "`12.50` is not an amount in JPY: JPY amounts have no decimals"
        );
    }

    #[test]
    fn currencies_are_the_codes_iso_4217_lists() {
        let cases: &[(&str, Option<&str>)] = &[
            ("GBP", Some("GBP")),
            (" eur ", Some("EUR")),
            ("Usd", Some("USD")),
            ("JPY", Some("JPY")),
            ("CHF", Some("CHF")),
            ("XYZ", None),
            ("ABC", None),
            ("XXX", None),
            ("XTS", None),
            ("XAU", None),
            ("BOV", None),
            ("HRK", None),
            ("POUNDS", None),
            ("GB", None),
            ("", None),
            ("£", None),
        ];
        for (text, code) in cases {
            assert_eq!(parse_currency(text).ok().as_deref(), *code, "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_amount_back(minor in 0..=Money::MAX.minor()) {
            let money = Money::from_minor(minor);
            proptest::prop_assert_eq!(money.to_string().parse::<Money>().ok(), Some(money));
        }
    }

    /// An amount read as one of a currency prints with its decimals:
    /// none for a zero-decimal currency, two for one of three (portalctl
    /// keeps hundredths), and two for any amount not read so.
    #[test]
    fn an_amount_prints_with_its_currencys_decimals() {
        let m = |text: &str| text.parse::<Money>().expect(text);
        let cases = [
            ("1000", "JPY", "1000"),
            ("1000.00", "KRW", "1000"),
            ("120", "GBP", "120.00"),
            ("49.9", "EUR", "49.90"),
            ("1.5", "KWD", "1.50"),
            ("7", "BHD", "7.00"),
        ];
        for (text, currency, shown) in cases {
            let read = m(text).in_currency(currency).expect("whole");
            assert_eq!(read.to_string(), shown, "{text} {currency}");
            assert_eq!(m(text).shown_in(currency).to_string(), shown);
            // Printed, it reads back as the same amount.
            assert_eq!(m(shown).in_currency(currency).expect("again"), read);
        }
        assert_eq!(m("1000").to_string(), "1000");
        // One with decimals its currency lacks keeps them.
        assert_eq!(m("12.50").shown_in("JPY").to_string(), "12.50");
        assert_eq!(m("1000").shown_in("JPY"), m("1000.00"));
    }

    #[test]
    fn a_third_decimal_is_refused_saying_two_are_kept() {
        let err = "1.234".parse::<Money>().expect_err("three decimals");
        assert!(err.to_string().contains("keeps two decimals"), "{err}");
        assert!(err.to_string().contains("KWD"), "{err}");
        assert!("1.2345".parse::<Money>().is_err());
    }
}
