//! The calendar of a schedule: its n-th occurrence, computed directly rather than by stepping.
//!
//! Every occurrence is a pure function of (rule, start, index), so posting can claim
//! "occurrence n" in the database exactly once, catch-up after downtime is a range of
//! indices, and nothing drifts (a "31st" schedule returns to the 31st after February).

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use thiserror::Error;

/// How often a schedule repeats. `every` is the interval in the rule's unit, at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Daily {
        every: u32,
    },
    Weekly {
        every: u32,
        weekday: Weekday,
    },
    /// On this day of the month; a day the month lacks (the 31st in April) means its last day.
    MonthlyOnDay {
        every: u32,
        day: u32,
    },
    MonthlyLastDay {
        every: u32,
    },
    /// The last Monday-to-Friday of the month (public holidays are not known to Tally).
    MonthlyLastWorkingDay {
        every: u32,
    },
    /// Once a year on this month and day; 29 February means the 28th in common years.
    Yearly {
        month: u32,
        day: u32,
    },
}

/// When a schedule stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Never,
    /// The last date an occurrence may fall on, inclusive.
    Until(NaiveDate),
    /// The number of occurrences ("for 12 months").
    Count(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScheduleError {
    #[error("a schedule repeats at least every 1 day, week, month or year")]
    ZeroInterval,
    #[error("there is no day {0} in a month")]
    BadDay(u32),
    #[error("that date doesn't exist in any year")]
    BadDate,
    #[error("the schedule ends before it starts")]
    EndsBeforeStart,
    #[error("a schedule for zero times never happens")]
    ZeroCount,
    #[error("that schedule isn't one Tally can read: {0}")]
    Unreadable(String),
}

/// A rule anchored at a start date, with an optional end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    rule: Rule,
    start: NaiveDate,
    end: End,
}

impl Schedule {
    /// The first occurrence is the first date of the rule on or after `start`.
    pub fn new(rule: Rule, start: NaiveDate, end: End) -> Result<Schedule, ScheduleError> {
        let every = match rule {
            Rule::Daily { every }
            | Rule::Weekly { every, .. }
            | Rule::MonthlyOnDay { every, .. }
            | Rule::MonthlyLastDay { every }
            | Rule::MonthlyLastWorkingDay { every } => every,
            Rule::Yearly { .. } => 1,
        };
        if every == 0 {
            return Err(ScheduleError::ZeroInterval);
        }
        match rule {
            Rule::MonthlyOnDay { day, .. } if !(1..=31).contains(&day) => {
                return Err(ScheduleError::BadDay(day));
            }
            Rule::Yearly { month, day } if NaiveDate::from_ymd_opt(2024, month, day).is_none() => {
                return Err(ScheduleError::BadDate);
            }
            _ => {}
        }
        let schedule = Schedule { rule, start, end };
        match end {
            End::Count(0) => return Err(ScheduleError::ZeroCount),
            End::Until(until) if schedule.raw(0).is_none_or(|first| first > until) => {
                return Err(ScheduleError::EndsBeforeStart);
            }
            _ => {}
        }
        Ok(schedule)
    }

