//! The `budgets` and `budget_alerts` tables.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::stored;
use crate::db::schema::{budget_alerts, budgets};
use crate::domain::{BudgetId, CategoryName, LedgerId};
use crate::error::Error;
use crate::money::{Currency, Money};
use crate::period::BudgetPeriod;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = budgets)]
pub struct BudgetRow {
    pub id: i64,
    pub ledger_id: i64,
    pub category_id: i64,
    pub amount_minor: i64,
    pub currency: String,
    pub period: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = budgets)]
pub struct NewBudgetRow<'a> {
    pub ledger_id: i64,
    pub category_id: i64,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub period: &'a str,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = budget_alerts)]
pub struct NewBudgetAlertRow {
    pub budget_id: i64,
    pub period_start: NaiveDate,
    pub threshold: i32,
    pub sent_at: NaiveDateTime,
}

/// A spending limit for one category over a week, month or year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Budget {
    pub id: BudgetId,
    pub ledger: LedgerId,
    pub category: CategoryName,
    #[serde(skip)]
    pub limit: Money,
    pub period: BudgetPeriod,
}

impl Budget {
    pub(crate) fn from_row(row: BudgetRow, category: CategoryName) -> Result<Budget, Error> {
        let currency =
            Currency::parse(&row.currency).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Budget {
            id: BudgetId(row.id),
            ledger: LedgerId(row.ledger_id),
            category,
            limit: Money::from_minor(row.amount_minor, currency)
                .map_err(|e| Error::Internal(e.to_string()))?,
            period: stored("budgets.period", &row.period)?,
        })
    }
}
