#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Recurring entries through Telegram: scheduled in a chat, posted by the poster on their day with
//! a message carrying Undo and Skip, and those buttons working.

use std::sync::Arc;

use crate::support::*;
use tally_bot::recurring::{PostReport, Poster};
use tally_bot::telegram::Telegram;
use tally_core::Settings;
use tally_core::Tally;
use tally_core::clock::ManualClock;
use tally_testkit::telegram::{FakeTelegram, FakeUser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_posts_into_its_chat_with_undo_and_skip() {
    for db in backends("telegram_recurring") {
        let fake = FakeTelegram::start().await.expect("fake Bot API");
        fake.set_date(now());
        let clock = Arc::new(ManualClock::new(now()));
        let tally = Tally::builder(db.db.clone(), Settings::default())
            .clock(clock.clone())
            .build();
        let telegram = Telegram::start(tally.clone(), &fake.config(), fast_options())
            .await
            .expect("adapter starts");
        let rig = Rig {
            fake,
            tally: tally.clone(),
            telegram,
        };
        let ann = FakeUser::new(701, "Ann");
        let chat = 701;
        rig.fake
            .send_text(chat, &ann, "rent 1450 monthly on the 1st");
        let scheduled = rig.nth(chat, 1).await;
        assert!(scheduled.text.contains("Scheduled"), "{}", scheduled.text);
        assert!(
            scheduled
                .buttons()
                .iter()
                .any(|(label, _)| label.contains("Skip next"))
        );

        let poster = Poster::new(tally.clone(), vec![rig.telegram.notifier()], &[]);
        assert_eq!(poster.tick().await.unwrap(), PostReport::default());
        // 1 December, 1 January and 1 February, each told once.
        clock.set("2027-02-01T09:00:00Z".parse().unwrap());
        let report = poster.tick().await.unwrap();
        assert_eq!(
            report,
            PostReport {
                recorded: 3,
                sent: 3,
                failed: 0
            }
        );
        assert_eq!(poster.tick().await.unwrap(), PostReport::default());
        let sent = rig.messages(chat, 4).await;
        let posted = &sent[3];
        assert!(
            posted.text.contains("Recorded as scheduled"),
            "{}",
            posted.text
        );
        assert!(posted.text.contains("$1,450.00"), "{}", posted.text);
        let buttons = posted.buttons();
        let undo = buttons
            .iter()
            .find(|(l, _)| l.contains("Undo"))
            .expect("undo")
            .1
            .clone();
        let skip = buttons
            .iter()
            .find(|(l, _)| l.contains("Skip"))
            .expect("skip")
            .1
            .clone();

        rig.fake.press(&ann, chat, posted.message_id, &undo);
        let undone = rig.edited(chat, posted.message_id, 1).await;
        assert!(undone.text.contains("Undone"), "{}", undone.text);
        rig.fake.press(&ann, chat, posted.message_id, &skip);
        let skipped = rig.nth(chat, 5).await;
        assert!(skipped.text.contains("Skipping"), "{}", skipped.text);
        assert!(skipped.text.contains("Mar 1"), "{}", skipped.text);

        clock.set("2027-03-05T09:00:00Z".parse().unwrap());
        assert_eq!(
            poster.tick().await.unwrap(),
            PostReport::default(),
            "March skipped"
        );
        let left = rig.db(|c| {
            let a = account_of(c, ann.id);
            let l = personal_ledger(c, a);
            tally_core::services::transactions::list(c, a, l, &Default::default(), 50, 0)
        });
        let dates: Vec<String> = left.items.iter().map(|t| t.date.to_string()).collect();
        assert_eq!(dates, ["2027-01-01", "2026-12-01"], "February undone");
        rig.telegram.stop().await;
    }
}
