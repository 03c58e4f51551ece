//! Telegram's start links (`t.me/<bot>?start=CODE`): the link port the core shows codes with.

use tally_core::Error;
use tally_core::db::AnyConnection;
use tally_core::domain::Platform;
use tally_core::links::LinkPort;
use tally_core::services::settings;

use super::setup::USERNAME_SETTING;

/// Builds start links from the bot's username, which [`super::setup::introduce`] keeps in the
/// database: the process that shows a code (the API, a Discord bot) is often not the one
/// connected to Telegram.
#[derive(Debug, Clone, Copy, Default)]
pub struct StartLinks;

impl LinkPort for StartLinks {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    fn start_link(&self, conn: &mut AnyConnection, code: &str) -> Result<Option<String>, Error> {
        Ok(bot_username(conn)?.map(|bot| format!("https://t.me/{bot}?start={code}")))
    }
}

/// The bot's username as stored, when there is one that can go in a link (Telegram allows
/// letters, digits and `_`, up to 32; anything else was not written by `getMe`).
pub fn bot_username(conn: &mut AnyConnection) -> Result<Option<String>, Error> {
    Ok(settings::get(conn, USERNAME_SETTING)?
        .map(|n| n.trim().trim_start_matches('@').to_owned())
        .filter(|n| {
            !n.is_empty()
                && n.len() <= 64
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }))
}
