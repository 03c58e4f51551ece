//! A core reply sent to Telegram: button presses answered, the carrier edited, messages in order.

use tally_core::conversation::{AttachmentKind, Button, OutMessage, Reply};
use teloxide::types::{
    CallbackQueryId, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId,
};
use teloxide::{ApiError, RequestError};
use tracing::{debug, warn};

use super::api::{Api, ApiFailure, Photo, Target};
use super::html::{MAX_MESSAGE_LEN, render_chunks};
use crate::outbox::Progress;

/// Telegram takes captions of up to 1024 characters; the HTML is counted, which is longer than
/// what Telegram counts, so a caption that fits here fits there.
const MAX_CAPTION_LEN: usize = 1024;

/// Telegram shows at most 200 characters of a callback answer.
const MAX_NOTICE_CHARS: usize = 200;

/// The button press a reply answers.
#[derive(Debug, Clone)]
pub struct Press {
    pub query: CallbackQueryId,
    pub carrier: (ChatId, MessageId),
}

/// What [`deliver`] got through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// The edit of the pressed message went out (or there was none).
    pub edited: bool,
    /// The new messages that went out, in order: sending stops at the first one refused, so
    /// the rest keep their order when the outbox sends them later.
    pub sent: usize,
}

/// Sends everything in `reply`, recording `progress` after each of its first messages went
/// out while more follow (so a crash midway resends only the rest). A refusal is logged and
/// counted: the update's effects are committed by now, so a reply is never a reason to handle
/// it again, and what was not sent stays in the outbox.
pub async fn deliver(
    api: &Api,
    reply: &Reply,
    target: Target,
    press: Option<&Press>,
    progress: Option<Progress<'_>>,
) -> Delivered {
    if let Some(p) = press {
        let notice = reply.notice.as_deref().map(short_notice);
        if let Err(e) = api.answer_callback_query(&p.query, notice.as_deref()).await {
            // Telegram forgets a query after a while; the edit below still shows the result.
            debug!(error = %e, "couldn't answer a button press");
        }
    }
    let mut edited = true;
    if let Some(edit) = &reply.edit {
        let result = match press {
            Some(p) => edit_carrier(api, p.carrier, edit, target).await,
            None => send(api, target, edit).await,
        };
        edited = !failed(result);
    }
    let mut target = target;
    let mut sent = 0;
    for message in &reply.messages {
        if failed(send(api, target, message).await) {
            break;
        }
        sent += 1;
        if sent < reply.messages.len()
            && let Some(p) = &progress
        {
            p.record(sent).await;
        }
        // Only the first message answers the user's; alerts after it stand on their own.
        target.reply_to = None;
    }
    Delivered { edited, sent }
}

/// Logs and counts a failed send; `true` when it failed.
fn failed(result: Result<(), ApiFailure>) -> bool {
    if let Err(e) = &result {
        warn!(error = %e, "couldn't deliver a reply");
        crate::metrics::error("telegram_send");
    }
    result.is_err()
}

fn short_notice(s: &str) -> String {
    if s.chars().count() <= MAX_NOTICE_CHARS {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX_NOTICE_CHARS - 1).collect();
        t.push('…');
        t
    }
}

/// The inline keyboard for a message's buttons; `callback_data` is the encoded action.
pub fn keyboard(rows: &[Vec<Button>]) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = rows
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.iter()
                .map(|b| InlineKeyboardButton::callback(b.label.clone(), b.action.encode()))
                .collect()
        })
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

/// Sends one message, split into several if it is too long; the buttons go on the last part.
/// A message with a file goes as a photo (or a document), its text the caption when it fits one.
pub async fn send(api: &Api, target: Target, message: &OutMessage) -> Result<(), ApiFailure> {
    let chunks = render_chunks(&message.text, MAX_MESSAGE_LEN);
    if let Some(file) = &message.attachment {
        let fits = chunks.len() <= 1 && chunks.iter().all(|c| c.chars().count() <= MAX_CAPTION_LEN);
        let caption = chunks.first().filter(|_| fits).map(String::as_str);
        let keyboard = keyboard(&message.buttons);
        let photo = Photo {
            file_name: &file.file_name,
            bytes: &file.bytes,
            caption,
        };
        if fits {
            upload(api, file.kind, target, &photo, keyboard.as_ref()).await?;
            return Ok(());
        }
        // Too long for a caption: the picture first, then the text with the buttons.
        upload(api, file.kind, target, &photo, None).await?;
        let mut rest = target;
        rest.reply_to = None;
        return send_chunks(
            api,
            rest,
            &chunks,
            keyboard.as_ref(),
            message.no_link_preview,
        )
        .await;
    }
    send_chunks(
        api,
        target,
        &chunks,
        keyboard(&message.buttons).as_ref(),
        message.no_link_preview,
    )
    .await
}

