//! Discord through the outbox: a deferred interaction whose process died is completed by the
//! sender through the interaction's webhook within Discord's window (then the token is gone),
//! later posted to the chat; a schedule in a budget channel posts there once.

use std::sync::Arc;

use chrono::Duration;
use diesel::prelude::*;
use tally_bot::outbox::{OutboxSender, SendReport};
use tally_bot::recurring::{PostReport, Poster};
use tally_core::clock::Clock as _;
use tally_core::conversation::{OutMessage, Text};
use tally_core::db::schema::outbox as outbox_t;
use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use tally_core::services::outbox::{self, ReplyToken};

use crate::support::fake::{ANA, strings, sub};
use crate::support::*;
use tally_testkit::db::TestDb;

const CHANNEL: u64 = 620000000000000077;
const BUDGET: Place = Place::Guild { channel: CHANNEL };

fn sender(h: &Harness) -> (OutboxSender, Arc<dyn Notifier>) {
    let notifier: Arc<dyn Notifier> = h.discord.as_ref().expect("running").notifier.clone();
    (
        OutboxSender::new(h.tally.clone(), vec![notifier.clone()]),
        notifier,
    )
}

/// Writes the reply of interaction `id` as its handler would have, deferred and with its token
/// kept, and "dies" before sending it.
async fn left_behind(h: &Harness, id: u64, text: &str) -> i64 {
    let now = h.clock.now();
    let lease = h.tally.outbox_lease();
    let messages = vec![
        OutMessage::new(Text::plain_str(text)),
        OutMessage::new(Text::plain_str("and a follow-up")),
    ];
    let chat = ANA.id.to_string();
    let update = id.to_string();
    let row = h
        .tally
        .db()
        .write(move |c| {
            outbox::enqueue(
                c,
                Platform::Discord,
                &chat,
                Some(&update),
                &messages,
                now,
                lease,
            )
        })
        .await
        .unwrap();
    let kept = h
        .tally
        .keep_reply_token(
            Platform::Discord,
            id.to_string(),
            ReplyToken::new(fake::token(id)),
        )
        .await
        .unwrap();
    assert_eq!(kept, 1);
    row
}

async fn token_of(h: &Harness, row: i64) -> Option<String> {
    h.tally
        .db()
        .read(move |c| {
            Ok(outbox_t::table
                .filter(outbox_t::id.eq(row))
                .select(outbox_t::reply_token)
                .first::<Option<String>>(c)?)
        })
        .await
        .unwrap()
}

async fn deferred_interaction_is_completed_through_its_webhook(db: TestDb) {
    let h = Harness::start(db).await;
    let (sender, _) = sender(&h);
    let row = left_behind(&h, 8101, "Recorded expense: $12.00").await;
    assert!(token_of(&h, row).await.is_some());

    h.clock.advance(Duration::seconds(31));
    assert_eq!(
        sender.tick().await.unwrap(),
        SendReport {
            sent: 1,
            ..SendReport::default()
        }
    );
    let calls = h.fake.webhook_calls(8101);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0].method, "PATCH");
    assert!(
        calls[0].path.ends_with("/messages/@original"),
        "{}",
        calls[0].path
    );
    assert!(content(&calls[0].body).contains("$12.00"), "{:?}", calls[0]);
    assert_eq!(calls[1].method, "POST");
    assert!(content(&calls[1].body).contains("follow-up"));
    assert_eq!(
        token_of(&h, row).await,
        None,
        "the secret is gone once sent"
    );
    assert!(
        !h.fake
            .requests()
            .iter()
            .any(|r| r.path.contains("/channels/") && r.method == "POST"),
        "nothing posted to a channel"
    );

    // Past Discord's window the token is useless: the reply goes to the person's DM instead.
    let late = left_behind(&h, 8102, "Recorded expense: $7.00").await;
    h.clock.advance(Duration::minutes(20));
    assert_eq!(sender.tick().await.unwrap().sent, 1);
    assert!(h.fake.webhook_calls(8102).is_empty());
    let posted = h
        .fake
        .request("the reply posted to the DM", |r| {
            r.method == "POST" && r.path.ends_with("/messages") && r.path.contains("/channels/")
        })
        .await;
    assert!(content(&posted.body).contains("$7.00"), "{posted:?}");
    assert_eq!(token_of(&h, late).await, None);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deferred_interaction_is_completed() {
    on_backends!(
        "discord_outbox_deferred",
        deferred_interaction_is_completed_through_its_webhook
    );
}

