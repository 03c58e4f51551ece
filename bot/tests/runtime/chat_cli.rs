#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End to end: a conversation piped into the `tally` binary, its replies, and the database after.

use std::io::Write;
use std::process::{Command, Stdio};

use tally_core::db::Db;
use tally_core::domain::Platform;
use tally_core::services::transactions::Filter;
use tally_core::services::{accounts, ledgers, transactions};

pub(crate) fn chat(db_url: &str, user: &str, lines: &[&str]) -> Vec<String> {
    chat_on(db_url, user, "2026-11-24", lines, 0)
}

/// Pipes `lines` into `tally chat` on `today`; `posted` blocks of recurring entries come first.
fn chat_on(db_url: &str, user: &str, today: &str, lines: &[&str], posted: usize) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(["chat", "--user", user, "--today", today])
        .env("TALLY_DATABASE_URL", db_url)
        .env("TALLY_RATES", "off")
        .env("TALLY_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tally starts");
    let mut stdin = child.stdin.take().unwrap();
    for l in lines {
        writeln!(stdin, "{l}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "tally chat failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let blocks: Vec<String> = stdout.trim_end().split("\n\n").map(str::to_owned).collect();
    assert_eq!(
        blocks.len(),
        lines.len() + posted,
        "one block per line:\n{stdout}"
    );
    blocks
}

#[test]
fn a_piped_conversation_records_summarises_and_undoes() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("e2e.db").display());
    let replies = chat(
        &url,
        "ann",
        &[
            "/spent 12 food lunch",
            "/earned 2500 salary october pay",
            "/spent 30 transport taxi home",
            "/summary",
            "/undo",
            "/recent",
            "/budget food 100",
            "/spent 75 food dinner",
            "/budgets",
            "/spent a lot on stuff",
        ],
    );
    assert!(
        replies[0].contains("Recorded expense: $12.00 · Food · today — lunch"),
        "{}",
        replies[0]
    );
    assert!(
        replies[0].contains("[#1 ↩ Undo]"),
        "buttons are listed: {}",
        replies[0]
    );
    assert!(replies[1].contains("+$2,500.00 · Salary"), "{}", replies[1]);
    assert!(replies[3].contains("Income: $2,500.00"), "{}", replies[3]);
    assert!(replies[3].contains("Expenses: $42.00"), "{}", replies[3]);
    assert!(replies[3].contains("Transport: $30.00"), "{}", replies[3]);
    assert!(
        replies[4].contains("Removed $30.00 · Transport"),
        "{}",
        replies[4]
    );
    assert!(replies[5].contains("Last 2 of 2"), "{}", replies[5]);
    assert!(
        replies[6].contains("Budget set: Food $100.00 a month"),
        "{}",
        replies[6]
    );
    assert!(
        replies[7].contains("Food budget at 87%"),
        "the alert comes with the entry: {}",
        replies[7]
    );
    assert!(replies[8].contains("$87.00 of $100.00"), "{}", replies[8]);
    assert!(
        replies[9].contains("/spent 12.50"),
        "a bad amount says what to type: {}",
        replies[9]
    );

    // The database holds exactly what the conversation says, and survives a second session.
    let more = chat(&url, "ann", &["/recent 10"]);
    assert!(more[0].contains("Last 3 of 3"), "{}", more[0]);
    let db = Db::connect(&url, 1).unwrap();
    let mut conn = db.checkout().unwrap();
    let ann = accounts::find_identity(&mut conn, Platform::Console, "ann")
        .unwrap()
        .unwrap();
    let ledger = ledgers::personal(&mut conn, ann.account).unwrap();
    let page =
        transactions::list(&mut conn, ann.account, ledger.id, &Filter::default(), 50, 0).unwrap();
    let amounts: Vec<String> = page.items.iter().map(|t| t.money.to_string()).collect();
    assert_eq!(amounts, ["$75.00", "$2,500.00", "$12.00"], "newest first");
}

#[test]
fn users_are_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("two.db").display());
    chat(&url, "ann", &["/spent 12 food lunch"]);
    let bob = chat(&url, "bob", &["/recent", "/undo"]);
    assert!(bob[0].contains("Nothing recorded yet"), "{}", bob[0]);
    assert!(bob[1].contains("nothing of yours to undo"), "{}", bob[1]);
}

