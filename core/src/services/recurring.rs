//! Scheduled income and expenses: the schedules people keep, and posting each due occurrence once.
//!
//! A schedule remembers the index of its next unposted occurrence. [`post_due`] moves that index
//! forward with a compare-and-set in the same transaction as the entries it records, so when
//! several instances (or a `tally chat` and a `tally run`) look at the same schedule, exactly
//! one records each occurrence, on its own date, however long the service was down.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::transactions::{self, NewTransaction, Source};
use super::{accounts, categories, ledgers, ts};
use crate::db::AnyConnection;
use crate::db::schema::{categories as categories_t, recurring_entries as rec};
use crate::domain::{AccountId, CategoryName, LedgerId, Platform, TransactionKind};
use crate::error::{Error, ErrorKind};
use crate::models::stored;
use crate::models::transaction::Transaction;
use crate::money::{Currency, Money};
use crate::recurring::Schedule;

/// Schedules one ledger may hold: plenty for rent, salary and every subscription, and a bound on
/// what one member of a group can make every instance post.
pub const MAX_PER_LEDGER: i64 = 100;

/// Occurrences one call of [`post_due`] records; a schedule further behind catches up over the
/// next calls, so one daily schedule paused for years cannot hold a transaction open for long.
pub const MAX_CATCH_UP: usize = 400;

/// A schedule as people see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurring {
    pub id: i64,
    pub ledger: LedgerId,
    pub author: AccountId,
    pub kind: TransactionKind,
    pub money: Money,
    pub category: CategoryName,
    pub note: String,
    pub schedule: Schedule,
    /// Where it was scheduled: the chat that hears about each occurrence.
    pub platform: Platform,
    pub chat_id: String,
    /// The next occurrence not yet posted (counted from the schedule's start)…
    pub next_index: u32,
    /// …and its date; `None` once the schedule has ended.
    pub next_on: Option<NaiveDate>,
    pub paused: bool,
}

impl Recurring {
    /// What it costs (or brings) in a year, rounded half-to-even to the minor unit.
    pub fn yearly(&self) -> Option<Money> {
        let (n, d) = self.schedule.times_per_year();
        self.money.mul_div(i64::from(n), i64::from(d))
    }
}

/// What a new schedule records each time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecurring {
    pub kind: TransactionKind,
    pub money: Money,
    pub category: CategoryName,
    pub note: String,
    pub schedule: Schedule,
    pub platform: Platform,
    pub chat_id: String,
}

/// Occurrences just recorded for one schedule, for the message to its chat.
#[derive(Debug, Clone)]
pub struct Posted {
    pub recurring: Recurring,
    pub transactions: Vec<Transaction>,
    /// The author's today, which the message's dates are relative to.
    pub today: NaiveDate,
}

type Row = (
    (i64, i64, i64, String, i64, String),
    (String, String, String, String),
    (i64, Option<NaiveDate>, bool),
    String,
);

/// The columns of [`Row`], in its order.
type Columns = (
    (
        rec::id,
        rec::ledger_id,
        rec::author_account_id,
        rec::kind,
        rec::amount_minor,
        rec::currency,
    ),
    (rec::note, rec::schedule, rec::platform, rec::chat_id),
    (rec::next_index, rec::next_on, rec::paused),
    categories_t::name,
);

fn select_row() -> Columns {
    (
        (
            rec::id,
            rec::ledger_id,
            rec::author_account_id,
            rec::kind,
            rec::amount_minor,
            rec::currency,
        ),
        (rec::note, rec::schedule, rec::platform, rec::chat_id),
        (rec::next_index, rec::next_on, rec::paused),
        categories_t::name,
    )
}