async fn schedule_posts_in_its_budget_channel_once(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    f.interaction(fake::command(
        8201,
        &ANA,
        BUDGET,
        "budget-channel",
        sub("enable", &[]),
    ))
    .await;
    f.callback(8201).await;
    f.interaction(fake::command(
        8202,
        &ANA,
        BUDGET,
        "repeat",
        strings(&[("entry", "internet 40 monthly on the 5th")]),
    ))
    .await;
    let scheduled = f.callback(8202).await;
    assert!(content(&scheduled).contains("Scheduled"), "{scheduled}");

    let (_, notifier) = sender(&h);
    let poster = Poster::new(h.tally.clone(), vec![notifier], &[]);
    assert_eq!(poster.tick().await.unwrap(), PostReport::default());
    h.clock.set("2026-12-05T12:00:00Z".parse().unwrap());
    assert_eq!(
        poster.tick().await.unwrap(),
        PostReport {
            recorded: 1,
            sent: 1,
            failed: 0
        }
    );
    assert_eq!(poster.tick().await.unwrap(), PostReport::default());
    let path = format!("/api/v10/channels/{CHANNEL}/messages");
    let posted: Vec<_> = f
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect();
    assert_eq!(posted.len(), 1, "{posted:?}");
    let body = &posted[0].body;
    assert!(content(body).contains("Recorded as scheduled"), "{body}");
    assert!(content(body).contains("$40.00"), "{body}");
    assert!(
        component_ids(body).iter().any(|id| id.starts_with("u:")),
        "an Undo button: {body}"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_posts_in_its_budget_channel() {
    on_backends!(
        "discord_recurring_channel",
        schedule_posts_in_its_budget_channel_once
    );
}

async fn answered_deferral_leaves_nothing_behind(db: TestDb) {
    let h = Harness::with(
        db,
        Setup {
            defer_after: std::time::Duration::ZERO,
            ..Setup::default()
        },
    )
    .await;
    let f = &h.fake;
    f.interaction(fake::command(
        8301,
        &ANA,
        fake::DM,
        "help",
        serde_json::json!([]),
    ))
    .await;
    assert_eq!(f.callback(8301).await["type"], 5, "deferred");
    f.request("the edit", |r| {
        r.method == "PATCH" && r.path.contains(&fake::token(8301))
    })
    .await;
    assert_eq!(h.outcome(8301, 1).await, "handled");
    // The handler kept the token while it answered, then marked the row sent: the token is
    // gone and the sender has nothing to do.
    let rows = h
        .tally
        .db()
        .read(|c| outbox::of_update(c, Platform::Discord, "8301"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let (row, _) = rows[0];
    // Marked right after the answer went out: polled until then (the fake has no request to
    // wake a wait on), within the suite's usual limit.
    let deadline = tokio::time::Instant::now() + fake::WAIT;
    let (sent, token) = loop {
        let state = h
            .tally
            .db()
            .read(move |c| {
                Ok(outbox_t::table
                    .filter(outbox_t::id.eq(row))
                    .select((outbox_t::sent_at.is_not_null(), outbox_t::reply_token))
                    .first::<(bool, Option<String>)>(c)?)
            })
            .await
            .unwrap();
        if state.0 || tokio::time::Instant::now() >= deadline {
            break state;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(sent);
    assert_eq!(token, None);
    h.clock.advance(Duration::minutes(1));
    let (sender, _) = sender(&h);
    assert_eq!(sender.tick().await.unwrap(), SendReport::default());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answered_deferral_keeps_no_token() {
    on_backends!(
        "discord_outbox_answered",
        answered_deferral_leaves_nothing_behind
    );
}
