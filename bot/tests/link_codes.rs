//! Link codes: from the API to a chat (`/link CODE`, or Telegram's `/start CODE`), from one chat
//! to another, with failed tries limited per identity.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_support;

use api_support::*;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tally_core::domain::{AccountId, Platform};
use tally_core::services::{accounts, settings};

async fn account_of(app: &TestApp, platform: Platform, user: &str) -> AccountId {
    let user = user.to_owned();
    app.tally
        .db()
        .read(move |c| {
            Ok(accounts::find_identity(c, platform, &user)?
                .unwrap()
                .account)
        })
        .await
        .unwrap()
}

/// The code in a `/link` reply.
fn code_in(reply: &str) -> String {
    reply
        .split_whitespace()
        .skip_while(|w| *w != "code:")
        .nth(1)
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_code_attaches_a_chat() {
    for db in backends("code_api_first") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let r = app.post(&token, "/api/v1/link-codes", json!({})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let body: Value = r.json().await.unwrap();
        let code = body["code"].as_str().unwrap().to_owned();
        assert!(code.len() >= 8);
        assert_eq!(body["expires_in"], 600);
        assert!(body.get("telegram_link").is_none());

        // The chat already has entries of its own (made by chatting), which come along.
        app.chat(Platform::Telegram, "300", "/start").await;
        let reply = app
            .chat(
                Platform::Telegram,
                "300",
                &format!("/link {}", code.to_lowercase()),
            )
            .await;
        assert!(reply.contains("Linked") && reply.contains("ann"), "{reply}");
        let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(
            account_of(&app, Platform::Telegram, "300").await.get(),
            me["id"].as_i64().unwrap()
        );
        assert!(
            me["identities"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["platform"] == "telegram")
        );

        // A code works once.
        let reply = app
            .chat(Platform::Discord, "301", &format!("/link {code}"))
            .await;
        assert!(reply.contains("didn't work"), "{reply}");
        assert_ne!(
            account_of(&app, Platform::Discord, "301").await.get(),
            me["id"].as_i64().unwrap()
        );

        // With the bot's name known, the reply carries a t.me start link; opening it links.
        let now = app.clock.now();
        app.tally
            .db()
            .write(move |c| settings::set(c, "telegram.bot_username", "TallyTestBot", now))
            .await
            .unwrap();
        let body: Value = app
            .post(&token, "/api/v1/link-codes", json!({}))
            .await
            .json()
            .await
            .unwrap();
        let code = body["code"].as_str().unwrap();
        assert_eq!(
            body["telegram_link"],
            format!("https://t.me/TallyTestBot?start={code}")
        );
        let reply = app
            .chat(Platform::Telegram, "302", &format!("/start {code}"))
            .await;
        assert!(reply.contains("Linked"), "{reply}");
        assert_eq!(
            account_of(&app, Platform::Telegram, "302").await.get(),
            me["id"].as_i64().unwrap()
        );
        let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["identities"].as_array().unwrap().len(), 3);
        // Sending your own account's code again is harmless.
        let body: Value = app
            .post(&token, "/api/v1/link-codes", json!({}))
            .await
            .json()
            .await
            .unwrap();
        let reply = app
            .chat(
                Platform::Telegram,
                "300",
                &format!("/link {}", body["code"].as_str().unwrap()),
            )
            .await;
        assert!(reply.contains("already connected"), "{reply}");
    }
}

trait Now {
    fn now(&self) -> chrono::DateTime<chrono::Utc>;
}

impl Now for std::sync::Arc<tally_core::clock::ManualClock> {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        tally_core::clock::Clock::now(self.as_ref())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_are_limited_per_identity() {
    for db in backends("code_limits") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        let body: Value = app
            .post(&token, "/api/v1/link-codes", json!({}))
            .await
            .json()
            .await
            .unwrap();
        let code = body["code"].as_str().unwrap().to_owned();
        for left in (0..5).rev() {
            let reply = app.chat(Platform::Telegram, "66", "/link ABCDEFGHJK").await;
            assert!(
                reply.contains("didn't work") && reply.contains(&format!("{left} tr")),
                "{reply}"
            );
        }
        // Locked: even the right code waits.
        let reply = app
            .chat(Platform::Telegram, "66", &format!("/link {code}"))
            .await;
        assert!(reply.contains("too many attempts"), "{reply}");
        // Another identity is not affected.
        let reply = app.chat(Platform::Telegram, "67", "/link ABCDEFGHJK").await;
        assert!(reply.contains("4 tries left"), "{reply}");
        // The window passes, but the code (10 minutes) has expired by then.
        app.clock.advance(Duration::minutes(15));
        let reply = app
            .chat(Platform::Telegram, "66", &format!("/link {code}"))
            .await;
        assert!(reply.contains("didn't work"), "{reply}");
        let body: Value = app
            .post(
                &app.login("ann", PASSWORD).await,
                "/api/v1/link-codes",
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        let reply = app
            .chat(
                Platform::Telegram,
                "66",
                &format!("/link {}", body["code"].as_str().unwrap()),
            )
            .await;
        assert!(reply.contains("Linked"), "{reply}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_chats_join_into_one_account() {
    for db in backends("code_chat_to_chat") {
        let app = TestApp::spawn(db).await;
        let reply = app.chat(Platform::Telegram, "400", "/link").await;
        let code = code_in(&reply);
        assert!(reply.contains(&format!("/link {code}")), "{reply}");
        let telegram = account_of(&app, Platform::Telegram, "400").await;
        app.chat(Platform::Discord, "500", "/start").await;
        let discord = account_of(&app, Platform::Discord, "500").await;
        assert_ne!(telegram, discord);

        let reply = app
            .chat(Platform::Discord, "500", &format!("/link {code}"))
            .await;
        assert!(reply.contains("Linked"), "{reply}");
        // Neither had a password: the account that gave the code lives on.
        assert_eq!(account_of(&app, Platform::Discord, "500").await, telegram);
        assert_eq!(account_of(&app, Platform::Telegram, "400").await, telegram);

        // From Discord, with the Telegram bot's name known, the code comes with a start link.
        let now = app.clock.now();
        app.tally
            .db()
            .write(move |c| settings::set(c, "telegram.bot_username", "@TallyTestBot", now))
            .await
            .unwrap();
        let reply = app.chat(Platform::Discord, "500", "/link").await;
        assert!(
            reply.contains("https://t.me/TallyTestBot?start="),
            "{reply}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_with_a_password_survives() {
    for db in backends("code_survivor") {
        let app = TestApp::spawn(db).await;
        // Discord's chat account gets a login through the page.
        let reply = app.chat(Platform::Discord, "77", "/login").await;
        let r = app
            .client
            .post(app.url("/link"))
            .form(&[
                ("token", token_in(&reply).as_str()),
                ("action", "create"),
                ("username", "dee"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let dee = account_of(&app, Platform::Discord, "77").await;
        // Telegram (no password) gives the code, Discord (password) redeems it.
        let code = code_in(&app.chat(Platform::Telegram, "88", "/link").await);
        let reply = app
            .chat(Platform::Discord, "77", &format!("/link {code}"))
            .await;
        assert!(reply.contains("Linked") && reply.contains("dee"), "{reply}");
        assert_eq!(account_of(&app, Platform::Telegram, "88").await, dee);
        let token = app.login("dee", PASSWORD).await;
        let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();
        let platforms: Vec<&str> = me["identities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["platform"].as_str().unwrap())
            .collect();
        assert!(
            platforms.contains(&"telegram") && platforms.contains(&"discord"),
            "{platforms:?}"
        );
    }
}
