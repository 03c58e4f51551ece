//! Link codes: from the API to a chat (`/link CODE`, or Telegram's `/start CODE`), from one chat
//! to another, with failed tries limited per identity.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
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
        // The code alone moves nothing: the chat is asked first, and says which account.
        assert!(
            reply.contains("Link this chat to another account?") && reply.contains("ann"),
            "{reply}"
        );
        let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();
        assert_ne!(
            account_of(&app, Platform::Telegram, "300").await.get(),
            me["id"].as_i64().unwrap()
        );
        let reply = app.chat(Platform::Telegram, "300", "/link confirm").await;
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
        assert!(reply.contains("Link this chat"), "{reply}");
        let reply = app.chat(Platform::Telegram, "302", "/link confirm").await;
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
        assert!(reply.contains("Link this chat"), "{reply}");
        let reply = app.chat(Platform::Telegram, "66", "/link confirm").await;
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
        assert!(reply.contains("Link this chat"), "{reply}");
        assert_ne!(account_of(&app, Platform::Discord, "500").await, telegram);
        let reply = app.chat(Platform::Discord, "500", "/link confirm").await;
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
        assert!(reply.contains("Link this chat"), "{reply}");
        let reply = app.chat(Platform::Discord, "77", "/link confirm").await;
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

/// What a chat says, with its buttons' actions (`lk:3`…), for pressing them later.
async fn say(app: &TestApp, platform: Platform, user: &str, text: &str) -> (String, Vec<String>) {
    let msg = tally_core::conversation::Incoming {
        platform,
        update_id: format!("say-{}-{user}-{}", rand_id(), text.len()),
        sender: tally_core::conversation::Sender {
            id: user.to_owned(),
            display_name: format!("{user} on {platform}"),
            role: None,
        },
        chat: tally_core::conversation::Chat {
            kind: tally_core::domain::ChatKind::Private,
            id: user.to_owned(),
            title: None,
        },
        content: tally_core::conversation::Content::from_text(text),
        at: app.clock.now(),
        message_ref: None,
        mentions: Default::default(),
    };
    let reply = app
        .tally
        .handle(msg)
        .await
        .unwrap()
        .reply()
        .unwrap_or_default();
    let actions = reply
        .messages
        .iter()
        .flat_map(|m| m.buttons.iter().flatten())
        .map(|b| b.action.encode())
        .collect();
    (reply.plain(), actions)
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phished_start_link_hands_over_nothing() {
    for db in backends("code_phished") {
        let app = TestApp::spawn(db).await;
        // The attacker makes a code over the API and sends the victim its start link.
        let eve = app.user("eve").await;
        let body: Value = app
            .post(&eve, "/api/v1/link-codes", json!({}))
            .await
            .json()
            .await
            .unwrap();
        let code = body["code"].as_str().unwrap().to_owned();
        app.chat(Platform::Telegram, "900", "spent 40 on pharmacy")
            .await;
        let victim = account_of(&app, Platform::Telegram, "900").await;

        // The victim presses Start: asked, nothing moved.
        let (reply, actions) =
            say(&app, Platform::Telegram, "900", &format!("/start {code}")).await;
        assert!(
            reply.contains("eve") && reply.contains("1 entry"),
            "{reply}"
        );
        assert_eq!(account_of(&app, Platform::Telegram, "900").await, victim);
        let listed: Value = app
            .get(&eve, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 0, "{listed}");
        let confirm = actions
            .iter()
            .find(|a| a.starts_with("lk:"))
            .unwrap()
            .clone();

        // The attacker presses the victim's Confirm through the API: refused, nothing moves.
        let r = app
            .post(&eve, "/api/v1/messages", json!({"action": confirm}))
            .await;
        let text = r.text().await.unwrap();
        assert!(!text.contains("Linked"), "{text}");
        assert_eq!(account_of(&app, Platform::Telegram, "900").await, victim);

        // The victim cancels: still their own account, and the code is gone.
        let cancel = actions
            .iter()
            .find(|a| a.starts_with("lx:"))
            .unwrap()
            .clone();
        let r = app
            .tally
            .handle(tally_core::conversation::Incoming {
                platform: Platform::Telegram,
                update_id: "press-cancel".into(),
                sender: tally_core::conversation::Sender {
                    id: "900".into(),
                    display_name: "Vic".into(),
                    role: None,
                },
                chat: tally_core::conversation::Chat {
                    kind: tally_core::domain::ChatKind::Private,
                    id: "900".into(),
                    title: None,
                },
                content: tally_core::conversation::Content::Action(
                    tally_core::conversation::Action::decode(&cancel).unwrap(),
                ),
                at: app.clock.now(),
                message_ref: None,
                mentions: Default::default(),
            })
            .await
            .unwrap()
            .reply()
            .unwrap();
        assert!(r.plain().contains("nothing was linked"), "{}", r.plain());
        let reply = app.chat(Platform::Telegram, "900", "/link confirm").await;
        assert!(reply.contains("expired or was already answered"), "{reply}");
        assert_eq!(account_of(&app, Platform::Telegram, "900").await, victim);
        let reply = app
            .chat(Platform::Telegram, "900", &format!("/start {code}"))
            .await;
        assert!(reply.contains("didn't work"), "{reply}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_codes_over_the_api_are_limited() {
    for db in backends("code_create_limit") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        for _ in 0..tally_core::services::linking::CODE_CREATION.max {
            let r = app.post(&token, "/api/v1/link-codes", json!({})).await;
            assert_eq!(r.status(), StatusCode::CREATED);
        }
        let r = app.post(&token, "/api/v1/link-codes", json!({})).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let reply = app.chat(Platform::Telegram, "1", "/link").await;
        assert!(
            reply.contains("code"),
            "another account is not affected: {reply}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlinking_in_the_chat_and_over_the_api() {
    for db in backends("unlink_chat_api") {
        let app = TestApp::spawn(db).await;
        let token = app.user("ann").await;
        for (platform, user) in [(Platform::Telegram, "10"), (Platform::Discord, "20")] {
            let body: Value = app
                .post(&token, "/api/v1/link-codes", json!({}))
                .await
                .json()
                .await
                .unwrap();
            app.chat(
                platform,
                user,
                &format!("/link {}", body["code"].as_str().unwrap()),
            )
            .await;
            let reply = app.chat(platform, user, "/link confirm").await;
            assert!(reply.contains("Linked"), "{reply}");
        }
        app.spend(&token, "30", "food", "2026-11-20").await;
        let ids: Value = app
            .get(&token, "/api/v1/me/identities")
            .await
            .json()
            .await
            .unwrap();
        let ids = ids.as_array().unwrap();
        assert_eq!(ids.len(), 3, "{ids:?}");
        let me: Value = app.get(&token, "/api/v1/me").await.json().await.unwrap();
        let ann = me["id"].as_i64().unwrap();

        // In the chat: a fresh account, the history stays, and the reply says so.
        let reply = app.chat(Platform::Telegram, "10", "/unlink").await;
        assert!(
            reply.contains("fresh account")
                && reply.contains("stays with")
                && reply.contains("ann"),
            "{reply}"
        );
        let fresh = account_of(&app, Platform::Telegram, "10").await;
        assert_ne!(fresh.get(), ann);
        let summary = app.chat(Platform::Telegram, "10", "/recent").await;
        assert!(!summary.contains("30"), "{summary}");
        let listed: Value = app
            .get(&token, "/api/v1/transactions")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 1);

        // Over the API: the web login can't go; the Discord chat can; a stranger's id is 404.
        let web = ids.iter().find(|i| i["platform"] == "web").unwrap()["id"]
            .as_i64()
            .unwrap();
        let discord = ids.iter().find(|i| i["platform"] == "discord").unwrap()["id"]
            .as_i64()
            .unwrap();
        let r = app
            .delete(&token, &format!("/api/v1/me/identities/{web}"))
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let other = app.user("bob").await;
        let r = app
            .delete(&other, &format!("/api/v1/me/identities/{discord}"))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = app
            .delete(&token, &format!("/api/v1/me/identities/{discord}"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("stays in this account")
        );
        assert_ne!(account_of(&app, Platform::Discord, "20").await.get(), ann);
        let ids: Value = app
            .get(&token, "/api/v1/me/identities")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(ids.as_array().unwrap().len(), 1);

        // A chat that is its account's only way in can't be unlinked.
        let reply = app.chat(Platform::Telegram, "10", "/unlink").await;
        assert!(reply.contains("only way into this account"), "{reply}");
    }
}
