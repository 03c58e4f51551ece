//! Replies that did not reach Telegram (a refused send standing in for a crash) are delivered
//! later, exactly once: by the outbox sender, or by the update's redelivery.

use std::sync::Arc;

use chrono::Duration;
use tally_bot::outbox::{OutboxSender, SendReport};
use tally_core::clock::ManualClock;
use tally_testkit::telegram::{Failure, FakeUser};

use crate::support::*;

fn ann() -> FakeUser {
    FakeUser::new(801, "Ann")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_that_never_went_out_is_sent_by_the_sender_once() {
    for db in backends("telegram_outbox_sender") {
        let clock = Arc::new(ManualClock::new(now()));
        let rig = rig_with_clock(&db, clock.clone()).await;
        let ann = ann();
        let chat = ann.private_chat();
        // The reply is refused: as far as the database knows, it was never sent.
        rig.fake.fail_next("sendMessage", Failure::Status(403));
        let update = rig.fake.send_text(chat, &ann, "spent 12 on lunch");
        rig.confirmed(update).await;
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 0);

        let sender = OutboxSender::new(rig.tally.clone(), vec![rig.telegram.notifier()]);
        assert_eq!(
            sender.tick().await.unwrap(),
            SendReport::default(),
            "within its lease the reply is left to the handler"
        );
        clock.advance(Duration::seconds(31));
        assert_eq!(
            sender.tick().await.unwrap(),
            SendReport {
                sent: 1,
                ..SendReport::default()
            }
        );
        let sent = rig.messages(chat, 1).await;
        assert!(sent[0].text.contains("12"), "{}", sent[0].text);

        // Marked sent: neither the sender nor a redelivery sends it again.
        clock.advance(Duration::minutes(10));
        assert_eq!(sender.tick().await.unwrap(), SendReport::default());
        assert!(rig.fake.redeliver(update));
        rig.fake
            .wait_until(WAIT, |_| {
                (rig.telegram.stats().duplicate >= 1).then_some(())
            })
            .await
            .expect("the redelivery seen as a duplicate");
        let last = rig.fake.send_text(chat, &ann, "/help");
        rig.confirmed(last).await;
        rig.messages(chat, 2).await;
        assert_eq!(
            rig.fake.with(|r| r.sent_to(chat).len()),
            2,
            "the reply and /help"
        );
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_update_whose_reply_never_went_out_gets_it_once() {
    for db in backends("telegram_outbox_redelivery") {
        let clock = Arc::new(ManualClock::new(now()));
        let rig = rig_with_clock(&db, clock.clone()).await;
        let ann = ann();
        let chat = ann.private_chat();
        rig.fake.fail_next("sendMessage", Failure::Status(403));
        let update = rig.fake.send_text(chat, &ann, "spent 12 on lunch");
        rig.confirmed(update).await;
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 0);

        // The effects were committed; the reply was not sent. Telegram hands the update out
        // again after the handler's lease ran out: the reply goes out now.
        clock.advance(Duration::seconds(31));
        assert!(rig.fake.redeliver(update));
        let sent = rig.messages(chat, 1).await;
        assert!(sent[0].text.contains("12"), "{}", sent[0].text);
        // Once more: a duplicate, nothing sent, and the sender has nothing left either.
        assert!(rig.fake.redeliver(update));
        rig.fake
            .wait_until(WAIT, |_| {
                (rig.telegram.stats().duplicate >= 1).then_some(())
            })
            .await
            .expect("the second redelivery seen as a duplicate");
        clock.advance(Duration::minutes(10));
        let sender = OutboxSender::new(rig.tally.clone(), vec![rig.telegram.notifier()]);
        assert_eq!(sender.tick().await.unwrap(), SendReport::default());
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 1);
        // One entry, recorded the first time.
        let entries = rig.db(|c| {
            let me = account_of(c, ann.id);
            let ledger = personal_ledger(c, me);
            tally_core::services::transactions::list(c, me, ledger, &Default::default(), 10, 0)
        });
        assert_eq!(entries.total, 1);
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recurring_post_telegram_refused_is_sent_by_the_sender_once() {
    use tally_bot::recurring::{PostReport, Poster};
    for db in backends("telegram_outbox_recurring") {
        let clock = Arc::new(ManualClock::new(now()));
        let rig = rig_with_clock(&db, clock.clone()).await;
        let ann = ann();
        let chat = ann.private_chat();
        rig.fake
            .send_text(chat, &ann, "rent 1450 monthly on the 1st");
        let scheduled = rig.nth(chat, 1).await;
        assert!(scheduled.text.contains("Scheduled"), "{}", scheduled.text);

        let notifiers = vec![rig.telegram.notifier()];
        let poster = Poster::new(rig.tally.clone(), notifiers.clone(), &[]);
        let sender = OutboxSender::new(rig.tally.clone(), notifiers);
        // 1 December: the entry is recorded, but telling the chat fails.
        clock.set("2026-12-01T09:00:00Z".parse().unwrap());
        rig.fake.fail_next("sendMessage", Failure::Status(403));
        assert_eq!(
            poster.tick().await.unwrap(),
            PostReport {
                recorded: 1,
                sent: 0,
                failed: 1
            }
        );
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 1);
        clock.advance(Duration::seconds(31));
        assert_eq!(
            sender.tick().await.unwrap(),
            SendReport {
                sent: 1,
                ..SendReport::default()
            }
        );
        let posted = rig.nth(chat, 2).await;
        assert!(
            posted.text.contains("Recorded as scheduled"),
            "{}",
            posted.text
        );
        assert!(posted.button("↩ Undo").is_some(), "{:?}", posted.buttons());
        clock.advance(Duration::hours(1));
        assert_eq!(sender.tick().await.unwrap(), SendReport::default());
        assert_eq!(poster.tick().await.unwrap(), PostReport::default());
        assert_eq!(rig.fake.with(|r| r.sent_to(chat).len()), 2);
        rig.telegram.stop().await;
    }
}
