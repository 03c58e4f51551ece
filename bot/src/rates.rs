//! The daily fetch of the ECB's euro reference rates: one instance a day, stored for all.

use std::time::Duration;

use tally_core::Tally;
use tally_core::rates::parse_ecb_xml;
use tally_core::services::rates::ECB_JOB;
use tokio::task::JoinHandle;
use tracing::{Instrument as _, info, warn};
use url::Url;

/// A fetch that fails is retried by any instance once its lease is over.
const LEASE: chrono::Duration = chrono::Duration::minutes(15);
/// Longer than the historical file takes over a slow link, short enough not to hang a tick.
const TIMEOUT: Duration = Duration::from_secs(60);
/// With rates this many days old or older, the 90-day file fills the gap; the daily file
/// holds one day only.
const GAP_DAYS: i64 = 3;

/// What one attempt did, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// Another instance has it, or today's rates are in.
    NotDue,
    /// Fetched `file`; `added` rates were new.
    Fetched { file: &'static str, added: usize },
}

#[derive(Clone)]
pub struct RatesFetcher {
    tally: Tally,
    base: Url,
    http: reqwest::Client,
}

impl RatesFetcher {
    /// `base` is the directory holding the ECB's files under their own names.
    pub fn new(tally: Tally, base: Url) -> anyhow::Result<RatesFetcher> {
        let http = reqwest::Client::builder().timeout(TIMEOUT).build()?;
        Ok(RatesFetcher { tally, base, http })
    }

    /// Fetches and stores the rates if this instance wins today's claim.
    pub async fn fetch_if_due(&self) -> anyhow::Result<Fetch> {
        let now = self.tally.now();
        let today = now.date_naive();
        let claimed = self.tally.claim_daily_job(ECB_JOB, today, LEASE).await?;
        if !claimed {
            return Ok(Fetch::NotDue);
        }
        let latest = self.tally.latest_rates_date().await?;
        // Nothing yet: the whole history, so old entries convert at their own day's rate.
        let file = match latest {
            None => "eurofxref-hist.xml",
            Some(d) if (today - d).num_days() >= GAP_DAYS => "eurofxref-hist-90d.xml",
            Some(_) => "eurofxref-daily.xml",
        };
        let url = self.base.join(file)?;
        let response = self.http.get(url.clone()).send().await?;
        if !response.status().is_success() {
            anyhow::bail!("{url} answered {}", response.status());
        }
        let body = response.text().await?;
        let publications = tokio::task::spawn_blocking(move || parse_ecb_xml(&body)).await??;
        let source = url.to_string();
        let added = self
            .tally
            .store_rates(ECB_JOB, today, publications, source)
            .await?;
        Ok(Fetch::Fetched { file, added })
    }

    /// Tries at start and then every `every`; failures are logged and retried later.
    pub fn spawn(self, every: Duration) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let span = tracing::info_span!("rates_fetch");
                match self.fetch_if_due().instrument(span).await {
                    Ok(Fetch::Fetched { file, added }) => info!(file, added, "exchange rates"),
                    Ok(Fetch::NotDue) => {}
                    Err(e) => {
                        warn!(error = %e, "exchange rates fetch failed; totals stay per currency")
                    }
                }
            }
        })
    }
}
