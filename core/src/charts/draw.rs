//! Layout and drawing, the same for every backend (PNG and SVG).
//!
//! Positions are computed in integer pixels from integer minor units: money never becomes a
//! float, not even on its way to a pixel.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::*;
use super::{BarChart, BurnDownChart, Chart, ChartError, MAX_BARS, PeriodChart, SeriesChart};
use crate::money::{Currency, Money};

pub const BAR_TOP: u32 = 120;
pub const BAR_ROW: u32 = 64;
pub const BAR_BOTTOM: u32 = 40;

const LEFT: i32 = 40;
const TITLE_SIZE: u32 = 38;
const LABEL_SIZE: u32 = 26;
const SMALL_SIZE: u32 = 22;

type Area<DB> = DrawingArea<DB, Shift>;

fn fail<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Drawing(format!("{e:?}"))
}

pub fn draw<DB: DrawingBackend>(backend: DB, chart: &Chart) -> Result<(), ChartError> {
    let area = backend.into_drawing_area();
    area.fill(&BACKGROUND).map_err(fail)?;
    match chart {
        Chart::Bars(b) => bars(&area, b)?,
        Chart::Periods(p) => periods(&area, p)?,
        Chart::Series(s) => series(&area, s)?,
        Chart::BurnDown(b) => burn_down(&area, b)?,
    }
    area.present().map_err(fail)
}

fn style(size: u32, color: RGBColor) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&color)
}

fn text<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    at: (i32, i32),
    style: &TextStyle<'static>,
    h: HPos,
) -> Result<(), ChartError> {
    let style = style.pos(Pos::new(h, VPos::Center));
    area.draw(&Text::new(s.to_string(), at, style))
        .map_err(fail)
}

/// `s`, shortened with an ellipsis until it fits in `max_px`.
fn fit<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    style: &TextStyle<'static>,
    max_px: u32,
) -> String {
    let width = |t: &str| area.estimate_text_size(t, style).map_or(0, |(w, _)| w);
    if width(s) <= max_px {
        return s.to_string();
    }
    let mut chars: Vec<char> = s.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if width(&candidate) <= max_px {
            return candidate;
        }
    }
    "…".into()
}

fn title<DB: DrawingBackend>(area: &Area<DB>, s: &str) -> Result<(), ChartError> {
    let style = style(TITLE_SIZE, TEXT);
    let (w, _) = area.dim_in_pixel();
    let s = fit(area, s, &style, w - 2 * LEFT as u32);
    text(area, &s, (LEFT, 44), &style, HPos::Left)
}

/// `part × length ÷ whole`, in whole pixels; 0 when `whole` is not positive.
fn scale(part: i128, length: i32, whole: i128) -> i32 {
    if whole <= 0 {
        return 0;
    }
    i32::try_from(part.saturating_mul(i128::from(length)) / whole).unwrap_or(length)
}

fn minor(m: Money) -> i128 {
    m.minor()
}

/// A figure as the replies show it.
fn shown(minor: i128, currency: Currency) -> String {
    Money::total(minor, currency).to_string()
}

/// An axis label without its zero minor units: `$4,000` rather than `$4,000.00`.
fn whole(shown: String) -> String {
    match shown.split_once('.') {
        Some((units, rest)) => {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if digits.chars().all(|c| c == '0') {
                format!("{units}{}", &rest[digits.len()..])
            } else {
                shown
            }
        }
        None => shown,
    }
}

/// The rows of a bar chart: largest first, the tail folded into "Other".
pub(super) fn bar_rows(items: &[(String, Money)]) -> Vec<(String, i128)> {
    let mut rows: Vec<(String, i128)> = items
        .iter()
        .filter(|(_, m)| m.minor() > 0)
        .map(|(l, m)| (l.clone(), minor(*m)))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if rows.len() > MAX_BARS {
        let tail: Vec<(String, i128)> = rows.split_off(MAX_BARS - 1);
        let sum = tail.iter().map(|r| r.1).sum();
        rows.push((format!("{} more", tail.len()), sum));
    }
    rows
}

fn bars<DB: DrawingBackend>(area: &Area<DB>, b: &BarChart) -> Result<(), ChartError> {
    let rows = bar_rows(&b.items);
    let total: i128 = rows.iter().map(|r| r.1).sum();
    let max = rows.first().map_or(0, |r| r.1);
    title(area, &b.title)?;
    text(
        area,
        &format!("Total {}", shown(total, b.currency)),
        (LEFT, 88),
        &style(LABEL_SIZE, MUTED),
        HPos::Left,
    )?;
    let label_style = style(LABEL_SIZE, TEXT);
    let value_style = style(LABEL_SIZE, MUTED);
    let bar_left = 330;
    let bar_room = super::WIDTH as i32 - bar_left - 250;
    for (i, (label, value)) in rows.iter().enumerate() {
        let top = (BAR_TOP + i as u32 * BAR_ROW) as i32;
        let mid = top + BAR_ROW as i32 / 2;
        let label = fit(area, label, &label_style, (bar_left - LEFT - 16) as u32);
        text(area, &label, (LEFT, mid), &label_style, HPos::Left)?;
        let len = scale(*value, bar_room, max).max(3);
        area.draw(&Rectangle::new(
            [
                (bar_left, top + 12),
                (bar_left + len, top + BAR_ROW as i32 - 12),
            ],
            BAR.filled(),
        ))
        .map_err(fail)?;
        let percent = (value * 1000 / total.max(1) + 5) / 10;
        text(
            area,
            &format!("{} · {percent}%", shown(*value, b.currency)),
            (bar_left + len + 12, mid),
            &value_style,
            HPos::Left,
        )?;
    }
    Ok(())
}

