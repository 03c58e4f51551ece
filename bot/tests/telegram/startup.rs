#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Start-up (getMe, the command menu, webhook clean-up), digests through the notifier, throttling.

use crate::support::*;
use tally_bot::config::Secret;
use tally_bot::telegram::{Limits, Telegram};
use tally_core::conversation::{OutMessage, Text, table};
use tally_core::domain::ChatKind;
use tally_core::domain::Platform;
use tally_core::links::bot_handle_key;
use tally_core::services::settings;
use tally_testkit::db::TestDb;
use tally_testkit::telegram::{BOT_USERNAME, FakeTelegram, FakeUser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_introduces_the_bot_and_registers_its_commands() {
    for db in backends("telegram_startup") {
        let fake = FakeTelegram::start().await.unwrap();
        // A webhook left over from an earlier deployment must go before polling can start.
        fake.set_webhook_url("https://old.example/hook");
        let tally = tally_on(&db);
        let telegram = Telegram::start(tally.clone(), &fake.config(), fast_options())
            .await
            .unwrap();
        assert_eq!(telegram.username(), BOT_USERNAME);
        let stored = tally
            .db()
            .write_blocking(|c| settings::get(c, &bot_handle_key(Platform::Telegram)))
            .unwrap();
        assert_eq!(stored.as_deref(), Some(BOT_USERNAME));

        // One menu per scope, each exactly the table's entries offered there.
        let menus: Vec<(String, Vec<(String, String)>)> = fake.with(|r| {
            r.ok_calls_to("setMyCommands")
                .map(|call| {
                    let scope = call.body["scope"]["type"].as_str().unwrap().to_owned();
                    let listed = call.body["commands"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| {
                            (
                                c["command"].as_str().unwrap().to_owned(),
                                c["description"].as_str().unwrap().to_owned(),
                            )
                        })
                        .collect();
                    (scope, listed)
                })
                .collect()
        });
        let expected = |kind: ChatKind, managers: bool| -> Vec<(String, String)> {
            table::offered(kind)
                .filter(|c| managers || !c.manage)
                .map(|c| (c.name.replace('-', "_"), c.description.to_owned()))
                .collect()
        };
        let scopes: Vec<&str> = menus.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            scopes,
            [
                "all_private_chats",
                "all_group_chats",
                "all_chat_administrators"
            ]
        );
        assert_eq!(menus[0].1, expected(ChatKind::Private, true));
        assert_eq!(menus[1].1, expected(ChatKind::Group, false));
        assert_eq!(menus[2].1, expected(ChatKind::Group, true));
        let listed = &menus[0].1;
        assert!(listed.iter().all(|(n, _)| n != "start"));

        assert_eq!(fake.with(|r| r.ok_calls_to("deleteWebhook").count()), 1);
        assert!(fake.with(|r| r.webhook_url.is_empty()));
        fake.wait_until(WAIT, |r| r.calls_to("getUpdates").next().map(|_| ()))
            .await
            .expect("polling started");
        telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_stops_start_up_with_a_clear_error() {
    let db = TestDb::sqlite();
    let fake = FakeTelegram::start().await.unwrap();
    let config = tally_bot::config::TelegramConfig {
        token: Secret::new("123:not-the-token"),
        ..fake.config()
    };
    let err = Telegram::start(tally_on(&db), &config, fast_options())
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("TALLY_TELEGRAM_TOKEN"), "{err}");
    assert!(!err.contains("not-the-token"), "the token leaked: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notifier_posts_digests_into_a_chat() {
    let db = TestDb::sqlite();
    let rig = rig(&db).await;
    let notifier = rig.telegram.notifier();
    assert_eq!(notifier.platform(), Platform::Telegram);
    let group = -1_001_000_000_001;
    let message = OutMessage::new(
        Text::new()
            .bold("Weekly digest")
            .line()
            .plain("Food: <$40> & more"),
    );
    notifier.send(&group.to_string(), message).await.unwrap();
    let sent = rig.nth(group, 1).await;
    assert_eq!(sent.text, "Weekly digest\nFood: <$40> & more");
    assert!(sent.html.starts_with("<b>Weekly digest</b>"));
    assert!(
        notifier
            .send("not-a-chat", OutMessage::default())
            .await
            .is_err()
    );
    rig.telegram.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_go_through_the_throttle_when_limits_are_set() {
    let db = TestDb::sqlite();
    let mut options = fast_options();
    // Generous limits: the point is that sends pass through teloxide's Throttle and arrive.
    options.limits = Some(Limits {
        messages_per_sec_chat: 100,
        messages_per_min_chat: 1000,
        messages_per_min_channel_or_supergroup: 1000,
        messages_per_sec_overall: 1000,
    });
    let rig = rig_with(&db, options).await;
    let ann = FakeUser::new(501, "Ann");
    for text in ["/help", "/recent", "/summary"] {
        rig.fake.send_text(ann.private_chat(), &ann, text);
    }
    let sent = rig.messages(ann.private_chat(), 3).await;
    assert!(sent[0].text.contains("Commands"));
    assert!(sent[1].text.contains("Nothing recorded yet"));
    assert!(sent[2].text.contains("Summary"));
    rig.telegram.stop().await;
}
