#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The conversation entry point: commands, buttons, groups and exactly-once handling.

use std::sync::Arc;

use tally_core::clock::ManualClock;
use tally_core::conversation::{Action, Chat, Content, Incoming, Reply, Sender};
use tally_core::domain::{ChatKind, Platform, Role, TransactionKind};
use tally_core::services::transactions::Filter;
use tally_core::services::{accounts, categories, keywords, ledgers, transactions};
use tally_core::{Settings, Tally};
use tally_testkit::db::TestDb;
use tally_testkit::fixtures::*;

pub(crate) struct Chatter {
    tally: Tally,
    next: u64,
}

impl Chatter {
    pub(crate) fn new(t: &TestDb) -> Chatter {
        let clock = Arc::new(ManualClock::new(now()));
        let tally = Tally::builder(t.db.clone(), Settings::default())
            .clock(clock)
            .build();
        Chatter { tally, next: 0 }
    }

    fn msg(
        &mut self,
        user: &str,
        chat: Option<(&str, Option<Role>)>,
        content: Content,
    ) -> Incoming {
        self.next += 1;
        let (kind, id, role) = match chat {
            Some((id, role)) => (ChatKind::Group, id.to_owned(), role),
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
            content,
            at: now(),
            message_ref: Some(self.next.to_string()),
            mentions: Default::default(),
        }
    }

    pub(crate) async fn say(&mut self, user: &str, text: &str) -> Option<Reply> {
        let m = self.msg(user, None, Content::from_text(text));
        self.tally.handle(m).await.unwrap().reply()
    }

    pub(crate) async fn say_in(
        &mut self,
        group: &str,
        user: &str,
        role: Option<Role>,
        text: &str,
    ) -> Option<Reply> {
        let m = self.msg(user, Some((group, role)), Content::from_text(text));
        self.tally.handle(m).await.unwrap().reply()
    }

    async fn press(&mut self, user: &str, action: Action) -> Reply {
        let m = self.msg(user, None, Content::Action(action));
        self.tally
            .handle(m)
            .await
            .unwrap()
            .reply()
            .expect("a reply")
    }

    pub(crate) async fn account(&self, user: &str) -> tally_core::models::account::Account {
        let user = user.to_owned();
        self.tally
            .db()
            .write(move |c| {
                accounts::resolve_identity(
                    c,
                    Platform::Telegram,
                    &user,
                    &user,
                    Default::default(),
                    now(),
                )
            })
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_redelivered_update_is_recorded_once_and_answered_once() {
    for t in backends("conv_dedupe") {
        let mut chat = Chatter::new(&t);
        let m = chat.msg("ann", None, Content::from_text("/categories add Snacks"));
        let first = chat.tally.handle(m.clone()).await.unwrap().reply();
        assert!(first.unwrap().plain().contains("Snacks"));
        assert!(
            matches!(
                chat.tally.handle(m.clone()).await.unwrap(),
                tally_core::conversation::Outcome::Duplicate
            ),
            "no second reply: a duplicate"
        );
        let ann = chat.account("ann").await;
        let n =
            t.db.write(move |c| {
                let l = ledgers::personal(c, ann.id)?;
                categories::list(c, ann.id, l.id, true)
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.name.as_str() == "snacks")
            .count();
        assert_eq!(n, 1);
    }
}

#[tokio::test]
async fn user_errors_are_friendly_and_answered_once() {
    for t in backends("conv_errors") {
        let mut chat = Chatter::new(&t);
        let reply = chat.say("ann", "/recent lots").await.unwrap().plain();
        assert!(reply.contains("/recent 10"), "{reply}");
        let reply = chat.say("ann", "/budget").await.unwrap().plain();
        assert!(reply.contains("No budgets yet"), "{reply}");
        let reply = chat
            .say("ann", "/summary the age of aquarius")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("this-month"), "{reply}");
        let reply = chat.say("ann", "/frobnicate").await.unwrap().plain();
        assert!(reply.contains("/help"), "{reply}");
        let reply = chat
            .say("ann", "/settings currency XYZ")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("three-letter code"), "{reply}");
        let reply = chat
            .say("ann", "/settings timezone Europe/Berlin")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("Europe/Berlin"), "{reply}");
        let reply = chat.say("ann", "/help").await.unwrap().plain();
        assert!(
            reply.contains("/spent") && reply.contains("/budget"),
            "{reply}"
        );
    }
}

