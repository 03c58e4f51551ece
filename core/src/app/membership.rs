//! The platforms' word on who is in a group, the bot itself included.

use crate::Tally;
use crate::domain::{LedgerId, Platform};
use crate::error::Error;
use crate::services::membership::{self, Recorded, Standing};

impl Tally {
    /// Records the platform's word on `user_id` in `chat_id`.
    pub async fn record_standing(
        &self,
        platform: Platform,
        chat_id: String,
        user_id: String,
        standing: Standing,
    ) -> Result<Recorded, Error> {
        let now = self.now();
        self.db()
            .write(move |c| membership::record(c, platform, &chat_id, &user_id, standing, now))
            .await
    }

    /// The bot was added to (`present`) or removed from a group: its ledger is switched on or
    /// off. `None` when nothing changed.
    pub async fn bot_in_group(
        &self,
        platform: Platform,
        chat_id: String,
        present: bool,
    ) -> Result<Option<LedgerId>, Error> {
        self.db()
            .write(move |c| {
                if present {
                    membership::bot_added(c, platform, &chat_id)
                } else {
                    membership::bot_removed(c, platform, &chat_id)
                }
            })
            .await
    }

    /// The group ledgers a platform user is in, with their chat ids.
    pub async fn group_ledgers_of(
        &self,
        platform: Platform,
        user_id: String,
    ) -> Result<Vec<(LedgerId, String)>, Error> {
        self.db()
            .read(move |c| membership::group_ledgers_of(c, platform, &user_id))
            .await
    }
}
