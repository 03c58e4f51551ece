//! Money: exact decimals, currencies and amounts in integer minor units.

mod currency;
mod decimal;

use std::fmt;

use serde::Serialize;
use thiserror::Error;

pub use currency::{Currency, UnknownCurrency};
pub use decimal::{Decimal, DecimalError};

/// The largest amount one transaction or budget may carry, in major units (a trillion).
///
/// Far above any personal or household figure, yet low enough that sums of many such amounts
/// stay well inside an `i64` of minor units.
pub const MAX_MAJOR_UNITS: i64 = 1_000_000_000_000;

/// A signed sum of money in one currency, held as integer minor units (cents for USD).
///
/// One amount (an entry, a budget) is bounded by [`MAX_MAJOR_UNITS`] when it is made; a
/// total of many ([`Money::total`]) is not, and the 128-bit minor units mean no ledger's
/// totals can overflow: a hostile group member with huge entries cannot break a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i128,
    currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("that doesn't look like an amount; write it like 12.50")]
    Malformed,
    #[error("{currency} amounts have at most {exponent} decimal places")]
    TooPrecise { currency: Currency, exponent: u32 },
    #[error("the amount must be more than zero")]
    NotPositive,
    #[error("that amount is too large; the most Tally accepts is a trillion")]
    TooLarge,
    #[error("can't combine {0} with {1}: they are different currencies")]
    CurrencyMismatch(Currency, Currency),
}

/// How to treat digits beyond a currency's minor unit. There is no implicit rounding anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Refuse the amount: what user input gets, so nothing is silently changed.
    Reject,
    /// Round half away from zero: for computed figures such as projections.
    HalfUp,
}

impl Money {
    /// Builds from minor units, refusing anything beyond [`MAX_MAJOR_UNITS`].
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Money, MoneyError> {
        if minor.unsigned_abs() > max_minor(currency).unsigned_abs() {
            return Err(MoneyError::TooLarge);
        }
        Ok(Money {
            minor: i128::from(minor),
            currency,
        })
    }

    /// The largest amount one entry or budget may carry in `currency` ([`MAX_MAJOR_UNITS`]).
    pub fn largest(currency: Currency) -> Money {
        Money {
            minor: i128::from(max_minor(currency)),
            currency,
        }
    }

    /// A total of many amounts: unbounded, because a sum of valid entries is always valid.
    pub fn total(minor: i128, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// The minor units as stored in one row: single amounts are bounded, so they fit an `i64`.
    pub fn stored_minor(&self) -> Result<i64, MoneyError> {
        i64::try_from(self.minor)
            .ok()
            .filter(|m| m.unsigned_abs() <= max_minor(self.currency).unsigned_abs())
            .ok_or(MoneyError::TooLarge)
    }

    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Converts an exact decimal in major units (`12.5` dollars) to minor units.
    pub fn from_decimal(
        value: Decimal,
        currency: Currency,
        rounding: Rounding,
    ) -> Result<Money, MoneyError> {
        let exp = currency.exponent();
        let minor = match rounding {
            Rounding::Reject => value.to_scale_exact(exp).ok_or(MoneyError::TooPrecise {
                currency,
                exponent: exp,
            })?,
            Rounding::HalfUp => value.round_half_up(exp).ok_or(MoneyError::TooLarge)?,
        };
        let minor = i64::try_from(minor).map_err(|_| MoneyError::TooLarge)?;
        Money::from_minor(minor, currency)
    }

    /// Parses a plain decimal string (`"12.50"`) as an amount in `currency`, exactly.
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let value: Decimal = text.trim().parse().map_err(|e| match e {
            DecimalError::TooLarge => MoneyError::TooLarge,
            DecimalError::Malformed => MoneyError::Malformed,
        })?;
        Money::from_decimal(value, currency, Rounding::Reject)
    }

    pub fn minor(&self) -> i128 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    pub fn is_negative(&self) -> bool {
        self.minor < 0
    }

