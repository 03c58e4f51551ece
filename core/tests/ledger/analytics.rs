#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Analytics on generated ledgers agree with a straightforward recomputation.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tally_core::domain::TransactionKind;
use tally_core::money::{Currency, Money};
use tally_core::period::{DateRange, Granularity};
use tally_core::services::analytics::{self, SavingsRate};
use tally_core::services::transactions::{self, TransactionPatch};
use tally_testkit::fixtures::*;

struct Generated {
    kind: TransactionKind,
    money: Money,
    category: &'static str,
    date: NaiveDate,
    deleted: bool,
}

fn generate(seed: u64, n: usize) -> Vec<Generated> {
    let mut rng = StdRng::seed_from_u64(seed);
    let start = day("2025-01-01");
    (0..n)
        .map(|_| {
            let income = rng.random_bool(0.2);
            let currency = if rng.random_bool(0.8) {
                Currency::USD
            } else {
                Currency::JPY
            };
            let minor = rng.random_range(1..=500_000);
            let (kind, category) = if income {
                (
                    TransactionKind::Income,
                    ["salary", "freelance", "refund"][rng.random_range(0..3)],
                )
            } else {
                (
                    TransactionKind::Expense,
                    ["food", "groceries", "transport", "travel"][rng.random_range(0..4)],
                )
            };
            Generated {
                kind,
                money: Money::from_minor(minor, currency).unwrap(),
                category,
                date: start + Days::new(rng.random_range(0..730)),
                deleted: false,
            }
        })
        .collect()
}

/// (income, expenses) per currency code over `range`, by plain iteration.
fn expected(txs: &[Generated], range: DateRange) -> BTreeMap<&'static str, (i128, i128)> {
    let mut out = BTreeMap::new();
    for t in txs.iter().filter(|t| range.contains(t.date)) {
        let e = out.entry(t.money.currency().code()).or_insert((0, 0));
        match t.kind {
            TransactionKind::Income => e.0 += t.money.minor(),
            TransactionKind::Expense => e.1 += t.money.minor(),
        }
    }
    out
}

#[test]
fn summaries_and_savings_match_a_recomputation() {
    for (i, t) in backends("analytics_generated").into_iter().enumerate() {
        let txs = generate(7 + i as u64, 400);
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            let mut ids = Vec::new();
            for g in &txs {
                ids.push(
                    record(
                        c,
                        a.id,
                        l,
                        g.kind,
                        g.money,
                        g.category,
                        &g.date.to_string(),
                        "",
                    )
                    .id,
                );
            }
            // Edits and deletes must keep the monthly totals right: move every 7th entry to
            // another month, amount and category, and delete every 11th.
            let mut rng = StdRng::seed_from_u64(99);
            let mut txs = txs;
            for (i, (g, id)) in txs.iter_mut().zip(&ids).enumerate() {
                if i % 7 == 0 {
                    let minor = rng.random_range(1..=300_000);
                    let date = day("2025-01-01") + Days::new(rng.random_range(0..730));
                    let category = match g.kind {
                        TransactionKind::Expense => "travel",
                        TransactionKind::Income => "refund",
                    };
                    let money = Money::from_minor(minor, g.money.currency()).unwrap();
                    transactions::edit(
                        c,
                        a.id,
                        *id,
                        TransactionPatch {
                            money: Some(money),
                            date: Some(date),
                            category: Some(cat(category)),
                            ..Default::default()
                        },
                        now(),
                    )?;
                    (g.money, g.date, g.category) = (money, date, category);
                }
                if i % 11 == 0 {
                    transactions::delete(c, a.id, *id, now())?;
                    g.deleted = true;
                }
            }
            let txs: Vec<Generated> = txs.into_iter().filter(|g| !g.deleted).collect();
            let whole = DateRange::new(day("2025-01-01"), day("2026-12-31"));
            for range in [
                whole,
                DateRange::month_of(day("2025-07-09")),
                DateRange::quarter_of(day("2026-02-01")),
                DateRange::new(day("2025-03-17"), day("2025-09-02")),
            ] {
                let s = analytics::summary(c, a.id, l, range)?;
                let want = expected(&txs, range);
                assert_eq!(s.currencies.len(), want.len());
                for cs in &s.currencies {
                    let (income, expenses) = want[cs.currency.code()];
                    assert_eq!(cs.income.minor(), income);
                    assert_eq!(cs.expenses.minor(), expenses);
                    assert_eq!(cs.net.minor(), income - expenses);
                    let by_cat: i128 = cs.by_category.iter().map(|x| x.total.minor()).sum();
                    assert_eq!(by_cat, income + expenses, "categories add up to the totals");
                }
            }
            // Months add up to quarters, quarters to years, and each bucket matches a recomputation.
            let months = analytics::savings(c, a.id, l, Granularity::Month, whole)?;
            let quarters = analytics::savings(c, a.id, l, Granularity::Quarter, whole)?;
            let years = analytics::savings(c, a.id, l, Granularity::Year, whole)?;
            assert_eq!((months.len(), quarters.len(), years.len()), (24, 8, 2));
            assert_eq!(months[21].label, "2026-10");
            assert_eq!(quarters[7].label, "2026-Q4");
            assert_eq!(years[1].label, "2026");
            for buckets in [&months, &quarters, &years] {
                for b in buckets.iter() {
                    let want = expected(&txs, b.range);
                    assert_eq!(b.figures.len(), want.len(), "{}", b.label);
                    for f in &b.figures {
                        let (income, expenses) = want[f.currency.code()];
                        assert_eq!(
                            (f.income.minor(), f.expenses.minor(), f.net.minor()),
                            (income, expenses, income - expenses)
                        );
                        assert_eq!(f.rate, SavingsRate::of(f.net, f.income));
                    }
                }
            }
            let sum = |buckets: &[analytics::SavingsPeriod],
                       range: DateRange,
                       code: &str|
             -> (i128, i128) {
                buckets
                    .iter()
                    .filter(|b| range.contains(b.range.from))
                    .flat_map(|b| b.figures.iter())
                    .filter(|f| f.currency.code() == code)
                    .fold((0, 0), |acc, f| {
                        (acc.0 + f.income.minor(), acc.1 + f.expenses.minor())
                    })
            };
            for y in &years {
                for code in ["USD", "JPY"] {
                    assert_eq!(sum(&months, y.range, code), sum(&quarters, y.range, code));
                    assert_eq!(
                        sum(&quarters, y.range, code),
                        sum(std::slice::from_ref(y), y.range, code)
                    );
                }
            }
            assert!(months.iter().all(|m| m.range.from.day() == 1));
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn savings_rates_round_explicitly() {
    let m = |s: &str| Money::parse(s, Currency::USD).unwrap();
    assert_eq!(
        SavingsRate::of(m("235"), m("1000")).unwrap().to_string(),
        "23.5%"
    );
    assert_eq!(
        SavingsRate::of(m("1"), m("3")).unwrap().to_string(),
        "33.3%"
    );
    assert_eq!(
        SavingsRate::of(m("2"), m("3")).unwrap().to_string(),
        "66.7%"
    );
    assert_eq!(
        SavingsRate::of(m("-50"), m("200")).unwrap().to_string(),
        "-25.0%"
    );
    assert_eq!(SavingsRate::of(m("10"), Money::zero(Currency::USD)), None);
}
