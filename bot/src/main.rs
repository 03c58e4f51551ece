//! The `tally` binary: parses the command line and hands over to the bot library.

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
