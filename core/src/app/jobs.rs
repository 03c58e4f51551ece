//! Background work: digests due, the daily rates fetch, seen updates, the health check.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::Tally;
use crate::domain::Platform;
use crate::error::Error;
use crate::rates::Publication;
use crate::services::digests::{self, Digest};
use crate::services::{rates, updates};

impl Tally {
    /// Cheap liveness check of the database.
    pub async fn ping(&self) -> Result<(), Error> {
        self.db().ping().await
    }

    /// True when the platform's update was already claimed (a redelivery).
    pub async fn update_seen(&self, platform: Platform, update_id: String) -> Result<bool, Error> {
        self.db()
            .read(move |c| updates::seen(c, platform, &update_id))
            .await
    }

    /// Up to `limit` digests due at `now` on `platforms`.
    pub async fn due_digests(
        &self,
        now: DateTime<Utc>,
        platforms: Vec<Platform>,
        limit: i64,
    ) -> Result<Vec<Digest>, Error> {
        self.db()
            .read(move |c| digests::due(c, now, &platforms, limit))
            .await
    }

    /// Claims today's run of `job` for this instance (see [`rates::claim_daily`]).
    pub async fn claim_daily_job(
        &self,
        job: &'static str,
        today: NaiveDate,
        lease: Duration,
    ) -> Result<bool, Error> {
        let now = self.now();
        self.db()
            .write(move |c| rates::claim_daily(c, job, today, now, lease))
            .await
    }

    /// The newest day with stored exchange rates.
    pub async fn latest_rates_date(&self) -> Result<Option<NaiveDate>, Error> {
        self.db().read(rates::latest_date).await
    }

    /// Stores fetched rates and marks today's `job` done, together; answers how many were new.
    pub async fn store_rates(
        &self,
        job: &'static str,
        today: NaiveDate,
        publications: Vec<Publication>,
        source: String,
    ) -> Result<usize, Error> {
        let now = self.now();
        self.db()
            .write(move |c| {
                let added = rates::store(c, &publications, &source, now)?;
                rates::finish(c, job, today)?;
                Ok(added)
            })
            .await
    }
}
