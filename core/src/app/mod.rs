//! The application layer the adapters call: one unit of work per method, ledger checks inside.
//!
//! Each method on [`Tally`](crate::Tally) here runs in one [`Db::read`](crate::db::Db::read) or
//! [`Db::write`](crate::db::Db::write), so its steps commit together (the one exception: a
//! request that loses a race on its idempotency key reads the winner's transaction afterwards).
//! It takes the caller's account and, where a ledger is involved, an optional ledger selector
//! that it resolves and checks itself.
//! Adapters never see a connection: they extract their input, call one method, shape the answer.

pub mod accounts;
pub mod budgets;
pub mod categories;
pub mod imports;
pub mod jobs;
pub mod ledgers;
pub mod linking;
pub mod llm;
pub mod membership;
pub mod outbox;
pub mod recurring;
pub mod scheduled;
pub mod summaries;
pub mod transactions;

use crate::db::AnyConnection;
use crate::domain::{AccountId, LedgerId};
use crate::error::Error;
use crate::money::{Currency, Money};
use crate::services::ledgers as ledger_service;

/// The ledger a request names (`Some(id)`, checked against what the caller may see) or else the
/// caller's personal ledger. A ledger the caller may not see is "not found", never "forbidden".
pub(crate) fn resolve_ledger(
    conn: &mut AnyConnection,
    account: AccountId,
    requested: Option<i64>,
) -> Result<LedgerId, Error> {
    match requested {
        Some(id) => Ok(ledger_service::access(conn, account, LedgerId(id))?
            .ledger
            .id),
        None => Ok(ledger_service::personal(conn, account)?.id),
    }
}

/// An amount as the client sent it, read only once its currency is known (the ledger's, the
/// transaction's or the one asked for), which may take a database read. A shape the adapter
/// already refused travels as its error, so errors are reported in the same order as before:
/// access to the ledger first, then the amount.
#[derive(Debug)]
pub struct AmountInput(Result<String, Error>);

impl AmountInput {
    /// Decimal text such as `12.50`.
    pub fn text(text: impl Into<String>) -> AmountInput {
        AmountInput(Ok(text.into()))
    }

    /// Input the adapter could not read as an amount at all.
    pub fn refused(error: Error) -> AmountInput {
        AmountInput(Err(error))
    }

    /// The amount in `currency`; it must be more than zero. `field` names it in errors.
    pub fn read(self, currency: Currency, field: &'static str) -> Result<Money, Error> {
        let text = self.0?;
        let money = Money::parse(&text, currency).map_err(|e| Error::money(field, e))?;
        if money.minor() <= 0 {
            return Err(Error::invalid(
                field,
                format!("{field} must be more than zero."),
            ));
        }
        Ok(money)
    }
}

/// An amount that must be there: `None` is the "amount is required." error.
pub(crate) fn required_amount(
    amount: Option<AmountInput>,
    currency: Currency,
) -> Result<Money, Error> {
    match amount {
        Some(a) => a.read(currency, "amount"),
        None => Err(Error::invalid("amount", "amount is required.")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn amounts_are_read_exactly_in_their_currency_and_must_be_positive() {
        let usd = Currency::USD;
        let m = AmountInput::text("12.50").read(usd, "amount").expect("ok");
        assert_eq!((m.minor(), m.currency()), (1250, usd));
        for bad in ["0", "-5", "12.345", "abc"] {
            let e = AmountInput::text(bad)
                .read(usd, "amount")
                .expect_err("refused");
            assert_eq!(e.field(), Some("amount"), "{bad}");
        }
        let refused = AmountInput::refused(Error::invalid("limit", "no"));
        assert_eq!(
            refused.read(usd, "amount").expect_err("refused").field(),
            Some("limit")
        );
        assert_eq!(
            required_amount(None, usd)
                .expect_err("required")
                .to_string(),
            "amount is required."
        );
    }
}
