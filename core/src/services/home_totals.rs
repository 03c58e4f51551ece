//! Figures in one currency: every entry in another currency converted at the rates of its own date.
//!
//! The rounding contract (issue 14): each entry's conversion is computed exactly and rounded
//! once, half to even, to the target currency's minor unit ([`RateTable::convert`]); a total is
//! the sum of those rounded amounts, so the lines shown always add up to the total shown. An
//! entry whose card charge was recorded in the target currency counts at that charge, not at a
//! reference rate. An old entry is never converted at today's rate.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::rates;
use crate::db::AnyConnection;
use crate::db::schema::{transaction_charges, transactions};
use crate::domain::{LedgerId, TransactionKind};
use crate::error::Error;
use crate::money::{Currency, Money};
use crate::period::DateRange;
use crate::rates::RateTable;

/// One live entry whose own currency is not the target's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    pub date: NaiveDate,
    pub kind: TransactionKind,
    pub category_id: i64,
    pub money: Money,
    /// What the card charged, when that was recorded.
    pub charged: Option<Money>,
}

/// The dates of the rates behind a converted figure, for the note beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatesUsed {
    /// No reference rate was needed: every entry counted at its card's charge.
    CardCharges,
    /// Every conversion used one day's publication.
    Day(NaiveDate),
    /// Each entry at the rates of its own date (several publications).
    EachEntrysDate,
}

impl RatesUsed {
    fn of(dates: &BTreeSet<NaiveDate>) -> RatesUsed {
        match (dates.first(), dates.len()) {
            (None, _) => RatesUsed::CardCharges,
            (Some(d), 1) => RatesUsed::Day(*d),
            _ => RatesUsed::EachEntrysDate,
        }
    }

    /// `at ECB rates of 27 Nov 2026`, `at ECB rates of each entry's date`, `at your card charges`.
    pub fn note(&self) -> String {
        match self {
            RatesUsed::CardCharges => "at your card charges".into(),
            RatesUsed::Day(d) => format!("at ECB rates of {}", d.format("%-d %b %Y")),
            RatesUsed::EachEntrysDate => "at ECB rates of each entry's date".into(),
        }
    }
}

/// Entries converted into one currency: sums of the rounded conversions in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub currency: Currency,
    pub income: i128,
    pub expenses: i128,
    pub rates: RatesUsed,
    /// How many entries were converted (the rest are in `missing`).
    pub count: usize,
    /// Currencies that no stored publication on or before an entry's date lists.
    pub missing: Vec<Currency>,
}

/// Converts each entry into `target` at its own date's rates (or its card charge), rounding
/// each once; entries that cannot be converted are left out and their currency named.
pub fn convert_entries<'a>(
    entries: impl IntoIterator<Item = &'a Foreign>,
    table: &RateTable,
    target: Currency,
) -> Converted {
    let (mut income, mut expenses) = (0i128, 0i128);
    let mut dates = BTreeSet::new();
    let mut missing = BTreeSet::new();
    let mut count = 0;
    for e in entries {
        let minor = match e.charged {
            Some(charge) if charge.currency() == target => Some(charge.minor()),
            // The card's figure is the money that really left: convert that one when it exists.
            _ => {
                let source = e.charged.unwrap_or(e.money);
                match table.convert(source.minor(), source.currency(), target, e.date) {
                    Some(c) => {
                        if source.currency() != target {
                            dates.insert(c.rate_date);
                        }
                        Some(c.minor)
                    }
                    None => {
                        missing.insert(source.currency().code());
                        None
                    }
                }
            }
        };
        match (minor, e.kind) {
            (Some(m), TransactionKind::Income) => {
                income += m;
                count += 1;
            }
            (Some(m), TransactionKind::Expense) => {
                expenses += m;
                count += 1;
            }
            (None, _) => {}
        }
    }
    Converted {
        currency: target,
        income,
        expenses,
        rates: RatesUsed::of(&dates),
        count,
        missing: missing
            .into_iter()
            .filter_map(|c| Currency::parse(c).ok())
            .collect(),
    }
}

/// The live entries of `ledger` in `range` whose currency is not `target`, with their card
/// charges. The caller has checked access.
pub(crate) fn foreign(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    range: DateRange,
    target: Currency,
) -> Result<Vec<Foreign>, Error> {
    type Raw = (
        NaiveDate,
        String,
        i64,
        i64,
        String,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Raw> = transactions::table
        .left_join(transaction_charges::table)
        .filter(transactions::ledger_id.eq(ledger.get()))
        .filter(transactions::deleted_at.is_null())
        .filter(transactions::occurred_on.between(range.from, range.to))
        .filter(transactions::currency.ne(target.code()))
        .select((
            transactions::occurred_on,
            transactions::kind,
            transactions::category_id,
            transactions::amount_minor,
            transactions::currency,
            transaction_charges::amount_minor.nullable(),
            transaction_charges::currency.nullable(),
        ))
        .load(conn)?;
    let money = |minor: i64, code: &str| -> Result<Money, Error> {
        let currency = Currency::parse(code).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Money::total(i128::from(minor), currency))
    };
    rows.into_iter()
        .map(|(date, kind, category_id, minor, code, c_minor, c_code)| {
            Ok(Foreign {
                date,
                kind: crate::models::stored("transactions.kind", &kind)?,
                category_id,
                money: money(minor, &code)?,
                charged: match (c_minor, c_code) {
                    (Some(m), Some(c)) => Some(money(m, &c)?),
                    _ => None,
                },
            })
        })
        .collect()
}

