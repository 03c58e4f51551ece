//! One module per `tally` subcommand.

pub mod parse;
