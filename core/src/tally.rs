//! The application handle adapters share: database, clock, parser, settings and the fallback.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use crate::auth::{Auth, AuthSettings};
use crate::clock::{Clock, SystemClock};
use crate::conversation::fallback::Fallback;
use crate::db::AnyConnection;
use crate::db::Db;
use crate::domain::{Platform, Timezone};
use crate::error::Error;
use crate::links::LinkPort;
use crate::parser::Parser;
use crate::services::accounts::AccountDefaults;
use crate::services::membership::MembershipOracle;

/// What the core needs from configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Currency, time zone and date order for new accounts.
    pub defaults: AccountDefaults,
    /// Base of links the bot sends (`TALLY_PUBLIC_URL`).
    pub public_url: String,
    /// Pins "today" for everyone (`tally chat --today`), else each account's local date.
    pub today: Option<NaiveDate>,
    /// How long to wait for the fallback (an LLM) before answering without it.
    pub fallback_timeout: Duration,
    /// How long a reply written to the outbox is left to whoever is sending it before a sender
    /// (or the update's redelivery) takes it over; doubled after each failed attempt.
    pub outbox_lease: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            defaults: AccountDefaults::default(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            today: None,
            fallback_timeout: Duration::from_secs(20),
            outbox_lease: Duration::from_secs(30),
        }
    }
}

/// Cheap to clone; every adapter holds one and calls [`Tally::handle`].
#[derive(Clone)]
pub struct Tally {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    parser: &'static Parser,
    settings: Settings,
    fallback: Option<Arc<dyn Fallback>>,
    auth: Auth,
    /// The platforms that can say who is in a group, added as their adapters start.
    oracles: std::sync::RwLock<Vec<Arc<dyn MembershipOracle>>>,
    /// The adapters' links (the web page, start links), added as the adapters start.
    links: std::sync::RwLock<Vec<Arc<dyn LinkPort>>>,
}

impl std::fmt::Debug for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tally")
            .field("db", &self.inner.db)
            .field("fallback", &self.inner.fallback.is_some())
            .finish()
    }
}

impl Tally {
    pub fn new(db: Db, settings: Settings) -> Tally {
        Tally::builder(db, settings).build()
    }

    pub fn builder(db: Db, settings: Settings) -> TallyBuilder {
        TallyBuilder {
            db,
            settings,
            clock: Arc::new(SystemClock),
            fallback: None,
            auth: AuthSettings::default(),
        }
    }

    /// The database, for the core itself and for tests' assertions. Adapters (the bot crate)
    /// do not use it: they call the application layer ([`crate::app`]), whose methods each run
    /// one unit of work with the ledger checks inside.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    pub fn parser(&self) -> &Parser {
        self.inner.parser
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// [`Settings::outbox_lease`], as the clock's duration type.
    pub fn outbox_lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.inner.settings.outbox_lease)
            .unwrap_or_else(|_| chrono::Duration::seconds(30))
    }

    pub fn fallback(&self) -> Option<&Arc<dyn Fallback>> {
        self.inner.fallback.as_ref()
    }

    /// Passwords, tokens and their limits.
    pub fn auth(&self) -> &Auth {
        &self.inner.auth
    }

    /// Lets the core ask `oracle`'s platform who is in a group (see [`crate::services::membership`]).
    pub fn add_membership_oracle(&self, oracle: Arc<dyn MembershipOracle>) {
        let mut oracles = self
            .inner
            .oracles
            .write()
            .unwrap_or_else(|p| p.into_inner());
        oracles.retain(|o| o.platform() != oracle.platform());
        oracles.push(oracle);
    }

    pub fn membership_oracle(&self, platform: Platform) -> Option<Arc<dyn MembershipOracle>> {
        let oracles = self.inner.oracles.read().unwrap_or_else(|p| p.into_inner());
        oracles.iter().find(|o| o.platform() == platform).cloned()
    }

    /// Lets the core link to what `port`'s adapter serves (see [`crate::links`]); a second port
    /// for the same platform replaces the first.
    pub fn add_link_port(&self, port: Arc<dyn LinkPort>) {
        let mut links = self.inner.links.write().unwrap_or_else(|p| p.into_inner());
        links.retain(|l| l.platform() != port.platform());
        links.push(port);
    }

    fn link_ports(&self) -> Vec<Arc<dyn LinkPort>> {
        self.inner
            .links
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The web page that redeems a `/login` token, if an adapter serves one.
    pub fn login_page(&self, token: &str) -> Option<String> {
        self.link_ports().iter().find_map(|l| l.login_page(token))
    }

    /// The link that opens `platform`'s chat with the bot with `code` sent, if it has one.
    pub fn start_link(
        &self,
        conn: &mut AnyConnection,
        platform: Platform,
        code: &str,
    ) -> Result<Option<String>, Error> {
        let Some(port) = self
            .link_ports()
            .into_iter()
            .find(|l| l.platform() == platform)
        else {
            return Ok(None);
        };
        Ok(crate::links::bot_handle(conn, platform)?.and_then(|h| port.start_link(&h, code)))
    }

    /// Every platform's start link for `code`, but `except`'s (the chat the code is shown in).
    pub fn start_links(
        &self,
        conn: &mut AnyConnection,
        code: &str,
        except: Platform,
    ) -> Result<Vec<(Platform, String)>, Error> {
        let mut links = Vec::new();
        for port in self.link_ports() {
            if port.platform() != except
                && let Some(handle) = crate::links::bot_handle(conn, port.platform())?
                && let Some(link) = port.start_link(&handle, code)
            {
                links.push((port.platform(), link));
            }
        }
        Ok(links)
    }

    /// The date it is for someone in `tz` at `at` (or the pinned date).
    pub fn today_in(&self, tz: Timezone, at: DateTime<Utc>) -> NaiveDate {
        self.inner.settings.today.unwrap_or_else(|| tz.today(at))
    }
}

pub struct TallyBuilder {
    db: Db,
    settings: Settings,
    clock: Arc<dyn Clock>,
    fallback: Option<Arc<dyn Fallback>>,
    auth: AuthSettings,
}

impl TallyBuilder {
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn fallback(mut self, fallback: Arc<dyn Fallback>) -> Self {
        self.fallback = Some(fallback);
        self
    }

    /// Token secret and lifetimes, bcrypt cost (defaults: a secret kept in the database,
    /// one-hour tokens, cost 12).
    pub fn auth(mut self, auth: AuthSettings) -> Self {
        self.auth = auth;
        self
    }

    pub fn build(self) -> Tally {
        Tally {
            inner: Arc::new(Inner {
                db: self.db,
                clock: self.clock,
                parser: crate::parser::shared(),
                settings: self.settings,
                fallback: self.fallback,
                auth: Auth::new(self.auth),
                oracles: std::sync::RwLock::new(Vec::new()),
                links: std::sync::RwLock::new(Vec::new()),
            }),
        }
    }
}