    pub fn rule(&self) -> Rule {
        self.rule
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> End {
        self.end
    }

    /// The date of occurrence `n` (from 0), or `None` once the schedule has ended.
    pub fn nth(&self, n: u32) -> Option<NaiveDate> {
        if let End::Count(count) = self.end
            && n >= count
        {
            return None;
        }
        let date = self.raw(n)?;
        match self.end {
            End::Until(until) if date > until => None,
            _ => Some(date),
        }
    }

    /// The index of the first occurrence on or after `date` (which may be past the end).
    ///
    /// Resuming a paused schedule starts here, so the dates it was paused for are not caught up.
    pub fn first_index_on_or_after(&self, date: NaiveDate) -> u32 {
        // Occurrences increase strictly with the index, so a binary search finds it.
        let (mut lo, mut hi) = (0u32, 1u32);
        while self.raw(hi).is_some_and(|d| d < date) {
            lo = hi;
            hi = match hi.checked_mul(2) {
                Some(h) => h,
                None => return u32::MAX,
            };
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.raw(mid).is_some_and(|d| d < date) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The next occurrence strictly after `date`, if the schedule has not ended.
    pub fn next_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        let next = date.succ_opt()?;
        self.nth(self.first_index_on_or_after(next))
    }

    /// The occurrences on `from..=to`, each with its index.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> Vec<(u32, NaiveDate)> {
        let mut out = Vec::new();
        let mut n = self.first_index_on_or_after(from);
        while let Some(d) = self.nth(n) {
            if d > to {
                break;
            }
            out.push((n, d));
            n = match n.checked_add(1) {
                Some(n) => n,
                None => break,
            };
        }
        out
    }

    /// How many times a year the rule falls, as a fraction (numerator, denominator), for
    /// the yearly cost `/recurring` shows. Daily uses 365 days and weekly 52 weeks.
    pub fn times_per_year(&self) -> (u32, u32) {
        match self.rule {
            Rule::Daily { every } => (365, every),
            Rule::Weekly { every, .. } => (52, every),
            Rule::MonthlyOnDay { every, .. }
            | Rule::MonthlyLastDay { every }
            | Rule::MonthlyLastWorkingDay { every } => (12, every),
            Rule::Yearly { .. } => (1, 1),
        }
    }

    /// The occurrence before any end is applied.
    fn raw(&self, n: u32) -> Option<NaiveDate> {
        let start = self.start;
        match self.rule {
            Rule::Daily { every } => {
                start.checked_add_days(Days::new(u64::from(n) * u64::from(every)))
            }
            Rule::Weekly { every, weekday } => {
                let ahead = (weekday.num_days_from_monday() + 7
                    - start.weekday().num_days_from_monday())
                    % 7;
                let first = start.checked_add_days(Days::new(u64::from(ahead)))?;
                first.checked_add_days(Days::new(u64::from(n) * 7 * u64::from(every)))
            }
            Rule::MonthlyOnDay { every, .. }
            | Rule::MonthlyLastDay { every }
            | Rule::MonthlyLastWorkingDay { every } => {
                let month_of_start = start.with_day(1)?;
                let first_month = if self.in_month(month_of_start)? >= start {
                    month_of_start
                } else {
                    month_of_start.checked_add_months(Months::new(1))?
                };
                let month = first_month.checked_add_months(Months::new(n.checked_mul(every)?))?;
                self.in_month(month)
            }
            Rule::Yearly { month, day } => {
                let on = |year: i32| {
                    NaiveDate::from_ymd_opt(year, month, day)
                        .or_else(|| NaiveDate::from_ymd_opt(year, month, day - 1))
                };
                let first_year = if on(start.year())? >= start {
                    start.year()
                } else {
                    start.year() + 1
                };
                on(first_year.checked_add(i32::try_from(n).ok()?)?)
            }
        }
    }

    /// The rule's day within the month that starts at `first`.
    fn in_month(&self, first: NaiveDate) -> Option<NaiveDate> {
        let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
        Some(match self.rule {
            Rule::MonthlyOnDay { day, .. } => first.with_day(day.min(last.day()))?,
            Rule::MonthlyLastDay { .. } => last,
            _ => {
                let back = match last.weekday() {
                    Weekday::Sat => 1,
                    Weekday::Sun => 2,
                    _ => 0,
                };
                last.checked_sub_days(Days::new(back))?
            }
        })
    }

    /// A compact text form for storage, read back by [`Schedule::from_code`]:
    /// `monthly/1/15;2027-01-15;count=12`.
    pub fn code(&self) -> String {
        let end = match self.end {
            End::Never => String::new(),
            End::Until(d) => format!(";until={d}"),
            End::Count(c) => format!(";count={c}"),
        };
        format!("{};{}{}", self.rule, self.start, end)
    }

    pub fn from_code(code: &str) -> Result<Schedule, ScheduleError> {
        let bad = || ScheduleError::Unreadable(code.to_string());
        let mut parts = code.split(';');
        let rule = parse_rule(parts.next().ok_or_else(bad)?).ok_or_else(bad)?;
        let start: NaiveDate = parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
        let end = match parts.next() {
            None => End::Never,
            Some(p) => match p.split_once('=') {
                Some(("until", d)) => End::Until(d.parse().map_err(|_| bad())?),
                Some(("count", c)) => End::Count(c.parse().map_err(|_| bad())?),
                _ => return Err(bad()),
            },
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Schedule::new(rule, start, end)
    }
}

impl fmt::Display for Rule {
    /// The rule part of [`Schedule::code`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Rule::Daily { every } => write!(f, "daily/{every}"),
            Rule::Weekly { every, weekday } => {
                write!(f, "weekly/{every}/{}", weekday.num_days_from_monday())
            }
            Rule::MonthlyOnDay { every, day } => write!(f, "monthly/{every}/{day}"),
            Rule::MonthlyLastDay { every } => write!(f, "monthly-last/{every}"),
            Rule::MonthlyLastWorkingDay { every } => write!(f, "monthly-last-working/{every}"),
            Rule::Yearly { month, day } => write!(f, "yearly/{month}/{day}"),
        }
    }
}

