//! Importing a read file into a ledger: categories chosen, duplicates of what is already there
//! skipped, a preview of it all, and the entries written together or not at all.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::{accounts, categories, keywords, ledgers, transactions};
use crate::db::AnyConnection;
use crate::db::schema::transactions as tx;
use crate::domain::{AccountId, CategoryName, LedgerId, Platform, TransactionKind};
use crate::error::Error;
use crate::import::{self, Columns, ImportError, ReadOptions};
use crate::money::{Currency, Money};
use crate::parser::Parser;
use crate::services::transactions::{NewTransaction, Source};

/// How many planned entries the preview shows.
pub const PREVIEW_ROWS: usize = 5;

/// One row as it would be (or was) recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub line: u64,
    pub date: NaiveDate,
    pub kind: TransactionKind,
    pub money: Money,
    pub category: CategoryName,
    pub note: String,
    /// The same entry is in the ledger already: it is skipped.
    pub duplicate: bool,
}

/// What an import does (a dry run) or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub columns: Columns,
    /// The first rows, as entries.
    pub sample: Vec<Planned>,
    pub rows: usize,
    pub added: usize,
    pub duplicates: usize,
    /// Added to `other`: neither the file nor the notes named a category.
    pub to_other: usize,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// False for a dry run: nothing was written.
    pub written: bool,
}

/// A file that cannot be imported, as the person is told.
fn refused(e: ImportError) -> Error {
    Error::invalid("file", e.to_string())
}

/// Notes compared loosely: case, punctuation and spacing aside, and one the start of the
/// other (a stored note is cut at [`transactions::MAX_NOTE_CHARS`]; a bank may add a suffix).
fn similar(a: &str, b: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, b) = (squash(a), squash(b));
    a == b || (!a.is_empty() && !b.is_empty() && (a.starts_with(&b) || b.starts_with(&a)))
}

type Key = (NaiveDate, String, i64, String);

