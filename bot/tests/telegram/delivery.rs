#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Exactly once, whatever Telegram and the network do: redeliveries, 429, 5xx, timeouts,
//! malformed updates, and our own failures.

use std::time::Duration;

use crate::support::*;
use diesel::connection::SimpleConnection;
use serde_json::json;
use tally_bot::telegram::Options;
use tally_testkit::db::TestDb;
use tally_testkit::telegram::{Failure, FakeUser};

fn ann() -> FakeUser {
    FakeUser::new(501, "Ann")
}

fn sql(db: &TestDb, statement: &str) {
    let mut conn = db.db.checkout().expect("connection");
    conn.batch_execute(statement).expect("sql");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_update_changes_nothing_and_sends_nothing() {
    for db in backends("telegram_redelivery") {
        let rig = rig(&db).await;
        let ann = ann();
        let chat = ann.private_chat();

        let add = rig.fake.send_text(chat, &ann, "/categories add Snacks");
        let added = rig.nth(chat, 1).await;
        assert!(added.text.contains("Added"), "{}", added.text);
        rig.confirmed(add).await;

        let tx = rig.db(|c| {
            let me = account_of(c, ann.id);
            let ledger = personal_ledger(c, me);
            Ok(spend(c, me, ledger, "4", "snacks", "chips"))
        });
        let carrier = rig.fake.plant_message(
            chat,
            "✅ Recorded",
            &[vec![("↩ Undo", &format!("u:{}", tx.id))]],
        );
        let press = rig.fake.press(&ann, chat, carrier, &format!("u:{}", tx.id));
        rig.edited(chat, carrier, 1).await;
        rig.confirmed(press).await;

        // Telegram did not see our confirmations and delivers both again.
        assert!(rig.fake.redeliver(add));
        assert!(rig.fake.redeliver(press));
        rig.fake
            .wait_until(WAIT, |_| {
                (rig.telegram.stats().duplicate >= 2).then_some(())
            })
            .await
            .expect("both seen again");
        let last = rig.fake.send_text(chat, &ann, "/help");
        rig.confirmed(last).await;

        let stats = rig.telegram.stats();
        assert_eq!(stats.duplicate, 2, "{stats:?}");
        // One reply to the command, one edit and one answer for the press, then /help.
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 3);
        assert_eq!(rig.fake.with(|r| r.messages[&(chat, carrier)].edits), 1);
        assert_eq!(
            rig.fake
                .with(|r| r.ok_calls_to("answerCallbackQuery").count()),
            1
        );
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_honoured_then_the_call_succeeds() {
    for db in backends("telegram_429") {
        let rig = rig(&db).await;
        let ann = ann();
        let chat = ann.private_chat();
        rig.fake.fail_next("sendMessage", Failure::RetryAfter(2));
        rig.fake.fail_next("getUpdates", Failure::RetryAfter(1));
        let id = rig.fake.send_text(chat, &ann, "/help");
        rig.nth(chat, 1).await;
        rig.confirmed(id).await;
        let statuses: Vec<u16> = rig
            .fake
            .with(|r| r.calls_to("sendMessage").map(|c| c.status).collect());
        assert_eq!(statuses, vec![429, 200]);
        // The retry came no sooner than Telegram asked (2 × 20 ms in the tests' time unit).
        let gap = rig.fake.with(|r| {
            let calls: Vec<_> = r.calls_to("sendMessage").collect();
            calls[1].at - calls[0].at
        });
        assert!(gap >= Duration::from_millis(40), "{gap:?}");
        assert!(
            rig.fake
                .with(|r| r.calls_to("getUpdates").any(|c| c.status == 429))
        );
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 1);
        rig.telegram.stop().await;
    }
}

/// teloxide sleeps 10 s after any 5xx before returning; the adapter's call deadline (1 s here)
/// cuts that short and retries on its own backoff.
fn quick_deadline() -> Options {
    let mut o = fast_options();
    o.retry.call_timeout = Duration::from_secs(1);
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_502_and_a_timeout_are_retried_and_the_reply_goes_once() {
    for db in backends("telegram_502_timeout") {
        let rig = rig_with(&db, quick_deadline()).await;
        let ann = ann();
        let chat = ann.private_chat();

        rig.fake.fail_next("getUpdates", Failure::Status(502));
        rig.fake.fail_next("sendMessage", Failure::Status(502));
        let id = rig.fake.send_text(chat, &ann, "/help");
        rig.nth(chat, 1).await;
        rig.confirmed(id).await;

        rig.fake
            .fail_next("sendMessage", Failure::Hang(Duration::from_secs(3)));
        let id = rig.fake.send_text(chat, &ann, "/recent");
        rig.nth(chat, 2).await;
        rig.confirmed(id).await;

        let statuses: Vec<u16> = rig
            .fake
            .with(|r| r.calls_to("sendMessage").map(|c| c.status).collect());
        // The hung call is recorded when it finally answers, after the retry.
        assert!(statuses.starts_with(&[502, 200]), "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 2);
        assert!(
            rig.fake
                .with(|r| r.calls_to("getUpdates").any(|c| c.status == 502))
        );
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 2);
        assert_eq!(rig.telegram.stats().handled, 2);
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_updates_are_skipped_and_the_bot_carries_on() {
    for db in backends("telegram_malformed") {
        let rig = rig(&db).await;
        let ann = ann();
        let chat = ann.private_chat();

        // An answer that is not JSON at all: retried.
        rig.fake.fail_next("getUpdates", Failure::Garbage);
        // Content teloxide can't read; then an entry without an id, which breaks teloxide's
        // reading of the whole batch; then a good one.
        rig.fake
            .push_raw(json!({"update_id": 1000, "message": {"message_id": "x"}}));
        rig.fake
            .push_raw(json!({"message": {"text": "no id"}, "oops": [1, 2]}));
        let good = rig.fake.send_text(chat, &ann, "/help");
        let reply = rig.nth(chat, 1).await;
        assert!(reply.text.contains("Tally"), "{}", reply.text);
        rig.confirmed(good).await;

        let stats = rig.telegram.stats();
        assert_eq!(stats.malformed, 2, "{stats:?}");
        assert_eq!(stats.handled, 1);
        assert_eq!(rig.fake.pending(), 0);
        // The garbage answer was served, and polling went on after it.
        assert!(
            rig.fake
                .with(|r| r.calls_to("getUpdates").any(|c| c.scripted))
        );
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_that_fails_on_our_side_is_not_confirmed_and_is_retried() {
    for db in backends("telegram_internal_failure") {
        let mut options = fast_options();
        options.poll.max_handle_attempts = 1_000;
        let rig = rig_with(&db, options).await;
        let ann = ann();
        let chat = ann.private_chat();
        rig.fake.send_text(chat, &ann, "/help");
        rig.nth(chat, 1).await;

        sql(
            &db,
            "ALTER TABLE processed_updates RENAME TO processed_updates_away",
        );
        let id = rig
            .fake
            .send_text(chat, &ann, "/categories add Houseplants");
        // Polled again and again from the same offset: the update is not given up.
        rig.fake
            .wait_until(WAIT, |r| {
                (r.calls_to("getUpdates")
                    .filter(|c| c.body["offset"] == id)
                    .count()
                    >= 3)
                    .then_some(())
            })
            .await
            .expect("the update is redelivered");
        assert!(rig.fake.with(|r| r.confirmed) <= i64::from(id));
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 1);

        sql(
            &db,
            "ALTER TABLE processed_updates_away RENAME TO processed_updates",
        );
        let reply = rig.nth(chat, 2).await;
        assert!(reply.text.contains("Added"), "{}", reply.text);
        rig.confirmed(id).await;
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 2);
        let stats = rig.telegram.stats();
        assert!(stats.failed >= 2, "{stats:?}");
        assert_eq!(stats.given_up, 0);
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_that_keeps_failing_is_answered_with_an_apology_and_skipped() {
    for db in backends("telegram_give_up") {
        let mut options = fast_options();
        options.poll.max_handle_attempts = 3;
        let rig = rig_with(&db, options).await;
        let ann = ann();
        let chat = ann.private_chat();
        rig.fake.send_text(chat, &ann, "/help");
        rig.nth(chat, 1).await;

        sql(
            &db,
            "ALTER TABLE processed_updates RENAME TO processed_updates_away",
        );
        let id = rig.fake.send_text(chat, &ann, "/recent");
        let apology = rig.nth(chat, 2).await;
        assert!(
            apology.text.contains("nothing was changed"),
            "{}",
            apology.text
        );
        rig.confirmed(id).await;
        sql(
            &db,
            "ALTER TABLE processed_updates_away RENAME TO processed_updates",
        );

        let next = rig.fake.send_text(chat, &ann, "/recent");
        rig.nth(chat, 3).await;
        rig.confirmed(next).await;
        let stats = rig.telegram.stats();
        assert_eq!(stats.failed, 3, "{stats:?}");
        assert_eq!(stats.given_up, 1);
        rig.telegram.stop().await;
    }
}
