//! Shared expenses through the conversation and the services: splits, balances, settle-up,
//! settlements, placeholders, edits and undos, on every backend.

use std::sync::Arc;

use tally_core::clock::ManualClock;
use tally_core::conversation::{Action, Chat, Content, Incoming, Mention, Mentions, Reply, Sender};
use tally_core::domain::{AccountId, ChatKind, LedgerId, Platform, TransactionId};
use tally_core::money::Currency;
use tally_core::services::splits::{self, Position};
use tally_core::services::transactions::{self, TransactionPatch};
use tally_core::services::{accounts, analytics, ledgers};
use tally_core::{Settings, Tally};
use tally_testkit::db::TestDb;
use tally_testkit::fixtures::*;

struct Flat {
    tally: Tally,
    next: u64,
}

impl Flat {
    fn new(t: &TestDb) -> Flat {
        let tally = Tally::builder(t.db.clone(), Settings::default())
            .clock(Arc::new(ManualClock::new(now())))
            .build();
        Flat { tally, next: 0 }
    }

    fn msg(&mut self, user: &str, content: Content, mentions: Mentions) -> Incoming {
        self.next += 1;
        Incoming {
            platform: Platform::Telegram,
            update_id: format!("s{}", self.next),
            sender: Sender {
                id: format!("id-{user}"),
                display_name: capitalised(user),
                role: None,
            },
            chat: Chat {
                kind: ChatKind::Group,
                id: "flat".into(),
                title: Some("Flat".into()),
            },
            content,
            at: now(),
            message_ref: Some(self.next.to_string()),
            mentions,
        }
    }

    /// `user` writes in the flat's group, with their platform username.
    async fn say(&mut self, user: &str, text: &str) -> Reply {
        let mentions = Mentions {
            sender_username: Some(user.to_owned()),
            users: Vec::new(),
        };
        self.say_with(user, text, mentions).await
    }

    async fn say_with(&mut self, user: &str, text: &str, mentions: Mentions) -> Reply {
        let m = self.msg(user, Content::from_text(text), mentions);
        self.tally
            .handle(m)
            .await
            .unwrap()
            .reply()
            .unwrap_or_else(|| panic!("a reply to {text:?}"))
    }

    async fn press(&mut self, user: &str, action: Action) -> Reply {
        let m = self.msg(user, Content::Action(action), Mentions::default());
        self.tally
            .handle(m)
            .await
            .unwrap()
            .reply()
            .expect("a reply")
    }

    async fn account(&self, user: &str) -> AccountId {
        let id = format!("id-{user}");
        self.tally
            .db()
            .read(move |c| accounts::find_identity(c, Platform::Telegram, &id))
            .await
            .unwrap()
            .expect("wrote before")
            .account
    }

    async fn ledger(&self) -> LedgerId {
        self.tally
            .db()
            .read(|c| ledgers::find_group(c, Platform::Telegram, "flat"))
            .await
            .unwrap()
            .expect("the flat's ledger")
            .id
    }

