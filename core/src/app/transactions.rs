//! Transactions: list, record idempotently, read, edit (teaching keywords) and delete.

use crate::Tally;
use crate::db::AnyConnection;
use crate::domain::{AccountId, CategoryName, TransactionId, TransactionKind};
use crate::error::{Error, ErrorKind};
use crate::models::transaction::Transaction;
use crate::money::{Currency, Money};
use crate::services::transactions::{self, Filter, NewTransaction, Page, TransactionPatch};
use crate::services::{charges, idempotency, keywords};

use super::{AmountInput, resolve_ledger};

/// A recorded transaction and whether an earlier request with the same idempotency key recorded
/// it (then nothing new was recorded).
#[derive(Debug, Clone)]
pub struct Recorded {
    pub transaction: Transaction,
    pub replayed: bool,
}

/// Which fields of a transaction to change; `None` leaves one as it is.
#[derive(Debug, Default)]
pub struct TransactionEdit {
    pub kind: Option<TransactionKind>,
    /// Read in `currency` when given, else in the transaction's own currency.
    pub amount: Option<AmountInput>,
    /// A new currency alone keeps the figure: 12.50 USD becomes 12.50 EUR.
    pub currency: Option<Currency>,
    pub category: Option<CategoryName>,
    pub date: Option<chrono::NaiveDate>,
    pub note: Option<String>,
}

impl Tally {
    /// One page of the ledger's transactions (the personal ledger when `ledger` is `None`),
    /// newest first.
    pub async fn list_transactions(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        filter: Filter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Transaction>, Error> {
        self.db()
            .read(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                transactions::list(c, account, ledger, &filter, limit, offset)
            })
            .await
    }

    /// Records `new` in the ledger (the personal one when `ledger` is `None`). With a `key`, a
    /// retry records nothing and answers with what the first request recorded; a key whose
    /// transaction has since been deleted is a conflict.
    pub async fn record_transaction(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        new: NewTransaction,
        key: Option<String>,
    ) -> Result<Recorded, Error> {
        self.record_transaction_charged(account, ledger, new, key, None)
            .await
    }

    /// [`Tally::record_transaction`] with what a card really charged for an entry in another
    /// currency, committed with the entry (see [`charges`]).
    pub async fn record_transaction_charged(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        new: NewTransaction,
        key: Option<String>,
        charged: Option<Money>,
    ) -> Result<Recorded, Error> {
        let now = self.now();
        let write_key = key.clone();
        let written = self
            .db()
            .write(move |c| {
                if let Some(k) = &write_key
                    && let Some(earlier) = idempotency::find(c, account, k)?
                {
                    return Ok(Recorded {
                        transaction: replayed(c, account, earlier)?,
                        replayed: true,
                    });
                }
                let ledger = resolve_ledger(c, account, ledger)?;
                let tx = transactions::record(c, account, ledger, new, now)?;
                if let Some(charge) = charged {
                    charges::record(c, account, tx.id, charge)?;
                }
                if let Some(k) = &write_key {
                    idempotency::remember(c, account, k, tx.id, now)?;
                }
                Ok(Recorded {
                    transaction: tx,
                    replayed: false,
                })
            })
            .await;
        match (written, key) {
            (Ok(done), _) => Ok(done),
            // The same key arrived twice at once: the other request recorded it; answer with that.
            (Err(e), Some(k)) if e.is_unique_violation() => {
                let transaction = self
                    .db()
                    .read(move |c| {
                        let earlier = idempotency::find(c, account, &k)?
                            .ok_or_else(|| Error::Internal("idempotency key vanished".into()))?;
                        replayed(c, account, earlier)
                    })
                    .await?;
                Ok(Recorded {
                    transaction,
                    replayed: true,
                })
            }
            (Err(e), _) => Err(e),
        }
    }

    /// One transaction the account may see.
    pub async fn transaction(
        &self,
        account: AccountId,
        id: TransactionId,
    ) -> Result<Transaction, Error> {
        self.db()
            .read(move |c| transactions::get(c, account, id))
            .await
    }

    /// Changes the fields `edit` names. Moving a transaction to another category is a
    /// correction: the note's words mean that category for this account from now on.
    pub async fn edit_transaction(
        &self,
        account: AccountId,
        id: TransactionId,
        edit: TransactionEdit,
    ) -> Result<Transaction, Error> {
        let now = self.now();
        let learner = self.clone();
        self.db()
            .write(move |c| {
                let current = transactions::get(c, account, id)?;
                let money = match (edit.amount, edit.currency) {
                    (Some(a), cur) => {
                        Some(a.read(cur.unwrap_or(current.money.currency()), "amount")?)
                    }
                    (None, Some(cur)) => Some(
                        Money::parse(&current.money.amount_string(), cur).map_err(|_| {
                            Error::invalid(
                                "amount",
                                format!(
                                    "{} doesn't fit {cur}; send the amount too.",
                                    current.money.amount_string()
                                ),
                            )
                        })?,
                    ),
                    (None, None) => None,
                };
                let moved = edit
                    .category
                    .as_ref()
                    .is_some_and(|cat| *cat != current.category);
                let tx = transactions::edit(
                    c,
                    account,
                    id,
                    TransactionPatch {
                        kind: edit.kind,
                        money,
                        category: edit.category,
                        date: edit.date,
                        note: edit.note,
                    },
                    now,
                )?;
                if moved {
                    keywords::learn_from(c, learner.parser(), account, &tx, now)?;
                }
                Ok(tx)
            })
            .await
    }

    /// Deletes a transaction the account may change.
    pub async fn delete_transaction(
        &self,
        account: AccountId,
        id: TransactionId,
    ) -> Result<Transaction, Error> {
        let now = self.now();
        self.db()
            .write(move |c| transactions::delete(c, account, id, now))
            .await
    }
}

/// The transaction an idempotency key recorded; gone since, it is a conflict for the retry.
fn replayed(
    conn: &mut AnyConnection,
    account: AccountId,
    id: TransactionId,
) -> Result<Transaction, Error> {
    transactions::get(conn, account, id).map_err(|e| match e.kind() {
        ErrorKind::NotFound => Error::Conflict(
            "This Idempotency-Key was used for a transaction that has since been deleted.".into(),
        ),
        _ => e,
    })
}
