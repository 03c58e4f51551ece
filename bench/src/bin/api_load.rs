//! Load on the REST API over SQLite: authenticated `GET /transactions` and `POST /transactions`
//! throughput and latency with concurrent clients, and whether a burst of logins (bcrypt at
//! cost 12) raises the p99 of other requests, with hashing bounded and unbounded.
//!
//! `cargo run --release -p tally-bench --bin api_load -- [SECONDS] [CLIENTS]`

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tally_bench::Latencies;
use tally_core::Tally;
use tally_core::auth::AuthSettings;
use tally_core::auth::sessions::{self, SignUp};
use tally_core::db::Db;
use tally_core::domain::{CategoryName, LedgerId, Platform, TransactionKind};
use tally_core::money::{Currency, Money};
use tally_core::services::transactions::{self, NewTransaction, Source};

const PASSWORD: &str = "bench password of some length";
const BURST: usize = 16;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let secs: u64 = args
        .next()
        .map_or(Ok(10), |a| a.parse())
        .context("SECONDS")?;
    let clients: usize = args
        .next()
        .map_or(Ok(4), |a| a.parse())
        .context("CLIENTS")?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(Duration::from_secs(secs), clients))
}

struct Server {
    base: String,
    tally: Tally,
    task: tokio::task::JoinHandle<()>,
}

async fn serve(db: Db, hash_slots: usize) -> anyhow::Result<Server> {
    let tally = Tally::builder(db, tally_core::Settings::default())
        .auth(AuthSettings {
            jwt_secret: Some("bench-secret-bench-secret-bench-secret!".into()),
            bcrypt_cost: 12,
            max_concurrent_hashes: hash_slots,
            ..AuthSettings::default()
        })
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = tally_bot::http::router(tally.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Ok(Server { base, tally, task })
}

/// Signs up through the core (the HTTP route limits sign-ups per address) and logs in over HTTP.
async fn register_and_login(
    server: &Server,
    client: &reqwest::Client,
    name: &str,
) -> anyhow::Result<String> {
    let sign_up = SignUp {
        username: name.to_owned(),
        password: PASSWORD.to_owned(),
        email: None,
    };
    match sessions::register(&server.tally, sign_up, None).await {
        Ok(_) => {}
        Err(e) if e.kind() == tally_core::ErrorKind::Conflict => {}
        Err(e) => bail!("register {name}: {e}"),
    }
    login(client, &server.base, name).await
}

async fn login(client: &reqwest::Client, base: &str, name: &str) -> anyhow::Result<String> {
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": name, "password": PASSWORD}))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("login {name}: {}", r.status());
    }
    let body: Value = r.json().await?;
    Ok(body["access_token"].as_str().unwrap_or_default().to_owned())
}

/// `clients` loops sending requests for `duration`; latencies of successes, and the error count.
async fn drive(
    clients: usize,
    duration: Duration,
    make: Arc<dyn Fn(usize, u64) -> reqwest::RequestBuilder + Send + Sync>,
) -> (Latencies, usize) {
    let deadline = Instant::now() + duration;
    let tasks = (0..clients).map(|c| {
        let make = make.clone();
        tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let started = Instant::now();
                match make(c, n).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(started.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        })
    });
    let mut all = Latencies::default();
    let mut errors = 0;
    for (lat, e) in futures::future::join_all(tasks).await.into_iter().flatten() {
        for l in lat {
            all.push(l);
        }
        errors += e;
    }
    (all, errors)
}

fn report(name: &str, lat: &mut Latencies, errors: usize, duration: Duration) {
    println!(
        "{name:<44} {:>8.0} req/s  {}  ({} ok, {errors} failed)",
        lat.len() as f64 / duration.as_secs_f64(),
        lat.describe(),
        lat.len()
    );
}

fn seed(db: &Db, tally: &Tally, username: &str, count: usize) -> anyhow::Result<()> {
    let username = username.to_owned();
    let now = tally.now();
    db.write_blocking(move |c| {
        let account = tally_core::services::credentials::login_record(c, &username)?
            .map(|r| r.account)
            .ok_or(tally_core::Error::not_found("account"))?;
        let ledger: LedgerId = tally_core::services::ledgers::personal(c, account)?.id;
        let categories = ["food", "transport", "groceries", "shopping", "health"];
        for i in 0..count {
            let date =
                chrono::NaiveDate::from_ymd_opt(2026, 1 + (i % 11) as u32, 1 + (i % 28) as u32)
                    .unwrap_or_default();
            transactions::record(
                c,
                account,
                ledger,
                NewTransaction {
                    kind: TransactionKind::Expense,
                    money: Money::from_minor(100 + (i as i64 % 5000), Currency::USD)
                        .map_err(|e| tally_core::Error::Internal(e.to_string()))?,
                    category: CategoryName::parse(categories[i % categories.len()])
                        .map_err(|e| tally_core::Error::Internal(e.to_string()))?,
                    date,
                    note: format!("seeded {i}"),
                    source: Source {
                        platform: Platform::Web,
                        reference: None,
                    },
                },
                now,
            )?;
        }
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))
}

