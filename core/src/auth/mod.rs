//! Accounts' credentials and sessions: password hashing, signed tokens, attempt limits, and the
//! flows the HTTP API and the conversation share.

pub mod link;
pub mod password;
pub mod session_cache;
pub mod sessions;
pub mod slowdown;
pub mod throttle;
pub mod tokens;
pub mod username;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;

pub use password::Password;
pub use tokens::{Claims, Keys, Purpose, TokenError};
pub use username::{Email, Username};

use crate::db::{AnyConnection, Db};
use crate::error::Error;
use crate::services::settings;

/// The settings-table key of the generated signing secret (when `TALLY_JWT_SECRET` is unset).
pub const SECRET_SETTING: &str = "auth.jwt_secret";

/// How long a password hash may wait for a free hashing slot before the request gives up.
const HASH_QUEUE_WAIT: Duration = Duration::from_secs(20);

/// What the auth flows need from configuration.
#[derive(Clone)]
pub struct AuthSettings {
    /// `TALLY_JWT_SECRET`; when `None`, one is generated once and kept in the settings table.
    pub jwt_secret: Option<String>,
    /// Lifetime of an access token (`TALLY_JWT_TTL_MINUTES`).
    pub access_ttl: Duration,
    /// Lifetime of a `/login` link and of a link code.
    pub link_ttl: Duration,
    /// bcrypt work factor (`TALLY_BCRYPT_COST`).
    pub bcrypt_cost: u32,
    /// Password hashes computed at once; the rest queue, so a burst of logins can't take every
    /// core from the requests that don't hash.
    pub max_concurrent_hashes: usize,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("access_ttl", &self.access_ttl)
            .field("link_ttl", &self.link_ttl)
            .field("bcrypt_cost", &self.bcrypt_cost)
            .field("max_concurrent_hashes", &self.max_concurrent_hashes)
            .finish()
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        AuthSettings {
            jwt_secret: None,
            access_ttl: Duration::from_secs(60 * 60),
            link_ttl: Duration::from_secs(10 * 60),
            bcrypt_cost: bcrypt::DEFAULT_COST,
            max_concurrent_hashes: (cores / 2).max(1),
        }
    }
}

/// The auth state one process keeps: settings, the signing keys once known, the hashing slots.
pub struct Auth {
    settings: AuthSettings,
    keys: OnceLock<Arc<Keys>>,
    hashing: Arc<Semaphore>,
    /// A hash of nothing in particular, checked against when a username doesn't exist, so the
    /// answer takes as long as for one that does.
    decoy: OnceLock<String>,
    /// Password checks started, so tests (and a curious operator) can see that limits hold.
    checks: AtomicU64,
    /// Access tokens checked a moment ago (see [`session_cache`]).
    sessions: session_cache::SessionCache,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("settings", &self.settings)
            .finish()
    }
}

impl Auth {
    pub fn new(settings: AuthSettings) -> Auth {
        let permits = settings.max_concurrent_hashes.max(1);
        Auth {
            settings,
            keys: OnceLock::new(),
            hashing: Arc::new(Semaphore::new(permits)),
            decoy: OnceLock::new(),
            checks: AtomicU64::new(0),
            sessions: session_cache::SessionCache::default(),
        }
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    /// How many password checks (bcrypt verifications, decoys included) this process has run.
    pub fn password_checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }

    pub(crate) fn sessions(&self) -> &session_cache::SessionCache {
        &self.sessions
    }

    fn configured_keys(&self) -> Option<Arc<Keys>> {
        if let Some(k) = self.keys.get() {
            return Some(k.clone());
        }
        let secret = self.settings.jwt_secret.as_ref()?;
        Some(
            self.keys
                .get_or_init(|| Arc::new(Keys::from_secret(secret.as_bytes())))
                .clone(),
        )
    }

    /// The signing keys, from configuration or the settings table (generated there the first
    /// time, in a transaction of its own, so every instance signs with the same secret).
    pub async fn keys(&self, db: &Db, now: DateTime<Utc>) -> Result<Arc<Keys>, Error> {
        if let Some(k) = self.configured_keys() {
            return Ok(k);
        }
        let secret = db
            .write(move |c| settings::get_or_init(c, SECRET_SETTING, generate_secret, now))
            .await?;
        Ok(self
            .keys
            .get_or_init(|| Arc::new(Keys::from_secret(secret.as_bytes())))
            .clone())
    }

    /// The signing keys inside a caller's transaction. A secret generated here is not cached,
    /// because that transaction may yet roll back; one read back from the table is.
    pub fn keys_in(
        &self,
        conn: &mut AnyConnection,
        now: DateTime<Utc>,
    ) -> Result<Arc<Keys>, Error> {
        if let Some(k) = self.configured_keys() {
            return Ok(k);
        }
        if let Some(secret) = settings::get(conn, SECRET_SETTING)? {
            return Ok(self
                .keys
                .get_or_init(|| Arc::new(Keys::from_secret(secret.as_bytes())))
                .clone());
        }
        let secret = settings::get_or_init(conn, SECRET_SETTING, generate_secret, now)?;
        Ok(Arc::new(Keys::from_secret(secret.as_bytes())))
    }

    /// Runs slow password work on the blocking pool, at most `max_concurrent_hashes` at a time.
    async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let permit = tokio::time::timeout(HASH_QUEUE_WAIT, self.hashing.clone().acquire_owned())
            .await
            .map_err(|_| Error::Unavailable("too many logins at once".into()))?
            .map_err(|_| Error::Internal("hashing slots closed".into()))?;
        tokio::task::spawn_blocking(move || {
            // Held until the hash is done, even if the request that asked went away.
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| Error::Internal(format!("password hashing task failed: {e}")))?
    }

    /// The bcrypt hash of a new password.
    pub async fn hash_password(&self, password: Password) -> Result<String, Error> {
        let cost = self.settings.bcrypt_cost;
        self.hashing(move || password::hash(&password, cost)).await
    }

    /// Whether `password` matches `stored`. With no stored hash (no such user, or no password
    /// yet) it still does the same work, and answers `false`.
    pub async fn verify_password(
        &self,
        password: Password,
        stored: Option<String>,
    ) -> Result<bool, Error> {
        self.checks.fetch_add(1, Ordering::Relaxed);
        let decoy = self.decoy.get().cloned();
        let cost = self.settings.bcrypt_cost;
        let (matched, new_decoy) = self
            .hashing(move || match (stored, decoy) {
                (Some(hash), _) => Ok((password::verify(&password, &hash), None)),
                (None, Some(decoy)) => {
                    let _ = password::verify(&password, &decoy);
                    Ok((false, None))
                }
                // Making the decoy costs what a check costs: it stands in for this one.
                (None, None) => Ok((false, Some(password::hash(&password, cost)?))),
            })
            .await?;
        if let Some(d) = new_decoy {
            let _ = self.decoy.set(d);
        }
        Ok(matched)
    }
}

/// 32 random bytes, base64: a fresh HS256 secret.
fn generate_secret() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}
