//! `tally export`: a local user's ledger as a file on standard output, for scripts and backups.

use std::io::{BufWriter, Write};

use anyhow::Context;
use chrono::NaiveDate;
use tally_core::domain::Platform;
use tally_core::export::{Format, JournalOptions};
use tally_core::services::exports::{self, Request};
use tally_core::services::{accounts, ledgers};

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
    let db = app::open_database(&config)?;
    let mut conn = db.checkout().map_err(|e| anyhow::anyhow!("{e}"))?;
    let identity = accounts::find_identity(&mut conn, Platform::Console, &user)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_context(|| {
            format!("there is no local user \"{user}\" yet: start with `tally chat --user {user}`")
        })?;
    let ledger =
        ledgers::personal(&mut conn, identity.account).map_err(|e| anyhow::anyhow!("{e}"))?;
    let request = Request {
        ledger: ledger.id,
        format,
        from: args.from,
        to: args.to,
        journal: JournalOptions {
            asset_account: args.asset_account,
            ..JournalOptions::default()
        },
    };
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout);
    let written = exports::stream(&mut conn, identity.account, &request, &mut out)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    out.flush().context("writing to standard output")?;
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
