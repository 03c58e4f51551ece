#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Recurring entries: scheduling from chat, posting each occurrence once on its own date (also
//! after downtime and with two instances), and skip, pause, resume, edit and end by count.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tally_core::clock::ManualClock;
use tally_core::conversation::recurring::Announcement;
use tally_core::conversation::{Chat, Content, Incoming, Reply, Sender};
use tally_core::domain::{ChatKind, Platform, Role};
use tally_core::services::transactions::Filter;
use tally_core::services::{accounts, ledgers, transactions};
use tally_core::{Settings, Tally};
use tally_testkit::db::TestDb;
use tally_testkit::fixtures::*;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("instant")
}

struct Chatter {
    tally: Tally,
    clock: Arc<ManualClock>,
    next: u64,
}

impl Chatter {
    fn new(t: &TestDb, start: &str) -> Chatter {
        let clock = Arc::new(ManualClock::new(at(start)));
        let tally = Tally::builder(t.db.clone(), Settings::default())
            .clock(clock.clone())
            .build();
        Chatter {
            tally,
            clock,
            next: 0,
        }
    }

    /// A second instance on the same database and clock.
    fn twin(&self, t: &TestDb) -> Tally {
        Tally::builder(t.db.clone(), Settings::default())
            .clock(self.clock.clone())
            .build()
    }

    async fn say_as(&mut self, user: &str, group: Option<(&str, Role)>, text: &str) -> String {
        self.next += 1;
        let (kind, id, role) = match group {
            Some((g, role)) => (ChatKind::Group, g.to_owned(), Some(role)),
            None => (ChatKind::Private, user.to_owned(), None),
        };
        let msg = Incoming {
            platform: Platform::Console,
            update_id: format!("u{}", self.next),
            sender: Sender {
                id: user.to_owned(),
                display_name: user.to_owned(),
                role,
            },
            chat: Chat {
                kind,
                id,
                title: Some("Flat".into()),
            },
            content: Content::from_text(text),
            at: self.tally.now(),
            message_ref: Some(self.next.to_string()),
            mentions: Default::default(),
        };
        let reply: Option<Reply> = self.tally.handle(msg).await.unwrap().reply();
        reply.map(|r| r.plain()).unwrap_or_default()
    }

    async fn say(&mut self, text: &str) -> String {
        self.say_as("ann", None, text).await
    }

    async fn post(&self) -> Vec<Announcement> {
        self.tally
            .post_recurring(&[Platform::Console])
            .await
            .unwrap()
    }

    /// Ann's entries as (date, amount, note), oldest first.
    async fn entries(&self) -> Vec<(String, String, String)> {
        self.tally
            .db()
            .read(|c| {
                let ann = accounts::find_identity(c, Platform::Console, "ann")?
                    .expect("ann exists")
                    .account;
                let ledger = ledgers::personal(c, ann)?.id;
                let page = transactions::list(c, ann, ledger, &Filter::default(), 200, 0)?;
                let mut v: Vec<_> = page
                    .items
                    .into_iter()
                    .map(|t| (t.date.to_string(), t.money.to_string(), t.note))
                    .collect();
                v.sort();
                Ok(v)
            })
            .await
            .unwrap()
    }
}

