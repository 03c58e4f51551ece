//! Long polling with our own `getUpdates` loop: the offset moves only past committed updates.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use teloxide::RequestError;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{info, warn};

use super::api::GetUpdatesError;
use super::handler::{Handler, Outcome};
use super::retry::{Verdict, classify};
use super::updates::{self, RawUpdate};

/// How the loop polls.
#[derive(Debug, Clone)]
pub struct PollOptions {
    /// How long Telegram may hold an empty `getUpdates` (long polling).
    pub timeout: Duration,
    /// Updates per `getUpdates`, 1–100.
    pub limit: u8,
    /// Tries of an update that keeps failing while the database answers, before the sender is
    /// told something went wrong and the bot moves on. While the database is down, failures
    /// don't count: the update waits, however long that takes.
    pub max_handle_attempts: u32,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions {
            timeout: Duration::from_secs(25),
            limit: 100,
            max_handle_attempts: 10,
        }
    }
}

/// Polls until `shutdown` turns true. A batch is handled with one lane per chat (in order within
/// a chat, chats in parallel); then the offset moves past every update that was handled, and
/// stops at the first one that failed, which Telegram therefore delivers again.
pub async fn run(handler: Arc<Handler>, options: PollOptions, mut shutdown: watch::Receiver<bool>) {
    let policy = handler.api.policy().clone();
    let mut offset: i32 = 0;
    let mut fetch_failures: u32 = 0;
    let mut handle_failures: u32 = 0;
    // Update id → failed attempts while the database was up.
    let mut attempts: HashMap<u32, u32> = HashMap::new();
    let mut given_up: HashSet<u32> = HashSet::new();
    info!("polling Telegram for updates");
    loop {
        if *shutdown.borrow() {
            break;
        }
        let fetched = tokio::select! {
            r = fetch(&handler, offset, &options) => r,
            _ = shutdown.changed() => break,
        };
        let batch = match fetched {
            Ok(batch) => {
                fetch_failures = 0;
                batch
            }
            Err(FetchError { wait, reason }) => {
                let wait = wait.unwrap_or_else(|| policy.backoff(fetch_failures));
                fetch_failures = fetch_failures.saturating_add(1);
                warn!(reason = %reason, ?wait, "getUpdates failed; retrying");
                crate::metrics::error("telegram_get_updates");
                if pause(wait, &mut shutdown).await {
                    break;
                }
                continue;
            }
        };
        if batch.is_empty() {
            continue;
        }
        let done = handle_batch(&handler, batch, &given_up).await;
        // Never backwards: an old update delivered again must not un-confirm newer ones.
        if let Some(next) = done.next_offset {
            offset = offset.max(next);
        }
        let confirmed = u32::try_from(offset).unwrap_or(0);
        attempts.retain(|id, _| *id >= confirmed);
        given_up.retain(|id| *id >= confirmed);
        let Some((raw, error)) = done.failure else {
            handle_failures = 0;
            continue;
        };
        let id = raw.id().unwrap_or(0);
        let database_up = handler.tally.ping().await.is_ok();
        let tries = if database_up {
            let n = attempts.entry(id).or_insert(0);
            *n += 1;
            *n
        } else {
            0
        };
        if tries >= options.max_handle_attempts.max(1) {
            handler.give_up(&raw, &error).await;
            given_up.insert(id);
            attempts.remove(&id);
            handle_failures = 0;
            continue;
        }
        let wait = policy.backoff(handle_failures);
        handle_failures = handle_failures.saturating_add(1);
        if pause(wait, &mut shutdown).await {
            break;
        }
    }
    info!("stopped polling Telegram");
}

/// Sleeps, unless shutdown comes first (then `true`).
async fn pause(wait: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(wait) => *shutdown.borrow(),
        _ = shutdown.changed() => true,
    }
}

struct FetchError {
    /// How long Telegram asked us to wait, if it did.
    wait: Option<Duration>,
    reason: String,
}

