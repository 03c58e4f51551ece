#![allow(clippy::expect_used)]
//! Chart drawing speed: the PNG of each kind from a year of figures, and a whole chart (the
//! figures gathered from a 100,000-entry SQLite ledger, then drawn) as the chat answers it.

use std::hint::black_box;

use chrono::{DateTime, Days, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use diesel::RunQueryDsl;
use tally_core::charts::{BarChart, Chart, PeriodChart, PeriodFigures, render_png};
use tally_core::domain::{AccountId, LedgerId};
use tally_core::money::{Currency, Money};
use tally_core::services::accounts::{self, AccountDefaults};
use tally_core::services::charts::{ChartKind, ChartRequest, Charted, build};
use tally_core::services::{categories, ledgers};
use tally_testkit::db::TestDb;

const LEDGER_SIZE: usize = 100_000;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
        .map_or_else(|_| Utc::now(), |d| d.with_timezone(&Utc))
}

/// A personal ledger with `n` entries over three years, inserted a thousand rows at a time.
fn big_ledger(t: &TestDb, n: usize) -> (AccountId, LedgerId) {
    let (account, ledger) =
        t.db.write_blocking(|c| {
            let a = accounts::create(c, "Bench", AccountDefaults::default(), now())?;
            let l = ledgers::personal(c, a.id)?;
            Ok((a.id, l.id))
        })
        .expect("set-up");
    let cats: Vec<_> =
        t.db.write_blocking(|c| categories::list(c, account, ledger, false))
            .expect("categories");
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let ts = now().naive_utc().format("%Y-%m-%d %H:%M:%S");
    let mut conn = t.db.checkout().expect("connection");
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let rows: Vec<String> = chunk
            .iter()
            .map(|&k| {
                let c = &cats[k % cats.len()];
                format!(
                    "({}, {}, '{}', {}, 'USD', {}, '{}', 'bench', 'console', '{ts}', '{ts}')",
                    ledger.get(),
                    account.get(),
                    c.kind.as_str(),
                    100 + (k * 37 % 50_000),
                    c.id.get(),
                    start + Days::new((k * 7 % 1059) as u64),
                )
            })
            .collect();
        diesel::sql_query(format!(
            "INSERT INTO transactions (ledger_id, author_account_id, kind, amount_minor, currency, \
             category_id, occurred_on, note, source_platform, created_at, updated_at) VALUES {}",
            rows.join(",")
        ))
        .execute(&mut *conn)
        .expect("insert");
    }
    (account, ledger)
}

fn from_ledger(c: &mut Criterion) {
    let t = TestDb::sqlite();
    let (account, ledger) = big_ledger(&t, LEDGER_SIZE);
    let today = now().date_naive();
    let mut group = c.benchmark_group("chart_100k_ledger");
    group.sample_size(20);
    for kind in [ChartKind::Categories, ChartKind::Monthly] {
        let request = ChartRequest::new(kind.clone());
        group.bench_function(format!("{kind}_png"), |b| {
            b.iter(|| {
                let built =
                    t.db.write_blocking(|conn| build(conn, account, ledger, &request, today))
                        .expect("built");
                match built {
                    Charted::Chart(b) => render_png(&b.chart).expect("drawn"),
                    Charted::NoData(s) => panic!("no data: {s}"),
                }
            })
        });
    }
    group.finish();
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD).expect("in range")
}

fn charts(c: &mut Criterion) {
    let categories = Chart::Bars(BarChart {
        title: "Spending by category, November 2026".into(),
        currency: Currency::USD,
        items: (0..18)
            .map(|i| (format!("category {i}"), usd(10_000 + i * 7_919)))
            .collect(),
    });
    let monthly = Chart::Periods(PeriodChart {
        title: "Income and expenses, last 12 months".into(),
        currency: Currency::USD,
        periods: (0..12)
            .map(|m| PeriodFigures {
                label: format!("M{m}"),
                income: usd(320_000),
                expenses: usd(240_000 + m * 17_300),
            })
            .collect(),
    });
    c.bench_function("chart_categories_png", |b| {
        b.iter(|| render_png(black_box(&categories)))
    });
    c.bench_function("chart_monthly_png", |b| {
        b.iter(|| render_png(black_box(&monthly)))
    });
}

criterion_group!(benches, charts, from_ledger);
criterion_main!(benches);
