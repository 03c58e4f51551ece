//! Posts due recurring entries and reminders into their chats, through the platforms' notifiers.

use std::sync::Arc;
use std::time::Duration;

use tally_core::Tally;
use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use crate::{metrics, outbox};

/// What one round did, for logs and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PostReport {
    /// Occurrences recorded.
    pub recorded: usize,
    /// Messages delivered to chats (entries and reminders).
    pub sent: usize,
    /// Messages not delivered now (refused, or after a refusal); the entries stay recorded and
    /// the outbox sender delivers the messages later.
    pub failed: usize,
}

/// Records due occurrences of the schedules made on the platforms this instance serves (and
/// those made over the API, which have no chat), then sends each chat its messages. The time
/// comes from the `Tally`'s clock, so tests move a `ManualClock` and call [`Poster::tick`].
#[derive(Clone)]
pub struct Poster {
    tally: Tally,
    notifiers: Vec<Arc<dyn Notifier>>,
    platforms: Vec<Platform>,
}

impl Poster {
    /// `silent` are platforms whose schedules are posted without a message (the web API).
    pub fn new(tally: Tally, notifiers: Vec<Arc<dyn Notifier>>, silent: &[Platform]) -> Poster {
        let mut platforms: Vec<Platform> = notifiers.iter().map(|n| n.platform()).collect();
        platforms.extend_from_slice(silent);
        Poster {
            tally,
            notifiers,
            platforms,
        }
    }

    /// Posts every `every` until the task is aborted.
    pub fn spawn(self, every: Duration) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                match self.tick().await {
                    Ok(r) if r != PostReport::default() => info!(?r, "recurring entries"),
                    Ok(_) => {}
                    Err(e) => {
                        metrics::error("recurring_tick");
                        warn!(error = %e, "posting recurring entries failed");
                    }
                }
            }
        })
    }

    pub async fn tick(&self) -> Result<PostReport, tally_core::Error> {
        let mut report = PostReport::default();
        if self.platforms.is_empty() {
            return Ok(report);
        }
        let posted = self.tally.post_recurring(&self.platforms).await?;
        report.recorded = posted.iter().map(|a| a.messages.len()).sum();
        let reminders = self.tally.due_reminders(&self.platforms).await?;
        for a in posted.into_iter().chain(reminders) {
            let total = a.messages.len();
            let parts = outbox::announce(&self.tally, &self.notifiers, a).await;
            report.sent += parts.sent;
            if let Some(e) = parts.error {
                metrics::error("recurring_send");
                warn!(error = %e, "telling a chat about a recurring entry failed; the outbox sender tries again");
                report.failed += total - parts.sent;
            }
        }
        Ok(report)
    }
}
