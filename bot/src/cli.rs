//! The command line: what each `tally` subcommand is and takes.

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::commands;
use crate::config::Config;

/// Tally: a personal and group finance chat bot.
///
/// Configuration comes from config/default.toml overridden by TALLY_* environment variables
/// (see the README); the database defaults to sqlite://tally.db in the current directory.
#[derive(Debug, Parser)]
#[command(name = "tally", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Chat with Tally in the terminal as a local user (start here). From a pipe, prints only the
    /// replies: one block per input line, blocks separated by a blank line.
    Chat(commands::chat::ChatArgs),
    /// Run the HTTP API and every configured chat platform (Telegram, Discord) until stopped.
    Run,
    /// Write a local user's ledger to standard output as CSV, JSON lines, beancount or an
    /// hledger journal: `tally export --user NAME --format csv > tally.csv`.
    Export(commands::export::ExportArgs),
    /// Import a bank's CSV file (or Tally's own export) into a local user's ledger, skipping
    /// entries already there: `tally import --user NAME FILE [--dry-run]`.
    Import(commands::import::ImportArgs),
    /// Apply pending database migrations and exit (they also run at every start).
    Migrate,
    /// Read chat messages from stdin, one per line, and print one JSON intent per line.
    Parse(commands::parse::ParseArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Parse(args) = cli.command {
        return commands::parse::run(args);
    }
    let config = Config::load()?;
    crate::telemetry::init(&config.log, config.log_format);
    match cli.command {
        Command::Chat(args) => commands::chat::run(config, args),
        Command::Run => commands::run::run(config),
        Command::Migrate => commands::migrate::run(config),
        Command::Export(args) => commands::export::run(config, args),
        Command::Import(args) => commands::import::run(config, args),
        Command::Parse(_) => Ok(()),
    }
}

/// Reads `YYYY-MM-DD` for `--today` options.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{s}\" is not a date like 2026-11-24"))
}
