//! Scheduled digests per chat: who switched one on, how often, and when the next is due.
//!
//! Due times are kept in the database so that whichever instance is running sends each digest,
//! and [`claim`] moves a due time forward atomically so that only one instance sends it.

use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike as _, Utc,
};
use diesel::prelude::*;

use super::{accounts, insert_unless_exists, ledgers, ts};
use crate::db::AnyConnection;
use crate::db::schema::{accounts as accounts_t, digests};
use crate::domain::{AccountId, LedgerId, Platform, Timezone};
use crate::error::Error;
use crate::period::{DateRange, first_of_month};

/// The local hour digests go out: early enough to plan the week, late enough not to wake anyone.
pub const SEND_HOUR: u32 = 9;

/// How often a chat hears from Tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frequency {
    /// Mondays at 09:00 in the account's time zone, about the week before.
    Weekly,
    /// The 1st of the month at 09:00 in the account's time zone, about the month before.
    Monthly,
}

impl Frequency {
    pub fn as_str(&self) -> &'static str {
        match self {
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
        }
    }

    pub fn parse(s: &str) -> Option<Frequency> {
        match s.trim().to_ascii_lowercase().as_str() {
            "weekly" | "week" | "w" => Some(Frequency::Weekly),
            "monthly" | "month" | "m" => Some(Frequency::Monthly),
            _ => None,
        }
    }

    /// The first due time strictly after `after`: the next Monday (or 1st) at 09:00 local time.
    pub fn next_due_after(&self, after: DateTime<Utc>, tz: Timezone) -> DateTime<Utc> {
        let today = tz.today(after);
        let mut day = match self {
            Frequency::Weekly => crate::period::latest_weekday(today, chrono::Weekday::Mon),
            Frequency::Monthly => first_of_month(today.year(), today.month()),
        };
        // Two steps at most: this period's due time has passed, the next one has not.
        for _ in 0..3 {
            let due = at_send_hour(day, tz);
            if due > after {
                return due;
            }
            day = match self {
                Frequency::Weekly => day + Days::new(7),
                Frequency::Monthly => day + Months::new(1),
            };
        }
        at_send_hour(day, tz)
    }

    /// The period a digest sent on `today` reports: the week or month before.
    pub fn period_before(&self, today: NaiveDate) -> DateRange {
        match self {
            Frequency::Weekly => DateRange::week_of(today - Days::new(7)),
            Frequency::Monthly => DateRange::last_month(today),
        }
    }
}

/// 09:00 on `day` in `tz` as an instant. When a clock change skips 09:00, the hour after it.
fn at_send_hour(day: NaiveDate, tz: Timezone) -> DateTime<Utc> {
    let zone = tz.tz();
    let mut local = day.and_hms_opt(SEND_HOUR, 0, 0).unwrap_or_default();
    for _ in 0..3 {
        if let Some(t) = zone.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        local += chrono::Duration::hours(1);
    }
    local.and_utc()
}

/// A chat's digest subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub id: i64,
    pub platform: Platform,
    pub chat_id: String,
    pub ledger: LedgerId,
    /// Who switched it on: the digest reads the ledger with this account's rights and time zone.
    pub account: AccountId,
    /// That account's time zone, which places the due times.
    pub timezone: Timezone,
    pub frequency: Frequency,
    pub next_due_at: NaiveDateTime,
    pub last_sent_at: Option<NaiveDateTime>,
}

type Row = (
    i64,
    String,
    String,
    i64,
    i64,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

fn columns() -> (
    digests::id,
    digests::platform,
    digests::chat_id,
    digests::ledger_id,
    digests::account_id,
    digests::frequency,
    digests::next_due_at,
    digests::last_sent_at,
) {
    (
        digests::id,
        digests::platform,
        digests::chat_id,
        digests::ledger_id,
        digests::account_id,
        digests::frequency,
        digests::next_due_at,
        digests::last_sent_at,
    )
}

/// Reads rows, with each account's time zone (one more query rather than a join, so a claim
/// later needs no read at all).
fn from_rows(conn: &mut AnyConnection, rows: Vec<Row>) -> Result<Vec<Digest>, Error> {
    let ids: Vec<i64> = rows.iter().map(|r| r.4).collect();
    let zones: std::collections::HashMap<i64, String> = accounts_t::table
        .filter(accounts_t::id.eq_any(&ids))
        .select((accounts_t::id, accounts_t::timezone))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|row| {
            let zone = zones.get(&row.4).map_or("UTC", String::as_str);
            from_row(row, Timezone::parse(zone).map_err(Error::Internal)?)
        })
        .collect()
}

