//! One module per `tally` subcommand.

pub mod chat;
pub mod export;
pub mod migrate;
pub mod parse;
pub mod run;
