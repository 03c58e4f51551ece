//! Deciding what a message asks for: the cue words of each intent and the order they are tried.

use crate::domain::{CategoryName, TransactionKind};
use crate::period::{BudgetPeriod, DateRange};

use super::add;
use super::amount::{self, number_words};
use super::category;
use super::lexicon::Lexicon;
use super::message::Message;
use super::periods;
use super::{BudgetIntent, Confidence, Intent, Metric, ParseContext, Parsed, QueryIntent};

/// Every word the rules below look for, so the spelling corrector can fix typos of them.
pub(crate) const KNOWN_WORDS: &[&[&str]] = &[
    BUDGET_WORDS,
    ADVICE_NOUNS,
    ADVICE_VERBS,
    HELP_WORDS,
    START_WORDS,
    GREETINGS,
    UNDO_WORDS,
    UNDO_VERBS,
    UNDO_OBJECTS,
    SUMMARY_WORDS,
    RECENT_WORDS,
    RECENT_NOUNS,
    SPENT_WORDS,
    EARNED_WORDS,
    NET_WORDS,
];

/// Below this an add guess is not worth offering: it is chatter with a number in it.
const MIN_ADD_CONFIDENCE: u8 = 45;

fn parsed(intent: Intent, confidence: u8) -> Parsed {
    Parsed {
        intent,
        confidence: Confidence::new(confidence),
    }
}

pub(crate) fn classify(lexicon: &Lexicon, msg: &Message<'_>, ctx: &ParseContext<'_>) -> Parsed {
    let tokens = &msg.tokens;
    if tokens
        .iter()
        .all(|t| matches!(t.kind, super::tokens::TokenKind::Punct(_)))
    {
        return parsed(Intent::Unknown, 0);
    }

    // Periods first: their numbers (`last 7 days`, `in 2025`) are never amounts.
    let mut used = vec![false; tokens.len()];
    let period = periods::find(tokens, &used, ctx.today, ctx.date_order);
    if let Some(p) = &period {
        periods::mark(tokens, &mut used, p);
    }
    let cands = amount::candidates(tokens, &used, &msg.phrased);
    let has_money = cands
        .iter()
        .any(|c| !c.value.is_zero() && (c.money_shaped || (!c.count_like && c.score > -4)));
    let how_much = msg.has_seq(&["how", "much"]);

    if is_budget(msg) {
        if is_advice(msg, has_money) {
            return parsed(Intent::Advice, 85);
        }
        if has_money {
            return budget_set(lexicon, msg, ctx, &used);
        }
        return parsed(Intent::BudgetShow, 88);
    }
    if !how_much && is_advice(msg, has_money) {
        return parsed(Intent::Advice, 85);
    }
    if !has_money {
        if is_help(msg) {
            return parsed(Intent::Help, 90);
        }
        if let Some(conf) = undo_confidence(msg) {
            return parsed(Intent::Undo, conf);
        }
        if is_summary(msg) {
            let range = period.map_or_else(|| DateRange::month_of(ctx.today), |p| p.range);
            return parsed(Intent::Summary { period: range }, 90);
        }
        if !how_much && is_recent(msg, &used) {
            return parsed(
                Intent::Recent {
                    limit: recent_limit(msg),
                },
                88,
            );
        }
        if let Some(q) = query(lexicon, msg, ctx, period.map(|p| p.range), how_much, &used) {
            return q;
        }
        if is_greeting(msg) {
            return parsed(Intent::Help, 75);
        }
        return parsed(Intent::Unknown, 0);
    }
    // `can I afford a 900 laptop?`, `should we buy the 500 tv`: money is named, nothing was spent.
    if is_hypothetical(msg) {
        return parsed(Intent::Unknown, 20);
    }
    match add::read(lexicon, msg, ctx, None) {
        Ok(guess) if guess.confidence >= MIN_ADD_CONFIDENCE => {
            parsed(Intent::Add(guess.intent), guess.confidence)
        }
        _ => parsed(Intent::Unknown, 0),
    }
}

const BUDGET_WORDS: &[&str] = &["budget", "budgets", "budgeted"];

/// Words that open a yes/no question or a wish when a person follows (`can I`, `should we`).
const MODALS: &[&str] = &[
    "can", "could", "should", "would", "will", "shall", "may", "might", "must", "is", "am", "are",
    "do", "does", "dare",
];
const ASKERS: &[&str] = &["i", "we", "you", "it", "my", "our", "this", "that", "there"];

