//! A Telegram update as the core's `Incoming`, plus what answering it needs to know.

use chrono::{DateTime, Utc};
use tally_core::conversation::{
    Action, COMMANDS, Chat, Content, Incoming, Mention, Mentions, Sender,
};
use tally_core::domain::{ChatKind, Platform};
use tally_core::services::membership::Standing;
use teloxide::types::{
    CallbackQuery, CallbackQueryId, ChatId, ChatMemberUpdated, Message, MessageEntityKind,
    MessageId, Update, UpdateKind, User, UserId,
};

use super::api::Target;
use super::roles::standing_of;

/// What an update asks of Tally.
#[derive(Debug)]
pub enum Inbound {
    /// A text message (a command or free text) in a private chat or a group.
    Message(Box<MessageIn>),
    /// A press on one of our buttons.
    Press(Box<PressIn>),
    /// A button whose data no longer reads as an action: answered, the core is not asked.
    StaleButton(CallbackQueryId),
    /// Telegram says someone's standing in a group changed (`chat_member`), or the bot's own
    /// (`my_chat_member`, with `bot` set).
    Membership(MembershipIn),
    /// Nothing for Tally: a photo, an edit, another bot, a command for another bot…
    Ignored(&'static str),
}

#[derive(Debug)]
pub struct MessageIn {
    pub incoming: Incoming,
    pub target: Target,
    /// In a group: whose standing to ask Telegram about before the core runs.
    pub member: Option<(ChatId, UserId)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipIn {
    pub chat: ChatId,
    pub user: UserId,
    pub standing: Standing,
    /// The change is about the bot itself.
    pub bot: bool,
}

#[derive(Debug)]
pub struct PressIn {
    pub incoming: Incoming,
    /// In a group: whose standing to ask Telegram about before the core runs.
    pub member: Option<(ChatId, UserId)>,
    pub query: CallbackQueryId,
    /// The message that carried the button; a reply's `edit` replaces its text.
    pub carrier: (ChatId, MessageId),
    pub target: Target,
}

/// Reads an update. `bot_username` (once known) tells our commands from other bots'; `now` is
/// when a button press happened (Telegram does not say).
pub fn read(update: &Update, bot_username: Option<&str>, now: DateTime<Utc>) -> Inbound {
    let update_id = update.id.0.to_string();
    match &update.kind {
        UpdateKind::Message(m) => read_message(m, update_id, bot_username),
        UpdateKind::CallbackQuery(q) => read_press(q, update_id, now),
        UpdateKind::ChatMember(u) => read_membership(u, false),
        UpdateKind::MyChatMember(u) => read_membership(u, true),
        _ => Inbound::Ignored("an update kind Tally does not use"),
    }
}

fn read_message(m: &Message, update_id: String, bot_username: Option<&str>) -> Inbound {
    let Some(kind) = chat_kind(&m.chat) else {
        return Inbound::Ignored("a channel post");
    };
    let Some(from) = m.from.as_ref() else {
        return Inbound::Ignored("a message without a sender");
    };
    if from.is_bot {
        return Inbound::Ignored("a message from a bot");
    }
    let Some(text) = m.text() else {
        return Inbound::Ignored("a message without text");
    };
    let content = match content(text, bot_username) {
        Some(c) => c,
        None => return Inbound::Ignored("a command for another bot"),
    };
    let group = kind == ChatKind::Group;
    let target = Target {
        chat: m.chat.id,
        reply_to: group.then_some(m.id),
        thread: thread_of(m),
    };
    Inbound::Message(Box::new(MessageIn {
        incoming: Incoming {
            platform: Platform::Telegram,
            update_id,
            sender: sender(from),
            chat: chat(&m.chat, kind),
            content,
            at: m.date,
            message_ref: Some(message_ref(m.chat.id, m.id)),
            mentions: mentions(m, from),
        },
        target,
        member: group.then_some((m.chat.id, from.id)),
    }))
}

fn read_membership(u: &ChatMemberUpdated, bot: bool) -> Inbound {
    if chat_kind(&u.chat) != Some(ChatKind::Group) {
        return Inbound::Ignored("a membership change outside a group");
    }
    Inbound::Membership(MembershipIn {
        chat: u.chat.id,
        user: u.new_chat_member.user.id,
        standing: standing_of(&u.new_chat_member.kind),
        bot,
    })
}

fn read_press(q: &CallbackQuery, update_id: String, now: DateTime<Utc>) -> Inbound {
    let Some(carrier) = q.message.as_ref() else {
        return Inbound::Ignored("a press on an inline-mode message");
    };
    let Some(data) = q.data.as_deref() else {
        return Inbound::Ignored("a press without data");
    };
    let Some(action) = Action::decode(data) else {
        return Inbound::StaleButton(q.id.clone());
    };
    let carrier_chat = carrier.chat();
    let Some(kind) = chat_kind(carrier_chat) else {
        return Inbound::Ignored("a press in a channel");
    };
    let target = Target {
        chat: carrier_chat.id,
        reply_to: None,
        thread: carrier.regular_message().and_then(thread_of),
    };
    Inbound::Press(Box::new(PressIn {
        incoming: Incoming {
            platform: Platform::Telegram,
            update_id,
            sender: sender(&q.from),
            chat: chat(carrier_chat, kind),
            content: Content::Action(action),
            at: now,
            message_ref: Some(message_ref(carrier_chat.id, carrier.id())),
            mentions: Default::default(),
        },
        member: (kind == ChatKind::Group).then_some((carrier_chat.id, q.from.id)),
        query: q.id.clone(),
        carrier: (carrier_chat.id, carrier.id()),
        target,
    }))
}

fn chat_kind(chat: &teloxide::types::Chat) -> Option<ChatKind> {
    if chat.is_private() {
        Some(ChatKind::Private)
    } else if chat.is_group() || chat.is_supergroup() {
        Some(ChatKind::Group)
    } else {
        None
    }
}

fn chat(c: &teloxide::types::Chat, kind: ChatKind) -> Chat {
    Chat {
        kind,
        id: c.id.0.to_string(),
        title: c.title().map(str::to_owned),
    }
}

/// The sender's username and the people the message names by user id (`text_mention`
/// entities, which Telegram makes for people without a username). A bare `@username` stays in
/// the text: the core matches it only against people who wrote in the chat with it.
fn mentions(m: &Message, from: &User) -> Mentions {
    let users = m
        .parse_entities()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| match e.kind() {
            MessageEntityKind::TextMention { user } if !user.is_bot => Some(Mention {
                text: e.text().to_owned(),
                user_id: user.id.0.to_string(),
                name: display_name(user),
            }),
            _ => None,
        })
        .collect();
    Mentions {
        sender_username: from.username.clone(),
        users,
    }
}

fn sender(user: &User) -> Sender {
    Sender {
        id: user.id.0.to_string(),
        display_name: display_name(user),
        role: None,
    }
}

/// First and last name; `@username` when there is no name; the id as a last resort.
pub fn display_name(user: &User) -> String {
    let full = user.full_name();
    if !full.trim().is_empty() {
        full.trim().to_owned()
    } else if let Some(u) = user.username.as_deref().filter(|u| !u.is_empty()) {
        format!("@{u}")
    } else {
        format!("user {}", user.id.0)
    }
}

fn message_ref(chat: ChatId, message: MessageId) -> String {
    format!("{}:{}", chat.0, message.0)
}

fn thread_of(m: &Message) -> Option<teloxide::types::ThreadId> {
    if m.is_topic_message {
        m.thread_id
    } else {
        None
    }
}

/// The message text as the core's content. `None` for a command addressed to another bot
/// (`/summary@OtherBot`), which in a group is none of our business.
pub fn content(text: &str, bot_username: Option<&str>) -> Option<Content> {
    let trimmed = text.trim();
    if let Some(rest) = trimmed.strip_prefix('/') {
        let head = rest.split(char::is_whitespace).next().unwrap_or("");
        if let (Some((_, addressee)), Some(me)) = (head.split_once('@'), bot_username)
            && !addressee.eq_ignore_ascii_case(me)
        {
            return None;
        }
    }
    let text = match bot_username {
        Some(me) => strip_mention(trimmed, me),
        None => trimmed,
    };
    Some(match Content::from_text(text) {
        Content::Command { name, args } => Content::Command {
            name: command_name(&name),
            args,
        },
        other => other,
    })
}

/// "@TallyBot spent 12 on pizza" reads as "spent 12 on pizza".
fn strip_mention<'a>(text: &'a str, me: &str) -> &'a str {
    let Some(rest) = text.strip_prefix('@') else {
        return text;
    };
    match rest.get(..me.len()) {
        Some(name) if name.eq_ignore_ascii_case(me) => {
            let after = &rest[me.len()..];
            if after.is_empty() || after.starts_with(char::is_whitespace) || after.starts_with(',')
            {
                after.trim_start_matches(',').trim_start()
            } else {
                text
            }
        }
        _ => text,
    }
}

