//! Joining chats to an account: link codes, joined identities, unlinking, the bot's username.

use chrono::Duration;

use crate::Tally;
use crate::domain::{AccountId, Platform};
use crate::error::Error;
use crate::links::bot_handle_key;
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
        let this = self.clone();
        self.db()
            .write(move |c| {
                let code = linking::create_code(c, account, ttl, now)?;
                let link = this.start_link(c, Platform::Telegram, &code.code)?;
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

    /// The bot's handle on `platform` (Telegram's username), as its adapter recorded it.
    pub async fn bot_handle(&self, platform: Platform) -> Result<Option<String>, Error> {
        self.db()
            .read(move |c| crate::links::bot_handle(c, platform))
            .await
    }

    /// Remembers the bot's handle on `platform`, for links made by every instance.
    pub async fn set_bot_handle(&self, platform: Platform, handle: String) -> Result<(), Error> {
        let now = self.now();
        self.db()
            .write(move |c| settings::set(c, &bot_handle_key(platform), &handle, now))
            .await
    }
}
