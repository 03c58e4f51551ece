//! The `categories` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::stored;
use crate::db::schema::categories;
use crate::domain::{CategoryId, CategoryName, LedgerId, TransactionKind};
use crate::error::Error;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: i64,
    pub ledger_id: i64,
    pub kind: String,
    pub name: String,
    pub archived: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = categories)]
pub struct NewCategoryRow<'a> {
    pub ledger_id: i64,
    pub kind: &'a str,
    pub name: &'a str,
    pub archived: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub id: CategoryId,
    #[serde(skip)]
    pub ledger: LedgerId,
    pub kind: TransactionKind,
    pub name: CategoryName,
    pub archived: bool,
}

impl TryFrom<CategoryRow> for Category {
    type Error = Error;
    fn try_from(row: CategoryRow) -> Result<Category, Error> {
        Ok(Category {
            id: CategoryId(row.id),
            ledger: LedgerId(row.ledger_id),
            kind: stored("categories.kind", &row.kind)?,
            name: CategoryName::parse(&row.name)
                .map_err(|e| Error::Internal(format!("stored category name: {e}")))?,
            archived: row.archived,
        })
    }
}
