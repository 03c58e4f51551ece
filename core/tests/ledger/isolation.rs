#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Isolation: an account never reads, changes or learns of a ledger it is not a member of.

use tally_core::ErrorKind;
use tally_core::db::AnyConnection;
use tally_core::domain::{CategoryId, LedgerId, Platform, Role, TransactionKind};
use tally_core::period::{BudgetPeriod, DateRange, Granularity};
use tally_core::services::transactions::{Filter, NewTransaction, Source, TransactionPatch};
use tally_core::services::{analytics, budgets, categories, keywords, ledgers, transactions};
use tally_testkit::fixtures::*;

fn assert_not_found<T: std::fmt::Debug>(what: &str, r: tally_core::Result<T>) {
    match r {
        Err(e) => assert_eq!(
            e.kind(),
            ErrorKind::NotFound,
            "{what}: expected not-found, got {e:?}"
        ),
        Ok(v) => panic!("{what}: expected not-found, got {v:?}"),
    }
}

/// Every ledger-scoped service function, called by `intruder` on `ledger`, must say "not found".
fn every_service_refuses(
    c: &mut AnyConnection,
    intruder: tally_core::domain::AccountId,
    ledger: LedgerId,
    victim_tx: tally_core::domain::TransactionId,
    victim_category: CategoryId,
) {
    let range = DateRange::month_of(day("2026-11-24"));
    assert_not_found("access", ledgers::access(c, intruder, ledger));
    assert_not_found("members", ledgers::members(c, intruder, ledger));
    assert_not_found(
        "record",
        transactions::record(
            c,
            intruder,
            ledger,
            NewTransaction {
                kind: TransactionKind::Expense,
                money: usd("1"),
                category: cat("food"),
                date: day("2026-11-24"),
                note: String::new(),
                source: Source {
                    platform: Platform::Console,
                    reference: None,
                },
            },
            now(),
        ),
    );
    assert_not_found("get", transactions::get(c, intruder, victim_tx));
    assert_not_found(
        "edit",
        transactions::edit(
            c,
            intruder,
            victim_tx,
            TransactionPatch {
                money: Some(usd("999")),
                ..Default::default()
            },
            now(),
        ),
    );
    assert_not_found(
        "delete",
        transactions::delete(c, intruder, victim_tx, now()),
    );
    assert_not_found(
        "undo_last",
        transactions::undo_last(c, intruder, ledger, now()),
    );
    assert_not_found(
        "list",
        transactions::list(c, intruder, ledger, &Filter::default(), 10, 0),
    );
    assert_not_found(
        "categories::list",
        categories::list(c, intruder, ledger, true),
    );
    assert_not_found(
        "categories::add",
        categories::add(
            c,
            intruder,
            ledger,
            TransactionKind::Expense,
            &cat("loot"),
            now(),
        ),
    );
    assert_not_found(
        "categories::rename",
        categories::rename(c, intruder, ledger, victim_category, &cat("loot")),
    );
    assert_not_found(
        "categories::set_archived",
        categories::set_archived(c, intruder, ledger, victim_category, true),
    );
    assert_not_found(
        "budgets::set",
        budgets::set(
            c,
            intruder,
            ledger,
            &cat("food"),
            usd("10"),
            BudgetPeriod::Month,
            now(),
        ),
    );
    assert_not_found(
        "budgets::remove",
        budgets::remove(c, intruder, ledger, &cat("food"), None),
    );
    assert_not_found("budgets::list", budgets::list(c, intruder, ledger));
    assert_not_found(
        "budgets::status",
        budgets::status(c, intruder, ledger, day("2026-11-24")),
    );
    assert_not_found(
        "analytics::summary",
        analytics::summary(c, intruder, ledger, range),
    );
    assert_not_found(
        "analytics::total",
        analytics::total(c, intruder, ledger, range, TransactionKind::Expense, None),
    );
    assert_not_found(
        "analytics::savings",
        analytics::savings(c, intruder, ledger, Granularity::Month, range),
    );
}

fn food_id(
    c: &mut AnyConnection,
    owner: tally_core::domain::AccountId,
    ledger: LedgerId,
) -> CategoryId {
    categories::list(c, owner, ledger, false)
        .unwrap()
        .into_iter()
        .find(|x| x.name.as_str() == "food")
        .unwrap()
        .id
}

