//! Budgets: a ledger's limits per category and period, with how much of each is spent.

use chrono::NaiveDate;

use crate::Tally;
use crate::domain::{AccountId, CategoryName};
use crate::error::Error;
use crate::money::Currency;
use crate::period::BudgetPeriod;
use crate::services::budgets::{self, BudgetStatus};
use crate::services::ledgers;

use super::{AmountInput, required_amount, resolve_ledger};

/// A limit for a category per period.
#[derive(Debug)]
pub struct BudgetLimit {
    pub category: CategoryName,
    pub period: BudgetPeriod,
    pub amount: Option<AmountInput>,
    /// The amount's currency; default: the ledger's.
    pub currency: Option<Currency>,
}

impl Tally {
    /// Every budget of the ledger and where it stands on `today`.
    pub async fn budgets(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        today: NaiveDate,
    ) -> Result<Vec<BudgetStatus>, Error> {
        self.db()
            .read(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                budgets::status(c, account, ledger, today)
            })
            .await
    }

    /// Sets (or replaces) a limit and answers with where that budget stands on `today`.
    pub async fn set_budget(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        budget: BudgetLimit,
        today: NaiveDate,
    ) -> Result<BudgetStatus, Error> {
        let now = self.now();
        self.db()
            .write(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                let home = ledgers::access(c, account, ledger)?.ledger.default_currency;
                let limit = required_amount(budget.amount, budget.currency.unwrap_or(home))?;
                let set = budgets::set(
                    c,
                    account,
                    ledger,
                    &budget.category,
                    limit,
                    budget.period,
                    now,
                )?;
                budgets::status(c, account, ledger, today)?
                    .into_iter()
                    .find(|s| s.budget.id == set.id)
                    .ok_or_else(|| Error::Internal("budget vanished".into()))
            })
            .await
    }

    /// Removes the budget for `category` per `period`.
    pub async fn remove_budget(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        category: CategoryName,
        period: BudgetPeriod,
    ) -> Result<usize, Error> {
        self.db()
            .write(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                budgets::remove(c, account, ledger, &category, Some(period))
            })
            .await
    }
}
