#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What a new user meets first: group chatter left alone without a write, and the replies to
//! amounts that can't be recorded and to a budget's first days.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tally_core::clock::ManualClock;
use tally_core::conversation::{Chat, Content, Incoming, Outcome, Sender};
use tally_core::domain::{ChatKind, Platform, Role};
use tally_core::money::{Currency, Money};
use tally_core::services::transactions::Filter;
use tally_core::services::{accounts, ledgers, transactions, updates};
use tally_core::{Settings, Tally};
use tally_testkit::db::TestDb;
use tally_testkit::fixtures::*;

struct Chatter {
    tally: Tally,
    next: u64,
}

impl Chatter {
    fn at(t: &TestDb, at: DateTime<Utc>) -> Chatter {
        let tally = Tally::builder(t.db.clone(), Settings::default())
            .clock(Arc::new(ManualClock::new(at)))
            .build();
        Chatter { tally, next: 0 }
    }

    fn msg(&mut self, user: &str, group: Option<&str>, text: &str) -> Incoming {
        self.next += 1;
        let (kind, id, role) = match group {
            Some(id) => (ChatKind::Group, id.to_owned(), Some(Role::Member)),
            None => (ChatKind::Private, user.to_owned(), None),
        };
        Incoming {
            platform: Platform::Telegram,
            update_id: format!("u{}", self.next),
            sender: Sender {
                id: user.to_owned(),
                display_name: user.to_owned(),
                role,
            },
            chat: Chat {
                kind,
                id,
                title: Some("Flatmates".into()),
            },
            content: Content::from_text(text),
            at: self.tally.now(),
            message_ref: Some(self.next.to_string()),
            mentions: Default::default(),
        }
    }

    async fn send(&mut self, user: &str, group: Option<&str>, text: &str) -> (String, Outcome) {
        let m = self.msg(user, group, text);
        let id = m.update_id.clone();
        (id, self.tally.handle(m).await.unwrap())
    }

    async fn say(&mut self, text: &str) -> String {
        let (_, outcome) = self.send("ann", None, text).await;
        outcome.reply().expect("a reply").plain()
    }

