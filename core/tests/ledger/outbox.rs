//! The outbox: a reply commits with its update's effects, and a redelivery resends it only if unsent.

use std::sync::{Arc, Barrier};

use chrono::Duration;
use diesel::RunQueryDsl as _;
use tally_core::clock::ManualClock;
use tally_core::conversation::{Chat, Content, Incoming, Outcome, Sender};
use tally_core::domain::{ChatKind, Platform};
use tally_core::services::transactions::Filter;
use tally_core::services::{accounts, ledgers, outbox, transactions, updates};
use tally_core::{Settings, Tally};
use tally_testkit::db::{TestDb, skip_unless_ci};
use tally_testkit::fixtures::*;

fn tally(t: &TestDb) -> (Tally, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(now()));
    let tally = Tally::builder(t.db.clone(), Settings::default())
        .clock(clock.clone())
        .build();
    (tally, clock)
}

fn message(update: &str, text: &str) -> Incoming {
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
        content: Content::from_text(text),
        at: now(),
        message_ref: Some(update.to_owned()),
        mentions: Default::default(),
    }
}

/// Entries in ann's personal ledger (none when she has no account yet).
async fn entries(t: &TestDb) -> i64 {
    t.db.write(|c| {
        let Some(identity) = accounts::find_identity(c, Platform::Telegram, "ann")? else {
            return Ok(0);
        };
        let ledger = ledgers::personal(c, identity.account)?;
        Ok(transactions::list(c, identity.account, ledger.id, &Filter::default(), 10, 0)?.total)
    })
    .await
    .unwrap()
}

async fn rows(t: &TestDb, update: &str) -> Vec<(i64, Option<chrono::DateTime<chrono::Utc>>)> {
    let update = update.to_owned();
    t.db.read(move |c| outbox::of_update(c, Platform::Telegram, &update))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reply_is_written_with_its_entry() {
    for t in backends("outbox_with_entry") {
        let (tally, _) = tally(&t);
        let delivery = tally
            .handle(message("u1", "spent 12 on lunch"))
            .await
            .unwrap()
            .delivery()
            .expect("a reply");
        let id = delivery.id.expect("written to the outbox");
        assert!(delivery.reply.plain().contains("12"));
        assert_eq!(rows(&t, "u1").await, vec![(id, None)]);
        assert_eq!(entries(&t).await, 1);
    }
}

#[tokio::test]
async fn work_that_fails_leaves_neither_entry_nor_reply_nor_claim() {
    for t in backends("outbox_failed_work") {
        let (tally, _) = tally(&t);
        // Make the entry's insert fail on our side: the table is briefly gone.
        let hide = |sql: &'static str| {
            t.db.write(move |c| {
                diesel::sql_query(sql).execute(c)?;
                Ok(())
            })
        };
        hide("ALTER TABLE transactions RENAME TO transactions_away")
            .await
            .unwrap();
        let failed = tally.handle(message("u1", "spent 12 on lunch")).await;
        assert!(failed.is_err(), "a database failure is ours: {failed:?}");
        hide("ALTER TABLE transactions_away RENAME TO transactions")
            .await
            .unwrap();
        assert!(
            rows(&t, "u1").await.is_empty(),
            "no reply without the entry"
        );
        let seen =
            t.db.read(|c| updates::seen(c, Platform::Telegram, "u1"))
                .await
                .unwrap();
        assert!(!seen, "the claim rolled back too");
        // The redelivery is handled afresh: one entry, one reply.
        let outcome = tally
            .handle(message("u1", "spent 12 on lunch"))
            .await
            .unwrap();
        assert!(matches!(outcome, Outcome::Replied(_)));
        assert_eq!(entries(&t).await, 1);
        assert_eq!(rows(&t, "u1").await.len(), 1);
    }
}

