//! Usernames, password hashes, token versions and revoked tokens: the accounts' login side.
//!
//! The hash goes in and out of this module only as an opaque string for the auth flows; it is
//! never part of [`Account`].

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{accounts, insert_unless_exists, ts};
use crate::auth::{Email, Username};
use crate::db::AnyConnection;
use crate::db::schema::{accounts as accounts_t, identities, used_tokens};
use crate::domain::{AccountId, Platform};
use crate::error::Error;
use crate::models::account::{Account, AccountRow, NewIdentityRow};
use crate::services::accounts::AccountDefaults;

/// What a login needs to know about a username.
#[derive(Clone)]
pub struct LoginRecord {
    pub account: AccountId,
    pub password_hash: Option<String>,
    pub merged_into: Option<AccountId>,
}

impl std::fmt::Debug for LoginRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRecord")
            .field("account", &self.account)
            .field("merged_into", &self.merged_into)
            .finish_non_exhaustive()
    }
}

fn taken() -> Error {
    Error::Conflict("That username is taken; choose another.".into())
}

pub fn username_taken(conn: &mut AnyConnection, key: &str) -> Result<bool, Error> {
    let n: i64 = accounts_t::table
        .filter(accounts_t::username_key.eq(key))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn login_record(conn: &mut AnyConnection, key: &str) -> Result<Option<LoginRecord>, Error> {
    let row: Option<(i64, Option<String>, Option<i64>)> = accounts_t::table
        .filter(accounts_t::username_key.eq(key))
        .select((
            accounts_t::id,
            accounts_t::password_hash,
            accounts_t::merged_into,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, hash, merged)| LoginRecord {
        account: AccountId(id),
        password_hash: hash,
        merged_into: merged.map(AccountId),
    }))
}