#[test]
fn another_accounts_personal_ledger_is_invisible() {
    for t in backends("isolation_personal") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let b = account(c, "Bob");
            let la = personal(c, &a);
            let tx = spend(c, a.id, la, "12", "food", "2026-11-20");
            budgets::set(
                c,
                a.id,
                la,
                &cat("food"),
                usd("100"),
                BudgetPeriod::Month,
                now(),
            )?;
            let food = food_id(c, a.id, la);
            every_service_refuses(c, b.id, la, tx.id, food);
            // Nothing of Ann's changed.
            let mine = transactions::get(c, a.id, tx.id)?;
            assert_eq!(mine.money, usd("12"));
            assert!(!mine.deleted);
            assert_eq!(budgets::list(c, a.id, la)?.len(), 1);
            // Bob's own ledger list shows only his own.
            let bl = ledgers::list_for(c, b.id)?;
            assert_eq!(bl.len(), 1);
            assert_ne!(bl[0].0.id, la);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_group_ledger_is_invisible_to_non_members() {
    for t in backends("isolation_group") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let outsider = account(c, "Olga");
            let g = ledgers::open_group(
                c,
                Platform::Telegram,
                "-100",
                "Flat",
                a.default_currency,
                now(),
            )?;
            ledgers::join(c, g.id, a.id, "Ann", Some(Role::Admin), now())?;
            let tx = spend(c, a.id, g.id, "30", "groceries", "2026-11-21");
            let food = food_id(c, a.id, g.id);
            every_service_refuses(c, outsider.id, g.id, tx.id, food);
            assert!(
                ledgers::list_for(c, outsider.id)?
                    .iter()
                    .all(|(l, _)| l.id != g.id)
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn in_a_group_members_undo_only_their_own_and_edit_only_their_own() {
    for t in backends("isolation_group_members") {
        with(&t, |c| {
            let admin = account(c, "Ann");
            let member = account(c, "Bob");
            let g = ledgers::open_group(
                c,
                Platform::Telegram,
                "-7",
                "Trip",
                admin.default_currency,
                now(),
            )?;
            ledgers::join(c, g.id, admin.id, "Ann", Some(Role::Admin), now())?;
            ledgers::join(c, g.id, member.id, "Bob", Some(Role::Member), now())?;
            let anns = spend(c, admin.id, g.id, "40", "food", "2026-11-22");
            // Bob has nothing of his own to undo, and Ann's entry survives his /undo.
            assert!(transactions::undo_last(c, member.id, g.id, now())?.is_none());
            assert!(!transactions::get(c, admin.id, anns.id)?.deleted);
            // Bob may see Ann's entry (same group) but not change or delete it.
            assert_eq!(transactions::get(c, member.id, anns.id)?.id, anns.id);
            let edit = transactions::edit(
                c,
                member.id,
                anns.id,
                TransactionPatch {
                    money: Some(usd("1")),
                    ..Default::default()
                },
                now(),
            );
            assert_eq!(edit.unwrap_err().kind(), ErrorKind::Forbidden);
            assert_eq!(
                transactions::delete(c, member.id, anns.id, now())
                    .unwrap_err()
                    .kind(),
                ErrorKind::Forbidden
            );
            // Budgets and categories are for admins in a group.
            let set = budgets::set(
                c,
                member.id,
                g.id,
                &cat("food"),
                usd("100"),
                BudgetPeriod::Month,
                now(),
            );
            assert_eq!(set.unwrap_err().kind(), ErrorKind::Forbidden);
            let add = categories::add(
                c,
                member.id,
                g.id,
                TransactionKind::Expense,
                &cat("beer"),
                now(),
            );
            assert_eq!(add.unwrap_err().kind(), ErrorKind::Forbidden);
            // Bob's own entry is his to undo; the admin may also change anyone's.
            let bobs = spend(c, member.id, g.id, "5", "food", "2026-11-23");
            transactions::edit(
                c,
                admin.id,
                bobs.id,
                TransactionPatch {
                    money: Some(usd("6")),
                    ..Default::default()
                },
                now(),
            )?;
            let undone = transactions::undo_last(c, member.id, g.id, now())?.unwrap();
            assert_eq!(undone.id, bobs.id);
            assert_eq!(undone.money, usd("6"));
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn learned_keywords_belong_to_one_account() {
    for t in backends("isolation_keywords") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let b = account(c, "Bob");
            keywords::teach(
                c,
                a.id,
                &["bluebottle".to_owned()],
                TransactionKind::Expense,
                &cat("food"),
                now(),
            )?;
            let va = keywords::vocabulary(c, Some(a.id), &[])?;
            let vb = keywords::vocabulary(c, Some(b.id), &[])?;
            assert_eq!(va.keywords().len(), 1);
            assert!(vb.keywords().is_empty());
            assert!(!keywords::forget(c, b.id, "bluebottle")?);
            assert_eq!(
                keywords::vocabulary(c, Some(a.id), &[])?.keywords().len(),
                1
            );
            Ok(())
        })
        .unwrap();
    }
}
