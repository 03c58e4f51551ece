//! Processed platform updates: platforms deliver at least once, we record at most once.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::ts;
use crate::db::AnyConnection;
use crate::db::schema::processed_updates;
use crate::domain::Platform;
use crate::error::Error;

/// Claims an update inside the caller's transaction. `false` means it was handled before: the
/// caller must do nothing and send nothing. Because the claim commits with the update's effects,
/// a crash in between leaves neither, and the redelivery is handled afresh.
///
/// The insert itself tells a repeat apart (a unique violation, inside a savepoint), so no
/// lookup comes first: callers on the hot path have usually just checked [`seen`].
pub fn claim(
    conn: &mut AnyConnection,
    platform: Platform,
    update_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let inserted = super::insert_unless_exists(conn, |c| {
        diesel::insert_into(processed_updates::table)
            .values((
                processed_updates::platform.eq(platform.as_str()),
                processed_updates::update_id.eq(update_id),
                processed_updates::processed_at.eq(ts(now)),
            ))
            .execute(c)?;
        Ok(())
    })?;
    Ok(inserted.is_some())
}

pub fn seen(conn: &mut AnyConnection, platform: Platform, update_id: &str) -> Result<bool, Error> {
    let n: i64 = processed_updates::table
        .filter(processed_updates::platform.eq(platform.as_str()))
        .filter(processed_updates::update_id.eq(update_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Forgets claims older than `keep` (platforms stop redelivering after a day or so).
pub fn prune(conn: &mut AnyConnection, now: DateTime<Utc>, keep: Duration) -> Result<usize, Error> {
    Ok(diesel::delete(
        processed_updates::table.filter(processed_updates::processed_at.lt(ts(now - keep))),
    )
    .execute(conn)?)
}
