//! The Telegram adapter end to end: the real teloxide client against the fake Bot API of
//! `tally-testkit`.

// One binary instead of one per file, so the suite links the bot once for all of them; each
// module was a test binary of its own. The shared set-up is `support`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod charts;
mod delivery;
mod export;
mod group;
mod membership;
mod outbox;
mod outbox_rows;
mod private;
mod recurring;
mod startup;
mod webhook;
