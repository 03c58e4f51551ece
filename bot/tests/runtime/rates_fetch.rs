#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The daily ECB fetch against a fake rates server on 127.0.0.1: the history first, then the
//! daily file, one request a day however many instances run, and an outage that changes nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use tally_bot::rates::{Fetch, RatesFetcher};
use tally_core::Tally;
use tally_core::clock::ManualClock;
use tally_core::db::Db;
use tally_core::money::Currency;
use tally_core::services::rates;
use tally_testkit::db::{TestDb, backends};

const HIST: &str = "<gesmes:Envelope><Cube>\
    <Cube time='2026-11-23'><Cube currency='USD' rate='1.0400'/><Cube currency='JPY' rate='160.10'/></Cube>\
    <Cube time='2026-11-20'><Cube currency='USD' rate='1.0300'/><Cube currency='JPY' rate='159.00'/></Cube>\
    </Cube></gesmes:Envelope>";
const DAILY: &str = "<gesmes:Envelope><Cube><Cube time='2026-11-24'>\
    <Cube currency='USD' rate='1.0565'/><Cube currency='JPY' rate='161.48'/></Cube></Cube></gesmes:Envelope>";

/// Serves the ECB's file names; counts requests; answers 503 while `down`.
#[derive(Clone, Default)]
struct FakeEcb {
    hits: Arc<Mutex<Vec<String>>>,
    down: Arc<AtomicBool>,
}

impl FakeEcb {
    async fn start(&self) -> url::Url {
        let files: HashMap<&'static str, &'static str> = [
            ("eurofxref-hist.xml", HIST),
            ("eurofxref-hist-90d.xml", HIST),
            ("eurofxref-daily.xml", DAILY),
        ]
        .into();
        let app = axum::Router::new()
            .route(
                "/eurofxref/{file}",
                get(
                    move |State(me): State<FakeEcb>, Path(file): Path<String>| async move {
                        me.hits.lock().unwrap().push(file.clone());
                        if me.down.load(Ordering::SeqCst) {
                            return (StatusCode::SERVICE_UNAVAILABLE, String::new());
                        }
                        match files.get(file.as_str()) {
                            Some(body) => (StatusCode::OK, (*body).to_string()),
                            None => (StatusCode::NOT_FOUND, String::new()),
                        }
                    },
                ),
            )
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/eurofxref/").parse().unwrap()
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn instance(t: &TestDb, clock: &Arc<ManualClock>, base: &url::Url) -> (Tally, RatesFetcher) {
    let db = Db::connect(&t.url, 4).unwrap();
    let tally = Tally::builder(db, Default::default())
        .clock(clock.clone())
        .build();
    let fetcher = RatesFetcher::new(tally.clone(), base.clone()).unwrap();
    (tally, fetcher)
}

#[tokio::test]
async fn history_first_then_the_daily_file_once_a_day() {
    for t in backends("rates_fetch_daily") {
        let ecb = FakeEcb::default();
        let base = ecb.start().await;
        let clock = Arc::new(ManualClock::new(at("2026-11-24T06:00:00Z")));
        let (tally, fetcher) = instance(&t, &clock, &base);
        assert_eq!(
            fetcher.fetch_if_due().await.unwrap(),
            Fetch::Fetched {
                file: "eurofxref-hist.xml",
                added: 4
            }
        );
        assert_eq!(fetcher.fetch_if_due().await.unwrap(), Fetch::NotDue);
        clock.advance(Duration::hours(12));
        assert_eq!(
            fetcher.fetch_if_due().await.unwrap(),
            Fetch::NotDue,
            "once a day"
        );
        clock.advance(Duration::hours(12));
        assert_eq!(
            fetcher.fetch_if_due().await.unwrap(),
            Fetch::Fetched {
                file: "eurofxref-daily.xml",
                added: 2
            }
        );
        assert_eq!(ecb.hits(), ["eurofxref-hist.xml", "eurofxref-daily.xml"]);
        let table = tally
            .db()
            .read(|c| {
                rates::table(
                    c,
                    at("2026-11-20T00:00:00Z").date_naive(),
                    at("2026-11-24T00:00:00Z").date_naive(),
                )
            })
            .await
            .unwrap();
        let day = |s: &str| s.parse().unwrap();
        let old = table
            .convert(10_000, Currency::EUR, Currency::USD, day("2026-11-21"))
            .unwrap();
        assert_eq!((old.minor, old.rate_date), (10_300, day("2026-11-20")));
        let new = table
            .convert(10_000, Currency::EUR, Currency::USD, day("2026-11-24"))
            .unwrap();
        assert_eq!(new.minor, 10_565);
    }
}

#[tokio::test]
async fn an_outage_stores_nothing_and_is_retried_after_the_lease() {
    for t in backends("rates_fetch_outage") {
        let ecb = FakeEcb::default();
        let base = ecb.start().await;
        ecb.down.store(true, Ordering::SeqCst);
        let clock = Arc::new(ManualClock::new(at("2026-11-24T06:00:00Z")));
        let (tally, fetcher) = instance(&t, &clock, &base);
        assert!(fetcher.fetch_if_due().await.is_err());
        assert_eq!(tally.db().read(rates::latest_date).await.unwrap(), None);
        // Back up, but the failed run's lease still holds: nobody hammers the server.
        ecb.down.store(false, Ordering::SeqCst);
        assert_eq!(fetcher.fetch_if_due().await.unwrap(), Fetch::NotDue);
        clock.advance(Duration::minutes(16));
        assert!(matches!(
            fetcher.fetch_if_due().await.unwrap(),
            Fetch::Fetched { .. }
        ));
        assert_eq!(ecb.hits().len(), 2);
    }
}

#[tokio::test]
async fn several_instances_fetch_once() {
    for t in backends("rates_fetch_instances") {
        let ecb = FakeEcb::default();
        let base = ecb.start().await;
        let clock = Arc::new(ManualClock::new(at("2026-11-24T06:00:00Z")));
        let fetchers: Vec<RatesFetcher> = (0..4).map(|_| instance(&t, &clock, &base).1).collect();
        let results = futures::future::join_all(fetchers.iter().map(|f| f.fetch_if_due())).await;
        let fetched = results
            .into_iter()
            .filter(|r| matches!(r, Ok(Fetch::Fetched { .. })))
            .count();
        assert_eq!(fetched, 1);
        assert_eq!(ecb.hits().len(), 1);
    }
}
