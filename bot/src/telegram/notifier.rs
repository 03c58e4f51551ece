//! Posting unprompted messages (digests) into a Telegram chat.

use async_trait::async_trait;
use tally_core::conversation::OutMessage;
use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use teloxide::types::ChatId;

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
}
