//! `Idempotency-Key`s: a retried request with the same key from the same account records once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::ts;
use crate::db::AnyConnection;
use crate::db::schema::idempotency_keys;
use crate::domain::{AccountId, TransactionId};
use crate::error::Error;

/// The transaction an earlier request with this key recorded, if any.
pub fn find(
    conn: &mut AnyConnection,
    account: AccountId,
    key: &str,
) -> Result<Option<TransactionId>, Error> {
    Ok(idempotency_keys::table
        .find((account.get(), key))
        .select(idempotency_keys::transaction_id)
        .first::<i64>(conn)
        .optional()?
        .map(TransactionId))
}

/// Remembers which transaction a key recorded. A concurrent request with the same key makes
/// this fail with a unique violation, rolling back that request's duplicate transaction.
pub fn remember(
    conn: &mut AnyConnection,
    account: AccountId,
    key: &str,
    transaction: TransactionId,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::account_id.eq(account.get()),
            idempotency_keys::key.eq(key),
            idempotency_keys::transaction_id.eq(transaction.get()),
            idempotency_keys::created_at.eq(ts(now)),
        ))
        .execute(conn)?;
    Ok(())
}