#[tokio::test]
async fn an_unsent_reply_is_sent_again_once_when_its_update_comes_back() {
    for t in backends("outbox_redelivery") {
        let (tally, clock) = tally(&t);
        let first = tally
            .handle(message("u1", "spent 12 on lunch"))
            .await
            .unwrap()
            .delivery()
            .expect("a reply");
        // The first handler holds the lease: a redelivery meanwhile is a duplicate.
        assert!(matches!(
            tally
                .handle(message("u1", "spent 12 on lunch"))
                .await
                .unwrap(),
            Outcome::Duplicate
        ));
        // It "crashed" before marking the reply sent; its lease runs out.
        clock.advance(Duration::seconds(31));
        let again = tally
            .handle(message("u1", "spent 12 on lunch"))
            .await
            .unwrap()
            .delivery()
            .expect("the unsent reply, again");
        assert_eq!(again.id, first.id);
        assert_eq!(again.reply.messages, first.reply.messages);
        // Once: the redelivery took the lease, so the next one gets nothing.
        assert!(matches!(
            tally
                .handle(message("u1", "spent 12 on lunch"))
                .await
                .unwrap(),
            Outcome::Duplicate
        ));
        assert_eq!(entries(&t).await, 1, "the entry itself is never redone");
        // Sent and marked: from now on a plain duplicate, however late it comes back.
        assert_eq!(tally.mark_sent(vec![again.id.unwrap()]).await.unwrap(), 1);
        clock.advance(Duration::hours(2));
        assert!(matches!(
            tally
                .handle(message("u1", "spent 12 on lunch"))
                .await
                .unwrap(),
            Outcome::Duplicate
        ));
        let rows = rows(&t, "u1").await;
        assert_eq!(rows.len(), 1);
        assert!(rows[0].1.is_some(), "marked sent");
    }
}

#[tokio::test]
async fn a_reply_marked_sent_makes_its_redelivery_a_duplicate() {
    for t in backends("outbox_marked") {
        let (tally, clock) = tally(&t);
        let first = tally
            .handle(message("u1", "spent 12 on lunch"))
            .await
            .unwrap()
            .delivery()
            .expect("a reply");
        tally.mark_sent(vec![first.id.unwrap()]).await.unwrap();
        clock.advance(Duration::minutes(5));
        assert!(matches!(
            tally
                .handle(message("u1", "spent 12 on lunch"))
                .await
                .unwrap(),
            Outcome::Duplicate
        ));
        // And the sender finds nothing to do.
        let claimed = tally
            .claim_unsent(vec![Platform::Telegram], 10)
            .await
            .unwrap();
        assert!(claimed.is_empty());
    }
}

