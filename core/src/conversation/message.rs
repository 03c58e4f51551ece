//! The platform-neutral shapes of what comes in and what goes out.

use chrono::{DateTime, Utc};

use super::action::Action;
use super::command::Command;
use crate::domain::{ChatKind, Platform, Role};

/// One update from any platform, already mapped by its adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub platform: Platform,
    /// Unique per platform; a redelivery carries the same id and is handled once.
    pub update_id: String,
    pub sender: Sender,
    pub chat: Chat,
    pub content: Content,
    pub at: DateTime<Utc>,
    /// The platform's id of the message itself, kept as the source of what it records.
    pub message_ref: Option<String>,
    /// Who the platform says the message names, and the sender's username (shared expenses).
    pub mentions: Mentions,
}

/// People a platform marked in a message, and the sender's platform username.
///
/// Only the adapter can know these (they are not in the text a user could type), so a split
/// names people by what the platform vouches for, never by a look-alike name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// The sender's platform username (Telegram's `@username`, without the `@`): a
    /// placeholder mentioned by that username in this chat becomes the sender.
    pub sender_username: Option<String>,
    /// Mentions that carry a user id (Telegram `text_mention`, Discord user mentions).
    pub users: Vec<Mention>,
}

/// One mention with a platform user id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The words of the message it covers (`Ann Smith`, or `<@123>` on Discord).
    pub text: String,
    /// The platform's user id.
    pub user_id: String,
    /// How to call them until they write themselves.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The platform's user id (a Telegram user id, a Discord snowflake, a console user name).
    pub id: String,
    pub display_name: String,
    /// What the platform says about this person in a group chat (admin or not); `None` when the
    /// adapter does not know, which keeps the role stored earlier.
    pub role: Option<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    pub kind: ChatKind,
    /// The platform's chat or channel id; for private chats, usually the user's id.
    pub id: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Free text, read by the parser.
    Text(String),
    /// A slash command as text, without its slash: `spent` with `12 lunch`, read by the one
    /// argument grammar ([`Command::from_slash`]).
    Command { name: String, args: String },
    /// A command an adapter built from typed options (Discord's), used as it is.
    Typed(Command),
    /// A button the bot sent earlier was pressed.
    Action(Action),
}

impl Content {
    /// Reads `/spent@TallyBot 12 lunch` (or plain text) the way chat platforms deliver it.
    pub fn from_text(text: &str) -> Content {
        let trimmed = text.trim();
        if let Some(rest) = trimmed.strip_prefix('/') {
            let (head, args) = match rest.find(char::is_whitespace) {
                Some(i) => (&rest[..i], rest[i..].trim()),
                None => (rest, ""),
            };
            let name = head.split('@').next().unwrap_or(head);
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Content::Command {
                    name: name.to_ascii_lowercase(),
                    args: args.to_owned(),
                };
            }
        }
        Content::Text(trimmed.to_owned())
    }
}

/// What the bot answers to one update.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// New messages to send, in order.
    pub messages: Vec<OutMessage>,
    /// For a button press: the new content of the message that carried the button.
    pub edit: Option<OutMessage>,
    /// A short notice for a button press (a toast on Telegram).
    pub notice: Option<String>,
}

impl Reply {
    pub fn message(m: OutMessage) -> Reply {
        Reply {
            messages: vec![m],
            ..Reply::default()
        }
    }

    pub fn text(t: Text) -> Reply {
        Reply::message(OutMessage::new(t))
    }

    /// All text of the reply, for logs, tests and the console.
    pub fn plain(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(e) = &self.edit {
            parts.push(e.text.to_plain());
        }
        parts.extend(self.messages.iter().map(|m| m.text.to_plain()));
        if let Some(n) = &self.notice
            && parts.is_empty()
        {
            parts.push(n.clone());
        }
        parts.join("\n")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutMessage {
    pub text: Text,
    /// Rows of buttons.
    pub buttons: Vec<Vec<Button>>,
    /// Asks the platform not to fetch the links in the text for a preview: a one-time login
    /// link or code must not be opened (and so used up, or logged) by the platform's crawler.
    pub no_link_preview: bool,
    /// A file sent with the message (a chart); the text becomes its caption where the platform
    /// has captions.
    pub attachment: Option<Attachment>,
}

/// How a platform should show an attached file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    /// An image shown inline (Telegram `sendPhoto`).
    Photo,
    /// Any other file, offered for download.
    Document,
}

/// A file that travels with a message, held in memory: charts are small.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    pub kind: AttachmentKind,
    /// A plain name with its extension (`chart-categories.png`).
    pub file_name: String,
    /// `image/png`, `image/svg+xml`, `text/csv`…
    pub mime: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    /// The bytes are left out: logs and test failures would drown in them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("kind", &self.kind)
            .field("file_name", &self.file_name)
            .field("mime", &self.mime)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl OutMessage {
    pub fn new(text: Text) -> OutMessage {
        OutMessage {
            text,
            buttons: Vec::new(),
            no_link_preview: false,
            attachment: None,
        }
    }

    /// The same message with a file; its text is the caption.
    pub fn with_attachment(mut self, attachment: Attachment) -> OutMessage {
        self.attachment = Some(attachment);
        self
    }

    /// The same message, sent without link previews.
    pub fn without_link_preview(mut self) -> OutMessage {
        self.no_link_preview = true;
        self
    }

    pub fn with_buttons(mut self, rows: Vec<Vec<Button>>) -> OutMessage {
        self.buttons = rows.into_iter().filter(|r| !r.is_empty()).collect();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub action: Action,
}

/// Simple emphasis that every platform can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Bold,
    Italic,
    Code,
}

/// Text with emphasis, kept as spans so each adapter escapes and marks it up its own way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub spans: Vec<(Style, String)>,
}

impl Text {
    pub fn new() -> Text {
        Text::default()
    }

    pub fn plain_str(s: impl Into<String>) -> Text {
        Text::new().plain(s)
    }

    fn push(mut self, style: Style, s: impl Into<String>) -> Text {
        let s = s.into();
        if !s.is_empty() {
            match self.spans.last_mut() {
                Some((last, text)) if *last == style => text.push_str(&s),
                _ => self.spans.push((style, s)),
            }
        }
        self
    }

    pub fn plain(self, s: impl Into<String>) -> Text {
        self.push(Style::Plain, s)
    }

    pub fn bold(self, s: impl Into<String>) -> Text {
        self.push(Style::Bold, s)
    }

    pub fn italic(self, s: impl Into<String>) -> Text {
        self.push(Style::Italic, s)
    }

    pub fn code(self, s: impl Into<String>) -> Text {
        self.push(Style::Code, s)
    }

    pub fn line(self) -> Text {
        self.push(Style::Plain, "\n")
    }

    pub fn append(mut self, other: Text) -> Text {
        for (style, s) in other.spans {
            self = self.push(style, s);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.spans.iter().all(|(_, s)| s.is_empty())
    }

    /// The text without markup.
    pub fn to_plain(&self) -> String {
        self.spans.iter().map(|(_, s)| s.as_str()).collect()
    }

    /// Renders each span with `f(style, text)` and joins them: adapters escape inside `f`.
    pub fn render(&self, mut f: impl FnMut(Style, &str) -> String) -> String {
        self.spans.iter().map(|(style, s)| f(*style, s)).collect()
    }
}