/// Telegram command names allow only `a-z`, `0-9` and `_`: a command registered as
/// `budget_channel` is the core's `budget-channel`.
pub fn command_name(name: &str) -> String {
    COMMANDS
        .iter()
        .find(|c| c.name.contains('-') && telegram_command_name(c.name) == name)
        .map_or_else(|| name.to_owned(), |c| c.name.to_owned())
}

/// The name Telegram's menu can carry for a core command, if any.
pub fn telegram_command_name(name: &str) -> String {
    name.to_ascii_lowercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(text: &str, me: Option<&str>) -> Option<(String, String)> {
        match content(text, me)? {
            Content::Command { name, args, .. } => Some((name, args)),
            other => panic!("not a command: {other:?}"),
        }
    }

    #[test]
    fn reads_commands_with_and_without_the_bot_name() {
        assert_eq!(
            command("/spent@TallyBot 12 pizza", Some("tallybot")),
            Some(("spent".into(), "12 pizza".into()))
        );
        assert_eq!(command("/spent@OtherBot 12", Some("TallyBot")), None);
        // Before getMe answered, every command is taken as ours.
        assert_eq!(
            command("/summary@OtherBot", None),
            Some(("summary".into(), String::new()))
        );
        assert_eq!(
            command("/start abc123", Some("TallyBot")),
            Some(("start".into(), "abc123".into()))
        );
    }

    #[test]
    fn drops_a_leading_mention_of_the_bot() {
        assert_eq!(
            content("@TallyBot spent 12 on pizza", Some("tallybot")),
            Some(Content::Text("spent 12 on pizza".into()))
        );
        assert_eq!(
            content("@TallyBotFan hello", Some("TallyBot")),
            Some(Content::Text("@TallyBotFan hello".into()))
        );
    }

    #[test]
    fn maps_underscored_names_back() {
        assert_eq!(telegram_command_name("budget-channel"), "budget_channel");
        assert_eq!(command_name("summary"), "summary");
        assert_eq!(command_name("some_thing"), "some_thing");
    }

    #[test]
    fn names_people_like_telegram_does() {
        let user = |first: &str, last: Option<&str>, username: Option<&str>| User {
            id: UserId(42),
            is_bot: false,
            first_name: first.into(),
            last_name: last.map(Into::into),
            username: username.map(Into::into),
            language_code: None,
            is_premium: false,
            added_to_attachment_menu: false,
        };
        assert_eq!(
            display_name(&user("Ann", Some("Lee"), Some("ann"))),
            "Ann Lee"
        );
        assert_eq!(display_name(&user("", None, Some("ann"))), "@ann");
        assert_eq!(display_name(&user(" ", None, None)), "user 42");
    }
}
