//! The caller's own account: its linked chats, its settings, its web identity.

use crate::Tally;
use crate::auth::Email;
use crate::domain::AccountId;
use crate::error::Error;
use crate::models::account::{Account, Identity};
use crate::services::accounts::{self, SettingsPatch};
use crate::services::credentials;

/// An account with the chat identities joined to it.
#[derive(Debug, Clone)]
pub struct AccountProfile {
    pub account: Account,
    pub identities: Vec<Identity>,
}

impl Tally {
    /// `account` with its identities.
    pub async fn profile(&self, account: Account) -> Result<AccountProfile, Error> {
        self.db()
            .read(move |c| {
                let identities = accounts::identities_of(c, account.id)?;
                Ok(AccountProfile {
                    account,
                    identities,
                })
            })
            .await
    }

    /// Changes the account's settings and, when `email` is `Some`, its email (`Some(None)`
    /// removes it); answers with the account as it now is.
    pub async fn update_profile(
        &self,
        account: AccountId,
        patch: SettingsPatch,
        email: Option<Option<Email>>,
    ) -> Result<AccountProfile, Error> {
        let now = self.now();
        self.db()
            .write(move |c| {
                let updated = accounts::update_settings(c, account, patch, now)?;
                if let Some(email) = email {
                    credentials::set_email(c, account, email.as_ref(), now)?;
                }
                let account = accounts::find(c, updated.id)?;
                let identities = accounts::identities_of(c, account.id)?;
                Ok(AccountProfile {
                    account,
                    identities,
                })
            })
            .await
    }

    /// Makes sure the account's web identity (the account itself, speaking over REST) exists
    /// before a conversation looks it up, which would otherwise make a new, empty account for it.
    pub async fn attach_web_identity(&self, account: &Account) -> Result<(), Error> {
        let now = self.now();
        let owner = account.clone();
        let attached = self
            .db()
            .write(move |c| credentials::attach_web_identity(c, &owner, now))
            .await?;
        if attached != account.id {
            return Err(Error::Internal(format!(
                "web identity of account {} belongs to {attached}",
                account.id
            )));
        }
        Ok(())
    }
}