async fn run(duration: Duration, clients: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db = Db::connect(&url, 8).map_err(|e| anyhow::anyhow!("{e}"))?;
    db.migrate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "api_load: SQLite, {clients} clients, {}s per phase, {cores} cores, bcrypt cost 12\n",
        duration.as_secs()
    );

    let bounded = AuthSettings::default().max_concurrent_hashes;
    for (label, slots) in [("bounded", bounded), ("unbounded", 64)] {
        println!("-- password hashing {label} ({slots} at a time) --");
        let server = serve(db.clone(), slots).await?;
        let base = server.base.clone();
        let token = register_and_login(&server, &client, "bench").await?;
        let mut burst_users = Vec::new();
        for i in 0..BURST {
            let name = format!("burst{i}");
            register_and_login(&server, &client, &name).await?;
            burst_users.push(name);
        }
        if label == "bounded" {
            seed(&db, &server.tally, "bench", 2000)?;
        }

        let list: Arc<dyn Fn(usize, u64) -> reqwest::RequestBuilder + Send + Sync> = {
            let client = client.clone();
            let (base, token) = (base.clone(), token.clone());
            Arc::new(move |_, n| {
                client
                    .get(format!(
                        "{base}/api/v1/transactions?limit=50&offset={}",
                        (n % 20) * 50
                    ))
                    .bearer_auth(&token)
            })
        };
        let (mut lat, errors) = drive(clients, duration, list.clone()).await;
        report("GET /transactions (limit 50)", &mut lat, errors, duration);
        if label == "bounded" {
            // Into another account, so the listed ledger keeps its size between phases.
            let writer = register_and_login(&server, &client, "writer").await?;
            let reader = writer.clone();
            let create: Arc<dyn Fn(usize, u64) -> reqwest::RequestBuilder + Send + Sync> = {
                let client = client.clone();
                let base = base.clone();
                Arc::new(move |c, n| {
                    client
                        .post(format!("{base}/api/v1/transactions"))
                        .bearer_auth(&writer)
                        .json(&json!({"kind": "expense", "amount": format!("{}.{:02}", n % 90 + 1, c), "category": "food", "note": "load"}))
                })
            };
            let (mut lat, errors) = drive(clients, duration, create).await;
            report("POST /transactions", &mut lat, errors, duration);
            // Listing cost grows with the ledger: the same GET on the writer's big ledger.
            let rows = lat.len();
            let big: Arc<dyn Fn(usize, u64) -> reqwest::RequestBuilder + Send + Sync> = {
                let client = client.clone();
                let base = base.clone();
                Arc::new(move |_, n| {
                    client
                        .get(format!(
                            "{base}/api/v1/transactions?limit=50&offset={}",
                            (n % 20) * 50
                        ))
                        .bearer_auth(&reader)
                })
            };
            let (mut lat, errors) = drive(clients, duration, big).await;
            report(
                &format!("GET /transactions ({rows}-row ledger)"),
                &mut lat,
                errors,
                duration,
            );
        }
        // GETs while bursts of logins (distinct users, all at once) keep arriving.
        let deadline = Instant::now() + duration;
        let burster = {
            let client = client.clone();
            let base = base.clone();
            tokio::spawn(async move {
                let mut lat = Latencies::default();
                let mut failed = 0;
                while Instant::now() < deadline {
                    let logins = burst_users.iter().map(|u| {
                        let (client, base, u) = (client.clone(), base.clone(), u.clone());
                        async move {
                            let started = Instant::now();
                            login(&client, &base, &u).await.map(|_| started.elapsed())
                        }
                    });
                    for r in futures::future::join_all(logins).await {
                        match r {
                            Ok(d) => lat.push(d),
                            Err(_) => failed += 1,
                        }
                    }
                }
                (lat, failed)
            })
        };
        let (mut lat, errors) = drive(clients, duration, list).await;
        report(
            "GET /transactions during login bursts",
            &mut lat,
            errors,
            duration,
        );
        let (mut logins, failed) = burster.await?;
        report(
            &format!("  logins ({BURST} at once, repeatedly)"),
            &mut logins,
            failed,
            duration,
        );
        server.task.abort();
        println!();
    }
    Ok(())
}
