//! Who is an administrator of a group, as Telegram says, remembered for a few seconds.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tally_core::domain::Role;
use teloxide::types::{ChatId, ChatMemberKind, UserId};
use tracing::warn;

use super::api::Api;

/// Entries kept at most; beyond it, expired ones are swept.
const SWEEP_AT: usize = 10_000;

/// A short-lived cache over `getChatMember`. It only saves calls: a stale answer lasts at most
/// `ttl`, and `ttl = 0` asks Telegram every time.
pub struct Roles {
    ttl: Duration,
    cache: Mutex<HashMap<(i64, u64), (Role, Instant)>>,
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
    pub async fn role(&self, api: &Api, chat: ChatId, user: UserId) -> Option<Role> {
        let key = (chat.0, user.0);
        if let Some(role) = self.cached(key) {
            return Some(role);
        }
        match api.get_chat_member(chat, user).await {
            Ok(member) => {
                let role = role_of(&member.kind);
                self.remember(key, role);
                Some(role)
            }
            Err(e) => {
                warn!(error = %e, "couldn't ask Telegram for a member's role");
                crate::metrics::error("telegram_get_chat_member");
                None
            }
        }
    }

    fn cached(&self, key: (i64, u64)) -> Option<Role> {
        if self.ttl.is_zero() {
            return None;
        }
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(&key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(role, _)| *role)
    }

    fn remember(&self, key: (i64, u64), role: Role) {
        if self.ttl.is_zero() {
            return;
        }
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= SWEEP_AT {
            let ttl = self.ttl;
            cache.retain(|_, (_, at)| at.elapsed() < ttl);
        }
        cache.insert(key, (role, Instant::now()));
    }
}

/// Telegram's creator is the group's owner, its administrators are admins, everyone else a member.
pub fn role_of(kind: &ChatMemberKind) -> Role {
    match kind {
        ChatMemberKind::Owner(_) => Role::Owner,
        ChatMemberKind::Administrator(_) => Role::Admin,
        _ => Role::Member,
    }
}