#[test]
fn bad_configuration_is_explained_at_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(["chat"])
        .env("TALLY_DATABASE_URL", "mysql://nope")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TALLY_DATABASE_URL"), "{err}");
}

#[test]
fn recurring_entries_are_posted_when_the_console_opens() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("recurring.db").display());
    let replies = chat_on(
        &url,
        "ann",
        "2027-01-15",
        &["rent 1450 monthly on the 1st"],
        0,
    );
    assert!(replies[0].contains("Scheduled"), "{}", replies[0]);
    // Opened again in March, before anything is typed: February's and March's rent.
    let replies = chat_on(&url, "ann", "2027-03-02", &["/recurring"], 1);
    let posted = &replies[0];
    assert_eq!(
        posted.matches("Recorded as scheduled").count(),
        2,
        "{posted}"
    );
    assert!(
        posted.contains("Undo") && posted.contains("Skip next"),
        "{posted}"
    );
    assert!(replies[1].contains("next Thu Apr 1"), "{}", replies[1]);
    // Opened again the same day: nothing is posted twice.
    let replies = chat_on(&url, "ann", "2027-03-02", &["/recent"], 0);
    assert_eq!(replies[0].matches("$1,450.00").count(), 2, "{}", replies[0]);
}

fn export(db_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .arg("export")
        .args(args)
        .env("TALLY_DATABASE_URL", db_url)
        .env("TALLY_RATES", "off")
        .env("TALLY_LOG", "warn")
        .output()
        .expect("tally export runs")
}

#[test]
fn tally_export_writes_the_local_users_ledger_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("export.db").display());
    chat(
        &url,
        "ann",
        &["/spent 12 food lunch", "/earned 2500 salary october pay"],
    );
    chat(&url, "bob", &["/spent 99 food secret dinner"]);

    let out = export(&url, &["--user", "ann", "--format", "csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "date,kind,amount,currency,category,note,author,ledger"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines.contains(&"2026-11-24,expense,12.00,USD,food,lunch,ann,Personal"),
        "{csv}"
    );
    assert!(!csv.contains("secret"), "{csv}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("exported 2 entries"));

    let out = export(
        &url,
        &[
            "--user",
            "ann",
            "--format",
            "ledger",
            "--from",
            "2026-11-24",
            "--to",
            "2026-11-24",
            "--asset-account",
            "Assets:Bank:Checking",
        ],
    );
    assert!(out.status.success());
    let journal = String::from_utf8(out.stdout).unwrap();
    assert!(
        journal.contains("Assets:Bank:Checking  -12.00 USD"),
        "{journal}"
    );

    // Mistakes get a sentence that says what to do, and no output.
    for (args, says) in [
        (vec!["--user", "zed"], "tally chat --user zed"),
        (
            vec!["--user", "ann", "--format", "xls"],
            "use csv, json, beancount or ledger",
        ),
        (
            vec![
                "--user",
                "ann",
                "--from",
                "2026-12-01",
                "--to",
                "2026-11-01",
            ],
            "is after",
        ),
        (
            vec![
                "--user",
                "ann",
                "--format",
                "ledger",
                "--asset-account",
                "cash",
            ],
            "Assets:Cash",
        ),
    ] {
        let out = export(&url, &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// Runs `tally chat` on a fresh database with `input` and returns where the console said it
/// saved a file, with the directory it was told to save into (kept alive for the caller).
pub(crate) fn console_saved_file(input: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("console.db").display());
    let files = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(["chat", "--user", "ann", "--today", "2026-11-24"])
        .env("TALLY_DATABASE_URL", &url)
        .env("TALLY_RATES", "off")
        .env("TALLY_LOG", "warn")
        .env("TMPDIR", files.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tally starts");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{input}").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = stdout
        .lines()
        .find(|l| l.contains("saved to"))
        .unwrap_or_else(|| panic!("no saved file in:\n{stdout}"));
    let path = line
        .split("saved to ")
        .nth(1)
        .unwrap()
        .trim_end_matches(']')
        .to_owned();
    (files, path)
}

#[test]
fn a_chart_in_the_console_is_saved_as_a_file() {
    let (files, path) = console_saved_file("/spent 12 food lunch\n/chart");
    assert!(
        path.starts_with(&files.path().display().to_string()),
        "{path}"
    );
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG at {path}");
}
