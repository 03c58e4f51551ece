//! The crash harness's short form (issue 12): 300 updates, 3 SIGKILLs, on SQLite and PostgreSQL
//! in polling mode and with two webhook instances; nothing lost, duplicated or left unanswered.
//!
//! It runs the `tally` binary `cargo test --workspace` builds (the bot's integration tests need
//! it), found next to this test's executable or through `TALLY_BIN`. `TALLY_CRASH_SEED` replays
//! a run; the seed of every run is printed.

use tally_bench::crash::{self, Backend, Plan, Report};
use tally_testkit::db::skip_unless_ci;

fn plan(name: &str) -> Plan {
    let bin = crash::process::locate().unwrap_or_else(|e| panic!("{e}"));
    let seed = std::env::var("TALLY_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(crash::fresh_seed);
    eprintln!("{name}: seed {seed} (TALLY_CRASH_SEED={seed} replays it)");
    Plan::short(bin, seed)
}

fn check(report: &Report) {
    eprintln!("{report}");
    assert!(report.clean(), "{report}");
    assert_eq!(report.kills, 3, "{report}");
}

fn postgres(name: &str) -> Option<String> {
    let url = crash::postgres_url();
    if url.is_none() {
        skip_unless_ci(&format!(
            "{name}: TALLY_TEST_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)"
        ));
    }
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_on_sqlite_survives_kills() {
    let plan = plan("polling/sqlite");
    let report = crash::polling(&plan, &Backend::Sqlite)
        .await
        .unwrap_or_else(|e| panic!("seed {}: {e:#}", plan.seed));
    check(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_on_postgres_survives_kills() {
    let Some(url) = postgres("polling/postgres") else {
        return;
    };
    let plan = plan("polling/postgres");
    let report = crash::polling(&plan, &Backend::Postgres(url))
        .await
        .unwrap_or_else(|e| panic!("seed {}: {e:#}", plan.seed));
    check(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_webhook_instances_survive_kills() {
    let Some(url) = postgres("webhook/postgres") else {
        return;
    };
    let plan = plan("webhook/postgres");
    let report = crash::webhook(&plan, &url)
        .await
        .unwrap_or_else(|e| panic!("seed {}: {e:#}", plan.seed));
    check(&report);
}
