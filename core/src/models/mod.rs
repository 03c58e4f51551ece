//! Row types: one module per table, converting between stored text and domain values.

pub mod account;
pub mod budget;
pub mod category;
pub mod ledger;
pub mod split;
pub mod transaction;

use crate::error::Error;

/// Reads a stored enum value; a bad value means the database was edited by hand.
pub(crate) fn stored<T: std::str::FromStr>(column: &'static str, value: &str) -> Result<T, Error> {
    value
        .parse()
        .map_err(|_| Error::Internal(format!("unexpected value in {column}: {value:?}")))
}
