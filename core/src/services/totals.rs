//! Grouped sums of a ledger's live transactions over any date range: whole months come from the
//! trigger-kept `ledger_month_totals`, only partial edge months from `transactions` itself.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::AnyConnection;
use crate::db::schema::{ledger_month_totals as months, transactions};
use crate::domain::{LedgerId, TransactionKind};
use crate::error::Error;
use crate::money::Currency;
use crate::period::{DateRange, first_of_month, last_of_month};

/// One group of live transactions: a day (edge months) or a month (first day) × kind × currency ×
/// category × author, with its sum in minor units and how many transactions it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TotalsRow {
    pub date: NaiveDate,
    pub kind: TransactionKind,
    pub currency: Currency,
    pub category_id: i64,
    pub author: i64,
    /// Wide, so no number of entries can overflow it.
    pub amount: i128,
    pub count: i64,
}

/// `range` as leading days, whole months (first days of the first and last), trailing days.
fn split(
    range: DateRange,
) -> (
    Option<DateRange>,
    Option<(NaiveDate, NaiveDate)>,
    Option<DateRange>,
) {
    use chrono::Datelike;
    let first_full = if range.from.day() == 1 {
        range.from
    } else {
        last_of_month(range.from) + Days::new(1)
    };
    let last_full_end = if range.to == last_of_month(range.to) {
        range.to
    } else {
        first_of_month(range.to.year(), range.to.month()) - Days::new(1)
    };
    if first_full > last_full_end {
        return (Some(range), None, None);
    }
    let lead =
        (range.from < first_full).then(|| DateRange::new(range.from, first_full - Days::new(1)));
    let trail =
        (last_full_end < range.to).then(|| DateRange::new(last_full_end + Days::new(1), range.to));
    let last_month = first_of_month(last_full_end.year(), last_full_end.month());
    (lead, Some((first_full, last_month)), trail)
}

/// Sums of single amounts are taken in two parts, whole billions of minor units and the rest,
/// so neither database's 64-bit `SUM` can overflow however many huge entries a day holds; the
/// parts are joined in 128 bits.
const SUM_SPLIT: i128 = 1_000_000_000;

/// The SQL for the two parts of a sum of `transactions.amount_minor`.
pub(crate) const SUM_HIGH: &str = "CAST(SUM(transactions.amount_minor / 1000000000) AS BIGINT)";
pub(crate) const SUM_LOW: &str = "CAST(SUM(transactions.amount_minor % 1000000000) AS BIGINT)";

/// Joins the parts of a split sum.
pub(crate) fn join_sum(high: i64, low: i64) -> i128 {
    i128::from(high) * SUM_SPLIT + i128::from(low)
}

type Raw = (NaiveDate, String, String, i64, i64, i128, i64);
type SplitRaw = (NaiveDate, String, String, i64, i64, i64, i64, i64);

fn decode(rows: Vec<Raw>, out: &mut Vec<TotalsRow>) -> Result<(), Error> {
    for (date, kind, currency, category_id, author, amount, count) in rows {
        if count == 0 {
            continue;
        }
        out.push(TotalsRow {
            date,
            kind: crate::models::stored("transactions.kind", &kind)?,
            currency: Currency::parse(&currency).map_err(|e| Error::Internal(e.to_string()))?,
            category_id,
            author,
            amount,
            count,
        });
    }
    Ok(())
}

/// The grouped sums of `ledger` over `range`. The caller has checked access.
pub(crate) fn rows(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    range: DateRange,
) -> Result<Vec<TotalsRow>, Error> {
    let (lead, whole, trail) = split(range);
    let mut out = Vec::new();
    for edge in [lead, trail].into_iter().flatten() {
        // Grouping in the date index's own order lets the database stream it without sorting.
        let raw: Vec<SplitRaw> = transactions::table
            .filter(transactions::ledger_id.eq(ledger.get()))
            .filter(transactions::deleted_at.is_null())
            .filter(transactions::occurred_on.between(edge.from, edge.to))
            .group_by((
                transactions::occurred_on,
                transactions::kind,
                transactions::currency,
                transactions::category_id,
                transactions::author_account_id,
            ))
            .select((
                transactions::occurred_on,
                transactions::kind,
                transactions::currency,
                transactions::category_id,
                transactions::author_account_id,
                diesel::dsl::sql::<BigInt>(SUM_HIGH),
                diesel::dsl::sql::<BigInt>(SUM_LOW),
                diesel::dsl::sql::<BigInt>("COUNT(*)"),
            ))
            .load::<SplitRaw>(conn)?;
        let raw = raw
            .into_iter()
            .map(|(d, k, c, cat, a, high, low, n)| (d, k, c, cat, a, join_sum(high, low), n))
            .collect();
        decode(raw, &mut out)?;
    }
    if let Some((first, last)) = whole {
        let rolled: Vec<(NaiveDate, String, String, i64, i64, i64, i64)> = months::table
            .filter(months::ledger_id.eq(ledger.get()))
            .filter(months::month.between(first, last))
            .filter(months::tx_count.gt(0))
            .select((
                months::month,
                months::kind,
                months::currency,
                months::category_id,
                months::author_account_id,
                months::amount_minor,
                months::tx_count,
            ))
            .load(conn)?;
        let rolled = rolled
            .into_iter()
            .map(|(d, k, c, cat, a, amount, n)| (d, k, c, cat, a, i128::from(amount), n))
            .collect();
        decode(rolled, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn splits_into_edges_and_whole_months() {
        let r = |a, b| DateRange::new(d(a), d(b));
        assert_eq!(
            split(r("2026-11-01", "2026-11-30")),
            (None, Some((d("2026-11-01"), d("2026-11-01"))), None)
        );
        assert_eq!(
            split(r("2026-03-17", "2026-09-02")),
            (
                Some(r("2026-03-17", "2026-03-31")),
                Some((d("2026-04-01"), d("2026-08-01"))),
                Some(r("2026-09-01", "2026-09-02"))
            )
        );
        assert_eq!(
            split(r("2026-11-23", "2026-11-29")),
            (Some(r("2026-11-23", "2026-11-29")), None, None)
        );
        assert_eq!(
            split(r("2026-10-26", "2026-11-24")),
            (Some(r("2026-10-26", "2026-11-24")), None, None)
        );
        assert_eq!(
            split(r("2026-10-01", "2026-11-24")),
            (
                None,
                Some((d("2026-10-01"), d("2026-10-01"))),
                Some(r("2026-11-01", "2026-11-24"))
            )
        );
    }
}
