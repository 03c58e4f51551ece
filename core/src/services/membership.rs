//! Group membership as the platform says it is now: who left, who was removed, who is still in.
//!
//! The chat platforms are the truth about who belongs to a group. A message or button press in
//! the group proves the sender is there at that moment; everything else (API requests, which
//! arrive from outside the group) needs the platform's word, kept in `ledger_members` as
//! `confirmed_at` and refreshed by the adapters. A member the platform reports gone keeps their
//! history in the group's ledger but loses access and their role at once.

use std::cell::Cell;
use std::future::Future;

use async_trait::async_trait;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{accounts, ledgers, ts};
use crate::db::AnyConnection;
use crate::db::schema::{identities, ledger_members, ledgers as ledgers_t};
use crate::domain::{AccountId, LedgerId, Platform, Role};
use crate::error::Error;
use crate::models::ledger::Ledger;
use crate::tally::Tally;

/// How old the platform's word on a membership may be for API access to a group ledger.
pub const API_FRESHNESS: Duration = Duration::minutes(5);

/// What the platform says about one person in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// In the group; with their role when the platform told it (`None` keeps the stored one).
    Member(Option<Role>),
    /// Left, removed or banned.
    Gone,
}

/// A chat platform that can say where someone stands in one of its groups.
#[async_trait]
pub trait MembershipOracle: Send + Sync + 'static {
    fn platform(&self) -> Platform;

    /// `None` when the platform could not be asked or did not answer.
    async fn standing(&self, chat_id: &str, user_id: &str) -> Option<Standing>;
}

tokio::task_local! {
    static CONFIRMED_SINCE: DateTime<Utc>;
}

thread_local! {
    static REQUIRED_SINCE: Cell<Option<DateTime<Utc>>> = const { Cell::new(None) };
}

/// Runs `fut` (one API request) so that every database call in it grants access to a group
/// ledger only on a membership confirmed by the platform at or after `since`.
///
/// It is carried as a task-local and handed to the blocking database threads by
/// [`crate::db::Db`], so no service needs a parameter for it and none can forget it.
pub async fn require_confirmed_since<F: Future>(since: DateTime<Utc>, fut: F) -> F::Output {
    CONFIRMED_SINCE.scope(since, fut).await
}

/// The requirement of the task calling this, to carry into a blocking thread.
pub(crate) fn requirement() -> Option<DateTime<Utc>> {
    CONFIRMED_SINCE.try_with(|s| *s).ok()
}

/// Runs `f` on this thread under `required` (from [`requirement`]), restoring what was there.
pub(crate) fn under_requirement<T>(required: Option<DateTime<Utc>>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<DateTime<Utc>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            REQUIRED_SINCE.with(|r| r.set(self.0));
        }
    }
    let _restore = Restore(REQUIRED_SINCE.with(|r| r.replace(required)));
    f()
}

/// Called by [`ledgers::access`] for a group ledger.
pub(crate) fn check_confirmed(
    ledger: &Ledger,
    confirmed_at: Option<NaiveDateTime>,
) -> Result<(), Error> {
    let Some(since) = REQUIRED_SINCE.with(Cell::get) else {
        return Ok(());
    };
    if confirmed_at.is_some_and(|at| at >= ts(since)) {
        return Ok(());
    }
    let platform = ledger.platform.map_or("the chat platform", Platform::title);
    Err(Error::Forbidden(format!(
        "Tally couldn't confirm with {platform} that you are still in this group. Try again in a \
         minute, or use the group's chat."
    )))
}

/// What [`record`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// No such group ledger, or the person never used it: nothing to change.
    Unknown,
    /// The membership was confirmed (and its role set when the platform said it).
    Confirmed(LedgerId),
    /// The member lost access and their role.
    Removed(LedgerId),
}

/// Records what the platform says about `user_id` in `chat_id`. Nothing is created: a person who
/// never used the group's ledger has nothing to lose or confirm.
pub fn record(
    conn: &mut AnyConnection,
    platform: Platform,
    chat_id: &str,
    user_id: &str,
    standing: Standing,
    now: DateTime<Utc>,
) -> Result<Recorded, Error> {
    let Some(ledger) = ledgers::find_group(conn, platform, chat_id)? else {
        return Ok(Recorded::Unknown);
    };
    let Some(identity) = accounts::find_identity(conn, platform, user_id)? else {
        return Ok(Recorded::Unknown);
    };
    record_for(conn, ledger.id, identity.account, standing, now)
}