/// A question about money not yet spent: it asks for advice, it records nothing.
fn is_hypothetical(msg: &Message<'_>) -> bool {
    let mut words = msg.tokens.iter().filter(|t| t.is_word()).map(|t| t.word());
    let (first, second) = (words.next(), words.next());
    let modal_question =
        first.is_some_and(|w| MODALS.contains(&w)) && second.is_some_and(|w| ASKERS.contains(&w));
    modal_question
        || msg.has_seq(&["what", "if"])
        || msg.has_any(&["afford", "affordable", "affording"])
        || msg.has_seq(&["worth", "it"])
}

fn is_budget(msg: &Message<'_>) -> bool {
    msg.has_any(BUDGET_WORDS)
        || (msg.has_any(&["limit", "cap"])
            && msg.has_any(&["set", "spending", "monthly", "weekly"]))
}

const ADVICE_NOUNS: &[&str] = &[
    "advice",
    "advise",
    "tips",
    "tip",
    "suggestions",
    "suggestion",
    "suggest",
    "recommendations",
    "recommendation",
    "ideas",
    "hacks",
    "strategies",
    "strategy",
    "guidance",
    "budgeting",
    "frugal",
];

const ADVICE_VERBS: &[&str] = &[
    "save",
    "saving",
    "cut",
    "reduce",
    "lower",
    "stop",
    "afford",
    "cheaper",
    "debt",
    "invest",
    "investing",
    "less",
    "curb",
    "control",
    "improve",
    "manage",
    "better",
    "overspending",
    "waste",
    "wasting",
];

fn is_advice(msg: &Message<'_>, has_money: bool) -> bool {
    let frame = msg.has_seq(&["how", "can"])
        || msg.has_seq(&["how", "do", "i"])
        || msg.has_seq(&["how", "do", "we"])
        || msg.has_seq(&["how", "to"])
        || msg.has_seq(&["how", "should"])
        || msg.has_seq(&["should", "i"])
        || msg.has_seq(&["should", "we"])
        || msg.has_seq(&["help", "me"])
        || msg.has_seq(&["ways", "to"])
        || msg.has_seq(&["way", "to"])
        || msg.has_seq(&["what", "can", "i", "do"])
        || msg.has_seq(&["i", "want", "to"])
        || msg.has_seq(&["i", "need", "to"])
        || msg.has_seq(&["trying", "to"]);
    if frame && msg.has_any(ADVICE_VERBS) {
        return true;
    }
    if has_money {
        return false;
    }
    msg.has_any(ADVICE_NOUNS)
        || msg.has_seq(&["save", "more"])
        || msg.has_seq(&["spend", "less"])
        || msg.has_seq(&["spending", "less"])
        || msg.has_seq(&["cut", "back"])
        || msg.has_seq(&["cut", "down"])
        || msg.has_seq(&["stop", "spending"])
        || msg.has_seq(&["spending", "too", "much"])
        || msg.has_seq(&["spend", "too", "much"])
}

const HELP_WORDS: &[&str] = &[
    "help",
    "halp",
    "commands",
    "menu",
    "instructions",
    "tutorial",
    "usage",
];

const START_WORDS: &[&str] = &["start", "begin", "started"];

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "howdy",
    "yo",
    "hola",
    "heya",
    "hii",
    "hallo",
    "greetings",
    "sup",
    "helo",
    "hellow",
];

fn is_help(msg: &Message<'_>) -> bool {
    msg.has_any(HELP_WORDS)
        || (msg.has_any(START_WORDS) && msg.word_count() <= 2)
        || msg.has_seq(&["what", "can", "i", "do", "here"])
        || msg.has_seq(&["what", "can", "i", "do", "with"])
        || msg.has_seq(&["what", "can", "you", "do"])
        || msg.has_seq(&["what", "do", "you", "do"])
        || msg.has_seq(&["how", "does", "this", "work"])
        || msg.has_seq(&["how", "does", "it", "work"])
        || msg.has_seq(&["how", "do", "you", "work"])
        || msg.has_seq(&["how", "does", "this", "bot", "work"])
        || msg.has_seq(&["how", "do", "i", "use"])
        || msg.has_seq(&["how", "to", "use"])
        || msg.has_seq(&["how", "do", "i", "start"])
        || msg.has_seq(&["how", "do", "i", "add"])
        || msg.has_seq(&["how", "do", "i", "log"])
        || msg.has_seq(&["who", "are", "you"])
        || msg.has_seq(&["what", "are", "you"])
        || msg.has_seq(&["what", "is", "this"])
        || msg.has_seq(&["whats", "this"])
        || msg.has_seq(&["getting", "started"])
        || msg.has_seq(&["what", "can", "i", "say"])
        || msg.has_seq(&["what", "can", "i", "ask"])
}

fn is_greeting(msg: &Message<'_>) -> bool {
    msg.word_count() <= 6
        && (msg.has_any(GREETINGS)
            || msg.has_seq(&["good", "morning"])
            || msg.has_seq(&["good", "evening"])
            || msg.has_seq(&["good", "afternoon"]))
}

