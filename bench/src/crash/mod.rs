//! The crash harness of issue 12: the real `tally run` killed with SIGKILL while it works, then
//! each ledger and each reply compared with what the people sent.
//!
//! Polling mode: a fake Bot API (testkit's, in this process) with Telegram's confirm-by-offset
//! semantics serves N updates, hands out already-confirmed ones again now and then, and records
//! every `sendMessage`; one `tally run` polls it and is killed K times at random moments and
//! started again. Webhook mode: two `tally run` on one PostgreSQL behind a round-robin proxy,
//! updates POSTed until acknowledged, one instance killed now and then. At the end (every update
//! confirmed, the outbox drained) the database is read and the replies matched: lost and
//! duplicated entries, replies missing, and replies doubled (told apart: across a restart, which
//! a crash between a send and its mark explains, or within one life, which nothing does).

pub mod ledgers;
pub mod process;
pub mod replies;
pub mod webhook;
pub mod workload;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tally_testkit::db::TestDb;
use tally_testkit::telegram::FakeTelegram;

use ledgers::LedgerCount;
use process::{Instance, Launch};
use replies::{Replies, ReplyCount};

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub updates: usize,
    pub kills: usize,
    pub seed: u64,
    /// `TALLY_OUTBOX_GRACE_SECS` of the instances.
    pub grace_secs: u64,
    /// After each reply, the chance that an already-confirmed update is handed out again.
    pub redeliver: f64,
    pub bin: PathBuf,
}

impl Plan {
    /// The short form `.ci/run` runs (through `cargo test`).
    pub fn short(bin: PathBuf, seed: u64) -> Plan {
        Plan {
            updates: 300,
            kills: 3,
            seed,
            grace_secs: 10,
            redeliver: 0.03,
            bin,
        }
    }

    /// The long form of the "Done when".
    pub fn long(bin: PathBuf, seed: u64) -> Plan {
        Plan {
            updates: 10_000,
            kills: 20,
            ..Plan::short(bin, seed)
        }
    }

    /// How long the whole run may take before it is reported unfinished: Telegram's 30
    /// messages a second, with room, plus a grace period per kill.
    fn deadline(&self) -> Duration {
        Duration::from_secs(120 + self.updates as u64 / 5 + self.kills as u64 * self.grace_secs * 2)
    }
}

/// A random seed, for runs not told one.
pub fn fresh_seed() -> u64 {
    rand::random()
}

/// The storage under the instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// A fresh schema on the server at this URL.
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    fn database(&self) -> TestDb {
        match self {
            Backend::Sqlite => TestDb::sqlite(),
            Backend::Postgres(url) => TestDb::postgres_at(url, "crash"),
        }
    }
}

