//! A ledger's entries streamed out in one of the export formats, in constant memory.

use std::collections::HashMap;
use std::io::Write;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::{categories, ledgers};
use crate::db::AnyConnection;
use crate::db::schema::{accounts, ledger_members, transactions};
use crate::domain::{AccountId, CategoryName, LedgerId, TransactionKind};
use crate::error::Error;
use crate::export::{self, ExportError, Format, JournalOptions, Row};
use crate::money::{Currency, Money};

/// Entries read from the database at a time: memory stays flat whatever the ledger's size.
pub const BATCH: i64 = 1_000;

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub ledger: LedgerId,
    pub format: Format,
    /// Both ends included; `None` is open.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub journal: JournalOptions,
}

/// A file name for the export, e.g. `tally-personal-2026-11-01-2026-11-30.csv`.
pub fn file_name(ledger_title: &str, request: &Request) -> String {
    let slug: String = ledger_title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let slug = if slug.is_empty() {
        "ledger".into()
    } else {
        slug
    };
    let range = match (request.from, request.to) {
        (Some(f), Some(t)) => format!("-{f}-{t}"),
        (Some(f), None) => format!("-from-{f}"),
        (None, Some(t)) => format!("-to-{t}"),
        (None, None) => String::new(),
    };
    format!("tally-{slug}{range}.{}", request.format.file_extension())
}

/// Writes every live entry of the ledger in the range to `out`, oldest first, reading
/// [`BATCH`] entries at a time. Returns how many were written. The caller must be a member.
pub fn stream<W: Write>(
    conn: &mut AnyConnection,
    actor: AccountId,
    request: &Request,
    out: W,
) -> Result<u64, Error> {
    let access = ledgers::access(conn, actor, request.ledger)?;
    let ledger_title = access.ledger.title.clone();
    let cats = categories::all_of(conn, request.ledger, true)?;
    let names: HashMap<i64, CategoryName> =
        cats.iter().map(|c| (c.id.get(), c.name.clone())).collect();
    let declared: Vec<(TransactionKind, CategoryName)> =
        cats.iter().map(|c| (c.kind, c.name.clone())).collect();
    let authors = authors(conn, request.ledger)?;
    let mut options = request.journal.clone();
    if let Some(from) = request.from {
        options.open_date = options.open_date.min(from);
    }
    // The first batch is read before the writer starts: its first entry is the earliest, which
    // the journals need to open their accounts on time.
    let mut batch = page(conn, request, None)?;
    if let Some(first) = batch.first() {
        options.open_date = options.open_date.min(first.date);
    }
    let mut writer = export::writer(request.format, out, &declared, &options).map_err(failed)?;
    let mut written = 0u64;
    while let Some(last) = batch.last() {
        let after = Some((last.date, last.id));
        let full = batch.len() as i64 == BATCH;
        for r in &batch {
            let category = names
                .get(&r.category_id)
                .cloned()
                .unwrap_or_else(CategoryName::other);
            let row = Row {
                date: r.date,
                kind: r.kind,
                money: r.money,
                category,
                note: r.note.clone(),
                author: authors
                    .get(&r.author)
                    .cloned()
                    .unwrap_or_else(|| "someone".into()),
                ledger: ledger_title.clone(),
            };
            writer.write_row(&row).map_err(failed)?;
            written += 1;
        }
        if !full {
            break;
        }
        batch = page(conn, request, after)?;
    }
    writer.finish().map_err(failed)?;
    Ok(written)
}

fn failed(e: ExportError) -> Error {
    Error::Internal(e.to_string())
}

struct Entry {
    id: i64,
    date: NaiveDate,
    kind: TransactionKind,
    money: Money,
    category_id: i64,
    note: String,
    author: i64,
}

type EntryRow = (i64, NaiveDate, String, i64, String, i64, String, i64);

fn page(
    conn: &mut AnyConnection,
    request: &Request,
    after: Option<(NaiveDate, i64)>,
) -> Result<Vec<Entry>, Error> {
    let mut q = transactions::table
        .filter(transactions::ledger_id.eq(request.ledger.get()))
        .filter(transactions::deleted_at.is_null())
        .select((
            transactions::id,
            transactions::occurred_on,
            transactions::kind,
            transactions::amount_minor,
            transactions::currency,
            transactions::category_id,
            transactions::note,
            transactions::author_account_id,
        ))
        .order((transactions::occurred_on, transactions::id))
        .limit(BATCH)
        .into_boxed();
    if let Some(from) = request.from {
        q = q.filter(transactions::occurred_on.ge(from));
    }
    if let Some(to) = request.to {
        q = q.filter(transactions::occurred_on.le(to));
    }
    if let Some((date, id)) = after {
        // The plain `>=` lets the (ledger, date) index start the scan at the last date read, so
        // each batch costs its own size rather than everything before it.
        q = q.filter(transactions::occurred_on.ge(date)).filter(
            transactions::occurred_on
                .gt(date)
                .or(transactions::id.gt(id)),
        );
    }
    let rows: Vec<EntryRow> = q.load(conn)?;
    rows.into_iter()
        .map(
            |(id, date, kind, minor, currency, category_id, note, author)| {
                let currency =
                    Currency::parse(&currency).map_err(|e| Error::Internal(e.to_string()))?;
                Ok(Entry {
                    id,
                    date,
                    kind: crate::models::stored("transactions.kind", &kind)?,
                    money: Money::from_minor(minor, currency)
                        .map_err(|e| Error::Internal(e.to_string()))?,
                    category_id,
                    note,
                    author,
                })
            },
        )
        .collect()
}

/// Every author's name in this ledger: the name they go by there (members past included).
fn authors(conn: &mut AnyConnection, ledger: LedgerId) -> Result<HashMap<i64, String>, Error> {
    let mut names: HashMap<i64, String> = ledger_members::table
        .filter(ledger_members::ledger_id.eq(ledger.get()))
        .select((ledger_members::account_id, ledger_members::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    // Authors who are no longer members at all (an account merged away) keep their own name.
    let missing: Vec<i64> = transactions::table
        .filter(transactions::ledger_id.eq(ledger.get()))
        .select(transactions::author_account_id)
        .distinct()
        .load::<i64>(conn)?
        .into_iter()
        .filter(|a| !names.contains_key(a))
        .collect();
    if !missing.is_empty() {
        let found: Vec<(i64, String)> = accounts::table
            .filter(accounts::id.eq_any(&missing))
            .select((accounts::id, accounts::display_name))
            .load(conn)?;
        names.extend(found);
    }
    Ok(names)
}
