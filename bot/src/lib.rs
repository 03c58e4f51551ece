//! Tally's adapters: the console, the HTTP API, Telegram and Discord, over `tally-core`.
//!
//! Each adapter maps its platform onto `Tally::handle` (chat) or the core's application layer
//! (`tally_core::app`, for the REST API and background work), and the replies back; none of
//! them touches the database. `tally run` starts them from [`commands::run`]; configuration
//! is [`config`], assembled in [`app`].

/// Configuration to a running core: database, ports, oracles.
pub mod app;
/// The command line: subcommands and their flags.
pub mod cli;
/// One module per subcommand: `run`, `chat`, `parse`, `export`, `migrate`.
pub mod commands;
/// Typed configuration from `config/default.toml` and `TALLY_*`.
pub mod config;
/// `tally chat`: the terminal adapter.
pub mod console;
/// serenity: slash commands, buttons, DMs and budget channels.
pub mod discord;
/// axum: the REST API, the link page, `/healthz`, `/metrics`.
pub mod http;
/// The optional LLM fallback and its tools.
pub mod llm;
/// Prometheus metrics.
pub mod metrics;
/// Delivers replies left unsent by a crash, from the database's outbox.
pub mod outbox;
/// The daily ECB rates fetch.
pub mod rates;
/// Posting due recurring entries and reminders.
pub mod recurring;
/// Posting due digests.
pub mod scheduler;
/// teloxide: polling or webhook, menus, buttons, groups.
pub mod telegram;
/// Logging setup.
pub mod telemetry;
