//! `tally parse` as a filter: one JSON line per input line whatever the bytes, and the
//! `--currency`, `--date-order` and `--today` flags doing what the intents SPEC says.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// Runs `tally parse ARGS` with `input` as stdin (bytes, so bad UTF-8 can be sent).
fn run(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .arg("parse")
        .args(args)
        // `parse` reads no configuration; a database it must not touch proves it.
        .env("TALLY_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tally starts");
    let mut stdin = child.stdin.take().unwrap();
    // Written from a thread: a large input must not deadlock against a full stdout pipe.
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

/// The output lines as JSON objects, after checking the run succeeded.
fn parse(args: &[&str], input: &[u8]) -> Vec<Value> {
    let out = run(args, input);
    assert!(
        out.status.success(),
        "tally parse {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("the output is UTF-8");
    assert!(
        stdout.is_empty() || stdout.ends_with('\n'),
        "the last line is terminated"
    );
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            assert!(v["intent"].is_string(), "{l}");
            v
        })
        .collect()
}

fn one(args: &[&str], message: &str) -> Value {
    let mut lines = parse(args, format!("{message}\n").as_bytes());
    assert_eq!(lines.len(), 1, "{message:?}");
    lines.remove(0)
}

const TODAY: &[&str] = &["--today", "2026-11-24"];

#[test]
fn one_json_line_per_input_line_whatever_the_bytes() {
    let mut input: Vec<u8> = Vec::new();
    let mut expect: Vec<Option<&str>> = Vec::new();
    let mut line = |bytes: &[u8], intent: Option<&'static str>| {
        input.extend_from_slice(bytes);
        input.push(b'\n');
        expect.push(intent);
    };
    line(b"spent 12 on lunch", Some("add"));
    line(b"", Some("unknown"));
    line(b"   \t ", Some("unknown"));
    line(b"\xff\xfe\xfd", Some("unknown"));
    // Bad bytes inside a message do not stop the rest of it being read.
    line(b"coffee 4 \xc3\x28", Some("add"));
    line(b"\xe2\x82", Some("unknown"));
    line(b"how much did I spend this month?", Some("query"));
    line(b"\0\x01\x7f", Some("unknown"));
    line(b"spent 12 on lunch\r", Some("add"));
    line("😀🍕 \"quoted\" \\ back\\slash".as_bytes(), None);
    line(&b"9".repeat(100_000), None);
    line(&"coffee 4 ".repeat(20_000).into_bytes(), None);
    line(b"undo", Some("undo"));
    let lines = parse(TODAY, &input);
    assert_eq!(lines.len(), expect.len(), "one line out per line in");
    for (i, (got, want)) in lines.iter().zip(&expect).enumerate() {
        if let Some(want) = want {
            assert_eq!(got["intent"], *want, "line {i}: {got}");
        }
    }
    // A CR from CRLF input is not part of the message.
    assert_eq!(lines[8], lines[0]);
    assert_eq!(lines[4]["amount"], "4");
    assert_eq!(lines[4]["category"], "food");

    // A last line without its newline still gets its answer; no input, no output.
    let lines = parse(TODAY, b"undo\ncoffee 4");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["intent"], "add");
    assert!(parse(TODAY, b"").is_empty());
    assert_eq!(parse(TODAY, b"\n\n\n").len(), 3);
}

#[test]
fn many_lines_stay_in_order() {
    let input: String = (1..=2_000).map(|n| format!("coffee {n}\n")).collect();
    let lines = parse(TODAY, input.as_bytes());
    assert_eq!(lines.len(), 2_000);
    for (n, l) in (1..=2_000).zip(&lines) {
        assert_eq!(l["amount"], n.to_string(), "{l}");
    }
}

#[test]
fn today_decides_relative_dates_and_periods() {
    let msg = "spent 12 on lunch yesterday";
    assert_eq!(one(TODAY, msg)["date"], "2026-11-23");
    assert_eq!(one(&["--today", "2024-03-01"], msg)["date"], "2024-02-29");
    assert_eq!(one(&["--today", "2026-01-01"], msg)["date"], "2025-12-31");
    assert_eq!(one(TODAY, "coffee 4")["date"], "2026-11-24");
    let q = one(
        &["--today", "2025-02-10"],
        "how much did I spend this month?",
    );
    assert_eq!(
        (&q["from"], &q["to"]),
        (&"2025-02-01".into(), &"2025-02-28".into())
    );

    // Without `--today`, the local date.
    let before = chrono::Local::now().date_naive().to_string();
    let got = one(&[], "coffee 4")["date"].clone();
    let after = chrono::Local::now().date_naive().to_string();
    assert!(got == before.as_str() || got == after.as_str(), "{got}");

    let bad = run(&["--today", "24/11/2026"], b"coffee 4\n");
    assert!(!bad.status.success());
    assert!(bad.stdout.is_empty());
}

#[test]
fn currency_is_the_default_only_when_the_message_names_none() {
    assert_eq!(one(TODAY, "coffee 4")["currency"], "USD");
    let eur = [TODAY, &["--currency", "EUR"]].concat();
    assert_eq!(one(&eur, "coffee 4")["currency"], "EUR");
    assert_eq!(one(&eur, "coffee $4")["currency"], "USD");
    assert_eq!(one(&eur, "coffee 4 quid")["currency"], "GBP");
    let jpy = [TODAY, &["--currency", "jpy"]].concat();
    let got = one(&jpy, "ramen 1200");
    assert_eq!(
        (&got["currency"], &got["amount"]),
        (&"JPY".into(), &"1200".into())
    );
    let budget = one(&jpy, "set food budget to 30000");
    assert_eq!(budget["intent"], "budget_set");
    assert_eq!(budget["currency"], "JPY");

    let bad = run(&["--currency", "XYZ"], b"coffee 4\n");
    assert!(!bad.status.success());
    assert!(bad.stdout.is_empty());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("XYZ"));
}

#[test]
fn date_order_reads_ambiguous_slashes_only() {
    let mdy = [TODAY, &["--date-order", "mdy"]].concat();
    let dmy = [TODAY, &["--date-order", "dmy"]].concat();
    let ambiguous = "spent 12 on lunch 3/11";
    assert_eq!(
        one(TODAY, ambiguous)["date"],
        "2026-03-11",
        "mdy is the default"
    );
    assert_eq!(one(&mdy, ambiguous)["date"], "2026-03-11");
    assert_eq!(one(&dmy, ambiguous)["date"], "2026-11-03");
    // Only one reading is a valid date: the order does not matter.
    for order in [&mdy, &dmy] {
        assert_eq!(one(order, "spent 12 on lunch 11/15")["date"], "2026-11-15");
        assert_eq!(one(order, "spent 12 on lunch 15/11")["date"], "2026-11-15");
    }

    let bad = run(&["--date-order", "ymd"], b"coffee 4\n");
    assert!(!bad.status.success());
    assert!(bad.stdout.is_empty());
}
