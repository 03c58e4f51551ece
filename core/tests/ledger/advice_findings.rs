#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The offline analyst on generated ledgers whose answers are worked out by hand.

use tally_core::advice::{self, Cadence, Finding, FindingKind};
use tally_core::db::AnyConnection;
use tally_core::domain::{AccountId, LedgerId, TransactionKind};
use tally_core::money::{Currency, Money};
use tally_core::period::BudgetPeriod;
use tally_core::services::budgets;
use tally_testkit::fixtures::*;

fn note(
    c: &mut AnyConnection,
    a: AccountId,
    l: LedgerId,
    amount: &str,
    category: &str,
    date: &str,
    text: &str,
) {
    record(
        c,
        a,
        l,
        TransactionKind::Expense,
        usd(amount),
        category,
        date,
        text,
    );
}

fn earn(c: &mut AnyConnection, a: AccountId, l: LedgerId, amount: &str, date: &str) {
    record(
        c,
        a,
        l,
        TransactionKind::Income,
        usd(amount),
        "salary",
        date,
        "",
    );
}

fn budget(c: &mut AnyConnection, a: AccountId, l: LedgerId, category: &str, limit: Money) {
    budgets::set(c, a, l, &cat(category), limit, BudgetPeriod::Month, now()).expect("budget");
}

fn of_kind(findings: &[Finding], kind: FindingKind) -> Vec<&Finding> {
    findings.iter().filter(|f| f.kind == kind).collect()
}

fn one(findings: &[Finding], kind: FindingKind) -> &Finding {
    let found = of_kind(findings, kind);
    assert_eq!(
        found.len(),
        1,
        "one {kind:?} expected in {:#?}",
        texts(findings)
    );
    found[0]
}

fn texts(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(Finding::plain).collect()
}

#[test]
fn budget_pace_projects_to_the_end_of_the_month() {
    for t in backends("advice_budget_pace") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            budget(c, a.id, l, "food", usd("300"));
            spend(c, a.id, l, "100", "food", "2026-11-03");
            spend(c, a.id, l, "106", "food", "2026-11-10");
            let findings = advice::analyse(c, a.id, l, day("2026-11-15"))?;
            let f = one(&findings, FindingKind::BudgetPace);
            assert_eq!(f.figure, usd("412"));
            assert_eq!(
                f.plain(),
                "At this pace food will reach $412.00 by Nov 30, over its $300.00 monthly budget. \
                 Keep to $6.26 a day for the 15 days left to stay within it."
            );
            assert_eq!(findings[0].kind, FindingKind::BudgetPace, "ranked first");
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn an_exceeded_budget_outranks_everything() {
    for t in backends("advice_budget_exceeded") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            budget(c, a.id, l, "food", usd("300"));
            spend(c, a.id, l, "100", "food", "2026-11-03");
            spend(c, a.id, l, "106", "food", "2026-11-10");
            spend(c, a.id, l, "139", "food", "2026-11-12");
            let findings = advice::analyse(c, a.id, l, day("2026-11-15"))?;
            let f = &findings[0];
            assert_eq!(f.kind, FindingKind::BudgetExceeded);
            assert_eq!(f.figure, usd("45"));
            assert_eq!(
                f.plain(),
                "Food is $45.00 over its $300.00 monthly budget already ($345.00 spent). \
                 Hold off on food until Nov 30, or raise the limit with /budget food AMOUNT."
            );
            assert!(of_kind(&findings, FindingKind::BudgetPace).is_empty());
            Ok(())
        })
        .expect("ok");
    }
}

/// Three earlier months of $1,000 each, then $800 by the 15th of November.
fn pace_ledger(c: &mut AnyConnection) -> (AccountId, LedgerId) {
    let a = account(c, "Ann");
    let l = personal(c, &a);
    for (amounts, month) in [
        (["301", "199", "500"], "08"),
        (["302", "197", "501"], "09"),
        (["303", "195", "502"], "10"),
    ] {
        for (amount, d) in amounts.iter().zip(["05", "12", "20"]) {
            spend(
                c,
                a.id,
                l,
                amount,
                "groceries",
                &format!("2026-{month}-{d}"),
            );
        }
    }
    (a.id, l)
}

