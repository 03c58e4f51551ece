//! Shared set-up for the Telegram tests: a fake Bot API, a core on a test database, the adapter.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use tally_bot::config::{Secret, TelegramConfig};
use tally_bot::telegram::{Options, PollOptions, RetryPolicy, Telegram};
use tally_core::clock::ManualClock;
use tally_core::db::AnyConnection;
use tally_core::domain::{AccountId, CategoryName, DateOrder, LedgerId, Platform, TransactionKind};
use tally_core::money::{Currency, Money};
use tally_core::parser::{ParseContext, Parser, Vocabulary};
use tally_core::services::transactions::{self, NewTransaction, Source};
use tally_core::services::{accounts, ledgers};
use tally_core::{Settings, Tally};
use tally_testkit::db::TestDb;
use tally_testkit::telegram::{FakeTelegram, Sent};

pub use tally_testkit::db::backends;
pub use tally_testkit::fixtures::now;

/// Generous: waits end as soon as what they wait for happens.
pub const WAIT: Duration = Duration::from_secs(20);

/// The adapter's configuration against a fake Bot API, in polling mode (the fake lives in
/// `tally-testkit`, which knows nothing of the bot's configuration types).
pub trait FakeConfig {
    fn config(&self) -> TelegramConfig;
}

impl FakeConfig for FakeTelegram {
    fn config(&self) -> TelegramConfig {
        TelegramConfig {
            token: Secret::new(self.token()),
            api_url: self.url(),
            webhook_url: None,
            webhook_secret: None,
        }
    }
}

pub fn today() -> NaiveDate {
    now().date_naive()
}

/// True once the rule-based parser is merged (in this branch it may still be a stub). Tests
/// that need `/spent 12 pizza` to parse check this and say when they are skipped.
pub fn parser_ready(test: &str) -> bool {
    let vocabulary = Vocabulary::default();
    let ctx = ParseContext {
        today: today(),
        currency: Currency::USD,
        date_order: DateOrder::Mdy,
        vocabulary: &vocabulary,
    };
    let ready = Parser::new()
        .parse_add_args("12 pizza", TransactionKind::Expense, &ctx)
        .is_ok();
    if !ready {
        tally_testkit::db::skip_unless_ci(&format!(
            "the parser is still a stub in this build ({test})"
        ));
    }
    ready
}

/// Options for tests: no throttling, short waits, no caching of admin status.
pub fn fast_options() -> Options {
    Options {
        limits: None,
        retry: RetryPolicy {
            call_timeout: Duration::from_secs(2),
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(100),
            max_attempts: 8,
            retry_after_unit: Duration::from_millis(20),
        },
        poll: PollOptions {
            timeout: Duration::from_secs(1),
            limit: 100,
            max_handle_attempts: 10,
        },
        role_ttl: Duration::ZERO,
    }
}

pub fn tally_on(db: &TestDb) -> Tally {
    Tally::builder(db.db.clone(), Settings::default())
        .clock(Arc::new(ManualClock::new(now())))
        .build()
}

/// A fake Bot API, a core on `db` and the adapter polling between them.
pub struct Rig {
    pub fake: FakeTelegram,
    pub tally: Tally,
    pub telegram: Telegram,
}

pub async fn rig(db: &TestDb) -> Rig {
    rig_with(db, fast_options()).await
}

pub async fn rig_with(db: &TestDb, options: Options) -> Rig {
    rig_on(tally_on(db), options).await
}

/// A rig whose core reads `clock`, for tests that let time pass.
pub async fn rig_with_clock(db: &TestDb, clock: Arc<ManualClock>) -> Rig {
    let tally = Tally::builder(db.db.clone(), Settings::default())
        .clock(clock)
        .build();
    rig_on(tally, fast_options()).await
}

async fn rig_on(tally: Tally, options: Options) -> Rig {
    // As in `tally run`: the web server's `/login` page is there to link to.
    tally.add_link_port(Arc::new(tally_bot::http::links::WebLinks::new(
        &tally.settings().public_url,
    )));
    let fake = FakeTelegram::start().await.expect("fake Bot API");
    fake.set_date(now());
    let telegram = Telegram::start(tally.clone(), &fake.config(), options)
        .await
        .expect("adapter starts");
    Rig {
        fake,
        tally,
        telegram,
    }
}

impl Rig {
    /// Waits for the chat to hold `n` messages from the bot.
    pub async fn messages(&self, chat: i64, n: usize) -> Vec<Sent> {
        self.fake
            .wait_for_messages(chat, n, WAIT)
            .await
            .unwrap_or_else(|| {
                panic!(
                    "chat {chat} never got {n} messages; it has: {:#?}",
                    self.fake
                        .with(|r| r.sent_to(chat).into_iter().cloned().collect::<Vec<_>>())
                )
            })
    }

    /// The `n`-th message (1-based) the chat receives.
    pub async fn nth(&self, chat: i64, n: usize) -> Sent {
        self.messages(chat, n).await[n - 1].clone()
    }

    /// Waits until the adapter confirmed `update_id` (the polling offset moved past it).
    pub async fn confirmed(&self, update_id: u32) {
        self.fake
            .wait_until(WAIT, |r| (r.confirmed > i64::from(update_id)).then_some(()))
            .await
            .unwrap_or_else(|| panic!("update {update_id} was never confirmed"));
    }

    /// Waits until a message with id `message_id` in `chat` was edited `edits` times.
    pub async fn edited(&self, chat: i64, message_id: i32, edits: u32) -> Sent {
        self.fake
            .wait_until(WAIT, |r| {
                r.messages
                    .get(&(chat, message_id))
                    .filter(|s| s.edits >= edits)
                    .cloned()
            })
            .await
            .unwrap_or_else(|| panic!("message {message_id} was never edited"))
    }

    /// Runs `f` in one write transaction on the core's database.
    pub fn db<T>(&self, f: impl FnOnce(&mut AnyConnection) -> tally_core::Result<T>) -> T {
        self.tally.db().write_blocking(f).expect("database work")
    }
}

/// The account behind a Telegram user (who has written to the bot before).
pub fn account_of(conn: &mut AnyConnection, user_id: u64) -> AccountId {
    accounts::find_identity(conn, Platform::Telegram, &user_id.to_string())
        .expect("lookup")
        .expect("the user has an account")
        .account
}

pub fn personal_ledger(conn: &mut AnyConnection, account: AccountId) -> LedgerId {
    ledgers::personal(conn, account)
        .expect("personal ledger")
        .id
}

pub fn group_ledger(conn: &mut AnyConnection, chat: i64) -> LedgerId {
    ledgers::find_group(conn, Platform::Telegram, &chat.to_string())
        .expect("lookup")
        .expect("the group has a ledger")
        .id
}

/// Records an expense directly through the services (no parser needed).
pub fn spend(
    conn: &mut AnyConnection,
    who: AccountId,
    ledger: LedgerId,
    amount: &str,
    category: &str,
    note: &str,
) -> tally_core::models::transaction::Transaction {
    transactions::record(
        conn,
        who,
        ledger,
        NewTransaction {
            kind: TransactionKind::Expense,
            money: Money::parse(amount, Currency::USD).expect("amount"),
            category: CategoryName::parse(category).expect("category"),
            date: today(),
            note: note.to_owned(),
            source: Source {
                platform: Platform::Telegram,
                reference: None,
            },
        },
        now(),
    )
    .expect("record")
}
