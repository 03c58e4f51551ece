#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The journal exports checked by the real accounting tools: `bean-check` (beancount 3) must
//! accept the beancount file, and `hledger` must read the journal and report the same balances
//! Tally computes. `.ci/install-export-tools` installs both; under `CI=true` a missing tool is a
//! failure, elsewhere the test says it is skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use tally_core::domain::{CategoryName, TransactionKind};
use tally_core::export::{Format, JournalOptions, Row, account_name, writer};
use tally_core::money::{Currency, Money};

fn tool(name: &str) -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../.ci/venv/bin")
        .join(name);
    if venv.exists() {
        return Some(venv);
    }
    let found = Command::new(name).arg("--version").output().ok()?;
    found.status.success().then(|| PathBuf::from(name))
}

fn require(name: &str) -> Option<PathBuf> {
    let found = tool(name);
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is required under CI=true: run .ci/install-export-tools"
        );
        eprintln!("skipped: {name} is not installed (run .ci/install-export-tools)");
    }
    found
}

fn rows() -> Vec<Row> {
    let entries: &[(&str, TransactionKind, &str, Currency, &str, &str)] = &[
        (
            "2026-11-01",
            TransactionKind::Income,
            "3200",
            Currency::USD,
            "salary",
            "November pay",
        ),
        (
            "2026-11-02",
            TransactionKind::Expense,
            "12.50",
            Currency::USD,
            "food",
            "lunch; with \"Bo\" \\ co",
        ),
        (
            "2026-11-02",
            TransactionKind::Expense,
            "0.99",
            Currency::USD,
            "food",
            "*coffee",
        ),
        (
            "2026-11-03",
            TransactionKind::Expense,
            "30",
            Currency::EUR,
            "personal_care",
            "haircut (Paris)",
        ),
        (
            "2026-11-04",
            TransactionKind::Expense,
            "1200",
            Currency::JPY,
            "transport",
            "",
        ),
        (
            "2026-11-05",
            TransactionKind::Expense,
            "1.250",
            Currency::KWD,
            "café",
            "ünïcödé ✓",
        ),
        (
            "2026-11-06",
            TransactionKind::Income,
            "45.10",
            Currency::EUR,
            "gifts",
            "from Oma",
        ),
    ];
    entries
        .iter()
        .map(|(date, kind, amount, currency, category, note)| Row {
            date: date.parse().unwrap(),
            kind: *kind,
            money: Money::parse(amount, *currency).unwrap(),
            category: CategoryName::parse(category).unwrap(),
            note: (*note).into(),
            author: "ann".into(),
            ledger: "Personal".into(),
        })
        .collect()
}

fn export(format: Format, rows: &[Row]) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    let options = JournalOptions {
        asset_account: "Assets:Cash".into(),
        open_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    };
    let mut w = writer(format, file.reopen().unwrap(), &[], &options).unwrap();
    for r in rows {
        w.write_row(r).unwrap();
    }
    w.finish().unwrap();
    file
}

#[test]
fn bean_check_accepts_the_beancount_export() {
    let Some(bean_check) = require("bean-check") else {
        return;
    };
    let file = export(Format::Beancount, &rows());
    let out = Command::new(bean_check).arg(file.path()).output().unwrap();
    assert!(
        out.status.success(),
        "bean-check refused the export:\n{}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(file.path()).unwrap()
    );
}

#[test]
fn hledger_reads_the_journal_with_tallys_balances() {
    let Some(hledger) = require("hledger") else {
        return;
    };
    let rows = rows();
    let file = export(Format::Ledger, &rows);
    let out = Command::new(hledger)
        .args(["-f"])
        .arg(file.path())
        .args(["balance", "--flat", "--no-total", "-O", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "hledger refused the journal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // What Tally holds, per account and currency, with the journal's signs.
    let mut expected: BTreeMap<(String, Currency), i128> = BTreeMap::new();
    for r in &rows {
        let minor = r.money.minor();
        let (category, asset) = match r.kind {
            TransactionKind::Expense => (minor, -minor),
            TransactionKind::Income => (-minor, minor),
        };
        *expected
            .entry((account_name(r.kind, &r.category), r.money.currency()))
            .or_default() += category;
        *expected
            .entry(("Assets:Cash".into(), r.money.currency()))
            .or_default() += asset;
    }
    for ((account, currency), minor) in expected {
        let amount = Money::from_minor(i64::try_from(minor).unwrap(), currency).unwrap();
        let want = format!("{} {}", amount.amount_string(), currency.code());
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("\"{account}\"")))
            .unwrap_or_else(|| panic!("no balance for {account} in:\n{text}"));
        assert!(
            line.contains(&want),
            "{account}: want {want}, hledger says {line}"
        );
    }
}
