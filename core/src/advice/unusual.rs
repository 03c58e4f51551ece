//! Transactions far above what their category usually sees.

use std::collections::HashSet;

use super::finding::{Finding, FindingKind};
use super::history::{Book, div_round, share};
use super::recurring::Recurring;
use crate::conversation::{Text, format};
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

/// The category's median is the yardstick: one earlier splurge does not move it, as it would an
/// average.
pub(crate) fn find(book: &Book, recurring: &[Recurring], base: i64) -> Result<Vec<Finding>, Error> {
    let fixed: HashSet<i64> = recurring
        .iter()
        .flat_map(|r| r.entry_ids.iter().copied())
        .collect();
    let recent = DateRange::last_days(book.today, RECENT_DAYS);
    let floor = div_round(base.saturating_mul(MIN_STAKE_PERCENT), 100);
    let mut hits = Vec::new();
    for e in book
        .expenses()
        .filter(|e| recent.contains(e.date) && !fixed.contains(&e.id))
    {
        let mut others: Vec<i64> = book
            .expenses()
            .filter(|o| o.category == e.category && o.id != e.id)
            .map(|o| o.minor)
            .collect();
        if others.len() < MIN_HISTORY {
            continue;
        }
        others.sort_unstable();
        let median = others[others.len() / 2];
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