/// The plotting frame of the period, series and burn-down charts.
struct Frame {
    left: i32,
    right: i32,
    top: i32,
    bottom: i32,
    low: i128,
    high: i128,
    step: i128,
}

impl Frame {
    /// A frame whose value axis runs over round numbers: a step of 1, 2 or 5 times a power of
    /// ten (in minor units of whole major units), four or so steps from `low` to `high`.
    fn new(area_width: u32, area_height: u32, low: i128, high: i128, currency: Currency) -> Frame {
        let unit = 10i128.pow(currency.exponent());
        let span = (high - low).max(unit);
        let mut step = unit;
        'search: for _ in 0..30 {
            for k in [1, 2, 5] {
                if step * k * 4 >= span {
                    step *= k;
                    break 'search;
                }
            }
            step *= 10;
        }
        let low = low.div_euclid(step) * step;
        let high = (high + step - 1).div_euclid(step) * step;
        let high = if high <= low { low + step } else { high };
        Frame {
            left: 170,
            right: area_width as i32 - 40,
            top: 140,
            bottom: area_height as i32 - 90,
            low,
            high,
            step,
        }
    }

    fn y(&self, v: i128) -> i32 {
        self.bottom - scale(v - self.low, self.bottom - self.top, self.high - self.low)
    }

    fn grid<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        currency: Currency,
    ) -> Result<(), ChartError> {
        let small = style(SMALL_SIZE, MUTED);
        let mut v = self.low;
        while v <= self.high {
            let y = self.y(v);
            area.draw(&PathElement::new(
                vec![(self.left, y), (self.right, y)],
                GRID,
            ))
            .map_err(fail)?;
            text(
                area,
                &whole(shown(v, currency)),
                (self.left - 10, y),
                &small,
                HPos::Right,
            )?;
            v += self.step;
        }
        let zero = self.y(0);
        area.draw(&PathElement::new(
            vec![(self.left, zero), (self.right, zero)],
            MUTED.stroke_width(2),
        ))
        .map_err(fail)
    }

    /// Labels under `n` evenly spaced groups, thinned so they never overlap.
    fn x_labels<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        labels: &[String],
    ) -> Result<(), ChartError> {
        let n = labels.len().max(1) as i32;
        let group = (self.right - self.left) / n;
        let small = style(SMALL_SIZE, TEXT);
        let widest = labels
            .iter()
            .map(|l| {
                area.estimate_text_size(l, &small)
                    .map_or(0, |(w, _)| w as i32)
            })
            .max()
            .unwrap_or(0);
        let every = ((widest + 12) / group.max(1) + 1).max(1) as usize;
        for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let x = self.left + group * i as i32 + group / 2;
            text(area, label, (x, self.bottom + 30), &small, HPos::Center)?;
        }
        Ok(())
    }
}

fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    entries: &[(&str, RGBColor)],
) -> Result<(), ChartError> {
    let label = style(LABEL_SIZE, TEXT);
    let mut x = LEFT;
    for (name, color) in entries {
        area.draw(&Circle::new((x + 10, 96), 9, color.filled()))
            .map_err(fail)?;
        text(area, name, (x + 26, 96), &label, HPos::Left)?;
        x += 40
            + area
                .estimate_text_size(name, &label)
                .map_or(80, |(w, _)| w as i32);
    }
    Ok(())
}

fn periods<DB: DrawingBackend>(area: &Area<DB>, p: &PeriodChart) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let nets: Vec<i128> = p
        .periods
        .iter()
        .map(|f| minor(f.income) - minor(f.expenses))
        .collect();
    let high = p
        .periods
        .iter()
        .flat_map(|f| [minor(f.income), minor(f.expenses)])
        .chain(nets.iter().copied())
        .max()
        .unwrap_or(0);
    let low = nets.iter().copied().min().unwrap_or(0).min(0);
    let frame = Frame::new(w, h, low, high, p.currency);
    title(area, &p.title)?;
    legend(
        area,
        &[("Income", INCOME), ("Expenses", EXPENSES), ("Net", NET)],
    )?;
    frame.grid(area, p.currency)?;
    let n = p.periods.len().max(1) as i32;
    let group = (frame.right - frame.left) / n;
    let bar = (group * 35 / 100).max(2);
    let zero = frame.y(0);
    let mut line = Vec::new();
    for (i, f) in p.periods.iter().enumerate() {
        let x0 = frame.left + group * i as i32 + (group - 2 * bar) / 2;
        for (k, (value, color)) in [(f.income, INCOME), (f.expenses, EXPENSES)]
            .into_iter()
            .enumerate()
        {
            if value.minor() > 0 {
                let x = x0 + k as i32 * bar;
                area.draw(&Rectangle::new(
                    [(x, frame.y(minor(value))), (x + bar - 2, zero)],
                    color.filled(),
                ))
                .map_err(fail)?;
            }
        }
        line.push((frame.left + group * i as i32 + group / 2, frame.y(nets[i])));
    }
    area.draw(&PathElement::new(line.clone(), NET.stroke_width(4)))
        .map_err(fail)?;
    for point in line {
        area.draw(&Circle::new(point, 6, NET.filled()))
            .map_err(fail)?;
    }
    let labels: Vec<String> = p.periods.iter().map(|f| f.label.clone()).collect();
    frame.x_labels(area, &labels)
}

