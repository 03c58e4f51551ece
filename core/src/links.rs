//! Ports for the addresses only the adapters know: the web login page and platforms' start links.
//!
//! The core writes "open this link" replies, but which route the web server serves and how a
//! platform opens a chat with the bot are the adapters' business. Each adapter registers a
//! [`LinkPort`] on [`Tally`](crate::Tally); with none registered the core still answers, with the
//! code alone and no link.

use crate::db::AnyConnection;
use crate::domain::Platform;
use crate::error::Error;
use crate::services::settings;

/// The links one adapter can make. Both methods default to "none", so an adapter implements
/// only what its platform has.
pub trait LinkPort: Send + Sync {
    /// The platform whose links these are (the web server's are [`Platform::Web`]).
    fn platform(&self) -> Platform;

    /// The page that redeems a `/login` token, when this adapter serves one.
    fn login_page(&self, _token: &str) -> Option<String> {
        None
    }

    /// A link that opens a chat with the bot on this platform with `code` already sent (such as
    /// Telegram's start links), given the bot's `handle` as its adapter recorded it with
    /// [`Tally::set_bot_handle`](crate::Tally::set_bot_handle); `None` when the platform has
    /// none or the handle cannot go in a link.
    fn start_link(&self, _handle: &str, _code: &str) -> Option<String> {
        None
    }
}

/// The settings key of a platform's bot handle. The process that shows a link (the API, a
/// Discord bot) is often not the one connected to that platform, so the handle lives in the
/// database; Telegram's key, `telegram.bot_username`, predates the ports.
pub fn bot_handle_key(platform: Platform) -> String {
    format!("{}.bot_username", platform.as_str())
}

/// The handle `platform`'s adapter recorded, if any.
pub(crate) fn bot_handle(
    conn: &mut AnyConnection,
    platform: Platform,
) -> Result<Option<String>, Error> {
    settings::get(conn, &bot_handle_key(platform))
}
