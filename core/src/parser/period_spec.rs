//! A period as a command argument names it (`last-month`, `october 2025`, `last 30 days`), read
//! once when the command is built and placed on the calendar when it runs.
//!
//! The words are the period grammar's own (`periods`, `dates`); what differs from free text is
//! that an argument is all period, so every word must belong to it, and that the reading keeps
//! the form (`last month`) rather than the dates, which depend on the user's today.

use chrono::{Days, Months, NaiveDate, Weekday};

use crate::domain::DateOrder;
use crate::period::{DateRange, latest_weekday};

use super::dates::{self, month_word, weekday_word};
use super::periods::{count_word, quarter_word, rolling, year_token};
use super::tokens::{Token, TokenKind};

/// What a period argument says, before today is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodSpec {
    /// The current one (`this-month`, `this week`, `ytd`, `monthly`).
    This(CalendarUnit),
    /// The whole one before the current (`last-month`, `last week`).
    Previous(CalendarUnit),
    /// The last `count` days up to and including today (`last 30 days`, `past 2 weeks`).
    TrailingDays(u32),
    /// The last `count` months up to and including today (`last 3 months`, `past year`).
    TrailingMonths(u32),
    /// A named month: with a year, that one; without, the latest that has begun (`october`).
    Month {
        month: u32,
        year: Option<i32>,
    },
    /// `last october`: the latest October before this month.
    MonthBeforeThis(u32),
    /// `q3`, `q3 2025`: without a year, the latest that has begun.
    Quarter {
        quarter: u32,
        year: Option<i32>,
    },
    Year(i32),
    /// A single day (`yesterday`, `2026-11-02`, `nov 3`).
    Day(DaySpec),
    /// `2026-11-01..2026-11-15`, `nov 1 to nov 15`: both days included.
    Between(DaySpec, DaySpec),
    /// `since october`: from the start of that period up to today.
    Since(Box<PeriodSpec>),
}

/// The calendar units a period can be the current or the previous one of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarUnit {
    Week,
    /// Saturday and Sunday of the week.
    Weekend,
    Month,
    Quarter,
    Year,
}

/// A day as an argument names it, before today is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaySpec {
    /// `today` is 0, `yesterday` 1, `3 days ago` 3, `a week ago` 7.
    DaysAgo(u32),
    /// `2 months ago`, `a year ago` (12).
    MonthsAgo(u32),
    /// `monday` (the latest, today included), `last monday` (the latest before today).
    Weekday { day: Weekday, before_today: bool },
    /// `nov 3`, `3 november 2025`: without a year, the latest that is not ahead of today.
    MonthDay {
        month: u32,
        day: u32,
        year: Option<i32>,
    },
    /// `the 3rd`: the latest 3rd of a month not ahead of today.
    DayOfMonth(u32),
    /// `2026-11-02`.
    Date(NaiveDate),
    /// `11/15`, `3/11/2026`: which number is the month is the user's date order.
    Slashed { parts: [u32; 3], len: u8 },
}

/// The forms a period argument may take, for the message that refuses one.
pub const PERIOD_FORMS: &str = "this-month, last-month, this-week, this-year, october, \
                                october-2025, q3, 2025, last-30-days, yesterday, 2026-11-02 \
                                or 2026-11-01..2026-11-15";

