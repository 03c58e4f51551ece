#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Group access follows Telegram: a member who left or was removed loses the group's ledger at
//! once, over the API too; a demoted admin loses their role; a bot removed from the group
//! switches its ledger off. Each is an attack that used to work.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::support::*;
use chrono::Duration;
use serde_json::{Value, json};
use tally_core::Tally;
use tally_core::auth::sessions;
use tally_core::clock::ManualClock;
use tally_core::domain::{LedgerId, Role};
use tally_core::services::{accounts, ledgers};
use tally_testkit::telegram::FakeUser;

const GROUP: i64 = -1_001_555_000_111;

fn bob() -> FakeUser {
    FakeUser::new(701, "Bob")
}

fn cat() -> FakeUser {
    FakeUser::new(702, "Cat")
}

/// The HTTP API on the same core as the Telegram adapter.
async fn serve_api(tally: &Tally) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = tally_bot::http::router(tally.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// An access token for a Telegram user's account, as a login would give.
async fn token_of(rig: &Rig, user: u64) -> String {
    let account = rig.db(|c| {
        let id = account_of(c, user);
        accounts::find(c, id)
    });
    sessions::issue_access(&rig.tally, &account)
        .await
        .expect("token")
        .token
}

struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    fn new(addr: SocketAddr) -> Api {
        Api {
            client: reqwest::Client::new(),
            base: format!("http://{addr}/api/v1"),
        }
    }

    async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn send(&self, method: &str, token: &str, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }
}

/// Bob (the group's creator) and Cat each record an entry in the group.
async fn busy_group(rig: &Rig) -> LedgerId {
    rig.fake.name_group(GROUP, "Flat");
    rig.fake.set_status(GROUP, bob().id, "creator");
    rig.fake.send_text(GROUP, &bob(), "/spent 40 groceries");
    rig.nth(GROUP, 1).await;
    rig.fake.send_text(GROUP, &cat(), "/spent 12 lunch");
    rig.nth(GROUP, 2).await;
    rig.db(|c| Ok(group_ledger(c, GROUP)))
}

