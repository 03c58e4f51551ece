//! Periods for queries and summaries (`last week`, `in march`, `last 30 days`) and budget periods.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::domain::DateOrder;
use crate::period::{BudgetPeriod, DateRange, first_of_month};

use super::amount::{tens_word, unit_word};
use super::dates::{self, month_word};
use super::tokens::{Token, TokenKind};

/// The latest month `m` that has begun by `today` (this year's, or last year's if still ahead).
fn latest_month(today: NaiveDate, m: u32) -> DateRange {
    let year = if m <= today.month() {
        today.year()
    } else {
        today.year() - 1
    };
    DateRange::month_of(first_of_month(year, m))
}

fn month_in(year: i32, m: u32) -> Option<DateRange> {
    NaiveDate::from_ymd_opt(year, m, 1).map(DateRange::month_of)
}

fn quarter(year: i32, q: u32) -> Option<DateRange> {
    if !(1..=4).contains(&q) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1).map(DateRange::quarter_of)
}

fn year_range(year: i32) -> Option<DateRange> {
    NaiveDate::from_ymd_opt(year, 1, 1).map(DateRange::year_of)
}

/// A four-digit year between 1990 and 2100 written as digits, not dressed as money.
fn year_at(tokens: &[Token<'_>], i: usize) -> Option<i32> {
    let money_next = tokens.get(i + 1).is_some_and(|t| {
        matches!(t.kind, TokenKind::Symbol(_)) || super::amount::currency_word(t.word()).is_some()
    });
    let money_before = i > 0 && matches!(tokens[i - 1].kind, TokenKind::Symbol(_));
    if money_next || money_before {
        return None;
    }
    year_token(tokens.get(i))
}

/// A four-digit year between 1990 and 2100 written as digits.
pub(super) fn year_token(t: Option<&Token<'_>>) -> Option<i32> {
    let n = t?.num()?;
    let y = n.int?;
    (n.int_digits == 4 && (1990..=2100).contains(&y))
        .then(|| i32::try_from(y).ok())
        .flatten()
}

/// `q1`..`q4`.
pub(super) fn quarter_word(w: &str) -> Option<u32> {
    let q = w.strip_prefix('q')?.parse::<u32>().ok()?;
    (1..=4).contains(&q).then_some(q)
}

pub(super) fn count_word(t: Option<&Token<'_>>) -> Option<u32> {
    let t = t?;
    if let Some(n) = t.num() {
        return n.int.filter(|&n| (1..=3650).contains(&n));
    }
    let w = t.word();
    unit_word(w)
        .or_else(|| tens_word(w))
        .filter(|&n| n > 0)
        .or(match w {
            "a" | "one" => Some(1),
            "couple" => Some(2),
            "few" => Some(3),
            _ => None,
        })
}

/// The `n` days, weeks, months or years up to and including today.
pub(super) fn rolling(today: NaiveDate, n: u32, unit: &str) -> Option<DateRange> {
    let from = match unit {
        "day" | "days" => return Some(DateRange::last_days(today, n)),
        "week" | "weeks" | "wk" | "wks" => {
            return Some(DateRange::last_days(today, n.saturating_mul(7)));
        }
        "month" | "months" | "mo" | "mos" => today.checked_sub_months(Months::new(n))?,
        "year" | "years" | "yr" | "yrs" => {
            today.checked_sub_months(Months::new(n.saturating_mul(12)))?
        }
        _ => return None,
    };
    Some(DateRange::new(from.checked_add_days(Days::new(1))?, today))
}

/// A period found in a message, with the tokens it spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub range: DateRange,
    pub start: usize,
    pub end: usize,
}