fn series<DB: DrawingBackend>(area: &Area<DB>, s: &SeriesChart) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let high = s
        .points
        .iter()
        .map(|p| minor(p.1))
        .chain(s.budget.map(minor))
        .max()
        .unwrap_or(0);
    let frame = Frame::new(w, h, 0, high, s.currency);
    title(area, &s.title)?;
    let mut entries = vec![("Spent", SERIES)];
    if s.budget.is_some() {
        entries.push(("Budget", BUDGET));
    }
    legend(area, &entries)?;
    frame.grid(area, s.currency)?;
    let n = s.points.len().max(1) as i32;
    let group = (frame.right - frame.left) / n;
    let bar = (group * 60 / 100).max(2);
    for (i, (_, value)) in s.points.iter().enumerate() {
        if value.minor() > 0 {
            let x = frame.left + group * i as i32 + (group - bar) / 2;
            area.draw(&Rectangle::new(
                [(x, frame.y(minor(*value))), (x + bar, frame.y(0))],
                SERIES.filled(),
            ))
            .map_err(fail)?;
        }
    }
    if let Some(budget) = s.budget {
        let y = frame.y(minor(budget));
        area.draw(&PathElement::new(
            vec![(frame.left, y), (frame.right, y)],
            BUDGET.stroke_width(3),
        ))
        .map_err(fail)?;
        text(
            area,
            &format!("Budget {budget}"),
            (frame.right, y - 18),
            &style(SMALL_SIZE, BUDGET),
            HPos::Right,
        )?;
    }
    let labels: Vec<String> = s.points.iter().map(|p| p.0.clone()).collect();
    frame.x_labels(area, &labels)
}

fn burn_down<DB: DrawingBackend>(area: &Area<DB>, b: &BurnDownChart) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let spent_now = b.spent_by_day.last().map_or(0, |m| minor(*m));
    let frame = Frame::new(w, h, 0, minor(b.limit).max(spent_now), b.limit.currency());
    title(area, &b.title)?;
    legend(
        area,
        &[("Spent", EXPENSES), ("Even pace", PACE), ("Limit", BUDGET)],
    )?;
    frame.grid(area, b.limit.currency())?;
    let days = i32::try_from(b.days_total).unwrap_or(i32::MAX).max(1);
    let x =
        |day: i32| frame.left + scale(i128::from(day), frame.right - frame.left, i128::from(days));
    let limit_y = frame.y(minor(b.limit));
    area.draw(&PathElement::new(
        vec![(frame.left, limit_y), (frame.right, limit_y)],
        BUDGET.stroke_width(3),
    ))
    .map_err(fail)?;
    area.draw(&PathElement::new(
        vec![(x(0), frame.y(0)), (x(days), limit_y)],
        PACE.stroke_width(3),
    ))
    .map_err(fail)?;
    let mut line = vec![(x(0), frame.y(0))];
    for (i, spent) in b.spent_by_day.iter().enumerate().take(days as usize) {
        line.push((x(i as i32 + 1), frame.y(minor(*spent))));
    }
    let end = *line.last().unwrap_or(&(frame.left, frame.bottom));
    area.draw(&PathElement::new(line, EXPENSES.stroke_width(5)))
        .map_err(fail)?;
    area.draw(&Circle::new(end, 8, EXPENSES.filled()))
        .map_err(fail)?;
    // Beside the last point, on whichever side it fits: late in the period it goes to the left.
    let label = format!("{} of {}", shown(spent_now, b.limit.currency()), b.limit);
    let label_style = style(LABEL_SIZE, TEXT);
    let label_width = area
        .estimate_text_size(&label, &label_style)
        .map_or(240, |(w, _)| w as i32);
    let (w, _) = area.dim_in_pixel();
    let (label_x, anchor) = if end.0 + 14 + label_width > w as i32 - 8 {
        (end.0 - 14, HPos::Right)
    } else {
        (end.0 + 14, HPos::Left)
    };
    text(area, &label, (label_x, end.1 - 22), &label_style, anchor)?;
    let small = style(SMALL_SIZE, TEXT);
    for day in [1, (days + 1) / 2, days] {
        text(
            area,
            &format!("day {day}"),
            (x(day), frame.bottom + 30),
            &small,
            HPos::Center,
        )?;
    }
    Ok(())
}
