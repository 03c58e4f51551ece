//! One module per `tally` subcommand.

pub mod chat;
pub mod export;
pub mod import;
pub mod migrate;
pub mod parse;
pub mod run;
