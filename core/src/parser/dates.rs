//! The date of a transaction: `yesterday`, `last friday`, `on the 3rd`, `nov 3`, `15/11`, ISO.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use crate::domain::DateOrder;
use crate::period::latest_weekday;

use super::amount::{tens_word, unit_word};
use super::tokens::{Token, TokenKind};

pub(crate) fn month_word(w: &str) -> Option<u32> {
    Some(match w {
        "january" | "jan" => 1,
        "february" | "feb" | "febuary" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

/// A weekday name; the flag is true for abbreviations that are also words (`sat`, `sun`, `wed`).
pub(crate) fn weekday_word(w: &str) -> Option<(Weekday, bool)> {
    Some(match w {
        "monday" => (Weekday::Mon, false),
        "tuesday" | "tues" | "tue" => (Weekday::Tue, false),
        "wednesday" | "weds" => (Weekday::Wed, false),
        "thursday" | "thurs" | "thur" | "thu" => (Weekday::Thu, false),
        "friday" | "fri" => (Weekday::Fri, false),
        "saturday" => (Weekday::Sat, false),
        "sunday" => (Weekday::Sun, false),
        "mon" | "wed" | "sat" | "sun" => (
            match w {
                "mon" => Weekday::Mon,
                "wed" => Weekday::Wed,
                "sat" => Weekday::Sat,
                _ => Weekday::Sun,
            },
            true,
        ),
        _ => return None,
    })
}

/// Words that belong to dates and times, so a number before them is not counting things.
pub(crate) fn is_date_word(w: &str) -> bool {
    month_word(w).is_some()
        || weekday_word(w).is_some()
        || matches!(
            w,
            "today"
                | "tonight"
                | "yesterday"
                | "yday"
                | "ago"
                | "this"
                | "last"
                | "morning"
                | "evening"
                | "afternoon"
                | "night"
        )
}

fn time_of_day(w: &str) -> bool {
    matches!(
        w,
        "morning" | "afternoon" | "evening" | "night" | "nite" | "arvo" | "lunchtime" | "noon"
    )
}

/// The day `d` of the latest month (this one or before) where it is on or before `today`.
pub(crate) fn latest_day_of_month(today: NaiveDate, d: u32) -> Option<NaiveDate> {
    if !(1..=31).contains(&d) {
        return None;
    }
    let mut first = today.with_day(1)?;
    for _ in 0..12 {
        if let Some(date) = first.with_day(d)
            && date <= today
        {
            return Some(date);
        }
        first = first.checked_sub_months(Months::new(1))?;
    }
    None
}

/// Month and day with the year inferred: this year, or last year if that would be in the future.
pub(crate) fn month_day(
    today: NaiveDate,
    month: u32,
    day: u32,
    year: Option<i32>,
) -> Option<NaiveDate> {
    match year {
        Some(y) => NaiveDate::from_ymd_opt(y, month, day),
        None => {
            let this = NaiveDate::from_ymd_opt(today.year(), month, day);
            match this {
                Some(d) if d <= today => Some(d),
                _ => NaiveDate::from_ymd_opt(today.year() - 1, month, day),
            }
        }
    }
}

/// `11/15`, `15/11`, `3/11/2026`, `2026/11/02`: the reading that is a valid date, `order` when both are.
pub(crate) fn slashed(
    parts: [u32; 3],
    len: u8,
    iso: bool,
    order: DateOrder,
    today: NaiveDate,
) -> Option<NaiveDate> {
    if iso {
        if len != 3 {
            return None;
        }
        return NaiveDate::from_ymd_opt(i32::try_from(parts[0]).ok()?, parts[1], parts[2]);
    }
    let year = if len == 3 {
        let y = parts[2];
        let y = if y < 100 { y + 2000 } else { y };
        Some(i32::try_from(y).ok()?)
    } else {
        None
    };
    let (a, b) = (parts[0], parts[1]);
    let (first, second) = match order {
        DateOrder::Mdy => ((a, b), (b, a)),
        DateOrder::Dmy => ((b, a), (a, b)),
    };
    month_day(today, first.0, first.1, year).or_else(|| month_day(today, second.0, second.1, year))
}

/// A small count written as digits or words, or `a`/`an` (`2`, `two`, `a`).
fn small_count(t: &Token<'_>) -> Option<u32> {
    if let Some(n) = t.num() {
        return n.int.filter(|&v| v <= 3650);
    }
    let w = t.word();
    match w {
        "a" | "an" | "one" => Some(1),
        "few" => Some(3),
        "couple" => Some(2),
        _ => unit_word(w).or_else(|| tens_word(w)),
    }
}

fn year_of(t: Option<&Token<'_>>) -> Option<i32> {
    let n = t?.num()?;
    let y = n.int?;
    if n.int_digits == 4 && (1990..=2100).contains(&y) {
        i32::try_from(y).ok()
    } else {
        None
    }
}

/// A day-of-month number that is not dressed as money (`3`, `28`, not `3.50` or `$3`).
fn day_number(tokens: &[Token<'_>], i: usize, allow_bare: bool) -> Option<u32> {
    let t = tokens.get(i)?;
    match t.kind {
        TokenKind::Ordinal(d) if (1..=31).contains(&d) => Some(d),
        TokenKind::Number(n) if allow_bare => {
            let d = n.int.filter(|d| (1..=31).contains(d))?;
            if n.int_digits > 2 {
                return None;
            }
            // `nov 3 $20` is fine, `nov 30 dollars` is money.
            let next = tokens.get(i + 1);
            if next.is_some_and(|n| {
                matches!(n.kind, TokenKind::Symbol(_))
                    || super::amount::currency_word(n.word()).is_some()
            }) {
                return None;
            }
            if i > 0 && matches!(tokens[i - 1].kind, TokenKind::Symbol(_)) {
                return None;
            }
            Some(d)
        }
        _ => None,
    }
}

/// What a date expression found: the date and the tokens it spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub date: NaiveDate,
    pub start: usize,
    pub end: usize,
}

/// Finds the first date expression among the unused tokens. `allow_bare` lets a plain number
/// next to a month name be its day (`nov 3`); callers retry without it when that number turns out
/// to be the only amount.
pub(crate) fn find(
    tokens: &[Token<'_>],
    used: &[bool],
    today: NaiveDate,
    order: DateOrder,
    allow_bare: bool,
) -> Option<Found> {
    let free = |k: usize| !used.get(k).copied().unwrap_or(true);
    let word = |k: usize| tokens.get(k).map_or("", |t| t.word());
    for i in 0..tokens.len() {
        if !free(i) {
            continue;
        }
        let w = word(i);
        let found = |date: Option<NaiveDate>, end: usize| {
            date.map(|date| Found {
                date,
                start: i,
                end,
            })
        };
        let back = |n: u64| today.checked_sub_days(Days::new(n));

        // the day before yesterday
        let skip_the = usize::from(w == "the");
        if word(i + skip_the) == "day"
            && word(i + skip_the + 1) == "before"
            && word(i + skip_the + 2) == "yesterday"
        {
            return found(back(2), i + skip_the + 3);
        }
        match w {
            "today" | "tonight" | "tonite" | "todays" | "2nite" => {
                return found(Some(today), i + 1);
            }
            "yesterday" | "yday" | "yest" | "ystd" | "yesterdays" => {
                let end = if time_of_day(word(i + 1)) {
                    i + 2
                } else {
                    i + 1
                };
                return found(back(1), end);
            }
            "this" | "earlier" if time_of_day(word(i + 1)) || word(i + 1) == "today" => {
                return found(Some(today), i + 2);
            }
            "last" | "past" | "previous" => {
                let next = word(i + 1);
                if matches!(next, "night" | "nite" | "evening") {
                    return found(back(1), i + 2);
                }
                if next == "week" {
                    return found(back(7), i + 2);
                }
                if let Some((wd, _)) = weekday_word(next) {
                    let before = back(1)?;
                    return found(Some(latest_weekday(before, wd)), i + 2);
                }
            }
            _ => {}
        }

        // N days/weeks/months ago
        let count = if matches!(w, "a" | "an") && word(i + 1) == "couple" {
            Some((2, i + 2))
        } else if w == "couple" {
            Some((2, i + 1))
        } else {
            tokens.get(i).and_then(small_count).map(|n| (n, i + 1))
        };
        if let Some((n, mut k)) = count {
            if word(k) == "of" {
                k += 1;
            }
            let unit = word(k);
            if matches!(word(k + 1), "ago" | "back" | "before") {
                let date = match unit {
                    "day" | "days" => back(u64::from(n)),
                    "week" | "weeks" | "wk" | "wks" => back(u64::from(n) * 7),
                    "month" | "months" => today.checked_sub_months(Months::new(n)),
                    "year" | "years" => today.checked_sub_months(Months::new(n.saturating_mul(12))),
                    _ => None,
                };
                if date.is_some() {
                    return found(date, k + 2);
                }
            }
        }

        // monday, on monday, this monday (latest on or before today)
        if let Some((wd, ambiguous)) = weekday_word(w) {
            let prev = if i > 0 { word(i - 1) } else { "" };
            if !ambiguous || matches!(prev, "on" | "this" | "last") {
                return found(Some(latest_weekday(today, wd)), i + 1);
            }
        }

        // nov 3, november 3rd, nov 3 2025, november the 3rd
        if let Some(m) = month_word(w) {
            let mut k = i + 1;
            if word(k) == "the" {
                k += 1;
            }
            if let Some(d) = day_number(tokens, k, allow_bare) {
                let mut end = k + 1;
                let mut year = year_of(tokens.get(end));
                if year.is_none() && tokens.get(end).is_some_and(|t| t.is_punct(',')) {
                    year = year_of(tokens.get(end + 1));
                    if year.is_some() {
                        end += 1;
                    }
                }
                if year.is_some() {
                    end += 1;
                }
                return found(month_day(today, m, d, year), end);
            }
        }

        // 3 november, 3rd of november, the 28th, on the 3rd
        if let Some(d) = day_number(tokens, i, allow_bare) {
            let mut k = i + 1;
            if word(k) == "of" {
                k += 1;
            }
            if let Some(m) = month_word(word(k)) {
                let year = year_of(tokens.get(k + 1));
                let end = k + 1 + usize::from(year.is_some());
                return found(month_day(today, m, d, year), end);
            }
            if matches!(tokens.get(i).map(|t| t.kind), Some(TokenKind::Ordinal(_))) {
                return found(latest_day_of_month(today, d), i + 1);
            }
        }
        // on the 3 (a bare number after "on the")
        if w == "on"
            && word(i + 1) == "the"
            && let Some(n) = tokens.get(i + 2).and_then(|t| t.num())
            && let Some(d) = n.int.filter(|d| (1..=31).contains(d))
            && tokens
                .get(i + 3)
                .is_none_or(|t| !matches!(t.kind, TokenKind::Symbol(_)))
        {
            return found(latest_day_of_month(today, d), i + 3);
        }

        if let Some(TokenKind::DateLit { parts, len, iso }) = tokens.get(i).map(|t| t.kind)
            && let Some(date) = slashed(parts, len, iso, order, today)
        {
            return found(Some(date), i + 1);
        }
    }
    None
}

/// Marks a found date's tokens as used, with the `on`/`the` that introduced it.
pub(crate) fn mark(tokens: &[Token<'_>], used: &mut [bool], f: Found) {
    let mut start = f.start;
    while start > 0
        && matches!(
            tokens[start - 1].word(),
            "on" | "the" | "from" | "since" | "of"
        )
    {
        start -= 1;
    }
    for u in used.iter_mut().take(f.end).skip(start) {
        *u = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::tokens::tokenize;

    fn date(text: &str) -> Option<String> {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24)?;
        let toks = tokenize(text);
        let used = vec![false; toks.len()];
        find(&toks, &used, today, DateOrder::Mdy, true).map(|f| f.date.to_string())
    }

    #[test]
    fn spec_dates() {
        for (text, want) in [
            ("today", "2026-11-24"),
            ("this morning", "2026-11-24"),
            ("tonight", "2026-11-24"),
            ("yesterday", "2026-11-23"),
            ("last night", "2026-11-23"),
            ("the day before yesterday", "2026-11-22"),
            ("2 days ago", "2026-11-22"),
            ("a week ago", "2026-11-17"),
            ("monday", "2026-11-23"),
            ("on monday", "2026-11-23"),
            ("tuesday", "2026-11-24"),
            ("last tuesday", "2026-11-17"),
            ("last friday", "2026-11-20"),
            ("on the 3rd", "2026-11-03"),
            ("the 28th", "2026-10-28"),
            ("nov 3", "2026-11-03"),
            ("3 november", "2026-11-03"),
            ("november 3rd", "2026-11-03"),
            ("dec 5", "2025-12-05"),
            ("2026-11-02", "2026-11-02"),
            ("11/15", "2026-11-15"),
            ("15/11", "2026-11-15"),
            ("two days ago", "2026-11-22"),
            ("a couple of days ago", "2026-11-22"),
            ("3 weeks ago", "2026-11-03"),
            ("nov 3, 2025", "2025-11-03"),
            ("3rd of november", "2026-11-03"),
            ("on the 31st", "2026-10-31"),
        ] {
            assert_eq!(date(text).as_deref(), Some(want), "{text}");
        }
        assert_eq!(date("sun cream"), None);
        assert_eq!(date("nothing here"), None);
    }

    #[test]
    fn date_order_decides_ambiguous_slashes() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
        let d = slashed([3, 11, 0], 2, false, DateOrder::Dmy, today);
        assert_eq!(d.map(|d| d.to_string()).as_deref(), Some("2026-11-03"));
        let d = slashed([3, 11, 0], 2, false, DateOrder::Mdy, today);
        assert_eq!(d.map(|d| d.to_string()).as_deref(), Some("2026-03-11"));
    }
}
