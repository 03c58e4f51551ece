//! Rows of `splits`, `split_shares`, `settlements` and `split_placeholders`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{settlements, split_placeholders, split_shares, splits};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = splits)]
pub struct SplitRow {
    pub transaction_id: i64,
    pub ledger_id: i64,
    pub payer_account_id: i64,
    pub mode: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = split_shares)]
pub struct ShareRow {
    pub transaction_id: i64,
    pub position: i32,
    pub account_id: i64,
    pub weight: String,
    pub share_minor: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = settlements)]
pub struct SettlementRow {
    pub id: i64,
    pub ledger_id: i64,
    pub author_account_id: i64,
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub amount_minor: i64,
    pub currency: String,
    pub occurred_on: NaiveDate,
    pub source_platform: String,
    pub source_ref: Option<String>,
    pub created_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = settlements)]
pub struct NewSettlementRow<'a> {
    pub ledger_id: i64,
    pub author_account_id: i64,
    pub from_account_id: i64,
    pub to_account_id: i64,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub occurred_on: NaiveDate,
    pub source_platform: &'a str,
    pub source_ref: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = split_placeholders)]
pub struct PlaceholderRow {
    pub id: i64,
    pub ledger_id: i64,
    pub username_key: String,
    pub account_id: i64,
    pub merged_into: Option<i64>,
    pub merged_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = split_placeholders)]
pub struct NewPlaceholderRow<'a> {
    pub ledger_id: i64,
    pub username_key: &'a str,
    pub account_id: i64,
    pub created_at: NaiveDateTime,
}
