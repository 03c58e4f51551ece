#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Each chart kind built from generated ledgers: the right bars and sums, and never anyone
//! else's figures.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tally_core::ErrorKind;
use tally_core::charts::{Chart, render_png};
use tally_core::domain::{AccountId, LedgerId, Platform, Role, TransactionKind};
use tally_core::money::{Currency, Money};
use tally_core::period::{BudgetPeriod, DateRange, Granularity};
use tally_core::services::charts::{BuiltChart, ChartKind, ChartRequest, Charted, build};
use tally_core::services::{budgets, ledgers};
use tally_testkit::fixtures::*;

fn today() -> NaiveDate {
    day("2026-11-24")
}

const CATEGORIES: [&str; 5] = ["food", "groceries", "transport", "travel", "shopping"];

/// An entry as generated: what `build` should find again.
struct Entry {
    kind: TransactionKind,
    money: Money,
    category: &'static str,
    date: NaiveDate,
}

/// `n` entries over the 14 months up to today, mostly USD, some JPY (never charted in a USD
/// ledger), a fifth of them income.
fn generate(seed: u64, n: usize) -> Vec<Entry> {
    let mut rng = StdRng::seed_from_u64(seed);
    let start = day("2025-10-01");
    let days = (today() - start).num_days() as u64;
    (0..n)
        .map(|_| {
            let income = rng.random_bool(0.2);
            let currency = if rng.random_bool(0.85) {
                Currency::USD
            } else {
                Currency::JPY
            };
            let money = Money::from_minor(rng.random_range(100..=90_000), currency).unwrap();
            let (kind, category) = if income {
                (TransactionKind::Income, "salary")
            } else {
                (
                    TransactionKind::Expense,
                    CATEGORIES[rng.random_range(0..CATEGORIES.len())],
                )
            };
            Entry {
                kind,
                money,
                category,
                date: start + Days::new(rng.random_range(0..=days)),
            }
        })
        .collect()
}

fn put(c: &mut tally_core::db::AnyConnection, who: AccountId, ledger: LedgerId, entries: &[Entry]) {
    for e in entries {
        record(
            c,
            who,
            ledger,
            e.kind,
            e.money,
            e.category,
            &e.date.to_string(),
            "",
        );
    }
}

fn chart(charted: Charted) -> BuiltChart {
    match charted {
        Charted::Chart(b) => b,
        Charted::NoData(s) => panic!("expected a chart, got: {s}"),
    }
}

fn usd_minor(entries: &[Entry], f: impl Fn(&Entry) -> bool) -> i128 {
    entries
        .iter()
        .filter(|e| e.money.currency() == Currency::USD && f(e))
        .map(|e| e.money.minor())
        .sum()
}

