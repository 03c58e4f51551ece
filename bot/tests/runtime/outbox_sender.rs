#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The outbox sender records each message of a row as it goes out: a row refused midway is
//! taken up again at the message that was refused, so nothing is sent twice or out of order.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use tally_bot::outbox::{OutboxSender, SendReport};
use tally_core::Tally;
use tally_core::clock::{Clock, ManualClock};
use tally_core::conversation::{OutMessage, Text};
use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use tally_core::services::outbox;
use tally_testkit::db::backends;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

/// Takes every message but one with a given text, which it refuses while told to.
struct Picky {
    sent: Mutex<Vec<String>>,
    refuse: Mutex<Option<String>>,
}

#[async_trait]
impl Notifier for Picky {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    async fn send(&self, _chat_id: &str, message: OutMessage) -> Result<(), String> {
        let text = message.text.to_plain();
        if self.refuse.lock().unwrap().as_deref() == Some(text.as_str()) {
            return Err("Too Many Requests".into());
        }
        self.sent.lock().unwrap().push(text);
        Ok(())
    }
}

#[tokio::test]
async fn a_row_refused_midway_resumes_at_the_refused_message() {
    for t in backends("outbox_sender_midway") {
        let clock = Arc::new(ManualClock::new(at("2026-11-24T12:00:00Z")));
        let tally = Tally::builder(t.db.clone(), Default::default())
            .clock(clock.clone())
            .build();
        let picky = Arc::new(Picky {
            sent: Mutex::new(Vec::new()),
            refuse: Mutex::new(Some("two".into())),
        });
        let sender = OutboxSender::new(tally.clone(), vec![picky.clone()]);
        let messages: Vec<OutMessage> = ["one", "two", "three"]
            .into_iter()
            .map(|t| OutMessage::new(Text::plain_str(t)))
            .collect();
        let now = clock.now();
        let lease = tally.outbox_lease();
        t.db.write(move |c| {
            outbox::enqueue(c, Platform::Telegram, "42", None, &messages, now, lease)
        })
        .await
        .unwrap();

        clock.advance(Duration::seconds(31));
        let report = sender.tick().await.unwrap();
        assert_eq!(
            report,
            SendReport {
                failed: 1,
                ..SendReport::default()
            }
        );
        assert_eq!(*picky.sent.lock().unwrap(), ["one"]);

        *picky.refuse.lock().unwrap() = None;
        clock.advance(Duration::minutes(5));
        assert_eq!(sender.tick().await.unwrap().sent, 1);
        assert_eq!(*picky.sent.lock().unwrap(), ["one", "two", "three"]);
        clock.advance(Duration::hours(1));
        assert_eq!(sender.tick().await.unwrap(), SendReport::default());
    }
}