#[tokio::test]
async fn undo_and_category_buttons_work_and_teach_the_parser() {
    for t in backends("conv_buttons") {
        let mut chat = Chatter::new(&t);
        let ann = chat.account("ann").await;
        let bob = chat.account("bob").await;
        let tx =
            t.db.write(move |c| {
                let l = ledgers::personal(c, ann.id)?;
                Ok(record(
                    c,
                    ann.id,
                    l.id,
                    TransactionKind::Expense,
                    usd("5"),
                    "other",
                    "2026-11-24",
                    "blue bottle latte",
                ))
            })
            .await
            .unwrap();
        // Someone else pressing a forged button gains nothing.
        let forged = chat.press("bob", Action::Undo(tx.id)).await;
        assert!(
            forged.plain().contains("already gone"),
            "{}",
            forged.plain()
        );
        let _ = bob;
        // Choosing shows the other expense categories as buttons.
        let choose = chat.press("ann", Action::ChooseCategory(tx.id)).await;
        let edit = choose.edit.unwrap();
        let labels: Vec<String> = edit
            .buttons
            .iter()
            .flatten()
            .map(|b| b.label.clone())
            .collect();
        assert!(
            labels.contains(&"Food".to_owned()) && !labels.contains(&"Other".to_owned()),
            "{labels:?}"
        );
        assert!(labels.len() >= 17);
        // Picking one moves it, edits the message and remembers the note's words.
        let picked = chat
            .press("ann", Action::SetCategory(tx.id, cat("food")))
            .await;
        let text = picked.edit.unwrap().text.to_plain();
        assert!(text.contains("Food"), "{text}");
        let (moved, learned) =
            t.db.write(move |c| {
                let moved = transactions::get(c, ann.id, tx.id)?;
                let vocab = keywords::vocabulary(c, Some(ann.id), &[])?;
                Ok((moved, vocab))
            })
            .await
            .unwrap();
        assert_eq!(moved.category.as_str(), "food");
        let words: Vec<&str> = learned
            .keywords()
            .iter()
            .map(|(w, _, _)| w.as_str())
            .collect();
        let expect = chat.tally.parser().learnable_words("blue bottle latte");
        assert_eq!(words.len(), expect.len(), "{words:?} vs {expect:?}");
        // Undo by button edits the message to say so; pressing again is harmless.
        let undone = chat.press("ann", Action::Undo(tx.id)).await;
        assert!(undone.edit.unwrap().text.to_plain().starts_with("↩ Undone"));
        assert_eq!(undone.notice.as_deref(), Some("Undone"));
        let again = chat.press("ann", Action::Undo(tx.id)).await;
        assert!(again.plain().contains("already gone"));
        let live = t
            .db
            .read(move |c| transactions::list(c, ann.id, moved.ledger, &Filter::default(), 10, 0))
            .await
            .unwrap();
        assert_eq!(live.total, 0);
    }
}

#[tokio::test]
async fn groups_get_their_own_ledger_and_only_admins_set_budgets() {
    for t in backends("conv_groups") {
        let mut chat = Chatter::new(&t);
        // Chatter that isn't meant for the bot is ignored without a reply.
        assert!(
            chat.say_in("-100", "ann", Some(Role::Admin), "see you at 5 in room 101")
                .await
                .is_none()
        );
        let reply = chat
            .say_in("-100", "bob", Some(Role::Member), "/budget food 300")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("Only the group's admins"), "{reply}");
        let reply = chat
            .say_in("-100", "ann", Some(Role::Admin), "/budget food 300")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("Budget set"), "{reply}");
        let reply = chat
            .say_in("-100", "bob", Some(Role::Member), "/budgets")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("Food"), "members can see budgets: {reply}");
        // Both are members of the group ledger; it is not anyone's personal ledger.
        let ann = chat.account("ann").await;
        let bob = chat.account("bob").await;
        let (group, ann_personal) =
            t.db.read(move |c| {
                let g = ledgers::find_group(c, Platform::Telegram, "-100")?.unwrap();
                let members = ledgers::members(c, bob.id, g.id)?;
                assert_eq!(members.len(), 2);
                let personal = ledgers::personal(c, ann.id)?.id;
                Ok((g, tally_core::services::budgets::list(c, ann.id, personal)?))
            })
            .await
            .unwrap();
        assert!(group.is_group());
        assert!(
            ann_personal.is_empty(),
            "the group's budget is not in Ann's personal ledger"
        );
        // Settings are personal and refused in a group.
        let reply = chat
            .say_in("-100", "ann", Some(Role::Admin), "/settings")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("private chat"), "{reply}");
    }
}