    async fn expenses(&self, user: &str) -> usize {
        let user = user.to_owned();
        self.tally
            .db()
            .read(move |c| {
                let Some(id) = accounts::find_identity(c, Platform::Telegram, &user)? else {
                    return Ok(0);
                };
                let ledger = ledgers::personal(c, id.account)?;
                Ok(
                    transactions::list(c, id.account, ledger.id, &Filter::default(), 100, 0)?.total
                        as usize,
                )
            })
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn group_chatter_is_ignored_before_anything_is_written() {
    for t in backends("first_use_chatter") {
        let mut chat = Chatter::at(&t, now());
        // A stranger's chatter in a group the bot has never heard from: nothing at all is made.
        let (id, outcome) = chat
            .send("zed", Some("-200"), "see you all at the pub tonight")
            .await;
        assert!(matches!(outcome, Outcome::Ignored), "{outcome:?}");
        let (found, group, seen) =
            t.db.read(move |c| {
                Ok((
                    accounts::find_identity(c, Platform::Telegram, "zed")?,
                    ledgers::find_group(c, Platform::Telegram, "-200")?,
                    updates::seen(c, Platform::Telegram, &id)?,
                ))
            })
            .await
            .unwrap();
        assert!(found.is_none(), "no account for chatter");
        assert!(group.is_none(), "no ledger for chatter");
        assert!(!seen, "no update row for chatter");

        // In a group the bot knows, a known person's chatter doesn't make them a member.
        let (_, recorded) = chat.send("ann", Some("-200"), "spent 12 on pizza").await;
        assert!(matches!(recorded, Outcome::Replied(_)), "{recorded:?}");
        chat.send("bob", None, "hi").await;
        let (id, outcome) = chat.send("bob", Some("-200"), "lol same").await;
        assert!(matches!(outcome, Outcome::Ignored), "{outcome:?}");
        let (members, seen) =
            t.db.read(move |c| {
                let group = ledgers::find_group(c, Platform::Telegram, "-200")?.expect("group");
                let ann = accounts::find_identity(c, Platform::Telegram, "ann")?.expect("ann");
                Ok((
                    ledgers::members(c, ann.account, group.id)?.len(),
                    updates::seen(c, Platform::Telegram, &id)?,
                ))
            })
            .await
            .unwrap();
        assert_eq!(members, 1, "only ann, who wrote to the bot");
        assert!(!seen);

        // The same words addressed to the bot are handled as before.
        let (_, outcome) = chat.send("bob", Some("-200"), "spent 8 on lunch").await;
        assert!(matches!(outcome, Outcome::Replied(_)), "{outcome:?}");
    }
}

#[tokio::test]
async fn a_record_without_a_number_says_so_and_shows_the_form() {
    for t in backends("first_use_no_amount") {
        let mut chat = Chatter::at(&t, now());
        let reply = chat.say("spent abc on lunch").await;
        assert!(reply.contains("no amount"), "{reply}");
        assert!(reply.contains("spent 12.50 on lunch"), "{reply}");
        assert_eq!(chat.expenses("ann").await, 0);
        // A question about spending is still a question.
        for question in ["how much did I spend on food?", "spent on food this month"] {
            let reply = chat.say(question).await;
            assert!(!reply.contains("no amount"), "{question}: {reply}");
        }
        let reply = chat.say("earned lots from the bake sale").await;
        assert!(reply.contains("earned 2500 salary"), "{reply}");
    }
}

#[tokio::test]
async fn a_negative_amount_is_refused_with_the_way_to_do_it() {
    for t in backends("first_use_negative") {
        let mut chat = Chatter::at(&t, now());
        let reply = chat.say("/spent -5 food").await;
        assert!(reply.contains("negative"), "{reply}");
        assert!(
            reply.contains("/earned") && reply.contains("/undo"),
            "{reply}"
        );
        assert_eq!(chat.expenses("ann").await, 0, "nothing recorded");
        let reply = chat.say("/spent $-5 lunch").await;
        assert!(reply.contains("negative"), "{reply}");
        let reply = chat.say("/earned -5 salary").await;
        assert!(
            reply.contains("negative") && reply.contains("/spent"),
            "{reply}"
        );
    }
}

#[tokio::test]
async fn a_too_large_amount_names_the_largest_accepted() {
    for t in backends("first_use_too_large") {
        let mut chat = Chatter::at(&t, now());
        let largest = Money::largest(Currency::USD).to_string();
        let reply = chat.say("/spent 99999999999999 food").await;
        assert!(reply.contains("too large"), "{reply}");
        assert!(reply.contains(&largest), "{reply} should name {largest}");
        assert!(!reply.contains("couldn't find"), "{reply}");
        assert_eq!(chat.expenses("ann").await, 0);
        // The largest itself is accepted.
        let at_limit = largest.trim_start_matches('$');
        let reply = chat.say(&format!("/spent {at_limit} food")).await;
        assert!(reply.contains(&largest), "{reply}");
    }
}

#[tokio::test]
async fn a_budget_is_not_projected_from_its_first_day_nor_green_when_over() {
    for t in backends("first_use_budget_pace") {
        let first_day: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
        let mut chat = Chatter::at(&t, first_day);
        chat.say("/budget food 100").await;
        chat.say("/spent 23 food").await;
        let reply = chat.say("/budget").await;
        assert!(!reply.contains("on pace"), "one day is no pace: {reply}");
        assert!(reply.contains("🟢"), "23% used, no projection yet: {reply}");

        // A week in, the same spending each day is a pace that ends over the limit: not green.
        let mut chat = Chatter::at(&t, "2026-12-07T12:00:00Z".parse().unwrap());
        chat.next = 100;
        let reply = chat.say("/budget").await;
        assert!(reply.contains("on pace for"), "{reply}");
        assert!(!reply.contains("🟢"), "{reply}");
    }
}
