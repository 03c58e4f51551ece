//! `tally export`: a local user's ledger as a file on standard output, for scripts and backups.

use std::io::BufWriter;

use anyhow::Context;
use chrono::NaiveDate;
use tally_core::domain::Platform;
use tally_core::export::{Format, JournalOptions};
use tally_core::services::exports::Request;

use crate::app;
use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The local user whose ledger to export (the same name as `tally chat --user NAME`).
    #[arg(long, default_value_t = super::chat::default_user())]
    pub user: String,
    /// csv, json (JSON lines), beancount, or ledger (an hledger journal).
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// First date included (YYYY-MM-DD); default: the first entry.
    #[arg(long, value_parser = crate::cli::parse_date)]
    pub from: Option<NaiveDate>,
    /// Last date included (YYYY-MM-DD); default: the last entry.
    #[arg(long, value_parser = crate::cli::parse_date)]
    pub to: Option<NaiveDate>,
    /// The account money comes from and goes to in the journal formats.
    #[arg(long, default_value = "Assets:Cash")]
    pub asset_account: String,
}

pub fn run(config: Config, args: ExportArgs) -> anyhow::Result<()> {
    let format = Format::parse(&args.format).with_context(|| {
        format!(
            "\"{}\" is not an export format: use csv, json, beancount or ledger",
            args.format
        )
    })?;
    if let (Some(f), Some(t)) = (args.from, args.to)
        && f > t
    {
        anyhow::bail!("--from {f} is after --to {t}");
    }
    if !valid_account_name(&args.asset_account) {
        anyhow::bail!(
            "--asset-account must look like Assets:Cash (capitalised parts joined by colons)"
        );
    }
    let user = args.user.trim().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let db = app::open_database(&config)?;
    let tally = app::build_tally(&config, db, None);
    let (account, ledger) = runtime
        .block_on(tally.personal_ledger_of(Platform::Console, user.clone()))
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_context(|| {
            format!("there is no local user \"{user}\" yet: start with `tally chat --user {user}`")
        })?;
    let request = Request {
        ledger,
        format,
        from: args.from,
        to: args.to,
        journal: JournalOptions {
            asset_account: args.asset_account,
            ..JournalOptions::default()
        },
    };
    let out = BufWriter::with_capacity(64 * 1024, std::io::stdout());
    let written = runtime
        .block_on(tally.export(account, request, out))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("exported {written} entries");
    Ok(())
}

/// `Assets:Cash`, `Assets:Bank:Checking`: what both journal formats accept as an account.
fn valid_account_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split(':').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            p.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}
