//! How figures read in replies: relative dates, category words, summaries and budget bars.

use chrono::{Datelike, NaiveDate};

use super::message::Text;
use crate::domain::{CategoryName, TransactionKind};
use crate::models::transaction::Transaction;
use crate::money::Money;
use crate::services::analytics::{SavingsPeriod, Summary};
use crate::services::budgets::BudgetStatus;
use crate::services::home_totals::InHome;

/// `today`, `yesterday`, `on Monday` (within the week), `Nov 3`, or `Nov 3, 2025`.
pub fn relative_date(date: NaiveDate, today: NaiveDate) -> String {
    let days = (today - date).num_days();
    match days {
        0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        -1 => "tomorrow".to_owned(),
        2..=6 => format!("on {}", date.format("%A")),
        _ if date.year() == today.year() => format!("on {}", date.format("%b %-d")),
        _ => format!("on {}", date.format("%b %-d, %Y")),
    }
}

pub fn category_words(name: &CategoryName) -> String {
    name.label()
}

/// `$12.00 · Food · today — lunch` (the note only when there is one).
pub fn transaction_line(tx: &Transaction, today: NaiveDate) -> Text {
    let sign = match tx.kind {
        TransactionKind::Income => "+",
        TransactionKind::Expense => "",
    };
    let mut t = Text::new()
        .bold(format!("{sign}{}", tx.money))
        .plain(format!(
            " · {} · {}",
            category_words(&tx.category),
            relative_date(tx.date, today)
        ));
    if !tx.note.is_empty() {
        t = t.plain(" — ").italic(tx.note.clone());
    }
    t
}

/// A ten-cell bar for a budget's fill, capped at full.
pub fn bar(percent: i64) -> String {
    let filled = (percent.clamp(0, 100) / 10) as usize;
    format!("{}{}", "▓".repeat(filled), "░".repeat(10 - filled))
}

pub fn budget_line(s: &BudgetStatus) -> Text {
    // Never green while the pace ends over the limit.
    let marker = if s.percent >= 100 {
        "🔴"
    } else if s.percent >= 80 || s.projected_over() {
        "🟠"
    } else {
        "🟢"
    };
    let mut t = Text::new()
        .plain(format!("{marker} "))
        .bold(category_words(&s.budget.category))
        .plain(format!(
            " ({}): {} of {} · {}% {}",
            s.budget.period.adjective(),
            s.spent,
            s.budget.limit,
            s.percent,
            bar(s.percent)
        ));
    if s.projected_over() {
        t = t.plain(format!(" · on pace for {}", s.projected));
    }
    if let Some(rates) = &s.converted {
        t = t.plain(format!(" · other currencies {}", rates.note()));
    }
    if !s.uncounted.is_empty() {
        let codes: Vec<&str> = s.uncounted.iter().map(|c| c.code()).collect();
        t = t.plain(format!(
            " · {} not counted (no exchange rate yet)",
            codes.join(", ")
        ));
    }
    t
}

/// The summary of a period: per currency, income, expenses, net, the categories, the members.
pub fn summary(s: &Summary) -> Text {
    let mut t = Text::new().bold(format!("Summary for {}", s.range.label()));
    if s.is_empty() {
        return t.line().plain("Nothing recorded in this period yet.");
    }
    if let Some(home) = &s.home {
        t = t.append(home_lines(home));
    }
    for c in &s.currencies {
        t = t.line();
        if s.currencies.len() > 1 {
            t = t.line().bold(c.currency.code().to_owned());
        }
        t = t
            .line()
            .plain("Income: ")
            .bold(c.income.to_string())
            .line()
            .plain("Expenses: ")
            .bold(c.expenses.to_string())
            .line()
            .plain(if c.net.is_negative() {
                "Net (loss): "
            } else {
                "Net (saved): "
            })
            .bold(c.net.to_string());
        let expenses: Vec<_> = c
            .by_category
            .iter()
            .filter(|x| x.kind == TransactionKind::Expense)
            .collect();
        if !expenses.is_empty() {
            t = t.line().line().italic("By category");
            for x in expenses {
                let share = x.total.percent_of(c.expenses).unwrap_or(0);
                t = t.line().plain(format!(
                    "• {}: {} ({share}%)",
                    category_words(&x.category),
                    x.total
                ));
            }
        }
        let income: Vec<_> = c
            .by_category
            .iter()
            .filter(|x| x.kind == TransactionKind::Income)
            .collect();
        if !income.is_empty() {
            t = t.line().line().italic("Income by category");
            for x in income {
                t = t
                    .line()
                    .plain(format!("• {}: {}", category_words(&x.category), x.total));
            }
        }
        if !c.by_member.is_empty() {
            t = if c.shared_expenses.is_zero() {
                t.line().line().italic("By member")
            } else {
                t.line().line().italic(format!(
                    "By member (of which {} shared: each member counts their share)",
                    c.shared_expenses
                ))
            };
            for m in &c.by_member {
                let mut line = format!("• {}: spent {}", m.name, m.expenses);
                if !m.income.is_zero() {
                    line.push_str(&format!(", earned {}", m.income));
                }
                t = t.line().plain(line);
            }
        }
    }
    t
}

