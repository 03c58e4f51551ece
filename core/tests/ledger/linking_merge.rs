//! Merging two accounts moves everything, loses nothing, duplicates nothing, in one transaction.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::prelude::*;
use tally_core::ErrorKind;
use tally_core::auth::{Email, Username};
use tally_core::db::schema::{
    categories as categories_t, llm_usage, transactions as transactions_t,
};
use tally_core::domain::{AccountId, Platform, Role, TransactionKind};
use tally_core::money::Currency;
use tally_core::period::BudgetPeriod;
use tally_core::services::linking::{Passwords, Redeemed};
use tally_core::services::pending_links::{self, Confirmed};
use tally_core::services::{
    budgets, categories, credentials, idempotency, keywords, ledgers, linking, transactions,
    unlinking,
};
use tally_testkit::fixtures::*;

fn all_transactions(c: &mut tally_core::db::AnyConnection) -> i64 {
    transactions_t::table.count().get_result(c).unwrap()
}

fn give_login(c: &mut tally_core::db::AnyConnection, who: AccountId, name: &str) {
    credentials::set_credentials(
        c,
        who,
        &Username::parse(name).unwrap(),
        Email::parse_optional(Some("x@y.zz")).unwrap().as_ref(),
        "$2b$04$not-a-real-hash-but-stored-as-one.......................",
        now(),
    )
    .unwrap();
}

