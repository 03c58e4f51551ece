//! Load harness for the Telegram adapter: updates per second and time to reply, SQLite and PostgreSQL.

// The real adapter polls a fake Bot API that feeds it updates as fast as it takes them; measured
// is the time from an update being available to its reply arriving.
//
// `cargo run --release -p tally-bench --bin telegram_load -- [--updates N] [--chats K]
// [--backend sqlite|postgres|both]` (PostgreSQL needs `TALLY_TEST_POSTGRES_URL`).
//
// Closed loop: K private chats each send their next message as soon as the reply to the previous
// one arrives, so K updates are always waiting or in flight. Throttling is off for the run.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tally_bench::Latencies;
use tally_bot::config::{Secret, TelegramConfig};
use tally_bot::telegram::{Options, PollOptions, RetryPolicy, Telegram};
use tally_core::db::Db;
use tally_core::{Settings, Tally};
use tally_testkit::db::TestDb;
use tally_testkit::telegram::{Call, FakeTelegram, FakeUser};

/// What the simulated people write, in turn: a write, two queries and free text.
const MESSAGES: [&str; 4] = ["/spent 12.50 lunch", "/recent 3", "/summary", "coffee 3.20"];

struct Args {
    updates: usize,
    chats: usize,
    backends: Vec<String>,
    pool: u32,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        updates: 20_000,
        chats: 32,
        backends: vec!["sqlite".into(), "postgres".into()],
        pool: 8,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().context(format!("{flag} needs a value"));
        match flag.as_str() {
            "--updates" => a.updates = value()?.parse()?,
            "--chats" => a.chats = value()?.parse()?,
            "--pool" => a.pool = value()?.parse()?,
            "--backend" => {
                a.backends = match value()?.as_str() {
                    "both" => vec!["sqlite".into(), "postgres".into()],
                    b @ ("sqlite" | "postgres") => vec![b.to_owned()],
                    other => bail!("unknown backend {other}"),
                }
            }
            other => bail!("unknown flag {other}"),
        }
    }
    if a.chats == 0 || a.updates == 0 {
        bail!("--updates and --chats must be positive");
    }
    Ok(a)
}

fn options() -> Options {
    Options {
        limits: None,
        retry: RetryPolicy::default(),
        poll: PollOptions {
            timeout: Duration::from_secs(25),
            limit: 100,
            max_handle_attempts: 10,
        },
        role_ttl: Duration::from_secs(30),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    println!(
        "telegram_load: {} updates from {} chats in a closed loop, throttling off",
        args.updates, args.chats
    );
    for backend in &args.backends {
        let test_db = match backend.as_str() {
            "sqlite" => TestDb::sqlite(),
            _ => match TestDb::postgres("telegram_load") {
                Some(t) => t,
                None => {
                    println!("postgres: skipped (TALLY_TEST_POSTGRES_URL is not set)");
                    continue;
                }
            },
        };
        let db = Db::connect(&test_db.url, args.pool).map_err(|e| anyhow::anyhow!("{e}"))?;
        run(backend, db, &args).await?;
        drop(test_db);
    }
    Ok(())
}

/// The adapter's configuration against the fake, in polling mode.
fn config(fake: &FakeTelegram) -> TelegramConfig {
    TelegramConfig {
        token: Secret::new(fake.token()),
        api_url: fake.url(),
        webhook_url: None,
        webhook_secret: None,
    }
}

async fn run(backend: &str, db: Db, args: &Args) -> anyhow::Result<()> {
    let fake = FakeTelegram::start().await?;
    fake.set_recording(false);
    let mut replies = fake.tap();
    let tally = Tally::new(db, Settings::default());
    let telegram = Telegram::start(tally, &config(&fake), options()).await?;

    let users: Vec<FakeUser> = (0..args.chats)
        .map(|i| FakeUser::new(10_000 + i as u64, &format!("User{i}")))
        .collect();
    let chat_index: HashMap<i64, usize> = users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.private_chat(), i))
        .collect();

    // Warm-up: every chat says hello once (accounts, ledgers and categories get created).
    let mut outstanding: Vec<Option<Instant>> = vec![None; users.len()];
    for (i, u) in users.iter().enumerate() {
        fake.send_text(u.private_chat(), u, "/start");
        outstanding[i] = Some(Instant::now());
    }
    let mut waiting = users.len();
    while waiting > 0 {
        let call = next_reply(&mut replies).await?;
        if let Some(&i) = call.and_then(|c| chat_index.get(&c))
            && outstanding[i].take().is_some()
        {
            waiting -= 1;
        }
    }

    let mut latencies = Latencies::default();
    let mut sent = 0usize;
    let mut turn = vec![0usize; users.len()];
    let start = Instant::now();
    for (i, u) in users.iter().enumerate() {
        if sent < args.updates {
            fake.send_text(u.private_chat(), u, MESSAGES[turn[i] % MESSAGES.len()]);
            turn[i] += 1;
            outstanding[i] = Some(Instant::now());
            sent += 1;
        }
    }
    while latencies.len() < args.updates {
        let Some(chat) = next_reply(&mut replies).await? else {
            continue;
        };
        let Some(&i) = chat_index.get(&chat) else {
            continue;
        };
        let Some(available) = outstanding[i].take() else {
            continue;
        };
        latencies.push(available.elapsed());
        if sent < args.updates {
            let u = &users[i];
            fake.send_text(u.private_chat(), u, MESSAGES[turn[i] % MESSAGES.len()]);
            turn[i] += 1;
            outstanding[i] = Some(Instant::now());
            sent += 1;
        }
    }
    let elapsed = start.elapsed();
    let stats = telegram.stats();
    telegram.stop().await;
    println!(
        "{backend:>8}: {:.0} updates/s · {} · {} updates in {:.2} s (handled {}, failed {}, duplicate {})",
        args.updates as f64 / elapsed.as_secs_f64(),
        latencies.describe(),
        args.updates,
        elapsed.as_secs_f64(),
        stats.handled,
        stats.failed,
        stats.duplicate,
    );
    Ok(())
}

/// The chat of the next message the adapter sent; `None` for other calls.
async fn next_reply(
    replies: &mut tokio::sync::mpsc::UnboundedReceiver<Call>,
) -> anyhow::Result<Option<i64>> {
    let call = tokio::time::timeout(Duration::from_secs(60), replies.recv())
        .await
        .context("no reply for a minute")?
        .context("the fake Bot API stopped")?;
    if call.method != "sendMessage" || call.status != 200 {
        return Ok(None);
    }
    Ok(call.body["chat_id"].as_i64())
}