fn parse_rule(s: &str) -> Option<Rule> {
    let mut it = s.split('/');
    let kind = it.next()?;
    let mut num = || it.next()?.parse::<u32>().ok();
    let rule = match kind {
        "daily" => Rule::Daily { every: num()? },
        "weekly" => {
            let every = num()?;
            let weekday = Weekday::try_from(u8::try_from(num()?).ok()?).ok()?;
            Rule::Weekly { every, weekday }
        }
        "monthly" => {
            let every = num()?;
            Rule::MonthlyOnDay { every, day: num()? }
        }
        "monthly-last" => Rule::MonthlyLastDay { every: num()? },
        "monthly-last-working" => Rule::MonthlyLastWorkingDay { every: num()? },
        "yearly" => {
            let month = num()?;
            Rule::Yearly { month, day: num()? }
        }
        _ => return None,
    };
    if num().is_some() {
        return None;
    }
    Some(rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn dates(s: &Schedule, n: u32) -> Vec<String> {
        (0..n)
            .filter_map(|i| s.nth(i))
            .map(|d| d.to_string())
            .collect()
    }

    #[test]
    fn the_31st_means_the_last_day_in_shorter_months_and_returns_after() {
        let s = Schedule::new(
            Rule::MonthlyOnDay { every: 1, day: 31 },
            d("2027-01-31"),
            End::Never,
        )
        .unwrap();
        assert_eq!(
            dates(&s, 4),
            ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
        );
        let leap = Schedule::new(
            Rule::MonthlyOnDay { every: 1, day: 30 },
            d("2028-01-30"),
            End::Never,
        )
        .unwrap();
        assert_eq!(dates(&leap, 3), ["2028-01-30", "2028-02-29", "2028-03-30"]);
    }

    #[test]
    fn the_first_occurrence_is_on_or_after_the_start() {
        // "rent 1450 monthly on the 1st" said on 15 January first posts on 1 February.
        let rent = Schedule::new(
            Rule::MonthlyOnDay { every: 1, day: 1 },
            d("2027-01-15"),
            End::Never,
        )
        .unwrap();
        assert_eq!(rent.nth(0), Some(d("2027-02-01")));
        // "netflix every month" said on the 15th posts that day.
        let netflix = Schedule::new(
            Rule::MonthlyOnDay { every: 1, day: 15 },
            d("2027-01-15"),
            End::Never,
        )
        .unwrap();
        assert_eq!(netflix.nth(0), Some(d("2027-01-15")));
    }

    #[test]
    fn last_working_day_skips_weekends() {
        // 31 Jul 2027 is a Saturday, 31 Oct 2027 a Sunday.
        let s = Schedule::new(
            Rule::MonthlyLastWorkingDay { every: 1 },
            d("2027-07-01"),
            End::Never,
        )
        .unwrap();
        assert_eq!(
            dates(&s, 4),
            ["2027-07-30", "2027-08-31", "2027-09-30", "2027-10-29"]
        );
    }

    #[test]
    fn every_two_weeks_from_a_friday() {
        // 1 Dec 2026 is a Tuesday; the first Friday is the 4th.
        let s = Schedule::new(
            Rule::Weekly {
                every: 2,
                weekday: Weekday::Fri,
            },
            d("2026-12-01"),
            End::Never,
        )
        .unwrap();
        assert_eq!(dates(&s, 3), ["2026-12-04", "2026-12-18", "2027-01-01"]);
    }

    #[test]
    fn yearly_on_the_29th_of_february_falls_on_the_28th_in_common_years() {
        let s = Schedule::new(
            Rule::Yearly { month: 2, day: 29 },
            d("2027-01-01"),
            End::Never,
        )
        .unwrap();
        assert_eq!(dates(&s, 3), ["2027-02-28", "2028-02-29", "2029-02-28"]);
        let insurance = Schedule::new(
            Rule::Yearly { month: 3, day: 1 },
            d("2027-03-02"),
            End::Never,
        )
        .unwrap();
        assert_eq!(insurance.nth(0), Some(d("2028-03-01")));
    }

    #[test]
    fn ends_by_count_and_by_date() {
        let loan = Schedule::new(
            Rule::MonthlyOnDay { every: 1, day: 5 },
            d("2027-01-01"),
            End::Count(12),
        )
        .unwrap();
        assert_eq!(loan.nth(11), Some(d("2027-12-05")));
        assert_eq!(loan.nth(12), None);
        let allowance = Schedule::new(
            Rule::Weekly {
                every: 1,
                weekday: Weekday::Mon,
            },
            d("2027-05-17"),
            End::Until(d("2027-05-31")),
        )
        .unwrap();
        assert_eq!(
            dates(&allowance, 10),
            ["2027-05-17", "2027-05-24", "2027-05-31"]
        );
    }

    #[test]
    fn impossible_schedules_are_refused() {
        let start = d("2027-01-01");
        assert_eq!(
            Schedule::new(Rule::Daily { every: 0 }, start, End::Never),
            Err(ScheduleError::ZeroInterval)
        );
        assert_eq!(
            Schedule::new(Rule::MonthlyOnDay { every: 1, day: 32 }, start, End::Never),
            Err(ScheduleError::BadDay(32))
        );
        assert_eq!(
            Schedule::new(Rule::Yearly { month: 2, day: 30 }, start, End::Never),
            Err(ScheduleError::BadDate)
        );
        assert_eq!(
            Schedule::new(Rule::Daily { every: 1 }, start, End::Until(d("2026-12-31"))),
            Err(ScheduleError::EndsBeforeStart)
        );
        assert_eq!(
            Schedule::new(Rule::Daily { every: 1 }, start, End::Count(0)),
            Err(ScheduleError::ZeroCount)
        );
        assert!(Schedule::from_code("monthly/1;2027-01-01").is_err());
        assert!(Schedule::from_code("weekly/1/9;2027-01-01").is_err());
        assert!(Schedule::from_code("daily/1;2027-01-01;count=x").is_err());
    }

    #[test]
    fn catch_up_after_a_week_down_lists_each_day_once() {
        let s = Schedule::new(Rule::Daily { every: 1 }, d("2027-01-01"), End::Never).unwrap();
        let missed = s.between(d("2027-01-03"), d("2027-01-09"));
        assert_eq!(missed.len(), 7);
        assert_eq!(missed[0], (2, d("2027-01-03")));
        assert_eq!(missed[6], (8, d("2027-01-09")));
    }

    fn rule() -> impl Strategy<Value = Rule> {
        let weekday = (0u8..7).prop_map(|w| Weekday::try_from(w).unwrap());
        prop_oneof![
            (1u32..=30).prop_map(|every| Rule::Daily { every }),
            (1u32..=8, weekday).prop_map(|(every, weekday)| Rule::Weekly { every, weekday }),
            (1u32..=12, 1u32..=31).prop_map(|(every, day)| Rule::MonthlyOnDay { every, day }),
            (1u32..=12).prop_map(|every| Rule::MonthlyLastDay { every }),
            (1u32..=12).prop_map(|every| Rule::MonthlyLastWorkingDay { every }),
            (1u32..=12, 1u32..=31)
                .prop_filter("real day", |(m, day)| NaiveDate::from_ymd_opt(
                    2024, *m, *day
                )
                .is_some())
                .prop_map(|(month, day)| Rule::Yearly { month, day }),
        ]
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        // 2000..2040 covers leap years, including the century rule of 2000.
        (0u64..14_610).prop_map(|n| d("2000-01-01").checked_add_days(Days::new(n)).unwrap())
    }

    fn end() -> impl Strategy<Value = End> {
        prop_oneof![Just(End::Never), (1u32..40).prop_map(End::Count)]
    }

    proptest! {
        #[test]
        fn occurrences_rise_strictly_start_on_or_after_the_start_and_fit_the_rule(
            rule in rule(), start in date(), end in end(),
        ) {
            let s = Schedule::new(rule, start, end).unwrap();
            let all: Vec<NaiveDate> = (0..40).map_while(|i| s.nth(i)).collect();
            prop_assert!(all[0] >= start);
            prop_assert!(all.windows(2).all(|w| w[0] < w[1]));
            if let End::Count(c) = end { prop_assert_eq!(all.len() as u32, c.min(40)); }
            for (i, day) in all.iter().enumerate() {
                match rule {
                    Rule::Daily { every } => prop_assert_eq!((*day - all[0]).num_days(), i as i64 * i64::from(every)),
                    Rule::Weekly { weekday, .. } => prop_assert_eq!(day.weekday(), weekday),
                    Rule::MonthlyOnDay { day: want, .. } => {
                        let last = (day.checked_add_months(Months::new(1)).unwrap().with_day(1).unwrap().pred_opt().unwrap()).day();
                        prop_assert_eq!(day.day(), want.min(last));
                    }
                    Rule::MonthlyLastDay { .. } => prop_assert_eq!(day.succ_opt().unwrap().day(), 1),
                    Rule::MonthlyLastWorkingDay { .. } => {
                        prop_assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun));
                        let mut next = day.succ_opt().unwrap();
                        while next.day() != 1 {
                            prop_assert!(matches!(next.weekday(), Weekday::Sat | Weekday::Sun));
                            next = next.succ_opt().unwrap();
                        }
                    }
                    Rule::Yearly { month, .. } => prop_assert_eq!(day.month(), month),
                }
            }
            // Nothing of the rule is skipped between the start and the first occurrence.
            let mut earlier = start;
            while earlier < all[0] {
                let probe = Schedule::new(rule, earlier, End::Never).unwrap();
                prop_assert_eq!(probe.nth(0), Some(all[0]));
                earlier = earlier.succ_opt().unwrap();
                if (all[0] - earlier).num_days() > 400 { break; }
            }
        }

        #[test]
        fn first_index_and_between_agree_with_nth(rule in rule(), start in date(), probe in 0i64..800) {
            let s = Schedule::new(rule, start, End::Never).unwrap();
            let at = start.checked_add_days(Days::new(probe as u64)).unwrap();
            let i = s.first_index_on_or_after(at);
            prop_assert!(s.nth(i).unwrap() >= at);
            if i > 0 { prop_assert!(s.nth(i - 1).unwrap() < at); }
            let later = at.checked_add_days(Days::new(90)).unwrap();
            let listed = s.between(at, later);
            let expected: Vec<(u32, NaiveDate)> = (0..2000).map(|n| (n, s.nth(n).unwrap()))
                .filter(|(_, d)| *d >= at && *d <= later).collect();
            prop_assert_eq!(listed, expected);
        }

        #[test]
        fn the_storage_code_reads_back_to_the_same_schedule(
            rule in rule(), start in date(), end in end(),
        ) {
            let s = Schedule::new(rule, start, end).unwrap();
            prop_assert_eq!(Schedule::from_code(&s.code()), Ok(s));
        }
    }
}
