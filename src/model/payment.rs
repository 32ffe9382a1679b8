//! How an account pays: payment methods and bank account numbers.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// How an account pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PaymentMethod {
    /// Collected from a bank account: needs an IBAN.
    DirectDebit,
    /// The account transfers money itself.
    BankTransfer,
    /// Card payment.
    Card,
    /// Pays on invoice.
    Invoice,
}

impl PaymentMethod {
    /// Every method, in the order help text lists them.
    pub(crate) const ALL: &'static [PaymentMethod] = &[
        PaymentMethod::DirectDebit,
        PaymentMethod::BankTransfer,
        PaymentMethod::Card,
        PaymentMethod::Invoice,
    ];

    /// The keyword as stored and printed.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::DirectDebit => "direct-debit",
            PaymentMethod::BankTransfer => "bank-transfer",
            PaymentMethod::Card => "card",
            PaymentMethod::Invoice => "invoice",
        }
    }
}

impl FromStr for PaymentMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim().to_lowercase();
        PaymentMethod::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = PaymentMethod::ALL.iter().map(|m| m.as_str()).collect();
                Error::invalid(format!("unknown payment method `{}`", s.trim()))
                    .help(format!("use one of: {}", names.join(", ")))
            })
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An International Bank Account Number (ISO 13616): spaces removed,
/// upper-cased, and its check digits verified.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Iban(String);

impl Iban {
    /// The whole number; only for storing it.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but its last four characters hidden, which is
    /// the only form ever printed or written to the audit log.
    pub(crate) fn masked(&self) -> String {
        let shown = self.0.len().saturating_sub(4);
        format!("{}{}", "*".repeat(shown), &self.0[shown..])
    }
}

/// Never prints the whole number, even in debug output.
impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iban({})", self.masked())
    }
}

impl FromStr for Iban {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        // The error never repeats the number: it is bank data.
        let bad = |why: &str| {
            Error::invalid(format!("the IBAN is not valid: {why}"))
                .help("write it like GB82 WEST 1234 5698 7654 32")
        };
        if !(15..=34).contains(&compact.len()) {
            return Err(bad("it must have 15 to 34 letters and digits"));
        }
        if !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad("it may only hold letters and digits"));
        }
        let bytes = compact.as_bytes();
        if !(bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..4].iter().all(u8::is_ascii_digit))
        {
            return Err(bad(
                "it must start with a country code and two check digits",
            ));
        }
        // ISO 7064 MOD 97-10: move the first four characters to the end,
        // read letters as 10..35, and the number mod 97 must be 1.
        let remainder =
            compact[4..]
                .chars()
                .chain(compact[..4].chars())
                .fold(0u32, |rem, c| match c.to_digit(36) {
                    Some(v) if v >= 10 => (rem * 100 + v) % 97,
                    Some(v) => (rem * 10 + v) % 97,
                    None => rem,
                });
        if remainder != 1 {
            return Err(bad("its check digits do not match"));
        }
        Ok(Iban(compact))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_checked_and_masked() {
        let iban: Iban = "gb82 west 1234 5698 7654 32".parse().expect("valid IBAN");
        assert_eq!(iban.as_str(), "GB82WEST12345698765432");
        assert_eq!(iban.masked(), "******************5432");
        assert!(!format!("{iban:?}").contains("WEST"));
        assert!("DE89 3704 0044 0532 0130 00".parse::<Iban>().is_ok());
        for bad in [
            "GB83WEST12345698765432", "GB82WEST1234569876543", "GB82-WEST-1234-5698-7654-32",
            "1282WEST12345698765432", "GB8", "",
        ] {
            let err = bad.parse::<Iban>().expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(!err.to_string().contains("WEST"), "{err}");
        }
    }

    #[test]
    fn payment_methods_parse_without_case() {
        assert_eq!(
            "Direct-Debit".parse::<PaymentMethod>().ok(),
            Some(PaymentMethod::DirectDebit)
        );
        assert!("cheque".parse::<PaymentMethod>().is_err());
    }
}