fn from_row(row: Row, timezone: Timezone) -> Result<Digest, Error> {
    let (id, platform, chat_id, ledger, account, frequency, next_due_at, last_sent_at) = row;
    Ok(Digest {
        id,
        platform: crate::models::stored("digests.platform", &platform)?,
        chat_id,
        ledger: LedgerId(ledger),
        account: AccountId(account),
        timezone,
        frequency: Frequency::parse(&frequency).ok_or_else(|| {
            Error::Internal(format!("unexpected digests.frequency {frequency:?}"))
        })?,
        next_due_at,
        last_sent_at,
    })
}

/// The digest of one chat, if it has one.
pub fn find(
    conn: &mut AnyConnection,
    platform: Platform,
    chat_id: &str,
) -> Result<Option<Digest>, Error> {
    let row: Option<Row> = digests::table
        .filter(digests::platform.eq(platform.as_str()))
        .filter(digests::chat_id.eq(chat_id))
        .select(columns())
        .first::<Row>(conn)
        .optional()?;
    Ok(from_rows(conn, row.into_iter().collect())?.pop())
}

/// Switches a chat's digest on (or changes its frequency). In a group, only admins may.
pub fn set(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    platform: Platform,
    chat_id: &str,
    frequency: Frequency,
    now: DateTime<Utc>,
) -> Result<Digest, Error> {
    let access = ledgers::access(conn, actor, ledger)?;
    access.require_manage("switch the digest on or off")?;
    let tz = accounts::find(conn, actor)?.timezone;
    let next = ts(frequency.next_due_after(now, tz));
    let values = (
        digests::ledger_id.eq(ledger.get()),
        digests::account_id.eq(actor.get()),
        digests::frequency.eq(frequency.as_str()),
        digests::next_due_at.eq(next),
    );
    let target = digests::table
        .filter(digests::platform.eq(platform.as_str()))
        .filter(digests::chat_id.eq(chat_id));
    if diesel::update(target).set(values).execute(conn)? == 0 {
        let inserted = insert_unless_exists(conn, |c| {
            diesel::insert_into(digests::table)
                .values((
                    digests::platform.eq(platform.as_str()),
                    digests::chat_id.eq(chat_id),
                    values,
                    digests::created_at.eq(ts(now)),
                ))
                .execute(c)?;
            Ok(())
        })?;
        // Another instance inserted first: this request still wins, as the later one.
        if inserted.is_none() {
            diesel::update(target).set(values).execute(conn)?;
        }
    }
    find(conn, platform, chat_id)?.ok_or_else(|| Error::Internal("digest vanished".into()))
}

