#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Exports through the service: every live entry once, oldest first, across batches, within the
//! range asked, totals that match the summary, and only for members.

use chrono::{Days, NaiveDate};
use tally_core::ErrorKind;
use tally_core::domain::{Platform, Role, TransactionKind};
use tally_core::export::{Format, JournalOptions};
use tally_core::money::{Currency, Money};
use tally_core::period::DateRange;
use tally_core::services::exports::{self, BATCH, Request};
use tally_core::services::{analytics, ledgers, membership, transactions};
use tally_testkit::fixtures::*;

fn request(ledger: tally_core::domain::LedgerId, format: Format) -> Request {
    Request {
        ledger,
        format,
        from: None,
        to: None,
        journal: JournalOptions::default(),
    }
}

/// Amounts that vary with `i`, so a lost or doubled row changes the total.
fn amount(i: u64) -> Money {
    Money::from_minor(100 + (i as i64 * 37) % 9_000, Currency::USD).unwrap()
}

#[test]
fn a_ledger_larger_than_a_batch_streams_out_whole_and_in_order() {
    let n = (BATCH as u64) * 2 + 345;
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    for t in backends("exports_batches") {
        with(&t, |c| {
            let ann = account(c, "Ann");
            let own = personal(c, &ann);
            let mut expected_minor: i128 = 0;
            for i in 0..n {
                // Many entries share a date, so the keyset must order by id within a day.
                let date = first.checked_add_days(Days::new(i / 7)).unwrap();
                let kind = if i % 10 == 0 {
                    TransactionKind::Income
                } else {
                    TransactionKind::Expense
                };
                let tx = record(
                    c,
                    ann.id,
                    own,
                    kind,
                    amount(i),
                    if kind == TransactionKind::Income {
                        "salary"
                    } else {
                        "food"
                    },
                    &date.to_string(),
                    &format!("entry {i}"),
                );
                if i == 5 {
                    transactions::delete(c, ann.id, tx.id, now())?;
                } else {
                    let sign = if kind == TransactionKind::Income {
                        1
                    } else {
                        -1
                    };
                    expected_minor += sign * amount(i).minor();
                }
            }
            let mut out = Vec::new();
            let written = exports::stream(c, ann.id, &request(own, Format::Csv), &mut out)?;
            assert_eq!(written, n - 1, "the deleted entry is left out");
            let mut reader = csv::Reader::from_reader(out.as_slice());
            assert_eq!(
                reader.headers().unwrap().iter().collect::<Vec<_>>(),
                [
                    "date", "kind", "amount", "currency", "category", "note", "author", "ledger"
                ]
            );
            let mut seen = std::collections::HashSet::new();
            let mut last_date = String::new();
            let mut net: i128 = 0;
            for record in reader.records() {
                let r = record.unwrap();
                assert!(r[0] >= *last_date, "oldest first");
                last_date = r[0].to_owned();
                assert!(seen.insert(r[5].to_owned()), "{} twice", &r[5]);
                let money = Money::parse(&r[2], Currency::USD).unwrap();
                net += if &r[1] == "income" { 1 } else { -1 } * money.minor();
                assert_eq!(&r[6], "Ann");
            }
            assert_eq!(seen.len() as u64, n - 1);
            assert!(!seen.contains("entry 5"));
            assert_eq!(net, expected_minor);

            // The same net as the summary of the whole range.
            let last = first.checked_add_days(Days::new(n / 7)).unwrap();
            let summary = analytics::summary(
                c,
                ann.id,
                own,
                DateRange {
                    from: first,
                    to: last,
                },
            )?;
            assert_eq!(summary.currencies[0].net.minor(), net);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_range_keeps_only_its_days_and_the_journals_open_accounts_in_time() {
    for t in backends("exports_range") {
        with(&t, |c| {
            let ann = account(c, "Ann");
            let own = personal(c, &ann);
            spend(c, ann.id, own, "10", "food", "1990-05-01");
            spend(c, ann.id, own, "20", "food", "2026-10-31");
            spend(c, ann.id, own, "30", "transport", "2026-11-01");
            spend(c, ann.id, own, "40", "food", "2026-11-30");
            spend(c, ann.id, own, "50", "food", "2026-12-01");
            let mut req = request(own, Format::JsonLines);
            req.from = Some(day("2026-11-01"));
            req.to = Some(day("2026-11-30"));
            let mut out = Vec::new();
            assert_eq!(exports::stream(c, ann.id, &req, &mut out)?, 2);
            let amounts: Vec<String> = String::from_utf8(out)
                .unwrap()
                .lines()
                .map(|l| {
                    let v: serde_json::Value = serde_json::from_str(l).unwrap();
                    v["amount"].as_str().unwrap().to_owned()
                })
                .collect();
            assert_eq!(amounts, ["30.00", "40.00"]);
            assert_eq!(
                exports::file_name("Personal", &req),
                "tally-personal-2026-11-01-2026-11-30.jsonl"
            );

            // An entry older than the journal's default opening date moves the opening back, so
            // the journal never uses an account before it is opened.
            let mut out = Vec::new();
            exports::stream(c, ann.id, &request(own, Format::Beancount), &mut out)?;
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("1990-05-01 open Expenses:Food"), "{text}");
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn only_members_export_a_group_and_a_member_who_left_cannot() {
    for t in backends("exports_scope") {
        with(&t, |c| {
            let ann = tally_core::services::accounts::resolve_identity(
                c,
                Platform::Telegram,
                "1",
                "Ann",
                Default::default(),
                now(),
            )?;
            let bob = tally_core::services::accounts::resolve_identity(
                c,
                Platform::Telegram,
                "2",
                "Bob",
                Default::default(),
                now(),
            )?;
            let olga = account(c, "Olga");
            let g = ledgers::open_group(c, Platform::Telegram, "-9", "Trip", Currency::USD, now())?;
            ledgers::join(c, g.id, ann.id, "Ann", Some(Role::Admin), now())?;
            ledgers::join(c, g.id, bob.id, "Bob", Some(Role::Member), now())?;
            spend(c, ann.id, g.id, "10", "food", "2026-11-20");
            spend(c, bob.id, g.id, "5", "food", "2026-11-21");
            let refused = |c: &mut tally_core::db::AnyConnection, who| {
                let mut out = Vec::new();
                let e = exports::stream(c, who, &request(g.id, Format::Csv), &mut out).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::NotFound);
                assert!(out.is_empty(), "nothing written before the refusal");
            };
            refused(c, olga.id);
            // Olga's own ledger is not a way in either.
            let mut out = Vec::new();
            let hers = personal(c, &olga);
            assert_eq!(
                exports::stream(c, olga.id, &request(hers, Format::Csv), &mut out)?,
                0
            );

            let mut out = Vec::new();
            assert_eq!(
                exports::stream(c, bob.id, &request(g.id, Format::Csv), &mut out)?,
                2
            );
            let text = String::from_utf8(out).unwrap();
            assert!(
                text.contains(",Ann,Trip") && text.contains(",Bob,Trip"),
                "{text}"
            );

            membership::record(
                c,
                Platform::Telegram,
                "-9",
                "2",
                membership::Standing::Gone,
                now(),
            )?;
            refused(c, bob.id);
            Ok(())
        })
        .unwrap();
    }
}
