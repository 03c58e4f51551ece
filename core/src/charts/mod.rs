//! Charts drawn offline as PNG or SVG: where the money goes, as pictures.
//!
//! Callers hand over figures already totalled (a chart of a huge ledger costs what a chart of a
//! small one does); this module only lays them out and draws them with plotters, with a font
//! built into the binary so nothing depends on the machine's fonts.

mod draw;
mod font;
mod palette;

use thiserror::Error;

use crate::money::{Currency, Money};

pub use palette::{BAR, BUDGET, EXPENSES, INCOME, NET, PACE, SERIES};

/// Wide enough to stay sharp on a phone when chat apps scale it down.
pub const WIDTH: u32 = 1080;

/// A bar chart shows at most this many rows; the rest are folded into one "Other" row.
pub const MAX_BARS: usize = 12;

/// What to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chart {
    /// Horizontal bars, largest first: spending by category, or a group's spending by member.
    Bars(BarChart),
    /// Income and expenses side by side per period, with the net as a line.
    Periods(PeriodChart),
    /// One category per period, with its budget as a line.
    Series(SeriesChart),
    /// Spending so far this period against the straight-line pace and the limit.
    BurnDown(BurnDownChart),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarChart {
    pub title: String,
    pub currency: Currency,
    /// Label and amount; the order does not matter, the chart sorts.
    pub items: Vec<(String, Money)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodChart {
    pub title: String,
    pub currency: Currency,
    pub periods: Vec<PeriodFigures>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodFigures {
    pub label: String,
    pub income: Money,
    pub expenses: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesChart {
    pub title: String,
    pub currency: Currency,
    pub points: Vec<(String, Money)>,
    pub budget: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BurnDownChart {
    pub title: String,
    pub limit: Money,
    pub days_total: u32,
    /// Spending so far, cumulative, one figure per day elapsed (day 1 first).
    pub spent_by_day: Vec<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChartError {
    #[error("there is nothing to chart for that period")]
    NoData,
    #[error("a chart shows one currency at a time")]
    MixedCurrencies,
    #[error("the chart could not be drawn: {0}")]
    Drawing(String),
}

impl Chart {
    /// The picture's size in pixels: bar charts grow with their rows.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Chart::Bars(b) => {
                let rows = b.items.len().min(MAX_BARS) as u32;
                (
                    WIDTH,
                    draw::BAR_TOP + rows * draw::BAR_ROW + draw::BAR_BOTTOM,
                )
            }
            _ => (WIDTH, 720),
        }
    }

    fn check(&self) -> Result<(), ChartError> {
        let (currency, amounts): (Currency, Vec<Money>) = match self {
            Chart::Bars(b) => (b.currency, b.items.iter().map(|i| i.1).collect()),
            Chart::Periods(p) => (
                p.currency,
                p.periods
                    .iter()
                    .flat_map(|f| [f.income, f.expenses])
                    .collect(),
            ),
            Chart::Series(s) => (
                s.currency,
                s.points.iter().map(|p| p.1).chain(s.budget).collect(),
            ),
            Chart::BurnDown(b) => (
                b.limit.currency(),
                b.spent_by_day.iter().copied().chain([b.limit]).collect(),
            ),
        };
        if amounts.iter().any(|m| m.currency() != currency) {
            return Err(ChartError::MixedCurrencies);
        }
        let empty = match self {
            Chart::Bars(b) => b.items.iter().all(|i| i.1.is_zero()),
            Chart::Periods(p) => p
                .periods
                .iter()
                .all(|f| f.income.is_zero() && f.expenses.is_zero()),
            Chart::Series(s) => s.points.iter().all(|p| p.1.is_zero()),
            Chart::BurnDown(b) => b.days_total == 0 || b.spent_by_day.is_empty(),
        };
        if empty {
            return Err(ChartError::NoData);
        }
        Ok(())
    }
}

/// Draws `chart` as a PNG image.
pub fn render_png(chart: &Chart) -> Result<Vec<u8>, ChartError> {
    chart.check()?;
    font::register()?;
    let (w, h) = chart.size();
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    {
        let backend = plotters::backend::BitMapBackend::with_buffer(&mut pixels, (w, h));
        draw::draw(backend, chart)?;
    }
    let image = image::RgbImage::from_raw(w, h, pixels)
        .ok_or_else(|| ChartError::Drawing("pixel buffer of the wrong size".into()))?;
    let mut png = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageOutputFormat::Png)
        .map_err(|e| ChartError::Drawing(e.to_string()))?;
    Ok(png.into_inner())
}

/// Draws `chart` as an SVG document.
pub fn render_svg(chart: &Chart) -> Result<String, ChartError> {
    chart.check()?;
    font::register()?;
    let mut svg = String::new();
    {
        let backend = plotters::backend::SVGBackend::with_string(&mut svg, chart.size());
        draw::draw(backend, chart)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests;
