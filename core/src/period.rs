//! Calendar periods: inclusive date ranges for queries, summaries, budgets and analytics.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// An inclusive range of calendar dates, `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// A range, with the ends swapped if they came in reverse.
    pub fn new(a: NaiveDate, b: NaiveDate) -> DateRange {
        if a <= b {
            DateRange { from: a, to: b }
        } else {
            DateRange { from: b, to: a }
        }
    }

    pub fn day(d: NaiveDate) -> DateRange {
        DateRange { from: d, to: d }
    }

    /// Monday to Sunday around `d`.
    pub fn week_of(d: NaiveDate) -> DateRange {
        let from = d - Days::new(u64::from(d.weekday().num_days_from_monday()));
        DateRange {
            from,
            to: from + Days::new(6),
        }
    }

    pub fn month_of(d: NaiveDate) -> DateRange {
        let from = first_of_month(d.year(), d.month());
        DateRange {
            from,
            to: last_of_month(from),
        }
    }

    pub fn quarter_of(d: NaiveDate) -> DateRange {
        let first_month = (d.month0() / 3) * 3 + 1;
        let from = first_of_month(d.year(), first_month);
        let to = last_of_month(from + Months::new(2));
        DateRange { from, to }
    }

    pub fn year_of(d: NaiveDate) -> DateRange {
        DateRange {
            from: NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
            to: NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(d),
        }
    }

    /// The `n` days ending with `today` (`last 7 days` is today and the six before).
    pub fn last_days(today: NaiveDate, n: u32) -> DateRange {
        let back = u64::from(n.max(1) - 1);
        DateRange {
            from: today
                .checked_sub_days(Days::new(back))
                .unwrap_or(NaiveDate::MIN),
            to: today,
        }
    }

    pub fn this_month(today: NaiveDate) -> DateRange {
        DateRange::month_of(today)
    }

    pub fn last_month(today: NaiveDate) -> DateRange {
        DateRange::month_of(DateRange::month_of(today).from - Days::new(1))
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// Number of days in the range, both ends counted.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The same range moved back by whole calendar months (for "the previous three months").
    pub fn months_before(&self, months: u32) -> DateRange {
        let from = self.from - Months::new(months);
        DateRange {
            from,
            to: last_of_month(self.to - Months::new(months)),
        }
    }

    /// A short human label: `November 2026`, `2026-11-23 – 2026-11-29`, `Q4 2026`, `2026`.
    pub fn label(&self) -> String {
        if *self == DateRange::month_of(self.from) {
            return self.from.format("%B %Y").to_string();
        }
        if *self == DateRange::year_of(self.from) {
            return self.from.format("%Y").to_string();
        }
        if *self == DateRange::quarter_of(self.from) {
            return format!("Q{} {}", self.from.month0() / 3 + 1, self.from.year());
        }
        if self.from == self.to {
            return self.from.format("%a %-d %b %Y").to_string();
        }
        format!(
            "{} – {}",
            self.from.format("%-d %b"),
            self.to.format("%-d %b %Y")
        )
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Whether `days_elapsed` days of a `days_total`-day period are enough to extrapolate spending
/// from: a sixth of the period, and at least two days. Before that one purchase is the whole
/// "pace" (a $23 lunch on the 1st projects to $713 for the month), which is noise, not news;
/// a sixth gives a month five days behind it and a week two. Budgets and the pace advice share
/// the rule, so they never disagree about whether there is a pace yet.
pub fn enough_to_project(days_elapsed: i64, days_total: i64) -> bool {
    days_elapsed >= (days_total / 6).max(2)
}

pub fn first_of_month(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

pub fn last_of_month(d: NaiveDate) -> NaiveDate {
    let first = first_of_month(d.year(), d.month());
    (first + Months::new(1)) - Days::new(1)
}

/// The latest date on or before `today` that falls on `weekday`.
pub fn latest_weekday(today: NaiveDate, weekday: Weekday) -> NaiveDate {
    let back = (7 + today.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    today - Days::new(u64::from(back))
}

/// How often a budget resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetPeriod {
    Week,
    Month,
    Year,
}

impl BudgetPeriod {
    pub fn as_str(&self) -> &'static str {
        match self {
            BudgetPeriod::Week => "week",
            BudgetPeriod::Month => "month",
            BudgetPeriod::Year => "year",
        }
    }

    pub fn range_containing(&self, d: NaiveDate) -> DateRange {
        match self {
            BudgetPeriod::Week => DateRange::week_of(d),
            BudgetPeriod::Month => DateRange::month_of(d),
            BudgetPeriod::Year => DateRange::year_of(d),
        }
    }

    /// `weekly`, `monthly`, `yearly`: for sentences.
    pub fn adjective(&self) -> &'static str {
        match self {
            BudgetPeriod::Week => "weekly",
            BudgetPeriod::Month => "monthly",
            BudgetPeriod::Year => "yearly",
        }
    }
}

impl FromStr for BudgetPeriod {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "week" | "weekly" | "w" => Ok(BudgetPeriod::Week),
            "month" | "monthly" | "m" => Ok(BudgetPeriod::Month),
            "year" | "yearly" | "annual" | "annually" | "y" => Ok(BudgetPeriod::Year),
            _ => Err(()),
        }
    }
}

