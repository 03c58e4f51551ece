//! Redeemed link codes awaiting the redeeming chat's Confirm: what a link would join, and doing it.
//!
//! A code alone must never move anyone's ledger (someone can send a victim a start link), so
//! redeeming only records a pending link and shows what it would do; the merge happens when the
//! same chat identity confirms, once.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::linking::{self, MergeOutcome, Passwords};
use super::{accounts, credentials, ts};
use crate::db::AnyConnection;
use crate::db::schema::{
    ledger_members, ledgers as ledgers_t, pending_links, transactions as transactions_t,
};
use crate::domain::{AccountId, Platform};
use crate::error::Error;
use crate::models::account::Account;

/// How long a Confirm button keeps working.
pub const VALID_FOR_MINUTES: i64 = 15;

/// What confirming a pending link would do, shown before anything happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPreview {
    /// The id the Confirm and Cancel buttons carry.
    pub id: i64,
    /// The account the code was made for.
    pub target: Account,
    /// That account's chats, as `(platform, display name)`, so the person sees whose it is.
    pub target_chats: Vec<(Platform, String)>,
    /// Entries in this chat's personal ledger that would join the shared one.
    pub moving_entries: i64,
    /// Group ledgers this chat's account belongs to, whose membership would move.
    pub moving_groups: i64,
    /// Both accounts have a password: the chat cannot confirm, only the login page can.
    pub both_have_logins: bool,
}

/// Records a pending link from the chat identity to `target`, and describes it.
pub(crate) fn open(
    conn: &mut AnyConnection,
    platform: Platform,
    platform_user_id: &str,
    target: AccountId,
    current: AccountId,
    now: DateTime<Utc>,
) -> Result<LinkPreview, Error> {
    // An older unanswered request from this chat is superseded by the new one.
    diesel::update(
        pending_links::table
            .filter(pending_links::platform.eq(platform.as_str()))
            .filter(pending_links::platform_user_id.eq(platform_user_id))
            .filter(pending_links::resolved_at.is_null()),
    )
    .set(pending_links::resolved_at.eq(Some(ts(now))))
    .execute(conn)?;
    let id: i64 = diesel::insert_into(pending_links::table)
        .values((
            pending_links::target_account_id.eq(target.get()),
            pending_links::platform.eq(platform.as_str()),
            pending_links::platform_user_id.eq(platform_user_id),
            pending_links::created_at.eq(ts(now)),
            pending_links::expires_at.eq(ts(now + Duration::minutes(VALID_FOR_MINUTES))),
        ))
        .returning(pending_links::id)
        .get_result(conn)?;
    let target = accounts::find(conn, target)?;
    let mine = accounts::find(conn, current)?;
    let target_chats = accounts::identities_of(conn, target.id)?
        .into_iter()
        .filter(|i| i.platform != Platform::Web)
        .map(|i| (i.platform, i.display_name))
        .collect();
    let moving_entries = match super::ledgers::personal(conn, current) {
        Ok(l) => transactions_t::table
            .filter(transactions_t::ledger_id.eq(l.id.get()))
            .filter(transactions_t::deleted_at.is_null())
            .count()
            .get_result(conn)?,
        Err(e) if e.kind() == crate::ErrorKind::NotFound => 0,
        Err(e) => return Err(e),
    };
    let moving_groups: i64 = ledger_members::table
        .inner_join(ledgers_t::table)
        .filter(ledger_members::account_id.eq(current.get()))
        .filter(ledgers_t::owner_account_id.is_null())
        .count()
        .get_result(conn)?;
    Ok(LinkPreview {
        id,
        both_have_logins: target.has_password && mine.has_password,
        target,
        target_chats,
        moving_entries,
        moving_groups,
    })
}

fn gone() -> Error {
    Error::Conflict(
        "That link request has expired or was already answered. If you still want to link, \
         send /link with a new code."
            .into(),
    )
}

/// Answers one pending link of this chat identity (`id`, or its newest when `None`), once: a
/// conditional `UPDATE` decides, so a double press or a redelivery does nothing the second time.
/// Returns the target account.
fn answer(
    conn: &mut AnyConnection,
    platform: Platform,
    platform_user_id: &str,
    id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<AccountId, Error> {
    let mut query = pending_links::table
        .filter(pending_links::platform.eq(platform.as_str()))
        .filter(pending_links::platform_user_id.eq(platform_user_id))
        .filter(pending_links::resolved_at.is_null())
        .filter(pending_links::expires_at.gt(ts(now)))
        .select((pending_links::id, pending_links::target_account_id))
        .order(pending_links::id.desc())
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(pending_links::id.eq(id));
    }
    let (id, target): (i64, i64) = query.first(conn).optional()?.ok_or_else(gone)?;
    let claimed = diesel::update(
        pending_links::table
            .filter(pending_links::id.eq(id))
            .filter(pending_links::resolved_at.is_null()),
    )
    .set(pending_links::resolved_at.eq(Some(ts(now))))
    .execute(conn)?;
    if claimed != 1 {
        return Err(gone());
    }
    Ok(AccountId(target))
}

/// What a Confirm did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    Linked(MergeOutcome),
    /// The chat had come to that account some other way meanwhile.
    AlreadyLinked(Account),
}

/// Carries out the pending link `id` (or the newest) of the chat identity that redeemed it.
/// Two accounts that both have a password are refused ([`linking::BOTH_LOGINS`]).
pub fn confirm(
    conn: &mut AnyConnection,
    platform: Platform,
    platform_user_id: &str,
    id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Confirmed, Error> {
    let target = answer(conn, platform, platform_user_id, id, now)?;
    let identity = accounts::find_identity(conn, platform, platform_user_id)?
        .ok_or(Error::not_found("identity"))?;
    let current = credentials::final_account(conn, identity.account)?;
    let target = credentials::final_account(conn, target)?;
    if current == target {
        return Ok(Confirmed::AlreadyLinked(accounts::find(conn, target)?));
    }
    let (survivor, absorbed) = linking::survivor_of(conn, target, current)?;
    linking::merge(conn, survivor, absorbed, Passwords::Unproven, now).map(Confirmed::Linked)
}

/// Drops the pending link `id` (or the newest) of this chat identity.
pub fn cancel(
    conn: &mut AnyConnection,
    platform: Platform,
    platform_user_id: &str,
    id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    answer(conn, platform, platform_user_id, id, now).map(|_| ())
}
