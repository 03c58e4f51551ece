//! The Discord adapter under test: a fresh database, a fake Discord, the real serenity client.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use serde_json::Value;
use tally_bot::config::{Secret, ShardRange};
use tally_bot::discord::{self, Discord, Options, Outcome};
use tally_core::Tally;
use tally_core::clock::ManualClock;
use tally_core::conversation::fallback::Fallback;
use tally_core::domain::{CategoryName, Platform, TransactionKind};
use tally_core::models::transaction::Transaction;
use tally_core::money::{Currency, Money};
use tally_core::services::transactions::{NewTransaction, Source};
use tally_core::services::{accounts, ledgers, transactions};
use tally_testkit::db::TestDb;
use tokio::sync::broadcast;

pub use tally_testkit::db::backends;
pub use tally_testkit::discord::{self as fake, FakeDiscord, Person, Place};
pub use tally_testkit::fixtures::now;

pub fn today() -> NaiveDate {
    now().date_naive()
}

pub struct Setup {
    pub defer_after: Duration,
    pub fallback: Option<Arc<dyn Fallback>>,
    pub shards: Option<ShardRange>,
    pub guild_id: Option<u64>,
    pub member_events: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            // No test depends on timing: the safety defer is tested on its own with zero.
            defer_after: Duration::from_secs(600),
            fallback: None,
            shards: None,
            guild_id: None,
            member_events: false,
        }
    }
}

pub struct Harness {
    pub fake: FakeDiscord,
    pub tally: Tally,
    /// The core's clock, for tests that let time pass.
    pub clock: Arc<ManualClock>,
    pub discord: Option<Discord>,
    pub db: TestDb,
    /// The PUT of the slash commands, made once the client was READY.
    pub registration: fake::Request,
    outcomes: tokio::sync::Mutex<(broadcast::Receiver<Outcome>, Vec<Outcome>)>,
}

impl Harness {
    pub async fn start(db: TestDb) -> Harness {
        Harness::with(db, Setup::default()).await
    }

    pub async fn with(db: TestDb, setup: Setup) -> Harness {
        let fake = FakeDiscord::start().await;
        let clock = Arc::new(ManualClock::new(now()));
        let mut builder =
            Tally::builder(db.db.clone(), tally_core::Settings::default()).clock(clock.clone());
        if let Some(f) = setup.fallback {
            builder = builder.fallback(f);
        }
        let tally = builder.build();
        let options = Options {
            token: Secret::new("fake-token"),
            api_url: Some(fake.url.parse().expect("url")),
            guild_id: setup.guild_id,
            shards: setup.shards,
            defer_after: setup.defer_after,
            member_events: setup.member_events,
        };
        let discord = discord::start(options, tally.clone())
            .await
            .expect("discord starts");
        let outcomes = tokio::sync::Mutex::new((discord.outcomes(), Vec::new()));
        let registration = if setup.shards.is_some_and(|s| s.first > 0) {
            // Only the instance with shard 0 registers; wait for the identify instead.
            fake.wait("identify", |f| f.identifies().first().cloned())
                .await;
            fake::Request {
                method: String::new(),
                path: String::new(),
                body: Value::Null,
                files: Vec::new(),
            }
        } else {
            fake.ready().await
        };
        Harness {
            fake,
            tally,
            clock,
            discord: Some(discord),
            db,
            registration,
            outcomes,
        }
    }

    /// How update `id` ended (`handled`, `duplicate`, `ignored`, `failed`); waits for it.
    /// With `nth`, the nth outcome for that id (1 = the first), for redeliveries.
    pub async fn outcome(&self, id: u64, nth: usize) -> &'static str {
        let id = id.to_string();
        let mut guard = self.outcomes.lock().await;
        let (rx, seen) = &mut *guard;
        let deadline = tokio::time::Instant::now() + fake::WAIT;
        loop {
            if let Some(o) = seen.iter().filter(|o| o.update_id == id).nth(nth - 1) {
                return o.outcome;
            }
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Ok(o)) => seen.push(o),
                other => panic!("no outcome #{nth} for update {id}: {other:?}; saw {seen:?}"),
            }
        }
    }

    pub async fn stop(mut self) {
        if let Some(d) = self.discord.take() {
            d.shutdown().await;
        }
    }

    /// Records an expense for a Discord user directly through the services (no parser needed),
    /// in their own ledger or in a budget channel's (`channel`).
    pub fn spend(
        &self,
        user: &Person,
        channel: Option<u64>,
        amount: &str,
        category: &str,
        note: &str,
    ) -> Transaction {
        let user_id = user.id.to_string();
        let name = user.username.to_owned();
        let amount = amount.to_owned();
        let category = category.to_owned();
        let note = note.to_owned();
        self.db
            .db
            .write_blocking(move |conn| {
                let account = accounts::resolve_identity(
                    conn,
                    Platform::Discord,
                    &user_id,
                    &name,
                    Default::default(),
                    now(),
                )?;
                let ledger = match channel {
                    Some(c) => ledgers::find_group(conn, Platform::Discord, &c.to_string())?
                        .expect("the channel has a ledger"),
                    None => ledgers::personal(conn, account.id)?,
                };
                transactions::record(
                    conn,
                    account.id,
                    ledger.id,
                    NewTransaction {
                        kind: TransactionKind::Expense,
                        money: Money::parse(&amount, Currency::USD).expect("amount"),
                        category: CategoryName::parse(&category).expect("category"),
                        date: today(),
                        note,
                        source: Source {
                            platform: Platform::Discord,
                            reference: None,
                        },
                    },
                    now(),
                )
            })
            .expect("recorded")
    }
}

/// The message content of an interaction callback (or an edit / follow-up body).
pub fn content(body: &Value) -> String {
    body.get("data")
        .unwrap_or(body)
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Whether a callback's message is only for the caller (flag 64).
pub fn ephemeral(body: &Value) -> bool {
    body["data"]["flags"].as_u64().is_some_and(|f| f & 64 != 0)
}

/// Every `custom_id` (buttons and menus) and select option value of a message body.
pub fn component_ids(body: &Value) -> Vec<String> {
    let data = body.get("data").unwrap_or(body);
    let mut out = Vec::new();
    for row in data["components"].as_array().into_iter().flatten() {
        for c in row["components"].as_array().into_iter().flatten() {
            if let Some(id) = c["custom_id"].as_str() {
                out.push(id.to_owned());
            }
            for o in c["options"].as_array().into_iter().flatten() {
                if let Some(v) = o["value"].as_str() {
                    out.push(v.to_owned());
                }
            }
        }
    }
    out
}

/// Runs `scenario` on every configured backend.
#[macro_export]
macro_rules! on_backends {
    ($name:literal, $scenario:ident) => {
        for db in backends($name) {
            $scenario(db).await;
        }
    };
}