const UNDO_WORDS: &[&str] = &["undo", "undoo", "revert", "rollback"];

const UNDO_VERBS: &[&str] = &[
    "delete", "remove", "cancel", "erase", "scratch", "drop", "del", "rm", "revert", "discard",
    "void", "undo", "nuke", "kill", "trash", "reverse",
];

const UNDO_OBJECTS: &[&str] = &[
    "last",
    "that",
    "it",
    "this",
    "previous",
    "entry",
    "transaction",
    "one",
    "mistake",
    "latest",
    "expense",
    "prior",
];

fn undo_confidence(msg: &Message<'_>) -> Option<u8> {
    if msg.has_any(UNDO_WORDS) {
        return Some(92);
    }
    if msg.has_seq(&["scratch", "that"]) || msg.has_seq(&["take", "that", "back"]) {
        return Some(88);
    }
    if msg.has_any(UNDO_VERBS) && msg.has_any(UNDO_OBJECTS) {
        return Some(85);
    }
    None
}

const SUMMARY_WORDS: &[&str] = &[
    "summary",
    "summaries",
    "summarize",
    "summarise",
    "report",
    "breakdown",
    "overview",
    "recap",
    "stats",
    "statistics",
    "statement",
    "digest",
    "rundown",
    "analysis",
];

fn is_summary(msg: &Message<'_>) -> bool {
    msg.has_any(SUMMARY_WORDS)
        || msg.has_seq(&["sum", "up"])
        || msg.has_seq(&["break", "down"])
        || msg.has_seq(&["how", "did", "i", "do"])
        || msg.has_seq(&["where", "did", "my", "money", "go"])
        || msg.has_seq(&["where", "does", "my", "money", "go"])
        || msg.has_seq(&["where", "my", "money", "went"])
        || msg.has_seq(&["where", "my", "money", "goes"])
        || msg.has_seq(&["by", "category"])
}

const RECENT_NOUNS: &[&str] = &[
    "transactions",
    "transaction",
    "entries",
    "entry",
    "expenses",
    "expense",
    "purchases",
    "purchase",
    "payment",
    "items",
    "records",
    "payments",
    "logs",
    "ones",
    "spends",
];

const RECENT_WORDS: &[&str] = &[
    "recent",
    "recently",
    "history",
    "activity",
    "transactions",
    "entries",
];

fn is_recent(msg: &Message<'_>, used: &[bool]) -> bool {
    if msg.has_any(RECENT_WORDS) {
        return true;
    }
    if [
        "add", "log", "enter", "record", "added", "logged", "entered", "recorded",
    ]
    .iter()
    .any(|v| msg.has_seq(&["what", "did", "i", v]) || msg.has_seq(&["what", "have", "i", v]))
    {
        return true;
    }
    // `last 5 expenses`, `latest purchases` (a `last` that is not part of a period)
    let free_last = msg.tokens.iter().enumerate().any(|(i, t)| {
        matches!(t.word(), "last" | "latest") && !used.get(i).copied().unwrap_or(true)
    });
    (free_last || msg.has_any(&["list", "show"])) && msg.has_any(RECENT_NOUNS)
}

/// `last 5`, `3 most recent`, `last three`: how many to list (1..=1000).
fn recent_limit(msg: &Message<'_>) -> Option<u32> {
    let tokens = &msg.tokens;
    for (i, t) in tokens.iter().enumerate() {
        let n = if let Some(n) = t.num() {
            n.int
        } else if t.is_word() && !matches!(t.word(), "a" | "an") {
            number_words(tokens, i).map(|(n, _)| n)
        } else {
            None
        };
        let Some(n) = n else { continue };
        let prev = if i > 0 { msg.word(i - 1) } else { "" };
        let next = msg.word(i + 1);
        let near = matches!(
            prev,
            "last" | "latest" | "recent" | "past" | "first" | "top"
        ) || RECENT_NOUNS.contains(&next)
            || matches!(next, "most" | "recent" | "latest" | "last");
        if near && (1..=1000).contains(&n) {
            return Some(n);
        }
    }
    None
}

const SPENT_WORDS: &[&str] = &[
    "spend",
    "spent",
    "spending",
    "spendings",
    "expenses",
    "expense",
    "cost",
    "costs",
    "went",
    "outgoings",
    "outgoing",
    "blew",
];
const EARNED_WORDS: &[&str] = &[
    "earn", "earned", "earning", "earnings", "income", "made", "make", "making", "received",
    "receive", "revenue", "salary", "incoming", "paycheck",
];
const NET_WORDS: &[&str] = &[
    "saved",
    "save",
    "saving",
    "savings",
    "balance",
    "net",
    "left",
    "leftover",
    "remaining",
    "surplus",
    "profit",
];

