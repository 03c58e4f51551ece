//! Schedules in free text: `netflix 15.99 every month`, `rent 1450 monthly on the 1st`,
//! `gym 30 every 2 weeks from friday`, `loan 250 monthly for 12 months`.
//!
//! [`read`] finds the schedule words and hands back the rest (`netflix 15.99`) for the
//! ordinary entry parser, so a recurring entry is read the same way as a one-off one.

use chrono::{Datelike, Months, NaiveDate, Weekday};

use super::dates::{month_word, weekday_word};
use crate::recurring::{End, Rule};

/// A schedule read from a message, before it is checked by [`crate::recurring::Schedule::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    pub rule: Rule,
    /// The day the schedule counts from: today unless the text names a start (`from jan 1`).
    pub start: NaiveDate,
    pub end: End,
    /// The message without its schedule words: the entry itself.
    pub rest: String,
}

/// What the frequency words said, before the start date fixes the unnamed day or weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frequency {
    Days(u32),
    Weeks(u32, Option<Weekday>),
    Months(u32),
    Years,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MonthDay {
    Day(u32),
    Last,
    LastWorking,
}

/// Reads the schedule in `text`, or `None` when it names no frequency.
///
/// A named start is the first such date on or after `today`; `until june` ends on the last
/// day before June begins, `until june 15` on that day; `for 12 months` (or weeks, times,
/// payments…) is a count of occurrences.
pub fn read(text: &str, today: NaiveDate) -> Option<Recurrence> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| matches!(c, ',' | '.' | '!' | '?' | ';'))
                .to_lowercase()
        })
        .collect();
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let mut used = vec![false; words.len()];
    let mut frequency = None;
    let mut month_day = None;
    let mut year_day: Option<(u32, u32)> = None;
    let mut start = None;
    let mut end = End::Never;
    let mut i = 0;
    while i < words.len() {
        i = match w(i) {
            "daily" => {
                frequency = Some(Frequency::Days(1));
                take(&mut used, i, 1)
            }
            "weekly" => {
                frequency = Some(Frequency::Weeks(1, None));
                take(&mut used, i, 1)
            }
            "biweekly" | "fortnightly" => {
                frequency = Some(Frequency::Weeks(2, None));
                take(&mut used, i, 1)
            }
            "monthly" => {
                frequency = Some(Frequency::Months(1));
                take(&mut used, i, 1)
            }
            "quarterly" => {
                frequency = Some(Frequency::Months(3));
                take(&mut used, i, 1)
            }
            "yearly" | "annually" | "annual" => {
                frequency = Some(Frequency::Years);
                take(&mut used, i, 1)
            }
            "every" | "each" => {
                let (n, unit_at) = match count_word(w(i + 1)) {
                    Some(n) => (n, i + 2),
                    None => (1, i + 1),
                };
                let unit = w(unit_at);
                let found = match unit.trim_end_matches('s') {
                    "day" => Some(Frequency::Days(n)),
                    "week" => Some(Frequency::Weeks(n, None)),
                    "fortnight" => Some(Frequency::Weeks(2 * n, None)),
                    "month" => Some(Frequency::Months(n)),
                    "quarter" => Some(Frequency::Months(3 * n)),
                    "year" if n == 1 => Some(Frequency::Years),
                    _ => weekday_word(unit.trim_end_matches('s'))
                        .or_else(|| weekday_word(unit))
                        .map(|(day, _)| Frequency::Weeks(n, Some(day))),
                };
                match found {
                    Some(f) => {
                        frequency = Some(f);
                        take(&mut used, i, unit_at + 1 - i)
                    }
                    None => i + 1,
                }
            }
            "per" | "a"
                if matches!(w(i + 1), "month" | "week" | "year" | "day") && frequency.is_none() =>
            {
                frequency = Some(match w(i + 1) {
                    "month" => Frequency::Months(1),
                    "week" => Frequency::Weeks(1, None),
                    "day" => Frequency::Days(1),
                    _ => Frequency::Years,
                });
                take(&mut used, i, 2)
            }
            "on" | "the" => match on_month_day(&words, i) {
                Some((md, len, monthly)) => {
                    month_day = Some(md);
                    if monthly {
                        frequency = Some(Frequency::Months(1));
                    }
                    take(&mut used, i, len)
                }
                None => match (w(i) == "on").then(|| on_year_day(&words, i + 1)).flatten() {
                    Some((md, len)) => {
                        year_day = Some(md);
                        take(&mut used, i, len + 1)
                    }
                    None => match (w(i) == "on")
                        .then(|| weekday_word(w(i + 1).trim_end_matches('s')))
                        .flatten()
                    {
                        Some((day, _)) if w(i + 1).ends_with('s') || frequency.is_some() => {
                            frequency = Some(match frequency {
                                Some(Frequency::Weeks(n, _)) => Frequency::Weeks(n, Some(day)),
                                _ => Frequency::Weeks(1, Some(day)),
                            });
                            take(&mut used, i, 2)
                        }
                        _ => i + 1,
                    },
                },
            },
            "from" | "starting" | "beginning" => match date_at(&words, i + 1, today) {
                Some((date, len)) => {
                    start = Some(date);
                    take(&mut used, i, len + 1)
                }
                None => i + 1,
            },
            "until" | "till" | "through" => match until_at(&words, i + 1, today) {
                Some((date, len)) => {
                    end = End::Until(date);
                    take(&mut used, i, len + 1)
                }
                None => i + 1,
            },
            "for" => match count_word(w(i + 1)) {
                Some(n)
                    if matches!(
                        w(i + 2),
                        "days"
                            | "weeks"
                            | "months"
                            | "years"
                            | "times"
                            | "payments"
                            | "installments"
                            | "instalments"
                            | "day"
                            | "week"
                            | "month"
                            | "year"
                    ) =>
                {
                    end = End::Count(n);
                    take(&mut used, i, 3)
                }
                _ => i + 1,
            },
            _ => i + 1,
        };
    }
    let start = start.unwrap_or(today);
    let rule = match frequency? {
        Frequency::Days(every) => Rule::Daily { every },
        Frequency::Weeks(every, weekday) => Rule::Weekly {
            every,
            weekday: weekday.unwrap_or(start.weekday()),
        },
        Frequency::Months(every) => match month_day.unwrap_or(MonthDay::Day(start.day())) {
            MonthDay::Day(day) => Rule::MonthlyOnDay { every, day },
            MonthDay::Last => Rule::MonthlyLastDay { every },
            MonthDay::LastWorking => Rule::MonthlyLastWorkingDay { every },
        },
        Frequency::Years => {
            let (month, day) = year_day.unwrap_or((start.month(), start.day()));
            Rule::Yearly { month, day }
        }
    };
    let rest = text
        .split_whitespace()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(t, _)| t)
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches([',', ';'])
        .to_string();
    Some(Recurrence {
        rule,
        start,
        end,
        rest,
    })
}

