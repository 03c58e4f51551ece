//! `tally chat`: the console conversation, on the configured database.

use chrono::NaiveDate;

use crate::config::Config;
use crate::rates::RatesFetcher;
use crate::{app, console};

#[derive(Debug, clap::Args)]
pub struct ChatArgs {
    /// Who you are in this chat (each name has its own account and ledger).
    #[arg(long, default_value_t = default_user())]
    pub user: String,
    /// Pretend today is this date (YYYY-MM-DD), for trying things out and for scripts.
    #[arg(long, value_parser = crate::cli::parse_date)]
    pub today: Option<NaiveDate>,
}

pub(crate) fn default_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "me".to_owned())
}

pub fn run(config: Config, args: ChatArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let db = app::open_database(&config)?;
    let tally = app::build_tally(&config, db, args.today);
    let handle = runtime.handle().clone();
    // Exchange rates are fetched here too, so a console-only install converts as well.
    if let Some(base) = &config.rates_url {
        let _in_runtime = runtime.enter();
        RatesFetcher::new(tally.clone(), base.clone())?.spawn(super::run::RATES_TICK);
    }
    let user = args.user.trim().to_owned();
    if user.is_empty() {
        anyhow::bail!("--user needs a name");
    }
    console::run(tally, &user, handle)
}
