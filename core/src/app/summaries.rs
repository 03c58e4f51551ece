//! Reports over a ledger (summary, savings, chart data) and how far back savings look.

use chrono::NaiveDate;

use crate::Tally;
use crate::domain::{AccountId, LedgerId};
use crate::error::Error;
use crate::money::Currency;
use crate::period::{DateRange, Granularity};
use crate::services::analytics::{self, SavingsPeriod, Summary};
use crate::services::charts::{self, ChartRequest, Charted};
use crate::services::ledgers;

use super::resolve_ledger;

/// The last `periods` whole periods of `granularity`, the one holding `today` included: every
/// surface (chat, REST, LLM tools) computes its savings range with this.
pub fn savings_window(granularity: Granularity, today: NaiveDate, periods: u32) -> DateRange {
    let months_per = match granularity {
        Granularity::Month => 1,
        Granularity::Quarter => 3,
        Granularity::Year => 12,
    };
    let current = granularity.range_containing(today);
    let back = periods.saturating_sub(1).saturating_mul(months_per);
    DateRange::new(current.months_before(back).from, current.to)
}

/// How many periods savings look back over when not told: 12 months, 8 quarters or 5 years.
/// The one look-back of every surface: the chat's `/savings`, the REST API (whose OpenAPI
/// document states it) and the LLM's `savings` tool when the model names no count; the monthly
/// chart behind the 📊 button shows the same periods, so the picture matches the figures.
pub fn default_savings_periods(granularity: Granularity) -> u32 {
    match granularity {
        Granularity::Month => 12,
        Granularity::Quarter => 8,
        Granularity::Year => 5,
    }
}

/// Savings figures with the ledger they are about and that ledger's currency.
#[derive(Debug, Clone)]
pub struct Savings {
    pub ledger: LedgerId,
    pub home: Currency,
    pub periods: Vec<SavingsPeriod>,
}

impl Tally {
    /// Income, expenses and net over `range`, with the ledger it read.
    pub async fn summary(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        range: DateRange,
    ) -> Result<(LedgerId, Summary), Error> {
        self.summary_in(account, ledger, range, None).await
    }

    /// [`Tally::summary`] with its one total in `target` (the ledger's home currency when
    /// `None`), each other-currency entry converted at its own date's rates.
    pub async fn summary_in(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        range: DateRange,
        target: Option<Currency>,
    ) -> Result<(LedgerId, Summary), Error> {
        self.db()
            .read(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                Ok((
                    ledger,
                    analytics::summary_in(c, account, ledger, range, target)?,
                ))
            })
            .await
    }

    /// Income, expenses, net and savings rate per period over `range`.
    pub async fn savings(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        granularity: Granularity,
        range: DateRange,
    ) -> Result<Savings, Error> {
        self.db()
            .read(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                let home = ledgers::access(c, account, ledger)?.ledger.default_currency;
                Ok(Savings {
                    ledger,
                    home,
                    periods: analytics::savings(c, account, ledger, granularity, range)?,
                })
            })
            .await
    }

    /// The figures for a chart (drawing it is the caller's CPU work).
    pub async fn chart(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        request: ChartRequest,
        today: NaiveDate,
    ) -> Result<Charted, Error> {
        self.db()
            .read(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                charts::build(c, account, ledger, &request, today)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn the_window_ends_with_the_current_period_and_counts_it() {
        let today = date("2026-11-24");
        let months = savings_window(Granularity::Month, today, 6);
        assert_eq!(
            (months.from, months.to),
            (date("2026-06-01"), date("2026-11-30"))
        );
        let quarters = savings_window(Granularity::Quarter, today, 4);
        assert_eq!(
            (quarters.from, quarters.to),
            (date("2026-01-01"), date("2026-12-31"))
        );
        let years = savings_window(Granularity::Year, today, 3);
        assert_eq!(
            (years.from, years.to),
            (date("2024-01-01"), date("2026-12-31"))
        );
        // One period is the current one alone; zero is treated as one.
        for n in [0, 1] {
            let w = savings_window(Granularity::Month, today, n);
            assert_eq!((w.from, w.to), (date("2026-11-01"), date("2026-11-30")));
        }
    }

    #[test]
    fn the_default_is_twelve_months_eight_quarters_five_years() {
        let today = date("2026-11-24");
        let w = |g| savings_window(g, today, default_savings_periods(g));
        assert_eq!(w(Granularity::Month).from, date("2025-12-01"));
        assert_eq!(w(Granularity::Quarter).from, date("2025-01-01"));
        assert_eq!(w(Granularity::Year).from, date("2022-01-01"));
    }
}