#[test]
fn spending_by_category_has_a_bar_per_category_with_its_sum() {
    for (i, t) in backends("charts_categories").into_iter().enumerate() {
        let mine = generate(11 + i as u64, 300);
        let theirs = generate(99, 300);
        with(&t, |c| {
            let ann = account(c, "Ann");
            let bob = account(c, "Bob");
            let (la, lb) = (personal(c, &ann), personal(c, &bob));
            put(c, ann.id, la, &mine);
            // Bob spends in a category Ann never uses: it must not show up in her chart.
            put(c, bob.id, lb, &theirs);
            spend(c, bob.id, lb, "999", "gifts", "2026-11-02");
            let month = DateRange::month_of(today());
            let built = chart(build(
                c,
                ann.id,
                la,
                &ChartRequest::new(ChartKind::Categories),
                today(),
            )?);
            assert_eq!(built.range, month, "this month by default");
            assert_eq!(built.currency, Currency::USD);
            let Chart::Bars(bars) = &built.chart else {
                panic!("a bar chart")
            };
            let mut expected: BTreeMap<String, i128> = BTreeMap::new();
            for e in mine.iter().filter(|e| {
                e.kind == TransactionKind::Expense
                    && e.money.currency() == Currency::USD
                    && month.contains(e.date)
            }) {
                *expected.entry(cat(e.category).label()).or_default() += e.money.minor();
            }
            let got: BTreeMap<String, i128> = bars
                .items
                .iter()
                .map(|(l, m)| (l.clone(), m.minor()))
                .collect();
            assert_eq!(got, expected);
            assert!(!got.contains_key("Gifts"));
            let jpy_this_month = mine
                .iter()
                .any(|e| e.money.currency() == Currency::JPY && month.contains(e.date));
            assert_eq!(built.others.contains(&Currency::JPY), jpy_this_month);
            // A longer period is asked for like the summary's.
            let year = DateRange::year_of(today());
            let built = chart(build(
                c,
                ann.id,
                la,
                &ChartRequest {
                    range: Some(year),
                    ..ChartRequest::new(ChartKind::Categories)
                },
                today(),
            )?);
            let Chart::Bars(bars) = &built.chart else {
                panic!("a bar chart")
            };
            let total: i128 = bars.items.iter().map(|(_, m)| m.minor()).sum();
            assert_eq!(
                total,
                usd_minor(&mine, |e| e.kind == TransactionKind::Expense
                    && year.contains(e.date))
            );
            let png =
                render_png(&built.chart).map_err(|e| tally_core::Error::Internal(e.to_string()))?;
            assert!(png.starts_with(b"\x89PNG"));
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn monthly_has_twelve_months_of_income_and_expenses() {
    for (i, t) in backends("charts_monthly").into_iter().enumerate() {
        let mine = generate(21 + i as u64, 400);
        with(&t, |c| {
            let ann = account(c, "Ann");
            let la = personal(c, &ann);
            put(c, ann.id, la, &mine);
            let built = chart(build(
                c,
                ann.id,
                la,
                &ChartRequest::new(ChartKind::Monthly),
                today(),
            )?);
            let Chart::Periods(p) = &built.chart else {
                panic!("a period chart")
            };
            assert_eq!(p.periods.len(), 12);
            assert_eq!(p.periods[0].label, "2025-12");
            assert_eq!(p.periods[11].label, "2026-11");
            for f in &p.periods {
                let (y, m) = (
                    f.label[..4].parse::<i32>().unwrap(),
                    f.label[5..].parse::<u32>().unwrap(),
                );
                let in_month = |e: &Entry| e.date.year() == y && e.date.month() == m;
                assert_eq!(
                    f.income.minor(),
                    usd_minor(&mine, |e| e.kind == TransactionKind::Income && in_month(e)),
                    "{}",
                    f.label
                );
                assert_eq!(
                    f.expenses.minor(),
                    usd_minor(&mine, |e| e.kind == TransactionKind::Expense && in_month(e)),
                    "{}",
                    f.label
                );
            }
            let quarterly = chart(build(
                c,
                ann.id,
                la,
                &ChartRequest {
                    granularity: Granularity::Quarter,
                    ..ChartRequest::new(ChartKind::Monthly)
                },
                today(),
            )?);
            let Chart::Periods(q) = &quarterly.chart else {
                panic!("a period chart")
            };
            assert_eq!(q.periods.len(), 8);
            assert_eq!(q.periods[7].label, "2026-Q4");
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn one_category_per_month_with_its_budget() {
    for (i, t) in backends("charts_category").into_iter().enumerate() {
        let mine = generate(31 + i as u64, 300);
        with(&t, |c| {
            let ann = account(c, "Ann");
            let la = personal(c, &ann);
            put(c, ann.id, la, &mine);
            budgets::set(
                c,
                ann.id,
                la,
                &cat("food"),
                usd("300"),
                BudgetPeriod::Month,
                now(),
            )?;
            let built = chart(build(
                c,
                ann.id,
                la,
                &ChartRequest::new(ChartKind::Category(cat("food"))),
                today(),
            )?);
            let Chart::Series(s) = &built.chart else {
                panic!("a series chart")
            };
            assert_eq!(s.points.len(), 12);
            assert_eq!(s.budget, Some(usd("300")));
            let total: i128 = s.points.iter().map(|p| p.1.minor()).sum();
            let range = DateRange::new(day("2025-12-01"), day("2026-11-30"));
            assert_eq!(
                total,
                usd_minor(&mine, |e| e.category == "food" && range.contains(e.date))
            );
            // A weekly budget is drawn as its monthly equivalent.
            budgets::remove(c, ann.id, la, &cat("food"), None)?;
            budgets::set(
                c,
                ann.id,
                la,
                &cat("food"),
                usd("60"),
                BudgetPeriod::Week,
                now(),
            )?;
            let built = chart(build(
                c,
                ann.id,
                la,
                &ChartRequest::new(ChartKind::Category(cat("food"))),
                today(),
            )?);
            let Chart::Series(s) = &built.chart else {
                panic!("a series chart")
            };
            assert_eq!(s.budget, Some(usd("260")));
            // An unknown category is the user's mistake, and says which there are.
            let err = build(
                c,
                ann.id,
                la,
                &ChartRequest::new(ChartKind::Category(cat("unicorns"))),
                today(),
            )
            .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Invalid);
            assert!(
                err.user_message().contains("Food"),
                "{}",
                err.user_message()
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_budget_burns_down_day_by_day() {
    for t in backends("charts_budget") {
        with(&t, |c| {
            let ann = account(c, "Ann");
            let la = personal(c, &ann);
            assert!(matches!(
                build(
                    c,
                    ann.id,
                    la,
                    &ChartRequest::new(ChartKind::Budget(None)),
                    today()
                )?,
                Charted::NoData(_)
            ));
            budgets::set(
                c,
                ann.id,
                la,
                &cat("food"),
                usd("400"),
                BudgetPeriod::Month,
                now(),
            )?;
            budgets::set(
                c,
                ann.id,
                la,
                &cat("travel"),
                usd("1000"),
                BudgetPeriod::Month,
                now(),
            )?;
            spend(c, ann.id, la, "100", "food", "2026-11-03");
            spend(c, ann.id, la, "50.50", "food", "2026-11-03");
            spend(c, ann.id, la, "20", "food", "2026-11-20");
            spend(c, ann.id, la, "77", "food", "2026-10-30");
            spend(c, ann.id, la, "90", "travel", "2026-11-10");
            // Fullest first: food is at 42%, travel at 9%.
            let built = chart(build(
                c,
                ann.id,
                la,
                &ChartRequest::new(ChartKind::Budget(None)),
                today(),
            )?);
            let Chart::BurnDown(b) = &built.chart else {
                panic!("a burn-down chart")
            };
            assert!(built.title.starts_with("Food"), "{}", built.title);
            assert_eq!(b.days_total, 30);
            assert_eq!(b.limit, usd("400"));
            assert_eq!(b.spent_by_day.len(), 24, "day 1 to today");
            assert_eq!(b.spent_by_day[1], usd("0"));
            assert_eq!(b.spent_by_day[2], usd("150.50"));
            assert_eq!(b.spent_by_day[23], usd("170.50"));
            assert!(
                b.spent_by_day
                    .windows(2)
                    .all(|w| w[0].minor() <= w[1].minor())
            );
            let travel = chart(build(
                c,
                ann.id,
                la,
                &ChartRequest::new(ChartKind::Budget(Some(cat("travel")))),
                today(),
            )?);
            let Chart::BurnDown(b) = &travel.chart else {
                panic!("a burn-down chart")
            };
            assert_eq!(b.spent_by_day.last(), Some(&usd("90")));
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn members_chart_is_per_group_and_only_its_own() {
    for t in backends("charts_members") {
        with(&t, |c| {
            let ann = account(c, "Ann");
            let bob = account(c, "Bob");
            let olga = account(c, "Olga");
            let g = ledgers::open_group(c, Platform::Telegram, "-5", "Flat", Currency::USD, now())?;
            ledgers::join(c, g.id, ann.id, "Ann", Some(Role::Admin), now())?;
            ledgers::join(c, g.id, bob.id, "Bob", Some(Role::Member), now())?;
            let other =
                ledgers::open_group(c, Platform::Telegram, "-6", "Trip", Currency::USD, now())?;
            ledgers::join(c, other.id, olga.id, "Olga", Some(Role::Admin), now())?;
            ledgers::join(c, other.id, ann.id, "Ann", Some(Role::Member), now())?;
            spend(c, ann.id, g.id, "30", "groceries", "2026-11-21");
            spend(c, ann.id, g.id, "12.25", "food", "2026-11-22");
            spend(c, bob.id, g.id, "80", "groceries", "2026-11-10");
            spend(c, olga.id, other.id, "500", "travel", "2026-11-11");
            spend(c, ann.id, other.id, "45", "travel", "2026-11-11");
            // Ann's personal spending is not the group's either.
            let la = personal(c, &ann);
            spend(c, ann.id, la, "1000", "shopping", "2026-11-12");
            let built = chart(build(
                c,
                bob.id,
                g.id,
                &ChartRequest::new(ChartKind::Members),
                today(),
            )?);
            let Chart::Bars(bars) = &built.chart else {
                panic!("a bar chart")
            };
            let mut got: Vec<(String, Money)> = bars.items.clone();
            got.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(
                got,
                vec![
                    ("Ann".to_owned(), usd("42.25")),
                    ("Bob".to_owned(), usd("80"))
                ]
            );
            // The categories chart of the group holds only the group's entries.
            let built = chart(build(
                c,
                bob.id,
                g.id,
                &ChartRequest::new(ChartKind::Categories),
                today(),
            )?);
            let Chart::Bars(bars) = &built.chart else {
                panic!("a bar chart")
            };
            let total: i128 = bars.items.iter().map(|(_, m)| m.minor()).sum();
            assert_eq!(total, usd("122.25").minor());
            // Bob is not in the other group: nothing of it, not even whether it exists.
            for kind in [
                ChartKind::Members,
                ChartKind::Categories,
                ChartKind::Monthly,
                ChartKind::Budget(None),
                ChartKind::Category(cat("travel")),
            ] {
                let err = build(
                    c,
                    bob.id,
                    other.id,
                    &ChartRequest::new(kind.clone()),
                    today(),
                )
                .unwrap_err();
                assert_eq!(err.kind(), ErrorKind::NotFound, "{kind}");
                let err =
                    build(c, bob.id, la, &ChartRequest::new(kind.clone()), today()).unwrap_err();
                assert_eq!(
                    err.kind(),
                    ErrorKind::NotFound,
                    "{kind} of Ann's own ledger"
                );
            }
            // A personal ledger has no members to chart.
            let err = build(
                c,
                ann.id,
                la,
                &ChartRequest::new(ChartKind::Members),
                today(),
            )
            .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Invalid);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn nothing_to_chart_is_said_in_words() {
    for t in backends("charts_empty") {
        with(&t, |c| {
            let ann = account(c, "Ann");
            let la = personal(c, &ann);
            for kind in [
                ChartKind::Categories,
                ChartKind::Monthly,
                ChartKind::Category(cat("food")),
            ] {
                assert!(
                    matches!(
                        build(c, ann.id, la, &ChartRequest::new(kind.clone()), today())?,
                        Charted::NoData(_)
                    ),
                    "{kind}"
                );
            }
            // Only yen spent: nothing in dollars to draw, and the answer says where the figures are.
            record(
                c,
                ann.id,
                la,
                TransactionKind::Expense,
                Money::from_minor(5000, Currency::JPY).unwrap(),
                "food",
                "2026-11-20",
                "",
            );
            match build(
                c,
                ann.id,
                la,
                &ChartRequest::new(ChartKind::Categories),
                today(),
            )? {
                Charted::NoData(s) => assert!(s.contains("JPY"), "{s}"),
                Charted::Chart(_) => panic!("no dollars to chart"),
            }
            Ok(())
        })
        .unwrap();
    }
}
