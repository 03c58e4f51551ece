//! Undoing a link: one chat identity leaves its account for a fresh one of its own.
//!
//! The history stays where it is (entries can't be told apart by chat once merged); the
//! detached chat starts over with an empty personal ledger.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::accounts::{self, AccountDefaults};
use super::{credentials, ts};
use crate::db::AnyConnection;
use crate::db::schema::{identities, pending_links};
use crate::domain::{AccountId, Platform};
use crate::error::Error;
use crate::models::account::{Account, IdentityRow};

/// One identity of an account, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityView {
    pub id: i64,
    pub platform: Platform,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
}

fn view(row: IdentityRow) -> Result<IdentityView, Error> {
    Ok(IdentityView {
        id: row.id,
        platform: row.platform.parse().map_err(|_| {
            Error::Internal(format!("unknown platform {:?} in identities", row.platform))
        })?,
        display_name: row.display_name,
        created_at: row.created_at.and_utc(),
    })
}

/// The identities of `account` (its chats, and `web` for its own login), oldest first.
pub fn identities(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<IdentityView>, Error> {
    identities::table
        .filter(identities::account_id.eq(account.get()))
        .order(identities::id)
        .select(IdentityRow::as_select())
        .load(conn)?
        .into_iter()
        .map(view)
        .collect()
}

/// What detaching did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detached {
    pub identity: IdentityView,
    /// The new account the identity uses from now on (empty).
    pub fresh: Account,
    /// The account that keeps the history.
    pub kept_by: Account,
}

/// The identity `(platform, platform_user_id)` as `account` sees it: `None` if it is not one of
/// the account's.
pub fn find(
    conn: &mut AnyConnection,
    account: AccountId,
    platform: Platform,
    platform_user_id: &str,
) -> Result<Option<i64>, Error> {
    Ok(identities::table
        .filter(identities::account_id.eq(account.get()))
        .filter(identities::platform.eq(platform.as_str()))
        .filter(identities::platform_user_id.eq(platform_user_id))
        .select(identities::id)
        .first(conn)
        .optional()?)
}

/// Moves identity `identity_id` of `account` to a fresh account of its own. Refused for the
/// app's own `web` identity (it is the login), and for the last way into the account (its only
/// chat when it has no password), which would leave the history unreachable.
pub fn detach(
    conn: &mut AnyConnection,
    account: AccountId,
    identity_id: i64,
    defaults: AccountDefaults,
    now: DateTime<Utc>,
) -> Result<Detached, Error> {
    let account = credentials::final_account(conn, account)?;
    let row: IdentityRow = identities::table
        .filter(identities::id.eq(identity_id))
        .filter(identities::account_id.eq(account.get()))
        .select(IdentityRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::not_found("identity"))?;
    let identity = view(row.clone())?;
    if identity.platform == Platform::Web {
        return Err(Error::invalid(
            "identity",
            "That is this account's own login for the app; it can't be unlinked. Unlink a chat instead.",
        ));
    }
    let kept_by = accounts::find(conn, account)?;
    let other_chats: i64 = identities::table
        .filter(identities::account_id.eq(account.get()))
        .filter(identities::id.ne(identity_id))
        .filter(identities::platform.ne(Platform::Web.as_str()))
        .count()
        .get_result(conn)?;
    if other_chats == 0 && !kept_by.has_password {
        return Err(Error::Conflict(
            "This chat is the only way into this account, so there is nothing to unlink it from. \
             To keep your history reachable, give the account a login first (/login) or link \
             another chat."
                .into(),
        ));
    }
    let fresh = accounts::create(conn, &identity.display_name, defaults, now)?;
    diesel::update(identities::table.find(identity_id))
        .set(identities::account_id.eq(fresh.id.get()))
        .execute(conn)?;
    // A link this chat was about to confirm belonged to its old account's decision.
    diesel::update(
        pending_links::table
            .filter(pending_links::platform.eq(&row.platform))
            .filter(pending_links::platform_user_id.eq(&row.platform_user_id))
            .filter(pending_links::resolved_at.is_null()),
    )
    .set(pending_links::resolved_at.eq(Some(ts(now))))
    .execute(conn)?;
    tracing::info!(account = %account, fresh = %fresh.id, "identity unlinked");
    Ok(Detached {
        identity,
        fresh,
        kept_by,
    })
}