async fn fetch(
    handler: &Handler,
    offset: i32,
    options: &PollOptions,
) -> Result<Vec<RawUpdate>, FetchError> {
    let limit = options.limit.clamp(1, 100);
    match handler
        .api
        .get_updates(offset, options.timeout, limit)
        .await
    {
        Ok(list) => Ok(list.into_iter().map(RawUpdate::from_update).collect()),
        // One entry broke teloxide's reading of the whole list: read the entries one by one.
        Err(GetUpdatesError::Request(RequestError::InvalidJson { raw, source })) => {
            match updates::from_response_text(&raw) {
                Some(list) if list.iter().any(|u| u.id().is_some()) => Ok(list),
                _ => Err(FetchError {
                    wait: None,
                    reason: format!("unreadable answer: {source}"),
                }),
            }
        }
        Err(GetUpdatesError::Request(e)) => Err(FetchError {
            wait: match classify(&e) {
                Verdict::RetryAfter(secs) => Some(handler.api.policy().retry_after(secs)),
                _ => None,
            },
            reason: e.to_string(),
        }),
        Err(e @ GetUpdatesError::TimedOut(_)) => Err(FetchError {
            wait: None,
            reason: e.to_string(),
        }),
    }
}

struct BatchDone {
    /// The offset that confirms what was handled; `None` when nothing in the batch had an id.
    next_offset: Option<i32>,
    /// The earliest update that failed on our side, with why.
    failure: Option<(RawUpdate, tally_core::Error)>,
}

async fn handle_batch(
    handler: &Arc<Handler>,
    batch: Vec<RawUpdate>,
    given_up: &HashSet<u32>,
) -> BatchDone {
    let max_id = batch.iter().filter_map(RawUpdate::id).max();
    let mut lanes: Vec<Vec<RawUpdate>> = Vec::new();
    let mut lane_of_chat: HashMap<i64, usize> = HashMap::new();
    for raw in batch {
        let chat = match &raw {
            RawUpdate::Parsed(u) => u.chat().map(|c| c.id.0),
            RawUpdate::Malformed { .. } => None,
        };
        match chat.and_then(|c| lane_of_chat.get(&c).copied()) {
            Some(i) => lanes[i].push(raw),
            None => {
                if let Some(c) = chat {
                    lane_of_chat.insert(c, lanes.len());
                }
                lanes.push(vec![raw]);
            }
        }
    }
    let mut set = JoinSet::new();
    let mut first_of_task = HashMap::new();
    for lane in lanes {
        let first = lane.first().cloned();
        let skip: Vec<u32> = lane
            .iter()
            .filter_map(RawUpdate::id)
            .filter(|id| given_up.contains(id))
            .collect();
        let handler = Arc::clone(handler);
        let task = set.spawn(async move {
            for raw in lane {
                if raw.id().is_some_and(|id| skip.contains(&id)) {
                    continue;
                }
                if let Outcome::Failed(e) = handler.process(&raw).await {
                    return Some((raw, e));
                }
            }
            None
        });
        first_of_task.insert(task.id(), first);
    }
    let mut failure: Option<(RawUpdate, tally_core::Error)> = None;
    let mut failed_at: Option<u32> = None;
    while let Some(joined) = set.join_next_with_id().await {
        let (raw, error) = match joined {
            Ok((_, None)) => continue,
            Ok((_, Some(failed))) => failed,
            // A panic is a bug; stop before the lane's first update, which then counts as failed.
            Err(e) => {
                warn!(error = %e, "an update lane crashed");
                let Some(Some(first)) = first_of_task.remove(&e.id()) else {
                    continue;
                };
                let error = tally_core::Error::Internal("handling the update panicked".into());
                (first, error)
            }
        };
        let Some(id) = raw.id() else { continue };
        if failed_at.is_none_or(|f| id < f) {
            failed_at = Some(id);
            failure = Some((raw, error));
        }
    }
    let next_offset = match failed_at {
        Some(id) => i32::try_from(id).ok(),
        None => max_id.and_then(|m| i32::try_from(m).ok()).map(|m| m + 1),
    };
    BatchDone {
        next_offset,
        failure,
    }
}