#[test]
fn merge_moves_everything_once() {
    for t in backends("merge_everything") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let b = account(c, "Ann on Telegram");
            let pa = personal(c, &a);
            let pb = personal(c, &b);
            let climbing = cat("climbing");
            categories::add(c, a.id, pa, TransactionKind::Expense, &climbing, now())?;
            let a_climbing = categories::list(c, a.id, pa, true)?
                .into_iter()
                .find(|x| x.name == climbing)
                .unwrap();
            categories::set_archived(c, a.id, pa, a_climbing.id, true)?;
            categories::add(c, b.id, pb, TransactionKind::Expense, &climbing, now())?;
            categories::add(c, b.id, pb, TransactionKind::Expense, &cat("boat"), now())?;
            budgets::set(
                c,
                a.id,
                pa,
                &cat("food"),
                usd("300"),
                BudgetPeriod::Month,
                now(),
            )?;
            budgets::set(
                c,
                b.id,
                pb,
                &cat("food"),
                usd("100"),
                BudgetPeriod::Month,
                now(),
            )?;
            budgets::set(
                c,
                b.id,
                pb,
                &cat("transport"),
                usd("50"),
                BudgetPeriod::Week,
                now(),
            )?;
            spend(c, a.id, pa, "1", "food", "2026-11-01");
            spend(c, b.id, pb, "5", "food", "2026-11-02");
            spend(c, b.id, pb, "20", "climbing", "2026-11-03");
            spend(c, b.id, pb, "30", "boat", "2026-11-04");
            let gone = spend(c, b.id, pb, "2", "transport", "2026-11-05");
            transactions::delete(c, b.id, gone.id, now())?;

            // Groups: both in G (B an admin there), only B in H; B wrote in G.
            let g = ledgers::open_group(c, Platform::Telegram, "-1", "G", Currency::USD, now())?;
            ledgers::join(c, g.id, a.id, "Ann", Some(Role::Member), now())?;
            ledgers::join(c, g.id, b.id, "Ann", Some(Role::Admin), now())?;
            let h = ledgers::open_group(c, Platform::Discord, "-2", "H", Currency::USD, now())?;
            ledgers::join(c, h.id, b.id, "Ann", None, now())?;
            let in_group = spend(c, b.id, g.id, "9", "food", "2026-11-06");

            keywords::teach(
                c,
                a.id,
                &["uber".into()],
                TransactionKind::Expense,
                &cat("transport"),
                now(),
            )?;
            keywords::teach(
                c,
                b.id,
                &["uber".into(), "tesco".into()],
                TransactionKind::Expense,
                &cat("groceries"),
                now(),
            )?;
            credentials::attach_identity(c, b.id, Platform::Telegram, "t-1", "Ann", now())?;
            idempotency::remember(c, b.id, "k1", in_group.id, now())?;
            idempotency::remember(c, b.id, "k2", in_group.id, now())?;
            idempotency::remember(c, a.id, "k2", in_group.id, now())?;
            let day = day("2026-11-24");
            for (who, tokens) in [(a.id, 100_i64), (b.id, 50)] {
                diesel::insert_into(llm_usage::table)
                    .values((
                        llm_usage::account_id.eq(who.get()),
                        llm_usage::day.eq(day),
                        llm_usage::tokens.eq(tokens),
                    ))
                    .execute(c)?;
            }
            give_login(c, a.id, "ann");
            give_login(c, b.id, "bee");
            let before = all_transactions(c);

            let out = linking::merge(c, a.id, b.id, Passwords::BothProven, now())?;
            assert_eq!(out.survivor.id, a.id);
            assert_eq!(out.moved_transactions, 4);
            assert_eq!(out.replaced_budgets, 1);

            // Nothing lost, nothing copied.
            assert_eq!(all_transactions(c), before);
            let page = transactions::list(c, a.id, pa, &Default::default(), 200, 0)?;
            assert_eq!(page.total, 4);
            assert!(page.items.iter().all(|t| t.author == a.id));
            let deleted: i64 = transactions_t::table
                .filter(transactions_t::ledger_id.eq(pa.get()))
                .filter(transactions_t::deleted_at.is_not_null())
                .count()
                .get_result(c)?;
            assert_eq!(deleted, 1);
            assert_eq!(transactions::get(c, a.id, in_group.id)?.author, a.id);

            // Categories merged by name: one climbing (live again, as B used it), boat added.
            let cats = categories::list(c, a.id, pa, true)?;
            let mut names: Vec<(String, String)> = cats
                .iter()
                .map(|x| (x.kind.to_string(), x.name.to_string()))
                .collect();
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n, "no duplicate categories");
            assert!(cats.iter().any(|x| x.name == climbing && !x.archived));
            assert!(cats.iter().any(|x| x.name.as_str() == "boat"));
            let orphans: i64 = categories_t::table
                .filter(categories_t::ledger_id.eq(pb.get()))
                .count()
                .get_result(c)?;
            assert_eq!(orphans, 0);
            assert_eq!(
                ledgers::personal(c, b.id).unwrap_err().kind(),
                ErrorKind::NotFound
            );

            // Budgets: A's food stays, B's weekly transport comes along.
            let bs = budgets::list(c, a.id, pa)?;
            assert_eq!(bs.len(), 2);
            assert!(
                bs.iter()
                    .any(|x| x.category.as_str() == "food" && x.limit == usd("300"))
            );
            assert!(
                bs.iter()
                    .any(|x| x.category.as_str() == "transport" && x.period == BudgetPeriod::Week)
            );

            // Memberships: the higher role where both were, and H now.
            assert_eq!(ledgers::access(c, a.id, g.id)?.role, Role::Admin);
            assert_eq!(ledgers::members(c, a.id, g.id)?.len(), 1);
            assert!(ledgers::access(c, a.id, h.id).is_ok());
            assert!(ledgers::access(c, b.id, h.id).is_err());

            // Keywords: A's meaning of "uber" stays; "tesco" moves.
            let words: Vec<(String, String)> = tally_core::db::schema::keywords::table
                .filter(tally_core::db::schema::keywords::account_id.eq(a.id.get()))
                .select((
                    tally_core::db::schema::keywords::keyword,
                    tally_core::db::schema::keywords::category,
                ))
                .order(tally_core::db::schema::keywords::keyword)
                .load(c)?;
            assert_eq!(
                words,
                vec![
                    ("tesco".into(), "groceries".into()),
                    ("uber".into(), "transport".into())
                ]
            );

            // Identities, keys, usage.
            assert_eq!(
                tally_core::services::accounts::find_identity(c, Platform::Telegram, "t-1")?
                    .unwrap()
                    .account,
                a.id
            );
            assert_eq!(idempotency::find(c, a.id, "k1")?, Some(in_group.id));
            assert_eq!(idempotency::find(c, b.id, "k1")?, None);
            let usage: Vec<(i64, i64)> = llm_usage::table
                .select((llm_usage::account_id, llm_usage::tokens))
                .load(c)?;
            assert_eq!(usage, vec![(a.id.get(), 150)]);

            // B is marked, its sessions end, and only A's login is left.
            assert_eq!(credentials::final_account(c, b.id)?, a.id);
            let (_, merged) = credentials::session_account(c, b.id)?.unwrap();
            assert_eq!(merged, Some(a.id));
            assert!(credentials::login_record(c, "bee")?.is_none());
            assert!(credentials::login_record(c, "ann")?.is_some());
            assert_eq!(
                linking::merge(c, a.id, b.id, Passwords::BothProven, now())
                    .unwrap_err()
                    .kind(),
                ErrorKind::Conflict
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_survivor_without_a_login_takes_the_absorbed_ones() {
    for t in backends("merge_login_moves") {
        with(&t, |c| {
            let chat = account(c, "Chat");
            let web = account(c, "Web");
            give_login(c, web.id, "Dee");
            let out = linking::merge(c, chat.id, web.id, Passwords::Unproven, now())?;
            assert_eq!(out.survivor.username.as_deref(), Some("Dee"));
            assert!(out.survivor.has_password);
            assert_eq!(
                credentials::login_record(c, "dee")?.unwrap().account,
                chat.id
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_failed_merge_changes_nothing() {
    for t in backends("merge_atomic") {
        let (a, b) = with(&t, |c| {
            let a = account(c, "A");
            let b = account(c, "B");
            let pb = personal(c, &b);
            spend(c, b.id, pb, "5", "food", "2026-11-02");
            Ok((a.id, b.id))
        })
        .unwrap();
        // Merge, then fail later in the same transaction: all of it rolls back.
        let err = with(&t, |c| {
            linking::merge(c, a, b, Passwords::Unproven, now())?;
            Err::<(), _>(tally_core::Error::Internal("boom".into()))
        });
        assert!(err.is_err());
        with(&t, |c| {
            assert_eq!(credentials::final_account(c, b)?, b);
            let pb = ledgers::personal(c, b)?.id;
            assert_eq!(
                transactions::list(c, b, pb, &Default::default(), 10, 0)?.total,
                1
            );
            Ok(())
        })
        .unwrap();
    }
}

/// A chat account that `name` made by talking on Telegram as `puid`.
fn chat_account(c: &mut tally_core::db::AnyConnection, name: &str, puid: &str) -> AccountId {
    tally_core::services::accounts::resolve_identity(
        c,
        Platform::Telegram,
        puid,
        name,
        Default::default(),
        now(),
    )
    .unwrap()
    .id
}

#[test]
fn a_code_alone_never_merges() {
    for t in backends("link_needs_consent") {
        with(&t, |c| {
            // The attacker makes a code on their account and sends the start link to a victim.
            let eve = account(c, "Eve");
            give_login(c, eve.id, "eve");
            let code = linking::create_code(c, eve.id, chrono::Duration::minutes(10), now())?;
            let victim = chat_account(c, "Vic", "777");
            let pv = ledgers::personal(c, victim)?.id;
            spend(c, victim, pv, "80", "health", "2026-11-20");

            // The victim presses Start: the code is redeemed, nothing moves.
            let Redeemed::Pending(preview) =
                linking::redeem_code(c, Platform::Telegram, "777", victim, &code.code, now())?
            else {
                panic!("a valid code should ask first");
            };
            assert_eq!(preview.target.username.as_deref(), Some("eve"));
            assert_eq!(preview.moving_entries, 1);
            assert_eq!(credentials::final_account(c, victim)?, victim);
            assert_eq!(
                transactions::list(c, victim, pv, &Default::default(), 10, 0)?.total,
                1
            );

            // Nobody but the redeeming chat can confirm: not the attacker's own chat with the
            // id, not a forged press.
            let eve_chat = chat_account(c, "Eve", "666");
            assert_ne!(eve_chat, victim);
            let err = pending_links::confirm(c, Platform::Telegram, "666", Some(preview.id), now())
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict);
            assert_eq!(credentials::final_account(c, victim)?, victim);

            // Cancelling ends it: a later Confirm does nothing, and the code is spent.
            pending_links::cancel(c, Platform::Telegram, "777", Some(preview.id), now())?;
            let err = pending_links::confirm(c, Platform::Telegram, "777", Some(preview.id), now())
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict);
            assert_eq!(credentials::final_account(c, victim)?, victim);
            assert!(matches!(
                linking::redeem_code(c, Platform::Telegram, "777", victim, &code.code, now())?,
                Redeemed::Failed { .. }
            ));
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn only_the_redeeming_chats_confirm_merges() {
    for t in backends("link_confirm_merges") {
        with(&t, |c| {
            let ann = account(c, "Ann");
            let code = linking::create_code(c, ann.id, chrono::Duration::minutes(10), now())?;
            let chat = chat_account(c, "Ann", "42");
            let pc = ledgers::personal(c, chat)?.id;
            spend(c, chat, pc, "5", "food", "2026-11-20");
            let Redeemed::Pending(p) =
                linking::redeem_code(c, Platform::Telegram, "42", chat, &code.code, now())?
            else {
                panic!("pending expected");
            };
            // The typed fallback (`/link confirm`) names no id: the newest pending one.
            let Confirmed::Linked(out) =
                pending_links::confirm(c, Platform::Telegram, "42", None, now())?
            else {
                panic!("linked expected");
            };
            assert_eq!(out.survivor.id, ann.id);
            assert_eq!(out.moved_transactions, 1);
            assert_eq!(credentials::final_account(c, chat)?, ann.id);
            // Pressing again (or a redelivered press) changes nothing.
            let again = pending_links::confirm(c, Platform::Telegram, "42", Some(p.id), now());
            assert_eq!(again.unwrap_err().kind(), ErrorKind::Conflict);

            // An expired request can't be confirmed.
            let code = linking::create_code(c, ann.id, chrono::Duration::minutes(10), now())?;
            let other = chat_account(c, "Ann", "43");
            linking::redeem_code(c, Platform::Telegram, "43", other, &code.code, now())?;
            let later = now() + chrono::Duration::minutes(pending_links::VALID_FOR_MINUTES + 1);
            let late = pending_links::confirm(c, Platform::Telegram, "43", None, later);
            assert_eq!(late.unwrap_err().kind(), ErrorKind::Conflict);
            assert_eq!(credentials::final_account(c, other)?, other);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn two_accounts_with_passwords_need_both() {
    for t in backends("link_both_passwords") {
        with(&t, |c| {
            let a = account(c, "A");
            let b = account(c, "B");
            give_login(c, a.id, "alpha");
            give_login(c, b.id, "bravo");
            // A code confirmed in a chat proves no password: refused, and nothing changed.
            let err = linking::merge(c, a.id, b.id, Passwords::Unproven, now()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict);
            assert!(err.user_message().contains("both passwords"), "{err}");
            assert_eq!(credentials::final_account(c, b.id)?, b.id);
            assert!(credentials::login_record(c, "bravo")?.is_some());

            let code = linking::create_code(c, a.id, chrono::Duration::minutes(10), now())?;
            credentials::attach_identity(c, b.id, Platform::Telegram, "9", "B", now())?;
            let Redeemed::Pending(p) =
                linking::redeem_code(c, Platform::Telegram, "9", b.id, &code.code, now())?
            else {
                panic!("pending expected");
            };
            assert!(p.both_have_logins);
            let err =
                pending_links::confirm(c, Platform::Telegram, "9", Some(p.id), now()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict);
            Ok(())
        })
        .unwrap();
        // Nothing of the refused merges happened: B is still its own account.
        with(&t, |c| {
            let b = credentials::login_record(c, "bravo")?.unwrap().account;
            assert_eq!(credentials::final_account(c, b)?, b);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_code_redeemed_twice_at_once_is_redeemed_once() {
    for t in backends("link_code_race") {
        let (code, chats) = with(&t, |c| {
            let owner = account(c, "Owner");
            let code = linking::create_code(c, owner.id, chrono::Duration::minutes(10), now())?;
            let chats: Vec<AccountId> = (0..6)
                .map(|i| chat_account(c, "Racer", &format!("r{i}")))
                .collect();
            Ok((code.code, chats))
        })
        .unwrap();
        let start = std::sync::Barrier::new(chats.len());
        let results: Vec<bool> = std::thread::scope(|s| {
            let handles: Vec<_> = chats
                .iter()
                .enumerate()
                .map(|(i, who)| {
                    let (db, code, start) = (t.db.clone(), code.clone(), &start);
                    s.spawn(move || {
                        start.wait();
                        db.write_blocking(|c| {
                            linking::redeem_code(
                                c,
                                Platform::Telegram,
                                &format!("r{i}"),
                                *who,
                                &code,
                                now(),
                            )
                        })
                        .map(|r| matches!(r, Redeemed::Pending(_)))
                        .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|won| **won).count(), 1, "{results:?}");
        with(&t, |c| {
            let open: i64 = tally_core::db::schema::pending_links::table
                .count()
                .get_result(c)?;
            assert_eq!(open, 1);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn link_codes_are_limited_per_account() {
    for t in backends("link_code_limit") {
        with(&t, |c| {
            let a = account(c, "A");
            let ttl = chrono::Duration::minutes(10);
            for _ in 0..linking::CODE_CREATION.max {
                linking::create_code(c, a.id, ttl, now())?;
            }
            let err = linking::create_code(c, a.id, ttl, now()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::RateLimited);
            // Another account is not affected, and the window passes.
            let b = account(c, "B");
            linking::create_code(c, b.id, ttl, now())?;
            let later = now() + linking::CODE_CREATION.window() + chrono::Duration::seconds(1);
            linking::create_code(c, a.id, ttl, later)?;
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn unlink_gives_a_chat_a_fresh_account_and_keeps_the_history() {
    for t in backends("unlink") {
        with(&t, |c| {
            let ann = account(c, "Ann");
            let pa = personal(c, &ann);
            credentials::attach_identity(c, ann.id, Platform::Telegram, "1", "Ann", now())?;
            credentials::attach_identity(c, ann.id, Platform::Discord, "2", "ann#2", now())?;
            spend(c, ann.id, pa, "12", "food", "2026-11-20");
            let ids = unlinking::identities(c, ann.id)?;
            assert_eq!(ids.len(), 2);

            // Someone else's identity is not found.
            let bob = account(c, "Bob");
            let err = unlinking::detach(c, bob.id, ids[0].id, Default::default(), now());
            assert_eq!(err.unwrap_err().kind(), ErrorKind::NotFound);

            let done = unlinking::detach(c, ann.id, ids[1].id, Default::default(), now())?;
            assert_eq!(done.identity.platform, Platform::Discord);
            let discord = tally_core::services::accounts::find_identity(c, Platform::Discord, "2")?
                .unwrap()
                .account;
            assert_eq!(discord, done.fresh.id);
            assert_ne!(discord, ann.id);
            // The history stays; the fresh account starts empty.
            assert_eq!(
                transactions::list(c, ann.id, pa, &Default::default(), 10, 0)?.total,
                1
            );
            let pf = ledgers::personal(c, discord)?.id;
            assert_eq!(
                transactions::list(c, discord, pf, &Default::default(), 10, 0)?.total,
                0
            );
            assert!(ledgers::access(c, discord, pa).is_err());

            // The last way in (no password, one chat left) stays.
            let err = unlinking::detach(c, ann.id, ids[0].id, Default::default(), now());
            assert_eq!(err.unwrap_err().kind(), ErrorKind::Conflict);
            // With a login, the last chat may go, but the login itself may not.
            give_login(c, ann.id, "annie");
            unlinking::detach(c, ann.id, ids[0].id, Default::default(), now())?;
            let web = unlinking::identities(c, ann.id)?;
            assert_eq!(web.len(), 1);
            assert_eq!(web[0].platform, Platform::Web);
            let err = unlinking::detach(c, ann.id, web[0].id, Default::default(), now());
            assert_eq!(err.unwrap_err().kind(), ErrorKind::Invalid);
            Ok(())
        })
        .unwrap();
    }
}
