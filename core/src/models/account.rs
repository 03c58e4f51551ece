//! The `accounts` and `identities` tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::stored;
use crate::db::schema::{accounts, identities};
use crate::domain::{AccountId, DateOrder, Platform, Timezone};
use crate::error::Error;
use crate::money::Currency;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub username: Option<String>,
    pub username_key: Option<String>,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub display_name: String,
    pub timezone: String,
    pub default_currency: String,
    pub date_order: String,
    pub token_version: i64,
    pub merged_into: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccountRow<'a> {
    pub display_name: &'a str,
    pub timezone: &'a str,
    pub default_currency: &'a str,
    pub date_order: &'a str,
    pub token_version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An account as the services see it. The password hash never leaves the accounts service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: AccountId,
    pub username: Option<String>,
    pub email: Option<String>,
    pub display_name: String,
    pub timezone: Timezone,
    pub default_currency: Currency,
    pub date_order: DateOrder,
    #[serde(skip)]
    pub token_version: i64,
    #[serde(skip)]
    pub has_password: bool,
    pub created_at: NaiveDateTime,
}

impl TryFrom<AccountRow> for Account {
    type Error = Error;
    fn try_from(row: AccountRow) -> Result<Account, Error> {
        Ok(Account {
            id: AccountId(row.id),
            username: row.username,
            email: row.email,
            display_name: row.display_name,
            timezone: Timezone::parse(&row.timezone).map_err(Error::Internal)?,
            default_currency: Currency::parse(&row.default_currency)
                .map_err(|e| Error::Internal(e.to_string()))?,
            date_order: stored("accounts.date_order", &row.date_order)?,
            token_version: row.token_version,
            has_password: row.password_hash.is_some(),
            created_at: row.created_at,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = identities)]
pub struct IdentityRow {
    pub id: i64,
    pub platform: String,
    pub platform_user_id: String,
    pub account_id: i64,
    pub display_name: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = identities)]
pub struct NewIdentityRow<'a> {
    pub platform: &'a str,
    pub platform_user_id: &'a str,
    pub account_id: i64,
    pub display_name: &'a str,
    pub created_at: NaiveDateTime,
}

/// Who someone is on one platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub platform: Platform,
    pub platform_user_id: String,
    pub account: AccountId,
    pub display_name: String,
}

impl TryFrom<IdentityRow> for Identity {
    type Error = Error;
    fn try_from(row: IdentityRow) -> Result<Identity, Error> {
        Ok(Identity {
            platform: stored("identities.platform", &row.platform)?,
            platform_user_id: row.platform_user_id,
            account: AccountId(row.account_id),
            display_name: row.display_name,
        })
    }
}