/// The ledger's live entries in the range, by (date, kind, amount, currency), with their notes.
fn existing(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<Key, Vec<String>>, Error> {
    let rows: Vec<(NaiveDate, String, i64, String, String)> = tx::table
        .filter(tx::ledger_id.eq(ledger.get()))
        .filter(tx::deleted_at.is_null())
        .filter(tx::occurred_on.ge(from))
        .filter(tx::occurred_on.le(to))
        .select((
            tx::occurred_on,
            tx::kind,
            tx::amount_minor,
            tx::currency,
            tx::note,
        ))
        .load(conn)?;
    let mut out: HashMap<Key, Vec<String>> = HashMap::new();
    for (date, kind, minor, currency, note) in rows {
        out.entry((date, kind, minor, currency))
            .or_default()
            .push(note);
    }
    Ok(out)
}

/// Reads `bytes` and imports them into `ledger` (unless `dry_run`), as `actor`. A file that
/// fails to read writes nothing; the caller runs this in one transaction, so neither does one
/// that fails while writing.
#[allow(clippy::too_many_arguments)]
pub fn import(
    conn: &mut AnyConnection,
    parser: &Parser,
    actor: AccountId,
    ledger: LedgerId,
    bytes: &[u8],
    dry_run: bool,
    platform: Platform,
    now: DateTime<Utc>,
) -> Result<Report, Error> {
    let access = ledgers::access(conn, actor, ledger)?;
    let account = accounts::find(conn, actor)?;
    let home: Currency = access.ledger.default_currency;
    let file = import::read(
        bytes,
        ReadOptions {
            currency: home,
            date_order: account.date_order,
        },
    )
    .map_err(refused)?;

    // The ledger's categories, and the person's own words for them.
    let active = categories::all_of(conn, ledger, false)?;
    let known = |name: &CategoryName, kind: TransactionKind| {
        active.iter().any(|c| c.kind == kind && &c.name == name)
    };
    let custom: Vec<(CategoryName, TransactionKind)> = active
        .iter()
        .filter(|c| !categories::is_default(c.kind, c.name.as_str()))
        .map(|c| (c.name.clone(), c.kind))
        .collect();
    let vocabulary = keywords::vocabulary(conn, Some(actor), &custom)?;

    let from = file.rows.iter().map(|r| r.date).min();
    let to = file.rows.iter().map(|r| r.date).max();
    let mut already = match (from, to) {
        (Some(f), Some(t)) => existing(conn, ledger, f, t)?,
        _ => HashMap::new(),
    };

    let mut planned = Vec::with_capacity(file.rows.len());
    for row in &file.rows {
        let category = row
            .category
            .clone()
            .filter(|c| known(c, row.kind))
            .or_else(|| {
                parser
                    .category_of_note(&row.note, row.kind, &vocabulary)
                    .filter(|c| known(c, row.kind))
            });
        let category = category.unwrap_or_else(CategoryName::other);
        let minor = i64::try_from(row.money.minor()).map_err(|_| {
            Error::invalid(
                "file",
                format!("line {}: the amount is too large", row.line),
            )
        })?;
        let key = (
            row.date,
            row.kind.as_str().to_owned(),
            minor,
            row.money.currency().code().to_owned(),
        );
        // Each entry already there stands for one row: two identical rows in a file are both
        // kept, and importing the file again matches both.
        let duplicate = match already.get_mut(&key) {
            Some(notes) => match notes.iter().position(|n| similar(n, &row.note)) {
                Some(i) => {
                    notes.swap_remove(i);
                    true
                }
                None => false,
            },
            None => false,
        };
        planned.push(Planned {
            line: row.line,
            date: row.date,
            kind: row.kind,
            money: row.money,
            category,
            note: row.note.clone(),
            duplicate,
        });
    }
    let duplicates = planned.iter().filter(|p| p.duplicate).count();
    let to_other = planned
        .iter()
        .filter(|p| !p.duplicate && p.category.is_other())
        .count();
    if !dry_run {
        for p in planned.iter().filter(|p| !p.duplicate) {
            transactions::record(
                conn,
                actor,
                ledger,
                NewTransaction {
                    kind: p.kind,
                    money: p.money,
                    category: p.category.clone(),
                    date: p.date,
                    note: p.note.clone(),
                    source: Source {
                        platform,
                        reference: None,
                    },
                },
                now,
            )
            .map_err(|e| match e {
                Error::Invalid { message, .. } => {
                    Error::invalid("file", format!("line {}: {message}", p.line))
                }
                other => other,
            })?;
        }
    }
    Ok(Report {
        columns: file.columns,
        sample: planned.iter().take(PREVIEW_ROWS).cloned().collect(),
        rows: planned.len(),
        added: planned.len() - duplicates,
        duplicates,
        to_other,
        from,
        to,
        written: !dry_run,
    })
}

impl Report {
    /// The preview (or the result) in plain lines: what was understood, the first rows, the
    /// counts and the dates. `tally import` prints it; chat and the API shape their own.
    pub fn describe(&self) -> String {
        let c = &self.columns;
        let name = |i: usize| {
            c.names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("column {}", i + 1))
        };
        let amount = match c.amount {
            crate::import::AmountColumns::Signed { column } => format!("amount: {}", name(column)),
            crate::import::AmountColumns::DebitCredit { debit, credit } => {
                format!("debit: {}, credit: {}", name(debit), name(credit))
            }
        };
        let mut out = format!(
            "Columns ({} separated, {}): date: {} ({}), {amount} (decimal mark {})",
            if c.separator == "tab" {
                "tab"
            } else {
                &c.separator
            },
            if c.header {
                "with a header"
            } else {
                "no header"
            },
            name(c.date),
            c.date_style,
            c.decimal_mark,
        );
        if let Some(i) = c.currency {
            out.push_str(&format!(", currency: {}", name(i)));
        }
        if let Some(i) = c.note {
            out.push_str(&format!(", note: {}", name(i)));
        }
        if let Some(i) = c.category {
            out.push_str(&format!(", category: {}", name(i)));
        }
        out.push('\n');
        for p in &self.sample {
            out.push_str(&format!(
                "  line {}: {} {} {} {} {} \"{}\"{}\n",
                p.line,
                p.date,
                p.kind.as_str(),
                p.money.amount_string(),
                p.money.currency().code(),
                p.category.as_str(),
                p.note,
                if p.duplicate { " (duplicate)" } else { "" }
            ));
        }
        let verb = if self.written { "added" } else { "to add" };
        out.push_str(&format!(
            "{} rows: {} {verb}, {} skipped as duplicates, {} to other",
            self.rows, self.added, self.duplicates, self.to_other
        ));
        if let (Some(f), Some(t)) = (self.from, self.to) {
            out.push_str(&format!("; dates {f} to {t}"));
        }
        if !self.written {
            out.push_str("\nNothing was written (dry run).");
        }
        out
    }
}