/// Finds the first period among the unused tokens. Falls back to a single day for date
/// expressions (`yesterday`, `on monday`, `nov 3`).
pub(crate) fn find(
    tokens: &[Token<'_>],
    used: &[bool],
    today: NaiveDate,
    order: DateOrder,
) -> Option<Found> {
    let mut found = find_one(tokens, used, today, order)?;
    // `since october`: from its start up to today.
    let before = found.start.checked_sub(1).and_then(|k| tokens.get(k));
    if before.is_some_and(|t| t.word() == "since") && found.range.from <= today {
        found.range = DateRange::new(found.range.from, today);
    }
    Some(found)
}

fn find_one(
    tokens: &[Token<'_>],
    used: &[bool],
    today: NaiveDate,
    order: DateOrder,
) -> Option<Found> {
    let free = |k: usize| !used.get(k).copied().unwrap_or(true);
    let word = |k: usize| tokens.get(k).map_or("", |t| t.word());
    let this_week = DateRange::week_of(today);
    for i in 0..tokens.len() {
        if !free(i) {
            continue;
        }
        let w = word(i);
        let found = |range: Option<DateRange>, end: usize| {
            range.map(|range| Found {
                range,
                start: i,
                end,
            })
        };
        let next = word(i + 1);
        match w {
            "this" | "current" | "the" | "so" => {
                let (k, unit) = if w == "so" && next == "far" && word(i + 2) == "this" {
                    (i + 3, word(i + 3))
                } else {
                    (i + 1, next)
                };
                let range = match unit {
                    "week" | "wk" => Some(this_week),
                    "weekend" => {
                        let sat = this_week.from.checked_add_days(Days::new(5));
                        sat.map(|s| DateRange::new(s, this_week.to))
                    }
                    "month" | "mo" => Some(DateRange::month_of(today)),
                    "quarter" | "qtr" => Some(DateRange::quarter_of(today)),
                    "year" | "yr" => Some(DateRange::year_of(today)),
                    "past" if word(k + 1) == "week" => Some(DateRange::last_days(today, 7)),
                    _ => None,
                };
                if range.is_some() {
                    let end = if unit == "past" { k + 2 } else { k + 1 };
                    return found(range, end);
                }
            }
            "last" | "previous" | "prev" | "past" => {
                // last 7 days, past 2 weeks, last three months
                if let Some(n) = count_word(tokens.get(i + 1))
                    && let Some(r) = rolling(today, n, word(i + 2))
                {
                    return found(Some(r), i + 3);
                }
                let range = match (w, next) {
                    ("past", "week" | "wk") => Some(DateRange::last_days(today, 7)),
                    ("past", "month") => Some(DateRange::last_days(today, 30)),
                    ("past", "year") => rolling(today, 1, "year"),
                    (_, "week" | "wk") => {
                        today.checked_sub_days(Days::new(7)).map(DateRange::week_of)
                    }
                    (_, "weekend") => this_week
                        .from
                        .checked_sub_days(Days::new(2))
                        .map(|sat| DateRange::new(sat, sat + Days::new(1))),
                    (_, "month" | "mo") => Some(DateRange::last_month(today)),
                    (_, "quarter" | "qtr") => DateRange::quarter_of(today)
                        .from
                        .checked_sub_days(Days::new(1))
                        .map(DateRange::quarter_of),
                    (_, "year" | "yr") => year_range(today.year() - 1),
                    _ => None,
                };
                if range.is_some() {
                    return found(range, i + 2);
                }
                // last october: the latest October before this month
                if let Some(m) = month_word(next) {
                    let r = if m < today.month() {
                        month_in(today.year(), m)
                    } else {
                        month_in(today.year() - 1, m)
                    };
                    return found(r, i + 2);
                }
            }
            "ytd" => return found(Some(DateRange::year_of(today)), i + 1),
            "mtd" => return found(Some(DateRange::month_of(today)), i + 1),
            "year" if next == "to" && word(i + 2) == "date" => {
                return found(Some(DateRange::year_of(today)), i + 3);
            }
            "month" if next == "to" && word(i + 2) == "date" => {
                return found(Some(DateRange::month_of(today)), i + 3);
            }
            _ => {}
        }
        // q3, q3 2025
        if let Some(q) = quarter_word(w) {
            let year = year_token(tokens.get(i + 1));
            let r = match year {
                Some(y) => quarter(y, q),
                None => {
                    let this = quarter(today.year(), q);
                    match this {
                        Some(r) if r.from <= today => Some(r),
                        _ => quarter(today.year() - 1, q),
                    }
                }
            };
            return found(r, i + 1 + usize::from(year.is_some()));
        }
        // october, in october, october 2025 (`may` only after a preposition or before a year)
        if let Some(m) = month_word(w) {
            let prev = if i > 0 { word(i - 1) } else { "" };
            let year = year_token(tokens.get(i + 1));
            let introduced = matches!(prev, "in" | "for" | "during" | "of" | "since" | "from");
            let next_is_day = tokens.get(i + 1).is_some_and(|t| {
                matches!(t.kind, TokenKind::Ordinal(_))
                    || t.num().is_some_and(|n| n.int_digits <= 2)
            });
            let full_name = w.len() > 3 || w == "may";
            if !next_is_day && (year.is_some() || introduced || (full_name && w != "may")) {
                let r = match year {
                    Some(y) => month_in(y, m),
                    None => Some(latest_month(today, m)),
                };
                return found(r, i + 1 + usize::from(year.is_some()));
            }
        }
        // in 2025, for 2025, 2025
        if let Some(y) = year_at(tokens, i) {
            let prev = if i > 0 { word(i - 1) } else { "" };
            // `report 2025`: a bare year only right after a word that asks about a period.
            let asks = matches!(
                prev,
                "report"
                    | "summary"
                    | "breakdown"
                    | "overview"
                    | "recap"
                    | "stats"
                    | "statistics"
                    | "review"
                    | "spending"
                    | "expenses"
                    | "totals"
                    | "earnings"
            );
            if matches!(prev, "in" | "for" | "during" | "of" | "since") || asks {
                return found(year_range(y), i + 1);
            }
        }
    }
    // `weekly summary`, `monthly report`: the current one.
    for (i, t) in tokens.iter().enumerate() {
        if !free(i) {
            continue;
        }
        let range = match t.word() {
            "daily" => Some(DateRange::day(today)),
            "weekly" => Some(this_week),
            "monthly" => Some(DateRange::month_of(today)),
            "quarterly" => Some(DateRange::quarter_of(today)),
            "yearly" | "annual" | "annually" => Some(DateRange::year_of(today)),
            _ => None,
        };
        if let Some(range) = range {
            return Some(Found {
                range,
                start: i,
                end: i + 1,
            });
        }
    }
    // A single day: yesterday, on monday, nov 3.
    let day = dates::find(tokens, used, today, order, true)?;
    Some(Found {
        range: DateRange::day(day.date),
        start: day.start,
        end: day.end,
    })
}

/// Marks a found period's tokens as used, with the preposition that introduced it.
pub(crate) fn mark(tokens: &[Token<'_>], used: &mut [bool], f: &Found) {
    let mut start = f.start;
    while start > 0
        && matches!(
            tokens[start - 1].word(),
            "in" | "for" | "during" | "of" | "the" | "on" | "over" | "since" | "from"
        )
    {
        start -= 1;
    }
    for u in used.iter_mut().take(f.end).skip(start) {
        *u = true;
    }
}

/// How often a budget resets, from words like `weekly`, `a month`, `/yr`; `None` if unsaid.
pub(crate) fn budget_period(tokens: &[Token<'_>]) -> Option<BudgetPeriod> {
    for t in tokens {
        let p = match t.word() {
            "week" | "weekly" | "wk" | "weeks" | "pw" => BudgetPeriod::Week,
            "month" | "monthly" | "mo" | "months" | "mth" | "pm" => BudgetPeriod::Month,
            "year" | "yearly" | "annual" | "annually" | "yr" | "years" | "pa" | "anually" => {
                BudgetPeriod::Year
            }
            _ => continue,
        };
        return Some(p);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::tokens::tokenize;

    fn period(text: &str) -> Option<(String, String)> {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24)?;
        let toks = tokenize(text);
        let used = vec![false; toks.len()];
        find(&toks, &used, today, DateOrder::Mdy)
            .map(|f| (f.range.from.to_string(), f.range.to.to_string()))
    }

    #[test]
    fn spec_periods() {
        for (text, from, to) in [
            ("today", "2026-11-24", "2026-11-24"),
            ("yesterday", "2026-11-23", "2026-11-23"),
            ("this week", "2026-11-23", "2026-11-29"),
            ("last week", "2026-11-16", "2026-11-22"),
            ("this month", "2026-11-01", "2026-11-30"),
            ("so far this month", "2026-11-01", "2026-11-30"),
            ("in november", "2026-11-01", "2026-11-30"),
            ("last month", "2026-10-01", "2026-10-31"),
            ("in october", "2026-10-01", "2026-10-31"),
            ("in march", "2026-03-01", "2026-03-31"),
            ("this quarter", "2026-10-01", "2026-12-31"),
            ("last quarter", "2026-07-01", "2026-09-30"),
            ("this year", "2026-01-01", "2026-12-31"),
            ("last year", "2025-01-01", "2025-12-31"),
            ("in 2025", "2025-01-01", "2025-12-31"),
            ("last 7 days", "2026-11-18", "2026-11-24"),
            ("past week", "2026-11-18", "2026-11-24"),
            ("last 30 days", "2026-10-26", "2026-11-24"),
            ("in december", "2025-12-01", "2025-12-31"),
            ("in may", "2026-05-01", "2026-05-31"),
            ("q3", "2026-07-01", "2026-09-30"),
            ("october 2025", "2025-10-01", "2025-10-31"),
            ("last two weeks", "2026-11-11", "2026-11-24"),
        ] {
            assert_eq!(
                period(text),
                Some((from.to_owned(), to.to_owned())),
                "{text}"
            );
        }
        assert_eq!(period("i may go"), None);
    }
}
