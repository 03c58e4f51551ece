//! The month's pace: where budgets and total spending are heading by the end of the period.

use std::collections::HashSet;

use super::finding::{Finding, FindingKind};
use super::history::{Book, div_round, percent_change, share};
use super::recurring::Recurring;
use crate::conversation::{Text, format};
use crate::domain::{CategoryName, TransactionKind};
use crate::error::Error;
use crate::period::DateRange;
use crate::services::budgets::BudgetStatus;

/// How far ahead of (or behind) the usual month spending must run before it is worth saying.
const PACE_MARGIN_PERCENT: i64 = 15;

/// Where spending in a period (one category or all) will end if it keeps its pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Projection {
    pub spent: i64,
    /// Recurring payments still expected before the period ends.
    pub expected: i64,
    pub projected: i64,
    pub days_elapsed: i64,
    pub days_total: i64,
}

impl Projection {
    pub fn days_left(&self) -> i64 {
        self.days_total - self.days_elapsed
    }

    /// Too early in the period to extrapolate (see [`crate::period::enough_to_project`]).
    pub fn too_early(&self) -> bool {
        !crate::period::enough_to_project(self.days_elapsed, self.days_total)
    }
}

/// Extrapolates day-to-day spending linearly, but counts recurring payments once each: rent paid
/// on the 1st is not "the pace" of the month, and a subscription due on the 25th will come.
pub(crate) fn project(
    book: &Book,
    category: Option<&CategoryName>,
    range: DateRange,
    recurring: &[Recurring],
) -> Projection {
    let today = book.today;
    let days_total = range.days();
    let days_elapsed = ((today - range.from).num_days() + 1).clamp(1, days_total);
    let in_scope = |c: &CategoryName| category.is_none_or(|want| want == c);
    let fixed_ids: HashSet<i64> = recurring
        .iter()
        .filter(|r| in_scope(&r.category))
        .flat_map(|r| r.entry_ids.iter().copied())
        .collect();
    let mut spent = 0i64;
    let mut fixed_paid = 0i64;
    for e in book
        .expenses()
        .filter(|e| range.contains(e.date) && e.date <= today && in_scope(&e.category))
    {
        spent = spent.saturating_add(e.minor);
        if fixed_ids.contains(&e.id) {
            fixed_paid = fixed_paid.saturating_add(e.minor);
        }
    }
    let mut expected = 0i64;
    for r in recurring.iter().filter(|r| in_scope(&r.category)) {
        let mut due = r.next_due;
        while due <= range.to {
            if due > today {
                expected = expected.saturating_add(r.amount.stored_minor().unwrap_or(i64::MAX));
            }
            due = r.cadence.next_after(due);
        }
    }
    let variable = spent.saturating_sub(fixed_paid);
    let projected = div_round(variable.saturating_mul(days_total), days_elapsed)
        .saturating_add(fixed_paid)
        .saturating_add(expected);
    Projection {
        spent,
        expected,
        projected,
        days_elapsed,
        days_total,
    }
}

