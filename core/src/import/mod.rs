//! Reading bank CSV files (and Tally's own CSV export) into entries, exactly, before anything
//! is written: the separator, the header and the columns are detected, every row is read or
//! the whole file is refused with the line and the problem.

mod amount;
mod columns;
mod dates;

use chrono::NaiveDate;
use thiserror::Error;

use crate::domain::{CategoryName, DateOrder, TransactionKind};
use crate::money::{Currency, Money};

pub use columns::{AmountColumns, Columns};

/// Rows read from one file at most: a bigger history is imported in parts.
pub const MAX_ROWS: usize = 100_000;

/// What a file without its own currency or an unambiguous date order is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    pub currency: Currency,
    /// Breaks the tie when every date of a file reads both ways (`03/11/2026`).
    pub date_order: DateOrder,
}

/// One row of the file as an entry: the amount always positive, its direction in `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The row's line in the file, the header being line 1.
    pub line: u64,
    pub date: NaiveDate,
    pub kind: TransactionKind,
    pub money: Money,
    pub note: String,
    /// Only files that name categories (Tally's own export) have one.
    pub category: Option<CategoryName>,
}

/// A whole file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    pub columns: Columns,
    pub rows: Vec<ImportRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportError {
    #[error("the file has no rows")]
    Empty,
    #[error("the file has more than {MAX_ROWS} rows: import it in parts")]
    TooManyRows,
    #[error("{0}")]
    Columns(String),
    #[error("line {line}: {problem}")]
    Line { line: u64, problem: String },
}

impl ImportError {
    fn line(line: u64, problem: impl Into<String>) -> ImportError {
        ImportError::Line {
            line,
            problem: problem.into(),
        }
    }
}

/// The file's text: UTF-8 (a byte-order mark dropped), or else Latin-1, which some banks
/// still export and which any byte sequence is.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// One record: its line and its cells, trimmed.
pub(crate) type Record = (u64, Vec<String>);

fn records(text: &str, separator: u8, limit: Option<usize>) -> Result<Vec<Record>, ImportError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            ImportError::line(line, format!("the row cannot be read as CSV ({e})"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        out.push((line, cells));
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
        if out.len() > MAX_ROWS + 1 {
            return Err(ImportError::TooManyRows);
        }
    }
    Ok(out)
}

/// The separator whose first rows split into the same number (two or more) of cells, the
/// most cells winning: `12,50` splits a `;` file's rows on `,` but never evenly into more.
fn sniff(text: &str) -> Option<u8> {
    let mut best: Option<(usize, u8)> = None;
    for sep in [b';', b'\t', b','] {
        let Ok(sample) = records(text, sep, Some(20)) else {
            continue;
        };
        let Some((_, first)) = sample.first() else {
            continue;
        };
        let n = first.len();
        if n >= 2 && sample.iter().all(|(_, c)| c.len() == n) && best.is_none_or(|(m, _)| n > m) {
            best = Some((n, sep));
        }
    }
    best.map(|(_, s)| s)
}

