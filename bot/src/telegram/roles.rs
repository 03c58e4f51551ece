//! Who is in a group and who administers it, as Telegram says, remembered for a few seconds.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tally_core::domain::{Platform, Role};
use tally_core::services::membership::{MembershipOracle, Standing};
use teloxide::types::{ChatId, ChatMemberKind, UserId};
use tracing::warn;

use super::api::Api;

/// Entries kept at most; beyond it, expired ones are swept.
const SWEEP_AT: usize = 10_000;

/// A short-lived cache over `getChatMember`. It only saves calls: a stale answer lasts at most
/// `ttl`, and `ttl = 0` asks Telegram every time.
pub struct Roles {
    ttl: Duration,
    cache: Mutex<HashMap<(i64, u64), (Standing, Instant)>>,
}

impl Roles {
    pub fn new(ttl: Duration) -> Roles {
        Roles {
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The member's standing in the group; `None` when Telegram could not say (the core then
    /// keeps the role it stored before).
    pub async fn standing(&self, api: &Api, chat: ChatId, user: UserId) -> Option<Standing> {
        let key = (chat.0, user.0);
        if let Some(standing) = self.cached(key) {
            return Some(standing);
        }
        let standing = ask(api, chat, user).await?;
        self.remember(key, standing);
        Some(standing)
    }

    /// Telegram told us (a `chat_member` update): what it said replaces what we remembered.
    pub fn learn(&self, chat: ChatId, user: UserId, standing: Standing) {
        self.remember((chat.0, user.0), standing);
    }

    fn cached(&self, key: (i64, u64)) -> Option<Standing> {
        if self.ttl.is_zero() {
            return None;
        }
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(&key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(standing, _)| *standing)
    }

    fn remember(&self, key: (i64, u64), standing: Standing) {
        if self.ttl.is_zero() {
            return;
        }
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= SWEEP_AT {
            let ttl = self.ttl;
            cache.retain(|_, (_, at)| at.elapsed() < ttl);
        }
        cache.insert(key, (standing, Instant::now()));
    }
}

/// Answers the core's questions about who is in a Telegram group (API requests to a group's
/// ledger) with `getChatMember`, uncached: the core asks at most once per membership per few
/// minutes, and then wants Telegram's word as it is now.
pub struct TelegramOracle {
    api: Api,
}

impl TelegramOracle {
    pub fn new(api: Api) -> TelegramOracle {
        TelegramOracle { api }
    }
}

#[async_trait]
impl MembershipOracle for TelegramOracle {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    async fn standing(&self, chat_id: &str, user_id: &str) -> Option<Standing> {
        let (Ok(chat), Ok(user)) = (chat_id.parse::<i64>(), user_id.parse::<u64>()) else {
            return Some(Standing::Gone);
        };
        ask(&self.api, ChatId(chat), UserId(user)).await
    }
}

/// `getChatMember`, read as a standing; `None` (logged and counted) when Telegram can't say.
async fn ask(api: &Api, chat: ChatId, user: UserId) -> Option<Standing> {
    match api.get_chat_member(chat, user).await {
        Ok(member) => Some(standing_of(&member.kind)),
        Err(e) => {
            warn!(error = %e, "couldn't ask Telegram where someone stands in a group");
            crate::metrics::error("telegram_get_chat_member");
            None
        }
    }
}

/// Telegram's creator is the group's owner, its administrators are admins, everyone else in
/// the group a member; whoever left, was removed or banned is gone.
pub fn standing_of(kind: &ChatMemberKind) -> Standing {
    match kind {
        ChatMemberKind::Owner(_) => Standing::Member(Some(Role::Owner)),
        ChatMemberKind::Administrator(_) => Standing::Member(Some(Role::Admin)),
        ChatMemberKind::Member(_) => Standing::Member(Some(Role::Member)),
        ChatMemberKind::Restricted(r) if r.is_member => Standing::Member(Some(Role::Member)),
        ChatMemberKind::Restricted(_) | ChatMemberKind::Left | ChatMemberKind::Banned(_) => {
            Standing::Gone
        }
    }
}
