//! The `tally` binary: parses the command line and hands over to the bot library.
//!
//! Subcommands live in `tally_bot::commands` (one module each); the adapters they start are
//! `tally_bot::{console, http, telegram, discord}`; everything they call is in `tally_core`
//! (`conversation` for chat, `app` for the rest).

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = tally_bot::cli::Cli::parse();
    match tally_bot::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tally: {err:#}");
            ExitCode::FAILURE
        }
    }
}
