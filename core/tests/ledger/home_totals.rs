#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue 14: totals in the home currency, each entry at the ECB rates of its own date, rounded
//! once per entry half to even; per-currency figures when a rate is missing; budgets across
//! currencies; the chat's answers.

use tally_core::domain::Role;
use tally_core::domain::TransactionKind;
use tally_core::money::{Currency, Money};
use tally_core::period::{BudgetPeriod, DateRange, Granularity};
use tally_core::rates::parse_ecb_xml;
use tally_core::services::home_totals::{InHome, RatesUsed};
use tally_core::services::{analytics, budgets, rates};
use tally_testkit::fixtures::*;

use crate::conversation::Chatter;

/// Friday the 20th, Monday the 23rd, Tuesday the 24th: nothing on the weekend between.
pub(crate) const RATES: &str = "<Cube>\
    <Cube time='2026-11-24'><Cube currency='USD' rate='1.0565'/><Cube currency='JPY' rate='161.48'/><Cube currency='GBP' rate='0.83255'/></Cube>\
    <Cube time='2026-11-23'><Cube currency='USD' rate='1.0500'/><Cube currency='JPY' rate='160'/></Cube>\
    <Cube time='2026-11-20'><Cube currency='USD' rate='1.0400'/><Cube currency='JPY' rate='159'/></Cube>\
    </Cube>";

fn eur(s: &str) -> Money {
    Money::parse(s, Currency::EUR).unwrap()
}

fn money(s: &str, c: Currency) -> Money {
    Money::parse(s, c).unwrap()
}

fn november() -> DateRange {
    DateRange::new(day("2026-11-01"), day("2026-11-30"))
}

