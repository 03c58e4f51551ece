//! Digests decided and written to the outbox in one transaction, so a crash neither drops nor repeats one.

use chrono::{DateTime, Duration, Utc};
use diesel::Connection as _;
use tracing::{debug, warn};

use crate::Tally;
use crate::conversation::digest;
use crate::conversation::recurring::Announcement;
use crate::error::{Error, ErrorKind};
use crate::services::digests::{self, Digest};
use crate::services::outbox;

/// After a digest could not be composed (a failure on our side), it is due again this much
/// later…
pub const DIGEST_RETRY_AFTER: Duration = Duration::minutes(15);
/// …until this long after its due time: past that the period's digest is skipped.
pub const DIGEST_GIVE_UP_AFTER: Duration = Duration::hours(6);

/// What became of a due digest.
#[derive(Debug, Clone)]
pub enum QueuedDigest {
    /// Written to the outbox with the claim of its period: send it and mark it sent.
    Ready(Announcement),
    /// Another instance claimed this period first.
    Taken,
    /// The period is claimed and there is nothing to say (the ledger is switched off).
    Quiet,
    /// The account left the ledger: the digest was removed.
    Dropped,
    /// Composing it failed on our side; it is due again later (or skipped, when too late).
    Failed,
}

impl Tally {
    /// Claims a due digest's period and writes its message to the outbox, together. Of several
    /// instances one gets [`QueuedDigest::Ready`]; if it dies before sending, the outbox sender
    /// delivers the message after the lease, and no later tick composes it again.
    pub async fn queue_digest(
        &self,
        digest: Digest,
        now: DateTime<Utc>,
    ) -> Result<QueuedDigest, Error> {
        let lease = self.outbox_lease();
        self.db()
            .write(move |c| {
                let Some(next) = digests::claim(c, &digest, now)? else {
                    return Ok(QueuedDigest::Taken);
                };
                // In a savepoint: a failure here must not undo the claim's give-back below.
                let composed = c.transaction(|c| digest::compose(c, &digest, now));
                let message = match composed {
                    Ok(Some(m)) => m,
                    Ok(None) => return Ok(QueuedDigest::Quiet),
                    Err(e) if e.kind() == ErrorKind::NotFound => {
                        debug!("the account left the ledger; dropping its digest");
                        digests::delete(c, digest.id)?;
                        return Ok(QueuedDigest::Dropped);
                    }
                    Err(e) => {
                        warn!(error = %e, digest = digest.id, "composing a digest failed");
                        if now - digest.next_due_at.and_utc() < DIGEST_GIVE_UP_AFTER {
                            digests::release(c, &digest, next, now + DIGEST_RETRY_AFTER)?;
                        }
                        return Ok(QueuedDigest::Failed);
                    }
                };
                let messages = vec![message];
                let id = outbox::enqueue(
                    c,
                    digest.platform,
                    &digest.chat_id,
                    None,
                    &messages,
                    now,
                    lease,
                )?;
                Ok(QueuedDigest::Ready(Announcement {
                    platform: digest.platform,
                    chat_id: digest.chat_id.clone(),
                    messages,
                    outbox: Some(id),
                }))
            })
            .await
    }
}
