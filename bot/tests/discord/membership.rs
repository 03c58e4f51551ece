#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A Discord budget channel seen through the API is open only while Discord says the caller is
//! still in the server, and leaving the server takes access away at once.

use std::net::SocketAddr;

use crate::support::fake::{self, GUILD_ID, sub};
use crate::support::fake::{ANA, BEN};
use crate::support::{Harness, Person, Place, Setup, backends};
use chrono::Duration;
use serde_json::{Value, json};
use tally_core::auth::sessions;
use tally_core::domain::{AccountId, LedgerId, Platform};
use tally_core::services::{accounts, ledgers};
use tally_testkit::db::TestDb;

const CHANNEL: u64 = 620000000000000002;
const BUDGET: Place = Place::Guild { channel: CHANNEL };

/// Ana switches the channel's budget on; Ben uses it (and so joins it) and records an entry.
async fn budget_channel(h: &Harness) -> LedgerId {
    let f = &h.fake;
    f.interaction(fake::command(
        7001,
        &ANA,
        BUDGET,
        "budget-channel",
        sub("enable", &[]),
    ))
    .await;
    f.callback(7001).await;
    f.interaction(fake::command(7002, &BEN, BUDGET, "categories", json!([])))
        .await;
    f.callback(7002).await;
    h.spend(&BEN, Some(CHANNEL), "9", "food", "snack");
    h.db.db
        .write_blocking(|c| {
            Ok(
                ledgers::find_group(c, Platform::Discord, &CHANNEL.to_string())?
                    .expect("the channel's ledger")
                    .id,
            )
        })
        .unwrap()
}

fn account(h: &Harness, who: &Person) -> AccountId {
    let id = who.id.to_string();
    h.db.db
        .write_blocking(move |c| {
            Ok(accounts::find_identity(c, Platform::Discord, &id)?
                .expect("an account")
                .account)
        })
        .unwrap()
}

async fn serve_api(h: &Harness) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = tally_bot::http::router(h.tally.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn token(h: &Harness, who: &Person) -> String {
    let id = account(h, who);
    let account =
        h.db.db
            .write_blocking(move |c| accounts::find(c, id))
            .unwrap();
    sessions::issue_access(&h.tally, &account)
        .await
        .unwrap()
        .token
}

async fn get(addr: SocketAddr, token: &str, path: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/api/v1{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn member_lookups(h: &Harness, who: &Person) -> usize {
    let path = format!("/api/v10/guilds/{GUILD_ID}/members/{}", who.id);
    h.fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == path)
        .count()
}

async fn api_rechecks_membership_with_discord(db: TestDb) {
    let h = Harness::start(db).await;
    let ledger = budget_channel(&h).await;
    let addr = serve_api(&h).await;
    let ben = token(&h, &BEN).await;
    let q = format!("/transactions?ledger={}", ledger.get());
    h.fake.set_member(&BEN, true);

    // Ben just used the channel: no question to Discord.
    let (status, page) = get(addr, &ben, &q).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(member_lookups(&h, &BEN), 0);

    // Six minutes on, Discord is asked once and says he is still in the server.
    h.clock.advance(Duration::minutes(6));
    assert_eq!(get(addr, &ben, &q).await.0, 200);
    assert_eq!(get(addr, &ben, &q).await.0, 200);
    assert_eq!(member_lookups(&h, &BEN), 1);

    // He leaves the server: the next re-check finds out, and the channel's ledger is gone for him.
    h.fake.set_member(&BEN, false);
    h.clock.advance(Duration::minutes(6));
    let (status, body) = get(addr, &ben, &q).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(get(addr, &ben, "/transactions").await.0, 200);
    h.stop().await;
}

async fn leaving_the_server_removes_access_at_once(db: TestDb) {
    let h = Harness::with(
        db,
        Setup {
            member_events: true,
            ..Setup::default()
        },
    )
    .await;
    // The client asked for the members intent (1 << 1) because the operator said it is on.
    let intents = h.fake.identifies()[0]["intents"].as_u64().unwrap();
    assert_eq!(intents & 2, 2, "intents {intents}");
    let ledger = budget_channel(&h).await;
    let ben = account(&h, &BEN);

    h.fake
        .dispatch(
            "GUILD_MEMBER_REMOVE",
            json!({"guild_id": GUILD_ID, "user": {"id": BEN.id.to_string(), "username": "ben", "discriminator": "0", "avatar": null}}),
        )
        .await;
    // The handler looks the channel up on Discord, then records the departure: poll for it.
    let deadline = tokio::time::Instant::now() + fake::WAIT;
    loop {
        let list =
            h.db.db
                .write_blocking(move |c| ledgers::list_for(c, ben))
                .unwrap();
        if list.iter().all(|(l, _)| l.id != ledger) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "Ben still has the channel's ledger"
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Ana, still in the server, keeps it.
    let ana = account(&h, &ANA);
    let still =
        h.db.db
            .write_blocking(move |c| ledgers::access(c, ana, ledger))
            .unwrap();
    assert_eq!(still.ledger.id, ledger);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_rechecks_with_discord() {
    for db in backends("discord_membership_api") {
        api_rechecks_membership_with_discord(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_remove_event_takes_access_away() {
    for db in backends("discord_membership_event") {
        leaving_the_server_removes_access_at_once(db).await;
    }
}