#[test]
fn a_month_of_mixed_currencies_in_dollars_equals_the_recomputation() {
    for t in backends("home_totals_month") {
        with(&t, |c| {
            rates::store(c, &parse_ecb_xml(RATES).unwrap(), "test", now())?;
            let a = account(c, "ann");
            let l = personal(c, &a);
            let e = TransactionKind::Expense;
            record(c, a.id, l, e, usd("100"), "food", "2026-11-02", "");
            // Saturday: Friday's rate, 30 × 1.04 = 31.20.
            record(c, a.id, l, e, eur("30"), "food", "2026-11-21", "");
            // 10.01 × 1.0565 = 10.575565 → 10.58.
            record(c, a.id, l, e, eur("10.01"), "travel", "2026-11-24", "");
            // ¥1000 ÷ 160 × 1.05 = 6.5625 → 6.56 (nearest cent).
            let yen = money("1000", Currency::JPY);
            record(c, a.id, l, e, yen, "food", "2026-11-23", "");
            // €1000 × 1.05 = 1050.00.
            let i = TransactionKind::Income;
            record(c, a.id, l, i, eur("1000"), "salary", "2026-11-23", "");
            let s = analytics::summary(c, a.id, l, november())?;
            assert_eq!(s.currencies.len(), 3, "the per-currency figures stay");
            assert_eq!(s.currencies[0].currency, Currency::USD, "home first");
            let Some(InHome::Total(h)) = s.home else {
                panic!("one total: {:?}", s.home)
            };
            assert_eq!(h.expenses, usd("148.34"), "100 + 31.20 + 10.58 + 6.56");
            assert_eq!(h.income, usd("1050"));
            assert_eq!(h.net, usd("901.66"));
            assert_eq!(h.rates, RatesUsed::EachEntrysDate);
            // The question "how much on food" converts only food.
            let amounts = analytics::total(c, a.id, l, november(), e, Some(&cat("food")))?;
            let food =
                analytics::total_in_home(c, a.id, l, november(), e, Some(&cat("food")), &amounts)?;
            let Some(InHome::Total(f)) = food else {
                panic!("{food:?}")
            };
            assert_eq!(f.expenses, usd("137.76"), "100 + 31.20 + 6.56");
            // The same month asked in euros: the $100 of the 2nd has no publication on or
            // before its date (the first is the 20th), so no later rate stands in for it.
            let in_eur = analytics::summary_in(c, a.id, l, november(), Some(Currency::EUR))?;
            assert_eq!(
                in_eur.home,
                Some(InHome::NoRates {
                    missing: vec![Currency::USD]
                })
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn one_days_rates_are_named_and_old_entries_keep_their_own_rate() {
    for t in backends("home_totals_one_day") {
        with(&t, |c| {
            rates::store(c, &parse_ecb_xml(RATES).unwrap(), "test", now())?;
            let a = account(c, "ann");
            let l = personal(c, &a);
            let e = TransactionKind::Expense;
            // Saturday and Sunday both use Friday the 20th's publication.
            record(c, a.id, l, e, eur("10"), "food", "2026-11-21", "");
            record(c, a.id, l, e, eur("10"), "food", "2026-11-22", "");
            let weekend = DateRange::new(day("2026-11-21"), day("2026-11-22"));
            let s = analytics::summary(c, a.id, l, weekend)?;
            let Some(InHome::Total(h)) = s.home else {
                panic!()
            };
            assert_eq!(
                h.expenses,
                usd("20.80"),
                "at the 20th's 1.04, not today's 1.0565"
            );
            assert_eq!(h.rates, RatesUsed::Day(day("2026-11-20")));
            assert_eq!(h.rates.note(), "at ECB rates of 20 Nov 2026");
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn without_a_rate_the_figures_stay_per_currency_and_say_why() {
    for t in backends("home_totals_missing") {
        with(&t, |c| {
            rates::store(c, &parse_ecb_xml(RATES).unwrap(), "test", now())?;
            let a = account(c, "ann");
            let l = personal(c, &a);
            let e = TransactionKind::Expense;
            record(c, a.id, l, e, usd("5"), "food", "2026-11-23", "");
            record(
                c,
                a.id,
                l,
                e,
                money("52.28", Currency::CHF),
                "food",
                "2026-11-23",
                "",
            );
            let s = analytics::summary(c, a.id, l, november())?;
            assert_eq!(s.currencies.len(), 2);
            assert_eq!(
                s.home,
                Some(InHome::NoRates {
                    missing: vec![Currency::CHF]
                })
            );
            // Savings say the same per period, and nothing fails.
            let periods = analytics::savings(c, a.id, l, Granularity::Month, november())?;
            assert_eq!(
                periods[0].home,
                Some(InHome::NoRates {
                    missing: vec![Currency::CHF]
                })
            );
            Ok(())
        })
        .unwrap();
    }
    // No rates stored at all: the same, per currency.
    for t in backends("home_totals_no_rates") {
        with(&t, |c| {
            let a = account(c, "ann");
            let l = personal(c, &a);
            record(
                c,
                a.id,
                l,
                TransactionKind::Expense,
                eur("3"),
                "food",
                "2026-11-23",
                "",
            );
            let s = analytics::summary(c, a.id, l, november())?;
            assert_eq!(
                s.home,
                Some(InHome::NoRates {
                    missing: vec![Currency::EUR]
                })
            );
            assert_eq!(s.currencies[0].expenses, eur("3"));
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_budget_in_dollars_counts_a_euro_expense_converted() {
    for t in backends("home_totals_budget") {
        with(&t, |c| {
            rates::store(c, &parse_ecb_xml(RATES).unwrap(), "test", now())?;
            let a = account(c, "ann");
            let l = personal(c, &a);
            budgets::set(
                c,
                a.id,
                l,
                &cat("food"),
                usd("50"),
                BudgetPeriod::Month,
                now(),
            )?;
            let e = TransactionKind::Expense;
            record(c, a.id, l, e, usd("10"), "food", "2026-11-02", "");
            record(c, a.id, l, e, eur("30"), "food", "2026-11-21", "");
            // Another category's euros do not count.
            record(c, a.id, l, e, eur("99"), "travel", "2026-11-21", "");
            let s = budgets::status(c, a.id, l, day("2026-11-24"))?;
            assert_eq!(s[0].spent, usd("41.20"), "10 + 30 × 1.04");
            assert_eq!(s[0].percent, 82);
            assert_eq!(s[0].converted, Some(RatesUsed::Day(day("2026-11-20"))));
            assert!(s[0].uncounted.is_empty());
            // Francs without a rate are named, not guessed.
            record(
                c,
                a.id,
                l,
                e,
                money("5", Currency::CHF),
                "food",
                "2026-11-23",
                "",
            );
            let s = budgets::status(c, a.id, l, day("2026-11-24"))?;
            assert_eq!(s[0].spent, usd("41.20"));
            assert_eq!(s[0].uncounted, vec![Currency::CHF]);
            Ok(())
        })
        .unwrap();
    }
}

#[tokio::test]
async fn the_chat_answers_with_one_figure_and_the_rates_it_used() {
    for t in backends("home_totals_chat") {
        with(&t, |c| {
            rates::store(c, &parse_ecb_xml(RATES).unwrap(), "test", now())?;
            Ok(())
        })
        .unwrap();
        let mut chat = Chatter::new(&t);
        chat.say("ann", "/spent 100 food groceries").await.unwrap();
        chat.say("ann", "spent 30 EUR on dinner on Saturday")
            .await
            .unwrap();
        let reply = chat.say("ann", "/summary").await.unwrap().plain();
        assert!(reply.contains("All in USD"), "{reply}");
        assert!(reply.contains("Expenses: ≈ $131.20"), "{reply}");
        assert!(reply.contains("at ECB rates of 20 Nov 2026"), "{reply}");
        assert!(reply.contains("€30.00"), "the euro figures stay: {reply}");
        let reply = chat
            .say("ann", "how much did I spend this month?")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("≈ $131.20"), "{reply}");
        assert!(reply.contains("$100.00 + €30.00"), "{reply}");
    }
}

#[tokio::test]
async fn a_card_charge_is_kept_and_counts_instead_of_the_reference_rate() {
    for t in backends("home_totals_card") {
        with(&t, |c| {
            rates::store(c, &parse_ecb_xml(RATES).unwrap(), "test", now())?;
            Ok(())
        })
        .unwrap();
        let mut chat = Chatter::new(&t);
        chat.say("ann", "/spent 10 food").await.unwrap();
        // Francs have no ECB rate here at all: the card's dollars are the figure.
        let reply = chat
            .say("ann", "paid 52.28 CHF for dinner, card charged 55.41 USD")
            .await
            .unwrap()
            .plain();
        assert!(
            reply.contains("CHF 52.28") || reply.contains("52.28"),
            "{reply}"
        );
        assert!(reply.contains("Card charged $55.41"), "{reply}");
        let reply = chat.say("ann", "/summary").await.unwrap().plain();
        assert!(reply.contains("Expenses: ≈ $65.41"), "{reply}");
        assert!(reply.contains("at your card charges"), "{reply}");
        // Charged in euros on Saturday: the euros convert at Friday's rate, not the francs.
        chat.say("ann", "hotel 100 CHF on saturday, my card charged €90")
            .await
            .unwrap();
        let reply = chat.say("ann", "/summary").await.unwrap().plain();
        assert!(
            reply.contains("Expenses: ≈ $159.01"),
            "10 + 55.41 + 90 × 1.04: {reply}"
        );
        // The entry itself keeps its own amount and currency.
        let stored = with(&t, |c| {
            let a = tally_core::services::accounts::find_identity(
                c,
                tally_core::domain::Platform::Telegram,
                "ann",
            )?
            .unwrap();
            let l = tally_core::services::ledgers::personal(c, a.account)?.id;
            analytics::summary(c, a.account, l, november())
        })
        .unwrap();
        let chf = stored
            .currencies
            .iter()
            .find(|s| s.currency == Currency::CHF)
            .unwrap();
        assert_eq!(chf.expenses, money("152.28", Currency::CHF));
        // Words that only mention a charge are not a card charge.
        let reply = chat
            .say("ann", "they charged me 20 for parking")
            .await
            .unwrap()
            .plain();
        assert!(!reply.contains("Card charged"), "{reply}");
    }
}

#[tokio::test]
async fn conversion_questions_answer_from_the_stored_rates_with_their_date() {
    for t in backends("home_totals_convert") {
        let mut chat = Chatter::new(&t);
        let reply = chat
            .say("ann", "/convert 100 EUR USD")
            .await
            .unwrap()
            .plain();
        assert!(
            reply.contains("no recent exchange rates for USD"),
            "{reply}"
        );
        with(&t, |c| {
            rates::store(c, &parse_ecb_xml(RATES).unwrap(), "test", now())?;
            Ok(())
        })
        .unwrap();
        let reply = chat
            .say("ann", "/convert 100 EUR USD")
            .await
            .unwrap()
            .plain();
        assert_eq!(reply, "€100.00 ≈ $105.65 at ECB rates of 24 Nov 2026.");
        // 50 × 1.0565 ÷ 0.83255 = 63.4496… → $63.45.
        let reply = chat
            .say("ann", "how much is 50 quid in dollars?")
            .await
            .unwrap()
            .plain();
        assert_eq!(reply, "£50.00 ≈ $63.45 at ECB rates of 24 Nov 2026.");
        let reply = chat.say("ann", "/convert lots").await.unwrap().plain();
        assert!(reply.contains("/convert 100 EUR USD"), "{reply}");
    }
}

#[tokio::test]
async fn a_group_admin_chooses_converted_balances() {
    for t in backends("home_totals_group_setting") {
        let mut chat = Chatter::new(&t);
        chat.say_in("-100", "ann", Some(Role::Admin), "/spent 5 snacks")
            .await
            .unwrap();
        let reply = chat
            .say_in("-100", "ann", Some(Role::Admin), "/settings currency")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("stay per currency"), "the default: {reply}");
        let reply = chat
            .say_in(
                "-100",
                "bob",
                Some(Role::Member),
                "/settings currency convert",
            )
            .await
            .unwrap()
            .plain();
        assert!(!reply.contains("are converted"), "members may not: {reply}");
        let reply = chat
            .say_in(
                "-100",
                "ann",
                Some(Role::Admin),
                "/settings currency convert",
            )
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("converted to USD"), "{reply}");
        let reply = chat
            .say_in("-100", "bob", Some(Role::Member), "/settings currency")
            .await
            .unwrap()
            .plain();
        assert!(reply.contains("converted to USD"), "stored: {reply}");
    }
}