/// Marks `n` words from `from` as schedule words and returns the index after them.
fn take(used: &mut [bool], from: usize, n: usize) -> usize {
    for u in used.iter_mut().skip(from).take(n) {
        *u = true;
    }
    from + n
}

/// `2`, `two`, `other` (as in "every other week").
fn count_word(w: &str) -> Option<u32> {
    if let Ok(n) = w.parse::<u32>() {
        return (1..=1000).contains(&n).then_some(n);
    }
    Some(match w {
        "other" | "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        _ => return None,
    })
}

/// `15`, `15th`, `1st`, `first`.
fn ordinal(w: &str) -> Option<u32> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let n = if digits.is_empty() {
        match w {
            "first" => 1,
            "second" => 2,
            "third" => 3,
            "fifteenth" => 15,
            _ => return None,
        }
    } else {
        let suffix = &w[digits.len()..];
        if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
            return None;
        }
        digits.parse().ok()?
    };
    (1..=31).contains(&n).then_some(n)
}

/// `on the 1st`, `the 15th`, `on the last day of the month`, `the last working day of each
/// month`; the length counts the words up to and including a trailing "of … month", and the
/// flag says whether that made it monthly ("of each month") rather than a one-off date.
fn on_month_day(words: &[String], i: usize) -> Option<(MonthDay, usize, bool)> {
    let w = |k: usize| words.get(k).map(String::as_str).unwrap_or("");
    let mut k = i;
    if w(k) == "on" {
        k += 1;
    }
    if w(k) != "the" {
        return None;
    }
    k += 1;
    let found = if let Some(day) = ordinal(w(k)) {
        k += 1;
        MonthDay::Day(day)
    } else if w(k) == "last" {
        k += 1;
        let working = matches!(w(k), "working" | "business" | "work" | "week" | "weekday");
        if working {
            k += 1;
        }
        if w(k) == "weekday" {
            k += 1;
            MonthDay::LastWorking
        } else if w(k) == "day" {
            k += 1;
            if working {
                MonthDay::LastWorking
            } else {
                MonthDay::Last
            }
        } else if working {
            MonthDay::LastWorking
        } else {
            return None;
        }
    } else {
        return None;
    };
    let mut monthly = false;
    if w(k) == "of" && w(k + 2) == "month" {
        match w(k + 1) {
            "each" | "every" => monthly = true,
            "the" | "this" => {}
            _ => return Some((found, k - i, false)),
        }
        k += 3;
    }
    Some((found, k - i, monthly))
}

