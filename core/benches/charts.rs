#![allow(clippy::expect_used)]
//! Chart drawing speed: the PNG of each kind from a year of figures. Figures come totalled from
//! the database, so a chart of a 100,000-entry ledger costs what this does plus one summary.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tally_core::charts::{BarChart, Chart, PeriodChart, PeriodFigures, render_png};
use tally_core::money::{Currency, Money};

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

criterion_group!(benches, charts);
criterion_main!(benches);
