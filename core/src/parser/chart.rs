//! "show me a chart of food this year": spotting a request for a chart and what it should show.
//!
//! Kept apart from the intent rules (and the spec's intents): it runs before them and only
//! claims messages that name a chart, so nothing the spec covers changes.

use crate::domain::TransactionKind;
use crate::period::{DateRange, Granularity};
use crate::services::charts::{ChartKind, ChartRequest};

use super::ParseContext;
use super::category;
use super::lexicon::Lexicon;
use super::message::Message;
use super::periods;

/// Words that name a picture of figures.
const CHART_WORDS: &[&str] = &[
    "chart",
    "charts",
    "graph",
    "graphs",
    "plot",
    "plots",
    "diagram",
    "visualize",
    "visualise",
    "visualization",
    "visualisation",
];

/// Words that make a message with a chart word a request rather than chatter about one.
const ASKING: &[&str] = &[
    "show", "draw", "make", "give", "send", "display", "my", "our", "me", "us", "can", "could",
    "please", "pls", "of", "for",
];

/// Longer messages are conversation that happens to mention a chart.
const MAX_WORDS: usize = 14;

fn has_word(msg: &Message<'_>, words: &[&str]) -> bool {
    msg.tokens
        .iter()
        .any(|t| t.is_word() && (words.contains(&t.text) || words.contains(&t.canon)))
}

pub(crate) fn read(
    lexicon: &Lexicon,
    msg: &Message<'_>,
    ctx: &ParseContext<'_>,
) -> Option<ChartRequest> {
    if !has_word(msg, CHART_WORDS) || msg.word_count() > MAX_WORDS {
        return None;
    }
    let first_is_chart = msg
        .tokens
        .iter()
        .find(|t| t.is_word())
        .is_some_and(|t| CHART_WORDS.contains(&t.text) || CHART_WORDS.contains(&t.canon));
    if !first_is_chart && !has_word(msg, ASKING) {
        return None;
    }
    let used = vec![false; msg.tokens.len()];
    let range: Option<DateRange> =
        periods::find(&msg.tokens, &used, ctx.today, ctx.date_order).map(|f| f.range);
    let granularity = if has_word(msg, &["quarterly", "quarter", "quarters"]) {
        Granularity::Quarter
    } else if has_word(msg, &["yearly", "annual", "annually", "years"]) {
        Granularity::Year
    } else {
        Granularity::Month
    };
    let over_time = has_word(
        msg,
        &["monthly", "trend", "income", "savings", "net", "earnings"],
    ) || msg.has_seq(&["over", "time"])
        || msg.has_seq(&["by", "month"])
        || msg.has_seq(&["per", "month"])
        || msg.has_seq(&["each", "month"])
        || granularity != Granularity::Month;
    let kind = if has_word(msg, &["budget", "budgets", "burndown"]) {
        let name = category::from_vocabulary(msg, ctx.vocabulary, Some(TransactionKind::Expense))
            .or_else(|| category::from_lexicon(lexicon, msg, TransactionKind::Expense, true))
            .map(|c| c.name);
        ChartKind::Budget(name)
    } else if has_word(msg, &["member", "members", "people", "person", "who"]) {
        ChartKind::Members
    } else if let Some(c) =
        category::from_vocabulary(msg, ctx.vocabulary, Some(TransactionKind::Expense))
            .or_else(|| category::from_lexicon(lexicon, msg, TransactionKind::Expense, true))
    {
        ChartKind::Category(c.name)
    } else if over_time {
        ChartKind::Monthly
    } else {
        ChartKind::Categories
    };
    Some(ChartRequest {
        kind,
        range,
        granularity,
    })
}