/// A figure in the home currency beside the per-currency ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeTotal {
    pub income: Money,
    pub expenses: Money,
    pub net: Money,
    pub rates: RatesUsed,
}

impl HomeTotal {
    /// `≈ $1,538.04 at ECB rates of 30 Nov 2026` for one of the figures.
    pub fn approx(&self, figure: Money) -> String {
        format!("≈ {figure} {}", self.rates.note())
    }
}

/// The home-currency line of a summary or answer: a total, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InHome {
    Total(HomeTotal),
    /// Some currency has no stored rate for an entry's date: the figures stay per currency.
    NoRates {
        missing: Vec<Currency>,
    },
}

impl InHome {
    /// Why there is no single total, in the user's words.
    pub fn no_rates_note(missing: &[Currency]) -> String {
        let codes: Vec<&str> = missing.iter().map(|c| c.code()).collect();
        format!(
            "No exchange rates for {} yet, so the totals stay per currency.",
            codes.join(", ")
        )
    }
}

/// `home`'s own sums plus every other-currency entry of `ledger` in `range` that `keep`
/// selects, converted; `None` when no such entry exists (nothing to convert, nothing to note).
pub(crate) fn home_total(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    range: DateRange,
    home: Currency,
    own: (i128, i128),
    keep: impl Fn(&Foreign) -> bool,
) -> Result<Option<InHome>, Error> {
    let entries: Vec<Foreign> = foreign(conn, ledger, range, home)?
        .into_iter()
        .filter(|e| keep(e))
        .collect();
    if entries.is_empty() {
        return Ok(None);
    }
    let table = rates::table(conn, range.from, range.to)?;
    Ok(Some(in_home(convert_entries(&entries, &table, home), own)))
}

/// The home figure from converted entries and the home currency's own `(income, expenses)`.
pub(crate) fn in_home(c: Converted, own: (i128, i128)) -> InHome {
    if !c.missing.is_empty() {
        return InHome::NoRates { missing: c.missing };
    }
    let home = c.currency;
    let income = Money::total(own.0 + c.income, home);
    let expenses = Money::total(own.1 + c.expenses, home);
    let net = Money::total(income.minor() - expenses.minor(), home);
    InHome::Total(HomeTotal {
        income,
        expenses,
        net,
        rates: c.rates,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::rates::Publication;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn m(s: &str, c: Currency) -> Money {
        Money::parse(s, c).unwrap()
    }

    fn table() -> RateTable {
        let mut t = RateTable::new();
        for (day, usd) in [("2026-11-26", "1.0500"), ("2026-11-27", "1.0565")] {
            t.insert(Publication {
                date: d(day),
                rates: vec![(Currency::USD, usd.parse().unwrap())],
            });
        }
        t
    }

    fn expense(day: &str, money: Money, charged: Option<Money>) -> Foreign {
        Foreign {
            date: d(day),
            kind: TransactionKind::Expense,
            category_id: 1,
            money,
            charged,
        }
    }

    #[test]
    fn each_entry_at_its_own_date_rounded_once_then_summed() {
        // €0.05 at 1.0565 = $0.052825 → $0.05; twice is $0.10, where rounding the exact sum
        // ($0.10565) once would also give $0.11: the lines shown must add up, so $0.10.
        let entries = [
            expense("2026-11-27", m("0.05", Currency::EUR), None),
            expense("2026-11-28", m("0.05", Currency::EUR), None),
        ];
        let c = convert_entries(&entries, &table(), Currency::USD);
        assert_eq!(c.expenses, 10);
        assert_eq!(c.rates, RatesUsed::Day(d("2026-11-27")));
        assert_eq!(c.rates.note(), "at ECB rates of 27 Nov 2026");
        // An entry of the 26th keeps the 26th's rate: €100 → $105.00, not $105.65.
        let old = [
            expense("2026-11-26", m("100", Currency::EUR), None),
            expense("2026-11-27", m("100", Currency::EUR), None),
        ];
        let c = convert_entries(&old, &table(), Currency::USD);
        assert_eq!(c.expenses, 10_500 + 10_565);
        assert_eq!(c.rates, RatesUsed::EachEntrysDate);
    }

    #[test]
    fn a_card_charge_beats_the_reference_rate_and_missing_rates_are_named() {
        let entries = [
            // CHF has no rate at all, but the card said what it cost in dollars.
            expense(
                "2026-11-27",
                m("52.28", Currency::CHF),
                Some(m("55.41", Currency::USD)),
            ),
        ];
        let c = convert_entries(&entries, &table(), Currency::USD);
        assert_eq!(
            (c.expenses, c.rates.clone()),
            (5_541, RatesUsed::CardCharges)
        );
        assert!(c.missing.is_empty());
        // Charged in euros, home in dollars: the euro charge converts, not the francs.
        let entries = [expense(
            "2026-11-27",
            m("52.28", Currency::CHF),
            Some(m("100", Currency::EUR)),
        )];
        assert_eq!(
            convert_entries(&entries, &table(), Currency::USD).expenses,
            10_565
        );
        let entries = [expense("2026-11-27", m("52.28", Currency::CHF), None)];
        let c = convert_entries(&entries, &table(), Currency::USD);
        assert_eq!(c.missing, vec![Currency::CHF]);
        assert_eq!(
            InHome::no_rates_note(&c.missing),
            "No exchange rates for CHF yet, so the totals stay per currency."
        );
    }
}