    /// The value in major units, exactly (`1250` cents → `12.50`).
    pub fn to_decimal(&self) -> Decimal {
        // The scale is a currency exponent (at most 3), always valid.
        Decimal::new(self.minor, self.currency.exponent()).unwrap_or(Decimal::ZERO)
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    pub fn negate(self) -> Money {
        Money {
            minor: -self.minor,
            currency: self.currency,
        }
    }

    pub fn abs(self) -> Money {
        Money {
            minor: self.minor.abs(),
            currency: self.currency,
        }
    }

    /// `self × numerator ÷ denominator`, rounded half up: for projections and shares.
    pub fn mul_div(self, numerator: i64, denominator: i64) -> Option<Money> {
        if denominator == 0 {
            return None;
        }
        let n = self.minor.checked_mul(i128::from(numerator))?;
        let d = i128::from(denominator);
        let q = n / d;
        let r = n % d;
        let q = if (r.abs() * 2) >= d.abs() {
            if (n < 0) != (d < 0) { q - 1 } else { q + 1 }
        } else {
            q
        };
        Some(Money {
            minor: q,
            currency: self.currency,
        })
    }

    /// Whole percent of `self` in `whole`, rounded down (`spent / limit`); `None` if `whole` is zero.
    pub fn percent_of(self, whole: Money) -> Option<i64> {
        if whole.minor == 0 || self.currency != whole.currency {
            return None;
        }
        i64::try_from(self.minor.checked_mul(100)? / whole.minor).ok()
    }

    /// The amount as a plain decimal (`12.50`, `1200`), for JSON and for editing.
    pub fn amount_string(&self) -> String {
        self.to_decimal().to_string()
    }

    fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }
}

fn max_minor(currency: Currency) -> i64 {
    MAX_MAJOR_UNITS.saturating_mul(10i64.saturating_pow(currency.exponent()))
}

/// Sums money, keeping each currency apart: different currencies are never added together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PerCurrency {
    totals: Vec<(Currency, i128)>,
}

impl PerCurrency {
    pub fn add(&mut self, money: Money) -> Result<(), MoneyError> {
        match self.totals.iter_mut().find(|(c, _)| *c == money.currency) {
            Some((_, total)) => {
                *total = total.checked_add(money.minor).ok_or(MoneyError::TooLarge)?;
            }
            None => {
                self.totals.push((money.currency, money.minor));
                self.totals.sort_by_key(|(c, _)| c.code());
            }
        }
        Ok(())
    }

    pub fn get(&self, currency: Currency) -> Money {
        let minor = self
            .totals
            .iter()
            .find(|(c, _)| *c == currency)
            .map_or(0, |(_, m)| *m);
        Money { minor, currency }
    }

    pub fn iter(&self) -> impl Iterator<Item = Money> + '_ {
        self.totals.iter().map(|(c, m)| Money {
            minor: *m,
            currency: *c,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.totals.is_empty()
    }
}

impl fmt::Display for Money {
    /// Human form with thousands separators: `$12.00`, `¥1,200`, `-€3.50`, `1,000.00 SEK`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = self.currency.exponent();
        let abs = self.minor.unsigned_abs();
        let div = 10u128.pow(exp);
        let whole = group_thousands(abs / div);
        let number = if exp == 0 {
            whole
        } else {
            format!("{whole}.{:0width$}", abs % div, width = exp as usize)
        };
        let sign = if self.minor < 0 { "-" } else { "" };
        match self.currency.prefix_symbol() {
            Some(symbol) => write!(f, "{sign}{symbol}{number}"),
            None => write!(f, "{sign}{number} {}", self.currency.code()),
        }
    }
}

