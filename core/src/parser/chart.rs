//! "show me a chart of food this year": spotting a request for a chart and what it should show.
//!
//! Kept apart from the intent rules (and the spec's intents): it runs before them and only
//! claims messages that name a chart, so nothing the spec covers changes.

use crate::domain::TransactionKind;
use crate::period::{DateRange, Granularity};
use crate::services::charts::{ChartKind, ChartRequest};

use super::ParseContext;
use super::amount;
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
    // `budget chart`, `food graph`: a few words around a chart word ask for it too.
    if !first_is_chart && msg.word_count() > 3 && !has_word(msg, ASKING) {
        return None;
    }
    let mut used = vec![false; msg.tokens.len()];
    let found = periods::find(&msg.tokens, &used, ctx.today, ctx.date_order);
    if let Some(f) = &found {
        periods::mark(&msg.tokens, &mut used, f);
    }
    // `bought a flip chart for 20`: money named outside a period is an entry, not a request.
    let has_money = amount::candidates(&msg.tokens, &used, &msg.phrased)
        .iter()
        .any(|c| !c.value.is_zero() && (c.money_shaped || (!c.count_like && c.score > -4)));
    if has_money {
        return None;
    }
    let range: Option<DateRange> = found.map(|f| f.range);
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
    // The chart words themselves are left out when looking for a category: the lexicon's
    // spelling tolerance reads `chart` as a food word.
    let rest: Vec<&str> = msg
        .tokens
        .iter()
        .filter(|t| !(CHART_WORDS.contains(&t.text) || CHART_WORDS.contains(&t.canon)))
        .map(|t| t.text)
        .collect();
    let rest = rest.join(" ");
    let without = Message::read(lexicon, &rest);
    let category =
        category::from_vocabulary(&without, ctx.vocabulary, Some(TransactionKind::Expense))
            .or_else(|| category::from_lexicon(lexicon, &without, TransactionKind::Expense, true))
            .map(|c| c.name);
    let kind = if has_word(msg, &["budget", "budgets", "burndown"]) {
        ChartKind::Budget(category)
    } else if has_word(msg, &["member", "members", "people", "person", "who"]) {
        ChartKind::Members
    } else if let Some(c) = category {
        ChartKind::Category(c)
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

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use crate::domain::{CategoryName, DateOrder};
    use crate::money::Currency;
    use crate::parser::{Parser, Vocabulary};
    use crate::period::{DateRange, Granularity};
    use crate::services::charts::{ChartKind, ChartRequest};

    fn read(text: &str) -> Option<ChartRequest> {
        let vocabulary = Vocabulary::default();
        let ctx = crate::parser::ParseContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
            currency: Currency::USD,
            date_order: DateOrder::Mdy,
            vocabulary: &vocabulary,
        };
        Parser::new().parse_chart(text, &ctx)
    }

    fn kind(text: &str) -> Option<ChartKind> {
        read(text).map(|r| r.kind)
    }

    #[test]
    fn chart_requests_in_free_text() {
        let food = CategoryName::parse("food").ok();
        assert_eq!(kind("graph my spending"), Some(ChartKind::Categories));
        assert_eq!(kind("chart"), Some(ChartKind::Categories));
        let r = read("show me a chart of food this year");
        assert_eq!(
            r.as_ref().map(|r| r.kind.clone()),
            food.clone().map(ChartKind::Category)
        );
        let year = DateRange::year_of(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default());
        assert_eq!(r.and_then(|r| r.range), Some(year));
        assert_eq!(kind("chart my income over time"), Some(ChartKind::Monthly));
        assert_eq!(
            read("plot my spending by quarter").map(|r| (r.kind, r.granularity)),
            Some((ChartKind::Monthly, Granularity::Quarter))
        );
        assert_eq!(kind("budget chart"), Some(ChartKind::Budget(None)));
        assert_eq!(
            kind("show a chart of who spent what"),
            Some(ChartKind::Members)
        );
    }

    #[test]
    fn other_talk_of_charts_is_left_alone() {
        for text in [
            "bought a flip chart for 20",
            "chart paper 12.50",
            "spent 30 on graph paper",
            "how much did I spend on food this month?",
            "the charts at the top of the hit parade were great, loved the whole show last night honestly",
            "spent 12 on lunch",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
