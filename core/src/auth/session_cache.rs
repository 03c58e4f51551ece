//! Access tokens checked a moment ago, so most API requests need no database read for their caller.
//!
//! A token is checked against the database (the account, its token version, the spent-token
//! list) on first sight, and the answer is kept for [`SESSION_CACHE_TTL`]. Every change to an
//! account that this process commits (logout, logout everywhere, a password change, a merge, new
//! settings) moves [`Db::account_epoch`](crate::db::Db::account_epoch) on, and an entry checked
//! under an older epoch is never used: on the instance that revoked a token, the very next
//! request with it is refused. Another instance sharing the database keeps its own entries, so
//! there a revoked token still works until its entry expires, at most [`SESSION_CACHE_TTL`]
//! after that instance last read it.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::sessions::Session;

/// How long a checked token is believed without asking the database again: the longest another
/// instance may keep accepting a token this one revoked.
pub const SESSION_CACHE_TTL: Duration = Duration::seconds(2);

/// Tokens kept at most; when full, expired ones go, and if none has, all of them.
const CAPACITY: usize = 4096;

/// One checked token.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub session: Session,
    /// The account epoch read before the database was.
    pub epoch: u64,
    pub checked_at: DateTime<Utc>,
    /// Until when every group membership of the account stays confirmed recently enough for
    /// the API, so no platform needs asking before then.
    pub memberships_fresh_until: DateTime<Utc>,
}

impl Checked {
    fn usable(&self, now: DateTime<Utc>, epoch: u64) -> bool {
        let age = now - self.checked_at;
        self.epoch == epoch && age >= Duration::zero() && age < SESSION_CACHE_TTL
    }
}

/// The tokens, by their exact text: the same bytes verify the same way, so a hit skips the
/// signature check too (the expiry is still checked against the clock).
#[derive(Debug, Default)]
pub(crate) struct SessionCache {
    entries: Mutex<HashMap<Box<str>, Checked>>,
}

impl SessionCache {
    /// The entry for `token`, if it was checked under `epoch` less than the TTL before `now`.
    pub fn get(&self, token: &str, now: DateTime<Utc>, epoch: u64) -> Option<Checked> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(token).filter(|c| c.usable(now, epoch)).cloned()
    }

    /// Keeps `checked` for `token`, unless the account epoch has moved since it was read (a
    /// change committed meanwhile may be the very revocation of this token).
    pub fn put(&self, token: &str, checked: Checked, current_epoch: u64) {
        if checked.epoch != current_epoch {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(token) {
            let now = checked.checked_at;
            entries.retain(|_, c| c.usable(now, current_epoch));
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(token.into(), checked);
    }
}
