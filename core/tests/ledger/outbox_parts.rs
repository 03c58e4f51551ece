//! Outbox rows beyond one plain reply: edits of a pressed message, replies sent in part, and
//! files kept as bytes in their own table and pruned with their row.

use std::sync::Arc;

use chrono::Duration;
use tally_core::clock::ManualClock;
use tally_core::conversation::{
    Action, Attachment, AttachmentKind, Chat, Content, Delivery, Incoming, OutMessage, Sender, Text,
};
use tally_core::domain::{ChatKind, Platform};
use tally_core::services::outbox::{self, Kind, Pending};
use tally_core::{Settings, Tally};
use tally_testkit::db::TestDb;
use tally_testkit::fixtures::*;

fn tally(t: &TestDb) -> (Tally, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(now()));
    let tally = Tally::builder(t.db.clone(), Settings::default())
        .clock(clock.clone())
        .build();
    (tally, clock)
}

fn incoming(update: &str, content: Content, message_ref: &str) -> Incoming {
    Incoming {
        platform: Platform::Telegram,
        update_id: update.to_owned(),
        sender: Sender {
            id: "ann".into(),
            display_name: "ann".into(),
            role: None,
        },
        chat: Chat {
            kind: ChatKind::Private,
            id: "ann".into(),
            title: None,
        },
        content,
        at: now(),
        mentions: Default::default(),
        message_ref: Some(message_ref.to_owned()),
    }
}

async fn say(tally: &Tally, update: &str, text: &str) -> Delivery {
    tally
        .handle(incoming(update, Content::from_text(text), update))
        .await
        .unwrap()
        .delivery()
        .expect("a reply")
}

async fn unsent(tally: &Tally) -> Vec<Pending> {
    tally
        .claim_unsent(vec![Platform::Telegram], 50)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reply_sent_in_part_resends_only_the_rest() {
    for t in backends("outbox_parts") {
        let (tally, clock) = tally(&t);
        let set = say(&tally, "u1", "/budget food 10").await;
        tally.mark_sent(set.rows()).await.unwrap();
        // Over the budget: the entry's message, then the alert.
        let reply = say(&tally, "u2", "spent 12 on lunch").await;
        assert_eq!(reply.reply.messages.len(), 2, "{}", reply.reply.plain());
        let row = reply.id.expect("a row");
        // The first went out, then the process died.
        assert_eq!(tally.mark_part(row, 1).await.unwrap(), 1);

        // The update comes back after the lease: only the alert is owed.
        clock.advance(Duration::seconds(31));
        let again = tally
            .handle(incoming(
                "u2",
                Content::from_text("spent 12 on lunch"),
                "u2",
            ))
            .await
            .unwrap()
            .delivery()
            .expect("the rest of the reply");
        assert_eq!(again.id, Some(row));
        assert_eq!(again.skipped, 1);
        assert_eq!(again.reply.messages, reply.reply.messages[1..].to_vec());

        // Its lease runs out too: the sender gets the same rest, and progress only moves on.
        clock.advance(Duration::seconds(61));
        assert_eq!(tally.mark_part(row, 0).await.unwrap(), 0, "never backwards");
        let pending = unsent(&tally).await;
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].parts_sent, 1);
        assert_eq!(pending[0].messages.len(), 1);
        assert!(
            pending[0].messages[0].text.to_plain().contains("budget"),
            "{}",
            pending[0].messages[0].text.to_plain()
        );
        tally.mark_sent(vec![row]).await.unwrap();
        clock.advance(Duration::hours(1));
        assert!(unsent(&tally).await.is_empty());
    }
}

#[tokio::test]
async fn the_edit_a_press_asks_for_is_an_outbox_row_naming_the_message() {
    for t in backends("outbox_edit") {
        let (tally, clock) = tally(&t);
        let recorded = say(&tally, "u1", "spent 12 on lunch").await;
        tally.mark_sent(recorded.rows()).await.unwrap();
        let undo = recorded.reply.messages[0]
            .buttons
            .iter()
            .flatten()
            .find(|b| matches!(b.action, Action::Undo(_)))
            .expect("an undo button")
            .action
            .clone();
        // Pressed under the message Telegram knows as 7 in chat 42.
        let press = tally
            .handle(incoming("u2", Content::Action(undo), "42:7"))
            .await
            .unwrap()
            .delivery()
            .expect("a reply");
        let edit = press.reply.edit.clone().expect("the message changes");
        let edit_row = press.edit_id.expect("the edit has its row");
        assert_eq!(press.rows().first(), Some(&edit_row));

        // Never sent (a crash): after the lease the sender gets the edit and where it goes.
        clock.advance(Duration::seconds(31));
        let pending = unsent(&tally).await;
        let row = pending
            .iter()
            .find(|p| p.id == edit_row)
            .expect("the edit is pending");
        assert_eq!(
            row.kind,
            Kind::Edit {
                message_ref: "42:7".into()
            }
        );
        assert_eq!(row.messages, vec![edit]);
        assert!(row.messages[0].text.to_plain().contains("Undone"));
        tally.mark_sent(press.rows()).await.unwrap();

        // A press whose platform named no message gets no edit row: nothing could be edited.
        let plain = tally
            .handle(Incoming {
                message_ref: None,
                ..incoming("u3", Content::from_text("spent 5 on coffee"), "u3")
            })
            .await
            .unwrap()
            .delivery()
            .expect("a reply");
        assert_eq!(plain.edit_id, None);
    }
}

#[tokio::test]
async fn files_are_stored_once_as_bytes_and_pruned_with_their_row() {
    for t in backends("outbox_files") {
        let (tally, clock) = tally(&t);
        // An export-sized file: 10 MiB that base64 would make 13.
        let bytes: Vec<u8> = (0..10 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
        let message = OutMessage {
            attachment: Some(Attachment {
                kind: AttachmentKind::Document,
                file_name: "tally.csv".into(),
                mime: "text/csv".into(),
                bytes: bytes.clone(),
            }),
            ..OutMessage::new(Text::plain_str("Your export"))
        };
        let plain = OutMessage::new(Text::plain_str("and a second message"));
        let messages = vec![plain.clone(), message.clone()];
        let at = now();
        let lease = Duration::seconds(30);
        let id =
            t.db.write(move |c| {
                outbox::enqueue(c, Platform::Telegram, "ann", None, &messages, at, lease)
            })
            .await
            .unwrap();
        let payload = t.db.read(move |c| outbox::payload_of(c, id)).await.unwrap();
        assert!(
            payload.len() < 1024,
            "no file in the text: {} bytes",
            payload.len()
        );
        let files = t.db.read(outbox::stored_file_bytes).await.unwrap();
        assert_eq!(files, vec![(id, bytes.len())]);

        clock.advance(Duration::seconds(31));
        let pending = unsent(&tally).await;
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].messages, vec![plain, message]);

        // Sent, then forgotten with its file once old enough.
        tally.mark_sent(vec![id]).await.unwrap();
        assert_eq!(tally.prune_outbox(Duration::days(3)).await.unwrap(), 0);
        clock.advance(Duration::days(4));
        assert_eq!(tally.prune_outbox(Duration::days(3)).await.unwrap(), 1);
        let files = t.db.read(outbox::stored_file_bytes).await.unwrap();
        assert!(files.is_empty(), "{files:?}");
    }
}
