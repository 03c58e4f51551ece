//! ISO 4217 currencies with their minor-unit exponents and how people write them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A known ISO 4217 currency. The only way in is [`Currency::parse`] (or a constant), so a stored
/// code is always one whose exponent we know.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(&'static CurrencyInfo);

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct CurrencyInfo {
    code: &'static str,
    exponent: u32,
    /// Written before the number when formatting (`$12.00`); `None` writes the code after it.
    prefix: Option<&'static str>,
    name: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("I don't know the currency \"{0}\"; use a three-letter code such as USD, EUR or GBP")]
pub struct UnknownCurrency(pub String);

macro_rules! currencies {
    ($( $konst:ident = ($code:literal, $exp:literal, $prefix:expr, $name:literal) ),* $(,)?) => {
        const TABLE: &[CurrencyInfo] = &[
            $( CurrencyInfo { code: $code, exponent: $exp, prefix: $prefix, name: $name } ),*
        ];
        impl Currency {
            $( pub const $konst: Currency = Currency(&CurrencyInfo { code: $code, exponent: $exp, prefix: $prefix, name: $name }); )*
        }
    };
}

currencies! {
    USD = ("USD", 2, Some("$"), "US dollar"),
    EUR = ("EUR", 2, Some("€"), "euro"),
    GBP = ("GBP", 2, Some("£"), "pound sterling"),
    JPY = ("JPY", 0, Some("¥"), "Japanese yen"),
    INR = ("INR", 2, Some("₹"), "Indian rupee"),
    CAD = ("CAD", 2, Some("C$"), "Canadian dollar"),
    AUD = ("AUD", 2, Some("A$"), "Australian dollar"),
    CHF = ("CHF", 2, None, "Swiss franc"),
    BRL = ("BRL", 2, Some("R$"), "Brazilian real"),
    CNY = ("CNY", 2, Some("CN¥"), "Chinese yuan"),
    NZD = ("NZD", 2, Some("NZ$"), "New Zealand dollar"),
    MXN = ("MXN", 2, Some("MX$"), "Mexican peso"),
    HKD = ("HKD", 2, Some("HK$"), "Hong Kong dollar"),
    SGD = ("SGD", 2, Some("S$"), "Singapore dollar"),
    KRW = ("KRW", 0, Some("₩"), "South Korean won"),
    SEK = ("SEK", 2, None, "Swedish krona"),
    NOK = ("NOK", 2, None, "Norwegian krone"),
    DKK = ("DKK", 2, None, "Danish krone"),
    PLN = ("PLN", 2, None, "Polish złoty"),
    CZK = ("CZK", 2, None, "Czech koruna"),
    HUF = ("HUF", 2, None, "Hungarian forint"),
    RON = ("RON", 2, None, "Romanian leu"),
    TRY = ("TRY", 2, Some("₺"), "Turkish lira"),
    RUB = ("RUB", 2, Some("₽"), "Russian ruble"),
    UAH = ("UAH", 2, Some("₴"), "Ukrainian hryvnia"),
    ILS = ("ILS", 2, Some("₪"), "Israeli new shekel"),
    AED = ("AED", 2, None, "UAE dirham"),
    SAR = ("SAR", 2, None, "Saudi riyal"),
    ZAR = ("ZAR", 2, None, "South African rand"),
    NGN = ("NGN", 2, Some("₦"), "Nigerian naira"),
    KES = ("KES", 2, None, "Kenyan shilling"),
    EGP = ("EGP", 2, None, "Egyptian pound"),
    IDR = ("IDR", 2, None, "Indonesian rupiah"),
    MYR = ("MYR", 2, None, "Malaysian ringgit"),
    THB = ("THB", 2, Some("฿"), "Thai baht"),
    PHP = ("PHP", 2, Some("₱"), "Philippine peso"),
    VND = ("VND", 0, Some("₫"), "Vietnamese dong"),
    TWD = ("TWD", 2, Some("NT$"), "New Taiwan dollar"),
    PKR = ("PKR", 2, None, "Pakistani rupee"),
    BDT = ("BDT", 2, None, "Bangladeshi taka"),
    ARS = ("ARS", 2, None, "Argentine peso"),
    CLP = ("CLP", 0, None, "Chilean peso"),
    COP = ("COP", 2, None, "Colombian peso"),
    PEN = ("PEN", 2, None, "Peruvian sol"),
    ISK = ("ISK", 0, None, "Icelandic króna"),
    KWD = ("KWD", 3, None, "Kuwaiti dinar"),
    BHD = ("BHD", 3, None, "Bahraini dinar"),
    OMR = ("OMR", 3, None, "Omani rial"),
    JOD = ("JOD", 3, None, "Jordanian dinar"),
    TND = ("TND", 3, None, "Tunisian dinar"),
}

impl Currency {
    /// Reads an ISO 4217 code, any case (`"usd"`, `"EUR"`).
    pub fn parse(code: &str) -> Result<Currency, UnknownCurrency> {
        let code = code.trim();
        TABLE
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
            .map(Currency)
            .ok_or_else(|| UnknownCurrency(code.chars().take(16).collect()))
    }

    pub fn code(&self) -> &'static str {
        self.0.code
    }

    /// Digits after the decimal point in this currency's minor unit (USD 2, JPY 0, KWD 3).
    pub fn exponent(&self) -> u32 {
        self.0.exponent
    }

    pub fn prefix_symbol(&self) -> Option<&'static str> {
        self.0.prefix
    }

    pub fn name(&self) -> &'static str {
        self.0.name
    }

    /// Every currency Tally knows, for help texts and validation messages.
    pub fn all() -> impl Iterator<Item = Currency> {
        TABLE.iter().map(Currency)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl FromStr for Currency {
    type Err = UnknownCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_spec_currencies_and_their_exponents() {
        for (code, exp) in [
            ("USD", 2),
            ("EUR", 2),
            ("GBP", 2),
            ("JPY", 0),
            ("INR", 2),
            ("CAD", 2),
            ("AUD", 2),
            ("CHF", 2),
            ("BRL", 2),
            ("CNY", 2),
            ("KWD", 3),
        ] {
            let c = Currency::parse(code).expect("known");
            assert_eq!(c.code(), code);
            assert_eq!(c.exponent(), exp);
        }
    }

    #[test]
    fn parses_any_case_and_rejects_unknown() {
        assert_eq!(Currency::parse("usd"), Ok(Currency::USD));
        assert_eq!(Currency::parse(" Eur "), Ok(Currency::EUR));
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("").is_err());
    }

    #[test]
    fn constants_equal_parsed_values() {
        assert_eq!(Currency::JPY, Currency::parse("jpy").expect("known"));
        assert_eq!(Currency::all().count(), TABLE.len());
    }
}