#[tokio::test]
async fn budget_channels_need_a_manager_and_can_be_switched_off() {
    for t in backends("conv_budget_channel") {
        let mut chat = Chatter::new(&t);
        let cmd = |args: &str| Content::Command {
            name: "budget-channel".into(),
            args: args.into(),
        };
        let m = chat.msg("bob", Some(("chan-1", Some(Role::Member))), cmd("enable"));
        let reply = chat.tally.handle(m).await.unwrap().reply().unwrap().plain();
        assert!(reply.contains("Only members who can manage"), "{reply}");
        let exists =
            t.db.read(|c| ledgers::find_group(c, Platform::Telegram, "chan-1"))
                .await
                .unwrap();
        assert!(exists.is_none(), "a refused enable creates nothing");
        let m = chat.msg("ann", Some(("chan-1", Some(Role::Admin))), cmd("enable"));
        let reply = chat.tally.handle(m).await.unwrap().reply().unwrap().plain();
        assert!(reply.contains("shared budget"), "{reply}");
        let m = chat.msg("ann", Some(("chan-1", Some(Role::Admin))), cmd("disable"));
        chat.tally.handle(m).await.unwrap().reply().unwrap();
        let reply = chat
            .say_in("chan-1", "bob", Some(Role::Member), "/summary")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("switched off"), "{reply}");
        let m = chat.msg("ann", Some(("chan-1", Some(Role::Admin))), cmd("enable"));
        chat.tally.handle(m).await.unwrap().reply().unwrap();
        let reply = chat
            .say_in("chan-1", "bob", Some(Role::Member), "/summary")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("Summary"), "{reply}");
    }
}

#[tokio::test]
async fn recording_by_command_and_text_reports_with_buttons() {
    for t in backends("conv_record") {
        let mut chat = Chatter::new(&t);
        let reply = chat.say("ann", "/spent 12 food lunch").await.unwrap();
        let text = reply.plain();
        assert!(
            text.contains("$12.00")
                && text.contains("Food")
                && text.contains("today")
                && text.contains("lunch"),
            "{text}"
        );
        let actions: Vec<&Action> = reply.messages[0]
            .buttons
            .iter()
            .flatten()
            .map(|b| &b.action)
            .collect();
        assert!(
            matches!(actions[0], Action::Undo(_))
                && matches!(actions[1], Action::ChooseCategory(_))
        );
        let reply = chat
            .say("ann", "/earned 2500 salary")
            .await
            .unwrap()
            .plain();
        assert!(
            reply.contains("+$2,500.00") && reply.contains("Salary"),
            "{reply}"
        );
        let reply = chat
            .say("ann", "spent 18.99 on pizza yesterday")
            .await
            .unwrap()
            .plain();
        assert!(
            reply.contains("$18.99") && reply.contains("yesterday"),
            "{reply}"
        );
        let reply = chat.say("ann", "/summary").await.unwrap().plain();
        assert!(
            reply.contains("Income: $2,500.00") && reply.contains("Expenses: $30.99"),
            "{reply}"
        );
        let reply = chat
            .say("ann", "how much did I spend on food this month?")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("$30.99"), "{reply}");
        let reply = chat.say("ann", "/undo").await.unwrap().plain();
        assert!(reply.contains("$18.99"), "{reply}");
        let reply = chat.say("ann", "/recent").await.unwrap().plain();
        assert!(reply.contains("Last 2 of 2"), "{reply}");
        // A group names who recorded what, and budget alerts are posted with the entry.
        chat.say_in("-5", "ann", Some(Role::Admin), "/budget food 100")
            .await
            .unwrap();
        let reply = chat
            .say_in("-5", "bob", Some(Role::Member), "/spent 85 food pizza")
            .await
            .unwrap();
        assert!(
            reply.messages[0].text.to_plain().contains("bob recorded"),
            "{}",
            reply.plain()
        );
        assert_eq!(
            reply.messages.len(),
            2,
            "the 80% alert comes with it: {}",
            reply.plain()
        );
        assert!(reply.messages[1].text.to_plain().contains("85%"));
        let reply = chat
            .say_in("-5", "ann", Some(Role::Admin), "/spent 10 food")
            .await
            .unwrap();
        assert_eq!(reply.messages.len(), 1, "no second 80% alert");
        let reply = chat
            .say_in("-5", "ann", Some(Role::Admin), "/summary")
            .await
            .unwrap()
            .plain();
        assert!(
            reply.contains("By member") && reply.contains("bob: spent $85.00"),
            "{reply}"
        );
    }
}

