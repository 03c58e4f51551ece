//! Who is talking and where: Discord users, members and channels as the core's sender and chat.

use serenity::all::{ChannelId, GuildId, Member, User};
use tally_core::Tally;
use tally_core::conversation::{Chat, Content, Incoming, Sender};
use tally_core::domain::{ChatKind, LedgerId, Platform, Role};

/// The person behind an interaction or message.
#[derive(Debug, Clone)]
pub struct Who {
    pub id: String,
    pub display_name: String,
    /// Has Manage Channels (or Administrator) in the channel the interaction came from.
    pub manages: bool,
}

impl Who {
    pub fn of(user: &User, member: Option<&Member>) -> Who {
        let display_name = member
            .and_then(|m| m.nick.clone())
            .or_else(|| user.global_name.clone())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| user.name.clone());
        // `member.permissions` is what Discord computed for this member in this channel
        // (roles and overwrites included); a command's default permissions can be overridden
        // by server admins, so this is the check that counts.
        let manages = member
            .and_then(|m| m.permissions)
            .is_some_and(|p| p.manage_channels() || p.administrator());
        Who {
            id: user.id.get().to_string(),
            display_name,
            manages,
        }
    }

    fn role(&self) -> Role {
        if self.manages {
            Role::Admin
        } else {
            Role::Member
        }
    }
}

/// Whose ledger an update works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The caller's own ledger: DMs, and server channels without a budget. Answers are private.
    Personal,
    /// A channel with a shared budget switched on. Answers are public.
    Channel {
        channel_id: String,
        title: Option<String>,
        /// `None` while the channel has no budget yet (only `/budget-channel` gets here then).
        ledger: Option<LedgerId>,
    },
}

impl Place {
    /// A server channel is a budget channel when its group ledger exists and is switched on.
    pub async fn find(
        tally: &Tally,
        guild: Option<GuildId>,
        channel: ChannelId,
        title: Option<String>,
    ) -> Result<Place, tally_core::Error> {
        if guild.is_none() {
            return Ok(Place::Personal);
        }
        let channel_id = channel.get().to_string();
        let ledger = tally
            .group_ledger(Platform::Discord, channel_id.clone())
            .await?;
        Ok(match ledger {
            Some(l) if l.active => Place::Channel {
                channel_id,
                title,
                ledger: Some(l.id),
            },
            _ => Place::Personal,
        })
    }

    pub fn is_public(&self) -> bool {
        matches!(self, Place::Channel { .. })
    }
}

/// The core's chat and sender for `who` in `place`.
pub fn chat_and_sender(who: &Who, place: &Place) -> (Chat, Sender) {
    match place {
        Place::Personal => (
            Chat {
                kind: ChatKind::Private,
                id: who.id.clone(),
                title: None,
            },
            Sender {
                id: who.id.clone(),
                display_name: who.display_name.clone(),
                role: None,
            },
        ),
        Place::Channel {
            channel_id, title, ..
        } => (
            Chat {
                kind: ChatKind::Group,
                id: channel_id.clone(),
                title: title.clone(),
            },
            Sender {
                id: who.id.clone(),
                display_name: who.display_name.clone(),
                role: Some(who.role()),
            },
        ),
    }
}

/// One update for the core; Discord's ids are snowflakes, unique across interactions and
/// messages, so they serve as the update id directly.
pub fn incoming(
    tally: &Tally,
    update_id: String,
    chat: Chat,
    sender: Sender,
    content: Content,
) -> Incoming {
    Incoming {
        platform: Platform::Discord,
        message_ref: Some(update_id.clone()),
        mentions: Default::default(),
        update_id,
        sender,
        chat,
        content,
        at: tally.now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn member(permissions: &str, nick: Option<&str>) -> Member {
        serde_json::from_value(json!({
            "user": {"id": "42", "username": "sam", "global_name": "Sam G", "discriminator": "0"},
            "nick": nick,
            "roles": [],
            "joined_at": "2026-01-01T00:00:00Z",
            "deaf": false,
            "mute": false,
            "flags": 0,
            "permissions": permissions,
        }))
        .expect("member")
    }

    #[test]
    fn names_and_permissions() {
        let m = member("16", Some("Sammy"));
        let who = Who::of(&m.user, Some(&m));
        assert_eq!(who.display_name, "Sammy");
        assert!(who.manages);
        let m = member("1024", None);
        let who = Who::of(&m.user, Some(&m));
        assert_eq!(who.display_name, "Sam G");
        assert!(!who.manages);
        let admin = member("8", None);
        assert!(Who::of(&admin.user, Some(&admin)).manages);
        let dm = Who::of(&m.user, None);
        assert!(!dm.manages);
        assert_eq!(dm.id, "42");
    }
}
