//! Telegram's side of webhook mode: a round-robin proxy in front of the instances, and a
//! deliverer that POSTs each update until an instance answers 2xx, as Telegram does.

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::Value;
use tally_testkit::telegram::FakeTelegram;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// The header Telegram proves itself with (`tally_bot::telegram::SECRET_HEADER`).
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// The webhook's path on every instance.
pub const HOOK_PATH: &str = "/telegram/hook";
/// How long Telegram waits before delivering a refused update again (shortened).
const RETRY_AFTER: Duration = Duration::from_millis(100);

/// The instances' addresses, changed when one restarts on a new port.
#[derive(Clone)]
pub struct Upstreams(Arc<Mutex<Vec<SocketAddr>>>);

impl Upstreams {
    pub fn new(addrs: Vec<SocketAddr>) -> Upstreams {
        Upstreams(Arc::new(Mutex::new(addrs)))
    }

    pub fn set_all(&self, addrs: Vec<SocketAddr>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = addrs;
    }

    pub fn set(&self, i: usize, addr: SocketAddr) {
        self.0.lock().unwrap_or_else(|p| p.into_inner())[i] = addr;
    }

    fn get(&self) -> Vec<SocketAddr> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

struct Proxy {
    upstreams: Upstreams,
    next: AtomicUsize,
    client: reqwest::Client,
}

/// Starts the proxy on 127.0.0.1: each request goes to the next instance in turn; one that
/// refuses the connection (dead, or not listening yet) is skipped, as a load balancer's health
/// check would; one that dies while handling the request makes the proxy answer 502.
pub async fn proxy(upstreams: Upstreams) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(Proxy {
        upstreams,
        next: AtomicUsize::new(0),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?,
    });
    let app = Router::new()
        .route(HOOK_PATH, post(forward))
        .with_state(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task))
}

async fn forward(State(proxy): State<Arc<Proxy>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let upstreams = proxy.upstreams.get();
    for _ in 0..upstreams.len() {
        let i = proxy.next.fetch_add(1, Ordering::Relaxed) % upstreams.len();
        let mut request = proxy
            .client
            .post(format!("http://{}{HOOK_PATH}", upstreams[i]))
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(secret) = headers.get(SECRET_HEADER) {
            request = request.header(SECRET_HEADER, secret);
        }
        match request.send().await {
            Ok(r) => return StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::OK),
            Err(e) if e.is_connect() => continue,
            Err(_) => return StatusCode::BAD_GATEWAY,
        }
    }
    StatusCode::BAD_GATEWAY
}

/// What the deliverer did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Delivered {
    /// Updates acknowledged with 2xx (each counted once).
    pub acknowledged: usize,
    /// Deliveries refused (non-2xx, or the connection broke) and repeated later.
    pub refused: usize,
    /// Acknowledged updates delivered once more.
    pub redelivered: usize,
}

struct Queue {
    todo: Mutex<VecDeque<(u32, bool)>>,
    acknowledged: Mutex<HashSet<u32>>,
    stats: Mutex<Delivered>,
    woken: Notify,
}

/// Delivers `ids` (already pushed to the fake, which keeps their content) to `url` with
/// `workers` requests at a time, until each was acknowledged; after an acknowledgement, with
/// probability `redeliver`, an acknowledged update is delivered once more.
pub struct Deliverer {
    queue: Arc<Queue>,
    workers: Vec<JoinHandle<()>>,
    total: usize,
}

impl Deliverer {
    pub fn start(
        fake: Arc<FakeTelegram>,
        url: String,
        secret: String,
        ids: Vec<u32>,
        workers: usize,
        redeliver: f64,
        rng: StdRng,
    ) -> anyhow::Result<Deliverer> {
        let total = ids.len();
        let queue = Arc::new(Queue {
            todo: Mutex::new(ids.iter().map(|id| (*id, false)).collect()),
            acknowledged: Mutex::new(HashSet::new()),
            stats: Mutex::new(Delivered::default()),
            woken: Notify::new(),
        });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let rng = Arc::new(Mutex::new(rng));
        let workers = (0..workers)
            .map(|_| {
                let (queue, fake, client) = (Arc::clone(&queue), Arc::clone(&fake), client.clone());
                let (url, secret, rng, ids) =
                    (url.clone(), secret.clone(), Arc::clone(&rng), ids.clone());
                tokio::spawn(async move {
                    loop {
                        let next = lock(&queue.todo).pop_front();
                        let Some((id, again)) = next else {
                            if lock(&queue.acknowledged).len() >= total {
                                return;
                            }
                            // Someone else's delivery may fail and come back.
                            let _ = tokio::time::timeout(RETRY_AFTER, queue.woken.notified()).await;
                            continue;
                        };
                        let Some(update) = fake.update(id) else {
                            continue;
                        };
                        let ok = deliver(&client, &url, &secret, &update).await;
                        if !ok {
                            lock(&queue.stats).refused += 1;
                            tokio::time::sleep(RETRY_AFTER).await;
                            lock(&queue.todo).push_back((id, again));
                            queue.woken.notify_one();
                            continue;
                        }
                        if again {
                            continue;
                        }
                        lock(&queue.acknowledged).insert(id);
                        lock(&queue.stats).acknowledged += 1;
                        let pick = {
                            let mut rng = lock(&rng);
                            rng.random_bool(redeliver)
                                .then(|| ids[rng.random_range(0..ids.len())])
                        };
                        if let Some(old) = pick
                            && lock(&queue.acknowledged).contains(&old)
                        {
                            lock(&queue.stats).redelivered += 1;
                            lock(&queue.todo).push_back((old, true));
                            queue.woken.notify_one();
                        }
                    }
                })
            })
            .collect();
        Ok(Deliverer {
            queue,
            workers,
            total,
        })
    }

    /// Every update acknowledged, and no redelivery waiting.
    pub fn done(&self) -> bool {
        lock(&self.queue.acknowledged).len() >= self.total && lock(&self.queue.todo).is_empty()
    }

    pub fn stats(&self) -> Delivered {
        *lock(&self.queue.stats)
    }

    pub fn stop(self) {
        for w in self.workers {
            w.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn deliver(client: &reqwest::Client, url: &str, secret: &str, update: &Value) -> bool {
    client
        .post(url)
        .header(SECRET_HEADER, secret)
        .json(update)
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}
