//! The outbox sender: replies written but never marked sent (a crash, a failed send) go out here.

use std::sync::Arc;
use std::time::Duration;

use tally_core::Tally;
use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use tally_core::services::outbox::MAX_ATTEMPTS;
use tokio::task::JoinHandle;
use tracing::{error, info, warn};

use crate::metrics;

/// Rows claimed per tick; the rest wait for the next tick.
const BATCH: i64 = 50;
/// Sent rows are kept this long (platforms redeliver for a day or so), then pruned…
const KEEP: chrono::Duration = chrono::Duration::days(3);
/// …every this many ticks.
const PRUNE_EVERY: u64 = 720;

/// What one tick did, for logs and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SendReport {
    /// Rows whose every message went out, marked sent.
    pub sent: usize,
    /// Rows the platform refused; left for a later attempt (with a longer lease).
    pub failed: usize,
    /// Failed rows that used their last attempt: they stay unsent and are not tried again.
    pub given_up: usize,
}

/// Claims rows of the platforms this instance has notifiers for whose lease ran out, sends their
/// messages through the same notifiers digests use, and marks them sent. The time comes from
/// the `Tally`'s clock, so tests move a `ManualClock` and call [`OutboxSender::tick`].
#[derive(Clone)]
pub struct OutboxSender {
    tally: Tally,
    notifiers: Vec<Arc<dyn Notifier>>,
}

impl OutboxSender {
    pub fn new(tally: Tally, notifiers: Vec<Arc<dyn Notifier>>) -> OutboxSender {
        OutboxSender { tally, notifiers }
    }

    /// Ticks at once (what a crash left behind) and then every `every`, until aborted.
    pub fn spawn(self, every: Duration) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            for n in 0u64.. {
                interval.tick().await;
                if n % PRUNE_EVERY == 0
                    && let Err(e) = self.tally.prune_outbox(KEEP).await
                {
                    warn!(error = %e, "pruning the outbox failed");
                }
                match self.tick().await {
                    Ok(r) if r != SendReport::default() => info!(?r, "outbox"),
                    Ok(_) => {}
                    Err(e) => {
                        metrics::error("outbox_tick");
                        warn!(error = %e, "outbox tick failed");
                    }
                }
            }
        })
    }

    pub async fn tick(&self) -> Result<SendReport, tally_core::Error> {
        let mut report = SendReport::default();
        let platforms: Vec<Platform> = self.notifiers.iter().map(|n| n.platform()).collect();
        if platforms.is_empty() {
            return Ok(report);
        }
        let claimed = self.tally.claim_unsent(platforms, BATCH).await?;
        let mut sent = Vec::new();
        for row in claimed {
            let Some(notifier) = self.notifiers.iter().find(|n| n.platform() == row.platform)
            else {
                continue;
            };
            let mut failure = None;
            for message in row.messages {
                if let Err(e) = notifier.send(&row.chat_id, message).await {
                    failure = Some(e);
                    break;
                }
            }
            match failure {
                None => sent.push(row.id),
                Some(e) => {
                    metrics::error("outbox_send");
                    let e: String = e.chars().take(200).collect();
                    if row.attempts >= MAX_ATTEMPTS {
                        report.given_up += 1;
                        error!(outbox = row.id, chat = %row.chat_id, attempts = row.attempts, error = %e, "giving up on a reply the platform keeps refusing");
                    } else {
                        report.failed += 1;
                        warn!(outbox = row.id, attempts = row.attempts, error = %e, "sending a reply from the outbox failed; trying again later");
                    }
                }
            }
        }
        report.sent = sent.len();
        self.tally.mark_sent(sent).await?;
        Ok(report)
    }
}
