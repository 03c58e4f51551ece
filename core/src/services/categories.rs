//! Categories per ledger: the built-in taxonomy, plus what users add, rename and archive.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{ledgers, ts};
use crate::db::AnyConnection;
use crate::db::schema::categories;
use crate::domain::{AccountId, CategoryId, CategoryName, LedgerId, TransactionKind};
use crate::error::Error;
use crate::models::category::{Category, CategoryRow, NewCategoryRow};

/// The expense taxonomy every new ledger starts with (`shared/intents/SPEC.md`).
pub const DEFAULT_EXPENSE: &[&str] = &[
    "food",
    "groceries",
    "transport",
    "housing",
    "utilities",
    "shopping",
    "entertainment",
    "health",
    "travel",
    "education",
    "personal_care",
    "gifts",
    "pets",
    "kids",
    "insurance",
    "taxes",
    "fees",
    "other",
];

/// The income taxonomy every new ledger starts with.
pub const DEFAULT_INCOME: &[&str] = &[
    "salary",
    "freelance",
    "investment",
    "gift",
    "refund",
    "other",
];

/// Most categories a ledger may have, so a runaway script can't fill the table.
pub const MAX_PER_LEDGER: i64 = 200;

pub(crate) fn seed(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    // One statement per row: the multi-backend connection has no batch insert.
    let defaults = DEFAULT_EXPENSE
        .iter()
        .map(|n| (TransactionKind::Expense, *n))
        .chain(DEFAULT_INCOME.iter().map(|n| (TransactionKind::Income, *n)));
    for (kind, name) in defaults {
        diesel::insert_into(categories::table)
            .values(NewCategoryRow {
                ledger_id: ledger.get(),
                kind: kind.as_str(),
                name,
                archived: false,
                created_at: ts(now),
            })
            .execute(conn)?;
    }
    Ok(())
}

/// The ledger's categories, for people who may see it.
pub fn list(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    include_archived: bool,
) -> Result<Vec<Category>, Error> {
    ledgers::access(conn, actor, ledger)?;
    all_of(conn, ledger, include_archived)
}

/// Whether `name` is one of the categories every ledger starts with. The parser knows those
/// already; only the others need adding to its vocabulary.
pub(crate) fn is_default(kind: TransactionKind, name: &str) -> bool {
    match kind {
        TransactionKind::Expense => DEFAULT_EXPENSE.contains(&name),
        TransactionKind::Income => DEFAULT_INCOME.contains(&name),
    }
}

/// The ledger's active categories the parser does not know by itself (see [`is_default`]), for
/// [`super::keywords::vocabulary`]. Without an access check, like [`all_of`].
pub(crate) fn custom_of(
    conn: &mut AnyConnection,
    ledger: LedgerId,
) -> Result<Vec<(CategoryName, TransactionKind)>, Error> {
    Ok(all_of(conn, ledger, false)?
        .into_iter()
        .filter(|c| !is_default(c.kind, c.name.as_str()))
        .map(|c| (c.name, c.kind))
        .collect())
}

/// Without an access check: for services that already did one.
pub(crate) fn all_of(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    include_archived: bool,
) -> Result<Vec<Category>, Error> {
    let mut query = categories::table
        .filter(categories::ledger_id.eq(ledger.get()))
        .select(CategoryRow::as_select())
        .order((categories::kind, categories::id))
        .into_boxed();
    if !include_archived {
        query = query.filter(categories::archived.eq(false));
    }
    query
        .load(conn)?
        .into_iter()
        .map(Category::try_from)
        .collect()
}

/// A live category by name, without an access check.
pub(crate) fn find_active(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    kind: TransactionKind,
    name: &CategoryName,
) -> Result<Option<Category>, Error> {
    categories::table
        .filter(categories::ledger_id.eq(ledger.get()))
        .filter(categories::kind.eq(kind.as_str()))
        .filter(categories::name.eq(name.as_str()))
        .filter(categories::archived.eq(false))
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()?
        .map(Category::try_from)
        .transpose()
}

/// The live category with that name, or an error that lists what there is.
pub(crate) fn require_active(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    kind: TransactionKind,
    name: &CategoryName,
) -> Result<Category, Error> {
    if let Some(c) = find_active(conn, ledger, kind, name)? {
        return Ok(c);
    }
    let names: Vec<String> = all_of(conn, ledger, false)?
        .into_iter()
        .filter(|c| c.kind == kind)
        .map(|c| c.name.to_string())
        .collect();
    Err(Error::invalid(
        "category",
        format!(
            "There is no {} category \"{}\" here. Use one of: {}.",
            kind.as_str(),
            name,
            names.join(", ")
        ),
    ))
}