#[tokio::test]
async fn the_sender_claims_what_stayed_unsent_and_backs_off_after_a_failure() {
    for t in backends("outbox_sender_claims") {
        let (tally, clock) = tally(&t);
        let first = tally
            .handle(message("u1", "spent 12 on lunch"))
            .await
            .unwrap()
            .delivery()
            .expect("a reply");
        let none = tally
            .claim_unsent(vec![Platform::Telegram], 10)
            .await
            .unwrap();
        assert!(
            none.is_empty(),
            "within its lease the handler is sending it"
        );
        clock.advance(Duration::seconds(31));
        let claimed = tally
            .claim_unsent(vec![Platform::Telegram], 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(Some(claimed[0].id), first.id);
        assert_eq!(claimed[0].chat_id, "ann");
        assert_eq!(claimed[0].messages, first.reply.messages);
        assert_eq!(claimed[0].attempts, 2);
        // Not for another platform's sender, and not again while this claim's lease lasts
        // (twice as long after each attempt: a minute, then two…).
        assert!(
            tally
                .claim_unsent(vec![Platform::Discord], 10)
                .await
                .unwrap()
                .is_empty()
        );
        clock.advance(Duration::seconds(31));
        assert!(
            tally
                .claim_unsent(vec![Platform::Telegram], 10)
                .await
                .unwrap()
                .is_empty()
        );
        clock.advance(Duration::seconds(100));
        let retried = tally
            .claim_unsent(vec![Platform::Telegram], 10)
            .await
            .unwrap();
        assert_eq!(retried.len(), 1);
        assert_eq!(retried[0].attempts, 3);
        tally.mark_sent(vec![retried[0].id]).await.unwrap();
        clock.advance(Duration::hours(1));
        assert!(
            tally
                .claim_unsent(vec![Platform::Telegram], 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_row_is_given_up_after_its_last_attempt() {
    for t in backends("outbox_give_up") {
        let (tally, clock) = tally(&t);
        tally
            .handle(message("u1", "spent 12 on lunch"))
            .await
            .unwrap();
        let mut claims = 0;
        for _ in 0..20 {
            clock.advance(Duration::days(1));
            claims += tally
                .claim_unsent(vec![Platform::Telegram], 10)
                .await
                .unwrap()
                .len();
        }
        // The handler's send was the first attempt.
        assert_eq!(claims as i32, outbox::MAX_ATTEMPTS - 1);
    }
}

/// Several instances on one PostgreSQL: a claim locks its rows (`SKIP LOCKED`), so claimers in
/// open transactions at the same moment take different rows, and every row goes to one of them.
#[test]
fn concurrent_claimers_on_postgres_never_take_the_same_row() {
    let Some(t) = TestDb::postgres("outbox_concurrent_claims") else {
        skip_unless_ci("the concurrent claim test needs PostgreSQL");
        return;
    };
    const ROWS: usize = 60;
    let at = now();
    t.db.write_blocking(|c| {
        for i in 0..ROWS {
            let m = tally_core::conversation::OutMessage::new(
                tally_core::conversation::Text::plain_str(format!("reply {i}")),
            );
            outbox::enqueue(
                c,
                Platform::Telegram,
                "42",
                Some(&format!("u{i}")),
                &[m],
                at - Duration::minutes(5),
                Duration::seconds(30),
            )?;
        }
        Ok(())
    })
    .unwrap();
    // First, two claimers whose transactions overlap: each holds its rows while the other claims.
    let barrier = Arc::new(Barrier::new(2));
    let overlapping: Vec<Vec<i64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                let db = t.db.clone();
                s.spawn(move || {
                    db.write_blocking(|c| {
                        let rows = outbox::claim_due(
                            c,
                            &[Platform::Telegram],
                            at,
                            Duration::hours(1),
                            10,
                        )?;
                        barrier.wait();
                        Ok(rows.into_iter().map(|r| r.id).collect::<Vec<_>>())
                    })
                    .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(overlapping[0].len(), 10);
    assert_eq!(overlapping[1].len(), 10);
    assert!(
        overlapping[0].iter().all(|id| !overlapping[1].contains(id)),
        "the same row claimed twice: {overlapping:?}"
    );
    // Then four claimers racing through the rest in small batches.
    let raced: Vec<Vec<i64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let db = t.db.clone();
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let got = db
                            .write_blocking(|c| {
                                outbox::claim_due(
                                    c,
                                    &[Platform::Telegram],
                                    at,
                                    Duration::hours(1),
                                    3,
                                )
                            })
                            .unwrap();
                        if got.is_empty() {
                            return mine;
                        }
                        mine.extend(got.into_iter().map(|r| r.id));
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all: Vec<i64> = overlapping.into_iter().chain(raced).flatten().collect();
    let claimed = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), claimed, "no row was claimed twice");
    assert_eq!(claimed, ROWS, "every row was claimed once");
}

#[tokio::test]
async fn old_sent_rows_are_pruned_and_unsent_ones_kept() {
    for t in backends("outbox_prune") {
        let (tally, clock) = tally(&t);
        let sent = tally
            .handle(message("u1", "spent 12 on lunch"))
            .await
            .unwrap()
            .delivery()
            .unwrap();
        tally.mark_sent(vec![sent.id.unwrap()]).await.unwrap();
        tally
            .handle(message("u2", "spent 3 on coffee"))
            .await
            .unwrap();
        assert_eq!(tally.prune_outbox(Duration::days(3)).await.unwrap(), 0);
        clock.advance(Duration::days(4));
        assert_eq!(tally.prune_outbox(Duration::days(3)).await.unwrap(), 1);
        assert!(rows(&t, "u1").await.is_empty());
        assert_eq!(rows(&t, "u2").await.len(), 1, "still owed: kept");
    }
}
