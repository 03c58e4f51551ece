//! Exchange rates: the ECB's reference files read exactly, and conversions at an entry's date.
//!
//! Pure: fetching and storage live elsewhere, so the rules the currency features promise (the
//! rate of the entry's own date, the latest earlier publication on weekends and holidays,
//! cross rates through the euro, one half-to-even rounding) are tested here on their own.

mod convert;
mod ecb;

pub use convert::{Conversion, RateTable};
pub use ecb::{EcbError, Publication, parse_ecb_xml};
