#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Group access follows the platform: members who leave lose access at once, switched-off groups
//! take no changes, and API-style access needs the platform's recent word.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::Duration;
use tally_core::ErrorKind;
use tally_core::Tally;
use tally_core::clock::ManualClock;
use tally_core::db::AnyConnection;
use tally_core::domain::{LedgerId, Platform, Role};
use tally_core::models::account::Account;
use tally_core::money::Currency;
use tally_core::period::BudgetPeriod as Period;
use tally_core::services::accounts::{self, AccountDefaults};
use tally_core::services::membership::{self, MembershipOracle, Recorded, Standing};
use tally_core::services::{budgets, categories, ledgers, transactions};
use tally_testkit::fixtures::*;

const CHAT: &str = "-100";

fn telegram_user(c: &mut AnyConnection, id: &str, name: &str) -> Account {
    accounts::resolve_identity(
        c,
        Platform::Telegram,
        id,
        name,
        AccountDefaults::default(),
        now(),
    )
    .expect("account")
}

/// A Telegram group with Ann (admin) and Bob (member), each with one entry.
fn group(c: &mut AnyConnection) -> (LedgerId, Account, Account) {
    let ann = telegram_user(c, "1", "Ann");
    let bob = telegram_user(c, "2", "Bob");
    let g = ledgers::open_group(c, Platform::Telegram, CHAT, "Flat", Currency::USD, now())
        .expect("group");
    ledgers::join(c, g.id, ann.id, "Ann", Some(Role::Admin), now()).expect("join");
    ledgers::join(c, g.id, bob.id, "Bob", Some(Role::Admin), now()).expect("join");
    spend(c, ann.id, g.id, "30", "groceries", "2026-11-20");
    spend(c, bob.id, g.id, "12", "groceries", "2026-11-21");
    (g.id, ann, bob)
}

