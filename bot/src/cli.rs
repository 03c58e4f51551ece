//! The command line: what each `tally` subcommand is and takes.

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::commands;

/// Tally: a personal and group finance chat bot.
#[derive(Debug, Parser)]
#[command(name = "tally", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read chat messages from stdin, one per line, and print one JSON intent per line.
    Parse(commands::parse::ParseArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Parse(args) => commands::parse::run(args),
    }
}

/// Reads `YYYY-MM-DD` for `--today` options.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{s}\" is not a date like 2026-11-24"))
}
