//! Who shares an expense and how: the payer rules and the four ways to split, checked once.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use super::allocate::{Portion, SplitError, allocate};
use crate::money::{Currency, Decimal, Money, Rounding};

/// The most people one expense can be split among.
pub const MAX_PARTICIPANTS: usize = 50;

/// How an expense is divided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Equal,
    /// Relative shares (`@ann 2x`).
    Shares,
    /// Exact amounts (`@ann 30`); what is left is the payer's.
    Exact,
    /// Percentages adding up to 100.
    Percent,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Equal => "equal",
            Mode::Shares => "shares",
            Mode::Exact => "exact",
            Mode::Percent => "percent",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = ();
    fn from_str(s: &str) -> Result<Mode, ()> {
        match s {
            "equal" => Ok(Mode::Equal),
            "shares" => Ok(Mode::Shares),
            "exact" => Ok(Mode::Exact),
            "percent" => Ok(Mode::Percent),
            _ => Err(()),
        }
    }
}

/// What a user wrote after a member: `2x`, `30`, `50%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Shares(u64),
    Exact(Decimal),
    Percent(Decimal),
}

impl Value {
    /// Reads `2x`, `50%` or `30.50`; anything else is not a value.
    pub fn read(word: &str) -> Option<Value> {
        let w = word.trim();
        if let Some(n) = w.strip_suffix(['x', 'X', '×']) {
            return n.parse::<u64>().ok().map(Value::Shares);
        }
        if let Some(p) = w.strip_suffix('%') {
            return p.trim().parse::<Decimal>().ok().map(Value::Percent);
        }
        let starts_like_a_number = w.chars().next().is_some_and(|c| c.is_ascii_digit());
        if starts_like_a_number {
            return w.parse::<Decimal>().ok().map(Value::Exact);
        }
        None
    }

    fn mode(self) -> Mode {
        match self {
            Value::Shares(_) => Mode::Shares,
            Value::Exact(_) => Mode::Exact,
            Value::Percent(_) => Mode::Percent,
        }
    }
}

/// One participant's weight as stored beside its share, so an edit of the amount divides the
/// new amount the same way: `w2` (two shares), `e3000` (exactly 30.00), `p5000` (50.00%, in
/// basis points), `r` (the rest, the payer's part of an exact split).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Shares(u64),
    Exact(i64),
    BasisPoints(u64),
    Rest,
}

impl Weight {
    pub fn encode(self) -> String {
        match self {
            Weight::Shares(n) => format!("w{n}"),
            Weight::Exact(m) => format!("e{m}"),
            Weight::BasisPoints(b) => format!("p{b}"),
            Weight::Rest => "r".to_owned(),
        }
    }

    pub fn decode(s: &str) -> Option<Weight> {
        let (head, rest) = s.split_at_checked(1)?;
        match head {
            "w" => rest.parse().ok().map(Weight::Shares),
            "e" => rest.parse().ok().map(Weight::Exact),
            "p" => rest.parse().ok().map(Weight::BasisPoints),
            "r" if rest.is_empty() => Some(Weight::Rest),
            _ => None,
        }
    }

    fn portion(self) -> Portion {
        match self {
            Weight::Shares(n) | Weight::BasisPoints(n) => Portion::Weight(n),
            Weight::Exact(m) => Portion::Exact(m),
            Weight::Rest => Portion::Weight(1),
        }
    }
}

