//! The ledger's recent history, loaded once per analysis and split by currency.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{categories, transactions};
use crate::domain::{CategoryName, LedgerId, TransactionKind};
use crate::error::Error;
use crate::money::{Currency, Money};
use crate::period::{DateRange, first_of_month};

/// How far back the analyst looks: the current month and the twelve before it, which covers the
/// year to date, the quarter, six months of savings and the recurring-payment search.
pub(crate) const MONTHS_BACK: u32 = 12;

/// One live transaction, reduced to what the findings read.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub id: i64,
    pub date: NaiveDate,
    pub kind: TransactionKind,
    pub minor: i64,
    pub category: CategoryName,
    pub note: String,
}

/// One currency's entries, oldest first. Currencies are analysed apart and never added together.
#[derive(Debug, Clone)]
pub(crate) struct Book {
    pub currency: Currency,
    pub today: NaiveDate,
    /// The first day with any entry in the ledger (any currency) within the window: how much
    /// history there is to compare against.
    pub earliest: NaiveDate,
    pub entries: Vec<Entry>,
}

/// Loads the window ending `today`; the ledger's own currency comes first.
pub(crate) fn load(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    home: Currency,
    today: NaiveDate,
) -> Result<Vec<Book>, Error> {
    let from = first_of_month(
        chrono::Datelike::year(&today),
        chrono::Datelike::month(&today),
    ) - Months::new(MONTHS_BACK);
    type Row = (i64, NaiveDate, String, i64, String, String, String);
    let rows: Vec<Row> = transactions::table
        .inner_join(categories::table)
        .filter(transactions::ledger_id.eq(ledger.get()))
        .filter(transactions::deleted_at.is_null())
        .filter(transactions::occurred_on.between(from, today))
        .order((transactions::occurred_on.asc(), transactions::id.asc()))
        .select((
            transactions::id,
            transactions::occurred_on,
            transactions::kind,
            transactions::amount_minor,
            transactions::currency,
            categories::name,
            transactions::note,
        ))
        .load(conn)?;
    let earliest = rows.first().map_or(today, |r| r.1);
    let mut books: BTreeMap<&'static str, Book> = BTreeMap::new();
    for (id, date, kind, minor, code, category, note) in rows {
        let currency = Currency::parse(&code).map_err(|e| Error::Internal(e.to_string()))?;
        let kind: TransactionKind = crate::models::stored("transactions.kind", &kind)?;
        let category = CategoryName::parse(&category)
            .map_err(|e| Error::Internal(format!("stored category: {e}")))?;
        books
            .entry(currency.code())
            .or_insert_with(|| Book {
                currency,
                today,
                earliest,
                entries: Vec::new(),
            })
            .entries
            .push(Entry {
                id,
                date,
                kind,
                minor,
                category,
                note,
            });
    }
    let mut out: Vec<Book> = books.into_values().collect();
    out.sort_by_key(|b| (b.currency != home, b.currency.code()));
    Ok(out)
}

impl Book {
    pub fn expenses(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| e.kind == TransactionKind::Expense)
    }

    /// The total of one kind (optionally one category) within `range`, in minor units.
    pub fn total(
        &self,
        kind: TransactionKind,
        category: Option<&CategoryName>,
        range: DateRange,
    ) -> i64 {
        self.entries
            .iter()
            .filter(|e| e.kind == kind && range.contains(e.date))
            .filter(|e| category.is_none_or(|c| *c == e.category))
            .fold(0i64, |sum, e| sum.saturating_add(e.minor))
    }

    /// Expense totals per category within `range`.
    pub fn by_category(&self, range: DateRange) -> BTreeMap<CategoryName, i64> {
        let mut out: BTreeMap<CategoryName, i64> = BTreeMap::new();
        for e in self.expenses().filter(|e| range.contains(e.date)) {
            let t = out.entry(e.category.clone()).or_insert(0);
            *t = t.saturating_add(e.minor);
        }
        out
    }

    /// Minor units of a figure as money. Figures are totals, so they carry no single-amount
    /// bound: huge entries must not stop the analysis of a whole ledger.
    pub fn money(&self, minor: i64) -> Result<Money, Error> {
        Ok(Money::total(i128::from(minor), self.currency))
    }

    /// The full calendar months before the current one that the ledger has data for, newest
    /// first, at most `n`. A month counts once the ledger's first entry is on or before its end.
    pub fn previous_months(&self, n: u32) -> Vec<DateRange> {
        let this = DateRange::month_of(self.today);
        (1..=n)
            .map(|k| this.months_before(k))
            .filter(|m| self.earliest <= m.to)
            .collect()
    }

    /// The average monthly expenses over the previous (up to) three months: the yardstick that
    /// findings are weighed against. `None` without a full month of history.
    pub fn monthly_expenses(&self) -> Option<i64> {
        let months = self.previous_months(3);
        if months.is_empty() {
            return None;
        }
        let sum = months
            .iter()
            .map(|m| self.total(TransactionKind::Expense, None, *m))
            .fold(0i64, i64::saturating_add);
        Some(div_round(sum, months.len() as i64))
    }
}

/// `a / b` rounded half away from zero (b > 0).
pub(crate) fn div_round(a: i64, b: i64) -> i64 {
    if b == 0 {
        return 0;
    }
    let (a, b) = (i128::from(a), i128::from(b));
    let q = a / b;
    let r = a % b;
    let q = if r.abs() * 2 >= b.abs() {
        if (a < 0) != (b < 0) { q - 1 } else { q + 1 }
    } else {
        q
    };
    i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX })
}

/// How much bigger `new` is than `old`, in whole percent rounded half away from zero.
pub(crate) fn percent_change(new: i64, old: i64) -> Option<i64> {
    if old <= 0 {
        return None;
    }
    Some(div_round(new.saturating_sub(old).saturating_mul(100), old))
}

/// `part` as whole percent of `whole`, rounded half away from zero (0 when `whole` is not positive).
pub(crate) fn share(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    div_round(part.saturating_mul(100), whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(div_round(5, 2), 3);
        assert_eq!(div_round(-5, 2), -3);
        assert_eq!(div_round(4, 3), 1);
        assert_eq!(div_round(1, 0), 0);
        assert_eq!(percent_change(150, 100), Some(50));
        assert_eq!(percent_change(50, 100), Some(-50));
        assert_eq!(percent_change(1, 0), None);
        assert_eq!(share(1, 3), 33);
    }
}
