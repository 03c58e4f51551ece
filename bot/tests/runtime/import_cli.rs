#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `tally import`: a bank file into a local user's ledger from the command line.

use std::process::Command;

use crate::chat_cli::{chat, console_saved_file};

fn import(db_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .arg("import")
        .args(args)
        .env("TALLY_DATABASE_URL", db_url)
        .env("TALLY_RATES", "off")
        .env("TALLY_LOG", "warn")
        .output()
        .expect("tally import runs")
}

#[test]
fn tally_import_previews_with_dry_run_then_writes_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("import.db").display());
    chat(&url, "ann", &["/recent"]);
    let file = dir.path().join("bank.csv");
    std::fs::write(
        &file,
        "Buchungstag;Verwendungszweck;Betrag\n03.11.2026;Pizzeria Roma;-12,50\n04.11.2026;Gehalt;2.500,00\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();

    let out = import(&url, &["--user", "ann", "--dry-run", path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("; separated"), "{stdout}");
    assert!(
        stdout.contains("2 rows: 2 to add, 0 skipped as duplicates"),
        "{stdout}"
    );
    assert!(
        stdout.contains("dates 2026-11-03 to 2026-11-04"),
        "{stdout}"
    );
    assert!(stdout.contains("Nothing was written"), "{stdout}");
    let replies = chat(&url, "ann", &["/recent"]);
    assert!(!replies[0].contains("Pizzeria"), "{}", replies[0]);

    let out = import(&url, &["--user", "ann", path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("2 rows: 2 added"), "{stdout}");
    let replies = chat(&url, "ann", &["/recent"]);
    assert!(replies[0].contains("Pizzeria Roma"), "{}", replies[0]);
    assert!(replies[0].contains("12.50"), "{}", replies[0]);

    // The same file again adds nothing.
    let out = import(&url, &["--user", "ann", path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("0 added, 2 skipped as duplicates"),
        "{stdout}"
    );

    // A bad line: an error naming it, and a failing exit status.
    std::fs::write(
        &file,
        "date,note,amount\n2026-11-05,ok,1\n2026-11-06,bad,x\n",
    )
    .unwrap();
    let out = import(&url, &["--user", "ann", path]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3: \"x\" is not an amount"), "{err}");
}

#[test]
fn export_in_the_console_is_saved_as_a_csv_file() {
    let (_files, path) = console_saved_file("/spent 12 food lunch\n/export csv");
    assert!(path.ends_with(".csv"), "{path}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("date,kind,amount,currency,category,note,author,ledger\n"));
    assert!(text.contains(",expense,12.00,USD,food,lunch,"), "{text}");
}
