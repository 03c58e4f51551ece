//! The crash harness (issue 12): `tally run` killed with SIGKILL at random moments, then every
//! ledger and every reply checked against what was sent.
//!
//! `cargo run --release -p tally-bench --bin crash -- [--long] [--updates N] [--kills K]
//! [--seed S] [--mode polling|webhook|all] [--backend sqlite|postgres|both] [--grace SECS]
//! [--tally PATH]`
//!
//! Defaults: the short form (300 updates, 3 kills), every mode, both backends. `--long` is the
//! issue's 10,000 updates and 20 kills. PostgreSQL comes from `TALLY_BENCH_POSTGRES_URL` or
//! `TALLY_TEST_POSTGRES_URL` (without either, PostgreSQL runs and the webhook run are skipped).
//! The `tally` binary is the newest of `target/{debug,release}/tally` (build it first), or
//! `--tally`/`TALLY_BIN`. The seed is printed; pass it back with `--seed` to replay a run.
//! Exits 1 when any run lost, duplicated or failed to answer something.

use anyhow::{Context, bail};
use tally_bench::crash::{self, Backend, Plan};

struct Args {
    plan: Plan,
    polling: bool,
    webhook: bool,
    sqlite: bool,
    postgres: bool,
}

fn args() -> anyhow::Result<Args> {
    let mut long = false;
    let (mut updates, mut kills, mut seed, mut grace, mut bin) = (None, None, None, None, None);
    let (mut polling, mut webhook) = (true, true);
    let (mut sqlite, mut postgres) = (true, true);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().context(format!("{flag} needs a value"));
        match flag.as_str() {
            "--long" => long = true,
            "--updates" => updates = Some(value()?.parse().context("--updates")?),
            "--kills" => kills = Some(value()?.parse().context("--kills")?),
            "--seed" => seed = Some(value()?.parse().context("--seed")?),
            "--grace" => grace = Some(value()?.parse().context("--grace")?),
            "--tally" => bin = Some(value()?.into()),
            "--mode" => {
                (polling, webhook) = match value()?.as_str() {
                    "polling" => (true, false),
                    "webhook" => (false, true),
                    "all" => (true, true),
                    other => bail!("unknown mode {other} (polling, webhook or all)"),
                }
            }
            "--backend" => {
                (sqlite, postgres) = match value()?.as_str() {
                    "sqlite" => (true, false),
                    "postgres" => (false, true),
                    "both" => (true, true),
                    other => bail!("unknown backend {other} (sqlite, postgres or both)"),
                }
            }
            other => bail!("unknown flag {other}"),
        }
    }
    let bin = match bin {
        Some(b) => b,
        None => crash::process::locate()?,
    };
    let seed = seed.unwrap_or_else(crash::fresh_seed);
    let mut plan = if long {
        Plan::long(bin, seed)
    } else {
        Plan::short(bin, seed)
    };
    plan.updates = updates.unwrap_or(plan.updates);
    plan.kills = kills.unwrap_or(plan.kills);
    plan.grace_secs = grace.unwrap_or(plan.grace_secs);
    if plan.updates < 20 {
        bail!("--updates must be at least 20");
    }
    Ok(Args {
        plan,
        polling,
        webhook,
        sqlite,
        postgres,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let plan = &a.plan;
    println!(
        "crash: {} updates, {} kills, seed {}, outbox grace {} s, tally at {}",
        plan.updates,
        plan.kills,
        plan.seed,
        plan.grace_secs,
        plan.bin.display()
    );
    let pg = crash::postgres_url();
    let mut reports = Vec::new();
    if a.polling && a.sqlite {
        reports.push(crash::polling(plan, &Backend::Sqlite).await?);
        println!("{}", reports[reports.len() - 1]);
    }
    if a.postgres {
        match &pg {
            None => println!(
                "postgres: skipped (set TALLY_BENCH_POSTGRES_URL or TALLY_TEST_POSTGRES_URL)"
            ),
            Some(url) => {
                if a.polling {
                    reports.push(crash::polling(plan, &Backend::Postgres(url.clone())).await?);
                    println!("{}", reports[reports.len() - 1]);
                }
                if a.webhook {
                    reports.push(crash::webhook(plan, url).await?);
                    println!("{}", reports[reports.len() - 1]);
                }
            }
        }
    }
    if reports.iter().all(crash::Report::clean) {
        println!("crash: all clean (seed {})", plan.seed);
        Ok(())
    } else {
        println!("crash: FAILED (replay with --seed {})", plan.seed);
        std::process::exit(1);
    }
}
