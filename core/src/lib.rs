//! Tally's platform-agnostic core: money, ledgers, services, the parser and the conversation.

pub mod clock;
pub mod domain;
pub mod money;
pub mod parser;
pub mod period;
