//! `tally migrate`: apply pending database migrations and exit.

use crate::config::Config;

pub fn run(config: Config) -> anyhow::Result<()> {
    let db = tally_core::db::Db::connect(config.database_url.expose(), 1)
        .map_err(|e| anyhow::anyhow!("opening TALLY_DATABASE_URL: {e}"))?;
    let applied = db
        .migrate()
        .map_err(|e| anyhow::anyhow!("migrating: {e}"))?;
    println!("{applied} migration(s) applied; the database is up to date.");
    Ok(())
}
