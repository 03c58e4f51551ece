//! Storage speed: recording one by one, and summary / monthly analytics over 100,000 transactions,
//! on SQLite and (when `TALLY_TEST_POSTGRES_URL` is set) PostgreSQL.

use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use diesel::RunQueryDsl;
use tally_core::domain::{AccountId, CategoryName, LedgerId, Platform, TransactionKind};
use tally_core::money::{Currency, Money};
use tally_core::period::{DateRange, Granularity};
use tally_core::services::accounts::{self, AccountDefaults};
use tally_core::services::transactions::{NewTransaction, Source};
use tally_core::services::{analytics, categories, ledgers, transactions};
use tally_testkit::db::TestDb;

const LEDGER_SIZE: usize = 100_000;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
        .map_or_else(|_| Utc::now(), |d| d.with_timezone(&Utc))
}

fn backends() -> Vec<(&'static str, TestDb)> {
    let mut v = vec![("sqlite", TestDb::sqlite())];
    if let Some(pg) = TestDb::postgres("bench") {
        v.push(("postgres", pg));
    }
    v
}

fn setup_account(t: &TestDb) -> (AccountId, LedgerId) {
    t.db.write_blocking(|c| {
        let a = accounts::create(c, "Bench", AccountDefaults::default(), now())?;
        let l = ledgers::personal(c, a.id)?;
        Ok((a.id, l.id))
    })
    .unwrap_or_else(|e| panic!("setup: {e}"))
}

/// Fills a ledger with `n` transactions over three years, in multi-row inserts (fast set-up).
fn fill(t: &TestDb, account: AccountId, ledger: LedgerId, n: usize) {
    let cats: Vec<(i64, TransactionKind)> =
        t.db.write_blocking(|c| categories::list(c, account, ledger, false))
            .unwrap_or_else(|e| panic!("categories: {e}"))
            .into_iter()
            .map(|c| (c.id.get(), c.kind))
            .collect();
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let ts = now().naive_utc().format("%Y-%m-%d %H:%M:%S");
    let mut conn = t.db.checkout().unwrap_or_else(|e| panic!("checkout: {e}"));
    let mut i = 0usize;
    while i < n {
        let mut sql = String::from(
            "INSERT INTO transactions (ledger_id, author_account_id, kind, amount_minor, currency, \
             category_id, occurred_on, note, source_platform, created_at, updated_at) VALUES ",
        );
        for j in 0..1000.min(n - i) {
            let k = i + j;
            let (cat, kind) = cats[k % cats.len()];
            let date = start + Days::new((k * 7 % 1095) as u64);
            if j > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "({}, {}, '{}', {}, 'USD', {cat}, '{date}', 'bench', 'console', '{ts}', '{ts}')",
                ledger.get(),
                account.get(),
                kind.as_str(),
                100 + (k * 37 % 50_000)
            ));
        }
        diesel::sql_query(sql)
            .execute(&mut *conn)
            .unwrap_or_else(|e| panic!("fill: {e}"));
        i += 1000;
    }
    if let tally_core::db::AnyConnection::Postgresql(pg) = &mut *conn {
        let _ = diesel::sql_query("ANALYZE transactions").execute(pg);
    }
}

fn record_one_by_one(c: &mut Criterion) {
    let mut group = c.benchmark_group("record");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));
    for (name, t) in backends() {
        let (account, ledger) = setup_account(&t);
        let food = CategoryName::parse("food").unwrap_or_else(|_| CategoryName::other());
        let money =
            Money::parse("12.50", Currency::USD).unwrap_or_else(|_| Money::zero(Currency::USD));
        group.bench_function(BenchmarkId::new("one_transaction", name), |b| {
            b.iter(|| {
                t.db.write_blocking(|c| {
                    transactions::record(
                        c,
                        account,
                        ledger,
                        NewTransaction {
                            kind: TransactionKind::Expense,
                            money,
                            category: food.clone(),
                            date: now().date_naive(),
                            note: "lunch".into(),
                            source: Source {
                                platform: Platform::Console,
                                reference: None,
                            },
                        },
                        now(),
                    )
                })
                .unwrap_or_else(|e| panic!("record: {e}"))
            })
        });
    }
    group.finish();
}

fn reports_on_a_large_ledger(c: &mut Criterion) {
    let mut group = c.benchmark_group("ledger_100k");
    group.sample_size(20);
    for (name, t) in backends() {
        let (account, ledger) = setup_account(&t);
        fill(&t, account, ledger, LEDGER_SIZE);
        let year = DateRange::year_of(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default());
        let all = DateRange::new(
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default(),
        );
        group.bench_function(BenchmarkId::new("summary_year", name), |b| {
            b.iter(|| {
                t.db.write_blocking(|c| analytics::summary(c, account, ledger, year))
                    .unwrap_or_else(|e| panic!("summary: {e}"))
            })
        });
        group.bench_function(BenchmarkId::new("summary_all", name), |b| {
            b.iter(|| {
                t.db.write_blocking(|c| analytics::summary(c, account, ledger, all))
                    .unwrap_or_else(|e| panic!("summary: {e}"))
            })
        });
        group.bench_function(BenchmarkId::new("savings_monthly_all", name), |b| {
            b.iter(|| {
                t.db.write_blocking(|c| {
                    analytics::savings(c, account, ledger, Granularity::Month, all)
                })
                .unwrap_or_else(|e| panic!("savings: {e}"))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, record_one_by_one, reports_on_a_large_ledger);
criterion_main!(benches);
