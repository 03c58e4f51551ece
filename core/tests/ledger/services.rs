#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The services' behaviour: recording, listing, budgets, alerts, categories, claims, settings.

use tally_core::ErrorKind;
use tally_core::domain::{Platform, Role, TransactionKind};
use tally_core::money::{Currency, Money};
use tally_core::period::{BudgetPeriod, DateRange};
use tally_core::services::accounts::{self, AccountDefaults, SettingsPatch};
use tally_core::services::transactions::{Filter, TransactionPatch};
use tally_core::services::{
    analytics, budgets, categories, ledgers, settings, transactions, updates,
};
use tally_testkit::fixtures::*;

#[test]
fn identities_resolve_to_one_account_with_a_seeded_personal_ledger() {
    for t in backends("identities") {
        with(&t, |c| {
            let a1 = accounts::resolve_identity(
                c,
                Platform::Telegram,
                "42",
                "  Ann\nLee ",
                AccountDefaults::default(),
                now(),
            )?;
            let a2 = accounts::resolve_identity(
                c,
                Platform::Telegram,
                "42",
                "Ann",
                AccountDefaults::default(),
                now(),
            )?;
            assert_eq!(a1.id, a2.id);
            assert_eq!(a1.display_name, "Ann Lee");
            let other = accounts::resolve_identity(
                c,
                Platform::Discord,
                "42",
                "Ann",
                AccountDefaults::default(),
                now(),
            )?;
            assert_ne!(other.id, a1.id, "ids are per platform");
            let l = ledgers::personal(c, a1.id)?;
            let cats = categories::list(c, a1.id, l.id, false)?;
            assert_eq!(
                cats.iter()
                    .filter(|x| x.kind == TransactionKind::Expense)
                    .count(),
                18
            );
            assert_eq!(
                cats.iter()
                    .filter(|x| x.kind == TransactionKind::Income)
                    .count(),
                6
            );
            let updated = accounts::update_settings(
                c,
                a1.id,
                SettingsPatch {
                    default_currency: Some(Currency::EUR),
                    timezone: Some(tally_core::domain::Timezone::parse("Europe/Berlin").unwrap()),
                    ..Default::default()
                },
                now(),
            )?;
            assert_eq!(updated.default_currency, Currency::EUR);
            assert_eq!(updated.timezone.name(), "Europe/Berlin");
            assert_eq!(ledgers::personal(c, a1.id)?.default_currency, Currency::EUR);
            Ok(())
        })
        .unwrap();
    }
}

/// Bidirectional overrides and zero-width characters would let a note or a name read as
/// something else in a shared chat (U+202E turns "coffee\u{202E}001$" into "coffee$100").
#[test]
fn notes_and_names_lose_invisible_spoofing_characters() {
    for t in backends("spoofing") {
        with(&t, |c| {
            let a = accounts::resolve_identity(
                c,
                Platform::Telegram,
                "77",
                "\u{202E}nimda\u{200B} Ann\u{2066}",
                AccountDefaults::default(),
                now(),
            )?;
            assert_eq!(a.display_name, "nimda Ann");
            let l = personal(c, &a);
            let tx = record(
                c,
                a.id,
                l,
                TransactionKind::Expense,
                usd("1"),
                "food",
                "2026-11-24",
                "coffee\u{202E}001$\u{FEFF}\u{200F}",
            );
            assert_eq!(tx.note, "coffee001$");
            let edited = transactions::edit(
                c,
                a.id,
                tx.id,
                TransactionPatch {
                    note: Some("\u{2067}tea\u{2069} \u{202A}x\u{202C}".into()),
                    ..Default::default()
                },
                now(),
            )?;
            assert_eq!(edited.note, "tea x");
            let renamed = accounts::update_settings(
                c,
                a.id,
                SettingsPatch {
                    display_name: Some("Bo\u{200D}b\u{202D}".into()),
                    ..Default::default()
                },
                now(),
            )?;
            assert_eq!(renamed.display_name, "Bob");
            // Category names never took them: only letters, digits and separators.
            assert!(tally_core::domain::CategoryName::parse("fo\u{202E}od").is_err());
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn recording_validates_and_cleans_input() {
    for t in backends("recording") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            let tx = record(
                c,
                a.id,
                l,
                TransactionKind::Expense,
                usd("3.5"),
                "food",
                "2026-11-24",
                "  latte\u{7}\n with oat milk ",
            );
            assert_eq!(tx.note, "latte   with oat milk");
            assert_eq!(tx.money.to_string(), "$3.50");
            let long = "x".repeat(2_000);
            let tx = record(
                c,
                a.id,
                l,
                TransactionKind::Expense,
                usd("1"),
                "food",
                "2026-11-24",
                &long,
            );
            assert_eq!(tx.note.chars().count(), transactions::MAX_NOTE_CHARS);
            let zero = Money::zero(Currency::USD);
            let r = c.transaction_err(|c| {
                transactions::record(
                    c,
                    a.id,
                    l,
                    new_tx(TransactionKind::Expense, zero, "food"),
                    now(),
                )
            });
            assert_eq!(r.unwrap_err().kind(), ErrorKind::Invalid);
            let r = transactions::record(
                c,
                a.id,
                l,
                new_tx(TransactionKind::Expense, usd("1"), "no_such"),
                now(),
            );
            let e = r.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Invalid);
            assert!(
                e.user_message().contains("food"),
                "lists the categories: {}",
                e.user_message()
            );
            // An income category is not an expense category.
            let r = transactions::record(
                c,
                a.id,
                l,
                new_tx(TransactionKind::Expense, usd("1"), "salary"),
                now(),
            );
            assert_eq!(r.unwrap_err().kind(), ErrorKind::Invalid);
            Ok(())
        })
        .unwrap();
    }
}