/// The stored hash of an account's password, if it has one.
pub fn password_hash(conn: &mut AnyConnection, id: AccountId) -> Result<Option<String>, Error> {
    Ok(accounts_t::table
        .find(id.get())
        .select(accounts_t::password_hash)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Where an account's data lives now: itself, or the account it was merged into.
pub fn final_account(conn: &mut AnyConnection, id: AccountId) -> Result<AccountId, Error> {
    let mut current = id;
    // Merges flatten chains, so one hop is the norm; the bound guards against a hand-made loop.
    for _ in 0..8 {
        let next: Option<i64> = accounts_t::table
            .find(current.get())
            .select(accounts_t::merged_into)
            .first::<Option<i64>>(conn)
            .optional()?
            .ok_or(Error::not_found("account"))?;
        match next {
            Some(n) => current = AccountId(n),
            None => return Ok(current),
        }
    }
    Err(Error::Internal("account merge chain too long".into()))
}

/// The account a session token names, with where it was merged to (if it was).
pub fn session_account(
    conn: &mut AnyConnection,
    id: AccountId,
) -> Result<Option<(Account, Option<AccountId>)>, Error> {
    let row: Option<AccountRow> = accounts_t::table
        .find(id.get())
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|r| {
        let merged = r.merged_into.map(AccountId);
        Ok((Account::try_from(r)?, merged))
    })
    .transpose()
}

/// A new account with a login, its personal ledger, and its `web` identity (so messages sent
/// through the API land in this account).
pub fn register(
    conn: &mut AnyConnection,
    username: &Username,
    email: Option<&Email>,
    password_hash: &str,
    defaults: AccountDefaults,
    now: DateTime<Utc>,
) -> Result<Account, Error> {
    if username_taken(conn, &username.key())? {
        return Err(taken());
    }
    let account = accounts::create(conn, username.as_str(), defaults, now)?;
    write_credentials(conn, account.id, username, email, password_hash, now)?;
    attach_web_identity(conn, &account, now)?;
    accounts::find(conn, account.id)
}

/// Gives an account that has none (one made by chatting) a username and password.
pub fn set_credentials(
    conn: &mut AnyConnection,
    id: AccountId,
    username: &Username,
    email: Option<&Email>,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<Account, Error> {
    let account = accounts::find(conn, id)?;
    if account.has_password {
        return Err(Error::Conflict(
            "This account already has a username and password.".into(),
        ));
    }
    if username_taken(conn, &username.key())? {
        return Err(taken());
    }
    write_credentials(conn, id, username, email, password_hash, now)?;
    attach_web_identity(conn, &account, now)?;
    accounts::find(conn, id)
}

fn write_credentials(
    conn: &mut AnyConnection,
    id: AccountId,
    username: &Username,
    email: Option<&Email>,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    crate::db::account_changed();
    diesel::update(accounts_t::table.find(id.get()))
        .set((
            accounts_t::username.eq(username.as_str()),
            accounts_t::username_key.eq(username.key()),
            accounts_t::email.eq(email.map(Email::as_str)),
            accounts_t::password_hash.eq(password_hash),
            accounts_t::updated_at.eq(ts(now)),
        ))
        .execute(conn)
        .map_err(|e| match Error::from(e) {
            // Two sign-ups racing for one name: the unique index decides.
            e if e.is_unique_violation() => taken(),
            e => e,
        })?;
    Ok(())
}

pub fn set_email(
    conn: &mut AnyConnection,
    id: AccountId,
    email: Option<&Email>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    crate::db::account_changed();
    diesel::update(accounts_t::table.find(id.get()))
        .set((
            accounts_t::email.eq(email.map(Email::as_str)),
            accounts_t::updated_at.eq(ts(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces the password and ends every session (the token version moves on).
pub fn set_password(
    conn: &mut AnyConnection,
    id: AccountId,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<Account, Error> {
    crate::db::account_changed();
    diesel::update(accounts_t::table.find(id.get()))
        .set((
            accounts_t::password_hash.eq(password_hash),
            accounts_t::token_version.eq(accounts_t::token_version + 1),
            accounts_t::updated_at.eq(ts(now)),
        ))
        .execute(conn)?;
    accounts::find(conn, id)
}

/// Revokes every token issued so far for this account.
pub fn bump_token_version(
    conn: &mut AnyConnection,
    id: AccountId,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    crate::db::account_changed();
    diesel::update(accounts_t::table.find(id.get()))
        .set((
            accounts_t::token_version.eq(accounts_t::token_version + 1),
            accounts_t::updated_at.eq(ts(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks a token id as spent (a used link token, a logged-out session). `false` if it already
/// was. Rows past their token's expiry are dropped on the way: they can't be replayed anyway.
pub fn spend_token(
    conn: &mut AnyConnection,
    jti: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    crate::db::account_changed();
    diesel::delete(used_tokens::table.filter(used_tokens::expires_at.lt(ts(now)))).execute(conn)?;
    let inserted = insert_unless_exists(conn, |c| {
        diesel::insert_into(used_tokens::table)
            .values((
                used_tokens::jti.eq(jti),
                used_tokens::used_at.eq(ts(now)),
                used_tokens::expires_at.eq(ts(expires_at)),
            ))
            .execute(c)?;
        Ok(())
    })?;
    Ok(inserted.is_some())
}

pub fn token_spent(conn: &mut AnyConnection, jti: &str) -> Result<bool, Error> {
    let n: i64 = used_tokens::table
        .filter(used_tokens::jti.eq(jti))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Attaches `(platform, platform_user_id)` to an account unless that identity exists already.
/// Returns the account the identity belongs to afterwards.
pub fn attach_identity(
    conn: &mut AnyConnection,
    account: AccountId,
    platform: Platform,
    platform_user_id: &str,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<AccountId, Error> {
    if let Some(existing) = accounts::find_identity(conn, platform, platform_user_id)? {
        return Ok(existing.account);
    }
    let name = accounts::clean_display_name(display_name);
    insert_unless_exists(conn, |c| {
        diesel::insert_into(identities::table)
            .values(NewIdentityRow {
                platform: platform.as_str(),
                platform_user_id,
                account_id: account.get(),
                display_name: &name,
                created_at: ts(now),
            })
            .execute(c)?;
        Ok(())
    })?;
    accounts::find_identity(conn, platform, platform_user_id)?
        .map(|i| i.account)
        .ok_or_else(|| Error::Internal("identity vanished after insert".into()))
}

/// The account's identity for messages sent through the API: `web` with the account id.
pub fn attach_web_identity(
    conn: &mut AnyConnection,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<AccountId, Error> {
    let name = account
        .username
        .clone()
        .unwrap_or_else(|| account.display_name.clone());
    attach_identity(
        conn,
        account.id,
        Platform::Web,
        &account.id.to_string(),
        &name,
        now,
    )
}