fn query(
    lexicon: &Lexicon,
    msg: &Message<'_>,
    ctx: &ParseContext<'_>,
    period: Option<DateRange>,
    how_much: bool,
    used: &[bool],
) -> Option<Parsed> {
    let got_paid = ["got", "get", "getting", "been", "was"]
        .iter()
        .any(|w| msg.has_seq(&[w, "paid"]));
    let spent = msg.has_any(SPENT_WORDS) || (!got_paid && msg.has_any(&["paid", "pay"]));
    let earned = msg.has_any(EARNED_WORDS) || got_paid;
    let net = msg.has_any(NET_WORDS);
    let asks = how_much
        || msg.has_any(&["total", "totals", "sum"])
        || msg.has_seq(&["what", "did", "i"])
        || msg.has_seq(&["what", "have", "i"])
        || msg.has_seq(&["how", "many"]);
    let metric_word = spent || earned || net;

    let mut metric = if net || (spent && earned) {
        Some(Metric::Net)
    } else if earned {
        Some(Metric::Earned)
    } else if spent {
        Some(Metric::Spent)
    } else {
        None
    };
    let category = match metric {
        Some(Metric::Net) => None,
        Some(Metric::Earned) => pick_query_category(lexicon, msg, ctx, TransactionKind::Income),
        Some(Metric::Spent) => pick_query_category(lexicon, msg, ctx, TransactionKind::Expense),
        None => pick_query_category(lexicon, msg, ctx, TransactionKind::Expense)
            .or_else(|| pick_query_category(lexicon, msg, ctx, TransactionKind::Income)),
    };
    // `dividends this year?`: no metric word, so the category's kind decides.
    if metric.is_none()
        && let Some((_, TransactionKind::Income)) = &category
    {
        metric = Some(Metric::Earned);
    }
    let bare_form = !asks && !metric_word && category.is_some() && period.is_some() && {
        // `food last month?`: nothing but a category and a period.
        let loose = msg
            .tokens
            .iter()
            .enumerate()
            .filter(|(i, t)| t.is_word() && !used.get(*i).copied().unwrap_or(true))
            .filter(|(_, t)| !matches!(t.word(), "on" | "for" | "my" | "the" | "in" | "and"))
            .count();
        let covered: usize = msg.matches.iter().map(|m| m.len).sum();
        loose <= covered
    };
    if !(asks || metric_word || bare_form) {
        return None;
    }
    let metric = metric.unwrap_or(Metric::Spent);
    let range = period.unwrap_or_else(|| DateRange::month_of(ctx.today));
    let confidence = if asks { 90 } else { 80 };
    Some(parsed(
        Intent::Query(QueryIntent {
            metric,
            category: category.map(|(c, _)| c),
            period: range,
        }),
        confidence,
    ))
}

fn pick_query_category(
    lexicon: &Lexicon,
    msg: &Message<'_>,
    ctx: &ParseContext<'_>,
    kind: TransactionKind,
) -> Option<(CategoryName, TransactionKind)> {
    category::from_vocabulary(msg, ctx.vocabulary, Some(kind))
        .or_else(|| category::from_lexicon(lexicon, msg, kind, true))
        .filter(|c| !c.name.is_other())
        .map(|c| (c.name, c.kind))
}

fn budget_set(
    lexicon: &Lexicon,
    msg: &Message<'_>,
    ctx: &ParseContext<'_>,
    used: &[bool],
) -> Parsed {
    let cands = amount::candidates(&msg.tokens, used, &msg.phrased);
    let Some(best) = amount::best(&cands) else {
        return parsed(Intent::BudgetShow, 60);
    };
    let mut rest = used.to_vec();
    for u in rest.iter_mut().take(best.end).skip(best.start) {
        *u = true;
    }
    let currency = best
        .currency
        .or_else(|| amount::loose_currency(&msg.tokens, &rest, &msg.phrased))
        .unwrap_or(ctx.currency);
    let choice = category::from_vocabulary(msg, ctx.vocabulary, Some(TransactionKind::Expense))
        .or_else(|| category::from_lexicon(lexicon, msg, TransactionKind::Expense, true));
    let confidence = if choice.is_some() { 90 } else { 75 };
    let category = choice.map_or_else(CategoryName::other, |c| c.name);
    let period = periods::budget_period(&msg.tokens).unwrap_or(BudgetPeriod::Month);
    parsed(
        Intent::BudgetSet(BudgetIntent {
            category,
            amount: best.value,
            currency,
            period,
        }),
        confidence,
    )
}
