//! Colours from the Okabe–Ito palette: told apart with any colour vision, on light or dark chat
//! themes (the picture brings its own white background).

use plotters::style::RGBColor;

pub const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
pub const TEXT: RGBColor = RGBColor(34, 34, 34);
pub const MUTED: RGBColor = RGBColor(110, 110, 110);
pub const GRID: RGBColor = RGBColor(225, 225, 225);
/// Bars of spending by category or member.
pub const BAR: RGBColor = RGBColor(0, 114, 178);
pub const INCOME: RGBColor = RGBColor(0, 158, 115);
pub const EXPENSES: RGBColor = RGBColor(230, 159, 0);
pub const NET: RGBColor = RGBColor(86, 40, 120);
/// A category over time.
pub const SERIES: RGBColor = RGBColor(86, 180, 233);
pub const BUDGET: RGBColor = RGBColor(213, 94, 0);
pub const PACE: RGBColor = RGBColor(150, 150, 150);
