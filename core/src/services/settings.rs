//! Instance-wide settings kept in the database (so every instance shares them).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{insert_unless_exists, ts};
use crate::db::AnyConnection;
use crate::db::schema::settings;
use crate::error::Error;

pub fn get(conn: &mut AnyConnection, key: &str) -> Result<Option<String>, Error> {
    Ok(settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()?)
}

pub fn set(
    conn: &mut AnyConnection,
    key: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let n = diesel::update(settings::table.find(key))
        .set((settings::value.eq(value), settings::updated_at.eq(ts(now))))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(settings::table)
            .values((
                settings::key.eq(key),
                settings::value.eq(value),
                settings::updated_at.eq(ts(now)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The stored value, or `make()`'s stored the first time. When instances race, all of them end
/// up with the first value written.
pub fn get_or_init(
    conn: &mut AnyConnection,
    key: &str,
    make: impl FnOnce() -> String,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    if let Some(v) = get(conn, key)? {
        return Ok(v);
    }
    let value = make();
    insert_unless_exists(conn, |c| {
        diesel::insert_into(settings::table)
            .values((
                settings::key.eq(key),
                settings::value.eq(&value),
                settings::updated_at.eq(ts(now)),
            ))
            .execute(c)?;
        Ok(())
    })?;
    get(conn, key)?.ok_or_else(|| Error::Internal(format!("setting {key} missing after insert")))
}
