//! What a card really charged for an entry in another currency ("paid 52.28 CHF, card charged
//! 55.41 EUR"): kept beside the entry, which keeps its own amount and currency forever.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{ledgers, transactions};
use crate::db::AnyConnection;
use crate::db::schema::transaction_charges;
use crate::domain::{AccountId, LedgerId, TransactionId};
use crate::error::Error;
use crate::money::{Currency, Money};

/// Records (or replaces) the charge of an entry the actor may change.
pub fn record(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: TransactionId,
    charged: Money,
) -> Result<(), Error> {
    let tx = transactions::get(conn, actor, id)?;
    ledgers::access_to_write(conn, actor, tx.ledger)?;
    if charged.currency() == tx.money.currency() {
        return Err(Error::invalid(
            "charged",
            format!(
                "The card charge is in {} like the entry itself; record just the amount charged.",
                charged.currency().code()
            ),
        ));
    }
    if charged.minor() <= 0 {
        return Err(Error::invalid(
            "charged",
            "The amount charged must be more than zero.",
        ));
    }
    let minor = charged
        .stored_minor()
        .map_err(|e| Error::money("charged", e))?;
    diesel::delete(transaction_charges::table.find(id.get())).execute(conn)?;
    diesel::insert_into(transaction_charges::table)
        .values((
            transaction_charges::transaction_id.eq(id.get()),
            transaction_charges::amount_minor.eq(minor),
            transaction_charges::currency.eq(charged.currency().code()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The charges of these entries of `ledger`, by entry id. The caller has checked access.
pub fn of(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    ids: &[i64],
) -> Result<HashMap<i64, Money>, Error> {
    use crate::db::schema::transactions as t;
    let rows: Vec<(i64, i64, String)> = transaction_charges::table
        .inner_join(t::table)
        .filter(t::ledger_id.eq(ledger.get()))
        .filter(transaction_charges::transaction_id.eq_any(ids))
        .select((
            transaction_charges::transaction_id,
            transaction_charges::amount_minor,
            transaction_charges::currency,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, minor, code)| {
            let currency = Currency::parse(&code).map_err(|e| Error::Internal(e.to_string()))?;
            Ok((id, Money::total(i128::from(minor), currency)))
        })
        .collect()
}
