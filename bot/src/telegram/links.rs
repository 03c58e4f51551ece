//! Telegram's start links (`t.me/<bot>?start=CODE`): the link port the core shows codes with.

use tally_core::domain::Platform;
use tally_core::links::LinkPort;

/// Builds start links from the bot's username, which [`super::setup::introduce`] records with
/// the core: the process that shows a code (the API, a Discord bot) is often not the one
/// connected to Telegram.
#[derive(Debug, Clone, Copy, Default)]
pub struct StartLinks;

impl LinkPort for StartLinks {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    fn start_link(&self, handle: &str, code: &str) -> Option<String> {
        link_username(handle).map(|bot| format!("https://t.me/{bot}?start={code}"))
    }
}

/// The username as it can go in a link (Telegram allows letters, digits and `_`, up to 32;
/// anything else was not written by `getMe`), without a leading `@`.
pub fn link_username(stored: &str) -> Option<String> {
    let name = stored.trim().trim_start_matches('@');
    (!name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    .then(|| name.to_owned())
}
