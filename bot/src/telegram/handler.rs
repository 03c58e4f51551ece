//! One update, start to finish: read it, ask Telegram where the sender stands, run the core, reply.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use tally_core::Tally;
use tally_core::conversation::Outcome as Handled;
use tally_core::domain::{Platform, Role};
use tally_core::services::membership::{Recorded, Standing};
use teloxide::types::{ChatId, UserId};
use tracing::{Instrument, debug, error, info, info_span, warn};

use super::api::{Api, Target};
use super::inbound::{self, Inbound, MembershipIn};
use super::outbound::{self, Press};
use super::roles::Roles;
use super::updates::RawUpdate;
use crate::outbox::Progress;

/// How an update went.
#[derive(Debug)]
pub enum Outcome {
    /// The core acted and the reply was sent (or at least attempted).
    Handled,
    /// Seen before: its effects were committed then; nothing was done or sent now.
    Duplicate,
    /// Nothing for Tally (group chatter, a photo, another bot's command…).
    Ignored,
    /// Unreadable; logged and skipped.
    Malformed,
    /// Our failure (the database, mostly): nothing was committed, so the update must be
    /// handled again.
    Failed(tally_core::Error),
}

/// Counters of outcomes, for tests and the load harness (Prometheus gets the same numbers
/// through `metrics::update`).
#[derive(Debug, Default)]
pub struct Stats {
    pub handled: AtomicU64,
    pub duplicate: AtomicU64,
    pub ignored: AtomicU64,
    pub malformed: AtomicU64,
    pub failed: AtomicU64,
    /// Updates that kept failing and were answered with an apology instead.
    pub given_up: AtomicU64,
}

impl Stats {
    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        StatsSnapshot {
            handled: get(&self.handled),
            duplicate: get(&self.duplicate),
            ignored: get(&self.ignored),
            malformed: get(&self.malformed),
            failed: get(&self.failed),
            given_up: get(&self.given_up),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub handled: u64,
    pub duplicate: u64,
    pub ignored: u64,
    pub malformed: u64,
    pub failed: u64,
    pub given_up: u64,
}

/// Everything an update needs; shared by the polling loop and the webhook route.
pub struct Handler {
    pub tally: Tally,
    pub api: Api,
    roles: Roles,
    /// Our username once `getMe` answered: tells our commands from other bots'.
    username: OnceLock<String>,
    pub stats: Stats,
}

impl Handler {
    pub fn new(tally: Tally, api: Api, roles: Roles) -> Handler {
        Handler {
            tally,
            api,
            roles,
            username: OnceLock::new(),
            stats: Stats::default(),
        }
    }

    pub fn set_username(&self, username: &str) {
        let _ = self.username.set(username.to_owned());
    }

    pub fn username(&self) -> Option<&str> {
        self.username.get().map(String::as_str)
    }

    /// Handles one update in a span carrying the platform and the update id, and counts it.
    pub async fn process(&self, raw: &RawUpdate) -> Outcome {
        let id = raw
            .id()
            .map_or_else(|| "unknown".to_owned(), |i| i.to_string());
        let span = info_span!("telegram_update", platform = "telegram", update_id = %id);
        let outcome = self.process_inner(raw).instrument(span.clone()).await;
        span.in_scope(|| self.count(&outcome));
        outcome
    }

    /// Counts a finished update, and logs a failure, in the update's span.
    fn count(&self, outcome: &Outcome) {
        let (counter, label) = match outcome {
            Outcome::Handled => (&self.stats.handled, "handled"),
            Outcome::Duplicate => (&self.stats.duplicate, "duplicate"),
            Outcome::Ignored => (&self.stats.ignored, "ignored"),
            Outcome::Malformed => (&self.stats.malformed, "ignored"),
            Outcome::Failed(e) => {
                error!(error = %e, "handling the update failed; it will be retried");
                crate::metrics::error("internal");
                (&self.stats.failed, "failed")
            }
        };
        counter.fetch_add(1, Ordering::Relaxed);
        crate::metrics::update("telegram", label);
    }

    async fn process_inner(&self, raw: &RawUpdate) -> Outcome {
        let update = match raw {
            RawUpdate::Parsed(u) => u,
            RawUpdate::Malformed { reason, .. } => {
                warn!(reason = %reason, "skipping an update that can't be read");
                crate::metrics::error("telegram_malformed_update");
                return Outcome::Malformed;
            }
        };
        match inbound::read(update, self.username(), self.tally.now()) {
            Inbound::Ignored(why) => {
                debug!(why, "update ignored");
                Outcome::Ignored
            }
            Inbound::StaleButton(query) => {
                let _ = self
                    .api
                    .answer_callback_query(&query, Some("That button no longer works."))
                    .await;
                Outcome::Ignored
            }
            Inbound::Membership(change) => self.membership(change).await,
            Inbound::Message(m) => {
                let mut incoming = m.incoming;
                if let Some((chat, user)) = m.member {
                    match self.refresh_standing(chat, user).await {
                        Ok(role) => incoming.sender.role = role,
                        Err(outcome) => return outcome,
                    }
                }
                self.run(incoming, m.target, None).await
            }
            Inbound::Press(p) => {
                let mut incoming = p.incoming;
                if let Some((chat, user)) = p.member {
                    match self.refresh_standing(chat, user).await {
                        Ok(role) => incoming.sender.role = role,
                        Err(outcome) => {
                            let _ = self
                                .api
                                .answer_callback_query(
                                    &p.query,
                                    Some("You are no longer in this group."),
                                )
                                .await;
                            return outcome;
                        }
                    }
                }
                let press = Press {
                    query: p.query,
                    carrier: p.carrier,
                };
                self.run(incoming, p.target, Some(press)).await
            }
        }
    }