impl PeriodSpec {
    /// The dates this period covers for someone whose today is `today`; `None` for a day the
    /// calendar does not have (`feb 30`) or a range that ends before it starts.
    pub fn resolve(&self, today: NaiveDate) -> Option<DateRange> {
        Some(match self {
            PeriodSpec::This(unit) => this(*unit, today)?,
            PeriodSpec::Previous(unit) => previous(*unit, today)?,
            PeriodSpec::TrailingDays(n) => rolling(today, *n, "day")?,
            PeriodSpec::TrailingMonths(n) => rolling(today, *n, "month")?,
            PeriodSpec::Month {
                month,
                year: Some(y),
            } => DateRange::month_of(NaiveDate::from_ymd_opt(*y, *month, 1)?),
            PeriodSpec::Month { month, year: None } => {
                let this_year = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), *month, 1)?;
                if this_year <= today {
                    DateRange::month_of(this_year)
                } else {
                    DateRange::month_of(this_year.checked_sub_months(Months::new(12))?)
                }
            }
            PeriodSpec::MonthBeforeThis(month) => {
                let first = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), *month, 1)?;
                if *month < chrono::Datelike::month(&today) {
                    DateRange::month_of(first)
                } else {
                    DateRange::month_of(first.checked_sub_months(Months::new(12))?)
                }
            }
            PeriodSpec::Quarter { quarter, year } => {
                let first = |y: i32| NaiveDate::from_ymd_opt(y, (quarter - 1) * 3 + 1, 1);
                let start = match year {
                    Some(y) => first(*y)?,
                    None => match first(chrono::Datelike::year(&today))? {
                        d if d <= today => d,
                        d => d.checked_sub_months(Months::new(12))?,
                    },
                };
                DateRange::quarter_of(start)
            }
            PeriodSpec::Year(y) => DateRange::year_of(NaiveDate::from_ymd_opt(*y, 1, 1)?),
            PeriodSpec::Day(day) => DateRange::day(day.resolve(today)?),
            PeriodSpec::Between(from, to) => {
                let (from, to) = (from.resolve(today)?, to.resolve(today)?);
                if to < from {
                    return None;
                }
                DateRange::new(from, to)
            }
            PeriodSpec::Since(inner) => {
                let range = inner.resolve(today)?;
                if range.from <= today {
                    DateRange::new(range.from, today)
                } else {
                    range
                }
            }
        })
    }

    /// Reads a whole argument (`this-month`, `last_30_days`: dashes outside a date and
    /// underscores are spaces); `None` when any word is not part of a period.
    pub(crate) fn read(tokens: &[Token<'_>]) -> Option<PeriodSpec> {
        let mut at = 0;
        while at < tokens.len() && is_filler(tokens[at].word()) {
            at += 1;
        }
        let tokens = &tokens[at..];
        if tokens.first().is_some_and(|t| t.word() == "since") {
            return match read_plain(&tokens[1..])? {
                PeriodSpec::Between(..) => None,
                inner => Some(PeriodSpec::Since(Box::new(inner))),
            };
        }
        read_plain(tokens)
    }
}

impl DaySpec {
    /// The date for someone whose today is `today`, reading `11/3` month first.
    pub fn resolve(&self, today: NaiveDate) -> Option<NaiveDate> {
        self.resolve_in(today, DateOrder::Mdy)
    }

    /// The date for someone whose today is `today` and who writes dates in `order`.
    pub fn resolve_in(&self, today: NaiveDate, order: DateOrder) -> Option<NaiveDate> {
        match *self {
            DaySpec::DaysAgo(n) => today.checked_sub_days(Days::new(u64::from(n))),
            DaySpec::MonthsAgo(n) => today.checked_sub_months(Months::new(n)),
            DaySpec::Weekday { day, before_today } => {
                let from = if before_today {
                    today.checked_sub_days(Days::new(1))?
                } else {
                    today
                };
                Some(latest_weekday(from, day))
            }
            DaySpec::MonthDay { month, day, year } => dates::month_day(today, month, day, year),
            DaySpec::DayOfMonth(d) => dates::latest_day_of_month(today, d),
            DaySpec::Date(d) => Some(d),
            DaySpec::Slashed { parts, len } => dates::slashed(parts, len, false, order, today),
        }
    }

