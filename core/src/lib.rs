//! Tally's platform-agnostic core: money, ledgers, services, the parser and the conversation.

pub mod advice;
pub mod app;
pub mod auth;
pub mod charts;
pub mod clock;
pub mod conversation;
pub mod db;
pub mod domain;
pub mod error;
pub mod export;
pub mod import;
pub mod links;
pub mod models;
pub mod money;
pub mod notify;
pub mod parser;
pub mod period;
pub mod rates;
pub mod recurring;
pub mod services;
pub mod split;
pub mod tally;

pub use error::{Error, ErrorKind, Result};
pub use tally::{Settings, Tally};
