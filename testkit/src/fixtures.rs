//! Shared fixtures for tests that work through core's services: a fixed clock, amounts,
//! categories, accounts and entries, on every backend.

use chrono::{DateTime, NaiveDate, Utc};
use tally_core::db::AnyConnection;
use tally_core::domain::{AccountId, CategoryName, LedgerId, Platform, TransactionKind};
use tally_core::models::account::Account;
use tally_core::money::{Currency, Money};
use tally_core::services::accounts::{self, AccountDefaults};
use tally_core::services::ledgers;
use tally_core::services::transactions::{self, NewTransaction, Source};

pub use crate::db::{TestDb, backends};

/// The tests' "now": 2026-11-24, noon UTC.
pub fn now() -> DateTime<Utc> {
    "2026-11-24T12:00:00Z".parse().expect("instant")
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

pub fn usd(s: &str) -> Money {
    Money::parse(s, Currency::USD).expect("amount")
}

pub fn cat(s: &str) -> CategoryName {
    CategoryName::parse(s).expect("category")
}

/// Runs `f` in one write transaction on this test database.
pub fn with<T>(
    t: &TestDb,
    f: impl FnOnce(&mut AnyConnection) -> tally_core::Result<T>,
) -> tally_core::Result<T> {
    t.db.write_blocking(f)
}

pub fn account(conn: &mut AnyConnection, name: &str) -> Account {
    accounts::create(conn, name, AccountDefaults::default(), now()).expect("account")
}

pub fn personal(conn: &mut AnyConnection, a: &Account) -> LedgerId {
    ledgers::personal(conn, a.id).expect("personal ledger").id
}

pub fn spend(
    conn: &mut AnyConnection,
    who: AccountId,
    ledger: LedgerId,
    amount: &str,
    category: &str,
    date: &str,
) -> tally_core::models::transaction::Transaction {
    record(
        conn,
        who,
        ledger,
        TransactionKind::Expense,
        usd(amount),
        category,
        date,
        "",
    )
}

#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &mut AnyConnection,
    who: AccountId,
    ledger: LedgerId,
    kind: TransactionKind,
    money: Money,
    category: &str,
    date: &str,
    note: &str,
) -> tally_core::models::transaction::Transaction {
    transactions::record(
        conn,
        who,
        ledger,
        NewTransaction {
            kind,
            money,
            category: cat(category),
            date: day(date),
            note: note.to_owned(),
            source: Source {
                platform: Platform::Console,
                reference: None,
            },
        },
        now(),
    )
    .expect("record")
}