/// The size of the buckets in savings analytics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Month,
    Quarter,
    Year,
}

impl Granularity {
    pub fn range_containing(&self, d: NaiveDate) -> DateRange {
        match self {
            Granularity::Month => DateRange::month_of(d),
            Granularity::Quarter => DateRange::quarter_of(d),
            Granularity::Year => DateRange::year_of(d),
        }
    }

    /// The bucket's label: `2026-10`, `2026-Q4` or `2026`.
    pub fn label(&self, d: NaiveDate) -> String {
        match self {
            Granularity::Month => d.format("%Y-%m").to_string(),
            Granularity::Quarter => format!("{}-Q{}", d.year(), d.month0() / 3 + 1),
            Granularity::Year => d.year().to_string(),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
            Granularity::Year => "year",
        }
    }

    /// Every bucket overlapping `range`, in order.
    pub fn buckets(&self, range: DateRange) -> Vec<DateRange> {
        let mut out = Vec::new();
        let mut cursor = self.range_containing(range.from);
        while cursor.from <= range.to {
            out.push(cursor);
            match cursor.to.succ_opt() {
                Some(next) => cursor = self.range_containing(next),
                None => break,
            }
        }
        out
    }
}

impl FromStr for Granularity {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "month" | "monthly" | "months" => Ok(Granularity::Month),
            "quarter" | "quarterly" | "quarters" => Ok(Granularity::Quarter),
            "year" | "yearly" | "annual" | "years" => Ok(Granularity::Year),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn spec_periods() {
        let today = d("2026-11-24");
        assert_eq!(
            DateRange::week_of(today),
            DateRange::new(d("2026-11-23"), d("2026-11-29"))
        );
        assert_eq!(
            DateRange::month_of(today),
            DateRange::new(d("2026-11-01"), d("2026-11-30"))
        );
        assert_eq!(
            DateRange::last_month(today),
            DateRange::new(d("2026-10-01"), d("2026-10-31"))
        );
        assert_eq!(
            DateRange::quarter_of(today),
            DateRange::new(d("2026-10-01"), d("2026-12-31"))
        );
        assert_eq!(
            DateRange::year_of(today),
            DateRange::new(d("2026-01-01"), d("2026-12-31"))
        );
        assert_eq!(
            DateRange::last_days(today, 7),
            DateRange::new(d("2026-11-18"), d("2026-11-24"))
        );
        assert_eq!(
            DateRange::last_days(today, 30),
            DateRange::new(d("2026-10-26"), d("2026-11-24"))
        );
        assert_eq!(DateRange::month_of(d("2024-02-10")).to, d("2024-02-29"));
    }

    #[test]
    fn weekdays_resolve_backwards() {
        let today = d("2026-11-24"); // a Tuesday
        assert_eq!(latest_weekday(today, Weekday::Mon), d("2026-11-23"));
        assert_eq!(latest_weekday(today, Weekday::Tue), today);
        assert_eq!(latest_weekday(today, Weekday::Wed), d("2026-11-18"));
    }

    #[test]
    fn buckets_cover_a_range_in_order() {
        let range = DateRange::new(d("2026-01-15"), d("2026-11-24"));
        let months = Granularity::Month.buckets(range);
        assert_eq!(months.len(), 11);
        assert_eq!(Granularity::Month.label(months[9].from), "2026-10");
        let quarters = Granularity::Quarter.buckets(range);
        assert_eq!(quarters.len(), 4);
        assert_eq!(Granularity::Quarter.label(quarters[3].from), "2026-Q4");
        assert_eq!(Granularity::Year.buckets(range).len(), 1);
    }

    #[test]
    fn labels_read_well() {
        assert_eq!(
            DateRange::month_of(d("2026-11-03")).label(),
            "November 2026"
        );
        assert_eq!(DateRange::quarter_of(d("2026-11-03")).label(), "Q4 2026");
        assert_eq!(DateRange::year_of(d("2026-11-03")).label(), "2026");
    }
}
