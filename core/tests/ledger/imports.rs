#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Importing bank CSV files: several banks' shapes, categories, duplicates, the round trip
//! from Tally's own export, and a bad line that writes nothing.

use std::sync::Arc;

use tally_core::clock::ManualClock;
use tally_core::domain::{AccountId, LedgerId, Platform, TransactionKind};
use tally_core::export::{Format, JournalOptions};
use tally_core::models::transaction::Transaction;
use tally_core::money::{Currency, Money};
use tally_core::services::exports::{self, Request};
use tally_core::services::imports::Report;
use tally_core::services::keywords;
use tally_core::services::transactions::{self, Filter};
use tally_core::{Error, Settings, Tally};
use tally_testkit::db::TestDb;
use tally_testkit::fixtures::*;

/// A US bank: a header, a signed amount with a decimal point and thousands commas.
const US: &str = "Date,Description,Amount,Balance\n\
11/02/2026,UBER TRIP HELP.UBER.COM,-23.40,976.60\n\
11/03/2026,PIZZA HUT 1234,-12.50,964.10\n\
11/05/2026,ACME PAYROLL SALARY,\"3,200.00\",4164.10\n\
11/20/2026,ZORBLAX WIDGETS,-7.00,4157.10\n";

/// A German bank: `;`, day-first dotted dates, decimal commas, a currency column.
const EU: &str = "Buchungstag;Verwendungszweck;Betrag;Währung\n\
03.11.2026;Pizzeria Roma;-1.234,50;EUR\n\
04.11.2026;Gehalt;2.500,00;EUR\n";

/// A UK bank: money out and money in in two columns.
const DEBIT_CREDIT: &str = "Date,Description,Paid out,Paid in,Balance\n\
2026-11-03,Coffee beans,3.50,,996.50\n\
2026-11-03,Coffee beans,3.50,,993.00\n\
2026-11-04,Refund,,20.00,1013.00\n";

/// No header at all: tab separated, the columns found by their cells.
const NO_HEADER: &str = "2026-11-06\tBus ticket\t-2.80\n2026-11-07\tPizza\t-9.90\n";

struct Rig {
    tally: Tally,
    db: TestDb,
}

impl Rig {
    fn new(t: TestDb) -> Rig {
        let tally = Tally::builder(t.db.clone(), Settings::default())
            .clock(Arc::new(ManualClock::new(now())))
            .build();
        Rig { tally, db: t }
    }

    fn person(&self, name: &str) -> (AccountId, LedgerId) {
        let name = name.to_owned();
        with(&self.db, move |c| {
            let a = account(c, &name);
            Ok((a.id, personal(c, &a)))
        })
        .unwrap()
    }

    async fn import(&self, who: AccountId, file: &str, dry_run: bool) -> Result<Report, Error> {
        self.tally
            .import_file(
                who,
                None,
                file.as_bytes().to_vec(),
                dry_run,
                Platform::Console,
            )
            .await
    }

    fn entries(&self, who: AccountId, ledger: LedgerId) -> Vec<Transaction> {
        let mut items = self
            .db
            .db
            .write_blocking(move |c| transactions::list(c, who, ledger, &Filter::default(), 500, 0))
            .unwrap()
            .items;
        items.sort_by(|a, b| (a.date, &a.note).cmp(&(b.date, &b.note)));
        items
    }
}

fn money(s: &str, c: Currency) -> Money {
    Money::parse(s, c).unwrap()
}

#[tokio::test]
async fn bank_files_in_several_shapes_import_exactly() {
    for t in backends("import_shapes") {
        let rig = Rig::new(t);
        let (ann, ledger) = rig.person("ann");

        // The dry run previews and writes nothing.
        let preview = rig.import(ann, US, true).await.unwrap();
        assert!(!preview.written);
        assert_eq!((preview.rows, preview.added, preview.duplicates), (4, 4, 0));
        assert_eq!(preview.from, Some(day("2026-11-02")));
        assert_eq!(preview.to, Some(day("2026-11-20")));
        assert!(preview.columns.header);
        assert_eq!(preview.columns.note, Some(1));
        assert_eq!(preview.sample.len(), 4);
        assert_eq!(preview.to_other, 1, "{:?}", preview.sample);
        assert!(rig.entries(ann, ledger).is_empty());

        let done = rig.import(ann, US, false).await.unwrap();
        assert!(done.written);
        assert_eq!(done.added, 4);
        let e = rig.entries(ann, ledger);
        assert_eq!(e.len(), 4);
        assert_eq!(e[0].money, usd("23.40"));
        assert_eq!(e[0].kind, TransactionKind::Expense);
        assert_eq!(e[0].category.as_str(), "transport");
        assert_eq!(e[1].category.as_str(), "food");
        assert_eq!(e[2].kind, TransactionKind::Income);
        assert_eq!(e[2].money, usd("3200"));
        assert_eq!(e[2].category.as_str(), "salary");
        assert_eq!(e[3].category.as_str(), "other");
        assert_eq!(e[3].source_platform, Platform::Console);

        let (bea, bea_ledger) = rig.person("bea");
        let done = rig.import(bea, EU, false).await.unwrap();
        assert_eq!(done.columns.separator, ";");
        assert_eq!(done.columns.decimal_mark, ",");
        let e = rig.entries(bea, bea_ledger);
        assert_eq!(e[0].money, money("1234.50", Currency::EUR));
        assert_eq!(e[0].date, day("2026-11-03"));
        assert_eq!(e[1].money, money("2500", Currency::EUR));
        assert_eq!(e[1].kind, TransactionKind::Income);

        let (cy, cy_ledger) = rig.person("cy");
        rig.import(cy, DEBIT_CREDIT, false).await.unwrap();
        rig.import(cy, NO_HEADER, false).await.unwrap();
        let e = rig.entries(cy, cy_ledger);
        // Two identical coffees in one file are two coffees.
        let coffees = e.iter().filter(|t| t.note == "Coffee beans").count();
        assert_eq!(coffees, 2);
        let refund = e.iter().find(|t| t.note == "Refund").unwrap();
        assert_eq!(refund.kind, TransactionKind::Income);
        assert_eq!(refund.money, usd("20"));
        let bus = e.iter().find(|t| t.note == "Bus ticket").unwrap();
        assert_eq!(bus.money, usd("2.80"));
        assert_eq!(bus.date, day("2026-11-06"));
        assert_eq!(e.len(), 5);
    }
}

