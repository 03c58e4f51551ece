//! `POST /messages`: the conversation itself, for a web or mobile front end. The same entry point
//! as the chat adapters, as platform `web` with the caller's account as the sender.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tally_core::Error;
use tally_core::Tally;
use tally_core::conversation::{
    Action, AttachmentKind, Chat, Content, Incoming, OutMessage, Outcome, Sender, Style,
};
use tally_core::domain::{ChatKind, Platform};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, Caller, IdempotencyKey};
use crate::metrics;

/// The longest message taken, in characters.
pub const MAX_TEXT: usize = 4096;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    /// What the user typed: `spent 12 on lunch`, `/summary last-month`.
    #[schema(example = "spent 12 on lunch")]
    pub text: Option<String>,
    /// Instead of text: a button's `action` from an earlier reply (`u:42`).
    #[schema(example = "u:42")]
    pub action: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyView {
    /// New messages, in order.
    pub messages: Vec<MessageView>,
    /// After a button: the new content of the message that carried it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit: Option<MessageView>,
    /// After a button: a short notice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// True when this request repeated an earlier `Idempotency-Key`: it was handled then, and
    /// nothing was done now.
    pub duplicate: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    /// The text without markup.
    pub text: String,
    /// The text as styled spans, for rendering.
    pub spans: Vec<SpanView>,
    /// Rows of buttons; send one back as `{"action": …}`.
    pub buttons: Vec<Vec<ButtonView>>,
    /// A file that came with the message (a chart). Only described here: charts themselves
    /// come from `GET /api/v1/charts/{kind}.png`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    /// `photo` (an image to show) or `document`.
    #[schema(example = "photo")]
    pub kind: &'static str,
    #[schema(example = "chart-categories.png")]
    pub file_name: String,
    #[schema(example = "image/png")]
    pub mime: String,
    /// Size in bytes.
    pub size: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpanView {
    /// `plain`, `bold`, `italic` or `code`.
    pub style: &'static str,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ButtonView {
    pub label: String,
    pub action: String,
}

fn style(s: Style) -> &'static str {
    match s {
        Style::Plain => "plain",
        Style::Bold => "bold",
        Style::Italic => "italic",
        Style::Code => "code",
    }
}

fn message_view(m: &OutMessage) -> MessageView {
    MessageView {
        text: m.text.to_plain(),
        spans: m
            .text
            .spans
            .iter()
            .map(|(s, t)| SpanView {
                style: style(*s),
                text: t.clone(),
            })
            .collect(),
        buttons: m
            .buttons
            .iter()
            .map(|row| {
                row.iter()
                    .map(|b| ButtonView {
                        label: b.label.clone(),
                        action: b.action.encode(),
                    })
                    .collect()
            })
            .collect(),
        attachment: m.attachment.as_ref().map(|a| AttachmentView {
            kind: match a.kind {
                AttachmentKind::Photo => "photo",
                AttachmentKind::Document => "document",
            },
            file_name: a.file_name.clone(),
            mime: a.mime.clone(),
            size: a.bytes.len(),
        }),
    }
}

fn reply_view(outcome: Outcome) -> ReplyView {
    let duplicate = matches!(outcome, Outcome::Duplicate);
    match outcome.reply() {
        Some(r) => ReplyView {
            messages: r.messages.iter().map(message_view).collect(),
            edit: r.edit.as_ref().map(message_view),
            notice: r.notice,
            duplicate,
        },
        None => ReplyView {
            messages: Vec::new(),
            edit: None,
            notice: None,
            duplicate,
        },
    }
}

/// Talks to Tally as in a private chat. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/messages", tag = "conversation", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe key")),
    request_body = MessageBody,
    responses((status = 200, body = ReplyView), (status = 422, body = ErrorBody)))]
pub async fn post(
    State(tally): State<Tally>,
    caller: Caller,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<Json<ReplyView>, ApiError> {
    let content = match (body.text, body.action) {
        (Some(text), None) => {
            if text.trim().is_empty() {
                return Err(ApiError::invalid("text", "text is empty."));
            }
            if text.chars().count() > MAX_TEXT {
                return Err(ApiError::invalid(
                    "text",
                    format!("text can be at most {MAX_TEXT} characters."),
                ));
            }
            Content::from_text(&text)
        }
        (None, Some(action)) => {
            Content::Action(Action::decode(action.trim()).ok_or_else(|| {
                Error::invalid("action", "That isn't an action from one of my replies.")
            })?)
        }
        _ => {
            return Err(ApiError::invalid(
                "text",
                "Send either text or an action (not both).",
            ));
        }
    };
    let account = caller.0.account.clone();
    let now = tally.now();
    // The web identity is this account itself; it must exist before the conversation looks it up.
    tally.attach_web_identity(&account).await?;
    let update_id = match key {
        // Scoped by account: two accounts may well pick the same key.
        Some(k) => format!("{}:{k}", account.id),
        None => format!("{}:{}", account.id, hex_nonce()),
    };
    let incoming = Incoming {
        platform: Platform::Web,
        update_id,
        sender: Sender {
            id: account.id.to_string(),
            display_name: account
                .username
                .clone()
                .unwrap_or_else(|| account.display_name.clone()),
            role: None,
        },
        chat: Chat {
            kind: ChatKind::Private,
            id: account.id.to_string(),
            title: None,
        },
        content,
        at: now,
        message_ref: None,
        mentions: Default::default(),
    };
    match tally.handle(incoming).await {
        Ok(outcome) => {
            metrics::update(Platform::Web.as_str(), outcome.label());
            // The response is the delivery: nothing else will ever send a web reply.
            if let Outcome::Replied(delivery) = &outcome {
                tally.mark_sent(delivery.rows()).await?;
            }
            Ok(Json(reply_view(outcome)))
        }
        Err(e) => {
            metrics::update(Platform::Web.as_str(), "failed");
            Err(e.into())
        }
    }
}

fn hex_nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}
