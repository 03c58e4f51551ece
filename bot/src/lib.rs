//! Tally's adapters: the console, the HTTP API, Telegram and Discord, over `tally-core`.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod console;
pub mod discord;
pub mod http;
pub mod llm;
pub mod metrics;
pub mod outbox;
pub mod rates;
pub mod recurring;
pub mod scheduler;
pub mod telegram;
pub mod telemetry;
