//! The one font charts use, built into the binary (DejaVu Sans; its licence is beside it).

use std::sync::OnceLock;

use plotters::style::FontStyle;

use super::ChartError;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the font with plotters once per process.
pub fn register() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
            && plotters::style::register_font("sans-serif", FontStyle::Bold, FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError::Drawing("the built-in font did not load".into()))
    }
}
