#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Two processes on one SQLite file (here: two independent pools) write without "database busy".

use tally_core::db::Db;
use tally_core::domain::TransactionKind;
use tally_core::services::transactions::{self, Filter};
use tally_testkit::db::TestDb;
use tally_testkit::fixtures::*;

#[test]
fn independent_writers_wait_for_each_other_instead_of_failing() {
    let t = TestDb::sqlite();
    let (account, ledger) = with(&t, |c| {
        let a = account(c, "Ann");
        Ok((a.id, personal(c, &a)))
    })
    .unwrap();
    // Each pool has its own in-process write lock, as separate `tally` processes would.
    let writers: Vec<_> = (0..2)
        .map(|_| {
            let db = Db::connect(&t.url, 4).unwrap();
            std::thread::spawn(move || {
                for i in 0..150 {
                    // Read, then write, in one transaction: the pattern that a deferred SQLite
                    // transaction cannot upgrade while the other process holds the lock.
                    db.write_blocking(|c| {
                        transactions::list(c, account, ledger, &Filter::default(), 1, 0)?;
                        record(
                            c,
                            account,
                            ledger,
                            TransactionKind::Expense,
                            usd(&format!("{}", i + 1)),
                            "food",
                            "2026-11-24",
                            "",
                        );
                        Ok(())
                    })
                    .unwrap_or_else(|e| panic!("write {i} failed: {e}"));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer thread");
    }
    let total = with(&t, |c| {
        transactions::list(c, account, ledger, &Filter::default(), 1, 0)
    })
    .unwrap()
    .total;
    assert_eq!(total, 300);
}
