//! Attempt limits kept in `auth_attempts`, so every instance sees the same count.
//!
//! A sliding window: once `max` attempts fall within `window`, further ones are refused until
//! the oldest of them leaves it. Callers choose when an attempt counts. Logins use the
//! slow-down in [`super::slowdown`] instead, which never locks an owner out.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::AnyConnection;
use crate::db::schema::auth_attempts;
use crate::error::Error;
use crate::services::ts;

/// One kind of limited attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub scope: &'static str,
    pub max: i64,
    pub window_secs: i64,
}

impl Limit {
    pub fn window(&self) -> Duration {
        Duration::seconds(self.window_secs)
    }
}

/// Sign-ups from one network address: each costs a slow hash, so they are few per hour.
pub const REGISTER_ADDRESS: Limit = Limit {
    scope: "register_address",
    max: 10,
    window_secs: 60 * 60,
};

/// Link codes tried by one chat identity.
pub const LINK_CODE: Limit = Limit {
    scope: "link_code",
    max: 5,
    window_secs: 15 * 60,
};

/// The stored subject for a name someone typed: hashed, because people sometimes type their
/// password into the username field, and that must not sit in a table in clear.
pub fn name_subject(name: &str) -> String {
    hex::encode(Sha256::digest(name.trim().to_lowercase().as_bytes()))
}

/// `Err(RateLimited)` when `subject` has used up `limit` within the window ending `now`.
pub fn check(
    conn: &mut AnyConnection,
    limit: &Limit,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let since = ts(now - limit.window());
    let count: i64 = auth_attempts::table
        .filter(auth_attempts::scope.eq(limit.scope))
        .filter(auth_attempts::subject.eq(subject))
        .filter(auth_attempts::attempted_at.gt(since))
        .count()
        .get_result(conn)?;
    if count < limit.max {
        return Ok(());
    }
    // The lock lifts when enough of the attempts have aged out to leave `max - 1`.
    let unlocking: Option<chrono::NaiveDateTime> = auth_attempts::table
        .filter(auth_attempts::scope.eq(limit.scope))
        .filter(auth_attempts::subject.eq(subject))
        .filter(auth_attempts::attempted_at.gt(since))
        .order(auth_attempts::attempted_at.asc())
        .offset(count - limit.max)
        .select(auth_attempts::attempted_at)
        .first(conn)
        .optional()?;
    let lifts = unlocking.map_or(now, |at| at.and_utc() + limit.window());
    let millis = u64::try_from((lifts - now).num_milliseconds()).unwrap_or(0);
    Err(Error::RateLimited {
        retry_after_secs: millis.div_ceil(1000).max(1),
    })
}

/// Records one attempt (and drops this subject's attempts that have aged out). Returns its id.
pub fn record(
    conn: &mut AnyConnection,
    limit: &Limit,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<i64, Error> {
    diesel::delete(
        auth_attempts::table
            .filter(auth_attempts::scope.eq(limit.scope))
            .filter(auth_attempts::subject.eq(subject))
            .filter(auth_attempts::attempted_at.le(ts(now - limit.window()))),
    )
    .execute(conn)?;
    Ok(diesel::insert_into(auth_attempts::table)
        .values((
            auth_attempts::scope.eq(limit.scope),
            auth_attempts::subject.eq(subject),
            auth_attempts::attempted_at.eq(ts(now)),
        ))
        .returning(auth_attempts::id)
        .get_result(conn)?)
}

/// Forgets particular attempts (the ones a success had recorded).
pub fn forget(conn: &mut AnyConnection, ids: &[i64]) -> Result<(), Error> {
    if !ids.is_empty() {
        diesel::delete(auth_attempts::table.filter(auth_attempts::id.eq_any(ids))).execute(conn)?;
    }
    Ok(())
}

/// Forgets every attempt of a subject: after a success, earlier failures no longer count.
pub fn clear(conn: &mut AnyConnection, limit: &Limit, subject: &str) -> Result<(), Error> {
    diesel::delete(
        auth_attempts::table
            .filter(auth_attempts::scope.eq(limit.scope))
            .filter(auth_attempts::subject.eq(subject)),
    )
    .execute(conn)?;
    Ok(())
}

/// How many attempts `subject` has left in the window ending `now`.
pub fn remaining(
    conn: &mut AnyConnection,
    limit: &Limit,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<i64, Error> {
    let count: i64 = auth_attempts::table
        .filter(auth_attempts::scope.eq(limit.scope))
        .filter(auth_attempts::subject.eq(subject))
        .filter(auth_attempts::attempted_at.gt(ts(now - limit.window())))
        .count()
        .get_result(conn)?;
    Ok((limit.max - count).max(0))
}