fn get_chat_member_calls(rig: &Rig, user: u64) -> usize {
    rig.fake.with(|r| {
        r.ok_calls_to("getChatMember")
            .filter(|c| c.body["user_id"] == json!(user))
            .count()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_removed_from_the_group_loses_it_over_the_api_at_once() {
    for db in backends("telegram_membership_kicked") {
        if !parser_ready("telegram_membership_kicked") {
            return;
        }
        let rig = rig(&db).await;
        let ledger = busy_group(&rig).await;
        let api = Api::new(serve_api(&rig.tally).await);
        let token = token_of(&rig, cat().id).await;
        let q = format!("/transactions?ledger={}", ledger.get());

        // Cat is in the group: the API shows the group's two entries.
        let (status, page) = api.get(&token, &q).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], 2);
        let cats_entry = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["note"].as_str().unwrap_or_default().contains("lunch"))
            .map(|t| t["id"].as_i64().unwrap())
            .expect("Cat's entry");

        // An admin removes Cat; Telegram says so in a chat_member update.
        let update = rig.fake.member_update(GROUP, &cat(), "kicked");
        rig.confirmed(update).await;

        // Reading, writing and changing her own old entry through the API are all refused, as
        // if the group did not exist.
        let (status, body) = api.get(&token, &q).await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = api
            .send(
                "POST",
                &token,
                "/transactions",
                json!({"kind": "expense", "amount": "5", "category": "food", "ledger": ledger.get()}),
            )
            .await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = api
            .send(
                "PATCH",
                &token,
                &format!("/transactions/{cats_entry}"),
                json!({"amount": "1"}),
            )
            .await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = api
            .send(
                "PUT",
                &token,
                &format!("/budgets/food/month?ledger={}", ledger.get()),
                json!({"amount": "1"}),
            )
            .await;
        assert_eq!(status, 404, "{body}");
        let (_, ledgers_list) = api.get(&token, "/ledgers").await;
        assert!(
            ledgers_list
                .as_array()
                .map(|a| a.iter().all(|l| l["id"] != json!(ledger.get())))
                .unwrap_or(true),
            "{ledgers_list}"
        );
        // Her personal ledger is untouched, and the group keeps its history.
        let (status, _) = api.get(&token, "/transactions").await;
        assert_eq!(status, 200);
        let bob_token = token_of(&rig, bob().id).await;
        let (_, page) = api.get(&bob_token, &q).await;
        assert_eq!(page["total"], 2);
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_access_is_rechecked_with_telegram_after_a_few_minutes() {
    for db in backends("telegram_membership_fresh") {
        if !parser_ready("telegram_membership_fresh") {
            return;
        }
        let clock = Arc::new(ManualClock::new(now()));
        let rig = rig_with_clock(&db, clock.clone()).await;
        let ledger = busy_group(&rig).await;
        let api = Api::new(serve_api(&rig.tally).await);
        let q = format!("/transactions?ledger={}", ledger.get());
        let (bob_token, cat_token) = (
            token_of(&rig, bob().id).await,
            token_of(&rig, cat().id).await,
        );

        // Just confirmed by their messages: the API does not ask Telegram again.
        let asked = get_chat_member_calls(&rig, bob().id);
        assert_eq!(api.get(&bob_token, &q).await.0, 200);
        assert_eq!(get_chat_member_calls(&rig, bob().id), asked);

        // Cat leaves quietly (no chat_member update reaches the bot, as when it isn't an admin).
        // Six minutes on, each API request needs Telegram's fresh word: one question each.
        rig.fake.set_status(GROUP, cat().id, "left");
        clock.advance(Duration::minutes(6));
        assert_eq!(api.get(&bob_token, &q).await.0, 200);
        assert_eq!(get_chat_member_calls(&rig, bob().id), asked + 1);
        assert_eq!(api.get(&bob_token, &q).await.0, 200);
        assert_eq!(get_chat_member_calls(&rig, bob().id), asked + 1);
        let cat_asked = get_chat_member_calls(&rig, cat().id);
        let (status, body) = api.get(&cat_token, &q).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(get_chat_member_calls(&rig, cat().id), cat_asked + 1);
        let gone = rig.db(|c| {
            let id = account_of(c, cat().id);
            ledgers::list_for(c, id)
        });
        assert!(gone.iter().all(|(l, _)| l.id != ledger));

        // Bob is demoted from creator to member: after the next re-check, admin actions through
        // the API are refused.
        rig.fake.set_status(GROUP, bob().id, "member");
        clock.advance(Duration::minutes(6));
        let (status, body) = api
            .send(
                "PUT",
                &bob_token,
                &format!("/budgets/food/month?ledger={}", ledger.get()),
                json!({"amount": "100"}),
            )
            .await;
        assert_eq!(status, 403, "{body}");
        let role = rig.db(|c| {
            let id = account_of(c, bob().id);
            Ok(ledgers::access(c, id, ledger)?.role)
        });
        assert_eq!(role, Role::Member);

        // Telegram cannot be reached: the group is refused over the API (never granted on an
        // old word), and the personal ledger still answers.
        clock.advance(Duration::minutes(6));
        rig.fake.fail_next(
            "getChatMember",
            tally_testkit::telegram::Failure::Status(400),
        );
        let (status, body) = api.get(&bob_token, &q).await;
        assert_eq!(status, 403, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("Telegram"),
            "{body}"
        );
        assert_eq!(api.get(&bob_token, "/transactions").await.0, 200);
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_in_the_group_asks_telegram_and_a_departed_member_is_refused() {
    for db in backends("telegram_membership_press") {
        if !parser_ready("telegram_membership_press") {
            return;
        }
        let rig = rig(&db).await;
        let ledger = busy_group(&rig).await;
        let recorded = rig.nth(GROUP, 2).await;
        let undo = recorded.button("Undo").expect("an undo button");

        // Cat leaves; her press on the undo button of her entry changes nothing.
        rig.fake.set_status(GROUP, cat().id, "left");
        let asked = get_chat_member_calls(&rig, cat().id);
        let press = rig.fake.press(&cat(), GROUP, recorded.message_id, &undo);
        rig.confirmed(press).await;
        assert_eq!(get_chat_member_calls(&rig, cat().id), asked + 1);
        let notices: Vec<String> = rig.fake.with(|r| {
            r.ok_calls_to("answerCallbackQuery")
                .filter_map(|c| c.body["text"].as_str().map(str::to_owned))
                .collect()
        });
        assert!(
            notices
                .iter()
                .any(|n| n.contains("no longer in this group")),
            "{notices:?}"
        );
        let bob_sees = rig.db(|c| {
            let bob = account_of(c, bob().id);
            tally_core::services::transactions::list(c, bob, ledger, &Default::default(), 50, 0)
        });
        assert_eq!(bob_sees.total, 2, "the entry was not undone");
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_the_bot_switches_the_groups_ledger_off_on_every_path() {
    for db in backends("telegram_membership_bot_removed") {
        if !parser_ready("telegram_membership_bot_removed") {
            return;
        }
        let rig = rig(&db).await;
        let ledger = busy_group(&rig).await;
        let api = Api::new(serve_api(&rig.tally).await);
        let token = token_of(&rig, bob().id).await;

        let update = rig.fake.bot_member_update(GROUP, "kicked");
        rig.confirmed(update).await;
        let active = rig.db(|c| {
            Ok(ledgers::find_group(
                c,
                tally_core::domain::Platform::Telegram,
                &GROUP.to_string(),
            )?
            .expect("ledger")
            .active)
        });
        assert!(!active);

        // Reading still works; no write goes through.
        let (status, page) = api
            .get(&token, &format!("/transactions?ledger={}", ledger.get()))
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], 2);
        let (status, body) = api
            .send(
                "POST",
                &token,
                "/transactions",
                json!({"kind": "expense", "amount": "5", "category": "food", "ledger": ledger.get()}),
            )
            .await;
        assert_eq!(status, 403, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("switched off"),
            "{body}"
        );

        // Added back to the group, the bot's ledger takes entries again.
        let update = rig.fake.bot_member_update(GROUP, "member");
        rig.confirmed(update).await;
        let (status, body) = api
            .send(
                "POST",
                &token,
                "/transactions",
                json!({"kind": "expense", "amount": "5", "category": "food", "ledger": ledger.get()}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        rig.telegram.stop().await;
    }
}
