//! Login slow-down: failed logins earn a growing wait (`login_throttle`), never a lock-out.
//!
//! Each attempt is claimed BEFORE the slow password check, by a compare-and-set on the row's
//! `version`: of many parallel attempts only as many pass as the schedule allows, on SQLite and on
//! PostgreSQL alike (a losing update matches no row and reads the counter again). The first
//! `free` attempts in a row pass at once; after that each one sets a wait that doubles per
//! attempt, up to `max_delay_secs`. Once the wait is over the next attempt is checked like any
//! other, so the owner with the right password always gets in within a few minutes. A success
//! clears the counter; failures older than `forget_after_secs` no longer count.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::AnyConnection;
use crate::db::schema::login_throttle;
use crate::error::Error;
use crate::services::ts;

/// How fast one kind of login attempt slows down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub scope: &'static str,
    /// Attempts in a row that pass without waiting.
    pub free: i64,
    /// The first wait; each further attempt doubles it.
    pub base_delay_secs: i64,
    /// The longest wait.
    pub max_delay_secs: i64,
    /// A quiet spell this long forgets earlier attempts.
    pub forget_after_secs: i64,
}

/// Attempts at one username, from anywhere: this is what stops guessing spread over many
/// addresses, so it is the more generous of the two.
pub const LOGIN_USER: Schedule = Schedule {
    scope: "login_user",
    free: 10,
    base_delay_secs: 1,
    max_delay_secs: 5 * 60,
    forget_after_secs: 60 * 60,
};

/// Attempts at one username from one address. Keyed on the pair, so a crowd behind one NAT or
/// proxy never waits for someone else's mistakes, and one address can't spend the username's
/// whole allowance before the owner, elsewhere, tries.
pub const LOGIN_PAIR: Schedule = Schedule {
    scope: "login_pair",
    free: 5,
    base_delay_secs: 1,
    max_delay_secs: 5 * 60,
    forget_after_secs: 60 * 60,
};

/// How often a claim retries after losing a compare-and-set to a parallel attempt.
const CLAIM_TRIES: usize = 16;

impl Schedule {
    /// The wait set by the `attempts`-th attempt in a row (counting from 1).
    pub fn delay_after(&self, attempts: i64) -> Duration {
        if attempts < self.free {
            return Duration::zero();
        }
        let doublings = u32::try_from(attempts - self.free)
            .unwrap_or(u32::MAX)
            .min(30);
        let secs = self
            .base_delay_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.max_delay_secs);
        Duration::seconds(secs)
    }
}

/// The stored subject for one address trying one name: hashed, like the name alone.
pub fn pair_subject(address: &str, name: &str) -> String {
    let mut h = Sha256::new();
    h.update(address.as_bytes());
    h.update([0]);
    h.update(name.trim().to_lowercase().as_bytes());
    hex::encode(h.finalize())
}

#[derive(Queryable)]
struct Counter {
    id: i64,
    failures: i64,
    version: i64,
    blocked_until: NaiveDateTime,
    last_attempt_at: NaiveDateTime,
}

/// Claims one attempt for `subject`, or `Err(RateLimited)` with the seconds left to wait. Call
/// it inside the login's write transaction, before checking the password.
pub fn claim(
    conn: &mut AnyConnection,
    schedule: &Schedule,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    for _ in 0..CLAIM_TRIES {
        let found: Option<Counter> = login_throttle::table
            .filter(login_throttle::scope.eq(schedule.scope))
            .filter(login_throttle::subject.eq(subject))
            .select((
                login_throttle::id,
                login_throttle::failures,
                login_throttle::version,
                login_throttle::blocked_until,
                login_throttle::last_attempt_at,
            ))
            .first(conn)
            .optional()?;
        let Some(row) = found else {
            // A savepoint, so losing the race for the first row leaves the transaction usable.
            let inserted = conn.transaction(|c| {
                diesel::insert_into(login_throttle::table)
                    .values((
                        login_throttle::scope.eq(schedule.scope),
                        login_throttle::subject.eq(subject),
                        login_throttle::failures.eq(1_i64),
                        login_throttle::version.eq(0_i64),
                        login_throttle::blocked_until.eq(ts(now + schedule.delay_after(1))),
                        login_throttle::last_attempt_at.eq(ts(now)),
                    ))
                    .execute(c)
                    .map_err(Error::from)
            });
            match inserted {
                Ok(_) => return Ok(()),
                Err(e) if e.is_unique_violation() => continue,
                Err(e) => return Err(e),
            }
        };
        let blocked_until = row.blocked_until.and_utc();
        if now < blocked_until {
            return Err(wait(blocked_until - now));
        }
        let quiet = now - row.last_attempt_at.and_utc();
        let earlier = if quiet >= Duration::seconds(schedule.forget_after_secs) {
            0
        } else {
            row.failures
        };
        let attempts = earlier.saturating_add(1);
        let updated = diesel::update(
            login_throttle::table
                .filter(login_throttle::id.eq(row.id))
                .filter(login_throttle::version.eq(row.version)),
        )
        .set((
            login_throttle::failures.eq(attempts),
            login_throttle::version.eq(row.version.wrapping_add(1)),
            login_throttle::blocked_until.eq(ts(now + schedule.delay_after(attempts))),
            login_throttle::last_attempt_at.eq(ts(now)),
        ))
        .execute(conn)?;
        if updated == 1 {
            return Ok(());
        }
    }
    // Still losing to parallel attempts: this one can wait a moment.
    Err(wait(Duration::seconds(1)))
}

/// Forgets `subject`'s attempts: after a success, earlier failures no longer slow anyone.
pub fn clear(conn: &mut AnyConnection, schedule: &Schedule, subject: &str) -> Result<(), Error> {
    diesel::delete(
        login_throttle::table
            .filter(login_throttle::scope.eq(schedule.scope))
            .filter(login_throttle::subject.eq(subject)),
    )
    .execute(conn)?;
    Ok(())
}

fn wait(left: Duration) -> Error {
    let millis = u64::try_from(left.num_milliseconds()).unwrap_or(0);
    Error::RateLimited {
        retry_after_secs: millis.div_ceil(1000).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_attempts_up_to_the_cap() {
        let s = LOGIN_PAIR;
        for n in 1..s.free {
            assert_eq!(s.delay_after(n), Duration::zero(), "attempt {n}");
        }
        assert_eq!(s.delay_after(s.free), Duration::seconds(1));
        assert_eq!(s.delay_after(s.free + 1), Duration::seconds(2));
        assert_eq!(s.delay_after(s.free + 4), Duration::seconds(16));
        assert_eq!(s.delay_after(s.free + 20), Duration::seconds(300));
        assert_eq!(s.delay_after(i64::MAX), Duration::seconds(300));
    }

    #[test]
    fn pair_subjects_differ_by_address_and_name_but_not_case() {
        let a = pair_subject("10.0.0.1", "Ann");
        assert_eq!(a, pair_subject("10.0.0.1", " ann "));
        assert_ne!(a, pair_subject("10.0.0.2", "ann"));
        assert_ne!(a, pair_subject("10.0.0.1", "bob"));
        assert!(!a.contains("ann"));
    }
}
