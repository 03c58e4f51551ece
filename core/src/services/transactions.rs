//! Recording, editing, deleting, undoing and listing income and expenses.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::{categories, ledgers, ts};
use crate::db::AnyConnection;
use crate::db::schema::{categories as categories_t, transactions};
use crate::domain::{
    AccountId, CategoryName, LedgerId, Platform, TransactionId, TransactionKind, text,
};
use crate::error::Error;
use crate::models::transaction::{NewTransactionRow, Transaction, TransactionRow};
use crate::money::Money;

/// Where a transaction came from: the platform and, when there is one, its message id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub platform: Platform,
    pub reference: Option<String>,
}

/// The longest note kept; longer ones are cut at a character boundary.
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction {
    pub kind: TransactionKind,
    pub money: Money,
    pub category: CategoryName,
    pub date: NaiveDate,
    pub note: String,
    pub source: Source,
}

/// A note as stored: one line, without the invisible characters that could make it read as
/// something else in a shared chat.
pub(crate) fn clean_note(note: &str) -> String {
    text::one_line(note, MAX_NOTE_CHARS)
}

/// The amount as stored: more than zero, and within the bound of one amount.
fn stored_amount(money: Money) -> Result<i64, Error> {
    if money.minor() <= 0 {
        return Err(Error::invalid(
            "amount",
            "The amount must be more than zero.",
        ));
    }
    money.stored_minor().map_err(|e| Error::money("amount", e))
}

/// Records a transaction in a ledger the actor belongs to.
pub fn record(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    new: NewTransaction,
    now: DateTime<Utc>,
) -> Result<Transaction, Error> {
    ledgers::access_to_write(conn, actor, ledger)?;
    let amount_minor = stored_amount(new.money)?;
    let category = categories::require_active(conn, ledger, new.kind, &new.category)?;
    let note = clean_note(&new.note);
    let row: TransactionRow = diesel::insert_into(transactions::table)
        .values(NewTransactionRow {
            ledger_id: ledger.get(),
            author_account_id: actor.get(),
            kind: new.kind.as_str(),
            amount_minor,
            currency: new.money.currency().code(),
            category_id: category.id.get(),
            occurred_on: new.date,
            note: &note,
            source_platform: new.source.platform.as_str(),
            source_ref: new.source.reference.as_deref(),
            created_at: ts(now),
            updated_at: ts(now),
        })
        .returning(transactions::all_columns)
        .get_result(conn)?;
    Transaction::from_row(row, category.name)
}

/// A live transaction in a ledger the actor may see; anything else is "not found".
pub fn get(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: TransactionId,
) -> Result<Transaction, Error> {
    let (row, name) = live_row(conn, id)?;
    ledgers::access(conn, actor, LedgerId(row.ledger_id))
        .map_err(|_| Error::not_found("transaction"))?;
    Transaction::from_row(row, parse_name(&name)?)
}

fn live_row(
    conn: &mut AnyConnection,
    id: TransactionId,
) -> Result<(TransactionRow, String), Error> {
    transactions::table
        .inner_join(categories_t::table)
        .filter(transactions::id.eq(id.get()))
        .filter(transactions::deleted_at.is_null())
        .select((TransactionRow::as_select(), categories_t::name))
        .first(conn)
        .optional()?
        .ok_or(Error::not_found("transaction"))
}

fn parse_name(name: &str) -> Result<CategoryName, Error> {
    CategoryName::parse(name).map_err(|e| Error::Internal(format!("stored category: {e}")))
}

/// The author may change their own entries; in a group, admins may change anyone's.
fn require_editor(
    conn: &mut AnyConnection,
    actor: AccountId,
    tx: &Transaction,
) -> Result<(), Error> {
    let access =
        ledgers::access(conn, actor, tx.ledger).map_err(|_| Error::not_found("transaction"))?;
    access.require_writable()?;
    if tx.author == actor || access.can_manage() {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "Only the person who recorded this, or a group admin, can change it.".into(),
        ))
    }
}

/// Which fields to change; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionPatch {
    pub kind: Option<TransactionKind>,
    pub money: Option<Money>,
    pub category: Option<CategoryName>,
    pub date: Option<NaiveDate>,
    pub note: Option<String>,
}

pub fn edit(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: TransactionId,
    patch: TransactionPatch,
    now: DateTime<Utc>,
) -> Result<Transaction, Error> {
    let current = get(conn, actor, id)?;
    require_editor(conn, actor, &current)?;
    let kind = patch.kind.unwrap_or(current.kind);
    let money = patch.money.unwrap_or(current.money);
    let amount_minor = stored_amount(money)?;
    let category_name = match (&patch.category, patch.kind) {
        (Some(c), _) => c.clone(),
        // A kind change without a category: keep the name if the other kind has it too.
        (None, Some(k)) if k != current.kind => {
            if categories::find_active(conn, current.ledger, k, &current.category)?.is_some() {
                current.category.clone()
            } else {
                CategoryName::other()
            }
        }
        (None, _) => current.category.clone(),
    };
    let category = categories::require_active(conn, current.ledger, kind, &category_name)?;
    let note = patch
        .note
        .as_deref()
        .map(clean_note)
        .unwrap_or(current.note);
    diesel::update(transactions::table.find(id.get()))
        .set((
            transactions::kind.eq(kind.as_str()),
            transactions::amount_minor.eq(amount_minor),
            transactions::currency.eq(money.currency().code()),
            transactions::category_id.eq(category.id.get()),
            transactions::occurred_on.eq(patch.date.unwrap_or(current.date)),
            transactions::note.eq(&note),
            transactions::updated_at.eq(ts(now)),
        ))
        .execute(conn)?;
    let edited = get(conn, actor, id)?;
    // A shared expense's shares follow its amount.
    super::splits::recompute(conn, &edited)?;
    Ok(edited)
}

