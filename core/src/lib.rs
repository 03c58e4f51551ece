//! Tally's platform-agnostic core: money, ledgers, services, the parser and the conversation.
//!
//! Where to look, by what you are after:
//! - a chat message in, a reply out: [`conversation`] (`Tally::handle`); the commands every
//!   front end registers: [`conversation::table`], typed as [`conversation::Command`];
//! - what the REST API, the LLM tools and the schedulers call: [`app`], one unit of work per
//!   method, over the database operations in [`services`];
//! - reading free text: [`parser`]; money and its arithmetic: [`money`]; validated values:
//!   [`domain`]; periods: [`period`];
//! - the analyst: [`advice`]; pictures: [`charts`]; files out: [`export`]; exchange rates:
//!   [`rates`]; files in: [`import`]; schedules: [`recurring`]; shared expenses: [`split`];
//! - passwords and tokens: [`auth`]; the addresses only adapters know: [`links`]; storage:
//!   [`db`] and [`models`].

/// The offline analyst's findings.
pub mod advice;
/// What adapters call: one unit of work per method on [`Tally`].
pub mod app;
/// Passwords, tokens and attempt limits.
pub mod auth;
/// PNG and SVG charts.
pub mod charts;
/// The injected source of "now".
pub mod clock;
/// `Tally::handle`, commands, buttons and replies.
pub mod conversation;
/// diesel over SQLite and PostgreSQL, pooled, migrations.
pub mod db;
/// Validated values: ids, category names, kinds, platforms, roles, time zones.
pub mod domain;
/// The core's error type and its user-facing messages.
pub mod error;
/// CSV, JSON lines, beancount and hledger writers.
pub mod export;
/// Bank CSV files (and Tally's own) read exactly, failing whole on a bad line.
pub mod import;
/// Ports for the links only adapters can make (login page, start links).
pub mod links;
/// Row types, one per table.
pub mod models;
/// Exact decimals, currencies, integer minor units.
pub mod money;
/// Messages sent unprompted, and the platforms' notifier trait.
pub mod notify;
/// Free text to intents.
pub mod parser;
/// Date ranges, budget periods, analytics buckets.
pub mod period;
/// ECB reference rates and conversions at an entry's date.
pub mod rates;
/// When a schedule's occurrences fall.
pub mod recurring;
/// Database operations, each scoped to the acting account.
pub mod services;
/// Shares to the minor unit and fewest-transfer settle-up.
pub mod split;
/// The handle every adapter shares.
pub mod tally;

pub use error::{Error, ErrorKind, Result};
pub use tally::{Settings, Tally};
