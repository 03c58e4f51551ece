//! Merging two accounts moves everything, loses nothing, duplicates nothing, in one transaction.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use diesel::prelude::*;
use tally_core::ErrorKind;
use tally_core::auth::{Email, Username};
use tally_core::db::schema::{
    categories as categories_t, llm_usage, transactions as transactions_t,
};
use tally_core::domain::{AccountId, Platform, Role, TransactionKind};
use tally_core::money::Currency;
use tally_core::period::BudgetPeriod;
use tally_core::services::{
    budgets, categories, credentials, idempotency, keywords, ledgers, linking, transactions,
};

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

            let out = linking::merge(c, a.id, b.id, now())?;
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

            // B is marked, its sessions end, and its login leads to A.
            assert_eq!(credentials::final_account(c, b.id)?, a.id);
            let (_, merged) = credentials::session_account(c, b.id)?.unwrap();
            assert_eq!(merged, Some(a.id));
            assert_eq!(credentials::login_record(c, "bee")?.unwrap().account, b.id);
            assert_eq!(
                linking::merge(c, a.id, b.id, now()).unwrap_err().kind(),
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
            let out = linking::merge(c, chat.id, web.id, now())?;
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
            linking::merge(c, a, b, now())?;
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
