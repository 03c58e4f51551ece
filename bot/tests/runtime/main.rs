//! The rest of the bot's runtime end to end: the console binary, the digest scheduler, the LLM
//! fallback and the exchange-rate fetch, each against local fakes.

// One binary instead of one per file, so the suite links the bot once for all of them; each
// module was a test binary of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chat_cli;
mod digest_scheduler;
mod import_cli;
mod layering;
mod llm_fallback;
mod outbox_sender;
mod parse_cli;
mod rates_fetch;