/// The named live category, or the ledger's `other` when it has none by that name (for text
/// the parser read: a keyword may point at a category another ledger has).
pub(crate) fn resolve_or_other(
    conn: &mut AnyConnection,
    ledger: LedgerId,
    kind: TransactionKind,
    name: &CategoryName,
) -> Result<Category, Error> {
    match find_active(conn, ledger, kind, name)? {
        Some(c) => Ok(c),
        None => require_active(conn, ledger, kind, &CategoryName::other()),
    }
}

pub(crate) fn by_id(conn: &mut AnyConnection, id: CategoryId) -> Result<Category, Error> {
    categories::table
        .find(id.get())
        .select(CategoryRow::as_select())
        .first(conn)?
        .try_into()
}

/// Adds a category (or brings an archived one of that name back).
pub fn add(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    kind: TransactionKind,
    name: &CategoryName,
    now: DateTime<Utc>,
) -> Result<Category, Error> {
    let access = ledgers::access_to_write(conn, actor, ledger)?;
    access.require_manage("add categories")?;
    let existing: Option<CategoryRow> = categories::table
        .filter(categories::ledger_id.eq(ledger.get()))
        .filter(categories::kind.eq(kind.as_str()))
        .filter(categories::name.eq(name.as_str()))
        .select(CategoryRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(row) = existing {
        if !row.archived {
            return Err(Error::Conflict(format!(
                "There is already a category \"{name}\"."
            )));
        }
        diesel::update(categories::table.find(row.id))
            .set(categories::archived.eq(false))
            .execute(conn)?;
        return by_id(conn, CategoryId(row.id));
    }
    let count: i64 = categories::table
        .filter(categories::ledger_id.eq(ledger.get()))
        .count()
        .get_result(conn)?;
    if count >= MAX_PER_LEDGER {
        return Err(Error::invalid(
            "name",
            format!("A ledger can have at most {MAX_PER_LEDGER} categories; archive some first."),
        ));
    }
    let row: CategoryRow = diesel::insert_into(categories::table)
        .values(NewCategoryRow {
            ledger_id: ledger.get(),
            kind: kind.as_str(),
            name: name.as_str(),
            archived: false,
            created_at: ts(now),
        })
        .returning(categories::all_columns)
        .get_result(conn)?;
    row.try_into()
}

fn find_in(conn: &mut AnyConnection, ledger: LedgerId, id: CategoryId) -> Result<Category, Error> {
    let c = by_id(conn, id).map_err(|_| Error::not_found("category"))?;
    if c.ledger != ledger {
        return Err(Error::not_found("category"));
    }
    Ok(c)
}

pub fn rename(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    id: CategoryId,
    new_name: &CategoryName,
) -> Result<Category, Error> {
    let access = ledgers::access_to_write(conn, actor, ledger)?;
    access.require_manage("rename categories")?;
    let c = find_in(conn, ledger, id)?;
    if c.name.is_other() {
        return Err(Error::invalid(
            "name",
            "The \"other\" category can't be renamed.",
        ));
    }
    if c.name == *new_name {
        return Ok(c);
    }
    if find_active(conn, ledger, c.kind, new_name)?.is_some() {
        return Err(Error::Conflict(format!(
            "There is already a category \"{new_name}\"."
        )));
    }
    diesel::update(categories::table.find(id.get()))
        .set(categories::name.eq(new_name.as_str()))
        .execute(conn)
        .map_err(|e| match Error::from(e) {
            e if e.is_unique_violation() => Error::Conflict(format!(
                "An archived category is already called \"{new_name}\"."
            )),
            e => e,
        })?;
    by_id(conn, id)
}

pub fn set_archived(
    conn: &mut AnyConnection,
    actor: AccountId,
    ledger: LedgerId,
    id: CategoryId,
    archived: bool,
) -> Result<Category, Error> {
    let access = ledgers::access_to_write(conn, actor, ledger)?;
    access.require_manage("archive categories")?;
    let c = find_in(conn, ledger, id)?;
    if c.name.is_other() && archived {
        return Err(Error::invalid(
            "archived",
            "The \"other\" category can't be archived.",
        ));
    }
    diesel::update(categories::table.find(id.get()))
        .set(categories::archived.eq(archived))
        .execute(conn)?;
    by_id(conn, id)
}
