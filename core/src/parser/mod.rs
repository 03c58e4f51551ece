//! Free text to intents: offline, exact and fast (the contract is `shared/intents/SPEC.md`).

mod intent;

use chrono::NaiveDate;

use crate::domain::{CategoryName, DateOrder, TransactionKind};
use crate::money::Currency;
use crate::period::DateRange;

pub use intent::{AddIntent, BudgetIntent, Confidence, Intent, Metric, Parsed, QueryIntent};

/// What the parser needs to know about the person writing.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext<'a> {
    /// The user's local date; relative dates resolve against it.
    pub today: NaiveDate,
    /// The currency when the message names none.
    pub currency: Currency,
    pub date_order: DateOrder,
    /// The user's own categories and learned keywords, consulted before the built-in lexicon.
    pub vocabulary: &'a Vocabulary,
}

/// A user's own words: custom categories and keyword → category mappings (learned or added).
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    categories: Vec<(CategoryName, TransactionKind)>,
    keywords: Vec<(String, CategoryName, TransactionKind)>,
}

impl Vocabulary {
    pub fn add_category(&mut self, name: CategoryName, kind: TransactionKind) {
        self.categories.push((name, kind));
    }

    /// Maps a keyword (as [`Parser::learnable_words`] produces) to a category.
    pub fn add_keyword(&mut self, keyword: &str, category: CategoryName, kind: TransactionKind) {
        self.keywords.push((keyword.to_owned(), category, kind));
    }

    pub fn categories(&self) -> &[(CategoryName, TransactionKind)] {
        &self.categories
    }

    pub fn keywords(&self) -> &[(String, CategoryName, TransactionKind)] {
        &self.keywords
    }
}

/// Why a slash command's arguments could not be read as a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddArgsError {
    #[error("I couldn't find an amount; try something like /spent 12.50 lunch")]
    MissingAmount,
    #[error("{0}")]
    BadAmount(String),
}

/// The rule-based parser. Build it once (it compiles its lexicon) and share it.
#[derive(Debug)]
pub struct Parser {}

impl Default for Parser {
    fn default() -> Self {
        Parser::new()
    }
}

impl Parser {
    pub fn new() -> Parser {
        Parser {}
    }

    /// Reads one chat message.
    pub fn parse(&self, _text: &str, _ctx: &ParseContext<'_>) -> Parsed {
        Parsed {
            intent: Intent::Unknown,
            confidence: Confidence::NONE,
        }
    }

    /// Reads the arguments of `/spent` or `/earned` (`12.50 lunch yesterday`), where the kind is
    /// already known and the words can only describe one transaction.
    pub fn parse_add_args(
        &self,
        _args: &str,
        _kind: TransactionKind,
        _ctx: &ParseContext<'_>,
    ) -> Result<AddIntent, AddArgsError> {
        Err(AddArgsError::MissingAmount)
    }

    /// Reads a period argument (`this-month`, `last month`, `october`, `2025`, `last 7 days`).
    pub fn parse_period(&self, _text: &str, _today: NaiveDate) -> Option<DateRange> {
        None
    }

    /// The categories a note most likely belongs to, best first, for "which category?" buttons.
    pub fn suggest_categories(
        &self,
        _note: &str,
        _kind: TransactionKind,
        _n: usize,
    ) -> Vec<CategoryName> {
        Vec::new()
    }

    /// The words of a note worth remembering when the user re-categorises it.
    pub fn learnable_words(&self, _note: &str) -> Vec<String> {
        Vec::new()
    }
}
