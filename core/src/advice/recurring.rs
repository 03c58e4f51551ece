//! Recurring payments and subscriptions: the same payee or note coming back at a steady interval.

use std::collections::BTreeMap;

use chrono::{Days, Months, NaiveDate};

use super::finding::{Finding, FindingKind};
use super::history::{Book, Entry, share};
use crate::conversation::Text;
use crate::domain::CategoryName;
use crate::error::Error;
use crate::money::Money;

/// How many occurrences make a pattern (two intervals that agree).
const MIN_OCCURRENCES: usize = 3;
/// How far an amount may stray from the series' median and still be the same payment (percent);
/// prices change, and a subscription that went up by a fifth is still that subscription.
const AMOUNT_TOLERANCE_PERCENT: i64 = 25;
/// Series listed by name in the finding; the rest are counted.
const LISTED: usize = 4;

/// How often a payment comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cadence {
    Weekly,
    Monthly,
}

impl Cadence {
    /// The gaps in days that count as this cadence: months are 28 to 31 days, and people pay a
    /// few days early or late.
    fn fits(&self, gap: i64) -> bool {
        match self {
            Cadence::Weekly => (6..=8).contains(&gap),
            Cadence::Monthly => (26..=35).contains(&gap),
        }
    }

    fn per_year(&self) -> i64 {
        match self {
            Cadence::Weekly => 52,
            Cadence::Monthly => 12,
        }
    }

    /// Past this many days since the last payment, the series has stopped.
    fn stale_after(&self) -> i64 {
        match self {
            Cadence::Weekly => 13,
            Cadence::Monthly => 40,
        }
    }

    pub fn next_after(&self, d: NaiveDate) -> NaiveDate {
        match self {
            Cadence::Weekly => d + Days::new(7),
            Cadence::Monthly => d + Months::new(1),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Cadence::Weekly => "week",
            Cadence::Monthly => "month",
        }
    }
}

/// One payment that keeps coming back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurring {
    /// The note as the user wrote it, or the category's name when the entries have no note.
    pub label: String,
    pub category: CategoryName,
    pub cadence: Cadence,
    /// The latest amount: what the next payment will likely be.
    pub amount: Money,
    pub last: NaiveDate,
    pub next_due: NaiveDate,
    pub occurrences: usize,
    /// The latest amount for a whole year of this cadence.
    pub yearly: Money,
    /// The transactions that make up the series.
    pub(crate) entry_ids: Vec<i64>,
}

/// The key that makes two payments "the same": the note with digits and punctuation removed
/// (`Netflix 11/2026` and `netflix` match), or, with no note, the category and exact amount.
fn key(e: &Entry) -> String {
    let words: Vec<String> = e
        .note
        .to_lowercase()
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        format!("#{}:{}", e.category, e.minor)
    } else {
        words.join(" ")
    }
}

fn median(values: &mut [i64]) -> i64 {
    values.sort_unstable();
    match values.len() {
        0 => 0,
        n if n % 2 == 1 => values[n / 2],
        n => super::history::div_round(values[n / 2 - 1].saturating_add(values[n / 2]), 2),
    }
}

/// Every active recurring payment in this currency, largest yearly cost first.
pub(crate) fn detect(book: &Book) -> Result<Vec<Recurring>, Error> {
    let mut groups: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in book.expenses() {
        groups.entry(key(e)).or_default().push(e);
    }
    let mut out = Vec::new();
    for entries in groups.values() {
        // One payment per day: a second on the same day is a different purchase, not the rhythm.
        let mut series: Vec<&Entry> = Vec::new();
        for e in entries {
            if series.last().is_none_or(|last| last.date != e.date) {
                series.push(e);
            }
        }
        for cadence in [Cadence::Monthly, Cadence::Weekly] {
            if let Some(r) = series_of(book, &series, cadence)? {
                out.push(r);
                break;
            }
        }
    }
    out.sort_by(|a, b| {
        b.yearly
            .minor()
            .cmp(&a.yearly.minor())
            .then(a.label.cmp(&b.label))
    });
    Ok(out)
}

/// The latest unbroken run of `cadence` in a series, if it is long, steady and still going.
fn series_of(book: &Book, series: &[&Entry], cadence: Cadence) -> Result<Option<Recurring>, Error> {
    let Some(last) = series.last() else {
        return Ok(None);
    };
    if (book.today - last.date).num_days() > cadence.stale_after() {
        return Ok(None);
    }
    // Walk back from the newest while the gaps keep the rhythm: an older pause or a different
    // rhythm before does not hide the current subscription.
    let mut start = series.len() - 1;
    while start > 0 && cadence.fits((series[start].date - series[start - 1].date).num_days()) {
        start -= 1;
    }
    let run = &series[start..];
    if run.len() < MIN_OCCURRENCES {
        return Ok(None);
    }
    let mut amounts: Vec<i64> = run.iter().map(|e| e.minor).collect();
    let mid = median(&mut amounts);
    let steady = run.iter().all(|e| {
        e.minor
            .saturating_sub(mid)
            .saturating_abs()
            .saturating_mul(100)
            <= mid.saturating_mul(AMOUNT_TOLERANCE_PERCENT)
    });
    if !steady || mid <= 0 {
        return Ok(None);
    }
    let label = if last.note.trim().is_empty() {
        last.category.label()
    } else {
        let note: String = last.note.trim().chars().take(40).collect();
        let mut chars = note.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => last.category.label(),
        }
    };
    Ok(Some(Recurring {
        label,
        category: last.category.clone(),
        cadence,
        amount: book.money(last.minor)?,
        last: last.date,
        next_due: cadence.next_after(last.date),
        occurrences: run.len(),
        yearly: book.money(last.minor.saturating_mul(cadence.per_year()))?,
        entry_ids: run.iter().map(|e| e.id).collect(),
    }))
}

/// The recurring payments as one finding: what they are and what they cost a year.
pub(crate) fn finding(
    book: &Book,
    found: &[Recurring],
    base: i64,
) -> Result<Option<Finding>, Error> {
    if found.is_empty() {
        return Ok(None);
    }
    let yearly = found.iter().fold(0i64, |sum, r| {
        sum.saturating_add(i64::try_from(r.yearly.minor()).unwrap_or(i64::MAX))
    });
    let yearly = book.money(yearly)?;
    let head = if found.len() == 1 {
        "1 recurring payment: ".to_owned()
    } else {
        format!("{} recurring payments: ", found.len())
    };
    let mut t = Text::new().plain(head);
    let listed: Vec<String> = found
        .iter()
        .take(LISTED)
        .map(|r| format!("{} {} a {}", r.label, r.amount, r.cadence.as_str()))
        .collect();
    t = t.plain(listed.join(", "));
    if found.len() > LISTED {
        t = t.plain(format!(" and {} more", found.len() - LISTED));
    }
    t = t
        .plain(" — ")
        .bold(format!("{yearly} a year"))
        .plain(". Cancel any you no longer use; each one stopped saves its yearly cost.");
    // A twelfth of the yearly cost against a usual month, damped: recurring costs are known and
    // rarely urgent, so they should not push out surprises.
    let stake = share(i64::try_from(yearly.minor() / 12).unwrap_or(i64::MAX), base) / 4;
    Ok(Some(Finding::new(
        FindingKind::Recurring,
        yearly,
        60,
        stake,
        t,
    )))
}
