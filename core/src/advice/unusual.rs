//! Transactions far above what their category usually sees.

use std::collections::{HashMap, HashSet};

use super::finding::{Finding, FindingKind};
use super::history::{Book, div_round, share};
use super::recurring::Recurring;
use crate::conversation::{Text, format};
use crate::domain::CategoryName;
use crate::error::Error;
use crate::period::DateRange;

/// How recent a transaction must be to be news.
const RECENT_DAYS: u32 = 30;
/// Other transactions the category needs before "usual" means something.
const MIN_HISTORY: usize = 5;
/// At least this many times the category's median…
const MIN_RATIO: i64 = 3;
/// …and above it by at least this share of a usual month (percent).
const MIN_STAKE_PERCENT: i64 = 5;
const MAX_REPORTED: usize = 2;

/// The (upper) median of `sorted` with one `value` taken out, or `None` when fewer than
/// [`MIN_HISTORY`] would remain.
fn median_without(sorted: &[i64], value: i64) -> Option<i64> {
    let n = sorted.len().checked_sub(1)?;
    if n < MIN_HISTORY {
        return None;
    }
    let removed = sorted.partition_point(|x| *x < value);
    let mid = n / 2;
    // The others are `sorted` without index `removed`: past it, indices shift by one.
    let at = if mid < removed { mid } else { mid + 1 };
    sorted.get(at).copied()
}

/// The category's median is the yardstick: one earlier splurge does not move it, as it would an
/// average.
pub(crate) fn find(book: &Book, recurring: &[Recurring], base: i64) -> Result<Vec<Finding>, Error> {
    let fixed: HashSet<i64> = recurring
        .iter()
        .flat_map(|r| r.entry_ids.iter().copied())
        .collect();
    let recent = DateRange::last_days(book.today, RECENT_DAYS);
    let floor = div_round(base.saturating_mul(MIN_STAKE_PERCENT), 100);
    // Each category's amounts, sorted once: the median of "the others" is then a lookup.
    let mut by_category: HashMap<&CategoryName, Vec<i64>> = HashMap::new();
    for e in book.expenses() {
        by_category.entry(&e.category).or_default().push(e.minor);
    }
    for amounts in by_category.values_mut() {
        amounts.sort_unstable();
    }
    let mut hits = Vec::new();
    for e in book
        .expenses()
        .filter(|e| recent.contains(e.date) && !fixed.contains(&e.id))
    {
        let Some(all) = by_category.get(&e.category) else {
            continue;
        };
        let Some(median) = median_without(all, e.minor) else {
            continue;
        };
        if median <= 0 {
            continue;
        }
        let excess = e.minor.saturating_sub(median);
        if e.minor >= median.saturating_mul(MIN_RATIO) && excess >= floor {
            hits.push((e, median, excess));
        }
    }
    hits.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.id.cmp(&b.0.id)));
    let mut out = Vec::new();
    for (e, median, excess) in hits.into_iter().take(MAX_REPORTED) {
        let amount = book.money(e.minor)?;
        let mut text = Text::new()
            .plain("Unusual: ")
            .bold(amount.to_string())
            .plain(format!(
                " on {} {}",
                format::category_words(&e.category).to_lowercase(),
                format::relative_date(e.date, book.today)
            ));
        let note: String = e.note.trim().chars().take(40).collect();
        if !note.is_empty() {
            text = text.plain(" (").italic(note).plain(")");
        }
        text = text.plain(format!(
            " is {}× your usual {} there. Check it is right; if it was a one-off, keep it out of next month's plans.",
            e.minor / median,
            book.money(median)?
        ));
        out.push(Finding::new(
            FindingKind::Unusual,
            amount,
            120,
            share(excess, base),
            text,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_the_others() {
        let sorted = [40, 45, 50, 52, 55, 60, 480];
        // Without 480: [40, 45, 50, 52, 55, 60] → upper median 52.
        assert_eq!(median_without(&sorted, 480), Some(52));
        // Without 40: [45, 50, 52, 55, 60, 480] → 55.
        assert_eq!(median_without(&sorted, 40), Some(55));
        assert_eq!(median_without(&[1, 2, 3, 4, 5], 5), None);
    }
}
