#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Digests: the `/digest` command, due times, the one-instance claim, and what a digest says.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tally_core::Tally;
use tally_core::clock::ManualClock;
use tally_core::conversation::digest::compose;
use tally_core::conversation::{Chat, Content, Incoming, Sender};
use tally_core::domain::{ChatKind, Platform, Role, TransactionKind};
use tally_core::services::digests::{self, Frequency};
use tally_core::services::{accounts, ledgers};
use tally_testkit::db::TestDb;
use tally_testkit::fixtures::*;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

fn tally(t: &TestDb, now: &str) -> (Tally, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(at(now)));
    let tally = Tally::builder(t.db.clone(), Default::default())
        .clock(clock.clone())
        .build();
    (tally, clock)
}

fn command(n: u32, user: &str, chat: (ChatKind, &str), role: Option<Role>, text: &str) -> Incoming {
    Incoming {
        platform: Platform::Telegram,
        update_id: format!("u{n}"),
        sender: Sender {
            id: user.to_owned(),
            display_name: user.to_owned(),
            role,
        },
        chat: Chat {
            kind: chat.0,
            id: chat.1.to_owned(),
            title: Some("Flat".into()),
        },
        content: Content::from_text(text),
        at: at("2026-11-24T12:00:00Z"),
        message_ref: None,
        mentions: Default::default(),
    }
}

#[tokio::test]
async fn digest_command_switches_on_shows_and_off() {
    for t in backends("digest_command") {
        let (tally, _) = tally(&t, "2026-11-24T12:00:00Z");
        let private = (ChatKind::Private, "42");
        let reply = tally
            .handle(command(1, "42", private, None, "/digest weekly"))
            .await
            .unwrap()
            .reply()
            .unwrap()
            .plain();
        assert_eq!(
            reply,
            "📬 Weekly digest on: every Monday at 09:00 (UTC), the first on Mon Nov 30 at 09:00. \
             It sums up the period and what stands out. /digest off stops it."
        );
        let d =
            t.db.read(|c| digests::find(c, Platform::Telegram, "42"))
                .await
                .unwrap()
                .expect("stored");
        assert_eq!(d.frequency, Frequency::Weekly);
        assert_eq!(d.next_due_at, at("2026-11-30T09:00:00Z").naive_utc());

        let status = tally
            .handle(command(2, "42", private, None, "/digest"))
            .await
            .unwrap()
            .reply()
            .unwrap()
            .plain();
        assert!(
            status.starts_with(
                "📬 This chat gets a weekly digest; the next one comes Mon Nov 30 at 09:00 (UTC)."
            ),
            "{status}"
        );

        let monthly = tally
            .handle(command(3, "42", private, None, "/digest monthly"))
            .await
            .unwrap()
            .reply()
            .unwrap()
            .plain();
        assert!(
            monthly.contains("the first on Tue Dec 1 at 09:00"),
            "{monthly}"
        );

        let bad = tally
            .handle(command(4, "42", private, None, "/digest hourly"))
            .await
            .unwrap()
            .reply()
            .unwrap()
            .plain();
        assert_eq!(
            bad,
            "Use /digest weekly (Mondays), /digest monthly (the 1st) or /digest off."
        );

        let off = tally
            .handle(command(5, "42", private, None, "/digest off"))
            .await
            .unwrap()
            .reply()
            .unwrap()
            .plain();
        assert!(off.starts_with("Digest off."), "{off}");
        let gone =
            t.db.read(|c| digests::find(c, Platform::Telegram, "42"))
                .await
                .unwrap();
        assert!(gone.is_none());
    }
}

#[tokio::test]
async fn in_a_group_only_admins_switch_the_digest() {
    for t in backends("digest_group") {
        let (tally, _) = tally(&t, "2026-11-24T12:00:00Z");
        let group = (ChatKind::Group, "-100");
        let member = tally
            .handle(command(1, "7", group, Some(Role::Member), "/digest weekly"))
            .await
            .unwrap()
            .reply()
            .unwrap()
            .plain();
        assert!(
            member.starts_with("Only the group's admins can switch the digest"),
            "{member}"
        );
        let admin = tally
            .handle(command(2, "8", group, Some(Role::Admin), "/digest monthly"))
            .await
            .unwrap()
            .reply()
            .unwrap()
            .plain();
        assert!(admin.starts_with("📬 Monthly digest on"), "{admin}");
        let d =
            t.db.read(|c| digests::find(c, Platform::Telegram, "-100"))
                .await
                .unwrap()
                .expect("stored");
        let group_ledger =
            t.db.read(|c| ledgers::find_group(c, Platform::Telegram, "-100"))
                .await
                .unwrap()
                .expect("ledger");
        assert_eq!(d.ledger, group_ledger.id);
    }
}