#[test]
fn a_member_the_platform_says_is_gone_loses_access_and_role_and_keeps_history() {
    for t in backends("membership_gone") {
        with(&t, |c| {
            let (g, ann, bob) = group(c);
            let recorded =
                membership::record(c, Platform::Telegram, CHAT, "2", Standing::Gone, now())?;
            assert_eq!(recorded, Recorded::Removed(g));
            // Bob sees nothing of the group any more, on every path.
            let err = ledgers::access(c, bob.id, g).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotFound);
            assert!(ledgers::list_for(c, bob.id)?.iter().all(|(l, _)| l.id != g));
            let filter = transactions::Filter::default();
            assert!(transactions::list(c, bob.id, g, &filter, 50, 0).is_err());
            assert!(
                budgets::set(
                    c,
                    bob.id,
                    g,
                    &cat("groceries"),
                    usd("1"),
                    Period::Month,
                    now()
                )
                .is_err()
            );
            // The group still has both entries and Ann still sees them; Bob is not listed.
            let page = transactions::list(c, ann.id, g, &filter, 50, 0)?;
            assert_eq!(page.total, 2);
            let members = ledgers::members(c, ann.id, g)?;
            assert_eq!(members.len(), 1);
            assert_eq!(members[0].account, ann.id);
            // Saying it twice changes nothing more.
            let again =
                membership::record(c, Platform::Telegram, CHAT, "2", Standing::Gone, now())?;
            assert_eq!(again, Recorded::Unknown);

            // Bob comes back and speaks: a plain member again, not the admin he was.
            ledgers::join(c, g, bob.id, "Bob", None, now())?;
            let access = ledgers::access(c, bob.id, g)?;
            assert_eq!(access.role, Role::Member);
            assert!(!access.can_manage());
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn the_platform_sets_the_role_and_unknown_people_or_chats_change_nothing() {
    for t in backends("membership_role") {
        with(&t, |c| {
            let (g, ann, _) = group(c);
            let demoted = membership::record(
                c,
                Platform::Telegram,
                CHAT,
                "1",
                Standing::Member(Some(Role::Member)),
                now(),
            )?;
            assert_eq!(demoted, Recorded::Confirmed(g));
            assert_eq!(ledgers::access(c, ann.id, g)?.role, Role::Member);
            assert_eq!(
                membership::record(c, Platform::Telegram, CHAT, "999", Standing::Gone, now())?,
                Recorded::Unknown
            );
            assert_eq!(
                membership::record(c, Platform::Telegram, "-999", "1", Standing::Gone, now())?,
                Recorded::Unknown
            );
            assert_eq!(
                membership::record(c, Platform::Discord, CHAT, "1", Standing::Gone, now())?,
                Recorded::Unknown
            );
            assert_eq!(ledgers::access(c, ann.id, g)?.role, Role::Member);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_switched_off_group_refuses_every_change_but_stays_readable() {
    for t in backends("membership_inactive") {
        with(&t, |c| {
            let (g, ann, _) = group(c);
            let tx = transactions::list(c, ann.id, g, &transactions::Filter::default(), 1, 0)?
                .items
                .remove(0);
            assert_eq!(
                membership::bot_removed(c, Platform::Telegram, CHAT)?,
                Some(g)
            );
            let refused = |r: tally_core::Result<()>| {
                let e = r.expect_err("a change to a switched-off group");
                assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
                assert!(e.to_string().contains("switched off"), "{e}");
            };
            refused(
                transactions::record(
                    c,
                    ann.id,
                    g,
                    transactions::NewTransaction {
                        kind: tally_core::domain::TransactionKind::Expense,
                        money: usd("5"),
                        category: cat("groceries"),
                        date: day("2026-11-22"),
                        note: String::new(),
                        source: transactions::Source {
                            platform: Platform::Console,
                            reference: None,
                        },
                    },
                    now(),
                )
                .map(drop),
            );
            refused(transactions::delete(c, ann.id, tx.id, now()).map(drop));
            refused(
                budgets::set(
                    c,
                    ann.id,
                    g,
                    &cat("groceries"),
                    usd("100"),
                    Period::Month,
                    now(),
                )
                .map(drop),
            );
            refused(
                categories::add(
                    c,
                    ann.id,
                    g,
                    tally_core::domain::TransactionKind::Expense,
                    &cat("boats"),
                    now(),
                )
                .map(drop),
            );
            // Reading is still fine, and nothing was lost.
            let page = transactions::list(c, ann.id, g, &transactions::Filter::default(), 50, 0)?;
            assert_eq!(page.total, 2);
            // Opening it again in the chat switches it back on.
            let reopened =
                ledgers::open_group(c, Platform::Telegram, CHAT, "Flat", Currency::USD, now())?;
            assert!(reopened.active);
            spend(c, ann.id, g, "1", "groceries", "2026-11-22");
            Ok(())
        })
        .unwrap();
    }
}

/// A platform whose answers the test sets, counting the questions.
struct FakeOracle {
    answers: Mutex<Vec<(String, Option<Standing>)>>,
    asked: AtomicUsize,
}

impl FakeOracle {
    fn new() -> Arc<FakeOracle> {
        Arc::new(FakeOracle {
            answers: Mutex::new(Vec::new()),
            asked: AtomicUsize::new(0),
        })
    }

    fn answer(&self, user: &str, standing: Option<Standing>) {
        let mut answers = self.answers.lock().unwrap();
        answers.retain(|(u, _)| u != user);
        answers.push((user.to_owned(), standing));
    }

    fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl MembershipOracle for FakeOracle {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    async fn standing(&self, chat_id: &str, user_id: &str) -> Option<Standing> {
        assert_eq!(chat_id, CHAT);
        self.asked.fetch_add(1, Ordering::SeqCst);
        let answers = self.answers.lock().unwrap();
        answers
            .iter()
            .find(|(u, _)| u == user_id)
            .and_then(|(_, s)| *s)
    }
}

/// What one API request by `who` may see of the group: the request's requirement, the
/// confirmation step, then an ordinary read.
async fn api_reads(tally: &Tally, who: &Account, g: LedgerId) -> tally_core::Result<i64> {
    let since = tally.now() - membership::API_FRESHNESS;
    let id = who.id;
    membership::require_confirmed_since(since, async {
        membership::confirm_for_api(tally, id).await?;
        tally
            .db()
            .read(move |c| {
                transactions::list(c, id, g, &transactions::Filter::default(), 50, 0)
                    .map(|p| p.total)
            })
            .await
    })
    .await
}

#[tokio::test]
async fn api_access_to_a_group_needs_the_platforms_recent_word() {
    for t in backends("membership_api") {
        let (g, ann, bob) = with(&t, |c| Ok(group(c))).unwrap();
        let clock = Arc::new(ManualClock::new(now()));
        let tally = Tally::builder(t.db.clone(), tally_core::Settings::default())
            .clock(clock.clone())
            .build();

        // Memberships confirmed at `now()` by the chat: no question within five minutes.
        clock.advance(Duration::minutes(4));
        assert_eq!(api_reads(&tally, &ann, g).await.unwrap(), 2);

        // Later, with no platform to ask, the group is refused, and the personal ledger is not.
        clock.advance(Duration::minutes(10));
        let err = api_reads(&tally, &ann, g).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden);
        assert!(err.to_string().contains("Telegram"), "{err}");
        let own = with(&t, |c| Ok(personal(c, &ann))).unwrap();
        assert_eq!(api_reads(&tally, &ann, own).await.unwrap(), 0);

        // With the platform reachable: Ann is in, and asked about once per five minutes.
        let oracle = FakeOracle::new();
        tally.add_membership_oracle(oracle.clone());
        oracle.answer("1", Some(Standing::Member(Some(Role::Admin))));
        oracle.answer("2", Some(Standing::Gone));
        assert_eq!(api_reads(&tally, &ann, g).await.unwrap(), 2);
        assert_eq!(oracle.asked(), 1);
        for _ in 0..3 {
            assert_eq!(api_reads(&tally, &ann, g).await.unwrap(), 2);
        }
        assert_eq!(oracle.asked(), 1, "a fresh confirmation is not asked again");

        // Bob was removed from the group: his first API request finds out and loses access.
        let err = api_reads(&tally, &bob, g).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(oracle.asked(), 2);
        with(&t, |c| {
            assert!(ledgers::list_for(c, bob.id)?.iter().all(|(l, _)| l.id != g));
            Ok(())
        })
        .unwrap();

        // Ann is demoted while away: after five minutes the API sees her as a member.
        oracle.answer("1", Some(Standing::Member(Some(Role::Member))));
        clock.advance(Duration::minutes(6));
        assert_eq!(api_reads(&tally, &ann, g).await.unwrap(), 2);
        assert_eq!(oracle.asked(), 3);
        let role = with(&t, |c| Ok(ledgers::access(c, ann.id, g)?.role)).unwrap();
        assert_eq!(role, Role::Member);

        // The platform cannot answer: refused until it can, nothing recorded as gone.
        oracle.answer("1", None);
        clock.advance(Duration::minutes(6));
        assert_eq!(
            api_reads(&tally, &ann, g).await.unwrap_err().kind(),
            ErrorKind::Forbidden
        );
        with(&t, |c| {
            assert!(ledgers::list_for(c, ann.id)?.iter().any(|(l, _)| l.id == g));
            Ok(())
        })
        .unwrap();
    }
}
