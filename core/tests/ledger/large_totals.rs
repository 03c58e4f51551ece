#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Finding 6 of the security review: huge entries must not disable a ledger's summaries.
//!
//! Single amounts keep their bound (a trillion); totals of them are exact in 128 bits.

use std::sync::Arc;

use tally_core::clock::ManualClock;
use tally_core::conversation::{Chat, Content, Incoming, Sender};
use tally_core::domain::{ChatKind, Platform, TransactionKind};
use tally_core::money::{Currency, Money};
use tally_core::period::{BudgetPeriod, DateRange, Granularity};
use tally_core::services::{accounts, analytics, budgets, ledgers};
use tally_core::{Settings, Tally};
use tally_testkit::fixtures::*;

const BIG: &str = "999999999999.99";
const BIGGEST: &str = "1000000000000.00";

#[test]
fn summaries_savings_and_budgets_add_up_entries_at_the_bound() {
    for t in backends("large_totals") {
        with(&t, |c| {
            let a = account(c, "ann");
            let l = personal(c, &a);
            budgets::set(
                c,
                a.id,
                l,
                &cat("housing"),
                usd("100"),
                BudgetPeriod::Month,
                now(),
            )?;
            record(
                c,
                a.id,
                l,
                TransactionKind::Expense,
                usd(BIG),
                "housing",
                "2026-11-03",
                "",
            );
            record(
                c,
                a.id,
                l,
                TransactionKind::Expense,
                usd(BIGGEST),
                "housing",
                "2026-11-04",
                "",
            );
            // Fifty more of the largest on one day: the day's SQL sum is split, not overflowed.
            for _ in 0..50 {
                record(
                    c,
                    a.id,
                    l,
                    TransactionKind::Expense,
                    usd(BIGGEST),
                    "housing",
                    "2026-11-05",
                    "",
                );
            }
            record(
                c,
                a.id,
                l,
                TransactionKind::Income,
                usd(BIGGEST),
                "salary",
                "2026-11-05",
                "",
            );
            let expected: i128 = 99_999_999_999_999 + 51 * 100_000_000_000_000;
            let income: i128 = 100_000_000_000_000;

            let november = DateRange::new(day("2026-11-01"), day("2026-11-30"));
            let s = analytics::summary(c, a.id, l, november)?;
            let usd_figures = &s.currencies[0];
            assert_eq!(usd_figures.expenses.minor(), expected);
            assert_eq!(usd_figures.income.minor(), income);
            assert_eq!(usd_figures.net.minor(), income - expected);
            assert_eq!(usd_figures.by_category[0].total.minor(), expected);
            assert_eq!(usd_figures.expenses.to_string(), "$51,999,999,999,999.99");

            // A range of whole months comes from the trigger-kept month totals.
            let autumn = DateRange::new(day("2026-10-01"), day("2026-11-30"));
            let s = analytics::summary(c, a.id, l, autumn)?;
            assert_eq!(s.currencies[0].expenses.minor(), expected);

            let saved = analytics::savings(c, a.id, l, Granularity::Month, autumn)?;
            let nov = saved
                .iter()
                .find(|p| p.range.from == day("2026-11-01"))
                .unwrap();
            assert_eq!(nov.figures[0].expenses.minor(), expected);
            assert_eq!(nov.figures[0].net.minor(), income - expected);

            let status = budgets::status(c, a.id, l, day("2026-11-20"))?;
            assert_eq!(status[0].spent.minor(), expected);
            assert!(status[0].percent > 100);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_single_amount_keeps_its_bound() {
    assert!(Money::parse(BIGGEST, Currency::USD).is_ok());
    assert!(Money::parse("1000000000000.01", Currency::USD).is_err());
    let total = Money::total(i128::from(i64::MAX) * 4, Currency::USD);
    assert!(
        total.stored_minor().is_err(),
        "a total is never stored as one amount"
    );
}

#[tokio::test]
async fn summary_and_savings_commands_answer_with_huge_entries_in_a_group() {
    for t in backends("large_totals_chat") {
        let clock = Arc::new(ManualClock::new(now()));
        let tally = Tally::builder(t.db.clone(), Settings::default())
            .clock(clock)
            .build();
        let mut n = 0;
        let mut say = |user: &str, text: &str| {
            n += 1;
            Incoming {
                platform: Platform::Telegram,
                update_id: format!("u{n}"),
                sender: Sender {
                    id: user.to_owned(),
                    display_name: user.to_owned(),
                    role: None,
                },
                chat: Chat {
                    kind: ChatKind::Group,
                    id: "flat".into(),
                    title: Some("Flat".into()),
                },
                content: Content::from_text(text),
                at: now(),
                message_ref: Some(n.to_string()),
                mentions: Default::default(),
            }
        };
        // Everyone writes once, then mallory's huge entries go in through the service (the
        // API's path); the chat parser's own amount limits are not what this test is about.
        for who in ["mallory", "ann"] {
            let reply = tally
                .handle(say(who, "/spent 12.50 lunch"))
                .await
                .unwrap()
                .reply();
            let text = reply.expect("a reply").plain();
            assert!(text.contains("12.50"), "{text}");
        }
        t.db.write(|c| {
            let group = ledgers::find_group(c, Platform::Telegram, "flat")?.expect("group ledger");
            let mallory = accounts::find_identity(c, Platform::Telegram, "mallory")?
                .expect("mallory")
                .account;
            for amount in [BIG, BIGGEST] {
                record(
                    c,
                    mallory,
                    group.id,
                    TransactionKind::Expense,
                    usd(amount),
                    "housing",
                    "2026-11-20",
                    "",
                );
            }
            Ok(())
        })
        .await
        .unwrap();
        for command in ["/summary", "/savings"] {
            let reply = tally
                .handle(say("ann", command))
                .await
                .unwrap()
                .reply()
                .expect("a reply")
                .plain();
            assert!(!reply.contains("too large"), "{command}: {reply}");
            if command == "/summary" {
                assert!(reply.contains("2,000,000,000,024.99"), "{command}: {reply}");
            }
        }
    }
}
