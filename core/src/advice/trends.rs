//! Categories that grew or shrank most: last month against the months before it.

use std::collections::{BTreeSet, HashSet};

use super::finding::{Finding, FindingKind};
use super::history::{Book, div_round, percent_change, share};
use super::recurring::Recurring;
use crate::conversation::{Text, format};
use crate::domain::CategoryName;
use crate::error::Error;

/// A change must be at least this share of the category's usual month (percent)…
const MIN_CHANGE_PERCENT: i64 = 25;
/// …and at least this share of a usual month's whole spending (percent), so a $3 category
/// doubling to $6 is not news.
const MIN_STAKE_PERCENT: i64 = 5;
const MAX_RISES: usize = 2;
const MAX_FALLS: usize = 1;

struct Change {
    category: CategoryName,
    last: i64,
    usual: i64,
}

/// Compares the last complete month with the average of the (up to) three before it. Calendar
/// months keep monthly bills to one per month, so they don't look like swings.
pub(crate) fn changes(
    book: &Book,
    recurring: &[Recurring],
    budgeted: &HashSet<CategoryName>,
    base: i64,
) -> Result<Vec<Finding>, Error> {
    let months = book.previous_months(4);
    // The last month and at least two before it to make "usual".
    let Some((last, before)) = months.split_first() else {
        return Ok(Vec::new());
    };
    if before.len() < 2 {
        return Ok(Vec::new());
    }
    // Known recurring payments have their own finding; leave them out of the swings.
    let fixed: HashSet<i64> = recurring
        .iter()
        .flat_map(|r| r.entry_ids.iter().copied())
        .collect();
    let total = |c: &CategoryName, m: &crate::period::DateRange| -> i64 {
        book.expenses()
            .filter(|e| &e.category == c && m.contains(e.date) && !fixed.contains(&e.id))
            .fold(0i64, |s, e| s.saturating_add(e.minor))
    };
    let mut names: BTreeSet<CategoryName> = BTreeSet::new();
    for m in &months {
        names.extend(book.by_category(*m).into_keys());
    }
    let n = before.len() as i64;
    let mut all: Vec<Change> = names
        .into_iter()
        .map(|c| {
            let usual = div_round(
                before
                    .iter()
                    .map(|m| total(&c, m))
                    .fold(0i64, i64::saturating_add),
                n,
            );
            Change {
                last: total(&c, last),
                usual,
                category: c,
            }
        })
        .collect();
    let floor = div_round(base.saturating_mul(MIN_STAKE_PERCENT), 100);
    let notable = |c: &Change| {
        let delta = c.last.saturating_sub(c.usual).saturating_abs();
        delta >= floor
            && delta > 0
            && (c.usual == 0
                || delta.saturating_mul(100) >= c.usual.saturating_mul(MIN_CHANGE_PERCENT))
    };
    all.retain(notable);
    all.sort_by(|a, b| {
        (b.last - b.usual)
            .abs()
            .cmp(&(a.last - a.usual).abs())
            .then(a.category.cmp(&b.category))
    });
    let month = last.from.format("%B").to_string();
    let mut out = Vec::new();
    for c in all.iter().filter(|c| c.last > c.usual).take(MAX_RISES) {
        let name = format::category_words(&c.category);
        let last_m = book.money(c.last)?;
        let usual_m = book.money(c.usual)?;
        let mut text = Text::new()
            .plain(format!("{name} rose to "))
            .bold(last_m.to_string());
        text = match percent_change(c.last, c.usual) {
            Some(p) => text.plain(format!(
                " in {month}, {p}% above its usual {usual_m} a month."
            )),
            None => text.plain(format!(" in {month}, where it usually costs nothing.")),
        };
        text = if budgeted.contains(&c.category) {
            text.plain(" Its budget didn't hold it: look at what changed there.")
        } else if c.usual > 0 {
            text.plain(format!(
                " A budget would hold it: /budget {} {}.",
                c.category,
                usual_m.amount_string()
            ))
        } else {
            text.plain(" If it will continue, plan for it.")
        };
        out.push(Finding::new(
            FindingKind::CategoryChange,
            last_m,
            100,
            share(c.last - c.usual, base),
            text,
        ));
    }
    for c in all.iter().filter(|c| c.last < c.usual).take(MAX_FALLS) {
        let name = format::category_words(&c.category);
        let last_m = book.money(c.last)?;
        let saved = book.money(c.usual - c.last)?;
        let text = Text::new()
            .plain(format!("{name} fell to "))
            .bold(last_m.to_string())
            .plain(format!(
                " in {month} from its usual {} a month. Nice: put the {saved} it freed up aside.",
                book.money(c.usual)?
            ));
        out.push(Finding::new(
            FindingKind::CategoryChange,
            last_m,
            40,
            share(c.usual - c.last, base) / 2,
            text,
        ));
    }
    Ok(out)
}