/// Reads a whole file: every row an entry, or the first row that is not one as the error.
pub fn read(bytes: &[u8], options: ReadOptions) -> Result<ReadFile, ImportError> {
    let text = decode(bytes);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let separator = sniff(&text).ok_or_else(|| {
        ImportError::Columns(
            "I could not tell the columns apart: separate them with commas, semicolons or tabs, \
             the same number on every line"
                .into(),
        )
    })?;
    let all = records(&text, separator, None)?;
    let columns = columns::detect(&all, separator, options)?;
    let body = if columns.header { &all[1..] } else { &all[..] };
    if body.is_empty() {
        return Err(ImportError::Empty);
    }
    let width = all[0].1.len();
    let rows = body
        .iter()
        .map(|(line, cells)| {
            if cells.len() != width {
                return Err(ImportError::line(
                    *line,
                    format!("{} cells where the file has {width}", cells.len()),
                ));
            }
            columns.row(*line, cells, options)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ReadFile { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(order: DateOrder) -> ReadOptions {
        ReadOptions {
            currency: Currency::USD,
            date_order: order,
        }
    }

    fn eur(s: &str) -> Money {
        Money::parse(s, Currency::EUR).unwrap()
    }

    #[test]
    fn a_european_file_with_semicolons_and_decimal_commas() {
        let file = "Buchungstag;Verwendungszweck;Betrag;Währung\n\
                    03.11.2026;REWE Markt;-1.234,50;EUR\n\
                    04.11.2026;Gehalt November;2.500,00;EUR\n";
        let read = read(file.as_bytes(), opts(DateOrder::Mdy)).unwrap();
        assert!(read.columns.header);
        assert_eq!(read.columns.separator, ";");
        assert_eq!(read.rows.len(), 2);
        let r = &read.rows[0];
        assert_eq!(r.line, 2);
        assert_eq!(r.date, NaiveDate::from_ymd_opt(2026, 11, 3).unwrap());
        assert_eq!(r.kind, TransactionKind::Expense);
        assert_eq!(r.money, eur("1234.50"));
        assert_eq!(r.note, "REWE Markt");
        assert_eq!(read.rows[1].kind, TransactionKind::Income);
        assert_eq!(read.rows[1].money, eur("2500"));
    }

    #[test]
    fn day_first_is_found_from_a_day_above_twelve_and_the_tie_goes_to_the_account() {
        let file = "date,description,amount\n03/11/2026,Coffee,-3.50\n25/11/2026,Book,-12\n";
        let read = read(file.as_bytes(), opts(DateOrder::Mdy)).unwrap();
        assert_eq!(
            read.rows[0].date,
            NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()
        );
        let tie = "date,description,amount\n03/11/2026,Coffee,-3.50\n";
        let mdy = super::read(tie.as_bytes(), opts(DateOrder::Mdy)).unwrap();
        assert_eq!(
            mdy.rows[0].date,
            NaiveDate::from_ymd_opt(2026, 3, 11).unwrap()
        );
        let dmy = super::read(tie.as_bytes(), opts(DateOrder::Dmy)).unwrap();
        assert_eq!(
            dmy.rows[0].date,
            NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()
        );
    }

    #[test]
    fn debit_and_credit_columns_and_no_header() {
        let file = "Date,Description,Debit,Credit,Balance\n\
                    2026-11-03,Coffee,3.50,,996.50\n\
                    2026-11-04,Refund,,20.00,1016.50\n";
        let read = read(file.as_bytes(), opts(DateOrder::Mdy)).unwrap();
        assert!(matches!(
            read.columns.amount,
            AmountColumns::DebitCredit { .. }
        ));
        assert_eq!(read.rows[0].kind, TransactionKind::Expense);
        assert_eq!(read.rows[1].kind, TransactionKind::Income);
        assert_eq!(
            read.rows[1].money,
            Money::parse("20", Currency::USD).unwrap()
        );

        let bare = "11/03/2026,STARBUCKS #123,-4.75\n11/04/2026,PAYROLL ACME,\"3,200.00\"\n";
        let read = super::read(bare.as_bytes(), opts(DateOrder::Mdy)).unwrap();
        assert!(!read.columns.header);
        assert_eq!(read.rows[0].line, 1);
        assert_eq!(read.rows[0].note, "STARBUCKS #123");
        assert_eq!(
            read.rows[1].money,
            Money::parse("3200", Currency::USD).unwrap()
        );
    }

    #[test]
    fn a_bad_row_names_its_line() {
        let file = "date,note,amount\n2026-11-03,a,1.00\n2026-11-04,b,lots\n";
        let err = read(file.as_bytes(), opts(DateOrder::Mdy)).unwrap_err();
        assert_eq!(
            err,
            ImportError::Line {
                line: 3,
                problem: "\"lots\" is not an amount".into()
            }
        );
        let file = "date,note,amount\n2026-11-03,a,1.00\n2026-13-04,b,1\n";
        let err = read(file.as_bytes(), opts(DateOrder::Mdy)).unwrap_err();
        assert!(matches!(err, ImportError::Line { line: 3, .. }), "{err}");
        let file = "date,note,amount\n2026-11-03,a,1.001\n";
        let err = read(file.as_bytes(), opts(DateOrder::Mdy)).unwrap_err();
        assert!(matches!(err, ImportError::Line { line: 2, .. }), "{err}");
    }

    #[test]
    fn tallys_own_csv_reads_back() {
        let file = "date,kind,amount,currency,category,note,author,ledger\n\
                    2026-11-03,expense,12.50,EUR,food,\"lunch, with \"\"Bo\"\"\",ann,Personal\n\
                    2026-11-04,income,3200.00,USD,salary,'=HYPERLINK(\"x\"),ann,Personal\n";
        let read = read(file.as_bytes(), opts(DateOrder::Mdy)).unwrap();
        let r = &read.rows[0];
        assert_eq!(r.kind, TransactionKind::Expense);
        assert_eq!(r.money, eur("12.50"));
        assert_eq!(r.category.as_ref().unwrap().as_str(), "food");
        assert_eq!(r.note, "lunch, with \"Bo\"");
        assert_eq!(read.rows[1].kind, TransactionKind::Income);
        assert_eq!(read.rows[1].note, "=HYPERLINK(\"x\")");
        assert_eq!(read.rows[1].money.currency(), Currency::USD);
    }
}
