//! The hand-off for messages the rules cannot read with confidence (an LLM implements it).

use async_trait::async_trait;
use chrono::NaiveDate;

use super::message::Text;
use crate::domain::{AccountId, CategoryName, LedgerId, TransactionKind};
use crate::money::Currency;
use crate::parser::{Intent, Parsed};

/// Everything a fallback may know about the question: only the asker's own context.
#[derive(Debug, Clone)]
pub struct FallbackRequest {
    pub account: AccountId,
    pub ledger: LedgerId,
    /// Identifies the conversation (platform and chat) for keeping a few turns of history.
    pub chat_key: String,
    pub text: String,
    pub today: NaiveDate,
    pub currency: Currency,
    /// The ledger's live categories: an intent must use one of these.
    pub categories: Vec<(CategoryName, TransactionKind)>,
    /// What the rules made of the message, however unsure.
    pub rules: Parsed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FallbackAnswer {
    /// The message means this. A transaction is confirmed by the user before it is recorded.
    Intent(Intent),
    /// A free answer to a question.
    Answer(Text),
    /// Nothing useful; the rules' answer stands.
    Nothing,
}

#[derive(Debug, thiserror::Error)]
pub enum FallbackError {
    #[error("the assistant took too long")]
    Timeout,
    #[error("the assistant is busy; try again later")]
    RateLimited,
    #[error("the assistant's daily allowance is used up")]
    BudgetExceeded,
    #[error("the assistant is unavailable: {0}")]
    Unavailable(String),
    #[error("the assistant's answer made no sense: {0}")]
    Nonsense(String),
}

#[async_trait]
pub trait Fallback: Send + Sync + 'static {
    async fn interpret(&self, request: FallbackRequest) -> Result<FallbackAnswer, FallbackError>;
}
