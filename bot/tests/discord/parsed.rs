#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Discord flows that read amounts and free text, so they need the real parser (they fail
//! against the parser stub, and pass once the parser is merged).

use crate::support::fake::{self, strings, sub};
use crate::support::fake::{ANA, BEN, DM};
use crate::support::{Harness, Person, Place, backends, component_ids, content, ephemeral};
use serde_json::json;
use tally_testkit::db::TestDb;

const BUDGET: Place = Place::Guild {
    channel: 620000000000000002,
};

async fn typed_options_and_free_text_record(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    f.interaction(fake::command(
        1101,
        &BEN,
        DM,
        "spent",
        strings(&[("amount", "12.50"), ("category", "food"), ("note", "lunch")]),
    ))
    .await;
    let spent = f.callback(1101).await;
    assert!(ephemeral(&spent));
    let text = content(&spent);
    assert!(
        text.contains("Recorded expense") && text.contains("12.50"),
        "{text}"
    );
    let ids = component_ids(&spent);
    assert!(ids.iter().any(|i| i.starts_with("u:")), "{ids:?}");
    assert!(ids.iter().any(|i| i.starts_with("c:")), "{ids:?}");

    f.interaction(fake::command(
        1102,
        &BEN,
        DM,
        "earned",
        strings(&[("amount", "2500"), ("category", "salary")]),
    ))
    .await;
    assert!(content(&f.callback(1102).await).contains("Recorded income"));

    f.interaction(fake::command(
        1103,
        &BEN,
        DM,
        "ask",
        strings(&[("text", "spent 12 on lunch yesterday")]),
    ))
    .await;
    assert!(content(&f.callback(1103).await).contains("Recorded expense"));

    f.interaction(fake::command(
        1104,
        &BEN,
        DM,
        "summary",
        strings(&[("period", "last-month")]),
    ))
    .await;
    let last = content(&f.callback(1104).await);
    assert!(last.contains("October"), "{last}");

    let dm = 610000000000000009u64;
    f.dispatch(
        "MESSAGE_CREATE",
        fake::dm_message(1105, &BEN, dm, "spent 4.20 on coffee", false),
    )
    .await;
    let sent = f
        .request("the DM answer", |r| {
            r.path == format!("/api/v10/channels/{dm}/messages")
        })
        .await;
    assert!(content(&sent.body).contains("Recorded expense"), "{sent:?}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording() {
    on_backends!("discord_recording", typed_options_and_free_text_record);
}

async fn channel_budgets_alert_once_in_public(db: TestDb) {
    let h = Harness::start(db).await;
    let f = &h.fake;
    f.interaction(fake::command(
        1201,
        &ANA,
        BUDGET,
        "budget-channel",
        sub("enable", &[]),
    ))
    .await;
    f.callback(1201).await;

    let set = |id: u64, who: &Person| {
        fake::command(
            id,
            who,
            BUDGET,
            "budget",
            sub(
                "set",
                &[("category", "food"), ("amount", "100"), ("period", "month")],
            ),
        )
    };
    f.interaction(set(1202, &BEN)).await;
    let refused = f.callback(1202).await;
    assert!(
        content(&refused).contains("Only the group's admins"),
        "{refused}"
    );
    f.interaction(set(1203, &ANA)).await;
    let ok = f.callback(1203).await;
    assert!(!ephemeral(&ok));
    assert!(content(&ok).contains("Budget set"), "{ok}");

    let spend = |id: u64, amount: &str| {
        fake::command(
            id,
            &BEN,
            BUDGET,
            "spent",
            strings(&[("amount", amount), ("category", "food")]),
        )
    };
    f.interaction(spend(1204, "85")).await;
    let first = f.callback(1204).await;
    assert!(!ephemeral(&first));
    assert!(content(&first).contains("ben recorded expense"), "{first}");
    let warn = f
        .request("the 80% alert", |r| {
            r.method == "POST" && r.path.ends_with(&fake::token(1204))
        })
        .await;
    assert!(content(&warn.body).contains("budget at 85%"), "{warn:?}");
    assert_eq!(
        warn.body["flags"].as_u64().unwrap_or(0) & 64,
        0,
        "public: {warn:?}"
    );

    f.interaction(spend(1205, "20")).await;
    f.callback(1205).await;
    let over = f
        .request("the 100% alert", |r| {
            r.method == "POST" && r.path.ends_with(&fake::token(1205))
        })
        .await;
    assert!(content(&over.body).contains("budget exceeded"), "{over:?}");

    f.interaction(spend(1206, "5")).await;
    f.callback(1206).await;
    assert_eq!(h.outcome(1206, 1).await, "handled");
    assert!(
        f.webhook_calls(1206).is_empty(),
        "each alert is posted once"
    );

    f.interaction(fake::command(1207, &BEN, BUDGET, "summary", json!([])))
        .await;
    let summary = content(&f.callback(1207).await);
    assert!(
        summary.contains("ben") && summary.contains("110"),
        "{summary}"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_alerts() {
    on_backends!(
        "discord_channel_alerts",
        channel_budgets_alert_once_in_public
    );
}
