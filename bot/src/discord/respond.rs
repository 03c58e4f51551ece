//! Sending a reply: the interaction response, edits after a defer, follow-ups, channel messages.

use serenity::all::{
    ChannelId, CreateAllowedMentions, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse, Http, InteractionId,
};
use tally_core::conversation::{OutMessage, Reply};

use super::render::{self, Rendered};

/// What a user sees when handling failed on our side.
pub const FAILURE: &str =
    "Something went wrong on my side, so nothing was changed. Please try again in a moment.";

/// An interaction to answer, and how.
pub struct Answer<'a> {
    pub http: &'a Http,
    pub id: InteractionId,
    pub token: &'a str,
    /// Only the caller sees the answer (flag 64).
    pub ephemeral: bool,
    /// A button or menu: `Reply.edit` replaces the message that carried it.
    pub component: bool,
    /// A deferred response was sent, so the first message edits it.
    pub deferred: bool,
}

/// No reply ever pings anyone: names and notes are user text.
fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

fn message(r: Rendered, ephemeral: bool) -> CreateInteractionResponseMessage {
    CreateInteractionResponseMessage::new()
        .content(r.content)
        .components(r.components)
        .allowed_mentions(no_mentions())
        .ephemeral(ephemeral)
}

impl<'a> Answer<'a> {
    /// A new message only the caller sees.
    pub fn private(http: &'a Http, id: InteractionId, token: &'a str) -> Answer<'a> {
        Answer {
            http,
            id,
            token,
            ephemeral: true,
            component: false,
            deferred: false,
        }
    }

    /// Acknowledges now and answers later (Discord allows 3 seconds for the first response,
    /// then 15 minutes for edits and follow-ups).
    pub async fn defer(&self) -> serenity::Result<()> {
        let data = CreateInteractionResponseMessage::new().ephemeral(self.ephemeral);
        self.http
            .create_interaction_response(
                self.id,
                self.token,
                &CreateInteractionResponse::Defer(data),
                Vec::new(),
            )
            .await
    }

    /// Sends `reply`: the first message as the response (or the edit of the pressed message,
    /// or of the deferred response), the rest as follow-ups.
    pub async fn send(&self, reply: &Reply) -> serenity::Result<()> {
        let edit: Vec<Rendered> = reply.edit.iter().flat_map(render::message).collect();
        let mut rest: Vec<Rendered> = reply.messages.iter().flat_map(render::message).collect();
        if self.component && !edit.is_empty() {
            let mut edit = edit.into_iter();
            if let Some(mut first) = edit.next() {
                // Type 7: the message carrying the button, updated in place.
                let files = std::mem::take(&mut first.files);
                let response = CreateInteractionResponse::UpdateMessage(message(first, false));
                self.http
                    .create_interaction_response(self.id, self.token, &response, files)
                    .await?;
            }
            let mut follow: Vec<Rendered> = edit.collect();
            follow.append(&mut rest);
            return self.follow_ups(follow).await;
        }
        let mut all = edit;
        all.append(&mut rest);
        if all.is_empty() {
            let text = reply.notice.clone().unwrap_or_else(|| "Done.".to_owned());
            all.push(Rendered {
                content: render::escape(&text),
                components: Vec::new(),
                files: Vec::new(),
            });
        }
        let mut all = all.into_iter();
        if let Some(first) = all.next() {
            self.first(first).await?;
        }
        self.follow_ups(all.collect()).await
    }

    /// A short apology, after a failure on our side.
    pub async fn failure(&self) -> serenity::Result<()> {
        self.first(Rendered {
            content: FAILURE.to_owned(),
            components: Vec::new(),
            files: Vec::new(),
        })
        .await
    }

    async fn first(&self, mut r: Rendered) -> serenity::Result<()> {
        let files = std::mem::take(&mut r.files);
        if self.deferred {
            let edit = EditInteractionResponse::new()
                .content(r.content)
                .components(r.components)
                .allowed_mentions(no_mentions());
            self.http
                .edit_original_interaction_response(self.token, &edit, files)
                .await
                .map(drop)
        } else {
            let response = CreateInteractionResponse::Message(message(r, self.ephemeral));
            self.http
                .create_interaction_response(self.id, self.token, &response, files)
                .await
        }
    }

    async fn follow_ups(&self, parts: Vec<Rendered>) -> serenity::Result<()> {
        for r in parts {
            let f = CreateInteractionResponseFollowup::new()
                .content(r.content)
                .components(r.components)
                .allowed_mentions(no_mentions())
                .ephemeral(self.ephemeral);
            self.http
                .create_followup_message(self.token, &f, r.files)
                .await?;
        }
        Ok(())
    }
}

/// Posts `reply` as ordinary messages in a channel (DMs, notifications).
pub async fn to_channel(http: &Http, channel: ChannelId, reply: &Reply) -> serenity::Result<()> {
    let mut parts: Vec<Rendered> = reply
        .edit
        .iter()
        .chain(reply.messages.iter())
        .flat_map(render::message)
        .collect();
    if parts.is_empty()
        && let Some(n) = &reply.notice
    {
        parts.push(Rendered {
            content: render::escape(n),
            components: Vec::new(),
            files: Vec::new(),
        });
    }
    for r in parts {
        let m = CreateMessage::new()
            .content(r.content)
            .components(r.components)
            .allowed_mentions(no_mentions());
        http.send_message(channel, r.files, &m).await?;
    }
    Ok(())
}

/// Answers an interaction after the fact (the outbox sender, after a crash): the deferred
/// response becomes the first message, the rest follow. Works for Discord's 15 minutes.
pub async fn complete(http: &Http, token: &str, messages: &[OutMessage]) -> serenity::Result<()> {
    let mut parts = messages.iter().flat_map(render::message);
    if let Some(mut first) = parts.next() {
        let files = std::mem::take(&mut first.files);
        let edit = EditInteractionResponse::new()
            .content(first.content)
            .components(first.components)
            .allowed_mentions(no_mentions());
        http.edit_original_interaction_response(token, &edit, files)
            .await?;
    }
    for r in parts {
        let f = CreateInteractionResponseFollowup::new()
            .content(r.content)
            .components(r.components)
            .allowed_mentions(no_mentions());
        http.create_followup_message(token, &f, r.files).await?;
    }
    Ok(())
}
