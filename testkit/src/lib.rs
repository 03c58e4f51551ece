//! Test support for Tally's crates: fake chat and LLM servers, throwaway databases, fixtures.

// Nothing here is linked into `tally`: the bot's tests, core's integration tests and the load
// harness depend on this crate; production code never does. A failed set-up panics, which fails
// the test that asked for it, so unwrapping is the right answer here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod db;
pub mod discord;
pub mod fixtures;
pub mod openai;
pub mod telegram;
