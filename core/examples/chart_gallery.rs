//! Writes the README's example charts (`docs/charts/*.png`) from a generated ledger.
//!
//! `cargo run -p tally-core --example chart_gallery -- docs/charts`

use std::path::PathBuf;

use chrono::{DateTime, Days, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tally_core::charts::render_png;
use tally_core::domain::{CategoryName, Platform, TransactionKind};
use tally_core::money::{Currency, Money};
use tally_core::period::BudgetPeriod;
use tally_core::services::accounts::{self, AccountDefaults};
use tally_core::services::charts::{ChartKind, ChartRequest, Charted, build};
use tally_core::services::transactions::{self, NewTransaction, Source};
use tally_core::services::{budgets, ledgers};
use tally_testkit::db::TestDb;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "docs/charts".into()),
    );
    std::fs::create_dir_all(&out)?;
    let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse()?;
    let today = now.date_naive();
    let db = TestDb::sqlite();
    let mut rng = StdRng::seed_from_u64(17);
    let made = db.db.write_blocking(|c| {
        let ann = accounts::create(c, "Ann", AccountDefaults::default(), now)?;
        let ledger = ledgers::personal(c, ann.id)?.id;
        let spend = |c: &mut tally_core::db::AnyConnection,
                     kind: TransactionKind,
                     minor: i64,
                     category: &str,
                     date: NaiveDate| {
            transactions::record(
                c,
                ann.id,
                ledger,
                NewTransaction {
                    kind,
                    money: Money::from_minor(minor, Currency::USD)
                        .map_err(|e| tally_core::Error::Internal(e.to_string()))?,
                    category: CategoryName::parse(category)
                        .map_err(|e| tally_core::Error::Internal(e.to_string()))?,
                    date,
                    note: String::new(),
                    source: Source {
                        platform: Platform::Console,
                        reference: None,
                    },
                },
                now,
            )
            .map(drop)
        };
        let start = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap_or(today);
        let mut day = start;
        while day <= today {
            for (category, chance, low, high) in [
                ("groceries", 0.35, 1_500, 9_000),
                ("food", 0.45, 800, 3_500),
                ("transport", 0.25, 250, 2_500),
                ("shopping", 0.08, 2_000, 15_000),
                ("entertainment", 0.06, 1_000, 6_000),
                ("health", 0.03, 2_000, 12_000),
            ] {
                if rng.random_bool(chance) {
                    spend(
                        c,
                        TransactionKind::Expense,
                        rng.random_range(low..high),
                        category,
                        day,
                    )?;
                }
            }
            if day.format("%d").to_string() == "01" {
                spend(c, TransactionKind::Expense, 145_000, "housing", day)?;
                spend(
                    c,
                    TransactionKind::Income,
                    rng.random_range(380_000..420_000),
                    "salary",
                    day,
                )?;
            }
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        }
        budgets::set(
            c,
            ann.id,
            ledger,
            &CategoryName::parse("food").map_err(|e| tally_core::Error::Internal(e.to_string()))?,
            Money::from_minor(35_000, Currency::USD)
                .map_err(|e| tally_core::Error::Internal(e.to_string()))?,
            BudgetPeriod::Month,
            now,
        )?;
        let food =
            CategoryName::parse("food").map_err(|e| tally_core::Error::Internal(e.to_string()))?;
        let mut charts = Vec::new();
        for (name, kind) in [
            ("categories", ChartKind::Categories),
            ("monthly", ChartKind::Monthly),
            ("category", ChartKind::Category(food.clone())),
            ("budget", ChartKind::Budget(Some(food.clone()))),
        ] {
            if let Charted::Chart(b) = build(c, ann.id, ledger, &ChartRequest::new(kind), today)? {
                charts.push((name, b));
            }
        }
        Ok(charts)
    })?;
    for (name, built) in made {
        let path = out.join(format!("{name}.png"));
        std::fs::write(&path, render_png(&built.chart)?)?;
        println!("{}", path.display());
    }
    Ok(())
}
