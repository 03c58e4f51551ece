//! Budgets: limits per category and period, how they stand, and the alerts when they fill up.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use super::home_totals::{self, Foreign, RatesUsed};
use super::{categories, insert_unless_exists, ledgers, rates, totals, ts};
use crate::db::AnyConnection;
use crate::db::schema::{budget_alerts, budgets, categories as categories_t, transactions};
use crate::domain::{AccountId, CategoryId, CategoryName, LedgerId, TransactionKind};
use crate::error::Error;
use crate::models::budget::{Budget, BudgetRow, NewBudgetAlertRow, NewBudgetRow};
use crate::money::{Currency, Money};
use crate::period::{BudgetPeriod, DateRange};

/// The fill levels, in percent, at which a group hears about a budget once per period.
pub const ALERT_THRESHOLDS: [i32; 2] = [80, 100];

/// Sets (or replaces) the budget for a category and period. In a group only admins may.
pub fn set(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    category: &CategoryName,
    limit: Money,
    period: BudgetPeriod,
    now: DateTime<Utc>,
) -> Result<Budget, Error> {
    let access = ledgers::access_to_write(conn, actor, ledger)?;
    access.require_manage("set budgets")?;
    if limit.minor() <= 0 {
        return Err(Error::invalid("amount", "A budget must be more than zero."));
    }
    let amount_minor = limit
        .stored_minor()
        .map_err(|e| Error::money("amount", e))?;
    let cat = categories::require_active(conn, ledger, TransactionKind::Expense, category)?;
    let updated = diesel::update(
        budgets::table
            .filter(budgets::ledger_id.eq(ledger.get()))
            .filter(budgets::category_id.eq(cat.id.get()))
            .filter(budgets::period.eq(period.as_str())),
    )
    .set((
        budgets::amount_minor.eq(amount_minor),
        budgets::currency.eq(limit.currency().code()),
        budgets::updated_at.eq(ts(now)),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(budgets::table)
            .values(NewBudgetRow {
                ledger_id: ledger.get(),
                category_id: cat.id.get(),
                amount_minor,
                currency: limit.currency().code(),
                period: period.as_str(),
                created_by: actor.get(),
                created_at: ts(now),
                updated_at: ts(now),
            })
            .execute(conn)?;
    }
    find(conn, ledger, cat.id, period)?.ok_or_else(|| Error::Internal("budget vanished".into()))
}

fn find(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    category: CategoryId,
    period: BudgetPeriod,
) -> Result<Option<Budget>, Error> {
    let row: Option<(BudgetRow, String)> = budgets::table
        .inner_join(categories_t::table)
        .filter(budgets::ledger_id.eq(ledger.get()))
        .filter(budgets::category_id.eq(category.get()))
        .filter(budgets::period.eq(period.as_str()))
        .select((BudgetRow::as_select(), categories_t::name))
        .first(conn)
        .optional()?;
    row.map(|(r, n)| Budget::from_row(r, parse_name(&n)?))
        .transpose()
}

fn parse_name(name: &str) -> Result<CategoryName, Error> {
    CategoryName::parse(name).map_err(|e| Error::Internal(format!("stored category: {e}")))
}

/// Removes a category's budgets (of one period, or all). Returns how many went.
pub fn remove(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    category: &CategoryName,
    period: Option<BudgetPeriod>,
) -> Result<usize, Error> {
    let access = ledgers::access_to_write(conn, actor, ledger)?;
    access.require_manage("remove budgets")?;
    let ids: Vec<i64> = all(conn, ledger)?
        .into_iter()
        .filter(|b| &b.category == category && period.is_none_or(|p| p == b.period))
        .map(|b| b.id.get())
        .collect();
    if ids.is_empty() {
        return Err(Error::not_found("budget"));
    }
    diesel::delete(budget_alerts::table.filter(budget_alerts::budget_id.eq_any(&ids)))
        .execute(conn)?;
    Ok(diesel::delete(budgets::table.filter(budgets::id.eq_any(&ids))).execute(conn)?)
}

pub fn list(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
) -> Result<Vec<Budget>, Error> {
    ledgers::access(conn, actor, ledger)?;
    all(conn, ledger)
}

fn all(conn: &mut AnyConnection, ledger: LedgerId) -> Result<Vec<Budget>, Error> {
    let rows: Vec<(BudgetRow, String)> = budgets::table
        .inner_join(categories_t::table)
        .filter(budgets::ledger_id.eq(ledger.get()))
        .order((categories_t::name, budgets::period))
        .select((BudgetRow::as_select(), categories_t::name))
        .load(conn)?;
    rows.into_iter()
        .map(|(r, n)| Budget::from_row(r, parse_name(&n)?))
        .collect()
}

/// Where a budget stands on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetStatus {
    pub budget: Budget,
    pub range: DateRange,
    /// Expenses in the budget's category and currency within `range`.
    pub spent: Money,
    /// Whole percent of the limit used (may exceed 100).
    pub percent: i64,
    /// What `spent` becomes at the end of the period if spending keeps this pace. Noise early
    /// in the period: show [`BudgetStatus::projection`] instead.
    pub projected: Money,
    pub days_elapsed: i64,
    pub days_total: i64,
    /// Expenses in other currencies counted in `spent` at their converted amounts, with the
    /// rates used; `None` when there were none.
    pub converted: Option<RatesUsed>,
    /// Currencies of expenses left out of `spent` because no rate converts them yet.
    pub uncounted: Vec<Currency>,
}

