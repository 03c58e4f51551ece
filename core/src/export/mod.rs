//! Exports of a ledger's entries: CSV, JSON lines, and beancount and hledger journals.
//!
//! Each format is a writer that takes one [`Row`] at a time, so an export of any size streams
//! to its destination (a file, an HTTP body) in constant memory.

mod accounts;
mod beancount;
mod csv;
mod jsonl;
mod ledger;

use std::io::Write;

use chrono::NaiveDate;
use thiserror::Error;

use crate::domain::{CategoryName, TransactionKind};
use crate::money::Money;

pub use accounts::account_name;
pub use beancount::BeancountWriter;
pub use csv::{CSV_HEADER, CsvWriter};
pub use jsonl::JsonLinesWriter;
pub use ledger::LedgerWriter;

/// One entry as exported, with the names a reader of the file needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub date: NaiveDate,
    pub kind: TransactionKind,
    pub money: Money,
    pub category: CategoryName,
    pub note: String,
    pub author: String,
    pub ledger: String,
}

/// The export formats, as `/export` and the API name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
    Beancount,
    Ledger,
}

impl Format {
    pub fn parse(word: &str) -> Option<Format> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "json" | "jsonl" | "ndjson" => Format::JsonLines,
            "beancount" | "bean" => Format::Beancount,
            "ledger" | "hledger" | "journal" => Format::Ledger,
            _ => return None,
        })
    }

    pub fn file_extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
            Format::Beancount => "beancount",
            Format::Ledger => "journal",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::JsonLines => "application/x-ndjson",
            Format::Beancount | Format::Ledger => "text/plain; charset=utf-8",
        }
    }
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write the export: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("could not write the export: {0}")]
    Json(#[from] serde_json::Error),
}

/// What every format's writer does.
pub trait ExportWriter {
    fn write_row(&mut self, row: &Row) -> Result<(), ExportError>;
    /// Flushes what is buffered; the writer is not used afterwards.
    fn finish(&mut self) -> Result<(), ExportError>;
}

/// Options of the journal formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalOptions {
    /// The account money comes from and goes to, `Assets:Cash` unless configured.
    pub asset_account: String,
    /// The date the journal opens its accounts on: on or before the first entry.
    pub open_date: NaiveDate,
}

impl Default for JournalOptions {
    fn default() -> Self {
        JournalOptions {
            asset_account: "Assets:Cash".into(),
            open_date: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
        }
    }
}

/// A writer for `format` over `out`. The journal formats declare `categories` up front
/// (beancount needs an account opened before its first use, and streaming cannot look ahead).
pub fn writer<'a, W: Write + 'a>(
    format: Format,
    out: W,
    categories: &[(TransactionKind, CategoryName)],
    options: &JournalOptions,
) -> Result<Box<dyn ExportWriter + 'a>, ExportError> {
    Ok(match format {
        Format::Csv => Box::new(CsvWriter::new(out)?),
        Format::JsonLines => Box::new(JsonLinesWriter::new(out)),
        Format::Beancount => Box::new(BeancountWriter::new(out, categories, options)?),
        Format::Ledger => Box::new(LedgerWriter::new(out, categories, options)?),
    })
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::money::Currency;

    pub fn row(date: &str, kind: TransactionKind, amount: &str, category: &str, note: &str) -> Row {
        Row {
            date: date.parse().unwrap(),
            kind,
            money: Money::parse(amount, Currency::USD).unwrap(),
            category: CategoryName::parse(category).unwrap(),
            note: note.into(),
            author: "ann".into(),
            ledger: "Personal".into(),
        }
    }
}
