//! Core's tests that run on a database (SQLite, and PostgreSQL when configured), in one binary.

// One binary instead of one per file: the suite links core once for all of them. Each module
// was a test binary of its own; the shared fixtures live in `tally-testkit`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod advice_digest;
mod advice_findings;
mod analytics;
mod charts_service;
mod chat_export;
mod conversation;
mod export_tools;
mod exports;
mod first_use;
mod home_totals;
mod imports;
mod isolation;
mod large_totals;
mod linking_merge;
mod membership;
mod outbox;
mod outbox_parts;
mod rates_store;
mod recurring;
mod scheduled_outbox;
mod services;
mod smoke;
mod splits;
mod sqlite_processes;
