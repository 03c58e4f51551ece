//! The `transactions` table.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::stored;
use crate::db::schema::transactions;
use crate::domain::{AccountId, CategoryName, LedgerId, Platform, TransactionId, TransactionKind};
use crate::error::Error;
use crate::money::{Currency, Money};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = transactions)]
pub struct TransactionRow {
    pub id: i64,
    pub ledger_id: i64,
    pub author_account_id: i64,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    pub category_id: i64,
    pub occurred_on: NaiveDate,
    pub note: String,
    pub source_platform: String,
    pub source_ref: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = transactions)]
pub struct NewTransactionRow<'a> {
    pub ledger_id: i64,
    pub author_account_id: i64,
    pub kind: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub category_id: i64,
    pub occurred_on: NaiveDate,
    pub note: &'a str,
    pub source_platform: &'a str,
    pub source_ref: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A recorded income or expense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    pub id: TransactionId,
    pub ledger: LedgerId,
    pub author: AccountId,
    pub kind: TransactionKind,
    #[serde(skip)]
    pub money: Money,
    pub category: CategoryName,
    pub date: NaiveDate,
    pub note: String,
    pub source_platform: Platform,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted: bool,
}

impl Transaction {
    pub(crate) fn from_row(
        row: TransactionRow,
        category: CategoryName,
    ) -> Result<Transaction, Error> {
        let currency =
            Currency::parse(&row.currency).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Transaction {
            id: TransactionId(row.id),
            ledger: LedgerId(row.ledger_id),
            author: AccountId(row.author_account_id),
            kind: stored("transactions.kind", &row.kind)?,
            money: Money::from_minor(row.amount_minor, currency)
                .map_err(|e| Error::Internal(e.to_string()))?,
            category,
            date: row.occurred_on,
            note: row.note,
            source_platform: stored("transactions.source_platform", &row.source_platform)?,
            created_at: row.created_at,
            updated_at: row.updated_at,
            deleted: row.deleted_at.is_some(),
        })
    }
}