/// Budgets already spent past their limit, or on pace to be.
pub(crate) fn budgets(
    book: &Book,
    statuses: &[BudgetStatus],
    recurring: &[Recurring],
    base: i64,
) -> Result<Vec<Finding>, Error> {
    let mut out = Vec::new();
    for s in statuses
        .iter()
        .filter(|s| s.budget.limit.currency() == book.currency)
    {
        let limit = s.budget.limit.stored_minor().unwrap_or(i64::MAX);
        let name = format::category_words(&s.budget.category).to_lowercase();
        let p = project(book, Some(&s.budget.category), s.range, recurring);
        let end = s.range.to.format("%b %-d").to_string();
        let period = s.budget.period.adjective();
        if p.spent > limit {
            let over = book.money(p.spent - limit)?;
            let text = Text::new()
                .plain(format!("{} is ", format::category_words(&s.budget.category)))
                .bold(format!("{over} over"))
                .plain(format!(
                    " its {} {period} budget already ({} spent). Hold off on {name} until {end}, or raise the limit with /budget {} AMOUNT.",
                    s.budget.limit,
                    book.money(p.spent)?,
                    s.budget.category
                ));
            out.push(Finding::new(
                FindingKind::BudgetExceeded,
                over,
                300,
                share(p.spent - limit, base),
                text,
            ));
        } else if !p.too_early() && p.projected > limit && p.days_left() > 0 {
            let projected = book.money(p.projected)?;
            let room = limit.saturating_sub(p.spent).saturating_sub(p.expected);
            let suggestion = if room > 0 {
                // Rounded down on purpose: keeping to the allowance must stay within the limit.
                format!(
                    "Keep to {} a day for the {} days left to stay within it.",
                    book.money(room / p.days_left())?,
                    p.days_left()
                )
            } else {
                format!(
                    "The payments still due use up what is left: pause other {name} spending until {end}."
                )
            };
            let text = Text::new()
                .plain(format!("At this pace {name} will reach "))
                .bold(projected.to_string())
                .plain(format!(
                    " by {end}, over its {} {period} budget. {suggestion}",
                    s.budget.limit
                ));
            out.push(Finding::new(
                FindingKind::BudgetPace,
                projected,
                200,
                share(p.projected - limit, base),
                text,
            ));
        }
    }
    Ok(out)
}

/// The month's spending against the average of the previous (up to) three months.
pub(crate) fn overall(book: &Book, recurring: &[Recurring]) -> Result<Option<Finding>, Error> {
    let months = book.previous_months(3);
    // One earlier month is an anecdote, not an average.
    if months.len() < 2 {
        return Ok(None);
    }
    let this = DateRange::month_of(book.today);
    let p = project(book, None, this, recurring);
    if p.too_early() {
        return Ok(None);
    }
    let n = months.len() as i64;
    let average = div_round(
        months
            .iter()
            .map(|m| book.total(TransactionKind::Expense, None, *m))
            .fold(0i64, i64::saturating_add),
        n,
    );
    let Some(change) = percent_change(p.projected, average) else {
        return Ok(None);
    };
    let projected = book.money(p.projected)?;
    let avg = book.money(average)?;
    if change >= PACE_MARGIN_PERCENT {
        let mut text = Text::new()
            .plain("At this pace you'll spend ")
            .bold(projected.to_string())
            .plain(format!(
                " this month, {change}% more than your {avg} average of the last {n} months."
            ));
        // Where the rise comes from: the category furthest above its own average.
        let mut rise: Option<(CategoryName, i64)> = None;
        let mut categories: Vec<CategoryName> = book.by_category(this).into_keys().collect();
        categories.sort();
        for c in categories {
            let cp = project(book, Some(&c), this, recurring);
            let ca = div_round(
                months
                    .iter()
                    .map(|m| book.total(TransactionKind::Expense, Some(&c), *m))
                    .fold(0i64, i64::saturating_add),
                n,
            );
            let up = cp.projected.saturating_sub(ca);
            if up > 0 && rise.as_ref().is_none_or(|(_, best)| up > *best) {
                rise = Some((c, up));
            }
        }
        if let Some((c, up)) = rise {
            text = text.plain(format!(
                " Most of the rise is {} (+{}): slow down there.",
                format::category_words(&c).to_lowercase(),
                book.money(up)?
            ));
        }
        return Ok(Some(Finding::new(
            FindingKind::SpendingPace,
            projected,
            150,
            share(p.projected - average, average),
            text,
        )));
    }
    if change <= -PACE_MARGIN_PERCENT && p.days_elapsed >= 10 {
        let saved = book.money(average - p.projected)?;
        let text = Text::new()
            .plain("You're on pace for ")
            .bold(projected.to_string())
            .plain(format!(
                " this month, {}% below your {avg} average. Move the {saved} difference to savings before it gets spent.",
                -change
            ));
        return Ok(Some(Finding::new(
            FindingKind::SpendingPace,
            projected,
            45,
            share(average - p.projected, average) / 2,
            text,
        )));
    }
    Ok(None)
}
