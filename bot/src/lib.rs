//! Tally's adapters: the console, the HTTP API, Telegram and Discord, over `tally-core`.

pub mod cli;
pub mod commands;
