//! Tokens used per account and day, counted in the database against a daily allowance.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use tally_core::Error;
use tally_core::db::AnyConnection;
use tally_core::db::schema::llm_usage;
use tally_core::domain::AccountId;

/// Tokens the account has used on `day`.
pub fn used(conn: &mut AnyConnection, account: AccountId, day: NaiveDate) -> Result<i64, Error> {
    Ok(llm_usage::table
        .filter(llm_usage::account_id.eq(account.get()))
        .filter(llm_usage::day.eq(day))
        .select(llm_usage::tokens)
        .first::<i64>(conn)
        .optional()?
        .unwrap_or(0))
}

/// Adds `tokens` to the account's day, creating the row the first time. Safe when instances race:
/// the insert runs in a savepoint and a collision turns into the update.
pub fn add(
    conn: &mut AnyConnection,
    account: AccountId,
    day: NaiveDate,
    tokens: i64,
) -> Result<(), Error> {
    let tokens = tokens.max(0);
    let bump = |conn: &mut AnyConnection| -> Result<usize, Error> {
        Ok(diesel::update(
            llm_usage::table
                .filter(llm_usage::account_id.eq(account.get()))
                .filter(llm_usage::day.eq(day)),
        )
        .set(llm_usage::tokens.eq(llm_usage::tokens + tokens))
        .execute(conn)?)
    };
    if bump(conn)? > 0 {
        return Ok(());
    }
    let inserted = conn.transaction(|c| {
        diesel::insert_into(llm_usage::table)
            .values((
                llm_usage::account_id.eq(account.get()),
                llm_usage::day.eq(day),
                llm_usage::tokens.eq(tokens),
            ))
            .execute(c)
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            bump(conn).map(|_| ())
        }
        Err(e) => Err(e.into()),
    }
}