/// Lets a test run a failing call without leaving the outer transaction unusable on PostgreSQL.
trait TransactionErr {
    fn transaction_err<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> tally_core::Result<T>,
    ) -> tally_core::Result<T>;
}

impl TransactionErr for tally_core::db::AnyConnection {
    fn transaction_err<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> tally_core::Result<T>,
    ) -> tally_core::Result<T> {
        use diesel::Connection;
        self.transaction(f)
    }
}

fn new_tx(
    kind: TransactionKind,
    money: Money,
    category: &str,
) -> tally_core::services::transactions::NewTransaction {
    tally_core::services::transactions::NewTransaction {
        kind,
        money,
        category: cat(category),
        date: day("2026-11-24"),
        note: String::new(),
        source: tally_core::services::transactions::Source {
            platform: Platform::Console,
            reference: None,
        },
    }
}

#[test]
fn lists_filter_and_paginate_in_a_stable_order() {
    for t in backends("listing") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            let mut ids = Vec::new();
            for i in 0..25 {
                // Several entries share each date, so the id must break ties.
                let date = format!("2026-11-{:02}", 1 + i / 3);
                let note = if i % 5 == 0 {
                    "100% pure_coffee"
                } else {
                    "lunch"
                };
                ids.push(
                    record(
                        c,
                        a.id,
                        l,
                        TransactionKind::Expense,
                        usd(&format!("{}", i + 1)),
                        "food",
                        &date,
                        note,
                    )
                    .id,
                );
            }
            record(
                c,
                a.id,
                l,
                TransactionKind::Income,
                usd("2500"),
                "salary",
                "2026-11-01",
                "pay",
            );
            let all = transactions::list(c, a.id, l, &Filter::default(), 200, 0)?;
            assert_eq!(all.total, 26);
            // Newest date first, then newest id first.
            for w in all.items.windows(2) {
                assert!((w[0].date, w[0].id) > (w[1].date, w[1].id));
            }
            // Pages tile the full list exactly.
            let mut paged = Vec::new();
            for offset in (0..26).step_by(7) {
                let p = transactions::list(c, a.id, l, &Filter::default(), 7, offset)?;
                assert_eq!(p.total, 26);
                paged.extend(p.items.into_iter().map(|t| t.id));
            }
            assert_eq!(paged, all.items.iter().map(|t| t.id).collect::<Vec<_>>());
            let incomes = transactions::list(
                c,
                a.id,
                l,
                &Filter {
                    kind: Some(TransactionKind::Income),
                    ..Default::default()
                },
                50,
                0,
            )?;
            assert_eq!(incomes.total, 1);
            let salary = transactions::list(
                c,
                a.id,
                l,
                &Filter {
                    category: Some(cat("salary")),
                    ..Default::default()
                },
                50,
                0,
            )?;
            assert_eq!(salary.total, 1);
            let early = transactions::list(
                c,
                a.id,
                l,
                &Filter {
                    from: Some(day("2026-11-02")),
                    to: Some(day("2026-11-03")),
                    kind: Some(TransactionKind::Expense),
                    ..Default::default()
                },
                50,
                0,
            )?;
            assert_eq!(early.total, 6);
            // Text search is case-insensitive and treats % and _ literally.
            let coffee = transactions::list(
                c,
                a.id,
                l,
                &Filter {
                    text: Some("PURE_C".into()),
                    ..Default::default()
                },
                50,
                0,
            )?;
            assert_eq!(coffee.total, 5);
            let percent = transactions::list(
                c,
                a.id,
                l,
                &Filter {
                    text: Some("0%".into()),
                    ..Default::default()
                },
                50,
                0,
            )?;
            assert_eq!(percent.total, 5);
            let wildcard = transactions::list(
                c,
                a.id,
                l,
                &Filter {
                    text: Some("l_nch".into()),
                    ..Default::default()
                },
                50,
                0,
            )?;
            assert_eq!(wildcard.total, 0);
            // Limits are bounded.
            assert_eq!(
                transactions::list(c, a.id, l, &Filter::default(), 10_000, 0)?.limit,
                transactions::MAX_PAGE
            );
            assert_eq!(
                transactions::list(c, a.id, l, &Filter::default(), 0, -5)?
                    .items
                    .len(),
                1
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn edits_deletes_and_undo_keep_history() {
    for t in backends("editing") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            let first = spend(c, a.id, l, "10", "food", "2026-11-20");
            let second = spend(c, a.id, l, "20", "transport", "2026-11-10");
            let edited = transactions::edit(
                c,
                a.id,
                first.id,
                TransactionPatch {
                    money: Some(usd("11.25")),
                    category: Some(cat("groceries")),
                    note: Some("market".into()),
                    date: Some(day("2026-11-21")),
                    ..Default::default()
                },
                now(),
            )?;
            assert_eq!(
                (edited.money, edited.category.as_str(), edited.note.as_str()),
                (usd("11.25"), "groceries", "market")
            );
            assert_eq!(edited.date, day("2026-11-21"));
            // Turning an expense into income keeps a category name both kinds have, else `other`.
            let income = transactions::edit(
                c,
                a.id,
                first.id,
                TransactionPatch {
                    kind: Some(TransactionKind::Income),
                    ..Default::default()
                },
                now(),
            )?;
            assert_eq!(income.category.as_str(), "other");
            // Undo removes the latest recorded (by insertion), not the latest date.
            let undone = transactions::undo_last(c, a.id, l, now())?.unwrap();
            assert_eq!(undone.id, second.id);
            assert!(undone.deleted);
            assert_eq!(
                transactions::get(c, a.id, second.id).unwrap_err().kind(),
                ErrorKind::NotFound
            );
            transactions::delete(c, a.id, first.id, now())?;
            assert_eq!(
                transactions::list(c, a.id, l, &Filter::default(), 10, 0)?.total,
                0
            );
            assert!(transactions::undo_last(c, a.id, l, now())?.is_none());
            // Soft delete: the rows are still stored.
            use diesel::prelude::*;
            use tally_core::db::schema::transactions as tx;
            let stored: i64 = tx::table.count().get_result(c)?;
            assert_eq!(stored, 2);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn categories_can_be_added_renamed_archived_and_restored() {
    for t in backends("categories") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            let coffee = categories::add(
                c,
                a.id,
                l,
                TransactionKind::Expense,
                &cat("Coffee Beans"),
                now(),
            )?;
            assert_eq!(coffee.name.as_str(), "coffee_beans");
            assert_eq!(
                categories::add(
                    c,
                    a.id,
                    l,
                    TransactionKind::Expense,
                    &cat("coffee beans"),
                    now()
                )
                .unwrap_err()
                .kind(),
                ErrorKind::Conflict
            );
            spend(c, a.id, l, "9", "coffee_beans", "2026-11-20");
            let renamed = categories::rename(c, a.id, l, coffee.id, &cat("beans"))?;
            assert_eq!(renamed.name.as_str(), "beans");
            // The transaction follows its category.
            let page = transactions::list(c, a.id, l, &Filter::default(), 10, 0)?;
            assert_eq!(page.items[0].category.as_str(), "beans");
            categories::set_archived(c, a.id, l, coffee.id, true)?;
            assert!(
                categories::list(c, a.id, l, false)?
                    .iter()
                    .all(|x| x.name.as_str() != "beans")
            );
            assert!(
                categories::list(c, a.id, l, true)?
                    .iter()
                    .any(|x| x.name.as_str() == "beans" && x.archived)
            );
            let r = transactions::record(
                c,
                a.id,
                l,
                new_tx(TransactionKind::Expense, usd("1"), "beans"),
                now(),
            );
            assert_eq!(
                r.unwrap_err().kind(),
                ErrorKind::Invalid,
                "archived categories take no new entries"
            );
            // Adding it again restores it.
            let back = categories::add(c, a.id, l, TransactionKind::Expense, &cat("beans"), now())?;
            assert!(!back.archived);
            let other = categories::list(c, a.id, l, false)?
                .into_iter()
                .find(|x| x.name.is_other())
                .unwrap();
            assert_eq!(
                categories::set_archived(c, a.id, l, other.id, true)
                    .unwrap_err()
                    .kind(),
                ErrorKind::Invalid
            );
            assert_eq!(
                categories::rename(c, a.id, l, other.id, &cat("misc"))
                    .unwrap_err()
                    .kind(),
                ErrorKind::Invalid
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn budget_status_projects_and_ignores_other_currencies() {
    for t in backends("budget_status") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            budgets::set(
                c,
                a.id,
                l,
                &cat("food"),
                usd("300"),
                BudgetPeriod::Month,
                now(),
            )?;
            // Setting again replaces, it does not add a second budget.
            budgets::set(
                c,
                a.id,
                l,
                &cat("food"),
                usd("240"),
                BudgetPeriod::Month,
                now(),
            )?;
            assert_eq!(budgets::list(c, a.id, l)?.len(), 1);
            spend(c, a.id, l, "120", "food", "2026-11-10");
            spend(c, a.id, l, "50", "food", "2026-10-31"); // last month
            record(
                c,
                a.id,
                l,
                TransactionKind::Expense,
                Money::parse("500", Currency::EUR).unwrap(),
                "food",
                "2026-11-11",
                "",
            );
            spend(c, a.id, l, "70", "transport", "2026-11-11");
            let s = &budgets::status(c, a.id, l, day("2026-11-15"))?[0];
            assert_eq!(s.spent, usd("120"));
            assert_eq!(s.percent, 50);
            assert_eq!((s.days_elapsed, s.days_total), (15, 30));
            assert_eq!(s.projected, usd("240"));
            assert_eq!(s.remaining(), usd("120"));
            // A weekly budget uses Monday–Sunday.
            budgets::set(
                c,
                a.id,
                l,
                &cat("transport"),
                usd("100"),
                BudgetPeriod::Week,
                now(),
            )?;
            let s = budgets::status(c, a.id, l, day("2026-11-12"))?
                .into_iter()
                .find(|s| s.budget.period == BudgetPeriod::Week)
                .unwrap();
            assert_eq!(
                s.range,
                DateRange::new(day("2026-11-09"), day("2026-11-15"))
            );
            assert_eq!(s.spent, usd("70"));
            assert_eq!(budgets::remove(c, a.id, l, &cat("transport"), None)?, 1);
            assert_eq!(
                budgets::remove(c, a.id, l, &cat("transport"), None)
                    .unwrap_err()
                    .kind(),
                ErrorKind::NotFound
            );
            assert_eq!(
                budgets::set(
                    c,
                    a.id,
                    l,
                    &cat("salary"),
                    usd("1"),
                    BudgetPeriod::Month,
                    now()
                )
                .unwrap_err()
                .kind(),
                ErrorKind::Invalid,
                "budgets are for expense categories"
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn budget_alerts_fire_once_per_threshold_and_period() {
    for t in backends("budget_alerts") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let g = ledgers::open_group(c, Platform::Telegram, "-1", "Flat", Currency::USD, now())?;
            ledgers::join(c, g.id, a.id, "Ann", Some(Role::Owner), now())?;
            budgets::set(
                c,
                a.id,
                g.id,
                &cat("food"),
                usd("100"),
                BudgetPeriod::Month,
                now(),
            )?;
            let cross = |c: &mut tally_core::db::AnyConnection, amount: &str, date: &str| {
                spend(c, a.id, g.id, amount, "food", date);
                budgets::newly_crossed(c, g.id, &cat("food"), day(date), now()).unwrap()
            };
            assert!(cross(c, "50", "2026-11-02").is_empty());
            let at80 = cross(c, "35", "2026-11-03");
            assert_eq!(at80.len(), 1);
            assert_eq!((at80[0].threshold, at80[0].status.percent), (80, 85));
            assert!(cross(c, "5", "2026-11-04").is_empty(), "80% is told once");
            let at100 = cross(c, "20", "2026-11-05");
            assert_eq!(at100[0].threshold, 100);
            assert!(cross(c, "20", "2026-11-06").is_empty(), "100% is told once");
            // A new month starts afresh; jumping past both thresholds tells only the highest.
            let december = cross(c, "150", "2026-12-01");
            assert_eq!(december.len(), 1);
            assert_eq!(december[0].threshold, 100);
            assert!(
                cross(c, "1", "2026-12-02").is_empty(),
                "80% was claimed with it"
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn updates_are_claimed_once_and_settings_initialise_once() {
    for t in backends("claims") {
        with(&t, |c| {
            assert!(updates::claim(c, Platform::Telegram, "1001", now())?);
            assert!(!updates::claim(c, Platform::Telegram, "1001", now())?);
            assert!(
                updates::claim(c, Platform::Discord, "1001", now())?,
                "ids are per platform"
            );
            assert!(updates::seen(c, Platform::Telegram, "1001")?);
            let later = now() + chrono::Duration::days(3);
            assert_eq!(updates::prune(c, later, chrono::Duration::days(2))?, 2);
            let first = settings::get_or_init(c, "k", || "one".into(), now())?;
            let second = settings::get_or_init(c, "k", || "two".into(), now())?;
            assert_eq!((first.as_str(), second.as_str()), ("one", "one"));
            settings::set(c, "k", "three", now())?;
            assert_eq!(settings::get(c, "k")?.as_deref(), Some("three"));
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn summaries_keep_currencies_apart_and_total_by_member_in_groups() {
    for t in backends("summary") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let b = account(c, "Bob");
            let g = ledgers::open_group(c, Platform::Telegram, "-9", "Trip", Currency::EUR, now())?;
            ledgers::join(c, g.id, a.id, "Ann", None, now())?;
            ledgers::join(c, g.id, b.id, "Bob", None, now())?;
            let eur = |s: &str| Money::parse(s, Currency::EUR).unwrap();
            record(
                c,
                a.id,
                g.id,
                TransactionKind::Expense,
                eur("30"),
                "food",
                "2026-11-03",
                "",
            );
            record(
                c,
                b.id,
                g.id,
                TransactionKind::Expense,
                eur("12.50"),
                "food",
                "2026-11-04",
                "",
            );
            record(
                c,
                b.id,
                g.id,
                TransactionKind::Expense,
                eur("100"),
                "travel",
                "2026-11-05",
                "",
            );
            record(
                c,
                a.id,
                g.id,
                TransactionKind::Income,
                eur("200"),
                "refund",
                "2026-11-06",
                "",
            );
            record(
                c,
                a.id,
                g.id,
                TransactionKind::Expense,
                usd("9"),
                "food",
                "2026-11-07",
                "",
            );
            record(
                c,
                a.id,
                g.id,
                TransactionKind::Expense,
                eur("999"),
                "food",
                "2026-10-31",
                "outside",
            );
            let s = analytics::summary(c, a.id, g.id, DateRange::month_of(day("2026-11-01")))?;
            assert!(s.is_group);
            assert_eq!(s.currencies.len(), 2);
            let e = &s.currencies[0];
            assert_eq!(
                e.currency,
                Currency::EUR,
                "the ledger's currency comes first"
            );
            assert_eq!(
                (e.income, e.expenses, e.net),
                (eur("200"), eur("142.50"), eur("57.50"))
            );
            assert_eq!(e.by_category[0].category.as_str(), "travel");
            assert_eq!(e.by_category[1].total, eur("42.50"));
            let bob = e.by_member.iter().find(|m| m.name == "Bob").unwrap();
            assert_eq!(bob.expenses, eur("112.50"));
            let ann = e.by_member.iter().find(|m| m.name == "Ann").unwrap();
            assert_eq!((ann.expenses, ann.income), (eur("30"), eur("200")));
            let u = &s.currencies[1];
            assert_eq!(
                (u.currency, u.expenses, u.net),
                (Currency::USD, usd("9"), usd("-9"))
            );
            let food = analytics::total(
                c,
                b.id,
                g.id,
                DateRange::month_of(day("2026-11-01")),
                TransactionKind::Expense,
                Some(&cat("food")),
            )?;
            assert_eq!(food, vec![eur("42.50"), usd("9")]);
            Ok(())
        })
        .unwrap();
    }
}