#[test]
fn spending_pace_against_the_previous_three_months() {
    for t in backends("advice_spending_pace") {
        with(&t, |c| {
            let (a, l) = pace_ledger(c);
            spend(c, a, l, "150", "groceries", "2026-11-03");
            spend(c, a, l, "650", "food", "2026-11-08");
            let findings = advice::analyse(c, a, l, day("2026-11-15"))?;
            let f = one(&findings, FindingKind::SpendingPace);
            assert_eq!(f.figure, usd("1600"));
            assert_eq!(
                f.plain(),
                "At this pace you'll spend $1,600.00 this month, 60% more than your $1,000.00 \
                 average of the last 3 months. Most of the rise is food (+$1,300.00): slow down there."
            );
            // Early in the month a projection is noise, so nothing is said.
            let early = advice::analyse(c, a, l, day("2026-11-04"))?;
            assert!(of_kind(&early, FindingKind::SpendingPace).is_empty(), "{:?}", texts(&early));
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn spending_below_the_usual_month_suggests_saving_the_difference() {
    for t in backends("advice_spending_low") {
        with(&t, |c| {
            let (a, l) = pace_ledger(c);
            spend(c, a, l, "300", "groceries", "2026-11-03");
            let findings = advice::analyse(c, a, l, day("2026-11-15"))?;
            let f = one(&findings, FindingKind::SpendingPace);
            assert_eq!(
                f.plain(),
                "You're on pace for $600.00 this month, 40% below your $1,000.00 average. \
                 Move the $400.00 difference to savings before it gets spent."
            );
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn categories_that_grew_and_shrank_most() {
    for t in backends("advice_category_change") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            for (food, transport, month) in [
                (["120", "130"], ["90", "110"], "08"),
                (["110", "140"], ["95", "105"], "09"),
                (["200", "220"], ["30", "50"], "10"),
            ] {
                for (i, d) in ["05", "15"].iter().enumerate() {
                    spend(c, a.id, l, food[i], "food", &format!("2026-{month}-{d}"));
                    spend(
                        c,
                        a.id,
                        l,
                        transport[i],
                        "transport",
                        &format!("2026-{month}-{d}"),
                    );
                }
            }
            let findings = advice::analyse(c, a.id, l, day("2026-11-24"))?;
            let changes = texts(
                &of_kind(&findings, FindingKind::CategoryChange)
                    .into_iter()
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            assert_eq!(
                changes,
                vec![
                    "Food rose to $420.00 in October, 68% above its usual $250.00 a month. \
                     A budget would hold it: /budget food 250.00."
                        .to_owned(),
                    "Transport fell to $80.00 in October from its usual $200.00 a month. \
                     Nice: put the $120.00 it freed up aside."
                        .to_owned(),
                ]
            );
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn an_unusual_transaction_for_its_category() {
    for t in backends("advice_unusual") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            for (amount, date) in [
                ("40", "2026-06-10"),
                ("45", "2026-07-02"),
                ("50", "2026-07-20"),
                ("55", "2026-08-14"),
                ("60", "2026-09-09"),
                ("52", "2026-10-03"),
            ] {
                spend(c, a.id, l, amount, "shopping", date);
            }
            note(c, a.id, l, "480", "shopping", "2026-11-12", "new tv");
            let findings = advice::analyse(c, a.id, l, day("2026-11-24"))?;
            let f = one(&findings, FindingKind::Unusual);
            assert_eq!(f.figure, usd("480"));
            assert_eq!(
                f.plain(),
                "Unusual: $480.00 on shopping on Nov 12 (new tv) is 9× your usual $52.00 there. \
                 Check it is right; if it was a one-off, keep it out of next month's plans."
            );
            Ok(())
        })
        .expect("ok");
    }
}

/// Rent without a note on the 1st, Netflix monthly, the gym every Tuesday, and a magazine that
/// stopped in June.
fn recurring_ledger(c: &mut AnyConnection) -> (AccountId, LedgerId) {
    let a = account(c, "Ann");
    let l = personal(c, &a);
    for m in ["07", "08", "09", "10", "11"] {
        note(
            c,
            a.id,
            l,
            "15.99",
            "entertainment",
            &format!("2026-{m}-03"),
            "Netflix",
        );
    }
    for d in [
        "2026-10-06",
        "2026-10-13",
        "2026-10-20",
        "2026-10-27",
        "2026-11-03",
        "2026-11-10",
        "2026-11-17",
        "2026-11-24",
    ] {
        note(c, a.id, l, "10", "health", d, "Gym");
    }
    for m in ["03", "04", "05", "06"] {
        note(
            c,
            a.id,
            l,
            "5",
            "education",
            &format!("2026-{m}-10"),
            "Old magazine",
        );
    }
    for m in ["09", "10", "11"] {
        spend(c, a.id, l, "1200", "housing", &format!("2026-{m}-01"));
    }
    (a.id, l)
}

#[test]
fn recurring_payments_with_their_yearly_cost() {
    for t in backends("advice_recurring") {
        with(&t, |c| {
            let (a, l) = recurring_ledger(c);
            let today = day("2026-11-24");
            let found = advice::recurring_payments(c, a, l, today)?;
            let summary: Vec<_> = found
                .iter()
                .map(|r| (r.label.as_str(), r.cadence, r.amount, r.yearly, r.next_due))
                .collect();
            assert_eq!(
                summary,
                vec![
                    ("Housing", Cadence::Monthly, usd("1200"), usd("14400"), day("2026-12-01")),
                    ("Gym", Cadence::Weekly, usd("10"), usd("520"), day("2026-12-01")),
                    ("Netflix", Cadence::Monthly, usd("15.99"), usd("191.88"), day("2026-12-03")),
                ]
            );
            let findings = advice::analyse(c, a, l, today)?;
            let f = one(&findings, FindingKind::Recurring);
            assert_eq!(f.figure, usd("15111.88"));
            assert_eq!(
                f.plain(),
                "3 recurring payments: Housing $1,200.00 a month, Gym $10.00 a week, Netflix $15.99 a month \
                 — $15,111.88 a year. Cancel any you no longer use; each one stopped saves its yearly cost."
            );
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn recurring_payments_count_once_in_a_projection() {
    for t in backends("advice_recurring_pace") {
        with(&t, |c| {
            let (a, l) = recurring_ledger(c);
            // Rent paid on the 1st projected linearly would be $1,500 by the 30th; it is $1,200.
            budget(c, a, l, "housing", usd("1300"));
            let findings = advice::analyse(c, a, l, day("2026-11-24"))?;
            assert!(
                of_kind(&findings, FindingKind::BudgetPace).is_empty(),
                "{:#?}",
                texts(&findings)
            );
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn a_subscription_still_due_counts_towards_the_projection() {
    for t in backends("advice_recurring_due") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            for m in ["08", "09", "10"] {
                note(c, a.id, l, "50", "entertainment", &format!("2026-{m}-20"), "Cloud games");
            }
            budget(c, a.id, l, "entertainment", usd("60"));
            spend(c, a.id, l, "10", "entertainment", "2026-11-05");
            let findings = advice::analyse(c, a.id, l, day("2026-11-15"))?;
            let f = one(&findings, FindingKind::BudgetPace);
            // $10 over 15 days is $20 by the 30th, plus the $50 due on the 20th.
            assert_eq!(f.figure, usd("70"));
            assert_eq!(
                f.plain(),
                "At this pace entertainment will reach $70.00 by Nov 30, over its $60.00 monthly budget. \
                 The payments still due use up what is left: pause other entertainment spending until Nov 30."
            );
            Ok(())
        })
        .expect("ok");
    }
}

/// Salary on the 1st; May to July spend 78% of it, August to October 87.5%.
fn savings_ledger(c: &mut AnyConnection) -> (AccountId, LedgerId) {
    let a = account(c, "Ann");
    let l = personal(c, &a);
    for (m, spent, word) in [
        ("05", "2340", "may"),
        ("06", "2340", "june"),
        ("07", "2340", "july"),
        ("08", "2625", "august"),
        ("09", "2625", "september"),
        ("10", "2625", "october"),
    ] {
        earn(c, a.id, l, "3000", &format!("2026-{m}-01"));
        note(c, a.id, l, spent, "other", &format!("2026-{m}-15"), word);
    }
    earn(c, a.id, l, "3000", "2026-11-01");
    note(c, a.id, l, "1000", "other", "2026-11-10", "november");
    (a.id, l)
}

#[test]
fn savings_rate_trend_and_the_quarter_and_year() {
    for t in backends("advice_savings") {
        with(&t, |c| {
            let (a, l) = savings_ledger(c);
            let findings = advice::analyse(c, a, l, day("2026-11-24"))?;
            let f = one(&findings, FindingKind::SavingsRate);
            assert_eq!(f.figure, usd("285"));
            assert_eq!(
                f.plain(),
                "Your savings rate fell to 12.5% (Aug–Oct) from 22.0% (May–Jul). \
                 Setting aside $285.00 a month on payday would bring it back."
            );
            let p = one(&findings, FindingKind::PeriodResult);
            assert_eq!(p.figure, usd("5105"));
            assert_eq!(
                p.plain(),
                "So far in Q4 2026 you saved $2,375.00 (39.6% of income); this year you saved \
                 $5,105.00 (24.3% of income). At this rate the year ends about $6,013.10 ahead."
            );
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn a_month_in_the_red_and_a_year_in_the_red() {
    for t in backends("advice_loss") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            earn(c, a.id, l, "2000", "2026-10-01");
            note(c, a.id, l, "1500", "housing", "2026-10-02", "rent");
            note(c, a.id, l, "820", "food", "2026-10-20", "feast");
            let findings = advice::analyse(c, a.id, l, day("2026-11-05"))?;
            let f = one(&findings, FindingKind::Loss);
            assert_eq!(f.figure, usd("320"));
            assert_eq!(
                f.plain(),
                "In October you spent $320.00 more than you earned ($2,000.00 in, $2,320.00 out). \
                 Trimming $320.00 from housing ($1,500.00 that month, your biggest) would break even."
            );
            let p = one(&findings, FindingKind::PeriodResult);
            assert_eq!(p.figure, usd("-320"));
            // The ledger began this quarter: one figure, said once.
            assert!(p.plain().starts_with("So far this year you lost $320.00."), "{}", p.plain());
            assert!(
                p.plain().ends_with("To end the year even, spend about $160.00 a month less for the rest of it."),
                "{}",
                p.plain()
            );
            assert_eq!(findings[0].kind, FindingKind::Loss);
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn currencies_are_analysed_apart() {
    for t in backends("advice_currencies") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let l = personal(c, &a);
            let eur = |s: &str| Money::parse(s, Currency::EUR).expect("amount");
            budget(c, a.id, l, "food", eur("300"));
            for (amount, date) in [("100", "2026-11-03"), ("106", "2026-11-10")] {
                record(
                    c,
                    a.id,
                    l,
                    TransactionKind::Expense,
                    eur(amount),
                    "food",
                    date,
                    "",
                );
            }
            // Dollars in the same category never count towards the euro budget.
            spend(c, a.id, l, "500", "food", "2026-11-04");
            let findings = advice::analyse(c, a.id, l, day("2026-11-15"))?;
            let f = one(&findings, FindingKind::BudgetPace);
            assert_eq!(f.figure, eur("412"));
            assert!(f.plain().contains("€412.00"), "{}", f.plain());
            assert!(findings.iter().all(|f| !f.plain().contains("$912")));
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn only_members_get_advice() {
    for t in backends("advice_access") {
        with(&t, |c| {
            let a = account(c, "Ann");
            let b = account(c, "Bob");
            let l = personal(c, &a);
            spend(c, a.id, l, "10", "food", "2026-11-03");
            let err = advice::analyse(c, b.id, l, day("2026-11-15")).expect_err("not a member");
            assert_eq!(err.kind(), tally_core::ErrorKind::NotFound);
            assert!(advice::advise_text(c, b.id, l, day("2026-11-15")).is_err());
            Ok(())
        })
        .expect("ok");
    }
}

#[test]
fn advice_lists_at_most_five_findings_ranked() {
    for t in backends("advice_text") {
        with(&t, |c| {
            let (a, l) = savings_ledger(c);
            let empty = account(c, "Eve");
            let el = personal(c, &empty);
            let text = advice::advise_text(c, empty.id, el, day("2026-11-24"))?.to_plain();
            assert!(text.starts_with("I need a few more weeks"), "{text}");

            budget(c, a, l, "food", usd("300"));
            spend(c, a, l, "345", "food", "2026-11-12");
            note(c, a, l, "15.99", "entertainment", "2026-09-03", "Netflix");
            note(c, a, l, "15.99", "entertainment", "2026-10-03", "Netflix");
            note(c, a, l, "15.99", "entertainment", "2026-11-03", "Netflix");
            let all = advice::analyse(c, a, l, day("2026-11-24"))?;
            assert!(all.len() >= 4, "{:#?}", texts(&all));
            assert!(all.windows(2).all(|w| w[0].score >= w[1].score));
            let text = advice::advise_text(c, a, l, day("2026-11-24"))?.to_plain();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines[0], "Advice");
            assert!((4..=6).contains(&lines.len()), "{text}");
            assert!(lines[1].starts_with("• Food is $45.00 over"), "{text}");
            Ok(())
        })
        .expect("ok");
    }
}
