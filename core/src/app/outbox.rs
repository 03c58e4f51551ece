//! Replies in the outbox: marking them sent, and the sender's claims of what was never sent.

use crate::domain::Platform;
use crate::error::Error;
use crate::services::outbox::{self, Pending};
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