/// `march 1`, `1 march`, `march 1st` after "on".
fn on_year_day(words: &[String], i: usize) -> Option<((u32, u32), usize)> {
    let w = |k: usize| words.get(k).map(String::as_str).unwrap_or("");
    let (month, day) = if let Some(m) = month_word(w(i)) {
        (m, ordinal(w(i + 1))?)
    } else {
        (month_word(w(i + 1))?, ordinal(w(i))?)
    };
    NaiveDate::from_ymd_opt(2024, month, day)?;
    Some(((month, day), 2))
}

/// A start date: `friday`, `jan 1`, `1 jan`, `the 1st`, `tomorrow`, `today`, ISO; the first
/// such day on or after `today`.
fn date_at(words: &[String], i: usize, today: NaiveDate) -> Option<(NaiveDate, usize)> {
    let w = |k: usize| words.get(k).map(String::as_str).unwrap_or("");
    match w(i) {
        "today" | "now" => return Some((today, 1)),
        "tomorrow" => return Some((today.succ_opt()?, 1)),
        "next" => {
            let (day, _) = weekday_word(w(i + 1))?;
            let date = on_or_after_weekday(today.succ_opt()?, day)?;
            return Some((date, 2));
        }
        _ => {}
    }
    if let Ok(date) = w(i).parse::<NaiveDate>() {
        return Some((date, 1));
    }
    if let Some((day, _)) = weekday_word(w(i)) {
        return Some((on_or_after_weekday(today, day)?, 1));
    }
    if let Some(((month, day), len)) = on_year_day(words, i) {
        return Some((next_month_day(today, month, day)?, len));
    }
    if w(i) == "the"
        && let Some(day) = ordinal(w(i + 1))
    {
        let mut first = today.with_day(1)?;
        for _ in 0..13 {
            if let Some(date) = first.with_day(day)
                && date >= today
            {
                return Some((date, 2));
            }
            first = first.checked_add_months(Months::new(1))?;
        }
        return None;
    }
    if let Some(month) = month_word(w(i)) {
        return Some((next_month_day(today, month, 1)?, 1));
    }
    None
}

/// An end date: `june` (the day before June next begins), `june 15`, `2027-06-15`.
fn until_at(words: &[String], i: usize, today: NaiveDate) -> Option<(NaiveDate, usize)> {
    let w = |k: usize| words.get(k).map(String::as_str).unwrap_or("");
    if let Some(month) = month_word(w(i))
        && on_year_day(words, i).is_none()
    {
        let first = next_month_day(today.succ_opt()?, month, 1)?;
        return Some((first.pred_opt()?, 1));
    }
    date_at(words, i, today)
}

fn on_or_after_weekday(from: NaiveDate, day: Weekday) -> Option<NaiveDate> {
    let ahead = (day.num_days_from_monday() + 7 - from.weekday().num_days_from_monday()) % 7;
    from.checked_add_days(chrono::Days::new(u64::from(ahead)))
}

