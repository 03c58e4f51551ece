//! The digest scheduler: posts due digests through the platforms' notifiers, once across instances.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tally_core::Tally;
use tally_core::app::scheduled::QueuedDigest;
use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use tally_core::services::digests::Digest;
use tokio::task::JoinHandle;
use tracing::{Instrument as _, info, warn};

use crate::{metrics, outbox};

/// Digests handled per tick; the rest wait for the next tick (a minute later).
const BATCH: i64 = 100;

/// What one tick did, for logs and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub sent: usize,
    /// Claimed by another instance first.
    pub taken: usize,
    /// Not sent: nothing to say (ledger switched off) or the account left the ledger (dropped).
    pub skipped: usize,
    /// Not delivered now: the platform refused it (the outbox sender tries again, with growing
    /// pauses, up to its attempts) or composing it failed (due again 15 minutes later).
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

    /// Sends what is due now. Each digest is claimed and written to the outbox in one
    /// transaction before it is sent, so of several instances ticking at once exactly one sends
    /// it, and a crash before the send leaves it to the outbox sender.
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
        let a = match self.tally.queue_digest(d, now).await? {
            QueuedDigest::Ready(a) => a,
            QueuedDigest::Taken => {
                report.taken += 1;
                return Ok(());
            }
            QueuedDigest::Quiet | QueuedDigest::Dropped => {
                report.skipped += 1;
                return Ok(());
            }
            QueuedDigest::Failed => {
                report.failed += 1;
                return Ok(());
            }
        };
        let parts = outbox::announce(&self.tally, &self.notifiers, a).await;
        match parts.error {
            None => report.sent += 1,
            Some(e) => {
                metrics::error("digest_send");
                // The platform's words may quote the chat: short, and in the log only.
                warn!(error = %e, "sending a digest failed; the outbox sender tries again");
                report.failed += 1;
            }
        }
        Ok(())
    }
}
