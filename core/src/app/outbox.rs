//! Replies in the outbox: marking them sent, and the sender's claims of what was never sent.

use crate::domain::Platform;
use crate::error::Error;
use crate::services::outbox::{self, Pending, ReplyToken};
use crate::tally::Tally;

impl Tally {
    /// Marks outbox rows sent, once the platform took them. Call it after every successful send
    /// of a [`Delivery`](crate::services::outbox::Delivery) or a claimed row: a row left unmarked
    /// is sent again after its lease runs out.
    pub async fn mark_sent(&self, ids: Vec<i64>) -> Result<usize, Error> {
        if ids.is_empty() {
            return Ok(0);
        }
        let now = self.now();
        self.db()
            .write(move |conn| outbox::mark_sent(conn, &ids, now))
            .await
    }

    /// Records that the first `parts_sent` messages of a row went out (a reply of several
    /// messages): after a crash, only the rest are sent.
    pub async fn mark_part(&self, id: i64, parts_sent: usize) -> Result<usize, Error> {
        self.db()
            .write(move |conn| outbox::mark_part(conn, id, parts_sent))
            .await
    }

    /// Keeps a Discord interaction's token with the unsent rows of the update it delivered, so
    /// the outbox sender can still answer the interaction (within Discord's 15 minutes) if
    /// this process dies before it does.
    pub async fn keep_reply_token(
        &self,
        platform: Platform,
        update_id: String,
        token: ReplyToken,
    ) -> Result<usize, Error> {
        self.db()
            .write(move |conn| outbox::keep_reply_token(conn, platform, &update_id, &token))
            .await
    }

    /// Forgets outbox rows older than `keep` that were sent or given up on.
    pub async fn prune_outbox(&self, keep: chrono::Duration) -> Result<usize, Error> {
        let now = self.now();
        self.db()
            .write(move |conn| outbox::prune(conn, now, keep))
            .await
    }

    /// Claims up to `limit` rows of these platforms whose lease ran out (a crash, a failed
    /// send): the caller sends each and marks it, or leaves it for a later attempt.
    pub async fn claim_unsent(
        &self,
        platforms: Vec<Platform>,
        limit: i64,
    ) -> Result<Vec<Pending>, Error> {
        let now = self.now();
        let lease = self.outbox_lease();
        self.db()
            .write(move |conn| outbox::claim_due(conn, &platforms, now, lease, limit))
            .await
    }
}