fn group_thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(s: &str) -> Money {
        Money::parse(s, Currency::USD).expect("valid amount")
    }

    #[test]
    fn formats_by_currency() {
        assert_eq!(usd("12").to_string(), "$12.00");
        assert_eq!(
            Money::parse("1200", Currency::JPY).expect("ok").to_string(),
            "¥1,200"
        );
        assert_eq!(
            Money::parse("12.5", Currency::EUR).expect("ok").to_string(),
            "€12.50"
        );
        assert_eq!(
            Money::parse("1234567.8", Currency::CHF)
                .expect("ok")
                .to_string(),
            "1,234,567.80 CHF"
        );
        assert_eq!(usd("12").negate().to_string(), "-$12.00");
        assert_eq!(
            Money::parse("1.5", Currency::KWD).expect("ok").to_string(),
            "1.500 KWD"
        );
    }

    #[test]
    fn parses_exactly_and_refuses_extra_precision() {
        assert_eq!(usd("12.5").minor(), 1250);
        assert_eq!(usd("0.01").minor(), 1);
        assert_eq!(
            Money::parse("12.345", Currency::USD),
            Err(MoneyError::TooPrecise {
                currency: Currency::USD,
                exponent: 2
            })
        );
        assert!(Money::parse("1200.5", Currency::JPY).is_err());
        assert_eq!(
            Money::parse("1200.00", Currency::JPY).expect("ok").minor(),
            1200
        );
        assert_eq!(
            Money::parse("abc", Currency::USD),
            Err(MoneyError::Malformed)
        );
    }

    #[test]
    fn bounds_amounts() {
        assert!(Money::parse("1000000000000", Currency::USD).is_ok());
        assert_eq!(
            Money::parse("1000000000000.01", Currency::USD),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            Money::parse(&"9".repeat(40), Currency::USD),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn rounds_only_when_asked() {
        let d: Decimal = "2.675".parse().expect("ok");
        assert!(Money::from_decimal(d, Currency::USD, Rounding::Reject).is_err());
        assert_eq!(
            Money::from_decimal(d, Currency::USD, Rounding::HalfUp)
                .expect("ok")
                .minor(),
            268
        );
    }

    #[test]
    fn never_mixes_currencies() {
        let e = Money::parse("1", Currency::EUR).expect("ok");
        assert!(usd("1").checked_add(e).is_err());
        let mut sums = PerCurrency::default();
        sums.add(usd("1.50")).expect("ok");
        sums.add(e).expect("ok");
        sums.add(usd("2.25")).expect("ok");
        assert_eq!(sums.get(Currency::USD).minor(), 375);
        assert_eq!(sums.get(Currency::EUR).minor(), 100);
        assert_eq!(sums.iter().count(), 2);
    }

    #[test]
    fn projects_with_explicit_rounding() {
        assert_eq!(usd("10").mul_div(30, 24).expect("ok").minor(), 1250);
        assert_eq!(usd("0.01").mul_div(1, 2).expect("ok").minor(), 1);
        assert_eq!(usd("1").mul_div(1, 0), None);
        assert_eq!(usd("80").percent_of(usd("100")), Some(80));
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(Currency::all().collect::<Vec<_>>())
    }

    /// A currency and an amount inside its range, drawn so that small amounts, amounts near the
    /// bound and everything between all come up, for every currency (JPY and KWD included).
    fn in_range_money() -> impl Strategy<Value = Money> {
        any_currency().prop_flat_map(amount_in)
    }

    /// An amount one entry may carry in `c`: zero, small, mid-sized, anywhere, or near a bound.
    fn amount_in(c: Currency) -> impl Strategy<Value = Money> {
        let max = max_minor(c);
        prop_oneof![
            Just(0i64),
            -1_000i64..=1_000,
            -10_000_000i64..=10_000_000,
            -max..=max,
            (max - 1_000)..=max,
            -max..=(-max + 1_000),
        ]
        .prop_map(move |minor| Money::from_minor(minor, c).expect("in range"))
    }

    /// Two amounts in one currency, each drawn as [`amount_in`] does.
    fn same_currency_pair() -> impl Strategy<Value = (Money, Money)> {
        any_currency().prop_flat_map(|c| (amount_in(c), amount_in(c)))
    }

    /// A total's minor units: small, anywhere in `i128`, or within a thousand of either end,
    /// so the overflow checks are reached rather than hoped for.
    fn any_total_minor() -> impl Strategy<Value = i128> {
        prop_oneof![
            -1_000i128..=1_000,
            any::<i128>(),
            (i128::MAX - 1_000)..=i128::MAX,
            i128::MIN..=(i128::MIN + 1_000),
        ]
    }

    proptest! {
        #[test]
        fn parse_of_amount_string_is_identity(m in in_range_money()) {
            let c = m.currency();
            prop_assert_eq!(Money::parse(&m.amount_string(), c), Ok(m));
            prop_assert_eq!(Money::from_decimal(m.to_decimal(), c, Rounding::Reject), Ok(m));
            // The string has exactly the currency's decimals (none for JPY).
            let s = m.amount_string();
            let decimals = s.split_once('.').map_or(0, |(_, d)| d.len());
            prop_assert_eq!(decimals, c.exponent() as usize, "{}", s);
        }

        #[test]
        fn one_more_digit_than_the_currency_has_is_refused(m in in_range_money(), digit in 1u8..=9) {
            let s = m.amount_string();
            let longer = if s.contains('.') { format!("{s}{digit}") } else { format!("{s}.{digit}") };
            prop_assert_eq!(
                Money::parse(&longer, m.currency()),
                Err(MoneyError::TooPrecise { currency: m.currency(), exponent: m.currency().exponent() })
            );
        }

        #[test]
        fn arithmetic_is_exact_in_range((x, y) in same_currency_pair(), n in -1_000_000i64..=1_000_000, d in -1_000_000i64..=1_000_000) {
            let sum = x.checked_add(y).expect("two in-range amounts never overflow");
            prop_assert_eq!(sum.minor(), x.minor() + y.minor());
            let diff = x.checked_sub(y).expect("two in-range amounts never overflow");
            prop_assert_eq!(diff.checked_add(y), Ok(x));
            prop_assert_eq!(x.negate().negate(), x);
            prop_assert_eq!(x.abs().minor(), x.minor().abs());
            match x.mul_div(n, d) {
                None => prop_assert_eq!(d, 0),
                Some(q) => {
                    // Within half a minor unit of the exact quotient: |q·d − x·n| ≤ |d|/2.
                    let exact = x.minor() * i128::from(n);
                    let err = (q.minor() * i128::from(d) - exact).abs();
                    prop_assert!(err * 2 <= i128::from(d).abs(), "{x:?} * {n} / {d} = {q:?}");
                }
            }
            if y.minor() != 0 {
                let p = x.percent_of(y).expect("non-zero whole");
                prop_assert_eq!(i128::from(p), x.minor() * 100 / y.minor());
            } else {
                prop_assert_eq!(x.percent_of(y), None);
            }
            let shown = x.to_string();
            prop_assert_eq!(shown.starts_with('-'), x.is_negative(), "{}", shown);
            let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
            let bare: String = x.abs().amount_string().chars().filter(char::is_ascii_digit).collect();
            prop_assert_eq!(digits, bare, "{}", shown);
        }

        /// Totals are unbounded by design, so adding or subtracting them is exactly `i128`
        /// arithmetic: the exact result, or `TooLarge` exactly when `i128` overflows; and
        /// different currencies are refused whatever the amounts.
        #[test]
        fn totals_add_and_subtract_as_i128_or_say_too_large(
            a in any_total_minor(),
            b in any_total_minor(),
            c in any_currency(),
            other in any_currency(),
        ) {
            let (x, y) = (Money::total(a, c), Money::total(b, c));
            prop_assert_eq!(x.checked_add(y), a.checked_add(b).map(|m| Money::total(m, c)).ok_or(MoneyError::TooLarge));
            prop_assert_eq!(x.checked_sub(y), a.checked_sub(b).map(|m| Money::total(m, c)).ok_or(MoneyError::TooLarge));
            if other != c {
                let z = Money::total(b, other);
                prop_assert_eq!(x.checked_add(z), Err(MoneyError::CurrencyMismatch(c, other)));
                prop_assert_eq!(x.checked_sub(z), Err(MoneyError::CurrencyMismatch(c, other)));
            }
            // `i128::MIN` has no negation; no total of entries gets near it (each entry is at
            // most 10^15 minor units, so it would take 2^77 of them), so it is left out here.
            if a != i128::MIN {
                prop_assert_eq!(x.negate().minor(), -a);
                prop_assert_eq!(x.abs().minor(), a.abs());
            }
            // A stored row only ever holds one entry's amount.
            prop_assert_eq!(x.stored_minor().is_ok(), a.unsigned_abs() <= u128::from(max_minor(c).unsigned_abs()));
        }

        #[test]
        fn out_of_range_amounts_are_refused(c in any_currency(), extra in 1i64..=1_000_000, negative in any::<bool>()) {
            let minor = max_minor(c) + extra;
            let minor = if negative { -minor } else { minor };
            prop_assert_eq!(Money::from_minor(minor, c), Err(MoneyError::TooLarge));
        }

        #[test]
        /// Per-currency totals of in-range amounts (any sign, up to the bound, every currency)
        /// are the exact `i128` sums, each currency apart, whatever the order they come in.
        fn sums_are_exact(parts in prop::collection::vec(in_range_money(), 0..50)) {
            let mut total = PerCurrency::default();
            for p in &parts {
                total.add(*p).expect("no overflow");
            }
            for c in Currency::all() {
                let want: i128 = parts.iter().filter(|p| p.currency() == c).map(Money::minor).sum();
                prop_assert_eq!(total.get(c), Money::total(want, c));
            }
            let named: std::collections::HashSet<Currency> = parts.iter().map(Money::currency).collect();
            prop_assert_eq!(total.iter().count(), named.len());
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in "\\PC{0,40}") {
            let _ = Money::parse(&s, Currency::USD);
        }
    }
}
