//! The outbox sender: rows written but never marked sent (a crash, a refused send) go out here.

use std::sync::Arc;
use std::time::Duration;

use tally_core::Tally;
use tally_core::conversation::OutMessage;
use tally_core::conversation::recurring::Announcement;
use tally_core::domain::Platform;
use tally_core::notify::Notifier;
use tally_core::services::outbox::{Kind, MAX_ATTEMPTS, Pending};
use tokio::task::JoinHandle;
use tracing::{debug, error, info, warn};

use crate::metrics;

/// Rows claimed per tick; the rest wait for the next tick.
const BATCH: i64 = 50;
/// How long after the row was written an interaction's token is still tried: Discord takes
/// follow-ups for 15 minutes after the interaction, and the row is written a moment after it.
const INTERACTION_WINDOW: chrono::Duration = chrono::Duration::minutes(14);
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
            let (id, attempts, chat) = (row.id, row.attempts, row.chat_id.clone());
            let error = match row.kind {
                Kind::Edit { message_ref } => match row.messages.into_iter().next() {
                    Some(m) => notifier
                        .edit(&row.chat_id, &message_ref, m)
                        .await
                        .err()
                        .map(|e| e.chars().take(200).collect::<String>()),
                    None => None,
                },
                Kind::Send if self.completes_interaction(notifier.as_ref(), &row).await => None,
                Kind::Send => {
                    let progress = Progress {
                        tally: &self.tally,
                        row: id,
                        skipped: row.parts_sent,
                    };
                    send_parts(
                        notifier.as_ref(),
                        &row.chat_id,
                        row.messages,
                        Some(progress),
                    )
                    .await
                    .error
                }
            };
            match error {
                None => sent.push(id),
                Some(e) => {
                    metrics::error("outbox_send");
                    if attempts >= MAX_ATTEMPTS {
                        report.given_up += 1;
                        error!(outbox = id, chat = %chat, attempts, error = %e, "giving up on a reply the platform keeps refusing");
                    } else {
                        report.failed += 1;
                        warn!(outbox = id, attempts, error = %e, "sending a reply from the outbox failed; trying again later");
                    }
                }
            }
        }
        report.sent = sent.len();
        self.tally.mark_sent(sent).await?;
        Ok(report)
    }
}

impl OutboxSender {
    /// Answers the interaction a row was written for (a Discord response deferred by a process
    /// that died), while the platform still takes it; `false`: post to the chat instead.
    async fn completes_interaction(&self, notifier: &dyn Notifier, row: &Pending) -> bool {
        let Some(token) = &row.reply_token else {
            return false;
        };
        if row.parts_sent > 0 || self.tally.now() - row.created_at >= INTERACTION_WINDOW {
            return false;
        }
        match notifier.complete_interaction(token, &row.messages).await {
            Ok(done) => done,
            Err(e) => {
                debug!(outbox = row.id, error = %e, "couldn't complete the interaction; posting to the chat");
                false
            }
        }
    }
}

/// Where to record a row's progress as its messages go out.
pub struct Progress<'a> {
    pub tally: &'a Tally,
    pub row: i64,
    /// Messages of the row sent before these.
    pub skipped: usize,
}

impl Progress<'_> {
    /// Records that `sent` more of the row's messages went out. A failure only means a crash
    /// now would send them again, so it is logged, not returned.
    pub async fn record(&self, sent: usize) {
        if let Err(e) = self.tally.mark_part(self.row, self.skipped + sent).await {
            warn!(error = %e, outbox = self.row, "couldn't record a message's progress");
        }
    }
}

/// How sending a row's messages went.
#[derive(Debug, Default)]
pub struct Parts {
    /// Messages the platform took.
    pub sent: usize,
    /// Why the next one was refused; the ones after it were not tried, so they keep their order.
    pub error: Option<String>,
}

/// Sends `messages` in order, stopping at the first the platform refuses. With `progress`,
/// each message but the last is recorded as sent once it went out, so a crash midway resends
/// only the rest (the last is recorded by marking the row sent).
pub async fn send_parts(
    notifier: &dyn Notifier,
    chat_id: &str,
    messages: Vec<OutMessage>,
    progress: Option<Progress<'_>>,
) -> Parts {
    let mut parts = Parts::default();
    let total = messages.len();
    for message in messages {
        match notifier.send(chat_id, message).await {
            Ok(()) => parts.sent += 1,
            Err(e) => {
                parts.error = Some(e.chars().take(200).collect());
                break;
            }
        }
        if parts.sent < total
            && let Some(p) = &progress
        {
            p.record(parts.sent).await;
        }
    }
    parts
}

/// Sends what the scheduler decided (a digest, a reminder, a recurring entry's message) and
/// marks its outbox row sent. A row left unmarked (a refusal, a crash) is the outbox sender's.
pub async fn announce(tally: &Tally, notifiers: &[Arc<dyn Notifier>], a: Announcement) -> Parts {
    let Some(notifier) = notifiers.iter().find(|n| n.platform() == a.platform) else {
        return Parts::default();
    };
    let progress = a.outbox.map(|row| Progress {
        tally,
        row,
        skipped: 0,
    });
    let parts = send_parts(notifier.as_ref(), &a.chat_id, a.messages, progress).await;
    if parts.error.is_none()
        && let Some(id) = a.outbox
        && let Err(e) = tally.mark_sent(vec![id]).await
    {
        warn!(error = %e, outbox = id, "couldn't mark a message sent; it may be sent again");
    }
    parts
}
