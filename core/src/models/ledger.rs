//! The `ledgers` and `ledger_members` tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::stored;
use crate::db::schema::{ledger_members, ledgers};
use crate::domain::{AccountId, LedgerId, LedgerKind, Platform, Role};
use crate::error::Error;
use crate::money::Currency;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ledgers)]
pub struct LedgerRow {
    pub id: i64,
    pub kind: String,
    pub owner_account_id: Option<i64>,
    pub platform: Option<String>,
    pub chat_id: Option<String>,
    pub title: String,
    pub default_currency: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = ledgers)]
pub struct NewLedgerRow<'a> {
    pub kind: &'a str,
    pub owner_account_id: Option<i64>,
    pub platform: Option<&'a str>,
    pub chat_id: Option<&'a str>,
    pub title: &'a str,
    pub default_currency: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// A book of transactions: one account's own, or a group chat's shared one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ledger {
    pub id: LedgerId,
    pub kind: LedgerKind,
    pub title: String,
    pub default_currency: Currency,
    #[serde(skip)]
    pub owner: Option<AccountId>,
    #[serde(skip)]
    pub platform: Option<Platform>,
    #[serde(skip)]
    pub chat_id: Option<String>,
    pub active: bool,
}

impl Ledger {
    pub fn is_group(&self) -> bool {
        self.kind == LedgerKind::Group
    }
}

impl TryFrom<LedgerRow> for Ledger {
    type Error = Error;
    fn try_from(row: LedgerRow) -> Result<Ledger, Error> {
        Ok(Ledger {
            id: LedgerId(row.id),
            kind: stored("ledgers.kind", &row.kind)?,
            title: row.title,
            default_currency: Currency::parse(&row.default_currency)
                .map_err(|e| Error::Internal(e.to_string()))?,
            owner: row.owner_account_id.map(AccountId),
            platform: row
                .platform
                .as_deref()
                .map(|p| stored("ledgers.platform", p))
                .transpose()?,
            chat_id: row.chat_id,
            active: row.active,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_members)]
pub struct MemberRow {
    pub ledger_id: i64,
    pub account_id: i64,
    pub role: String,
    pub display_name: String,
    pub joined_at: NaiveDateTime,
    /// When the platform said this person left or was removed; such a member sees nothing.
    pub left_at: Option<NaiveDateTime>,
    /// When the platform last said this person is in the group.
    pub confirmed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub account: AccountId,
    pub role: Role,
    pub display_name: String,
}

impl TryFrom<MemberRow> for Member {
    type Error = Error;
    fn try_from(row: MemberRow) -> Result<Member, Error> {
        Ok(Member {
            account: AccountId(row.account_id),
            role: stored("ledger_members.role", &row.role)?,
            display_name: row.display_name,
        })
    }
}
