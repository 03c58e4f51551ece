//! Categories: a ledger's list, adding, renaming and archiving one, and suggestions while typing.

use crate::Tally;
use crate::domain::{AccountId, CategoryId, CategoryName, LedgerId, Platform, TransactionKind};
use crate::error::{Error, ErrorKind};
use crate::models::category::Category;
use crate::services::{accounts, categories, ledgers};

use super::resolve_ledger;

/// Where a suggestion is asked for: the person's own ledger, or a group's (`None` when the
/// group has no ledger yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestIn {
    Personal,
    Group(Option<LedgerId>),
}

impl Tally {
    /// The ledger's categories; archived ones too when `archived`.
    pub async fn categories(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        archived: bool,
    ) -> Result<Vec<Category>, Error> {
        self.db()
            .read(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                categories::list(c, account, ledger, archived)
            })
            .await
    }

    /// Adds a category to the ledger.
    pub async fn add_category(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        kind: TransactionKind,
        name: CategoryName,
    ) -> Result<Category, Error> {
        let now = self.now();
        self.db()
            .write(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                categories::add(c, account, ledger, kind, &name, now)
            })
            .await
    }

    /// Renames and/or (un)archives one of the ledger's categories; with neither, answers with it.
    pub async fn edit_category(
        &self,
        account: AccountId,
        ledger: Option<i64>,
        category: CategoryId,
        new_name: Option<CategoryName>,
        archived: Option<bool>,
    ) -> Result<Category, Error> {
        self.db()
            .write(move |c| {
                let ledger = resolve_ledger(c, account, ledger)?;
                let mut current = categories::list(c, account, ledger, true)?
                    .into_iter()
                    .find(|cat| cat.id == category)
                    .ok_or(Error::not_found("category"))?;
                if let Some(n) = &new_name {
                    current = categories::rename(c, account, ledger, category, n)?;
                }
                if let Some(a) = archived {
                    current = categories::set_archived(c, account, ledger, category, a)?;
                }
                Ok(current)
            })
            .await
    }

    /// The (kind, name) of every category the platform user would see in `place`, for
    /// autocomplete. Reads only: suggesting never creates an account. Someone Tally has not met,
    /// or who is not (yet) a member of the group's ledger, gets an empty list.
    pub async fn category_suggestions(
        &self,
        platform: Platform,
        platform_user_id: String,
        place: SuggestIn,
    ) -> Result<Vec<(TransactionKind, CategoryName)>, Error> {
        self.db()
            .read(move |conn| {
                let Some(identity) = accounts::find_identity(conn, platform, &platform_user_id)?
                else {
                    return Ok(Vec::new());
                };
                let ledger = match place {
                    SuggestIn::Group(Some(id)) => id,
                    SuggestIn::Group(None) => return Ok(Vec::new()),
                    SuggestIn::Personal => ledgers::personal(conn, identity.account)?.id,
                };
                match categories::list(conn, identity.account, ledger, false) {
                    Ok(list) => Ok(list.into_iter().map(|c| (c.kind, c.name)).collect()),
                    Err(e) if e.kind() == ErrorKind::NotFound => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            })
            .await
    }
}