/// A fallback that answers every question with a fixed sentence and counts its calls.
struct CountingFallback(std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl tally_core::conversation::fallback::Fallback for CountingFallback {
    async fn interpret(
        &self,
        request: tally_core::conversation::fallback::FallbackRequest,
    ) -> Result<
        tally_core::conversation::fallback::FallbackAnswer,
        tally_core::conversation::fallback::FallbackError,
    > {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(tally_core::conversation::fallback::FallbackAnswer::Answer(
            tally_core::conversation::Text::plain_str(format!(
                "model says hi about: {}",
                request.text
            )),
        ))
    }
}

#[tokio::test]
async fn ask_goes_to_the_fallback_when_the_rules_are_unsure_even_in_groups() {
    for t in backends("conv_ask") {
        let fallback = Arc::new(CountingFallback(Default::default()));
        let tally = Tally::builder(t.db.clone(), Settings::default())
            .clock(Arc::new(ManualClock::new(now())))
            .fallback(fallback.clone())
            .build();
        let mut chat = Chatter { tally, next: 0 };
        let ask = |args: &str| Content::Command {
            name: "ask".into(),
            args: args.into(),
        };
        let m = chat.msg("ann", None, ask("can I afford a laptop this month?"));
        let reply = chat.tally.handle(m).await.unwrap().reply().unwrap().plain();
        assert!(
            reply.contains("model says hi about: can I afford"),
            "{reply}"
        );
        // Explicit in a group too; plain chatter in a group never reaches the model.
        let m = chat.msg(
            "ann",
            Some(("-3", None)),
            ask("why was october so expensive"),
        );
        let reply = chat.tally.handle(m).await.unwrap().reply().unwrap().plain();
        assert!(reply.contains("model says hi"), "{reply}");
        assert!(
            chat.say_in("-3", "bob", None, "why was october so expensive")
                .await
                .is_none()
        );
        assert_eq!(fallback.0.load(std::sync::atomic::Ordering::SeqCst), 2);
        // What the rules read with confidence does not go to the model.
        let m = chat.msg("ann", None, ask("how much did I spend this month"));
        let reply = chat.tally.handle(m).await.unwrap().reply().unwrap().plain();
        assert!(reply.contains("You spent"), "{reply}");
        assert_eq!(fallback.0.load(std::sync::atomic::Ordering::SeqCst), 2);
        let m = chat.msg("ann", None, ask(""));
        let reply = chat.tally.handle(m).await.unwrap().reply().unwrap().plain();
        assert!(reply.contains("/ask how much"), "{reply}");
    }
}

#[tokio::test]
async fn recategorize_and_keywords_teach_the_parser() {
    for t in backends("conv_learning") {
        let mut chat = Chatter::new(&t);
        // "zorblax" means nothing to the built-in lexicon.
        let first = chat
            .say("ann", "spent 12 at zorblax")
            .await
            .unwrap()
            .plain();
        assert!(first.contains("Other"), "{first}");
        let moved = chat
            .say("ann", "/recategorize groceries")
            .await
            .unwrap()
            .plain();
        assert!(
            moved.contains("Groceries") && moved.contains("zorblax"),
            "{moved}"
        );
        let next = chat.say("ann", "zorblax 30").await.unwrap().plain();
        assert!(
            next.contains("Groceries"),
            "learned from /recategorize: {next}"
        );
        // Another user's words are their own.
        let bob = chat.say("bob", "zorblax 30").await.unwrap().plain();
        assert!(!bob.contains("Groceries"), "{bob}");
        // Keywords by hand, listed and forgotten.
        let taught = chat
            .say("ann", "/keyword quuxbar pets")
            .await
            .unwrap()
            .plain();
        assert!(
            taught.contains("quuxbar") && taught.contains("Pets"),
            "{taught}"
        );
        assert!(
            chat.say("ann", "quuxbar 9")
                .await
                .unwrap()
                .plain()
                .contains("Pets")
        );
        let list = chat.say("ann", "/keyword").await.unwrap().plain();
        assert!(
            list.contains("quuxbar → Pets") && list.contains("zorblax → Groceries"),
            "{list}"
        );
        let gone = chat
            .say("ann", "/keyword remove quuxbar")
            .await
            .unwrap()
            .plain();
        assert!(gone.contains("Forgot"), "{gone}");
        assert!(
            !chat
                .say("ann", "quuxbar 9")
                .await
                .unwrap()
                .plain()
                .contains("Pets")
        );
        let bad = chat
            .say("ann", "/keyword quuxbar nosuchthing")
            .await
            .unwrap()
            .plain();
        assert!(bad.contains("Use one of"), "{bad}");
        let nothing = chat
            .say("carl", "/recategorize food")
            .await
            .unwrap()
            .plain();
        assert!(nothing.contains("nothing recorded here"), "{nothing}");
    }
}
