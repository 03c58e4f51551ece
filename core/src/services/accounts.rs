//! Accounts and the platform identities that lead to them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{insert_unless_exists, ledgers, ts};
use crate::db::AnyConnection;
use crate::db::schema::{accounts, identities};
use crate::domain::{AccountId, DateOrder, Platform, Timezone, text};
use crate::error::Error;
use crate::models::account::{
    Account, AccountRow, Identity, IdentityRow, NewAccountRow, NewIdentityRow,
};
use crate::money::Currency;

/// Settings a brand-new account starts with.
#[derive(Debug, Clone, Copy)]
pub struct AccountDefaults {
    pub currency: Currency,
    pub timezone: Timezone,
    pub date_order: DateOrder,
}

impl Default for AccountDefaults {
    fn default() -> Self {
        AccountDefaults {
            currency: Currency::USD,
            timezone: Timezone::UTC,
            date_order: DateOrder::Mdy,
        }
    }
}

/// A display name as shown in replies: trimmed, one line, at most 64 characters, without
/// invisible formatting characters (a name with U+202E could make a reply read otherwise).
pub fn clean_display_name(raw: &str) -> String {
    let name = text::one_line(raw, 64);
    if name.is_empty() {
        "someone".to_owned()
    } else {
        name
    }
}

pub fn find(conn: &mut AnyConnection, id: AccountId) -> Result<Account, Error> {
    accounts::table
        .find(id.get())
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::not_found("account"))?
        .try_into()
}

/// Creates an account with its personal ledger (and that ledger's categories).
pub fn create(
    conn: &mut AnyConnection,
    display_name: &str,
    defaults: AccountDefaults,
    now: DateTime<Utc>,
) -> Result<Account, Error> {
    let name = clean_display_name(display_name);
    let row: AccountRow = diesel::insert_into(accounts::table)
        .values(NewAccountRow {
            display_name: &name,
            timezone: defaults.timezone.name(),
            default_currency: defaults.currency.code(),
            date_order: defaults.date_order.as_str(),
            token_version: 0,
            created_at: ts(now),
            updated_at: ts(now),
        })
        .returning(accounts::all_columns)
        .get_result(conn)?;
    let account: Account = row.try_into()?;
    ledgers::create_personal(conn, &account, now)?;
    Ok(account)
}

/// The account behind a platform identity, created (with its personal ledger) on first contact.
pub fn resolve_identity(
    conn: &mut AnyConnection,
    platform: Platform,
    platform_user_id: &str,
    display_name: &str,
    defaults: AccountDefaults,
    now: DateTime<Utc>,
) -> Result<Account, Error> {
    if let Some(identity) = find_identity(conn, platform, platform_user_id)? {
        return find(conn, identity.account);
    }
    let account = create(conn, display_name, defaults, now)?;
    let name = clean_display_name(display_name);
    let inserted = insert_unless_exists(conn, |c| {
        diesel::insert_into(identities::table)
            .values(NewIdentityRow {
                platform: platform.as_str(),
                platform_user_id,
                account_id: account.id.get(),
                display_name: &name,
                created_at: ts(now),
            })
            .execute(c)?;
        Ok(())
    })?;
    if inserted.is_some() {
        return Ok(account);
    }
    // Another instance created this identity between our read and our insert: use theirs.
    // Our fresh account stays empty and unreferenced, which is harmless.
    let identity = find_identity(conn, platform, platform_user_id)?
        .ok_or_else(|| Error::Internal("identity vanished after a unique violation".into()))?;
    find(conn, identity.account)
}

pub fn find_identity(
    conn: &mut AnyConnection,
    platform: Platform,
    platform_user_id: &str,
) -> Result<Option<Identity>, Error> {
    identities::table
        .filter(identities::platform.eq(platform.as_str()))
        .filter(identities::platform_user_id.eq(platform_user_id))
        .select(IdentityRow::as_select())
        .first(conn)
        .optional()?
        .map(Identity::try_from)
        .transpose()
}

pub fn identities_of(conn: &mut AnyConnection, account: AccountId) -> Result<Vec<Identity>, Error> {
    identities::table
        .filter(identities::account_id.eq(account.get()))
        .order(identities::id)
        .select(IdentityRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Identity::try_from)
        .collect()
}

/// Which settings to change; `None` leaves one as it is.
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub timezone: Option<Timezone>,
    pub default_currency: Option<Currency>,
    pub date_order: Option<DateOrder>,
    pub display_name: Option<String>,
}

pub fn update_settings(
    conn: &mut AnyConnection,
    id: AccountId,
    patch: SettingsPatch,
    now: DateTime<Utc>,
) -> Result<Account, Error> {
    let current = find(conn, id)?;
    let tz = patch.timezone.unwrap_or(current.timezone);
    let currency = patch.default_currency.unwrap_or(current.default_currency);
    let order = patch.date_order.unwrap_or(current.date_order);
    let name = patch
        .display_name
        .as_deref()
        .map(clean_display_name)
        .unwrap_or(current.display_name);
    crate::db::account_changed();
    diesel::update(accounts::table.find(id.get()))
        .set((
            accounts::timezone.eq(tz.name()),
            accounts::default_currency.eq(currency.code()),
            accounts::date_order.eq(order.as_str()),
            accounts::display_name.eq(&name),
            accounts::updated_at.eq(ts(now)),
        ))
        .execute(conn)?;
    if patch.default_currency.is_some() {
        ledgers::set_personal_currency(conn, id, currency)?;
    }
    find(conn, id)
}
