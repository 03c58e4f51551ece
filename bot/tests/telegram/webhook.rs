#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Webhook mode: the secret-token header, failures answered 500, several instances as one bot.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::*;
use diesel::connection::SimpleConnection;
use serde_json::Value;
use tally_bot::config::{Secret, TelegramConfig};
use tally_bot::telegram::{SECRET_HEADER, Telegram};
use tally_core::clock::ManualClock;
use tally_core::db::{Backend, Db};
use tally_core::{Settings, Tally};
use tally_testkit::db::TestDb;
use tally_testkit::telegram::{FakeTelegram, FakeUser};

const HOOK: &str = "https://bot.example.com/telegram/hook";

fn webhook_config(fake: &FakeTelegram, secret: Option<&str>) -> TelegramConfig {
    TelegramConfig {
        webhook_url: Some(HOOK.parse().unwrap()),
        webhook_secret: secret.map(Secret::new),
        ..fake.config()
    }
}

/// One `tally` instance: its own pool on the shared database, its own HTTP server.
struct Instance {
    telegram: Telegram,
    addr: SocketAddr,
}

async fn instance(db: &Db, fake: &FakeTelegram, secret: Option<&str>) -> Instance {
    let tally = Tally::builder(db.clone(), Settings::default())
        .clock(Arc::new(ManualClock::new(now())))
        .build();
    let telegram = Telegram::start(tally.clone(), &webhook_config(fake, secret), fast_options())
        .await
        .expect("adapter starts");
    let router = tally_bot::http::router_with(tally, telegram.router().expect("webhook route"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Instance { telegram, addr }
}

async fn post(addr: SocketAddr, secret: Option<&str>, body: &Value) -> u16 {
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}/telegram/hook"))
        .json(body);
    if let Some(s) = secret {
        request = request.header(SECRET_HEADER, s);
    }
    request
        .send()
        .await
        .expect("webhook reachable")
        .status()
        .as_u16()
}

fn sql(db: &TestDb, statement: &str) {
    let mut conn = db.db.checkout().expect("connection");
    conn.batch_execute(statement).expect("sql");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_requests_with_the_secret_token_are_handled() {
    for db in backends("telegram_webhook_secret") {
        let fake = FakeTelegram::start().await.unwrap();
        fake.set_date(now());
        let one = instance(&db.db, &fake, None).await;
        let ann = FakeUser::new(501, "Ann");
        let chat = ann.private_chat();

        // The secret given to setWebhook is derived from the token, and is not the token.
        let (url, secret) = fake.with(|r| (r.webhook_url.clone(), r.webhook_secret.clone()));
        assert_eq!(url, HOOK);
        let secret = secret.expect("a secret token");
        assert!(!secret.contains(fake.token()) && secret.len() >= 32);
        let set = fake.with(|r| r.ok_calls_to("setWebhook").next().unwrap().body.clone());
        assert_eq!(
            set["allowed_updates"],
            serde_json::json!(["message", "callback_query", "chat_member", "my_chat_member"])
        );

        let update = fake.message(chat, &ann, "/help");
        let update = serde_json::json!({"update_id": 42, "message": update["message"]});
        assert_eq!(post(one.addr, None, &update).await, 401);
        assert_eq!(post(one.addr, Some("wrong"), &update).await, 401);
        assert_eq!(post(one.addr, Some(&secret[1..]), &update).await, 401);
        assert_eq!(fake.with(|r| r.sent_to(chat).len()), 0);

        assert_eq!(post(one.addr, Some(&secret), &update).await, 200);
        // The reply went out before the webhook answered.
        let reply = fake
            .with(|r| r.last_sent_to(chat).cloned())
            .expect("a reply");
        assert!(reply.text.contains("Commands"), "{}", reply.text);

        // Garbage with the right secret: acknowledged, so Telegram doesn't retry it forever.
        let garbage = serde_json::json!({"update_id": "x"});
        assert_eq!(post(one.addr, Some(&secret), &garbage).await, 200);

        // Our own failure: 500, so Telegram delivers it again; the redelivery then works.
        sql(
            &db,
            "ALTER TABLE processed_updates RENAME TO processed_updates_away",
        );
        let recent = fake.message(chat, &ann, "/recent");
        let recent = serde_json::json!({"update_id": 43, "message": recent["message"]});
        assert_eq!(post(one.addr, Some(&secret), &recent).await, 500);
        sql(
            &db,
            "ALTER TABLE processed_updates_away RENAME TO processed_updates",
        );
        assert_eq!(fake.with(|r| r.sent_to(chat).len()), 1);
        assert_eq!(post(one.addr, Some(&secret), &recent).await, 200);
        assert_eq!(fake.with(|r| r.sent_to(chat).len()), 2);

        // Webhook mode never polls.
        assert_eq!(fake.with(|r| r.calls_to("getUpdates").count()), 0);
        let stats = one.telegram.stats();
        assert_eq!((stats.handled, stats.failed, stats.malformed), (2, 1, 1));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_secret_is_used_as_given() {
    let db = TestDb::sqlite();
    let fake = FakeTelegram::start().await.unwrap();
    let one = instance(&db.db, &fake, Some("my-own_secret")).await;
    assert_eq!(
        fake.with(|r| r.webhook_secret.clone()).as_deref(),
        Some("my-own_secret")
    );
    let ann = FakeUser::new(501, "Ann");
    let update = fake.message(ann.private_chat(), &ann, "/help");
    let update = serde_json::json!({"update_id": 1, "message": update["message"]});
    assert_eq!(post(one.addr, Some("my-own_secret"), &update).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_database_reply_once() {
    for db in backends("telegram_webhook_two_instances") {
        let fake = FakeTelegram::start().await.unwrap();
        fake.set_date(now());
        // Separate pools on the same database, as two processes would have.
        let second_pool = Db::connect(&db.url, 4).expect("second pool");
        let one = instance(&db.db, &fake, None).await;
        let two = instance(&second_pool, &fake, None).await;
        let secret = fake.with(|r| r.webhook_secret.clone()).unwrap();
        let ann = FakeUser::new(501, "Ann");
        let chat = ann.private_chat();

        for (n, text) in ["/categories add Houseplants", "/recent", "/help"]
            .into_iter()
            .enumerate()
        {
            let message = fake.message(chat, &ann, text);
            let update = serde_json::json!({"update_id": 100 + n, "message": message["message"]});
            // Telegram retried while the first delivery was still in progress.
            let (a, b) = tokio::join!(
                post(one.addr, Some(&secret), &update),
                post(two.addr, Some(&secret), &update)
            );
            if db.db.backend() == Backend::Postgres {
                assert_eq!((a, b), (200, 200));
            } else {
                // Two SQLite pools on one file: the loser of a write race may get "database is
                // locked" and answer 500; Telegram then delivers once more.
                assert!([a, b].contains(&200), "{a} {b}");
                for (status, addr) in [(a, one.addr), (b, two.addr)] {
                    if status != 200 {
                        assert_eq!(status, 500);
                        assert_eq!(post(addr, Some(&secret), &update).await, 200);
                    }
                }
            }
            assert_eq!(fake.with(|r| r.sent_to(chat).len()), n + 1, "after {text}");
        }
        let added = fake.with(|r| r.sent_to(chat)[0].text.clone());
        assert!(added.contains("Added"), "{added}");
        let (s1, s2) = (one.telegram.stats(), two.telegram.stats());
        assert_eq!(s1.handled + s2.handled, 3);
        assert!(s1.duplicate + s2.duplicate >= 3, "{s1:?} {s2:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_before_it_is_read() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let db = TestDb::sqlite();
    let fake = FakeTelegram::start().await.unwrap();
    fake.set_date(now());
    let one = instance(&db.db, &fake, None).await;
    // A 1.9 MB body is announced with a wrong secret, and not one byte of it is sent: the
    // answer must come anyway, so the server never waited to read it.
    let mut stream = tokio::net::TcpStream::connect(one.addr).await.unwrap();
    let head = format!(
        "POST /telegram/hook HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: wrong\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        1_900_000
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 512];
    let n = stream.read(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    one.telegram.stop().await;
}
