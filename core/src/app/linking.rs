//! Joining chats to an account: link codes, joined identities, unlinking, the bot's username.

use chrono::Duration;

use crate::Tally;
use crate::domain::AccountId;
use crate::error::Error;
use crate::services::linking::{self, LinkCode};
use crate::services::settings;
use crate::services::unlinking::{self, Detached, IdentityView};

impl Tally {
    /// A new link code for the account, valid for `ttl`, and the Telegram deep link that sends
    /// it (when the bot's username is known).
    pub async fn create_link_code(
        &self,
        account: AccountId,
        ttl: Duration,
    ) -> Result<(LinkCode, Option<String>), Error> {
        let now = self.now();
        self.db()
            .write(move |c| {
                let code = linking::create_code(c, account, ttl, now)?;
                let link = linking::telegram_start_link(c, &code.code)?;
                Ok((code, link))
            })
            .await
    }

    /// The chat identities joined to the account.
    pub async fn linked_identities(&self, account: AccountId) -> Result<Vec<IdentityView>, Error> {
        self.db()
            .read(move |c| unlinking::identities(c, account))
            .await
    }

    /// Moves one identity out into a fresh account of its own.
    pub async fn unlink_identity(
        &self,
        account: AccountId,
        identity: i64,
    ) -> Result<Detached, Error> {
        let now = self.now();
        let defaults = self.settings().defaults;
        self.db()
            .write(move |c| unlinking::detach(c, account, identity, defaults, now))
            .await
    }

    /// The Telegram bot's username as its adapter stored it, if any.
    pub async fn telegram_bot_username(&self) -> Result<Option<String>, Error> {
        self.db()
            .read(|c| settings::get(c, linking::TELEGRAM_BOT_USERNAME))
            .await
    }

    /// Remembers the Telegram bot's username for links on every instance.
    pub async fn set_telegram_bot_username(&self, username: String) -> Result<(), Error> {
        let now = self.now();
        self.db()
            .write(move |c| settings::set(c, linking::TELEGRAM_BOT_USERNAME, &username, now))
            .await
    }
}