/// Switches a chat's digest off. Returns whether there was one.
pub fn remove(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    platform: Platform,
    chat_id: &str,
) -> Result<bool, Error> {
    let access = ledgers::access(conn, actor, ledger)?;
    access.require_manage("switch the digest on or off")?;
    let n = diesel::delete(
        digests::table
            .filter(digests::platform.eq(platform.as_str()))
            .filter(digests::chat_id.eq(chat_id))
            .filter(digests::ledger_id.eq(ledger.get())),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Drops a digest that can no longer be sent (its account left the ledger).
pub fn delete(conn: &mut AnyConnection, id: i64) -> Result<(), Error> {
    diesel::delete(digests::table.filter(digests::id.eq(id))).execute(conn)?;
    Ok(())
}

/// Digests due at `now` on the given platforms (those the caller can post to), the most overdue
/// first, at most `limit`.
pub fn due(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    platforms: &[Platform],
    limit: i64,
) -> Result<Vec<Digest>, Error> {
    let platforms: Vec<&str> = platforms.iter().map(Platform::as_str).collect();
    let rows: Vec<Row> = digests::table
        .filter(digests::next_due_at.le(ts(now)))
        .filter(digests::platform.eq_any(platforms))
        .order((digests::next_due_at.asc(), digests::id.asc()))
        .limit(limit.clamp(1, 1000))
        .select(columns())
        .load::<Row>(conn)?;
    from_rows(conn, rows)
}

/// Takes the right to send `digest` now: moves its due time to the next period, but only if no
/// other instance has moved it since it was read. `Some(next)` means this caller sends it.
///
/// A digest that was missed for several periods (every instance was down) is sent once, and
/// the next one is scheduled from now, so nobody gets a burst of stale digests.
pub fn claim(
    conn: &mut AnyConnection,
    digest: &Digest,
    now: DateTime<Utc>,
) -> Result<Option<NaiveDateTime>, Error> {
    // A single UPDATE, no read first: on SQLite the write lock is taken at once, and on any
    // backend the condition on the old due time is what makes the claim exclusive.
    let next = ts(digest.frequency.next_due_after(now, digest.timezone));
    let n = diesel::update(
        digests::table
            .filter(digests::id.eq(digest.id))
            .filter(digests::next_due_at.eq(digest.next_due_at)),
    )
    .set((
        digests::next_due_at.eq(next),
        digests::last_sent_at.eq(Some(ts(now))),
    ))
    .execute(conn)?;
    Ok((n == 1).then_some(next))
}

/// Gives a claimed digest back after a failed send, due again at `retry_at`, unless it changed
/// meanwhile (switched off, or set anew). Returns whether it was given back.
pub fn release(
    conn: &mut AnyConnection,
    digest: &Digest,
    claimed_next: NaiveDateTime,
    retry_at: DateTime<Utc>,
) -> Result<bool, Error> {
    // Whole seconds: the value is compared for equality later, and backends keep different
    // sub-second precision.
    let retry = ts(retry_at)
        .with_nanosecond(0)
        .unwrap_or_else(|| ts(retry_at));
    let n = diesel::update(
        digests::table
            .filter(digests::id.eq(digest.id))
            .filter(digests::next_due_at.eq(claimed_next)),
    )
    .set((
        digests::next_due_at.eq(retry),
        digests::last_sent_at.eq(digest.last_sent_at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn weekly_is_monday_nine_local() {
        let ny = Timezone::parse("America/New_York").expect("zone");
        // Tuesday 24 Nov 2026, noon UTC: next Monday is 30 Nov, 09:00 EST = 14:00 UTC.
        assert_eq!(
            Frequency::Weekly.next_due_after(at("2026-11-24T12:00:00Z"), ny),
            at("2026-11-30T14:00:00Z")
        );
        // Monday 08:59 local: later that same morning.
        assert_eq!(
            Frequency::Weekly.next_due_after(at("2026-11-30T13:59:00Z"), ny),
            at("2026-11-30T14:00:00Z")
        );
        // Exactly at the due time: the week after (strictly after).
        assert_eq!(
            Frequency::Weekly.next_due_after(at("2026-11-30T14:00:00Z"), ny),
            at("2026-12-07T14:00:00Z")
        );
    }

    #[test]
    fn monthly_is_the_first_at_nine_local() {
        let berlin = Timezone::parse("Europe/Berlin").expect("zone");
        assert_eq!(
            Frequency::Monthly.next_due_after(at("2026-11-24T12:00:00Z"), berlin),
            at("2026-12-01T08:00:00Z")
        );
        // Summer time: 09:00 CEST is 07:00 UTC.
        assert_eq!(
            Frequency::Monthly.next_due_after(at("2026-06-15T00:00:00Z"), berlin),
            at("2026-07-01T07:00:00Z")
        );
        assert_eq!(
            Frequency::Monthly.next_due_after(at("2026-12-31T23:00:00Z"), Timezone::UTC),
            at("2027-01-01T09:00:00Z")
        );
    }

    #[test]
    fn reports_the_period_before() {
        let monday: NaiveDate = "2026-11-30".parse().expect("date");
        assert_eq!(
            Frequency::Weekly.period_before(monday).label(),
            "23 Nov – 29 Nov 2026"
        );
        let first: NaiveDate = "2026-12-01".parse().expect("date");
        assert_eq!(
            Frequency::Monthly.period_before(first).label(),
            "November 2026"
        );
    }
}
