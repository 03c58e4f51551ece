//! Conversions between currencies at the reference rates of a given day.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::ecb::Publication;
use crate::money::{Currency, Decimal};

/// Reference rates by publication date: units of each currency per euro.
#[derive(Debug, Clone, Default)]
pub struct RateTable {
    days: BTreeMap<NaiveDate, HashMap<Currency, Decimal>>,
}

/// An amount converted, with the date of the rates that were used (for the "at ECB rates of
/// 27 Nov" note); on a weekend or holiday that is the latest earlier publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversion {
    pub minor: i128,
    pub currency: Currency,
    pub rate_date: NaiveDate,
}

impl RateTable {
    pub fn new() -> RateTable {
        RateTable::default()
    }

    pub fn insert(&mut self, publication: Publication) {
        self.days
            .entry(publication.date)
            .or_default()
            .extend(publication.rates);
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The newest publication date held, to tell whether the rates are stale.
    pub fn latest_date(&self) -> Option<NaiveDate> {
        self.days.keys().next_back().copied()
    }

    /// Units of `currency` per euro on `on`: the latest publication on or before that day that
    /// lists it, with that publication's date.
    pub fn per_euro(&self, currency: Currency, on: NaiveDate) -> Option<(NaiveDate, Decimal)> {
        self.days.range(..=on).rev().find_map(|(date, rates)| {
            if currency == Currency::EUR {
                Some((*date, Decimal::from_int(1)))
            } else {
                rates.get(&currency).map(|r| (*date, *r))
            }
        })
    }

    /// Converts `minor` units of `from` into `to` at the rates of `on` (or the latest earlier
    /// publication listing both), going through the euro.
    ///
    /// The result is computed exactly as a fraction and rounded once, half to even, to the
    /// target's minor unit: never a float, never rounded in between. `None` when no
    /// publication on or before `on` has both currencies, or the figures are beyond 128 bits.
    pub fn convert(
        &self,
        minor: i128,
        from: Currency,
        to: Currency,
        on: NaiveDate,
    ) -> Option<Conversion> {
        if from == to {
            return Some(Conversion {
                minor,
                currency: to,
                rate_date: on,
            });
        }
        let (rate_date, rates) = self.days.range(..=on).rev().find(|(_, rates)| {
            (from == Currency::EUR || rates.contains_key(&from))
                && (to == Currency::EUR || rates.contains_key(&to))
        })?;
        let one = Decimal::from_int(1);
        let r_from = if from == Currency::EUR {
            one
        } else {
            rates[&from]
        };
        let r_to = if to == Currency::EUR { one } else { rates[&to] };
        // minor_to = minor_from × 10^(e_to − e_from) × r_to ÷ r_from, with r = m × 10^−s.
        let num = minor
            .checked_mul(r_to.mantissa())?
            .checked_mul(pow10(to.exponent() + r_from.scale())?)?;
        let den = r_from
            .mantissa()
            .checked_mul(pow10(from.exponent() + r_to.scale())?)?;
        Some(Conversion {
            minor: div_half_even(num, den)?,
            currency: to,
            rate_date: *rate_date,
        })
    }
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// `num ÷ den` rounded to the nearest integer, ties to the even one (banker's rounding), so
/// rounding errors over many entries do not lean one way.
fn div_half_even(num: i128, den: i128) -> Option<i128> {
    if den == 0 {
        return None;
    }
    let negative = (num < 0) != (den < 0);
    let (a, d) = (num.checked_abs()?, den.checked_abs()?);
    let (q, r) = (a / d, a % d);
    let twice = r.checked_mul(2)?;
    let q = if twice > d || (twice == d && q % 2 == 1) {
        q + 1
    } else {
        q
    };
    Some(if negative { -q } else { q })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn table() -> RateTable {
        let mut t = RateTable::new();
        // Friday 27 Nov 2026; nothing on the weekend.
        t.insert(Publication {
            date: d("2026-11-27"),
            rates: vec![
                (Currency::USD, dec("1.0565")),
                (Currency::JPY, dec("161.48")),
                (Currency::GBP, dec("0.83255")),
            ],
        });
        t.insert(Publication {
            date: d("2026-11-26"),
            rates: vec![(Currency::USD, dec("1.0500"))],
        });
        t
    }

    #[test]
    fn converts_through_the_euro_at_the_entrys_date() {
        let t = table();
        // €100.00 → $105.65 on the 27th, $105.00 on the 26th: never today's rate for old entries.
        let on_27 = t
            .convert(10_000, Currency::EUR, Currency::USD, d("2026-11-27"))
            .unwrap();
        assert_eq!((on_27.minor, on_27.rate_date), (10_565, d("2026-11-27")));
        let on_26 = t
            .convert(10_000, Currency::EUR, Currency::USD, d("2026-11-26"))
            .unwrap();
        assert_eq!(on_26.minor, 10_500);
        // $10.00 → ¥: 10 / 1.0565 × 161.48 = 1528.4429…, JPY has no minor unit.
        let yen = t
            .convert(1_000, Currency::USD, Currency::JPY, d("2026-11-27"))
            .unwrap();
        assert_eq!(yen.minor, 1_528);
    }

    #[test]
    fn a_weekend_uses_the_latest_earlier_publication_and_says_which() {
        let t = table();
        let sunday = t
            .convert(10_000, Currency::EUR, Currency::USD, d("2026-11-29"))
            .unwrap();
        assert_eq!((sunday.minor, sunday.rate_date), (10_565, d("2026-11-27")));
        // GBP was not published on the 26th, so nothing before the 27th can convert it.
        assert_eq!(
            t.convert(100, Currency::GBP, Currency::USD, d("2026-11-26")),
            None
        );
        assert_eq!(
            t.convert(100, Currency::EUR, Currency::USD, d("2026-11-01")),
            None
        );
        assert_eq!(t.latest_date(), Some(d("2026-11-27")));
    }

    #[test]
    fn ties_round_to_even() {
        assert_eq!(div_half_even(5, 2), Some(2));
        assert_eq!(div_half_even(7, 2), Some(4));
        assert_eq!(div_half_even(-5, 2), Some(-2));
        assert_eq!(div_half_even(26, 10), Some(3));
        assert_eq!(div_half_even(1, 0), None);
        let mut t = RateTable::new();
        t.insert(Publication {
            date: d("2026-11-27"),
            rates: vec![(Currency::USD, dec("2"))],
        });
        // $0.05 = €0.025 exactly: a tie, to the even cent €0.02; $0.07 = €0.035 → €0.04.
        let at = d("2026-11-27");
        assert_eq!(
            t.convert(5, Currency::USD, Currency::EUR, at)
                .unwrap()
                .minor,
            2
        );
        assert_eq!(
            t.convert(7, Currency::USD, Currency::EUR, at)
                .unwrap()
                .minor,
            4
        );
    }

    fn currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(vec![
            Currency::EUR,
            Currency::USD,
            Currency::JPY,
            Currency::GBP,
            Currency::KWD,
        ])
    }

    fn rate() -> impl Strategy<Value = Decimal> {
        // 0.0001 to 100000 with up to six decimals, as the ECB publishes.
        (1i128..=100_000_000_000, 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s).unwrap())
    }