#[tokio::test]
async fn importing_again_adds_nothing_and_learned_words_pick_categories() {
    for t in backends("import_duplicates") {
        let rig = Rig::new(t);
        let (ann, ledger) = rig.person("ann");
        with(&rig.db, move |c| {
            keywords::teach(
                c,
                ann,
                &["zorblax".to_owned()],
                TransactionKind::Expense,
                &cat("shopping"),
                now(),
            )
        })
        .unwrap();
        let first = rig.import(ann, DEBIT_CREDIT, false).await.unwrap();
        assert_eq!(first.added, 3);
        let again = rig.import(ann, DEBIT_CREDIT, true).await.unwrap();
        assert_eq!((again.added, again.duplicates), (0, 3));
        assert!(again.sample.iter().all(|p| p.duplicate));
        let again = rig.import(ann, DEBIT_CREDIT, false).await.unwrap();
        assert_eq!((again.added, again.duplicates), (0, 3));
        assert_eq!(rig.entries(ann, ledger).len(), 3);

        // The person's own word places a row the lexicon cannot.
        let done = rig.import(ann, US, false).await.unwrap();
        assert_eq!(done.to_other, 0);
        let e = rig.entries(ann, ledger);
        let zorblax = e.iter().find(|t| t.note.starts_with("ZORBLAX")).unwrap();
        assert_eq!(zorblax.category.as_str(), "shopping");
    }
}

#[tokio::test]
async fn a_bad_line_fails_the_whole_file_and_writes_nothing() {
    for t in backends("import_bad_line") {
        let rig = Rig::new(t);
        let (ann, ledger) = rig.person("ann");
        let bad =
            "date,note,amount\n2026-11-03,ok,1.00\n2026-11-04,fine,2.00\n2026-11-05,bad,twelve\n";
        let err = rig.import(ann, bad, false).await.unwrap_err();
        assert_eq!(err.to_string(), "line 4: \"twelve\" is not an amount");
        assert!(rig.entries(ann, ledger).is_empty());
        let err = rig.import(ann, "", false).await.unwrap_err();
        assert!(err.to_string().contains("no rows"), "{err}");
        let err = rig
            .import(ann, "just some words\n", false)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("columns"), "{err}");
    }
}

#[tokio::test]
async fn tallys_own_export_round_trips() {
    for t in backends("import_round_trip") {
        let rig = Rig::new(t);
        let (ann, ledger) = rig.person("ann");
        with(&rig.db, move |c| {
            record(
                c,
                ann,
                ledger,
                TransactionKind::Expense,
                usd("12.50"),
                "food",
                "2026-11-03",
                "lunch, with \"Bo\"",
            );
            record(
                c,
                ann,
                ledger,
                TransactionKind::Expense,
                usd("12.50"),
                "food",
                "2026-11-03",
                "lunch, with \"Bo\"",
            );
            record(
                c,
                ann,
                ledger,
                TransactionKind::Income,
                usd("3200"),
                "salary",
                "2026-11-01",
                "=cmd",
            );
            record(
                c,
                ann,
                ledger,
                TransactionKind::Expense,
                money("9.99", Currency::EUR),
                "shopping",
                "2026-10-30",
                "",
            );
            Ok(())
        })
        .unwrap();
        let csv = rig
            .db
            .db
            .write_blocking(move |c| {
                let mut out = Vec::new();
                let request = Request {
                    ledger,
                    format: Format::Csv,
                    from: None,
                    to: None,
                    journal: JournalOptions::default(),
                };
                exports::stream(c, ann, &request, &mut out)?;
                Ok(out)
            })
            .unwrap();
        let csv = String::from_utf8(csv).unwrap();

        // Into the same ledger: everything is there already.
        let same = rig.import(ann, &csv, false).await.unwrap();
        assert_eq!((same.added, same.duplicates), (0, 4));

        // Into someone else's: the same entries.
        let (bob, bob_ledger) = rig.person("bob");
        let done = rig.import(bob, &csv, false).await.unwrap();
        assert_eq!(done.added, 4);
        let key = |t: &Transaction| (t.date, t.kind, t.money, t.category.clone(), t.note.clone());
        let original: Vec<_> = rig.entries(ann, ledger).iter().map(key).collect();
        let copied: Vec<_> = rig.entries(bob, bob_ledger).iter().map(key).collect();
        assert_eq!(original, copied);
    }
}