    /// Asks Telegram (through the short cache) where the sender stands before a group message
    /// or press runs: the role to run it with, or, for someone Telegram says is gone, their
    /// access removed and the update dropped.
    async fn refresh_standing(&self, chat: ChatId, user: UserId) -> Result<Option<Role>, Outcome> {
        match self.roles.standing(&self.api, chat, user).await {
            Some(Standing::Member(role)) => Ok(role),
            None => Ok(None),
            Some(Standing::Gone) => {
                let _ = self.record_standing(chat, user, Standing::Gone).await;
                Err(Outcome::Ignored)
            }
        }
    }

    /// A `chat_member` or `my_chat_member` update: Telegram's word on who is in the group.
    async fn membership(&self, change: MembershipIn) -> Outcome {
        if change.bot {
            let chat_id = change.chat.0.to_string();
            let removed = change.standing == Standing::Gone;
            let changed = self
                .tally
                .bot_in_group(Platform::Telegram, chat_id, !removed)
                .await;
            return match changed {
                Ok(Some(ledger)) => {
                    info!(
                        ledger = ledger.get(),
                        removed, "the bot's place in a group changed: its ledger follows"
                    );
                    Outcome::Handled
                }
                Ok(None) => Outcome::Ignored,
                Err(e) => Outcome::Failed(e),
            };
        }
        self.roles.learn(change.chat, change.user, change.standing);
        match self
            .record_standing(change.chat, change.user, change.standing)
            .await
        {
            Ok(Recorded::Unknown) => Outcome::Ignored,
            Ok(_) => Outcome::Handled,
            Err(e) => Outcome::Failed(e),
        }
    }

    async fn record_standing(
        &self,
        chat: ChatId,
        user: UserId,
        standing: Standing,
    ) -> Result<Recorded, tally_core::Error> {
        let recorded = self
            .tally
            .record_standing(
                Platform::Telegram,
                chat.0.to_string(),
                user.0.to_string(),
                standing,
            )
            .await?;
        if let Recorded::Removed(ledger) = recorded {
            info!(
                ledger = ledger.get(),
                "Telegram says a member left: access removed"
            );
        }
        Ok(recorded)
    }

    async fn run(
        &self,
        incoming: tally_core::conversation::Incoming,
        target: Target,
        press: Option<Press>,
    ) -> Outcome {
        match self.tally.handle(incoming).await {
            Ok(Handled::Replied(delivery)) => {
                let progress = delivery.id.map(|row| Progress {
                    tally: &self.tally,
                    row,
                    skipped: delivery.skipped,
                });
                let done =
                    outbound::deliver(&self.api, &delivery.reply, target, press.as_ref(), progress)
                        .await;
                // Unmarked, a row is sent (the rest of it) by the outbox sender once its lease
                // runs out.
                let mut rows = Vec::new();
                if done.edited {
                    rows.extend(delivery.edit_id);
                }
                if done.sent == delivery.reply.messages.len() {
                    rows.extend(delivery.id);
                }
                if let Err(e) = self.tally.mark_sent(rows.clone()).await {
                    warn!(error = %e, outbox = ?rows, "couldn't mark a reply sent; it may be sent again");
                }
                Outcome::Handled
            }
            Ok(Handled::Duplicate) => {
                debug!("duplicate update: already handled");
                Outcome::Duplicate
            }
            Ok(Handled::Ignored) => Outcome::Ignored,
            Err(e) => Outcome::Failed(e),
        }
    }

    /// For an update that keeps failing on our side: tell the person that nothing happened, so
    /// they can try again, and let the bot move on.
    pub async fn give_up(&self, raw: &RawUpdate, error: &tally_core::Error) {
        let RawUpdate::Parsed(update) = raw else {
            return;
        };
        error!(update_id = update.id.0, error = %error, "giving up on an update after repeated failures");
        self.stats.given_up.fetch_add(1, Ordering::Relaxed);
        crate::metrics::error("telegram_gave_up");
        let text = error.user_message();
        match inbound::read(update, self.username(), self.tally.now()) {
            Inbound::Message(m) => {
                let message = tally_core::conversation::OutMessage::new(
                    tally_core::conversation::Text::plain_str(text),
                );
                if let Err(e) = outbound::send(&self.api, m.target, &message).await {
                    warn!(error = %e, "couldn't send the apology");
                }
            }
            Inbound::Press(p) => {
                let _ = self.api.answer_callback_query(&p.query, Some(&text)).await;
            }
            Inbound::StaleButton(_) | Inbound::Ignored(_) | Inbound::Membership(_) => {}
        }
    }
}