/// A picture goes as a photo, any other file as a document.
async fn upload(
    api: &Api,
    kind: AttachmentKind,
    target: Target,
    file: &Photo<'_>,
    keyboard: Option<&InlineKeyboardMarkup>,
) -> Result<(), ApiFailure> {
    match kind {
        AttachmentKind::Photo => api.send_photo(target, file, keyboard).await.map(drop),
        AttachmentKind::Document => api.send_document(target, file, keyboard).await.map(drop),
    }
}

async fn send_chunks(
    api: &Api,
    mut target: Target,
    chunks: &[String],
    keyboard: Option<&InlineKeyboardMarkup>,
    no_link_preview: bool,
) -> Result<(), ApiFailure> {
    for (i, chunk) in chunks.iter().enumerate() {
        let k = if i + 1 == chunks.len() {
            keyboard
        } else {
            None
        };
        match api.send_message(target, chunk, k, no_link_preview).await {
            Ok(_) => {}
            // A group that became a supergroup lives on under a new id.
            Err(ApiFailure::Refused {
                source: RequestError::MigrateToChatId(new_chat),
                ..
            }) => {
                debug!(
                    old = target.chat.0,
                    new = new_chat.0,
                    "group moved; resending"
                );
                target.chat = new_chat;
                target.reply_to = None;
                api.send_message(target, chunk, k, no_link_preview).await?;
            }
            Err(e) => return Err(e),
        }
        target.reply_to = None;
    }
    Ok(())
}

/// Replaces the text (and buttons) of the message that carried the pressed button. If Telegram
/// won't edit it (too old, deleted), the content comes as a new message instead.
pub async fn edit_carrier(
    api: &Api,
    (chat, message_id): (ChatId, MessageId),
    edit: &OutMessage,
    target: Target,
) -> Result<(), ApiFailure> {
    let chunks = render_chunks(&edit.text, MAX_MESSAGE_LEN);
    let keyboard = keyboard(&edit.buttons);
    let Some((first, rest)) = chunks.split_first() else {
        return Ok(());
    };
    let first_keyboard = if rest.is_empty() {
        keyboard.as_ref()
    } else {
        None
    };
    match api
        .edit_message_text(chat, message_id, first, first_keyboard)
        .await
    {
        Ok(()) => {}
        Err(ApiFailure::Refused {
            source: RequestError::Api(ApiError::MessageNotModified),
            ..
        }) => {}
        Err(ApiFailure::Refused { source, .. }) => {
            debug!(error = %source, "couldn't edit the message; sending it anew");
            return send_chunks(
                api,
                target,
                &chunks,
                keyboard.as_ref(),
                edit.no_link_preview,
            )
            .await;
        }
        Err(e) => return Err(e),
    }
    send_chunks(api, target, rest, keyboard.as_ref(), edit.no_link_preview).await
}

#[cfg(test)]
mod tests {
    use tally_core::conversation::Action;
    use tally_core::domain::TransactionId;

    use super::*;

    #[test]
    fn buttons_carry_encoded_actions() {
        let rows = vec![
            vec![
                Button {
                    label: "↩ Undo".into(),
                    action: Action::Undo(TransactionId(7)),
                },
                Button {
                    label: "🏷 Change category".into(),
                    action: Action::ChooseCategory(TransactionId(7)),
                },
            ],
            vec![],
        ];
        let k = keyboard(&rows).expect("a keyboard");
        let json = serde_json::to_value(&k).expect("serialises");
        assert_eq!(json["inline_keyboard"][0][0]["callback_data"], "u:7");
        assert_eq!(json["inline_keyboard"][0][1]["callback_data"], "c:7");
        assert_eq!(json["inline_keyboard"].as_array().map(Vec::len), Some(1));
        assert!(keyboard(&[]).is_none());
    }

    #[test]
    fn notices_fit_telegram() {
        assert_eq!(short_notice("Undone"), "Undone");
        let long = short_notice(&"x".repeat(500));
        assert_eq!(long.chars().count(), MAX_NOTICE_CHARS);
    }
}
