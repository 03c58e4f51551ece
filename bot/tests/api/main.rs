//! The HTTP side end to end: the REST API, its limits and logs, link codes and the link page.

// One binary instead of one per file, so the suite links the bot once for all of them; each
// module was a test binary of its own. The harness is `support`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod auth;
mod charts;
mod currencies;
mod export;
mod http_limits;
mod import;
mod link_codes;
mod link_page;
mod link_page_browser;
mod logs;
mod openapi;
mod recurring;
mod reports;
mod session_cache;
mod surface;
mod transactions;
