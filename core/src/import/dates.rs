//! Dates as banks write them: ISO, `d.m.y`, `d/m/y` or `m/d/y` (decided for the whole column),
//! `3 Nov 2026`, with or without a time after them.

use chrono::NaiveDate;

use crate::domain::DateOrder;

/// How a column's dates are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// `2026-11-03`, `2026/11/03`.
    Ymd,
    Dmy,
    Mdy,
}

impl DateStyle {
    pub fn label(self) -> &'static str {
        match self {
            DateStyle::Ymd => "year-month-day",
            DateStyle::Dmy => "day/month/year",
            DateStyle::Mdy => "month/day/year",
        }
    }
}

/// The three numbers of a numeric date, and whether it was written with dots (always day
/// first), or `None` when the cell is not one.
fn numbers(cell: &str) -> Option<([u32; 3], [usize; 3], char)> {
    // A time after the date (`2026-11-03T10:00`, `03.11.2026 10:00`) is left out.
    let date = cell.split(['T', ' ']).next()?.trim();
    let sep = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = date.split(sep).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut n = [0u32; 3];
    let mut len = [0usize; 3];
    for (i, p) in parts.iter().enumerate() {
        n[i] = p.parse().ok()?;
        len[i] = p.len();
    }
    Some((n, len, sep))
}

fn year(n: u32, len: usize) -> Option<i32> {
    match len {
        4 => i32::try_from(n).ok(),
        2 => i32::try_from(2000 + n).ok(),
        _ => None,
    }
}

/// A date written with a month's name: `3 Nov 2026`, `03-Nov-2026`, `Nov 3, 2026`.
fn named(cell: &str) -> Option<NaiveDate> {
    let cell = cell.trim();
    [
        "%d %b %Y",
        "%d-%b-%Y",
        "%b %d, %Y",
        "%d %B %Y",
        "%B %d, %Y",
        "%d-%b-%y",
    ]
    .iter()
    .find_map(|f| NaiveDate::parse_from_str(cell, f).ok())
}

/// Whether a cell looks like a date in any style (header detection, column guessing).
pub fn looks_like_date(cell: &str) -> bool {
    named(cell).is_some()
        || [DateStyle::Ymd, DateStyle::Dmy, DateStyle::Mdy]
            .into_iter()
            .any(|s| parse(cell, s).is_some())
}

/// The style of a column of dates: year first, or the day/month order a day above 12 shows,
/// else the account's order. `None` when some cell is no date at all.
pub fn style_of<'a>(cells: impl Iterator<Item = &'a str>, order: DateOrder) -> Option<DateStyle> {
    let mut day_first = false;
    let mut month_first = false;
    let mut year_first = false;
    for cell in cells {
        if named(cell).is_some() {
            continue;
        }
        let (n, len, sep) = numbers(cell)?;
        if len[0] == 4 {
            year_first = true;
        } else if sep == '.' || n[0] > 12 {
            day_first = true;
        } else if n[1] > 12 {
            month_first = true;
        }
    }
    Some(if year_first {
        DateStyle::Ymd
    } else if day_first && !month_first {
        DateStyle::Dmy
    } else if month_first && !day_first {
        DateStyle::Mdy
    } else {
        match order {
            DateOrder::Dmy => DateStyle::Dmy,
            DateOrder::Mdy => DateStyle::Mdy,
        }
    })
}

/// Reads one cell in the column's style.
pub fn parse(cell: &str, style: DateStyle) -> Option<NaiveDate> {
    if let Some(d) = named(cell) {
        return Some(d);
    }
    let (n, len, sep) = numbers(cell)?;
    let (y, m, d) = if len[0] == 4 {
        (i32::try_from(n[0]).ok()?, n[1], n[2])
    } else {
        let y = year(n[2], len[2])?;
        match style {
            _ if sep == '.' => (y, n[1], n[0]),
            DateStyle::Mdy => (y, n[0], n[1]),
            DateStyle::Dmy | DateStyle::Ymd => (y, n[1], n[0]),
        }
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn common_forms() {
        assert_eq!(parse("2026-11-03", DateStyle::Ymd), d(2026, 11, 3));
        assert_eq!(
            parse("2026-11-03T10:00:00Z", DateStyle::Ymd),
            d(2026, 11, 3)
        );
        assert_eq!(parse("03.11.2026", DateStyle::Mdy), d(2026, 11, 3));
        assert_eq!(parse("03.11.26", DateStyle::Dmy), d(2026, 11, 3));
        assert_eq!(parse("11/03/2026", DateStyle::Mdy), d(2026, 11, 3));
        assert_eq!(parse("03/11/2026", DateStyle::Dmy), d(2026, 11, 3));
        assert_eq!(parse("3 Nov 2026", DateStyle::Dmy), d(2026, 11, 3));
        assert_eq!(parse("Nov 3, 2026", DateStyle::Dmy), d(2026, 11, 3));
        assert_eq!(parse("2026-02-30", DateStyle::Ymd), None);
        assert_eq!(parse("lunch", DateStyle::Ymd), None);
        assert_eq!(parse("12.50", DateStyle::Ymd), None);
    }

    #[test]
    fn a_column_decides_its_order() {
        let cells = ["03/11/2026", "25/11/2026"];
        assert_eq!(
            style_of(cells.into_iter(), DateOrder::Mdy),
            Some(DateStyle::Dmy)
        );
        let cells = ["11/03/2026", "11/25/2026"];
        assert_eq!(
            style_of(cells.into_iter(), DateOrder::Dmy),
            Some(DateStyle::Mdy)
        );
        let cells = ["03/11/2026"];
        assert_eq!(
            style_of(cells.into_iter(), DateOrder::Dmy),
            Some(DateStyle::Dmy)
        );
        assert_eq!(style_of(["x"].into_iter(), DateOrder::Dmy), None);
    }
}