/// Why a split cannot be recorded, in words the user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlanError {
    #[error("Name each person once.")]
    Repeated,
    #[error(
        "Split one expense one way: equal, shares (2x), exact amounts (30) or percentages (50%)."
    )]
    MixedModes,
    #[error("Give everyone a percentage, or leave percentages out.")]
    MissingPercent,
    #[error("Give everyone an amount, or leave amounts out.")]
    MissingAmount,
    #[error("The percentages add up to {0}%, and they must add up to 100%.")]
    PercentNot100(String),
    #[error("The exact amounts add up to more than the total ({0}).")]
    ExactOver(String),
    #[error("The exact amounts must add up to the total ({0}) when the payer is not part of it.")]
    ExactShort(String),
    #[error("A share of 0x gives nothing; use 1x or more.")]
    ZeroShares,
    #[error("An amount or a percentage can't be negative, or finer than the currency allows.")]
    BadValue,
    #[error("Split among at most {MAX_PARTICIPANTS} people.")]
    TooMany,
    #[error("There is nobody to split this with: name someone, or split among everyone.")]
    Nobody,
    #[error("The amount to split must be more than zero.")]
    NotPositive,
}

impl From<SplitError> for PlanError {
    fn from(e: SplitError) -> PlanError {
        match e {
            SplitError::NoParticipants => PlanError::Nobody,
            SplitError::NotPositive => PlanError::NotPositive,
            SplitError::ZeroWeights => PlanError::ZeroShares,
            SplitError::NegativeExact => PlanError::BadValue,
            // Both are caught with the total in the message before allocating.
            SplitError::ExactExceedsTotal | SplitError::RemainderUnassigned => PlanError::BadValue,
        }
    }
}

/// A split ready to allocate: its mode and one weight per participant, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan<K> {
    pub mode: Mode,
    pub parts: Vec<(K, Weight)>,
}

impl<K: Clone + PartialEq> Plan<K> {
    /// Applies the payer rules: the payer takes part unless `payer_included` is false (`for
    /// @ann`); a payer named with a value takes that value; without values, all share equally;
    /// with shares, unnamed people count 1x; with exact amounts the payer's part is the rest;
    /// with percentages the payer takes what the others leave.
    pub fn build(
        payer: K,
        payer_included: bool,
        named: &[(K, Option<Value>)],
        total: Money,
    ) -> Result<Plan<K>, PlanError> {
        if total.minor() <= 0 {
            return Err(PlanError::NotPositive);
        }
        for (i, (k, _)) in named.iter().enumerate() {
            if named[..i].iter().any(|(other, _)| other == k) {
                return Err(PlanError::Repeated);
            }
        }
        let payer_named = named.iter().any(|(k, _)| *k == payer);
        let mut people: Vec<(K, Option<Value>)> = Vec::new();
        if payer_included && !payer_named {
            people.push((payer.clone(), None));
        }
        people.extend(named.iter().cloned());
        if people.is_empty() || (people.len() == 1 && people[0].0 == payer && !payer_named) {
            return Err(PlanError::Nobody);
        }
        if people.len() > MAX_PARTICIPANTS {
            return Err(PlanError::TooMany);
        }
        let mut modes = people.iter().filter_map(|(_, v)| v.map(Value::mode));
        let mode = modes.next().unwrap_or(Mode::Equal);
        if modes.any(|m| m != mode) {
            return Err(PlanError::MixedModes);
        }
        let currency = total.currency();
        let implicit_payer = |k: &K, v: &Option<Value>| v.is_none() && *k == payer && !payer_named;
        let mut parts = Vec::with_capacity(people.len());
        match mode {
            Mode::Equal => parts.extend(people.iter().map(|(k, _)| (k.clone(), Weight::Shares(1)))),
            Mode::Shares => {
                for (k, v) in &people {
                    let n = match v {
                        Some(Value::Shares(n)) => *n,
                        _ => 1,
                    };
                    if n == 0 {
                        return Err(PlanError::ZeroShares);
                    }
                    parts.push((k.clone(), Weight::Shares(n)));
                }
            }
            Mode::Exact => {
                let mut sum: i128 = 0;
                let mut rest = false;
                for (k, v) in &people {
                    match v {
                        Some(Value::Exact(d)) => {
                            let m = exact_minor(*d, currency)?;
                            sum += i128::from(m);
                            parts.push((k.clone(), Weight::Exact(m)));
                        }
                        _ if implicit_payer(k, v) => {
                            rest = true;
                            parts.push((k.clone(), Weight::Rest));
                        }
                        _ => return Err(PlanError::MissingAmount),
                    }
                }
                if sum > total.minor() {
                    return Err(PlanError::ExactOver(total.to_string()));
                }
                if !rest && sum != total.minor() {
                    return Err(PlanError::ExactShort(total.to_string()));
                }
            }
            Mode::Percent => {
                let mut sum: u64 = 0;
                let mut payer_slot = None;
                for (k, v) in &people {
                    match v {
                        Some(Value::Percent(d)) => {
                            let bp = basis_points(*d)?;
                            sum = sum.saturating_add(bp);
                            parts.push((k.clone(), Weight::BasisPoints(bp)));
                        }
                        _ if implicit_payer(k, v) => {
                            payer_slot = Some(parts.len());
                            parts.push((k.clone(), Weight::BasisPoints(0)));
                        }
                        _ => return Err(PlanError::MissingPercent),
                    }
                }
                match payer_slot {
                    Some(i) if sum <= 10_000 => parts[i].1 = Weight::BasisPoints(10_000 - sum),
                    None if sum == 10_000 => {}
                    _ => return Err(PlanError::PercentNot100(percent_text(sum))),
                }
            }
        }
        Ok(Plan { mode, parts })
    }

