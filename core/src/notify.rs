//! Messages the bot sends unprompted (digests), and the trait each chat platform implements.

use async_trait::async_trait;

use crate::conversation::OutMessage;
use crate::domain::Platform;

/// A chat platform able to post into a chat it knows by id.
#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    fn platform(&self) -> Platform;

    /// Posts `message` to `chat_id` (the same id the platform's incoming messages carry).
    async fn send(&self, chat_id: &str, message: OutMessage) -> Result<(), String>;
}