    /// Reads a whole argument as one day (`yesterday`, `2026-11-02`, `nov 3`, `the 3rd`).
    pub(crate) fn read(tokens: &[Token<'_>]) -> Option<DaySpec> {
        let mut at = 0;
        while at < tokens.len() && matches!(tokens[at].word(), "on" | "the" | "of") {
            at += 1;
        }
        read_day(&tokens[at..])
    }
}

/// Words that may introduce a period without changing it (`for last month`, `in october`).
fn is_filler(w: &str) -> bool {
    matches!(w, "in" | "for" | "during" | "of" | "over" | "from" | "on")
}

fn this(unit: CalendarUnit, today: NaiveDate) -> Option<DateRange> {
    Some(match unit {
        CalendarUnit::Week => DateRange::week_of(today),
        CalendarUnit::Weekend => {
            let week = DateRange::week_of(today);
            DateRange::new(week.from.checked_add_days(Days::new(5))?, week.to)
        }
        CalendarUnit::Month => DateRange::month_of(today),
        CalendarUnit::Quarter => DateRange::quarter_of(today),
        CalendarUnit::Year => DateRange::year_of(today),
    })
}

fn previous(unit: CalendarUnit, today: NaiveDate) -> Option<DateRange> {
    Some(match unit {
        CalendarUnit::Week => DateRange::week_of(today.checked_sub_days(Days::new(7))?),
        CalendarUnit::Weekend => {
            let sat = DateRange::week_of(today)
                .from
                .checked_sub_days(Days::new(2))?;
            DateRange::new(sat, sat.checked_add_days(Days::new(1))?)
        }
        CalendarUnit::Month => DateRange::last_month(today),
        CalendarUnit::Quarter => DateRange::quarter_of(
            DateRange::quarter_of(today)
                .from
                .checked_sub_days(Days::new(1))?,
        ),
        CalendarUnit::Year => DateRange::year_of(NaiveDate::from_ymd_opt(
            chrono::Datelike::year(&today) - 1,
            1,
            1,
        )?),
    })
}

fn unit_of(w: &str) -> Option<CalendarUnit> {
    Some(match w {
        "week" | "wk" => CalendarUnit::Week,
        "weekend" => CalendarUnit::Weekend,
        "month" | "mo" => CalendarUnit::Month,
        "quarter" | "qtr" => CalendarUnit::Quarter,
        "year" | "yr" => CalendarUnit::Year,
        _ => return None,
    })
}

/// A number of days or months a unit word stands for: `(days, months)`.
fn trailing(n: u32, unit: &str) -> Option<PeriodSpec> {
    Some(match unit {
        "day" | "days" => PeriodSpec::TrailingDays(n),
        "week" | "weeks" | "wk" | "wks" => PeriodSpec::TrailingDays(n.checked_mul(7)?),
        "month" | "months" | "mo" | "mos" => PeriodSpec::TrailingMonths(n),
        "year" | "years" | "yr" | "yrs" => PeriodSpec::TrailingMonths(n.checked_mul(12)?),
        _ => return None,
    })
}

fn read_plain(tokens: &[Token<'_>]) -> Option<PeriodSpec> {
    let words: Vec<&str> = tokens.iter().map(|t| t.word()).collect();
    // `nov 1 to nov 15` (and `2026-11-01..2026-11-15`, whose dots arrive as `to`).
    if let Some(split) = tokens.iter().position(|t| t.word() == "to")
        && let (Some(from), Some(to)) = (
            DaySpec::read(&tokens[..split]),
            DaySpec::read(&tokens[split + 1..]),
        )
    {
        return Some(PeriodSpec::Between(from, to));
    }
    let spec = match words.as_slice() {
        ["this" | "current" | "the", unit] | ["so", "far", "this", unit]
            if unit_of(unit).is_some() =>
        {
            PeriodSpec::This(unit_of(unit)?)
        }
        ["this" | "the", "past", "week"] | ["past", "week" | "wk"] => PeriodSpec::TrailingDays(7),
        ["past", "month"] => PeriodSpec::TrailingDays(30),
        ["past", "year"] => PeriodSpec::TrailingMonths(12),
        ["last" | "previous" | "prev" | "past", _, unit] if count_word(tokens.get(1)).is_some() => {
            trailing(count_word(tokens.get(1))?, unit)?
        }
        ["last" | "previous" | "prev" | "past", next] => match (unit_of(next), month_word(next)) {
            (Some(unit), _) => PeriodSpec::Previous(unit),
            (None, Some(m)) => PeriodSpec::MonthBeforeThis(m),
            (None, None) => return DaySpec::read(tokens).map(PeriodSpec::Day),
        },
        ["ytd"] | ["year", "to", "date"] => PeriodSpec::This(CalendarUnit::Year),
        ["mtd"] | ["month", "to", "date"] => PeriodSpec::This(CalendarUnit::Month),
        ["daily"] => PeriodSpec::Day(DaySpec::DaysAgo(0)),
        ["weekly"] => PeriodSpec::This(CalendarUnit::Week),
        ["monthly"] => PeriodSpec::This(CalendarUnit::Month),
        ["quarterly"] => PeriodSpec::This(CalendarUnit::Quarter),
        ["yearly" | "annual" | "annually"] => PeriodSpec::This(CalendarUnit::Year),
        [q] | [q, ""] if quarter_word(q).is_some() => PeriodSpec::Quarter {
            quarter: quarter_word(q)?,
            year: match tokens.get(1) {
                Some(t) => Some(year_token(Some(t))?),
                None => None,
            },
        },
        [m] if month_word(m).is_some() => PeriodSpec::Month {
            month: month_word(m)?,
            year: None,
        },
        [m, ""] if month_word(m).is_some() && year_token(tokens.get(1)).is_some() => {
            PeriodSpec::Month {
                month: month_word(m)?,
                year: year_token(tokens.get(1)),
            }
        }
        [""] if year_token(tokens.first()).is_some() => {
            PeriodSpec::Year(year_token(tokens.first())?)
        }
        _ => return DaySpec::read(tokens).map(PeriodSpec::Day),
    };
    Some(spec)
}

/// A small count written as digits or words (`2`, `two`, `a`, `couple`), up to ten years of days.
fn day_count(tokens: &[Token<'_>]) -> Option<(u32, usize)> {
    let word = |k: usize| tokens.get(k).map_or("", |t| t.word());
    match (word(0), word(1)) {
        ("a" | "an", "couple") => Some((2, 2)),
        ("couple", _) => Some((2, 1)),
        ("an", _) => Some((1, 1)),
        _ => count_word(tokens.first()).map(|n| (n, 1)),
    }
}

/// The number of a day of the month: an ordinal (`3rd`) or a bare number up to 31.
fn day_number(t: Option<&Token<'_>>) -> Option<u32> {
    let d = match t?.kind {
        TokenKind::Ordinal(d) => d,
        TokenKind::Number(n) if n.int_digits <= 2 => n.int?,
        _ => return None,
    };
    (1..=31).contains(&d).then_some(d)
}

fn read_day(tokens: &[Token<'_>]) -> Option<DaySpec> {
    let words: Vec<&str> = tokens.iter().map(|t| t.word()).collect();
    let day = match words.as_slice() {
        ["today" | "tonight" | "tonite"] => DaySpec::DaysAgo(0),
        ["yesterday" | "yday" | "yest" | "ystd"] | ["last", "night" | "nite" | "evening"] => {
            DaySpec::DaysAgo(1)
        }
        ["the", "day", "before", "yesterday"] | ["day", "before", "yesterday"] => {
            DaySpec::DaysAgo(2)
        }
        ["last" | "past" | "previous", w] if weekday_word(w).is_some() => DaySpec::Weekday {
            day: weekday_word(w)?.0,
            before_today: true,
        },
        ["this", w] | [w] if weekday_word(w).is_some() => DaySpec::Weekday {
            day: weekday_word(w)?.0,
            before_today: false,
        },
        [.., "ago" | "back" | "before"] => {
            let (n, mut k) = day_count(tokens)?;
            if words.get(k) == Some(&"of") {
                k += 1;
            }
            if k + 2 != words.len() {
                return None;
            }
            match words[k] {
                "day" | "days" => DaySpec::DaysAgo(n),
                "week" | "weeks" | "wk" | "wks" => DaySpec::DaysAgo(n.checked_mul(7)?),
                "month" | "months" => DaySpec::MonthsAgo(n),
                "year" | "years" => DaySpec::MonthsAgo(n.checked_mul(12)?),
                _ => return None,
            }
        }
        // nov 3, november 3rd, nov 3 2025, november the 3rd
        [m, rest @ ..] if month_word(m).is_some() && !rest.is_empty() => {
            let mut k = 1;
            if words.get(k) == Some(&"the") {
                k += 1;
            }
            let day = day_number(tokens.get(k))?;
            k += 1;
            if tokens.get(k).is_some_and(|t| t.is_punct(',')) {
                k += 1;
            }
            let year = match tokens.get(k) {
                Some(t) => Some(year_token(Some(t))?),
                None => None,
            };
            if k + usize::from(year.is_some()) != tokens.len() {
                return None;
            }
            DaySpec::MonthDay {
                month: month_word(m)?,
                day,
                year,
            }
        }
        _ => return read_numeric_day(tokens),
    };
    Some(day)
}

/// `3 november`, `3rd of november 2025`, `the 28th`, `2026-11-02`, `11/15` (month first).
fn read_numeric_day(tokens: &[Token<'_>]) -> Option<DaySpec> {
    let word = |k: usize| tokens.get(k).map_or("", |t| t.word());
    if let [t] = tokens
        && let TokenKind::DateLit { parts, len, iso } = t.kind
    {
        if iso {
            let date = NaiveDate::from_ymd_opt(i32::try_from(parts[0]).ok()?, parts[1], parts[2]);
            return (len == 3).then_some(DaySpec::Date(date?));
        }
        // Some reading must be a day of some year (2000 has a 29 February).
        let year = if len == 3 { parts[2] } else { 2000 };
        let year = i32::try_from(if year < 100 { year + 2000 } else { year }).ok()?;
        let valid = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).is_some();
        return (valid(parts[0], parts[1]) || valid(parts[1], parts[0]))
            .then_some(DaySpec::Slashed { parts, len });
    }
    let day = day_number(tokens.first())?;
    let mut k = 1;
    if word(k) == "of" {
        k += 1;
    }
    match month_word(word(k)) {
        Some(month) => {
            let year = year_token(tokens.get(k + 1));
            (k + 1 + usize::from(year.is_some()) == tokens.len()).then_some(DaySpec::MonthDay {
                month,
                day,
                year,
            })
        }
        None => (tokens.len() == 1 && matches!(tokens[0].kind, TokenKind::Ordinal(_)))
            .then_some(DaySpec::DayOfMonth(day)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::Parser;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default()
    }

    fn range(text: &str) -> Option<(String, String)> {
        let spec = Parser::new().read_period(text)?;
        let r = spec.resolve(today())?;
        Some((r.from.to_string(), r.to.to_string()))
    }

    /// Each argument form reads to the same dates the free-text grammar gives it.
    #[test]
    fn arguments_resolve_like_the_period_grammar() {
        let parser = Parser::new();
        for text in [
            "this-month",
            "last-month",
            "this_week",
            "last week",
            "this-quarter",
            "last-quarter",
            "this-year",
            "last-year",
            "october",
            "in december",
            "may",
            "oct",
            "october 2025",
            "last october",
            "q3",
            "q1 2025",
            "2025",
            "last 7 days",
            "last-30-days",
            "past week",
            "past month",
            "last two weeks",
            "last 3 months",
            "since october",
            "ytd",
            "so far this month",
            "this weekend",
            "last weekend",
            "today",
            "yesterday",
            "the day before yesterday",
            "2 days ago",
            "monday",
            "last friday",
            "nov 3",
            "the 28th",
            "2026-11-02",
            "11/15",
            "weekly",
        ] {
            let want = parser.parse_period(text, today());
            let got = parser.read_period(text).and_then(|s| s.resolve(today()));
            assert!(want.is_some(), "the grammar reads {text}");
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn ranges_and_refusals() {
        // A day and its month: the day (free text reads the month, `in 3 november`).
        assert_eq!(
            range("3 november"),
            Some(("2026-11-03".into(), "2026-11-03".into()))
        );
        assert_eq!(
            range("2026-11-01..2026-11-15"),
            Some(("2026-11-01".into(), "2026-11-15".into()))
        );
        assert_eq!(
            range("nov 1 to nov 15"),
            Some(("2026-11-01".into(), "2026-11-15".into()))
        );
        // Backwards, or a day the calendar lacks: read, but no dates.
        assert_eq!(range("2026-11-15..2026-11-01"), None);
        assert_eq!(range("feb 30"), None);
        let parser = Parser::new();
        for bad in [
            "the age of aquarius",
            "soon",
            "last month please",
            "q5",
            "",
            "13/13",
        ] {
            assert_eq!(parser.read_period(bad), None, "{bad}");
        }
        assert_eq!(
            parser.read_period("last-month"),
            Some(PeriodSpec::Previous(CalendarUnit::Month))
        );
    }
}