impl BudgetStatus {
    /// The end-of-period projection, once enough of the period is behind it to have a pace
    /// ([`crate::period::enough_to_project`]) and while some of it is still ahead.
    pub fn projection(&self) -> Option<Money> {
        (self.days_elapsed < self.days_total
            && crate::period::enough_to_project(self.days_elapsed, self.days_total))
        .then_some(self.projected)
    }

    /// Whether the pace, once there is one, ends the period over the limit.
    pub fn projected_over(&self) -> bool {
        self.projection()
            .is_some_and(|p| p.minor() > self.budget.limit.minor())
    }

    pub fn remaining(&self) -> Money {
        self.budget
            .limit
            .checked_sub(self.spent)
            .unwrap_or(Money::zero(self.budget.limit.currency()))
    }
}

pub fn status(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    today: NaiveDate,
) -> Result<Vec<BudgetStatus>, Error> {
    ledgers::access(conn, actor, ledger)?;
    all(conn, ledger)?
        .into_iter()
        .map(|b| status_of(conn, b, today))
        .collect()
}

fn status_of(
    conn: &mut AnyConnection,
    budget: Budget,
    today: NaiveDate,
) -> Result<BudgetStatus, Error> {
    let range = budget.period.range_containing(today);
    let currency = budget.limit.currency();
    let (high, low): (Option<i64>, Option<i64>) = transactions::table
        .inner_join(categories_t::table)
        .filter(transactions::ledger_id.eq(budget.ledger.get()))
        .filter(transactions::deleted_at.is_null())
        .filter(transactions::kind.eq(TransactionKind::Expense.as_str()))
        .filter(categories_t::name.eq(budget.category.as_str()))
        .filter(transactions::currency.eq(currency.code()))
        .filter(transactions::occurred_on.between(range.from, range.to))
        .select((
            diesel::dsl::sql::<Nullable<BigInt>>(totals::SUM_HIGH),
            diesel::dsl::sql::<Nullable<BigInt>>(totals::SUM_LOW),
        ))
        .first(conn)?;
    let own = totals::join_sum(high.unwrap_or(0), low.unwrap_or(0));
    // A budget in dollars counts a euro expense at its converted amount (its own date's rate).
    let category_ids: Vec<i64> = categories_t::table
        .filter(categories_t::ledger_id.eq(budget.ledger.get()))
        .filter(categories_t::name.eq(budget.category.as_str()))
        .select(categories_t::id)
        .load(conn)?;
    let others: Vec<Foreign> = home_totals::foreign(conn, budget.ledger, range, currency)?
        .into_iter()
        .filter(|e| e.kind == TransactionKind::Expense && category_ids.contains(&e.category_id))
        .collect();
    let (converted, uncounted, extra) = if others.is_empty() {
        (None, Vec::new(), 0)
    } else {
        let table = rates::table(conn, range.from, range.to)?;
        let c = home_totals::convert_entries(&others, &table, currency);
        ((c.count > 0).then_some(c.rates), c.missing, c.expenses)
    };
    let spent = Money::total(own + extra, currency);
    let days_total = range.days();
    let days_elapsed = ((today - range.from).num_days() + 1).clamp(1, days_total);
    let projected = spent.mul_div(days_total, days_elapsed).unwrap_or(spent);
    Ok(BudgetStatus {
        percent: spent.percent_of(budget.limit).unwrap_or(0),
        budget,
        range,
        spent,
        projected,
        days_elapsed,
        days_total,
        converted,
        uncounted,
    })
}

/// A budget that just crossed a threshold: post it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetAlert {
    pub threshold: i32,
    pub status: BudgetStatus,
}

/// After an expense in `category` dated `day`, the budgets that newly crossed a threshold.
///
/// Each (budget, period, threshold) is claimed in `budget_alerts` inside the caller's
/// transaction, so however many instances and retries, the alert is given once. When one
/// expense jumps past several thresholds, only the highest is reported (all are claimed).
pub fn newly_crossed(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    category: &CategoryName,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<BudgetAlert>, Error> {
    let mut alerts = Vec::new();
    for budget in all(conn, ledger)?
        .into_iter()
        .filter(|b| &b.category == category)
    {
        let status = status_of(conn, budget, day)?;
        let mut highest = None;
        for threshold in ALERT_THRESHOLDS {
            if status.percent < i64::from(threshold) {
                continue;
            }
            let claimed = insert_unless_exists(conn, |c| {
                diesel::insert_into(budget_alerts::table)
                    .values(NewBudgetAlertRow {
                        budget_id: status.budget.id.get(),
                        period_start: status.range.from,
                        threshold,
                        sent_at: ts(now),
                    })
                    .execute(c)?;
                Ok(())
            })?;
            if claimed.is_some() {
                highest = Some(threshold);
            }
        }
        if let Some(threshold) = highest {
            alerts.push(BudgetAlert { threshold, status });
        }
    }
    Ok(alerts)
}
