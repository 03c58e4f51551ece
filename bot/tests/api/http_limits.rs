//! The HTTP listener's limits: the header-read timeout, the connection cap, graceful shutdown,
//! `/metrics` on its own address, and the caller's address from a trusted proxy's header.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use reqwest::StatusCode;
use tally_bot::http::server::{ServeOptions, serve};
use tally_bot::http::{Metrics, metrics_router, surface};
use tally_core::Tally;
use tally_testkit::db::TestDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

/// Long enough for anything that should happen to happen on a loaded machine.
const GENEROUS: Duration = Duration::from_secs(20);

struct Served {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    _db: Option<TestDb>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on a random port until `stop` is sent.
async fn start(router: Router, options: ServeOptions, db: Option<TestDb>) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, router, options, async move {
        let _ = stopped.await;
    }));
    Served {
        addr,
        stop: Some(stop),
        task,
        _db: db,
    }
}

/// The whole surface over a fresh SQLite database, `/metrics` where asked, plus `extra`.
async fn start_app(options: ServeOptions, metrics_at: Metrics, extra: Router) -> Served {
    let db = TestDb::sqlite();
    let tally = Tally::builder(db.db.clone(), tally_core::Settings::default()).build();
    start(surface(tally, extra, metrics_at), options, Some(db)).await
}

/// Reads one HTTP/1.1 response with a `content-length` (every response here has one).
async fn read_response(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if buf.len() >= end + 4 + length {
                return String::from_utf8_lossy(&buf).into_owned();
            }
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(
            n > 0,
            "closed mid-response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn get_request(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_is_cut_off_after_the_header_timeout() {
    let served = start_app(
        ServeOptions {
            header_read_timeout: Duration::from_millis(200),
            ..ServeOptions::default()
        },
        Metrics::Here,
        Router::new(),
    )
    .await;
    let mut stream = TcpStream::connect(served.addr).await.unwrap();
    stream
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // The server must close it: without a timeout this read waits until the outer limit.
    let mut rest = Vec::new();
    let closed = timeout(GENEROUS, stream.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the half-sent request was still open");
    let answer = String::from_utf8_lossy(&rest);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );

    // A whole request in time is served as usual.
    let mut stream = TcpStream::connect(served.addr).await.unwrap();
    stream
        .write_all(get_request("/healthz").as_bytes())
        .await
        .unwrap();
    let answer = timeout(GENEROUS, read_response(&mut stream)).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_cap_a_connection_waits_until_another_closes() {
    let served = start_app(
        ServeOptions {
            max_connections: 2,
            header_read_timeout: Duration::from_secs(60),
            ..ServeOptions::default()
        },
        Metrics::Here,
        Router::new(),
    )
    .await;
    // Two connections served and kept open (keep-alive): the cap is reached.
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(served.addr).await.unwrap();
        stream
            .write_all(get_request("/nowhere").as_bytes())
            .await
            .unwrap();
        let answer = timeout(GENEROUS, read_response(&mut stream)).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
        open.push(stream);
    }
    // The third connects (the kernel queues it) but gets no answer while both stay open.
    let mut third = TcpStream::connect(served.addr).await.unwrap();
    third
        .write_all(get_request("/nowhere").as_bytes())
        .await
        .unwrap();
    let mut byte = [0u8; 1];
    let early = timeout(Duration::from_millis(500), third.read(&mut byte)).await;
    assert!(
        early.is_err(),
        "the connection over the cap was answered: {early:?}"
    );
    // One closes: the third is served.
    drop(open.pop());
    let answer = timeout(GENEROUS, read_response(&mut third)).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_accepting_and_closes_idle_connections() {
    let mut served = start_app(ServeOptions::default(), Metrics::Here, Router::new()).await;
    let mut idle = TcpStream::connect(served.addr).await.unwrap();
    idle.write_all(get_request("/nowhere").as_bytes())
        .await
        .unwrap();
    timeout(GENEROUS, read_response(&mut idle)).await.unwrap();
    served.stop.take().unwrap().send(()).unwrap();
    // `serve` returns once the idle keep-alive connection is closed.
    timeout(GENEROUS, &mut served.task)
        .await
        .expect("serve returned")
        .unwrap();
    let mut rest = Vec::new();
    assert_eq!(idle.read_to_end(&mut rest).await.unwrap_or(0), 0);
    assert!(TcpStream::connect(served.addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_live_on_their_own_address() {
    let api = start_app(ServeOptions::default(), Metrics::Elsewhere, Router::new()).await;
    let metrics = start(metrics_router(), ServeOptions::default(), None).await;
    let client = reqwest::Client::new();
    let at = |served: &Served, path: &str| format!("http://{}{path}", served.addr);

    let r = client.get(at(&api, "/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = client.get(at(&api, "/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = client.get(at(&metrics, "/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(
        text.contains(
            "tally_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"
        ),
        "{text}"
    );
    // Only /metrics there.
    let r = client.get(at(&metrics, "/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callers_address_comes_from_the_trusted_header_only_when_configured() {
    let echo = || {
        Router::new().route(
            "/probe/address",
            get(|ConnectInfo(addr): ConnectInfo<SocketAddr>| async move { addr.ip().to_string() }),
        )
    };
    let client = reqwest::Client::new();
    let ask = |served: &Served| {
        client
            .get(format!("http://{}/probe/address", served.addr))
            .header("X-Forwarded-For", "6.6.6.6, 203.0.113.7")
            .send()
    };

    let direct = start_app(ServeOptions::default(), Metrics::Here, echo()).await;
    let r = ask(&direct).await.unwrap();
    assert_eq!(r.text().await.unwrap(), "127.0.0.1");

    let proxied = start_app(
        ServeOptions {
            client_ip_header: Some("x-forwarded-for".parse().unwrap()),
            ..ServeOptions::default()
        },
        Metrics::Here,
        echo(),
    )
    .await;
    let r = ask(&proxied).await.unwrap();
    assert_eq!(r.text().await.unwrap(), "203.0.113.7");
}
