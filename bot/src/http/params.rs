//! Reading query and body values into domain values, each error naming its field.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;
use tally_core::Error;
use tally_core::domain::{CategoryName, TransactionKind};
use tally_core::money::Currency;
use utoipa::IntoParams;

/// Stored timestamps are UTC without a zone; the API shows them as UTC.
pub fn utc(naive: NaiveDateTime) -> DateTime<Utc> {
    naive.and_utc()
}

fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// `YYYY-MM-DD`, between the years 1900 and 2999.
pub fn date(value: Option<&str>, field: &'static str) -> Result<Option<NaiveDate>, Error> {
    let Some(v) = present(value) else {
        return Ok(None);
    };
    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| Error::invalid(field, format!("{field} must be a date like 2026-11-20.")))?;
    if !(1900..=2999).contains(&d.year()) {
        return Err(Error::invalid(
            field,
            format!("{field} must be between the years 1900 and 2999."),
        ));
    }
    Ok(Some(d))
}

pub fn kind(value: Option<&str>) -> Result<Option<TransactionKind>, Error> {
    present(value)
        .map(|v| {
            v.parse()
                .map_err(|_| Error::invalid("kind", "kind must be \"expense\" or \"income\"."))
        })
        .transpose()
}

pub fn category(value: Option<&str>) -> Result<Option<CategoryName>, Error> {
    present(value)
        .map(|v| CategoryName::parse(v).map_err(|e| Error::invalid("category", e.to_string())))
        .transpose()
}

pub fn currency(value: Option<&str>) -> Result<Option<Currency>, Error> {
    present(value)
        .map(|v| Currency::parse(v).map_err(|e| Error::invalid("currency", e.to_string())))
        .transpose()
}

/// A whole number within `range`.
pub fn integer(
    value: Option<&str>,
    field: &'static str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, Error> {
    present(value)
        .map(|v| {
            v.parse::<i64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| {
                    Error::invalid(
                        field,
                        format!(
                            "{field} must be a whole number from {} to {}.",
                            range.start(),
                            range.end()
                        ),
                    )
                })
        })
        .transpose()
}

/// A ledger id from a query string.
pub fn ledger(value: Option<&str>) -> Result<Option<i64>, Error> {
    integer(value, "ledger", 1..=i64::MAX)
}

/// `?ledger=ID` alone.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// A ledger id (default: the personal ledger).
    pub ledger: Option<String>,
}
