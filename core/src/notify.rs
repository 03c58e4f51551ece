//! Messages the bot sends unprompted or from the outbox, and the trait each chat platform implements.

use async_trait::async_trait;

use crate::conversation::OutMessage;
use crate::domain::Platform;
use crate::services::outbox::ReplyToken;

/// A chat platform able to post into a chat it knows by id.
#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    fn platform(&self) -> Platform;

    /// Posts `message` to `chat_id` (the same id the platform's incoming messages carry).
    async fn send(&self, chat_id: &str, message: OutMessage) -> Result<(), String>;

    /// Replaces the content of an earlier message (`message_ref`, as the platform's incoming
    /// updates named it: the message a pressed button sat under) with `message`. A platform
    /// that cannot edit by that reference posts `message` anew, as Telegram does with a
    /// message too old to edit.
    async fn edit(
        &self,
        chat_id: &str,
        message_ref: &str,
        message: OutMessage,
    ) -> Result<(), String> {
        let _ = message_ref;
        self.send(chat_id, message).await
    }

    /// Answers the interaction `token` belongs to with `messages` (Discord: the deferred
    /// response edited, the rest as follow-ups). `Ok(false)`: this platform has no such thing,
    /// and the caller posts the messages to the chat instead.
    async fn complete_interaction(
        &self,
        token: &ReplyToken,
        messages: &[OutMessage],
    ) -> Result<bool, String> {
        let _ = (token, messages);
        Ok(false)
    }
}
