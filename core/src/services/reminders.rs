//! Reminders people ask for: a daily nudge to log spending, and a note the day before a bill.
//!
//! Due times live in the database; [`claim`] moves one forward with a compare-and-set, so of
//! several instances exactly one sends each reminder.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;

use super::{accounts, ledgers, recurring, ts};
use crate::db::AnyConnection;
use crate::db::schema::{reminders, transactions};
use crate::domain::{AccountId, LedgerId, Platform, Timezone, TransactionKind};
use crate::error::Error;
use crate::services::recurring::Recurring;

/// When bill reminders go out, local time: the morning of the day before.
pub const BILLS_AT_MINUTE: i32 = 9 * 60;
/// The daily nudge's time when none is named: the evening, when the day's spending is done.
pub const DAILY_DEFAULT_MINUTE: i32 = 21 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// At a local time, on days with nothing recorded.
    Daily,
    /// The day before a scheduled payment.
    Bills,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Daily => "daily",
            Kind::Bills => "bills",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        match s {
            "daily" => Some(Kind::Daily),
            "bills" => Some(Kind::Bills),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub id: i64,
    pub account: AccountId,
    pub ledger: LedgerId,
    pub platform: Platform,
    pub chat_id: String,
    pub kind: Kind,
    /// Minutes after local midnight.
    pub at_minute: i32,
    pub next_due_at: NaiveDateTime,
}

type Row = (i64, i64, i64, String, String, String, i32, NaiveDateTime);

fn columns() -> (
    reminders::id,
    reminders::account_id,
    reminders::ledger_id,
    reminders::platform,
    reminders::chat_id,
    reminders::kind,
    reminders::at_minute,
    reminders::next_due_at,
) {
    (
        reminders::id,
        reminders::account_id,
        reminders::ledger_id,
        reminders::platform,
        reminders::chat_id,
        reminders::kind,
        reminders::at_minute,
        reminders::next_due_at,
    )
}

fn from_row(row: Row) -> Result<Reminder, Error> {
    let (id, account, ledger, platform, chat_id, kind, at_minute, next_due_at) = row;
    Ok(Reminder {
        id,
        account: AccountId(account),
        ledger: LedgerId(ledger),
        platform: crate::models::stored("reminders.platform", &platform)?,
        chat_id,
        kind: Kind::parse(&kind)
            .ok_or_else(|| Error::Internal(format!("unexpected reminders.kind {kind:?}")))?,
        at_minute,
        next_due_at,
    })
}

/// The first instant after `after` that is `at_minute` local time in `tz`. On a day a clock
/// change skips that time, the first minute after it.
pub fn next_due_after(after: DateTime<Utc>, tz: Timezone, at_minute: i32) -> DateTime<Utc> {
    let minute = at_minute.clamp(0, 24 * 60 - 1);
    let mut day = tz.today(after);
    for _ in 0..3 {
        let due = at_local(day, tz, minute);
        if due > after {
            return due;
        }
        day = day + Days::new(1);
    }
    at_local(day, tz, minute)
}

fn at_local(day: NaiveDate, tz: Timezone, minute: i32) -> DateTime<Utc> {
    let zone = tz.tz();
    let (h, m) = (minute / 60, minute % 60);
    let mut local = day.and_hms_opt(h as u32, m as u32, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(t) = zone.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        local += chrono::Duration::minutes(30);
    }
    local.and_utc()
}

/// The chat's reminders for this account.
pub fn of_chat(
    conn: &mut AnyConnection,
    account: AccountId,
    platform: Platform,
    chat_id: &str,
) -> Result<Vec<Reminder>, Error> {
    let rows: Vec<Row> = reminders::table
        .filter(reminders::account_id.eq(account.get()))
        .filter(reminders::platform.eq(platform.as_str()))
        .filter(reminders::chat_id.eq(chat_id))
        .order(reminders::kind.asc())
        .select(columns())
        .load(conn)?;
    rows.into_iter().map(from_row).collect()
}

