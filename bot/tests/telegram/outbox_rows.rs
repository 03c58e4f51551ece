//! Outbox rows through Telegram: the edit of a pressed message that never went out is made by
//! the sender on that same message, and a row sent in part goes on from where it stopped.
//! (Progress recorded while a row is refused midway: `bot/tests/runtime/outbox_sender.rs`.)

use std::sync::Arc;

use chrono::Duration;
use tally_bot::outbox::{OutboxSender, SendReport};
use tally_core::clock::{Clock, ManualClock};
use tally_core::conversation::{OutMessage, Text};
use tally_core::domain::Platform;
use tally_core::services::outbox;
use tally_testkit::telegram::{Failure, FakeUser};

use crate::support::*;

fn ann() -> FakeUser {
    FakeUser::new(811, "Ann")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undo_whose_edit_never_went_out_is_made_on_the_pressed_message_later() {
    for db in backends("telegram_outbox_edit") {
        let clock = Arc::new(ManualClock::new(now()));
        let rig = rig_with_clock(&db, clock.clone()).await;
        let ann = ann();
        let chat = ann.private_chat();
        rig.fake.send_text(chat, &ann, "spent 12 on lunch");
        let recorded = rig.nth(chat, 1).await;
        let undo = recorded.button("Undo").expect("an undo button");

        // Telegram refuses the edit, and the new message Tally falls back to: as far as the
        // database knows, the edit never happened.
        rig.fake.fail_next("editMessageText", Failure::Status(403));
        rig.fake.fail_next("sendMessage", Failure::Status(403));
        let press = rig.fake.press(&ann, chat, recorded.message_id, &undo);
        rig.confirmed(press).await;
        let unchanged = rig.fake.with(|r| {
            r.messages
                .get(&(chat, recorded.message_id))
                .map(|m| m.edits)
        });
        assert_eq!(unchanged, Some(0));

        let sender = OutboxSender::new(rig.tally.clone(), vec![rig.telegram.notifier()]);
        clock.advance(Duration::seconds(31));
        assert_eq!(
            sender.tick().await.unwrap(),
            SendReport {
                sent: 1,
                ..SendReport::default()
            }
        );
        let edited = rig.edited(chat, recorded.message_id, 1).await;
        assert!(edited.text.contains("Undone"), "{}", edited.text);
        assert_eq!(
            rig.fake.with(|r| r.sent_to(chat).len()),
            1,
            "changed in place, not posted anew"
        );
        clock.advance(Duration::hours(1));
        assert_eq!(sender.tick().await.unwrap(), SendReport::default());
        rig.telegram.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_sent_in_part_sends_only_the_rest_in_order() {
    for db in backends("telegram_outbox_parts") {
        let clock = Arc::new(ManualClock::new(now()));
        let rig = rig_with_clock(&db, clock.clone()).await;
        let chat = ann().private_chat();
        let messages: Vec<OutMessage> = ["one", "two", "three"]
            .into_iter()
            .map(|t| OutMessage::new(Text::plain_str(t)))
            .collect();
        let at = clock.now();
        let lease = rig.tally.outbox_lease();
        let id = rig.db(|c| {
            outbox::enqueue(
                c,
                Platform::Telegram,
                &chat.to_string(),
                None,
                &messages,
                at,
                lease,
            )
        });
        // "one" went out, then the process died.
        rig.tally.mark_part(id, 1).await.unwrap();

        let sender = OutboxSender::new(rig.tally.clone(), vec![rig.telegram.notifier()]);
        clock.advance(Duration::seconds(31));
        assert_eq!(sender.tick().await.unwrap().sent, 1);
        let sent: Vec<String> = rig
            .messages(chat, 2)
            .await
            .into_iter()
            .map(|m| m.text)
            .collect();
        assert_eq!(sent, ["two", "three"]);

        rig.telegram.stop().await;
    }
}