/// [`record`] for a membership already looked up.
pub fn record_for(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    account: AccountId,
    standing: Standing,
    now: DateTime<Utc>,
) -> Result<Recorded, Error> {
    let row = ledger_members::table.find((ledger.get(), account.get()));
    let changed = match standing {
        Standing::Gone => diesel::update(row.filter(ledger_members::left_at.is_null()))
            .set((
                ledger_members::left_at.eq(Some(ts(now))),
                ledger_members::role.eq(Role::Member.as_str()),
                ledger_members::confirmed_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
        Standing::Member(Some(role)) => diesel::update(row)
            .set((
                ledger_members::left_at.eq(None::<NaiveDateTime>),
                ledger_members::role.eq(role.as_str()),
                ledger_members::confirmed_at.eq(Some(ts(now))),
            ))
            .execute(conn)?,
        Standing::Member(None) => diesel::update(row)
            .set((
                ledger_members::left_at.eq(None::<NaiveDateTime>),
                ledger_members::confirmed_at.eq(Some(ts(now))),
            ))
            .execute(conn)?,
    };
    Ok(match (changed, standing) {
        (0, _) => Recorded::Unknown,
        (_, Standing::Gone) => Recorded::Removed(ledger),
        (_, Standing::Member(_)) => Recorded::Confirmed(ledger),
    })
}

/// The bot itself was removed from the group: its ledger takes no more changes from anywhere,
/// and comes back on when someone opens it again in the chat.
pub fn bot_removed(
    conn: &mut AnyConnection,
    platform: Platform,
    chat_id: &str,
) -> Result<Option<LedgerId>, Error> {
    let Some(ledger) = ledgers::find_group(conn, platform, chat_id)? else {
        return Ok(None);
    };
    ledgers::set_active(conn, ledger.id, false)?;
    Ok(Some(ledger.id))
}

/// The group ledgers on `platform` where the person with `user_id` is a member now, with their
/// chat ids: for a platform event that names a person but not a chat (leaving a Discord server).
pub fn group_ledgers_of(
    conn: &mut AnyConnection,
    platform: Platform,
    user_id: &str,
) -> Result<Vec<(LedgerId, String)>, Error> {
    let Some(identity) = accounts::find_identity(conn, platform, user_id)? else {
        return Ok(Vec::new());
    };
    let rows: Vec<(i64, Option<String>)> = ledger_members::table
        .inner_join(ledgers_t::table)
        .filter(ledger_members::account_id.eq(identity.account.get()))
        .filter(ledger_members::left_at.is_null())
        .filter(ledgers_t::platform.eq(platform.as_str()))
        .select((ledgers_t::id, ledgers_t::chat_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, chat)| chat.map(|c| (LedgerId(id), c)))
        .collect())
}

/// The bot was added back to a group it had been removed from: its ledger is on again.
pub fn bot_added(
    conn: &mut AnyConnection,
    platform: Platform,
    chat_id: &str,
) -> Result<Option<LedgerId>, Error> {
    match ledgers::find_group(conn, platform, chat_id)? {
        Some(ledger) if !ledger.active => {
            ledgers::set_active(conn, ledger.id, true)?;
            Ok(Some(ledger.id))
        }
        _ => Ok(None),
    }
}

/// A group membership whose confirmation is older than wanted, and whom to ask about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToConfirm {
    pub ledger: LedgerId,
    pub platform: Platform,
    pub chat_id: String,
    /// The account's ids on that platform (more than one after two accounts merged).
    pub user_ids: Vec<String>,
}

/// The account's group memberships not confirmed since `since`, with the platform ids to ask
/// about. A membership without an identity on the group's platform cannot be confirmed, so it
/// is listed with no ids: the caller records it as gone.
pub fn to_confirm(
    conn: &mut AnyConnection,
    account: AccountId,
    since: DateTime<Utc>,
) -> Result<Vec<ToConfirm>, Error> {
    Ok(review(conn, account, since)?.stale)
}

/// The account's group memberships as the API sees them at `since` (now less
/// [`API_FRESHNESS`]): the ones to confirm, and when the first of the others will need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub stale: Vec<ToConfirm>,
    /// When the oldest confirmation still fresh at `since` stops being fresh (`None`: there is
    /// none, so nothing goes stale on its own).
    pub fresh_until: Option<DateTime<Utc>>,
}