    async fn balances(&self, who: AccountId) -> Vec<Position> {
        let ledger = self.ledger().await;
        self.tally
            .db()
            .read(move |c| splits::balances(c, who, ledger))
            .await
            .unwrap()
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn net(positions: &[Position], who: AccountId) -> i128 {
    positions
        .iter()
        .filter(|p| p.account == who)
        .map(|p| p.net.minor())
        .sum()
}

fn assert_zero_sum(positions: &[Position]) {
    let mut sums: std::collections::BTreeMap<Currency, i128> = Default::default();
    for p in positions {
        *sums.entry(p.net.currency()).or_default() += p.net.minor();
    }
    for (c, s) in sums {
        assert_eq!(s, 0, "{} balances sum to {s}", c.code());
    }
}

#[tokio::test]
async fn three_flatmates_share_groceries_and_a_taxi_then_settle_up() {
    for t in backends("splits_flat") {
        let mut flat = Flat::new(&t);
        for who in ["ann", "ben", "cat"] {
            let r = flat.say(who, "/balances").await;
            assert!(r.plain().contains("settled up"), "{}", r.plain());
        }
        let r = flat.say("ann", "/split 90 taxi").await;
        let text = r.plain();
        assert!(text.contains("Ann paid $90.00"), "{text}");
        assert!(text.contains("split 3 ways"), "{text}");
        assert_eq!(text.matches("$30.00").count(), 3, "{text}");

        let r = flat.say("ben", "split 60 groceries with everyone").await;
        assert!(r.plain().contains("Ben paid $60.00"), "{}", r.plain());
        // 100.00 three ways: one share gets the odd cent, and the reply shows each.
        let r = flat.say("cat", "/split 100 dinner").await;
        let text = r.plain();
        assert_eq!(text.matches("$33.34").count(), 1, "{text}");
        assert_eq!(text.matches("$33.33").count(), 2, "{text}");

        let (ann, ben, cat) = (
            flat.account("ann").await,
            flat.account("ben").await,
            flat.account("cat").await,
        );
        let b = flat.balances(ann).await;
        assert_zero_sum(&b);
        // Ann: +90 - 30 - 20 - her dinner share.
        let ann_net = net(&b, ann);
        assert!(ann_net == 9000 - 3000 - 2000 - 3333 || ann_net == 9000 - 3000 - 2000 - 3334);
        let r = flat.say("ben", "who owes whom?").await;
        assert!(r.plain().contains("Balances"), "{}", r.plain());

        let r = flat.say("ben", "/settle").await;
        let text = r.plain();
        assert!(text.contains("To settle up"), "{text}");
        let buttons: Vec<Action> = r.messages[0]
            .buttons
            .iter()
            .flatten()
            .map(|b| b.action.clone())
            .collect();
        assert!(!buttons.is_empty() && buttons.len() <= 2, "{buttons:?}");
        // Each proposed payment, pressed, is recorded; then everyone is square.
        for action in buttons {
            let r = flat.press("ben", action).await;
            assert!(
                r.plain().contains("a settlement, not spending"),
                "{}",
                r.plain()
            );
        }
        assert!(flat.balances(ann).await.is_empty());
        let r = flat.say("cat", "/settle").await;
        assert!(
            r.plain().contains("Everyone is settled up"),
            "{}",
            r.plain()
        );

        // Settlements never count as spending: the group spent 250 in all.
        let ledger = flat.ledger().await;
        let spent =
            t.db.read(move |c| {
                analytics::summary(
                    c,
                    cat,
                    ledger,
                    tally_core::period::DateRange::new(day("2026-11-01"), day("2026-11-30")),
                )
            })
            .await
            .unwrap();
        let total: i128 = spent.currencies.iter().map(|c| c.expenses.minor()).sum();
        assert_eq!(total, 25000);
        // In the group's summary each member spent their share, and it says how much was shared.
        let usd_summary = &spent.currencies[0];
        assert_eq!(usd_summary.shared_expenses.minor(), 25000);
        let by: i128 = usd_summary
            .by_member
            .iter()
            .map(|m| m.expenses.minor())
            .sum();
        assert_eq!(by, 25000);
        let ann_spent = usd_summary
            .by_member
            .iter()
            .find(|m| m.account == ann)
            .expect("ann in the summary")
            .expenses
            .minor();
        assert!(ann_spent == 3000 + 2000 + 3333 || ann_spent == 3000 + 2000 + 3334);
        let r = flat.say("ann", "/summary").await;
        assert!(
            r.plain().contains("shared: each member counts their share"),
            "{}",
            r.plain()
        );
        let _ = ben;
    }
}

#[tokio::test]
async fn a_settlement_by_text_and_its_undo() {
    for t in backends("splits_settle") {
        let mut flat = Flat::new(&t);
        flat.say("ann", "/balances").await;
        flat.say("ben", "/balances").await;
        flat.say("ann", "/split 40 pizza").await;
        let (ann, ben) = (flat.account("ann").await, flat.account("ben").await);
        assert_eq!(net(&flat.balances(ann).await, ben), -2000);
        let r = flat.say("ben", "I paid Ann 15").await;
        assert!(r.plain().contains("Ben paid Ann $15.00"), "{}", r.plain());
        assert_eq!(net(&flat.balances(ann).await, ben), -500);
        let r = flat.say("ann", "how much do I owe?").await;
        assert!(r.plain().contains("You are owed $5.00"), "{}", r.plain());
        let r = flat.say("ben", "/undo").await;
        assert!(r.plain().contains("Undone"), "{}", r.plain());
        assert_eq!(net(&flat.balances(ann).await, ben), -2000);
        let r = flat.say("ann", "Ben paid me 20").await;
        assert!(r.plain().contains("Ben paid Ann $20.00"), "{}", r.plain());
        assert!(flat.balances(ann).await.is_empty());
        let _ = t;
    }
}

#[tokio::test]
async fn a_mention_of_someone_who_has_not_written_becomes_theirs_when_they_write() {
    for t in backends("splits_placeholder") {
        let mut flat = Flat::new(&t);
        flat.say("ann", "/balances").await;
        let r = flat.say("ann", "/split 90 taxi @dan").await;
        let text = r.plain();
        assert!(text.contains("@dan $45.00"), "{text}");
        let ann = flat.account("ann").await;
        let before = flat.balances(ann).await;
        assert!(
            before
                .iter()
                .any(|p| p.name == "@dan" && p.net.minor() == -4500)
        );
        // Someone else cannot take the placeholder: only the platform's username matches.
        let r = flat
            .say_with(
                "eve",
                "/balances",
                Mentions {
                    sender_username: Some("eve".into()),
                    users: Vec::new(),
                },
            )
            .await;
        assert!(!r.plain().contains("mentioned here as"), "{}", r.plain());
        // Dan writes: the shares are his, and the reply says so and how to undo it.
        let r = flat.say("dan", "/balances").await;
        assert!(
            r.plain().contains("You were mentioned here as @dan"),
            "{}",
            r.plain()
        );
        let dan = flat.account("dan").await;
        assert_eq!(net(&flat.balances(ann).await, dan), -4500);
        // Later mentions of @dan name him, not a new placeholder.
        flat.say("ann", "/split 10 snacks @dan").await;
        assert_eq!(net(&flat.balances(ann).await, dan), -5000);
        // The merge can be undone: the placeholder's shares stand apart again.
        let r = flat.say("dan", "/split unmerge @dan").await;
        assert!(r.plain().contains("stands apart again"), "{}", r.plain());
        let after = flat.balances(ann).await;
        assert_eq!(net(&after, dan), -500);
        assert!(
            after
                .iter()
                .any(|p| p.name == "@dan" && p.net.minor() == -4500)
        );
        assert_zero_sum(&after);
        let _ = t;
    }
}

#[tokio::test]
async fn text_mentions_name_people_by_user_id() {
    for t in backends("splits_text_mention") {
        let mut flat = Flat::new(&t);
        flat.say("ann", "/balances").await;
        let mentions = Mentions {
            sender_username: Some("ann".into()),
            users: vec![Mention {
                text: "Fred Smith".into(),
                user_id: "id-fred".into(),
                name: "Fred Smith".into(),
            }],
        };
        let r = flat
            .say_with("ann", "/split 30 lunch Fred Smith 2x", mentions)
            .await;
        let text = r.plain();
        assert!(text.contains("Fred Smith $20.00"), "{text}");
        assert!(text.contains("Ann $10.00"), "{text}");
        // When Fred writes, he is the same person (the id is the platform's).
        flat.say("fred", "/balances").await;
        let (ann, fred) = (flat.account("ann").await, flat.account("fred").await);
        assert_eq!(net(&flat.balances(ann).await, fred), -2000);
        let _ = t;
    }
}

#[tokio::test]
async fn impossible_splits_get_a_clear_answer_and_record_nothing() {
    for t in backends("splits_refused") {
        let mut flat = Flat::new(&t);
        flat.say("ann", "/balances").await;
        flat.say("ben", "/balances").await;
        for (text, says) in [
            ("/split 90 taxi @ben 95", "more than the total ($90.00)"),
            ("/split 100 trip for @ben 60% @cat 30%", "add up to 90%"),
            ("/split 100 trip @ben 2x @cat 30", "one way"),
            ("/split taxi", "/split 90 taxi @ann @ben"),
            ("/split 30 lunch @ben fish", "didn't get \"fish\""),
            ("dinner 120 split 3 ways", "2 members"),
        ] {
            let r = flat.say("ann", text).await;
            assert!(r.plain().contains(says), "{text}: {}", r.plain());
        }
        let ann = flat.account("ann").await;
        assert!(flat.balances(ann).await.is_empty());
        let ledger = flat.ledger().await;
        let n =
            t.db.read(move |c| {
                transactions::list(c, ann, ledger, &Default::default(), 50, 0).map(|p| p.total)
            })
            .await
            .unwrap();
        assert_eq!(n, 0, "nothing recorded");
    }
}

#[tokio::test]
async fn percent_shares_and_exact_modes_and_the_payer_rules() {
    for t in backends("splits_modes") {
        let mut flat = Flat::new(&t);
        for who in ["ann", "ben", "cat"] {
            flat.say(who, "/balances").await;
        }
        let r = flat.say("ann", "/split 90 taxi @ben 30 @cat 20").await;
        let text = r.plain();
        assert!(
            text.contains("Ann $40.00") && text.contains("Ben $30.00"),
            "{text}"
        );
        let r = flat.say("ann", "/split 100 hotel @ben 50% @cat 25%").await;
        let text = r.plain();
        assert!(
            text.contains("Ann $25.00") && text.contains("Ben $50.00"),
            "{text}"
        );
        let r = flat.say("ann", "/split 30 for @ben").await;
        let text = r.plain();
        assert!(
            text.contains("Ben $30.00") && !text.contains("Ann $"),
            "{text}"
        );
        let r = flat.say("ben", "@cat paid 40 for gas, split with me").await;
        let text = r.plain();
        assert!(text.contains("Cat paid $40.00"), "{text}");
        assert!(
            text.contains("Cat $20.00") && text.contains("Ben $20.00"),
            "{text}"
        );
        let ann = flat.account("ann").await;
        assert_zero_sum(&flat.balances(ann).await);
        let _ = t;
    }
}

#[tokio::test]
async fn a_plain_group_expense_offers_to_split_among_all() {
    for t in backends("splits_button") {
        let mut flat = Flat::new(&t);
        flat.say("ben", "/balances").await;
        let r = flat.say("ann", "/spent 60 groceries").await;
        let split_all = r.messages[0]
            .buttons
            .iter()
            .flatten()
            .find(|b| b.label.contains("Split among all"))
            .expect("a split button")
            .action
            .clone();
        let ann = flat.account("ann").await;
        assert!(
            flat.balances(ann).await.is_empty(),
            "a plain expense is not shared"
        );
        let r = flat.press("ann", split_all.clone()).await;
        assert!(r.plain().contains("split 2 ways"), "{}", r.plain());
        let ben = flat.account("ben").await;
        assert_eq!(net(&flat.balances(ann).await, ben), -3000);
        // Pressed again (or by someone else), nothing changes twice.
        let r = flat.press("ann", split_all).await;
        assert!(r.plain().contains("already shared"), "{}", r.plain());
        let _ = t;
    }
}

/// A tiny deterministic generator, so a failure names its seed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// After any sequence of splits, settlements, edits and undos the balances add up to zero in
/// every currency, and the proposed settle-up, applied, leaves everyone at zero.
#[tokio::test]
async fn balances_sum_to_zero_after_any_sequence_and_settle_up_clears_them() {
    for t in backends("splits_sequences") {
        for seed in 1..=3u64 {
            let mut flat = Flat::new(&t);
            flat.next = seed * 10_000;
            let people = ["ann", "ben", "cat", "dan"];
            for who in people {
                flat.say(who, "/balances").await;
            }
            let mut rng = Lcg(seed);
            let mut last_split: Option<TransactionId> = None;
            for _ in 0..18 {
                let who = people[rng.next(4) as usize];
                let other = people[rng.next(4) as usize];
                let amount = format!("{}.{:02}", 1 + rng.next(200), rng.next(100));
                let currency = ["", " EUR"][rng.next(2) as usize];
                let text = match rng.next(6) {
                    0 => format!("/split {amount}{currency} stuff"),
                    1 => format!("/split {amount}{currency} stuff @{other} 2x"),
                    2 => format!("/split {amount}{currency} stuff @{other} 40%"),
                    3 => format!("/paid @{other} {amount}{currency}"),
                    4 => "/undo".to_owned(),
                    _ => format!("/split {amount}{currency} stuff for @{other}"),
                };
                let r = flat.say(who, &text).await;
                if let Some(Action::Undo(id)) = r
                    .messages
                    .first()
                    .and_then(|m| m.buttons.first())
                    .and_then(|row| row.first())
                    .map(|b| b.action.clone())
                {
                    last_split = Some(id);
                }
                // Now and then, edit the last split's amount: its shares follow.
                if let Some(id) = last_split
                    && rng.next(4) == 0
                {
                    let ann = flat.account("ann").await;
                    let new = usd(&format!("{}.{:02}", 1 + rng.next(300), rng.next(100)));
                    let _ = t.db.write_blocking(move |c| {
                        let tx = transactions::get(c, ann, id)?;
                        let author = tx.author;
                        let edited = transactions::edit(
                            c,
                            author,
                            id,
                            TransactionPatch {
                                money: Some(
                                    tally_core::money::Money::from_minor(
                                        i64::try_from(new.minor()).unwrap_or(1),
                                        tx.money.currency(),
                                    )
                                    .expect("money"),
                                ),
                                ..Default::default()
                            },
                            now(),
                        )?;
                        let split = splits::of(c, author, id)?.expect("a split");
                        let sum: i128 = split.shares.iter().map(|s| s.money.minor()).sum();
                        assert_eq!(sum, edited.money.minor(), "shares follow the amount");
                        Ok(())
                    });
                }
                let ann = flat.account("ann").await;
                assert_zero_sum(&flat.balances(ann).await);
            }
            // Apply the settle-up: everyone ends at zero.
            let ann = flat.account("ann").await;
            let ledger = flat.ledger().await;
            let plan =
                t.db.read(move |c| splits::settle_plan(c, ann, ledger))
                    .await
                    .unwrap();
            for p in plan {
                let r = flat
                    .press(
                        "ann",
                        Action::SettlePaid {
                            from: p.from,
                            to: p.to,
                            money: p.money,
                        },
                    )
                    .await;
                assert!(r.plain().contains("Recorded"), "seed {seed}: {}", r.plain());
            }
            assert!(flat.balances(ann).await.is_empty(), "seed {seed}");
        }
    }
}
