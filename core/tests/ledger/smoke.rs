#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The smallest round trip: an entry recorded and listed on every backend.

use tally_core::services::transactions;
use tally_testkit::fixtures::*;

#[test]
fn records_and_lists_on_every_backend() {
    for t in backends("smoke") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            let tx = spend(c, a.id, l, "12.50", "food", "2026-11-20");
            assert_eq!(tx.money.minor(), 1250);
            let page = transactions::list(c, a.id, l, &Default::default(), 10, 0)?;
            assert_eq!(page.total, 1);
            Ok(())
        })
        .expect("ok");
    }
}