    proptest! {
        /// The result is the nearest minor unit to the exact value, ties to even.
        #[test]
        fn conversion_is_the_exact_value_rounded_once(
            minor in -100_000_000_000_000i128..=100_000_000_000_000,
            from in currency(), to in currency(),
            r_from in rate(), r_to in rate(),
        ) {
            let mut t = RateTable::new();
            let mut rates = vec![];
            for (c, r) in [(from, r_from), (to, r_to)] {
                if c != Currency::EUR { rates.push((c, r)); }
            }
            t.insert(Publication { date: d("2026-11-27"), rates });
            let c = t.convert(minor, from, to, d("2026-11-27")).unwrap();
            if from == to {
                prop_assert_eq!(c.minor, minor);
            } else {
                let one = Decimal::from_int(1);
                let rf = if from == Currency::EUR { one } else { t.per_euro(from, d("2026-11-27")).unwrap().1 };
                let rt = if to == Currency::EUR { one } else { t.per_euro(to, d("2026-11-27")).unwrap().1 };
                let num = minor * rt.mantissa() * 10i128.pow(to.exponent() + rf.scale());
                let den = rf.mantissa() * 10i128.pow(from.exponent() + rt.scale());
                // |c·den − num| ≤ den/2, and at exactly half the result is even.
                let diff = (c.minor * den - num).abs() * 2;
                prop_assert!(diff <= den);
                if diff == den { prop_assert_eq!(c.minor % 2, 0); }
            }
        }

        /// A larger amount never converts to a smaller one.
        #[test]
        fn conversion_keeps_order(a in 0i128..1_000_000_000, b in 0i128..1_000_000_000, r in rate()) {
            let mut t = RateTable::new();
            t.insert(Publication { date: d("2026-11-27"), rates: vec![(Currency::USD, r)] });
            let at = d("2026-11-27");
            let (lo, hi) = (a.min(b), a.max(b));
            let x = t.convert(lo, Currency::USD, Currency::EUR, at).unwrap().minor;
            let y = t.convert(hi, Currency::USD, Currency::EUR, at).unwrap().minor;
            prop_assert!(x <= y);
        }
    }
}
