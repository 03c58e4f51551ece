//! Posting unprompted messages (digests): to a budget channel, or in a DM to a user.

use std::sync::Arc;

use async_trait::async_trait;
use serenity::all::{ChannelId, Http, UserId};
use tally_core::Tally;
use tally_core::conversation::{OutMessage, Reply};
use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use tally_core::services::outbox::ReplyToken;

use super::respond;

/// Chat ids are what the adapter put in `Incoming.chat.id`: a channel id for a budget channel,
/// the user's id for everything personal (Discord needs a DM channel opened for those).
pub struct DiscordNotifier {
    http: Arc<Http>,
    tally: Tally,
}

impl DiscordNotifier {
    pub fn new(http: Arc<Http>, tally: Tally) -> DiscordNotifier {
        DiscordNotifier { http, tally }
    }
}

#[async_trait]
impl Notifier for DiscordNotifier {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    async fn send(&self, chat_id: &str, message: OutMessage) -> Result<(), String> {
        let id: u64 = chat_id
            .parse()
            .ok()
            .filter(|n| *n != 0)
            .ok_or_else(|| format!("{chat_id:?} is not a Discord id"))?;
        let channel = self
            .tally
            .group_ledger(Platform::Discord, chat_id.to_owned())
            .await
            .map_err(|e| e.to_string())?;
        let channel = match channel {
            Some(_) => ChannelId::new(id),
            None => {
                UserId::new(id)
                    .create_dm_channel(&self.http)
                    .await
                    .map_err(|e| format!("opening a DM: {e}"))?
                    .id
            }
        };
        respond::to_channel(&self.http, channel, &Reply::message(message))
            .await
            .map_err(|e| format!("posting to Discord: {e}"))
    }

    /// Edits the interaction's (deferred) response through its webhook, and posts the rest as
    /// follow-ups. Errors name only the status: the request's address carries the token.
    async fn complete_interaction(
        &self,
        token: &ReplyToken,
        messages: &[OutMessage],
    ) -> Result<bool, String> {
        respond::complete(&self.http, token.expose(), messages)
            .await
            .map_err(|e| match e {
                serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r)) => {
                    format!("Discord answered {}", r.status_code)
                }
                _ => "completing the interaction failed".to_owned(),
            })?;
        Ok(true)
    }
}
