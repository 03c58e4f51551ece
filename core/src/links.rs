//! Ports for the addresses only the adapters know: the web login page and platforms' start links.
//!
//! The core writes "open this link" replies, but which route the web server serves and how a
//! platform opens a chat with the bot are the adapters' business. Each adapter registers a
//! [`LinkPort`] on [`Tally`](crate::Tally); with none registered the core still answers, with the
//! code alone and no link.

use crate::db::AnyConnection;
use crate::domain::Platform;
use crate::error::Error;

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
    /// Telegram's start links); `None` when the platform has none or doesn't know the bot's
    /// address yet. It may read the database: another process may be the one that knows it.
    fn start_link(&self, _conn: &mut AnyConnection, _code: &str) -> Result<Option<String>, Error> {
        Ok(None)
    }
}