    /// The shares in minor units, in participant order; they add up to `total`.
    pub fn allocate(&self, total: Money, tie_start: usize) -> Result<Vec<i64>, PlanError> {
        let shown = total.to_string();
        let total = i64::try_from(total.minor()).map_err(|_| PlanError::BadValue)?;
        let portions: Vec<Portion> = self.parts.iter().map(|(_, w)| w.portion()).collect();
        let exact: i128 = self
            .parts
            .iter()
            .filter_map(|(_, w)| match w {
                Weight::Exact(m) => Some(i128::from(*m)),
                _ => None,
            })
            .sum();
        let weighted = self
            .parts
            .iter()
            .any(|(_, w)| !matches!(w, Weight::Exact(_)));
        if exact > i128::from(total) || (!weighted && exact != i128::from(total)) {
            return Err(if exact > i128::from(total) {
                PlanError::ExactOver(shown)
            } else {
                PlanError::ExactShort(shown)
            });
        }
        // Percentages with a zero-percent payer weigh nothing: allocate among the rest.
        Ok(allocate(total, &portions, tie_start)?)
    }
}

fn exact_minor(d: Decimal, currency: Currency) -> Result<i64, PlanError> {
    if d.is_negative() {
        return Err(PlanError::BadValue);
    }
    let m = Money::from_decimal(d, currency, Rounding::Reject).map_err(|_| PlanError::BadValue)?;
    i64::try_from(m.minor()).map_err(|_| PlanError::BadValue)
}

fn basis_points(d: Decimal) -> Result<u64, PlanError> {
    if d.is_negative() {
        return Err(PlanError::BadValue);
    }
    let bp = d.to_scale_exact(2).ok_or(PlanError::BadValue)?;
    u64::try_from(bp).map_err(|_| PlanError::BadValue)
}

