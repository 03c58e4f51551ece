//! Putting the pieces together from configuration: the database and the core handle.

use std::sync::Arc;

use anyhow::Context;
use chrono::NaiveDate;
use tally_core::Tally;
use tally_core::auth::AuthSettings;
use tally_core::clock::{Clock, ManualClock, SystemClock};
use tally_core::db::Db;

use crate::config::Config;
use crate::llm::LlmFallback;

/// Opens the configured database and applies pending migrations.
pub fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(config.database_url.expose(), config.db_pool_size)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("opening TALLY_DATABASE_URL")?;
    let applied = db
        .migrate()
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("migrating the database")?;
    if applied > 0 {
        tracing::info!(applied, "database migrated");
    }
    Ok(db)
}

/// The core handle for this process. `today` pins the date (for `tally chat --today`).
pub fn build_tally(config: &Config, db: Db, today: Option<NaiveDate>) -> Tally {
    let clock: Arc<dyn Clock> = match today.and_then(|d| d.and_hms_opt(12, 0, 0)) {
        Some(noon) => Arc::new(ManualClock::new(noon.and_utc())),
        None => Arc::new(SystemClock),
    };
    let mut builder = Tally::builder(db.clone(), config.core_settings(today))
        .clock(clock.clone())
        .auth(auth_settings(config));
    // With an OpenAI-compatible endpoint configured, unsure messages and open questions go to it.
    if let Some(openai) = &config.openai {
        match LlmFallback::new(db, openai) {
            Ok(fallback) => builder = builder.fallback(Arc::new(fallback.with_clock(clock))),
            Err(e) => tracing::warn!(error = %e, "the LLM assistant is off"),
        }
    }
    let tally = builder.build();
    // Every process may show a `/login` link or a link code, whichever adapters it runs: the
    // web server (at `TALLY_PUBLIC_URL`) and the Telegram bot's name are shared by them all.
    tally.add_link_port(Arc::new(crate::http::links::WebLinks::new(
        &tally.settings().public_url,
    )));
    tally.add_link_port(Arc::new(crate::telegram::StartLinks));
    tally
}

/// Token secret and lifetime and bcrypt cost from configuration. Without `TALLY_JWT_SECRET`, the
/// core generates a secret once and keeps it in the database for every instance.
pub fn auth_settings(config: &Config) -> AuthSettings {
    AuthSettings {
        jwt_secret: config.jwt_secret.as_ref().map(|s| s.expose().to_owned()),
        access_ttl: config.jwt_ttl,
        bcrypt_cost: config.bcrypt_cost,
        ..AuthSettings::default()
    }
}