/// The one-currency block of a summary in several currencies, or why there is none.
fn home_lines(home: &InHome) -> Text {
    match home {
        InHome::Total(h) => {
            let code = h.income.currency().code();
            Text::new()
                .line()
                .line()
                .bold(format!("All in {code}"))
                .plain(format!(" ({})", h.rates.note()))
                .line()
                .plain("Income: ")
                .bold(format!("≈ {}", h.income))
                .line()
                .plain("Expenses: ")
                .bold(format!("≈ {}", h.expenses))
                .line()
                .plain(if h.net.is_negative() {
                    "Net (loss): "
                } else {
                    "Net (saved): "
                })
                .bold(format!("≈ {}", h.net))
        }
        InHome::NoRates { missing } => Text::new()
            .line()
            .line()
            .italic(InHome::no_rates_note(missing)),
    }
}

pub fn savings(periods: &[SavingsPeriod]) -> Text {
    let mut t = Text::new().bold("Savings");
    let mut any = false;
    for p in periods {
        for f in &p.figures {
            any = true;
            let verb = if f.net.is_negative() { "lost" } else { "saved" };
            let rate = f
                .rate
                .map(|r| format!(" ({r} of income)"))
                .unwrap_or_default();
            t = t.line().plain(format!(
                "• {}: in {}, out {}, {verb} {}{rate}",
                p.label,
                f.income,
                f.expenses,
                f.net.abs()
            ));
        }
        match &p.home {
            Some(InHome::Total(h)) => {
                let verb = if h.net.is_negative() { "lost" } else { "saved" };
                let rate = crate::services::analytics::SavingsRate::of(h.net, h.income)
                    .map(|r| format!(" ({r} of income)"))
                    .unwrap_or_default();
                t = t.line().plain(format!(
                    "  all in {}: in ≈ {}, out ≈ {}, {verb} ≈ {}{rate}, {}",
                    h.income.currency().code(),
                    h.income,
                    h.expenses,
                    h.net.abs(),
                    h.rates.note()
                ));
            }
            Some(InHome::NoRates { missing }) => {
                t = t
                    .line()
                    .plain(format!("  {}", InHome::no_rates_note(missing)));
            }
            None => {}
        }
    }
    if !any {
        t = t.line().plain("Nothing recorded in this period yet.");
    }
    t
}

/// `$12.00` or `$12.00 + €3.00` for totals in several currencies; `$0.00` for none.
pub fn totals(amounts: &[Money], fallback: crate::money::Currency) -> String {
    if amounts.is_empty() {
        return Money::zero(fallback).to_string();
    }
    amounts
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn dates_read_relative() {
        let today = d("2026-11-24");
        assert_eq!(relative_date(today, today), "today");
        assert_eq!(relative_date(d("2026-11-23"), today), "yesterday");
        assert_eq!(relative_date(d("2026-11-20"), today), "on Friday");
        assert_eq!(relative_date(d("2026-11-03"), today), "on Nov 3");
        assert_eq!(relative_date(d("2025-12-05"), today), "on Dec 5, 2025");
    }

    #[test]
    fn bars_are_capped() {
        assert_eq!(bar(0), "░░░░░░░░░░");
        assert_eq!(bar(85), "▓▓▓▓▓▓▓▓░░");
        assert_eq!(bar(250), "▓▓▓▓▓▓▓▓▓▓");
    }
}