/// Soft-deletes: the row stays, marked, so history is never lost.
pub fn delete(
    conn: &mut AnyConnection,
    actor: AccountId,
    id: TransactionId,
    now: DateTime<Utc>,
) -> Result<Transaction, Error> {
    let tx = get(conn, actor, id)?;
    require_editor(conn, actor, &tx)?;
    diesel::update(transactions::table.find(id.get()))
        .set((
            transactions::deleted_at.eq(Some(ts(now))),
            transactions::updated_at.eq(ts(now)),
        ))
        .execute(conn)?;
    Ok(Transaction {
        deleted: true,
        ..tx
    })
}

/// The actor's own most recently recorded live transaction in this ledger, if there is one.
pub fn last_of(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
) -> Result<Option<Transaction>, Error> {
    ledgers::access(conn, actor, ledger)?;
    let last: Option<i64> = transactions::table
        .filter(transactions::ledger_id.eq(ledger.get()))
        .filter(transactions::author_account_id.eq(actor.get()))
        .filter(transactions::deleted_at.is_null())
        .order(transactions::id.desc())
        .select(transactions::id)
        .first(conn)
        .optional()?;
    last.map(|id| get(conn, actor, TransactionId(id)))
        .transpose()
}

/// Deletes the actor's own most recent live transaction in this ledger, if there is one.
pub fn undo_last(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    now: DateTime<Utc>,
) -> Result<Option<Transaction>, Error> {
    match last_of(conn, actor, ledger)? {
        Some(tx) => delete(conn, actor, tx.id, now).map(Some),
        None => Ok(None),
    }
}

/// Filters for [`list`]; every one is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub kind: Option<TransactionKind>,
    pub category: Option<CategoryName>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Case-insensitive text to find in the note.
    pub text: Option<String>,
    pub author: Option<AccountId>,
}

/// One page of results and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

pub const MAX_PAGE: i64 = 200;

/// The live rows of one ledger that match a filter. Categories are matched by id (resolved
/// beforehand), so neither the count nor the page needs a join.
fn filtered<'a>(
    ledger: LedgerId,
    filter: &Filter,
    category_ids: Option<&'a [i64]>,
) -> transactions::BoxedQuery<'a, crate::db::MultiBackend> {
    let mut q = transactions::table
        .filter(transactions::ledger_id.eq(ledger.get()))
        .filter(transactions::deleted_at.is_null())
        .into_boxed();
    if let Some(kind) = filter.kind {
        q = q.filter(transactions::kind.eq(kind.as_str()));
    }
    if let Some(ids) = category_ids {
        q = match ids {
            // One id (a name is usually one category) keeps the statement the same from call
            // to call, so it is prepared once per connection; `IN (…)` is prepared every time.
            [id] => q.filter(transactions::category_id.eq(*id)),
            _ => q.filter(transactions::category_id.eq_any(ids)),
        };
    }
    if let Some(from) = filter.from {
        q = q.filter(transactions::occurred_on.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(transactions::occurred_on.le(to));
    }
    if let Some(author) = filter.author {
        q = q.filter(transactions::author_account_id.eq(author.get()));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        q = q.filter(
            lower(transactions::note)
                .like(like_pattern(text))
                .escape('\\'),
        );
    }
    q
}

/// Newest first (by date, then by id, so equal dates keep a stable order across pages).
pub fn list(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<Page<Transaction>, Error> {
    ledgers::access(conn, actor, ledger)?;
    let limit = limit.clamp(1, MAX_PAGE);
    let offset = offset.max(0);
    let all_categories = categories::all_of(conn, ledger, true)?;
    let names: HashMap<i64, CategoryName> = all_categories
        .iter()
        .map(|c| (c.id.get(), c.name.clone()))
        .collect();
    let category_ids: Option<Vec<i64>> = filter.category.as_ref().map(|name| {
        all_categories
            .iter()
            .filter(|c| &c.name == name)
            .map(|c| c.id.get())
            .collect()
    });
    let ids = category_ids.as_deref();
    let total: i64 = filtered(ledger, filter, ids).count().get_result(conn)?;
    let rows: Vec<TransactionRow> = filtered(ledger, filter, ids)
        .order((transactions::occurred_on.desc(), transactions::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(TransactionRow::as_select())
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|row| {
            let name = names
                .get(&row.category_id)
                .cloned()
                .unwrap_or_else(CategoryName::other);
            Transaction::from_row(row, name)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Page {
        items,
        total,
        limit,
        offset,
    })
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// `%text%`, lower-cased, with LIKE's wildcards escaped so the user's text matches literally.
fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for ch in text.to_lowercase().chars().take(100) {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}
