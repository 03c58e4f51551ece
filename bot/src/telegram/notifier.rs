//! Posting unprompted messages (digests, the outbox's) into a Telegram chat, and editing earlier ones.

use async_trait::async_trait;
use tally_core::conversation::OutMessage;
use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use teloxide::types::{ChatId, MessageId};

use super::api::{Api, Target};
use super::outbound;

pub struct TelegramNotifier {
    api: Api,
}

impl TelegramNotifier {
    pub fn new(api: Api) -> TelegramNotifier {
        TelegramNotifier { api }
    }
}

#[async_trait]
impl Notifier for TelegramNotifier {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    async fn send(&self, chat_id: &str, message: OutMessage) -> Result<(), String> {
        let chat: i64 = chat_id
            .trim()
            .parse()
            .map_err(|_| format!("{chat_id:?} is not a Telegram chat id"))?;
        outbound::send(&self.api, Target::chat(ChatId(chat)), &message)
            .await
            .map_err(|e| e.to_string())
    }

    /// `message_ref` is `CHAT:MESSAGE`, as the adapter names a pressed button's message.
    async fn edit(
        &self,
        _chat_id: &str,
        message_ref: &str,
        message: OutMessage,
    ) -> Result<(), String> {
        let carrier = message_ref
            .split_once(':')
            .and_then(|(c, m)| Some((c.parse().ok()?, m.parse().ok()?)));
        let Some((chat, id)) = carrier else {
            return Err(format!(
                "{message_ref:?} is not a Telegram message reference"
            ));
        };
        outbound::edit_carrier(
            &self.api,
            (ChatId(chat), MessageId(id)),
            &message,
            Target::chat(ChatId(chat)),
        )
        .await
        .map_err(|e| e.to_string())
    }
}