fn percent_text(bp: u64) -> String {
    if bp.is_multiple_of(100) {
        (bp / 100).to_string()
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("USD").unwrap()).unwrap()
    }

    fn v(s: &str) -> Option<Value> {
        Value::read(s)
    }

    #[test]
    fn values_read_as_the_contract_says() {
        assert_eq!(v("2x"), Some(Value::Shares(2)));
        assert!(matches!(v("50%"), Some(Value::Percent(_))));
        assert!(matches!(v("30.50"), Some(Value::Exact(_))));
        assert_eq!(v("taxi"), None);
        assert_eq!(v("x"), None);
    }

    #[test]
    fn the_payer_is_in_unless_the_money_was_for_the_others() {
        let p = Plan::build(0, true, &[(1, None), (2, None)], usd(9000)).unwrap();
        assert_eq!(p.allocate(usd(9000), 0).unwrap(), vec![3000, 3000, 3000]);
        let p = Plan::build(0, false, &[(1, None)], usd(3000)).unwrap();
        assert_eq!(p.parts, vec![(1, Weight::Shares(1))]);
        assert_eq!(p.allocate(usd(3000), 0).unwrap(), vec![3000]);
    }

    #[test]
    fn exact_amounts_leave_the_rest_to_the_payer() {
        let p = Plan::build(0, true, &[(1, v("30")), (2, v("20"))], usd(9000)).unwrap();
        assert_eq!(p.mode, Mode::Exact);
        assert_eq!(p.allocate(usd(9000), 0).unwrap(), vec![4000, 3000, 2000]);
        assert_eq!(
            Plan::build(0, true, &[(1, v("95"))], usd(9000)),
            Err(PlanError::ExactOver("$90.00".into()))
        );
        assert_eq!(
            Plan::build(0, false, &[(1, v("30"))], usd(9000)),
            Err(PlanError::ExactShort("$90.00".into()))
        );
    }

    #[test]
    fn percentages_must_come_to_100() {
        let p = Plan::build(0, true, &[(1, v("25%"))], usd(10000)).unwrap();
        assert_eq!(p.allocate(usd(10000), 0).unwrap(), vec![7500, 2500]);
        assert_eq!(
            Plan::build(0, false, &[(1, v("60%")), (2, v("30%"))], usd(100)),
            Err(PlanError::PercentNot100("90".into()))
        );
        assert_eq!(
            Plan::build(0, true, &[(1, v("120%"))], usd(100)),
            Err(PlanError::PercentNot100("120".into()))
        );
    }

    #[test]
    fn shares_mixed_modes_repeats_and_nobody_are_refused_clearly() {
        let p = Plan::build(0, true, &[(1, v("2x"))], usd(300)).unwrap();
        assert_eq!(p.allocate(usd(300), 0).unwrap(), vec![100, 200]);
        assert_eq!(
            Plan::build(0, true, &[(1, v("2x")), (2, v("30"))], usd(300)),
            Err(PlanError::MixedModes)
        );
        assert_eq!(
            Plan::build(0, true, &[(1, None), (1, None)], usd(300)),
            Err(PlanError::Repeated)
        );
        assert_eq!(Plan::build(0, true, &[], usd(300)), Err(PlanError::Nobody));
    }

    #[test]
    fn weights_survive_storage() {
        for w in [
            Weight::Shares(3),
            Weight::Exact(1250),
            Weight::BasisPoints(3333),
            Weight::Rest,
        ] {
            assert_eq!(Weight::decode(&w.encode()), Some(w));
        }
        assert_eq!(Weight::decode("q1"), None);
    }

    fn value() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            (1u64..5).prop_map(|n| Some(Value::Shares(n))),
            (0i128..5000).prop_map(|c| Some(Value::Exact(Decimal::new(c, 2).unwrap()))),
            (0i128..6000).prop_map(|bp| Some(Value::Percent(Decimal::new(bp, 2).unwrap()))),
        ]
    }

    proptest! {
        /// Whatever the split, a plan that is accepted gives shares that add up to the amount,
        /// none negative, the same every time for the same entry.
        #[test]
        fn accepted_plans_share_the_whole_amount(
            total in 1i64..10_000_000,
            values in prop::collection::vec(value(), 1..8),
            payer_in in any::<bool>(),
            tie in 0usize..100,
        ) {
            let named: Vec<(usize, Option<Value>)> =
                values.into_iter().enumerate().map(|(i, v)| (i + 1, v)).collect();
            if let Ok(plan) = Plan::build(0, payer_in, &named, usd(total)) {
                let shares = plan.allocate(usd(total), tie).unwrap();
                prop_assert_eq!(shares.iter().sum::<i64>(), total);
                prop_assert!(shares.iter().all(|s| *s >= 0));
                prop_assert_eq!(plan.allocate(usd(total), tie).unwrap(), shares);
            }
        }
    }
}