#[test]
fn only_one_claim_wins_and_a_failed_send_is_given_back() {
    for t in backends("digest_claim") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            let now = at("2026-11-24T12:00:00Z");
            digests::set(
                c,
                a.id,
                l,
                Platform::Discord,
                "chan",
                Frequency::Weekly,
                now,
            )?;
            assert!(
                digests::due(c, now, &[Platform::Discord], 10)?.is_empty(),
                "not due before Monday"
            );
            let monday = at("2026-11-30T09:00:00Z");
            let due = digests::due(c, monday, &[Platform::Discord], 10)?;
            assert_eq!(due.len(), 1);
            // Two instances read the same row; only the first update moves it.
            let first = digests::claim(c, &due[0], monday)?;
            let second = digests::claim(c, &due[0], monday)?;
            assert_eq!(first, Some(at("2026-12-07T09:00:00Z").naive_utc()));
            assert_eq!(second, None);
            assert!(digests::due(c, monday, &[Platform::Discord], 10)?.is_empty());
            // The send failed: given back, due again at the retry time.
            let retry = at("2026-11-30T09:15:00Z");
            assert!(digests::release(
                c,
                &due[0],
                first.expect("claimed"),
                retry
            )?);
            assert!(digests::due(c, monday, &[Platform::Discord], 10)?.is_empty());
            let again = digests::due(c, retry, &[Platform::Discord], 10)?;
            assert_eq!(again.len(), 1);
            assert_eq!(again[0].last_sent_at, None);
            // A digest missed for weeks goes out once and is rescheduled from now.
            let late = at("2026-12-23T10:00:00Z");
            let next = digests::claim(c, &again[0], late)?;
            assert_eq!(next, Some(at("2026-12-28T09:00:00Z").naive_utc()));
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn due_times_follow_the_account_time_zone() {
    for t in backends("digest_tz") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            let patch = accounts::SettingsPatch {
                timezone: Some(tally_core::domain::Timezone::parse("Asia/Tokyo").expect("zone")),
                ..Default::default()
            };
            accounts::update_settings(c, a.id, patch, now())?;
            let d = digests::set(
                c,
                a.id,
                l,
                Platform::Telegram,
                "1",
                Frequency::Monthly,
                now(),
            )?;
            // 09:00 in Tokyo on Dec 1 is midnight UTC.
            assert_eq!(d.next_due_at, at("2026-12-01T00:00:00Z").naive_utc());
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn a_digest_sums_up_the_period_and_what_stands_out() {
    for t in backends("digest_compose") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            record(c, a.id, l, TransactionKind::Income, usd("1000"), "salary", "2026-11-23", "");
            spend(c, a.id, l, "120", "food", "2026-11-24");
            spend(c, a.id, l, "80", "transport", "2026-11-25");
            spend(c, a.id, l, "999", "shopping", "2026-12-01");
            let d = digests::set(c, a.id, l, Platform::Telegram, "42", Frequency::Weekly, now())?;
            let message = compose(c, &d, at("2026-11-30T09:00:00Z"))?.expect("active");
            let text = message.text.to_plain();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines[0], "📬 Weekly digest: 23 Nov – 29 Nov 2026");
            assert_eq!(
                lines[1],
                "Spent $200.00, earned $1,000.00, saved $800.00 (80.0%). Most went to food $120.00, transport $80.00."
            );
            assert!(text.contains("What stands out\n• "), "{text}");
            assert!(text.ends_with("/advice for more, /digest off to stop these."));

            // Someone who is no longer a member gets nothing from the ledger.
            let b = account(c, "Bob");
            let forged = digests::Digest { account: b.id, ..d.clone() };
            let err = compose(c, &forged, at("2026-11-30T09:00:00Z")).expect_err("not a member");
            assert_eq!(err.kind(), tally_core::ErrorKind::NotFound);
            Ok(())
        })
        .expect("ok");
    }
}

#[tokio::test]
async fn digests_need_a_chat_platform() {
    let t = TestDb::sqlite();
    let (tally, _) = tally(&t, "2026-11-24T12:00:00Z");
    let mut msg = command(1, "ann", (ChatKind::Private, "ann"), None, "/digest weekly");
    msg.platform = Platform::Console;
    let reply = tally.handle(msg).await.unwrap().reply().unwrap().plain();
    assert_eq!(
        reply,
        "Digests are posted in Telegram and Discord chats: send /digest there."
    );
}
