//! Business operations over the database. Each takes the acting account and checks what it may see.
//!
//! Functions take `&mut AnyConnection` and do not open transactions themselves: the caller
//! (usually [`crate::db::Db::write`]) owns the transaction, so several steps commit together.

pub mod accounts;
pub mod analytics;
pub mod budgets;
pub mod categories;
pub mod charges;
pub mod charts;
pub mod credentials;
pub mod digests;
pub mod exports;
pub mod group_currency;
pub mod home_totals;
pub mod idempotency;
pub mod imports;
pub mod keywords;
pub mod ledgers;
pub mod linking;
pub mod llm;
pub mod membership;
pub mod outbox;
pub mod pending_links;
pub mod rates;
pub mod recurring;
pub mod reminders;
pub mod settings;
pub mod splits;
pub(crate) mod totals;
pub mod transactions;
pub mod unlinking;
pub mod updates;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::Connection as _;

use crate::db::AnyConnection;
use crate::error::Error;

pub(crate) fn ts(now: DateTime<Utc>) -> NaiveDateTime {
    now.naive_utc()
}

/// Runs an insert that may collide with a unique key inside a savepoint, so that on PostgreSQL a
/// collision does not abort the surrounding transaction. `Ok(None)` means "already there".
pub(crate) fn insert_unless_exists<T>(
    conn: &mut AnyConnection,
    insert: impl FnOnce(&mut AnyConnection) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    match conn.transaction(insert) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}