/// The PostgreSQL server to use: `TALLY_BENCH_POSTGRES_URL`, else `TALLY_TEST_POSTGRES_URL`.
pub fn postgres_url() -> Option<String> {
    ["TALLY_BENCH_POSTGRES_URL", "TALLY_TEST_POSTGRES_URL"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct Report {
    pub label: String,
    pub seed: u64,
    pub updates: usize,
    pub kills: usize,
    pub ledgers: LedgerCount,
    pub replies: ReplyCount,
    /// Already-confirmed updates handed out again.
    pub redelivered: usize,
    /// Rows still unsent in the outbox at the end.
    pub unsent: i64,
    /// Every update confirmed and the outbox drained before the deadline.
    pub finished: bool,
    /// Instances that exited without being killed.
    pub crashed_alone: usize,
    pub elapsed: Duration,
    /// The instances' logs.
    pub logs: PathBuf,
}

impl Report {
    /// Nothing lost, duplicated, misplaced or unanswered, and no double that a crash does not
    /// explain.
    pub fn clean(&self) -> bool {
        let l = &self.ledgers;
        self.finished
            && self.crashed_alone == 0
            && l.lost == 0
            && l.duplicated == 0
            && l.misplaced == 0
            && l.unexpected == 0
            && l.wrong_totals == 0
            && self.replies.missing == 0
            && self.replies.doubled_without_crash == 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.ledgers;
        let r = &self.replies;
        write!(
            f,
            "{}: {} updates, {} kills, seed {}: lost {} · duplicated {} · replies missing {} · \
             replies doubled {} (across a restart; {} within one life) · misplaced {} · \
             unexpected {} · wrong totals {}/{} ledgers · other messages {} · redelivered {} · \
             unsent left {} · {:.1} s{}{}",
            self.label,
            self.updates,
            self.kills,
            self.seed,
            l.lost,
            l.duplicated,
            r.missing,
            r.doubled,
            r.doubled_without_crash,
            l.misplaced,
            l.unexpected,
            l.wrong_totals,
            l.ledgers,
            r.other,
            self.redelivered,
            self.unsent,
            self.elapsed.as_secs_f64(),
            if self.finished {
                ""
            } else {
                " · NOT FINISHED before the deadline"
            },
            if self.crashed_alone > 0 {
                format!(" · {} exits nobody caused", self.crashed_alone)
            } else {
                String::new()
            },
        )?;
        if !self.clean() {
            write!(f, " (logs: {})", self.logs.display())?;
        }
        Ok(())
    }
}

/// The moments at which the harness kills: after `threshold` replies, plus up to 250 ms more.
fn kill_points(plan: &Plan, rng: &mut StdRng) -> Vec<(usize, Duration)> {
    let lo = plan.updates / 20;
    let hi = (plan.updates * 9 / 10).max(lo + 1);
    let mut points: Vec<(usize, Duration)> = (0..plan.kills)
        .map(|_| {
            (
                rng.random_range(lo..hi),
                Duration::from_millis(rng.random_range(0..250)),
            )
        })
        .collect();
    points.sort();
    points
}

/// The environment every instance gets.
fn base_env(plan: &Plan, db_url: &str, fake: &FakeTelegram) -> Vec<(String, String)> {
    [
        ("TALLY_DATABASE_URL", db_url.to_owned()),
        ("TALLY_TELEGRAM_TOKEN", fake.token().to_owned()),
        ("TALLY_TELEGRAM_API_URL", fake.url().to_string()),
        ("TALLY_OUTBOX_GRACE_SECS", plan.grace_secs.to_string()),
        (
            "TALLY_JWT_SECRET",
            "crash-harness-secret-crash-harness-secret".to_owned(),
        ),
        ("TALLY_LOG", "warn".to_owned()),
        // Exchange rates come from the internet; the run must not depend on it.
        ("TALLY_RATES", "off".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The fake Bot API with the workload's people in it, and the collector of its replies.
async fn fake_telegram(
    w: &workload::Workload,
) -> anyhow::Result<(Arc<FakeTelegram>, Replies, Vec<u32>)> {
    let fake = Arc::new(FakeTelegram::start_with(Duration::from_secs(1)).await?);
    fake.set_recording(false);
    let replies = Replies::collect(fake.tap());
    for (i, g) in w.groups.iter().enumerate() {
        fake.name_group(*g, &format!("Lunch club {i}"));
    }
    let ids = w
        .messages
        .iter()
        .map(|m| {
            let update = fake.message(m.chat, &w.users[m.from], &m.text);
            fake.push_update(update)
        })
        .collect();
    Ok((fake, replies, ids))
}

/// One `tally run` polling the fake, killed at `plan.kills` random moments.
pub async fn polling(plan: &Plan, backend: &Backend) -> anyhow::Result<Report> {
    let label = format!("polling/{}", backend.name());
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let w = workload::generate(plan.updates, &mut rng);
    let points = kill_points(plan, &mut rng);
    let test_db = backend.database();
    let dir = tempfile::Builder::new().prefix("tally-crash-").tempdir()?;
    let (fake, mut replies, ids) = fake_telegram(&w).await?;
    let launch = Launch {
        bin: plan.bin.clone(),
        env: base_env(plan, &test_db.url, &fake),
        dir: dir.path().to_path_buf(),
        name: label.replace('/', "-"),
    };
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + plan.deadline();
    let mut lives = vec![Instant::now()];
    let mut instance = launch.start(0)?;
    let mut crashed_alone = 0;

    // Redelivery of confirmed updates, as Telegram does when a confirmation got lost.
    let redelivered = Arc::new(AtomicUsize::new(0));
    let redeliveries = {
        let (fake, mut replies) = (Arc::clone(&fake), replies.clone());
        let counter = Arc::clone(&redelivered);
        let mut rng = StdRng::seed_from_u64(plan.seed ^ 0x5eed);
        let (p, first) = (plan.redeliver, ids.first().copied().unwrap_or(0));
        tokio::spawn(async move {
            let mut seen = 0;
            loop {
                let far = tokio::time::Instant::now() + Duration::from_secs(3600);
                if !replies.wait_for(seen + 1, far).await {
                    return;
                }
                let now = replies.count();
                for _ in seen..now {
                    let confirmed = u32::try_from(fake.with(|r| r.confirmed)).unwrap_or(0);
                    if confirmed > first && rng.random_bool(p) {
                        fake.redeliver(rng.random_range(first..confirmed));
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                }
                seen = now;
            }
        })
    };

    let mut kills = 0;
    for (threshold, extra) in points {
        if !replies.wait_for(threshold, deadline).await {
            break;
        }
        tokio::time::sleep(extra).await;
        if instance.exited().is_some() {
            crashed_alone += 1;
        }
        instance.kill().await?;
        kills += 1;
        lives.push(Instant::now());
        instance = launch.start(kills)?;
    }
    let last = ids.last().copied().map_or(0, i64::from);
    let confirmed = poll_until(deadline, || {
        let fake = Arc::clone(&fake);
        async move { Ok(fake.with(|r| r.confirmed) > last) }
    })
    .await?;
    redeliveries.abort();
    let finished = confirmed
        && poll_until(deadline, || {
            let (fake, db) = (Arc::clone(&fake), test_db.db.clone());
            async move { Ok(fake.pending() == 0 && ledgers::unsent(&db).await? == 0) }
        })
        .await?;
    if instance.exited().is_some() {
        crashed_alone += 1;
    }
    instance.kill().await?;
    let report = Report {
        label,
        seed: plan.seed,
        updates: plan.updates,
        kills,
        ledgers: ledgers::count(&test_db.db, &w).await?,
        replies: replies::count(&w.messages, &replies.snapshot(), &lives),
        redelivered: redelivered.load(Ordering::Relaxed),
        unsent: ledgers::unsent(&test_db.db).await?,
        finished,
        crashed_alone,
        elapsed: started.elapsed(),
        logs: keep_logs(dir),
    };
    Ok(tidy(report))
}

/// Two `tally run` in webhook mode on one PostgreSQL behind a round-robin proxy; one of them,
/// at random, killed at each of `plan.kills` random moments and started again.
pub async fn webhook(plan: &Plan, postgres_url: &str) -> anyhow::Result<Report> {
    let label = "webhook×2/postgres".to_owned();
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let w = workload::generate(plan.updates, &mut rng);
    let points = kill_points(plan, &mut rng);
    let test_db = Backend::Postgres(postgres_url.to_owned()).database();
    let dir = tempfile::Builder::new().prefix("tally-crash-").tempdir()?;
    let (fake, mut replies, ids) = fake_telegram(&w).await?;
    let upstreams = webhook::Upstreams::new(Vec::new());
    let (proxy_addr, proxy) = webhook::proxy(upstreams.clone()).await?;
    let hook = format!("http://{proxy_addr}{}", webhook::HOOK_PATH);
    let secret = "crash-harness-webhook-secret".to_owned();
    let mut env = base_env(plan, &test_db.url, &fake);
    env.push(("TALLY_TELEGRAM_WEBHOOK_URL".into(), hook.clone()));
    env.push(("TALLY_TELEGRAM_WEBHOOK_SECRET".into(), secret.clone()));
    let launches: Vec<Launch> = (0..2)
        .map(|i| Launch {
            bin: plan.bin.clone(),
            env: env.clone(),
            dir: dir.path().to_path_buf(),
            name: format!("webhook-{i}"),
        })
        .collect();
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + plan.deadline();
    let mut lives = Vec::new();
    let mut instances: Vec<Instance> = Vec::new();
    let mut addrs = Vec::new();
    for l in &launches {
        lives.push(Instant::now());
        let instance = l.start(0)?;
        addrs.push(instance.http_addr);
        instances.push(instance);
    }
    upstreams.set_all(addrs);
    let deliverer = webhook::Deliverer::start(
        Arc::clone(&fake),
        hook,
        secret,
        ids,
        16,
        plan.redeliver,
        StdRng::seed_from_u64(plan.seed ^ 0x5eed),
    )?;
    let mut crashed_alone = 0;
    let mut kills = 0;
    let mut starts = [0usize; 2];
    for (threshold, extra) in points {
        if !replies.wait_for(threshold, deadline).await {
            break;
        }
        tokio::time::sleep(extra).await;
        let victim = rng.random_range(0..2);
        for i in &mut instances {
            if i.exited().is_some() {
                crashed_alone += 1;
            }
        }
        let dead = instances.remove(victim);
        dead.kill().await?;
        kills += 1;
        starts[victim] += 1;
        lives.push(Instant::now());
        let fresh = launches[victim].start(starts[victim])?;
        upstreams.set(victim, fresh.http_addr);
        instances.insert(victim, fresh);
    }
    let finished = poll_until(deadline, || {
        let db = test_db.db.clone();
        let done = deliverer.done();
        async move { Ok(done && ledgers::unsent(&db).await? == 0) }
    })
    .await?;
    let delivered = deliverer.stats();
    deliverer.stop();
    for mut i in instances {
        if i.exited().is_some() {
            crashed_alone += 1;
        }
        i.kill().await?;
    }
    proxy.abort();
    let report = Report {
        label,
        seed: plan.seed,
        updates: plan.updates,
        kills,
        ledgers: ledgers::count(&test_db.db, &w).await?,
        replies: replies::count(&w.messages, &replies.snapshot(), &lives),
        redelivered: delivered.redelivered,
        unsent: ledgers::unsent(&test_db.db).await?,
        finished,
        crashed_alone,
        elapsed: started.elapsed(),
        logs: keep_logs(dir),
    };
    Ok(tidy(report))
}

/// Checks `condition` every 100 ms until it holds (`true`) or `deadline` passes (`false`).
/// These are real processes doing real work: there is no event to wait for.
async fn poll_until<F, Fut>(
    deadline: tokio::time::Instant,
    mut condition: F,
) -> anyhow::Result<bool>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    loop {
        if condition().await.context("checking the run's progress")? {
            return Ok(true);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Keeps the logs' directory so a failed run can be read afterwards.
fn keep_logs(dir: tempfile::TempDir) -> PathBuf {
    dir.keep()
}

/// Removes the logs of a clean run.
fn tidy(report: Report) -> Report {
    if report.clean() {
        let _ = std::fs::remove_dir_all(&report.logs);
    }
    report
}
