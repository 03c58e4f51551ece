//! What the parser produces: one intent per message, with how sure it is.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::domain::{CategoryName, TransactionKind};
use crate::money::{Currency, Decimal};
use crate::period::{BudgetPeriod, DateRange};

/// One message understood. `confidence` says whether to act on it or ask a fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub intent: Intent,
    pub confidence: Confidence,
}

/// How sure the rules are, from 0 (a guess) to 100 (unambiguous).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Confidence(u8);

impl Confidence {
    /// At or above this, the conversation acts without asking anyone.
    pub const CONFIDENT: Confidence = Confidence(70);
    /// In a group chat, free text must reach this to be treated as meant for the bot.
    pub const GROUP_CHATTER: Confidence = Confidence(85);
    pub const CERTAIN: Confidence = Confidence(100);
    pub const NONE: Confidence = Confidence(0);

    pub fn new(percent: u8) -> Confidence {
        Confidence(percent.min(100))
    }

    pub fn percent(&self) -> u8 {
        self.0
    }

    pub fn is_confident(&self) -> bool {
        *self >= Confidence::CONFIDENT
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    Add(AddIntent),
    Query(QueryIntent),
    Summary { period: DateRange },
    Recent { limit: Option<u32> },
    BudgetSet(BudgetIntent),
    BudgetShow,
    Undo,
    Advice,
    Help,
    Unknown,
}

/// A transaction to record. `amount` is exact and positive, as written (`12.5`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddIntent {
    pub kind: TransactionKind,
    pub amount: Decimal,
    pub currency: Currency,
    pub category: CategoryName,
    pub date: NaiveDate,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    Spent,
    Earned,
    Net,
}

impl Metric {
    pub fn as_str(&self) -> &'static str {
        match self {
            Metric::Spent => "spent",
            Metric::Earned => "earned",
            Metric::Net => "net",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryIntent {
    pub metric: Metric,
    pub category: Option<CategoryName>,
    pub period: DateRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetIntent {
    pub category: CategoryName,
    pub amount: Decimal,
    pub currency: Currency,
    pub period: BudgetPeriod,
}

impl Intent {
    pub fn name(&self) -> &'static str {
        match self {
            Intent::Add(_) => "add",
            Intent::Query(_) => "query",
            Intent::Summary { .. } => "summary",
            Intent::Recent { .. } => "recent",
            Intent::BudgetSet(_) => "budget_set",
            Intent::BudgetShow => "budget_show",
            Intent::Undo => "undo",
            Intent::Advice => "advice",
            Intent::Help => "help",
            Intent::Unknown => "unknown",
        }
    }

    /// The object `tally parse` prints, exactly as `shared/intents/SPEC.md` specifies.
    pub fn to_spec_json(&self) -> Value {
        fn date(d: NaiveDate) -> String {
            d.format("%Y-%m-%d").to_string()
        }
        match self {
            Intent::Add(a) => json!({
                "intent": "add",
                "kind": a.kind.as_str(),
                "amount": a.amount.to_string(),
                "currency": a.currency.code(),
                "category": a.category.as_str(),
                "date": date(a.date),
                "note": a.note,
            }),
            Intent::Query(q) => json!({
                "intent": "query",
                "metric": q.metric.as_str(),
                "category": q.category.as_ref().map(|c| c.as_str()),
                "from": date(q.period.from),
                "to": date(q.period.to),
            }),
            Intent::Summary { period } => json!({
                "intent": "summary",
                "from": date(period.from),
                "to": date(period.to),
            }),
            Intent::Recent { limit } => json!({ "intent": "recent", "limit": limit }),
            Intent::BudgetSet(b) => json!({
                "intent": "budget_set",
                "category": b.category.as_str(),
                "amount": b.amount.to_string(),
                "currency": b.currency.code(),
                "period": b.period.as_str(),
            }),
            other => json!({ "intent": other.name() }),
        }
    }
}