/// Switches a reminder on (or moves its time) for the account in this chat.
#[allow(clippy::too_many_arguments)]
pub fn set(
    conn: &mut AnyConnection,
    account: AccountId,
    ledger: LedgerId,
    platform: Platform,
    chat_id: &str,
    kind: Kind,
    at_minute: i32,
    now: DateTime<Utc>,
) -> Result<Reminder, Error> {
    ledgers::access(conn, account, ledger)?;
    let tz = accounts::find(conn, account)?.timezone;
    let next = ts(next_due_after(now, tz, at_minute));
    let existing = reminders::table
        .filter(reminders::account_id.eq(account.get()))
        .filter(reminders::platform.eq(platform.as_str()))
        .filter(reminders::chat_id.eq(chat_id))
        .filter(reminders::kind.eq(kind.as_str()))
        .select(reminders::id)
        .first::<i64>(conn)
        .optional()?;
    match existing {
        Some(id) => {
            diesel::update(reminders::table.filter(reminders::id.eq(id)))
                .set((
                    reminders::ledger_id.eq(ledger.get()),
                    reminders::at_minute.eq(at_minute),
                    reminders::next_due_at.eq(next),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(reminders::table)
                .values((
                    reminders::account_id.eq(account.get()),
                    reminders::ledger_id.eq(ledger.get()),
                    reminders::platform.eq(platform.as_str()),
                    reminders::chat_id.eq(chat_id),
                    reminders::kind.eq(kind.as_str()),
                    reminders::at_minute.eq(at_minute),
                    reminders::next_due_at.eq(next),
                    reminders::created_at.eq(ts(now)),
                ))
                .execute(conn)?;
        }
    }
    of_chat(conn, account, platform, chat_id)?
        .into_iter()
        .find(|r| r.kind == kind)
        .ok_or_else(|| Error::Internal("reminder vanished".into()))
}

/// Switches the account's reminders in this chat off (one kind, or all); how many there were.
pub fn remove(
    conn: &mut AnyConnection,
    account: AccountId,
    platform: Platform,
    chat_id: &str,
    kind: Option<Kind>,
) -> Result<usize, Error> {
    let mut q = diesel::delete(reminders::table)
        .filter(reminders::account_id.eq(account.get()))
        .filter(reminders::platform.eq(platform.as_str()))
        .filter(reminders::chat_id.eq(chat_id))
        .into_boxed();
    if let Some(k) = kind {
        q = q.filter(reminders::kind.eq(k.as_str()));
    }
    Ok(q.execute(conn)?)
}

/// Reminders due at `now` for these platforms, oldest first.
pub fn due(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    platforms: &[Platform],
    limit: i64,
) -> Result<Vec<Reminder>, Error> {
    let names: Vec<&str> = platforms.iter().map(Platform::as_str).collect();
    let rows: Vec<Row> = reminders::table
        .filter(reminders::next_due_at.le(ts(now)))
        .filter(reminders::platform.eq_any(names))
        .order(reminders::next_due_at.asc())
        .limit(limit)
        .select(columns())
        .load(conn)?;
    rows.into_iter().map(from_row).collect()
}

/// Moves a due reminder to its next time; `false` when another instance already did.
pub fn claim(conn: &mut AnyConnection, r: &Reminder, now: DateTime<Utc>) -> Result<bool, Error> {
    let tz = accounts::find(conn, r.account)?.timezone;
    let next = ts(next_due_after(now, tz, r.at_minute));
    let moved = diesel::update(
        reminders::table
            .filter(reminders::id.eq(r.id))
            .filter(reminders::next_due_at.eq(r.next_due_at)),
    )
    .set(reminders::next_due_at.eq(next))
    .execute(conn)?;
    Ok(moved == 1)
}

/// What a due reminder has to say, if anything: a daily nudge stays quiet on a day with an
/// entry by this person, a bill reminder when nothing falls due tomorrow.
pub enum Due {
    /// Nothing recorded today by the account.
    NothingRecorded,
    /// Expenses scheduled for tomorrow in the ledger.
    Bills(Vec<Recurring>),
}

pub fn compose(
    conn: &mut AnyConnection,
    r: &Reminder,
    now: DateTime<Utc>,
) -> Result<Option<Due>, Error> {
    // A reminder outlives neither the person's place in the ledger nor the ledger itself.
    let Ok(access) = ledgers::access(conn, r.account, r.ledger) else {
        return Ok(None);
    };
    if !access.ledger.active {
        return Ok(None);
    }
    let today = accounts::find(conn, r.account)?.timezone.today(now);
    match r.kind {
        Kind::Daily => {
            let recorded: i64 = transactions::table
                .filter(transactions::ledger_id.eq(r.ledger.get()))
                .filter(transactions::author_account_id.eq(r.account.get()))
                .filter(transactions::occurred_on.eq(today))
                .filter(transactions::deleted_at.is_null())
                .count()
                .get_result(conn)?;
            Ok((recorded == 0).then_some(Due::NothingRecorded))
        }
        Kind::Bills => {
            let tomorrow = today + Days::new(1);
            let bills: Vec<Recurring> = recurring::list(conn, r.account, r.ledger)?
                .into_iter()
                .filter(|s| {
                    !s.paused && s.kind == TransactionKind::Expense && s.next_on == Some(tomorrow)
                })
                .collect();
            Ok((!bills.is_empty()).then_some(Due::Bills(bills)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn due_times_follow_local_time_across_clock_changes() {
        let ny = Timezone::parse("America/New_York").expect("zone");
        // 21:00 in New York in winter is 02:00 UTC the next day.
        assert_eq!(
            next_due_after(at("2027-01-15T12:00:00Z"), ny, 21 * 60),
            at("2027-01-16T02:00:00Z")
        );
        // On 14 March 2027 02:30 does not exist there: the first minute after the gap.
        assert_eq!(
            next_due_after(at("2027-03-14T05:00:00Z"), ny, 2 * 60 + 30),
            at("2027-03-14T07:00:00Z")
        );
        // Summer time: 21:00 is 01:00 UTC.
        assert_eq!(
            next_due_after(at("2027-07-01T12:00:00Z"), ny, 21 * 60),
            at("2027-07-02T01:00:00Z")
        );
        // Exactly at the due time, the next one is a day later.
        assert_eq!(
            next_due_after(at("2027-07-02T01:00:00Z"), ny, 21 * 60),
            at("2027-07-03T01:00:00Z")
        );
    }
}