/// A group membership as [`review`] reads it: ledger, platform, chat id, last confirmed.
type GroupMembership = (i64, Option<String>, Option<String>, Option<NaiveDateTime>);

/// [`to_confirm`], plus when the memberships it leaves out go stale.
pub fn review(
    conn: &mut AnyConnection,
    account: AccountId,
    since: DateTime<Utc>,
) -> Result<Review, Error> {
    let cutoff = ts(since);
    let groups: Vec<GroupMembership> = ledger_members::table
        .inner_join(ledgers_t::table)
        .filter(ledger_members::account_id.eq(account.get()))
        .filter(ledger_members::left_at.is_null())
        .filter(ledgers_t::owner_account_id.is_null())
        .select((
            ledgers_t::id,
            ledgers_t::platform,
            ledgers_t::chat_id,
            ledger_members::confirmed_at,
        ))
        .load(conn)?;
    let oldest_fresh = groups
        .iter()
        .filter_map(|g| g.3)
        .filter(|at| *at >= cutoff)
        .min();
    let fresh_until = oldest_fresh.map(|at| at.and_utc() + API_FRESHNESS);
    let stale: Vec<_> = groups
        .into_iter()
        .filter(|g| g.3.is_none_or(|at| at < cutoff))
        .map(|(ledger, platform, chat_id, _)| (ledger, platform, chat_id))
        .collect();
    if stale.is_empty() {
        return Ok(Review {
            stale: Vec::new(),
            fresh_until,
        });
    }
    let ids: Vec<(String, String)> = identities::table
        .filter(identities::account_id.eq(account.get()))
        .select((identities::platform, identities::platform_user_id))
        .load(conn)?;
    let mut out = Vec::new();
    for (ledger, platform, chat_id) in stale {
        let (Some(platform), Some(chat_id)) = (platform, chat_id) else {
            continue;
        };
        let platform: Platform = crate::models::stored("ledgers.platform", &platform)?;
        let user_ids = ids
            .iter()
            .filter(|(p, _)| p == platform.as_str())
            .map(|(_, id)| id.clone())
            .collect();
        out.push(ToConfirm {
            ledger: LedgerId(ledger),
            platform,
            chat_id,
            user_ids,
        });
    }
    Ok(Review {
        stale: out,
        fresh_until,
    })
}

/// Before an API request: asks the platforms about every group membership of `account` whose
/// confirmation is older than [`API_FRESHNESS`] and records what they say. Memberships that could
/// not be confirmed stay as they are, and [`ledgers::access`] refuses them under the request's
/// requirement; personal data is never held up by a platform being down.
pub async fn confirm_for_api(tally: &Tally, account: AccountId) -> Result<(), Error> {
    let since = tally.now() - API_FRESHNESS;
    let stale = tally
        .db()
        .read(move |c| to_confirm(c, account, since))
        .await?;
    confirm(tally, account, stale).await
}

/// Asks the platforms about `stale` (from [`to_confirm`]) and records what they say.
pub async fn confirm(
    tally: &Tally,
    account: AccountId,
    stale: Vec<ToConfirm>,
) -> Result<(), Error> {
    for item in stale {
        let standing = match tally.membership_oracle(item.platform) {
            _ if item.user_ids.is_empty() => Some(Standing::Gone),
            Some(oracle) => ask_all(oracle.as_ref(), &item).await,
            None => None,
        };
        let Some(standing) = standing else {
            tracing::warn!(
                ledger = item.ledger.get(),
                platform = %item.platform,
                "couldn't confirm a group membership; the group is refused for now"
            );
            continue;
        };
        let now = tally.now();
        tally
            .db()
            .write(move |c| record_for(c, item.ledger, account, standing, now))
            .await?;
    }
    Ok(())
}

/// In the group if any of the account's ids is; gone only if every one is; unknown otherwise.
async fn ask_all(oracle: &dyn MembershipOracle, item: &ToConfirm) -> Option<Standing> {
    let mut all_gone = true;
    for user_id in &item.user_ids {
        match oracle.standing(&item.chat_id, user_id).await {
            Some(Standing::Member(role)) => return Some(Standing::Member(role)),
            Some(Standing::Gone) => {}
            None => all_gone = false,
        }
    }
    all_gone.then_some(Standing::Gone)
}
