#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Digest scheduling: two instances on one database deliver each digest once, on time; one the
//! platform refused is the outbox sender's to deliver.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tally_bot::outbox::{OutboxSender, SendReport};
use tally_bot::scheduler::{Scheduler, TickReport};
use tally_core::Tally;
use tally_core::clock::{Clock, ManualClock};
use tally_core::conversation::{Chat, Content, Incoming, OutMessage, Sender};
use tally_core::db::Db;
use tally_core::domain::{ChatKind, Platform};
use tally_core::notify::Notifier;
use tally_testkit::db::{TestDb, backends};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

/// A platform that records what it was asked to post, and can be told to fail.
struct Recorder {
    platform: Platform,
    sent: Mutex<Vec<(String, String)>>,
    failing: AtomicBool,
}

impl Recorder {
    fn new(platform: Platform) -> Arc<Recorder> {
        Arc::new(Recorder {
            platform,
            sent: Mutex::new(Vec::new()),
            failing: AtomicBool::new(false),
        })
    }

    fn sent(&self) -> Vec<(String, String)> {
        self.sent.lock().unwrap().clone()
    }
}

#[async_trait]
impl Notifier for Recorder {
    fn platform(&self) -> Platform {
        self.platform
    }

    async fn send(&self, chat_id: &str, message: OutMessage) -> Result<(), String> {
        if self.failing.load(Ordering::SeqCst) {
            return Err("chat not found".into());
        }
        self.sent
            .lock()
            .unwrap()
            .push((chat_id.to_owned(), message.text.to_plain()));
        Ok(())
    }
}

/// One "instance": its own pool on the shared database, its own notifiers, the shared clock.
fn instance(
    t: &TestDb,
    clock: &Arc<ManualClock>,
    notifiers: Vec<Arc<dyn Notifier>>,
) -> (Tally, Scheduler) {
    let db = Db::connect(&t.url, 4).expect("pool");
    let tally = Tally::builder(db, Default::default())
        .clock(clock.clone())
        .build();
    let scheduler = Scheduler::new(tally.clone(), notifiers);
    (tally, scheduler)
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
        message_ref: None,
        mentions: Default::default(),
    }
}

fn total(reports: &[TickReport]) -> TickReport {
    reports
        .iter()
        .fold(TickReport::default(), |a, r| TickReport {
            sent: a.sent + r.sent,
            taken: a.taken + r.taken,
            skipped: a.skipped + r.skipped,
            failed: a.failed + r.failed,
        })
}

#[tokio::test]
async fn two_instances_deliver_each_digest_once() {
    for t in backends("digest_two_instances") {
        let clock = Arc::new(ManualClock::new(at("2026-11-24T12:00:00Z")));
        let tg_a = Recorder::new(Platform::Telegram);
        let tg_b = Recorder::new(Platform::Telegram);
        let (a, sched_a) = instance(&t, &clock, vec![tg_a.clone()]);
        let (_b, sched_b) = instance(&t, &clock, vec![tg_b.clone()]);
        let reply = a
            .handle(message(1, clock.now(), "/digest weekly"))
            .await
            .unwrap()
            .reply()
            .unwrap();
        assert!(
            reply.plain().starts_with("📬 Weekly digest on"),
            "{}",
            reply.plain()
        );

        // Not due yet.
        let (ra, rb) = tokio::join!(sched_a.tick(), sched_b.tick());
        assert_eq!(total(&[ra.unwrap(), rb.unwrap()]), TickReport::default());

        // Monday 09:00 UTC (the account's zone): both tick at once, one sends.
        clock.set(at("2026-11-30T09:00:00Z"));
        let (ra, rb) = tokio::join!(sched_a.tick(), sched_b.tick());
        let sum = total(&[ra.unwrap(), rb.unwrap()]);
        assert_eq!(sum.sent, 1, "{sum:?}");
        let mut sent = tg_a.sent();
        sent.extend(tg_b.sent());
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].0, "42");
        assert!(
            sent[0]
                .1
                .starts_with("📬 Weekly digest: 23 Nov – 29 Nov 2026"),
            "{}",
            sent[0].1
        );

        // Ticking again at the same time, or a minute later, sends nothing more.
        clock.set(at("2026-11-30T09:01:00Z"));
        let (ra, rb) = tokio::join!(sched_a.tick(), sched_b.tick());
        assert_eq!(total(&[ra.unwrap(), rb.unwrap()]).sent, 0);

        // The next Monday, once more.
        clock.set(at("2026-12-07T09:00:30Z"));
        let (ra, rb) = tokio::join!(sched_a.tick(), sched_b.tick());
        assert_eq!(total(&[ra.unwrap(), rb.unwrap()]).sent, 1);
        assert_eq!(tg_a.sent().len() + tg_b.sent().len(), 2);
    }
}

#[tokio::test]
async fn a_failed_send_is_retried_and_other_platforms_wait_for_their_instance() {
    for t in backends("digest_retry") {
        let clock = Arc::new(ManualClock::new(at("2026-11-24T12:00:00Z")));
        let tg = Recorder::new(Platform::Telegram);
        let discord_only = Recorder::new(Platform::Discord);
        let (a, sched_a) = instance(&t, &clock, vec![tg.clone()]);
        let (_c, sched_c) = instance(&t, &clock, vec![discord_only.clone()]);
        let reply = a
            .handle(message(1, clock.now(), "/digest monthly"))
            .await
            .unwrap()
            .delivery()
            .unwrap();
        // The answer went out: the outbox holds only what the scheduler writes.
        a.mark_sent(reply.rows()).await.unwrap();

        clock.set(at("2026-12-01T09:00:00Z"));
        // An instance without Telegram leaves the digest for one that has it.
        assert_eq!(sched_c.tick().await.unwrap(), TickReport::default());

        // Telegram refuses: the digest stays in the outbox, and the scheduler is done with it.
        tg.failing.store(true, Ordering::SeqCst);
        let ra = sched_a.tick().await.unwrap();
        assert_eq!(ra.failed, 1);
        clock.set(at("2026-12-01T09:10:00Z"));
        assert_eq!(sched_a.tick().await.unwrap(), TickReport::default());
        // The outbox sender tries again (still refused), then later gets it through, once.
        let sender = OutboxSender::new(a.clone(), vec![tg.clone()]);
        assert_eq!(sender.tick().await.unwrap().failed, 1);
        tg.failing.store(false, Ordering::SeqCst);
        clock.set(at("2026-12-01T09:15:00Z"));
        assert_eq!(sender.tick().await.unwrap().sent, 1);
        assert_eq!(sender.tick().await.unwrap(), SendReport::default());
        assert_eq!(sched_a.tick().await.unwrap(), TickReport::default());
        let sent = tg.sent();
        assert_eq!(sent.len(), 1);
        assert!(
            sent[0].1.starts_with("📬 Monthly digest: November 2026"),
            "{}",
            sent[0].1
        );
        assert!(discord_only.sent().is_empty());
        // The next one is due on January 1st.
        clock.set(at("2026-12-31T23:59:00Z"));
        assert_eq!(sched_a.tick().await.unwrap().sent, 0);
        clock.set(at("2027-01-01T09:00:00Z"));
        assert_eq!(sched_a.tick().await.unwrap().sent, 1);
    }
}