fn from_row(row: Row) -> Result<Recurring, Error> {
    let ((id, ledger, author, kind, amount, currency), (note, schedule, platform, chat), tail, cat) =
        row;
    let (next_index, next_on, paused) = tail;
    let currency: Currency = stored("recurring_entries.currency", &currency)?;
    Ok(Recurring {
        id,
        ledger: LedgerId(ledger),
        author: AccountId(author),
        kind: stored("recurring_entries.kind", &kind)?,
        money: Money::from_minor(amount, currency)
            .map_err(|e| Error::Internal(format!("stored recurring amount: {e}")))?,
        category: CategoryName::parse(&cat)
            .map_err(|e| Error::Internal(format!("stored category: {e}")))?,
        note,
        schedule: Schedule::from_code(&schedule)
            .map_err(|e| Error::Internal(format!("stored schedule: {e}")))?,
        platform: stored("recurring_entries.platform", &platform)?,
        chat_id: chat,
        next_index: u32::try_from(next_index).unwrap_or(u32::MAX),
        next_on,
        paused,
    })
}

fn index(n: u32) -> i64 {
    i64::from(n)
}

/// Schedules a new recurring entry. Its first occurrence is the first date of the schedule on or
/// after `today`; in a group only admins schedule entries.
pub fn create(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    new: NewRecurring,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Recurring, Error> {
    let access = ledgers::access_to_write(conn, actor, ledger)?;
    access.require_manage("schedule the group's recurring entries")?;
    if new.money.minor() <= 0 {
        return Err(Error::invalid(
            "amount",
            "The amount must be more than zero.",
        ));
    }
    let amount_minor = new
        .money
        .stored_minor()
        .map_err(|e| Error::money("amount", e))?;
    let count: i64 = rec::table
        .filter(rec::ledger_id.eq(ledger.get()))
        .count()
        .get_result(conn)?;
    if count >= MAX_PER_LEDGER {
        return Err(Error::Conflict(format!(
            "This ledger already has {MAX_PER_LEDGER} schedules. Delete one with /recurring delete N first."
        )));
    }
    let first = new.schedule.first_index_on_or_after(today);
    let Some(first_on) = new.schedule.nth(first) else {
        return Err(Error::invalid(
            "schedule",
            "That schedule has already ended: every date it names is in the past.",
        ));
    };
    let category = categories::require_active(conn, ledger, new.kind, &new.category)?;
    let note = transactions::clean_note(&new.note);
    let id: i64 = diesel::insert_into(rec::table)
        .values((
            rec::ledger_id.eq(ledger.get()),
            rec::author_account_id.eq(actor.get()),
            rec::kind.eq(new.kind.as_str()),
            rec::amount_minor.eq(amount_minor),
            rec::currency.eq(new.money.currency().code()),
            rec::category_id.eq(category.id.get()),
            rec::note.eq(&note),
            rec::schedule.eq(new.schedule.code()),
            rec::platform.eq(new.platform.as_str()),
            rec::chat_id.eq(&new.chat_id),
            rec::next_index.eq(index(first)),
            rec::next_on.eq(Some(first_on)),
            rec::paused.eq(false),
            rec::created_at.eq(ts(now)),
            rec::updated_at.eq(ts(now)),
        ))
        .returning(rec::id)
        .get_result(conn)?;
    load(conn, id)
}

fn load(conn: &mut AnyConnection, id: i64) -> Result<Recurring, Error> {
    let row: Row = rec::table
        .inner_join(categories_t::table.on(categories_t::id.eq(rec::category_id)))
        .filter(rec::id.eq(id))
        .select(select_row())
        .first(conn)
        .optional()?
        .ok_or(Error::not_found("schedule"))?;
    from_row(row)
}

/// The ledger's schedules, oldest first: `/recurring` numbers them in this order.
pub fn list(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
) -> Result<Vec<Recurring>, Error> {
    ledgers::access(conn, actor, ledger)?;
    let rows: Vec<Row> = rec::table
        .inner_join(categories_t::table.on(categories_t::id.eq(rec::category_id)))
        .filter(rec::ledger_id.eq(ledger.get()))
        .order(rec::id.asc())
        .select(select_row())
        .load(conn)?;
    rows.into_iter().map(from_row).collect()
}

/// A schedule the actor may see; anything else is "not found", never a hint that it exists.
pub fn get(conn: &mut AnyConnection, actor: AccountId, id: i64) -> Result<Recurring, Error> {
    let found = load(conn, id)?;
    ledgers::access(conn, actor, found.ledger).map_err(|_| Error::not_found("schedule"))?;
    Ok(found)
}

/// The schedule numbered `n` (from 1) in [`list`].
pub fn numbered(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    n: usize,
) -> Result<Recurring, Error> {
    let all = list(conn, actor, ledger)?;
    let count = all.len();
    n.checked_sub(1)
        .and_then(|i| all.into_iter().nth(i))
        .ok_or_else(|| {
            Error::invalid(
                "number",
                if count == 0 {
                    "There are no schedules here yet.".to_owned()
                } else {
                    format!("Pick a schedule from 1 to {count}; /recurring lists them.")
                },
            )
        })
}

/// Whoever scheduled it may change it; in a group, admins may change anyone's.
fn editable(conn: &mut AnyConnection, actor: AccountId, id: i64) -> Result<Recurring, Error> {
    let found = get(conn, actor, id)?;
    let access = ledgers::access_to_write(conn, actor, found.ledger)?;
    if found.author == actor || access.can_manage() {
        Ok(found)
    } else {
        Err(Error::Forbidden(
            "Only the person who scheduled this, or a group admin, can change it.".into(),
        ))
    }
}

/// Stops posting until resumed.
pub fn pause(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Recurring, Error> {
    editable(conn, actor, id)?;
    diesel::update(rec::table.filter(rec::id.eq(id)))
        .set((rec::paused.eq(true), rec::updated_at.eq(ts(now))))
        .execute(conn)?;
    load(conn, id)
}

/// Posts again from the first occurrence on or after `today`: the dates it was paused for are
/// not caught up, since the person chose not to have them.
pub fn resume(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Recurring, Error> {
    let found = editable(conn, actor, id)?;
    let next = if found.paused {
        found
            .next_index
            .max(found.schedule.first_index_on_or_after(today))
    } else {
        found.next_index
    };
    diesel::update(rec::table.filter(rec::id.eq(id)))
        .set((
            rec::paused.eq(false),
            rec::next_index.eq(index(next)),
            rec::next_on.eq(found.schedule.nth(next)),
            rec::updated_at.eq(ts(now)),
        ))
        .execute(conn)?;
    load(conn, id)
}

/// Skips the next occurrence once; returns the date skipped.
pub fn skip(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(NaiveDate, Recurring), Error> {
    let found = editable(conn, actor, id)?;
    let Some(skipped) = found.next_on else {
        return Err(Error::Conflict(
            "That schedule has ended; there is nothing left to skip.".into(),
        ));
    };
    let next = found.next_index.saturating_add(1);
    let moved = diesel::update(
        rec::table
            .filter(rec::id.eq(id))
            .filter(rec::next_index.eq(index(found.next_index))),
    )
    .set((
        rec::next_index.eq(index(next)),
        rec::next_on.eq(found.schedule.nth(next)),
        rec::updated_at.eq(ts(now)),
    ))
    .execute(conn)?;
    if moved == 0 {
        return Err(Error::Conflict(
            "That occurrence was just posted; undo its entry instead.".into(),
        ));
    }
    Ok((skipped, load(conn, id)?))
}

/// Changes the amount of the occurrences not yet posted; entries already recorded keep theirs.
pub fn set_amount(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: i64,
    money: Money,
    now: DateTime<Utc>,
) -> Result<Recurring, Error> {
    let found = editable(conn, actor, id)?;
    if money.minor() <= 0 {
        return Err(Error::invalid(
            "amount",
            "The amount must be more than zero.",
        ));
    }
    if money.currency() != found.money.currency() {
        return Err(Error::invalid(
            "amount",
            format!(
                "This schedule is in {}; give the new amount in {} too, or delete it and schedule it anew.",
                found.money.currency().code(),
                found.money.currency().code()
            ),
        ));
    }
    let minor = money
        .stored_minor()
        .map_err(|e| Error::money("amount", e))?;
    diesel::update(rec::table.filter(rec::id.eq(id)))
        .set((rec::amount_minor.eq(minor), rec::updated_at.eq(ts(now))))
        .execute(conn)?;
    load(conn, id)
}

/// Deletes the schedule; the entries it already posted stay in the ledger.
pub fn delete(conn: &mut AnyConnection, actor: AccountId, id: i64) -> Result<Recurring, Error> {
    let found = editable(conn, actor, id)?;
    diesel::delete(rec::table.filter(rec::id.eq(id))).execute(conn)?;
    Ok(found)
}

/// Schedules with an occurrence due on or before `up_to` (the latest "today" of any time zone),
/// for the platforms this instance posts for.
pub fn due(
    conn: &mut AnyConnection,
    up_to: NaiveDate,
    platforms: &[Platform],
    limit: i64,
) -> Result<Vec<Recurring>, Error> {
    let names: Vec<&str> = platforms.iter().map(Platform::as_str).collect();
    let rows: Vec<Row> = rec::table
        .inner_join(categories_t::table.on(categories_t::id.eq(rec::category_id)))
        .filter(rec::paused.eq(false))
        .filter(rec::next_on.le(up_to))
        .filter(rec::platform.eq_any(names))
        .order(rec::next_on.asc())
        .limit(limit)
        .select(select_row())
        .load(conn)?;
    rows.into_iter().map(from_row).collect()
}

/// Records every occurrence of `schedule` due by today in its author's time zone, each on its
/// own date, and moves the schedule past them. `None` when nothing was due or another instance
/// posted them first. Run it in a transaction of its own: the claim and the entries commit
/// together.
pub fn post_due(
    conn: &mut AnyConnection,
    schedule: i64,
    now: DateTime<Utc>,
) -> Result<Option<Posted>, Error> {
    let found = load(conn, schedule)?;
    if found.paused {
        return Ok(None);
    }
    let author = accounts::find(conn, found.author)?;
    let today = author.timezone.today(now);
    let mut occurrences = Vec::new();
    let mut n = found.next_index;
    while occurrences.len() < MAX_CATCH_UP {
        match found.schedule.nth(n) {
            Some(date) if date <= today => occurrences.push((n, date)),
            _ => break,
        }
        n = match n.checked_add(1) {
            Some(next) => next,
            None => break,
        };
    }
    if occurrences.is_empty() {
        return Ok(None);
    }
    // The author may have left the group (or the chat was switched off): stop posting rather
    // than record in their name where they no longer belong.
    let live = match ledgers::access(conn, found.author, found.ledger) {
        Ok(access) => access.ledger.active,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Forbidden) => false,
        Err(e) => return Err(e),
    };
    if !live {
        diesel::update(rec::table.filter(rec::id.eq(found.id)))
            .set((rec::paused.eq(true), rec::updated_at.eq(ts(now))))
            .execute(conn)?;
        return Ok(None);
    }
    let claimed = diesel::update(
        rec::table
            .filter(rec::id.eq(found.id))
            .filter(rec::next_index.eq(index(found.next_index)))
            .filter(rec::paused.eq(false)),
    )
    .set((
        rec::next_index.eq(index(n)),
        rec::next_on.eq(found.schedule.nth(n)),
        rec::updated_at.eq(ts(now)),
    ))
    .execute(conn)?;
    if claimed == 0 {
        return Ok(None);
    }
    let category = categories::resolve_or_other(conn, found.ledger, found.kind, &found.category)?;
    let mut recorded = Vec::with_capacity(occurrences.len());
    for (i, date) in occurrences {
        recorded.push(transactions::record(
            conn,
            found.author,
            found.ledger,
            NewTransaction {
                kind: found.kind,
                money: found.money,
                category: category.name.clone(),
                date,
                note: found.note.clone(),
                source: Source {
                    platform: found.platform,
                    reference: Some(format!("recurring:{}:{i}", found.id)),
                },
            },
            now,
        )?);
    }
    Ok(Some(Posted {
        recurring: load(conn, found.id)?,
        transactions: recorded,
        today,
    }))
}
