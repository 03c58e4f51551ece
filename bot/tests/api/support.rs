//! The API test harness: the real router on 127.0.0.1:0 over a fresh database, a manual clock,
//! and a reqwest client; every test runs on SQLite and, when configured, PostgreSQL.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tally_core::Tally;
use tally_core::auth::AuthSettings;
use tally_core::clock::{Clock, ManualClock};
use tally_core::conversation::{Chat, Content, Incoming, Sender};
use tally_core::domain::{ChatKind, Platform};
use tally_testkit::db::TestDb;
use tokio::task::JoinHandle;

pub use tally_testkit::db::backends;

pub const PASSWORD: &str = "correct horse battery";

pub fn start() -> DateTime<Utc> {
    "2026-11-24T12:00:00Z".parse().unwrap()
}

pub struct TestApp {
    pub base: String,
    pub tally: Tally,
    pub clock: Arc<ManualClock>,
    pub client: Client,
    pub db: TestDb,
    server: JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

static UPDATE: AtomicU64 = AtomicU64::new(0);

impl TestApp {
    /// The app on a random port, with bcrypt at cost 4 and the clock at [`start`].
    pub async fn spawn(db: TestDb) -> TestApp {
        Self::spawn_with(
            db,
            AuthSettings {
                bcrypt_cost: 4,
                ..AuthSettings::default()
            },
        )
        .await
    }

    pub async fn spawn_with(db: TestDb, auth: AuthSettings) -> TestApp {
        let clock = Arc::new(ManualClock::new(start()));
        let tally = Tally::builder(
            db.db.clone(),
            tally_core::Settings {
                public_url: "http://tally.test".into(),
                ..tally_core::Settings::default()
            },
        )
        .clock(clock.clone())
        .auth(auth)
        .build();
        // Codes shown here come with a start link once the Telegram bot's name is known.
        tally.add_link_port(Arc::new(tally_bot::telegram::StartLinks));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = tally_bot::http::router(tally.clone());
        let server = tokio::spawn(tally_bot::http::server::serve(
            listener,
            router,
            tally_bot::http::server::ServeOptions::default(),
            std::future::pending(),
        ));
        TestApp {
            base: format!("http://{addr}"),
            tally,
            clock,
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            db,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn req(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let r = self.client.request(method, self.url(path));
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.req(Method::GET, path, Some(token))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Response {
        self.req(Method::POST, path, Some(token))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Response {
        self.req(Method::PATCH, path, Some(token))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, token: &str, path: &str) -> Response {
        self.req(Method::DELETE, path, Some(token))
            .send()
            .await
            .unwrap()
    }

    pub async fn register_raw(&self, body: Value) -> Response {
        self.client
            .post(self.url("/api/v1/auth/register"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn register(&self, username: &str) -> Value {
        let r = self
            .register_raw(json!({"username": username, "password": PASSWORD}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    pub async fn login_raw(&self, username: &str, password: &str) -> Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self.login_raw(username, password).await;
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        let body: Value = r.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Registers `username` with [`PASSWORD`] and logs in.
    pub async fn user(&self, username: &str) -> String {
        self.register(username).await;
        self.login(username, PASSWORD).await
    }

    /// Records a transaction through the API and returns its JSON.
    pub async fn spend(&self, token: &str, amount: &str, category: &str, date: &str) -> Value {
        let r = self
            .post(
                token,
                "/api/v1/transactions",
                json!({"kind": "expense", "amount": amount, "category": category, "date": date}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    /// A message from `user` in a private chat on `platform`, through the core entry point the
    /// chat adapters use; the reply as plain text.
    pub async fn chat(&self, platform: Platform, user: &str, text: &str) -> String {
        let n = UPDATE.fetch_add(1, Ordering::Relaxed);
        let msg = Incoming {
            platform,
            update_id: format!("test-{n}"),
            sender: Sender {
                id: user.to_owned(),
                display_name: format!("{user} on {platform}"),
                role: None,
            },
            chat: Chat {
                kind: ChatKind::Private,
                id: user.to_owned(),
                title: None,
            },
            content: Content::from_text(text),
            at: self.clock.now(),
            message_ref: None,
            mentions: Default::default(),
        };
        self.tally
            .handle(msg)
            .await
            .unwrap()
            .reply()
            .map(|r| r.plain())
            .unwrap_or_default()
    }

    /// The same, in a group chat.
    pub async fn group_chat(
        &self,
        platform: Platform,
        user: &str,
        group: &str,
        text: &str,
    ) -> String {
        let n = UPDATE.fetch_add(1, Ordering::Relaxed);
        let msg = Incoming {
            platform,
            update_id: format!("test-{n}"),
            sender: Sender {
                id: user.to_owned(),
                display_name: user.to_owned(),
                role: None,
            },
            chat: Chat {
                kind: ChatKind::Group,
                id: group.to_owned(),
                title: Some(group.to_owned()),
            },
            content: Content::from_text(text),
            at: self.clock.now(),
            message_ref: None,
            mentions: Default::default(),
        };
        self.tally
            .handle(msg)
            .await
            .unwrap()
            .reply()
            .map(|r| r.plain())
            .unwrap_or_default()
    }
}

/// The error code and field of an error response, checking its shape.
pub async fn error_of(r: Response) -> (StatusCode, String, Option<String>) {
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    let e = &body["error"];
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    (
        status,
        e["code"].as_str().unwrap().to_owned(),
        e["field"].as_str().map(str::to_owned),
    )
}

/// Fails if a password or a bcrypt hash shows up anywhere in `text`.
pub fn assert_no_secrets(text: &str) {
    assert!(!text.contains(PASSWORD), "password leaked: {text}");
    assert!(
        !text.contains("$2b$") && !text.contains("$2a$") && !text.contains("$2y$"),
        "hash leaked: {text}"
    );
    assert!(
        !text.to_ascii_lowercase().contains("password_hash"),
        "hash field leaked: {text}"
    );
}

/// The first URL in a chat reply.
pub fn url_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .unwrap()
        .to_owned()
}

/// The link token in a `/login` reply.
pub fn token_in(text: &str) -> String {
    url_in(text).split("token=").nth(1).unwrap().to_owned()
}
