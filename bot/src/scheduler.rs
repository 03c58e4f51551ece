//! The digest scheduler: posts due digests through the platforms' notifiers, once across instances.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tally_core::Tally;
use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use tally_core::services::digests::Digest;
use tokio::task::JoinHandle;
use tracing::{Instrument as _, debug, info, warn};

use crate::metrics;

/// Digests handled per tick; the rest wait for the next tick (a minute later).
const BATCH: i64 = 100;
/// After a failed send, the digest is due again this much later…
const RETRY_AFTER: chrono::Duration = chrono::Duration::minutes(15);
/// …until this long after its due time: past that the period's digest is skipped, so a chat the
/// bot can no longer post to is not retried forever.
const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::hours(6);

/// What one tick did, for logs and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub sent: usize,
    /// Claimed by another instance first.
    pub taken: usize,
    /// Not sent: nothing to say (ledger switched off) or the account left the ledger (dropped).
    pub skipped: usize,
    /// The platform refused or failed; given back for a retry when there is still time.
    pub failed: usize,
}

/// Finds due digests and sends each through the notifier of its platform. The time comes from
/// the `Tally`'s clock, so tests move a `ManualClock` and call [`Scheduler::tick`].
#[derive(Clone)]
pub struct Scheduler {
    tally: Tally,
    notifiers: Vec<Arc<dyn Notifier>>,
}

impl Scheduler {
    pub fn new(tally: Tally, notifiers: Vec<Arc<dyn Notifier>>) -> Scheduler {
        Scheduler { tally, notifiers }
    }

    /// Ticks every `every` until the task is dropped or aborted.
    pub fn spawn(self, every: Duration) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                match self.tick().await {
                    Ok(r) if r != TickReport::default() => info!(?r, "digests"),
                    Ok(_) => {}
                    Err(e) => {
                        metrics::error("digest_tick");
                        warn!(error = %e, "digest tick failed");
                    }
                }
            }
        })
    }

    /// Sends what is due now. Each digest is claimed in the database before it is sent, so of
    /// several instances ticking at once exactly one sends it.
    pub async fn tick(&self) -> Result<TickReport, tally_core::Error> {
        let now = self.tally.now();
        // Only digests this instance can post: the rest are left to instances that run their
        // platform, and never crowd out this one's batch.
        let platforms: Vec<Platform> = self.notifiers.iter().map(|n| n.platform()).collect();
        if platforms.is_empty() {
            return Ok(TickReport::default());
        }
        let due = self.tally.due_digests(now, platforms, BATCH).await?;
        let mut report = TickReport::default();
        for d in due {
            let span = tracing::info_span!("digest", id = d.id, platform = %d.platform);
            self.deliver(d, now, &mut report).instrument(span).await?;
        }
        Ok(report)
    }

    async fn deliver(
        &self,
        d: Digest,
        now: chrono::DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), tally_core::Error> {
        // `due` only returned platforms this instance has.
        let Some(notifier) = self.notifiers.iter().find(|n| n.platform() == d.platform) else {
            return Ok(());
        };
        let Some(next) = self.tally.claim_digest(d.clone(), now).await? else {
            report.taken += 1;
            return Ok(());
        };
        let composed = self.tally.compose_digest(d.clone(), now).await;
        let message = match composed {
            Ok(Some(m)) => m,
            Ok(None) => {
                report.skipped += 1;
                return Ok(());
            }
            Err(e) if e.kind() == tally_core::ErrorKind::NotFound => {
                debug!("the account left the ledger; dropping its digest");
                self.tally.delete_digest(d.id).await?;
                report.skipped += 1;
                return Ok(());
            }
            Err(e) => {
                warn!(error = %e, "composing a digest failed");
                self.give_back(&d, next, now).await?;
                report.failed += 1;
                return Ok(());
            }
        };
        match notifier.send(&d.chat_id, message).await {
            Ok(()) => report.sent += 1,
            Err(e) => {
                metrics::error("digest_send");
                // The platform's words may quote the chat; keep them short and in the log.
                warn!(error = %e.chars().take(200).collect::<String>(), "sending a digest failed");
                self.give_back(&d, next, now).await?;
                report.failed += 1;
            }
        }
        Ok(())
    }

    async fn give_back(
        &self,
        d: &Digest,
        next: chrono::NaiveDateTime,
        now: chrono::DateTime<Utc>,
    ) -> Result<(), tally_core::Error> {
        if now - d.next_due_at.and_utc() >= GIVE_UP_AFTER {
            return Ok(());
        }
        self.tally
            .release_digest(d.clone(), next, now + RETRY_AFTER)
            .await?;
        Ok(())
    }
}