/// The first `month`/`day` on or after `from` (29 February waits for a leap year).
fn next_month_day(from: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    (from.year()..from.year() + 8)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .find(|d| *d >= from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recurring::Schedule;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Reads `text` said on `today` and returns (rest, first three dates, end).
    fn first_dates(text: &str, today: &str) -> (String, Vec<String>, End) {
        let r = read(text, d(today)).unwrap_or_else(|| panic!("no schedule in {text:?}"));
        let s = Schedule::new(r.rule, r.start, r.end).unwrap();
        let dates = (0..3)
            .filter_map(|n| s.nth(n))
            .map(|x| x.to_string())
            .collect();
        (r.rest, dates, r.end)
    }

    #[test]
    fn every_form_of_the_issue_reads() {
        // 2027-01-15 is a Friday.
        let cases: &[(&str, &str, &str, [&str; 3])] = &[
            (
                "netflix 15.99 every month",
                "2027-01-15",
                "netflix 15.99",
                ["2027-01-15", "2027-02-15", "2027-03-15"],
            ),
            (
                "rent 1450 monthly on the 1st",
                "2027-01-15",
                "rent 1450",
                ["2027-02-01", "2027-03-01", "2027-04-01"],
            ),
            (
                "salary 3200 on the last working day of each month",
                "2027-07-01",
                "salary 3200",
                ["2027-07-30", "2027-08-31", "2027-09-30"],
            ),
            (
                "gym 30 every 2 weeks from friday",
                "2027-01-12",
                "gym 30",
                ["2027-01-15", "2027-01-29", "2027-02-12"],
            ),
            (
                "insurance 600 every year on march 1",
                "2027-01-15",
                "insurance 600",
                ["2027-03-01", "2028-03-01", "2029-03-01"],
            ),
            (
                "allowance 20 every monday until june",
                "2027-05-19",
                "allowance 20",
                ["2027-05-24", "2027-05-31", ""],
            ),
            (
                "loan 250 monthly for 12 months",
                "2027-01-15",
                "loan 250",
                ["2027-01-15", "2027-02-15", "2027-03-15"],
            ),
            (
                "coffee 3 daily",
                "2027-01-15",
                "coffee 3",
                ["2027-01-15", "2027-01-16", "2027-01-17"],
            ),
            (
                "cleaner 80 fortnightly",
                "2027-01-15",
                "cleaner 80",
                ["2027-01-15", "2027-01-29", "2027-02-12"],
            ),
            (
                "water bill 90 quarterly on the 10th",
                "2027-01-15",
                "water bill 90",
                ["2027-02-10", "2027-05-10", "2027-08-10"],
            ),
            (
                "rent 900 on the 31st of each month",
                "2027-01-15",
                "rent 900",
                ["2027-01-31", "2027-02-28", "2027-03-31"],
            ),
            (
                "spotify 10 every month from jan 1",
                "2026-12-20",
                "spotify 10",
                ["2027-01-01", "2027-02-01", "2027-03-01"],
            ),
            (
                "lesson 25 every other tuesday",
                "2027-01-15",
                "lesson 25",
                ["2027-01-19", "2027-02-02", "2027-02-16"],
            ),
            (
                "phone 40 on the last day of every month",
                "2027-01-15",
                "phone 40",
                ["2027-01-31", "2027-02-28", "2027-03-31"],
            ),
        ];
        for (text, today, rest, want) in cases {
            let (got_rest, got, _) = first_dates(text, today);
            let want: Vec<String> = want
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.to_string())
                .collect();
            assert_eq!((got_rest.as_str(), got), (*rest, want), "{text}");
        }
    }

    #[test]
    fn ends_are_read() {
        assert_eq!(
            first_dates("loan 250 monthly for 12 months", "2027-01-15").2,
            End::Count(12)
        );
        assert_eq!(
            first_dates("gym 30 weekly for 3 times", "2027-01-15").2,
            End::Count(3)
        );
        assert_eq!(
            first_dates("allowance 20 every monday until june", "2026-12-01").2,
            End::Until(d("2027-05-31"))
        );
        assert_eq!(
            first_dates("pocket money 5 every friday until june 15", "2027-01-15").2,
            End::Until(d("2027-06-15"))
        );
    }

    #[test]
    fn one_off_entries_are_not_schedules() {
        for text in [
            "spent 12 on lunch",
            "coffee 3.50 on the 3rd",
            "rent 1450 on monday",
            "for 2 people dinner 80",
        ] {
            assert_eq!(read(text, d("2027-01-15")), None, "{text}");
        }
    }
}
