//! Reminders and digests go to the outbox with the claim that decides them: a crash before the
//! send leaves them for the sender, which delivers them once, and two instances queue each once.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tally_core::app::scheduled::QueuedDigest;
use tally_core::clock::{Clock, ManualClock};
use tally_core::conversation::recurring::Announcement;
use tally_core::conversation::{Chat, Content, Incoming, Sender};
use tally_core::db::Db;
use tally_core::domain::{ChatKind, Platform};
use tally_core::services::outbox::Pending;
use tally_core::{Settings, Tally};
use tally_testkit::db::TestDb;
use tally_testkit::fixtures::*;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

/// One "instance": its own pool on the shared database, the shared clock.
fn instance(t: &TestDb, clock: &Arc<ManualClock>) -> Tally {
    let db = Db::connect(&t.url, 4).expect("pool");
    Tally::builder(db, Settings::default())
        .clock(clock.clone())
        .build()
}

fn message(n: u32, at: DateTime<Utc>, text: &str) -> Incoming {
    Incoming {
        platform: Platform::Telegram,
        update_id: format!("u{n}"),
        sender: Sender {
            id: "42".into(),
            display_name: "Ann".into(),
            role: None,
        },
        chat: Chat {
            kind: ChatKind::Private,
            id: "42".into(),
            title: None,
        },
        content: Content::from_text(text),
        at,
        mentions: Default::default(),
        message_ref: None,
    }
}

/// What both instances' senders claim at once: each row goes to one of them.
async fn claim_both(a: &Tally, b: &Tally) -> Vec<Pending> {
    let (x, y) = tokio::join!(
        a.claim_unsent(vec![Platform::Telegram], 10),
        b.claim_unsent(vec![Platform::Telegram], 10)
    );
    let mut all = x.unwrap();
    all.extend(y.unwrap());
    all
}

fn text_of(rows: &[Pending]) -> Vec<String> {
    rows.iter()
        .flat_map(|r| r.messages.iter().map(|m| m.text.to_plain()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_decided_but_never_sent_is_delivered_once_after_a_crash() {
    for t in backends("outbox_reminder_crash") {
        let clock = Arc::new(ManualClock::new(at("2027-01-15T12:00:00Z")));
        let a = instance(&t, &clock);
        let b = instance(&t, &clock);
        let reply = a
            .handle(message(1, clock.now(), "/remind daily 21:00"))
            .await
            .unwrap()
            .delivery()
            .unwrap();
        assert!(
            reply.reply.plain().contains("21:00"),
            "{}",
            reply.reply.plain()
        );
        a.mark_sent(reply.rows()).await.unwrap();

        clock.set(at("2027-01-15T21:00:00Z"));
        let (x, y) = tokio::join!(
            a.due_reminders(&[Platform::Telegram]),
            b.due_reminders(&[Platform::Telegram])
        );
        let decided: Vec<Announcement> = x.unwrap().into_iter().chain(y.unwrap()).collect();
        assert_eq!(decided.len(), 1, "one instance decides it: {decided:?}");
        let row = decided[0].outbox.expect("written to the outbox");

        // The process dies here: nothing sent, nothing marked. After the restart the
        // scheduler does not decide it again…
        clock.advance(Duration::seconds(5));
        assert!(
            a.due_reminders(&[Platform::Telegram])
                .await
                .unwrap()
                .is_empty()
        );
        // …the row is left alone while the dead process's lease runs…
        assert!(claim_both(&a, &b).await.is_empty());
        // …and then one sender takes it, once.
        clock.advance(Duration::seconds(30));
        let claimed = claim_both(&a, &b).await;
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].id, row);
        assert_eq!(claimed[0].chat_id, "42");
        assert!(
            text_of(&claimed)[0].contains("Nothing recorded today"),
            "{:?}",
            text_of(&claimed)
        );
        assert_eq!(a.mark_sent(vec![row]).await.unwrap(), 1);
        clock.advance(Duration::hours(2));
        assert!(claim_both(&a, &b).await.is_empty(), "sent once");
        assert!(
            a.due_reminders(&[Platform::Telegram])
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_decided_but_never_sent_is_delivered_once_after_a_crash() {
    for t in backends("outbox_digest_crash") {
        let clock = Arc::new(ManualClock::new(at("2026-11-24T12:00:00Z")));
        let a = instance(&t, &clock);
        let b = instance(&t, &clock);
        a.handle(message(1, clock.now(), "spent 12 on lunch"))
            .await
            .unwrap();
        a.handle(message(2, clock.now(), "/digest weekly"))
            .await
            .unwrap();
        // The replies went out.
        let replies: Vec<i64> = claim_both(&a, &b).await.iter().map(|r| r.id).collect();
        assert!(replies.is_empty(), "still leased to the handler");
        clock.advance(Duration::seconds(31));
        let replies: Vec<i64> = claim_both(&a, &b).await.iter().map(|r| r.id).collect();
        assert_eq!(replies.len(), 2);
        a.mark_sent(replies).await.unwrap();

        // Monday 09:00: both instances find the digest due and try to queue it at once.
        clock.set(at("2026-11-30T09:00:00Z"));
        let now = clock.now();
        let due = a
            .due_digests(now, vec![Platform::Telegram], 10)
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        let (x, y) = tokio::join!(
            a.queue_digest(due[0].clone(), now),
            b.queue_digest(due[0].clone(), now)
        );
        let outcomes = [x.unwrap(), y.unwrap()];
        let ready: Vec<&Announcement> = outcomes
            .iter()
            .filter_map(|q| match q {
                QueuedDigest::Ready(a) => Some(a),
                _ => None,
            })
            .collect();
        assert_eq!(ready.len(), 1, "{outcomes:?}");
        assert!(
            outcomes.iter().any(|q| matches!(q, QueuedDigest::Taken)),
            "{outcomes:?}"
        );
        let row = ready[0].outbox.expect("written to the outbox");

        // Crash before the send. A minute later nothing is due any more…
        clock.advance(Duration::minutes(1));
        let again = a
            .due_digests(clock.now(), vec![Platform::Telegram], 10)
            .await
            .unwrap();
        assert!(again.is_empty(), "{again:?}");
        // …and the sender delivers the digest once.
        let claimed = claim_both(&a, &b).await;
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].id, row);
        let text = &text_of(&claimed)[0];
        assert!(
            text.starts_with("📬 Weekly digest: 23 Nov – 29 Nov 2026"),
            "{text}"
        );
        assert!(text.contains("12"), "{text}");
        a.mark_sent(vec![row]).await.unwrap();
        clock.advance(Duration::hours(3));
        assert!(claim_both(&a, &b).await.is_empty(), "sent once");
    }
}
