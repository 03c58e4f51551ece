//! The Discord adapter end to end: the real serenity client against the fake Discord of
//! `tally-testkit`.

// One binary instead of one per file, so the suite links the bot once for all of them; each
// module was a test binary of its own. The harness is `support` (`on_backends!` comes from it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

mod adapter;
mod charts;
mod export;
mod membership;
mod outbox;
mod parsed;