fn dates(v: &[(String, String, String)]) -> Vec<&str> {
    v.iter().map(|(d, _, _)| d.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_occurrence_is_recorded_once_on_its_own_date_and_downtime_catches_up() {
    for t in backends("recurring_catch_up") {
        let mut chat = Chatter::new(&t, "2027-01-15T12:00:00Z");
        let reply = chat.say("rent 1450 monthly on the 1st").await;
        assert!(reply.contains("Scheduled"), "{reply}");
        assert!(reply.contains("every month on the 1st"), "{reply}");
        // Said on 15 January, it first posts on 1 February.
        assert!(chat.post().await.is_empty());
        assert!(chat.entries().await.is_empty());

        chat.clock.set(at("2027-02-01T08:00:00Z"));
        let told = chat.post().await;
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].chat_id, "ann");
        assert_eq!(told[0].messages.len(), 1);
        assert!(told[0].messages[0].text.to_plain().contains("$1,450.00"));
        assert!(chat.post().await.is_empty(), "posted once");

        // Down for three months: each missed occurrence once, on its own date.
        chat.clock.set(at("2027-05-03T08:00:00Z"));
        let told = chat.post().await;
        assert_eq!(told.iter().map(|a| a.messages.len()).sum::<usize>(), 3);
        assert!(chat.post().await.is_empty());
        let entries = chat.entries().await;
        assert_eq!(
            dates(&entries),
            ["2027-02-01", "2027-03-01", "2027-04-01", "2027-05-01"]
        );
        assert!(
            entries
                .iter()
                .all(|(_, m, n)| m == "$1,450.00" && n == "rent")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_post_each_occurrence_once() {
    for t in backends("recurring_two_instances") {
        let mut chat = Chatter::new(&t, "2027-01-01T12:00:00Z");
        chat.say("coffee 3.50 daily").await;
        chat.say("/repeat gym 30 every monday").await;
        let twin = chat.twin(&t);
        chat.clock.set(at("2027-03-01T12:00:00Z"));
        let (a, b) = tokio::join!(
            chat.tally.post_recurring(&[Platform::Console]),
            twin.post_recurring(&[Platform::Console])
        );
        let told: usize = a
            .unwrap()
            .iter()
            .chain(b.unwrap().iter())
            .map(|a| a.messages.len())
            .sum();
        let entries = chat.entries().await;
        // 1 Jan..1 Mar is 60 days of coffee and 9 Mondays (4 Jan … 1 Mar) of gym.
        let coffee = entries.iter().filter(|e| e.2 == "coffee").count();
        let gym: Vec<_> = entries.iter().filter(|e| e.2 == "gym").collect();
        assert_eq!(coffee, 60);
        assert_eq!(gym.len(), 9);
        assert_eq!(gym[0].0, "2027-01-04");
        assert_eq!(told, 69, "each recorded occurrence told once");
        let mut all = dates(&entries);
        all.dedup();
        let mut per_note: Vec<_> = entries.iter().map(|e| (&e.0, &e.2)).collect();
        per_note.dedup();
        assert_eq!(per_note.len(), entries.len(), "no occurrence twice");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_31st_means_the_last_day_and_a_count_ends_it() {
    for t in backends("recurring_calendar") {
        let mut chat = Chatter::new(&t, "2027-01-31T12:00:00Z");
        let reply = chat
            .say("/repeat loan 250 monthly on the 31st for 3 months")
            .await;
        assert!(reply.contains("3 times"), "{reply}");
        chat.clock.set(at("2027-12-31T12:00:00Z"));
        chat.post().await;
        assert_eq!(
            dates(&chat.entries().await),
            ["2027-01-31", "2027-02-28", "2027-03-31"]
        );
        let list = chat.say("/recurring").await;
        assert!(list.contains("ended"), "{list}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_pause_resume_edit_and_delete() {
    for t in backends("recurring_manage") {
        let mut chat = Chatter::new(&t, "2027-01-15T12:00:00Z");
        chat.say("netflix 15.99 every month").await;
        // Said on the 15th with no day named, it posts that day.
        assert_eq!(chat.post().await.len(), 1);
        let list = chat.say("/recurring").await;
        assert!(list.contains("1. netflix $15.99"), "{list}");
        assert!(list.contains("next Mon Feb 15"), "{list}");
        assert!(list.contains("$191.88/year"), "{list}");

        let skipped = chat.say("/recurring skip 1").await;
        assert!(skipped.contains("Feb 15"), "{skipped}");
        chat.clock.set(at("2027-02-20T12:00:00Z"));
        assert!(chat.post().await.is_empty(), "February was skipped");

        let edited = chat.say("/recurring edit 1 17.99").await;
        assert!(edited.contains("$17.99"), "{edited}");
        chat.say("/recurring pause 1").await;
        chat.clock.set(at("2027-05-20T12:00:00Z"));
        assert!(chat.post().await.is_empty(), "paused");
        let resumed = chat.say("/recurring resume 1").await;
        assert!(
            resumed.contains("Jun 15"),
            "no catch-up of paused months: {resumed}"
        );
        chat.clock.set(at("2027-06-15T12:00:00Z"));
        chat.post().await;
        let entries = chat.entries().await;
        assert_eq!(dates(&entries), ["2027-01-15", "2027-06-15"]);
        assert_eq!(entries[0].1, "$15.99", "posted entries keep their amount");
        assert_eq!(entries[1].1, "$17.99");

        let deleted = chat.say("/recurring delete 1").await;
        assert!(deleted.contains("stay in the ledger"), "{deleted}");
        chat.clock.set(at("2027-09-15T12:00:00Z"));
        assert!(chat.post().await.is_empty());
        assert_eq!(chat.entries().await.len(), 2);
        let bad = chat.say("/recurring skip 4").await;
        assert!(bad.contains("no schedules"), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn occurrences_fall_on_the_authors_day() {
    for t in backends("recurring_timezone") {
        let mut chat = Chatter::new(&t, "2027-01-15T12:00:00Z");
        chat.say("/settings timezone Pacific/Auckland").await;
        chat.say("rent 1450 monthly on the 1st").await;
        // 10:00 UTC on 31 January is 23:00 there: not yet.
        chat.clock.set(at("2027-01-31T10:00:00Z"));
        assert!(chat.post().await.is_empty());
        // 12:00 UTC on 31 January is already 1 February in Auckland.
        chat.clock.set(at("2027-01-31T12:00:00Z"));
        chat.post().await;
        assert_eq!(dates(&chat.entries().await), ["2027-02-01"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_group_admins_schedule_group_entries() {
    for t in backends("recurring_group") {
        let mut chat = Chatter::new(&t, "2027-01-15T12:00:00Z");
        let refused = chat
            .say_as(
                "ben",
                Some(("-9", Role::Member)),
                "/repeat internet 40 monthly on the 5th",
            )
            .await;
        assert!(refused.contains("Only the group's admins"), "{refused}");
        let ok = chat
            .say_as(
                "ann",
                Some(("-9", Role::Admin)),
                "/repeat internet 40 monthly on the 5th",
            )
            .await;
        assert!(ok.contains("Scheduled"), "{ok}");
        chat.clock.set(at("2027-02-06T12:00:00Z"));
        let told = chat.post().await;
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].chat_id, "-9", "the group hears about it");
    }
}

impl Chatter {
    async fn reminders(&self) -> Vec<String> {
        self.tally
            .due_reminders(&[Platform::Console])
            .await
            .unwrap()
            .into_iter()
            .flat_map(|a| a.messages)
            .map(|m| m.text.to_plain())
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_nudge_comes_only_on_days_with_nothing_recorded() {
    for t in backends("reminders_daily") {
        let mut chat = Chatter::new(&t, "2027-01-15T12:00:00Z");
        let reply = chat.say("remind me every evening to log my spending").await;
        assert!(reply.contains("21:00"), "{reply}");
        assert!(chat.reminders().await.is_empty(), "not yet 21:00");

        chat.clock.set(at("2027-01-15T21:00:00Z"));
        let twin = chat.twin(&t);
        let (a, b) = tokio::join!(
            chat.tally.due_reminders(&[Platform::Console]),
            twin.due_reminders(&[Platform::Console])
        );
        let sent: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
        assert_eq!(sent.len(), 1, "one nudge across two instances");
        assert!(
            sent[0].messages[0]
                .text
                .to_plain()
                .contains("Nothing recorded today")
        );
        assert!(chat.reminders().await.is_empty(), "once a day");

        // The next day something is recorded: no nudge.
        chat.clock.set(at("2027-01-16T12:00:00Z"));
        let recorded = chat.say("spent 12 on lunch").await;
        assert!(recorded.contains("Recorded"), "{recorded}");
        chat.clock.set(at("2027-01-16T21:05:00Z"));
        assert!(chat.reminders().await.is_empty());

        // A later time, then off.
        chat.say("/remind daily 8:30pm").await;
        chat.clock.set(at("2027-01-17T20:31:00Z"));
        assert_eq!(chat.reminders().await.len(), 1);
        let off = chat.say("/remind off").await;
        assert!(off.contains("switched off"), "{off}");
        chat.clock.set(at("2027-01-18T22:00:00Z"));
        assert!(chat.reminders().await.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bill_reminders_come_the_day_before() {
    for t in backends("reminders_bills") {
        let mut chat = Chatter::new(&t, "2027-01-15T12:00:00Z");
        chat.say("rent 1450 monthly on the 1st").await;
        chat.say("salary 3200 on the last working day of each month")
            .await;
        let on = chat.say("/remind bills").await;
        assert!(on.contains("before a scheduled payment"), "{on}");
        chat.clock.set(at("2027-01-30T09:30:00Z"));
        assert!(chat.reminders().await.is_empty(), "nothing due on the 31st");
        chat.clock.set(at("2027-01-31T09:30:00Z"));
        let said = chat.reminders().await;
        assert_eq!(said.len(), 1);
        assert!(said[0].contains("Due tomorrow"), "{}", said[0]);
        assert!(said[0].contains("rent: $1,450.00"), "{}", said[0]);
        assert!(
            !said[0].contains("salary"),
            "income is not a bill: {}",
            said[0]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advice_offers_to_schedule_a_payment_it_found() {
    for t in backends("recurring_from_advice") {
        let mut chat = Chatter::new(&t, "2026-09-15T12:00:00Z");
        for day in ["2026-09-15", "2026-10-15", "2026-11-15"] {
            chat.clock.set(at(&format!("{day}T12:00:00Z")));
            let r = chat.say("spent 15.99 on netflix").await;
            assert!(r.contains("Recorded"), "{r}");
        }
        chat.clock.set(at("2026-11-20T12:00:00Z"));
        chat.next += 1;
        let msg = Incoming {
            platform: Platform::Console,
            update_id: format!("u{}", chat.next),
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
            content: Content::Command {
                name: "advice".into(),
                args: String::new(),
            },
            at: chat.tally.now(),
            message_ref: None,
            mentions: Default::default(),
        };
        let advice = chat
            .tally
            .handle(msg.clone())
            .await
            .unwrap()
            .reply()
            .unwrap();
        let offer = advice
            .messages
            .iter()
            .flat_map(|m| m.buttons.iter().flatten())
            .find(|b| b.label.contains("every month"))
            .expect("an offer to schedule netflix")
            .clone();
        assert!(offer.label.contains("Netflix"), "{}", offer.label);
        chat.next += 1;
        let press = Incoming {
            update_id: format!("u{}", chat.next),
            content: Content::Action(offer.action.clone()),
            ..msg.clone()
        };
        let done = chat
            .tally
            .handle(press)
            .await
            .unwrap()
            .reply()
            .unwrap()
            .plain();
        assert!(done.contains("Scheduled netflix $15.99"), "{done}");
        assert!(done.contains("every month on the 15th"), "{done}");
        // Scheduled now, so no longer offered.
        chat.next += 1;
        let again = Incoming {
            update_id: format!("u{}", chat.next),
            ..msg
        };
        let advice = chat.tally.handle(again).await.unwrap().reply().unwrap();
        assert!(advice.messages.iter().all(|m| {
            m.buttons
                .iter()
                .flatten()
                .all(|b| !b.label.contains("Netflix"))
        }));
        chat.clock.set(at("2026-12-15T12:00:00Z"));
        assert_eq!(chat.post().await.len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_zone_change_moves_the_day_an_occurrence_posts() {
    for t in backends("recurring_tz_change") {
        let mut chat = Chatter::new(&t, "2027-01-15T12:00:00Z");
        chat.say("rent 1450 monthly on the 1st").await;
        chat.clock.set(at("2027-01-31T12:00:00Z"));
        assert!(chat.post().await.is_empty(), "still 31 January in UTC");
        // Moving to Auckland, where it is already 1 February.
        chat.say("/settings timezone Pacific/Auckland").await;
        assert_eq!(chat.post().await.len(), 1);
        assert_eq!(dates(&chat.entries().await), ["2027-02-01"]);
    }
}
