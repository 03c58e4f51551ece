//! One transaction read from a message: amount, currency, kind, category, date, note, confidence.

use crate::domain::{CategoryName, TransactionKind};

use super::amount::{self, Candidate};
use super::category::{self, Choice};
use super::dates;
use super::lexicon::Lexicon;
use super::message::Message;
use super::note;
use super::tokens::TokenKind;
use super::{AddIntent, ParseContext};

/// Why no transaction could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoAdd {
    NoAmount,
    /// A number was written but cannot be an amount (`1,2,3`, `0`); holds it as typed.
    BadAmount(String),
}

#[derive(Debug, Clone)]
pub(crate) struct AddGuess {
    pub intent: AddIntent,
    pub confidence: u8,
}

/// The direction the message's own words give, if any: the earliest cue wins
/// (`spent my bonus` is an expense, `got paid, spent some` is income).
pub(crate) fn cued_kind(msg: &Message<'_>) -> Option<TransactionKind> {
    msg.matches
        .iter()
        .find_map(|m| m.entry.cue)
        .or_else(|| from_a_person(msg).then_some(TransactionKind::Income))
}

/// `50 from grandma`, `got 20 from my uncle`: money from a relative came in.
fn from_a_person(msg: &Message<'_>) -> bool {
    msg.tokens.iter().enumerate().any(|(i, t)| {
        if t.word() != "from" {
            return false;
        }
        let mut k = i + 1;
        if matches!(msg.word(k), "my" | "our" | "the" | "his" | "her") {
            k += 1;
        }
        msg.matches.iter().any(|m| {
            m.start == k
                && m.entry.expense.is_none()
                && m.entry.income.is_some_and(|h| h.weight == 1)
        })
    })
}

/// Words of someone thinking aloud rather than stating what they paid.
fn is_hedge(w: &str) -> bool {
    matches!(
        w,
        "hmm"
            | "hm"
            | "hmmm"
            | "umm"
            | "um"
            | "uh"
            | "erm"
            | "dunno"
            | "idk"
            | "maybe"
            | "probably"
            | "perhaps"
            | "guess"
            | "think"
            | "thing"
            | "whatever"
            | "somewhere"
            | "around"
            | "roughly"
    )
}

/// Words that mark a sentence as talk rather than a record.
fn is_chatter(w: &str) -> bool {
    matches!(
        w,
        "will"
            | "ill"
            | "be"
            | "there"
            | "were"
            | "are"
            | "gonna"
            | "going"
            | "want"
            | "wanna"
            | "need"
            | "should"
            | "would"
            | "could"
            | "maybe"
            | "think"
            | "lets"
            | "meet"
            | "see"
            | "call"
            | "text"
            | "wait"
            | "minutes"
            | "hours"
            | "ready"
            | "arrive"
            | "arriving"
            | "leave"
            | "leaving"
            | "tomorrow"
            | "tmrw"
            | "next"
            | "you"
            | "youre"
            | "he"
            | "she"
            | "they"
            | "theyre"
            | "who"
            | "why"
            | "where"
            | "when"
            | "does"
            | "do"
            | "if"
            | "im"
            | "room"
            | "have"
            | "has"
            | "many"
            | "score"
            | "lost"
            | "level"
            | "page"
    )
}

/// Words that, right after `spent` or `paid`, make a question of it (`spent this month`,
/// `spent on food last week`) rather than a record whose amount is missing.
const QUERY_FOLLOWERS: &[&str] = &[
    "on",
    "in",
    "for",
    "this",
    "these",
    "last",
    "past",
    "previous",
    "today",
    "yesterday",
    "so",
    "much",
    "since",
    "during",
    "over",
    "total",
    "altogether",
    "lately",
    "recently",
    "overall",
    "until",
    "till",
    "week",
    "month",
    "year",
];

/// A statement that starts like a record (`spent abc on lunch`, `earned lots`) but names no
/// number: the kind it would have recorded. Read as a query, it would answer a question nobody
/// asked and hide that nothing was recorded.
pub(crate) fn record_without_amount(msg: &Message<'_>) -> Option<TransactionKind> {
    let mut words = msg.tokens.iter();
    let verb = words.next()?;
    let kind = match verb.text {
        "spent" | "paid" | "bought" => TransactionKind::Expense,
        "earned" | "received" => TransactionKind::Income,
        _ => return None,
    };
    let next = words.next()?;
    let numbers = msg
        .tokens
        .iter()
        .any(|t| matches!(t.kind, TokenKind::Number(_)));
    let asks = msg.ends_with_question() || QUERY_FOLLOWERS.contains(&next.text);
    (next.is_word() && !numbers && !asks).then_some(kind)
}

/// Reads a transaction. `forced` is the kind a slash command already fixed (`/spent`, `/earned`).
pub(crate) fn read(
    lexicon: &Lexicon,
    msg: &Message<'_>,
    ctx: &ParseContext<'_>,
    forced: Option<TransactionKind>,
) -> Result<AddGuess, NoAdd> {
    let tokens = &msg.tokens;
    let mut used = vec![false; tokens.len()];

    // The date first, so `nov 3` or `2 days ago` never becomes the amount; if that leaves no
    // amount, the number next to the month was the amount after all (`dec 20` alone).
    let mut date = dates::find(tokens, &used, ctx.today, ctx.date_order, true);
    if let Some(f) = date {
        dates::mark(tokens, &mut used, f);
    }
    let mut cands = amount::candidates(tokens, &used, &msg.phrased);
    if amount::best(&cands).is_none() && date.is_some() {
        used.iter_mut().for_each(|u| *u = false);
        date = dates::find(tokens, &used, ctx.today, ctx.date_order, false);
        if let Some(f) = date {
            dates::mark(tokens, &mut used, f);
        }
        cands = amount::candidates(tokens, &used, &msg.phrased);
    }
    let Some(best) = amount::best(&cands) else {
        return Err(bad_or_missing(msg, &used));
    };
    for u in used.iter_mut().take(best.end).skip(best.start) {
        *u = true;
    }

    let currency = best
        .currency
        .or_else(|| amount::loose_currency(tokens, &used, &msg.phrased))
        .unwrap_or(ctx.currency);
    let cue = cued_kind(msg);
    let mut kind = forced.or(cue).unwrap_or_else(|| {
        if !category::any_hit(msg, TransactionKind::Expense)
            && category::any_hit(msg, TransactionKind::Income)
        {
            TransactionKind::Income
        } else {
            TransactionKind::Expense
        }
    });
    let sure_of_kind = forced.is_some() || cue.is_some();

    let mut choice = category::from_vocabulary(msg, ctx.vocabulary, sure_of_kind.then_some(kind));
    if let Some(c) = &choice {
        kind = c.kind;
    } else {
        choice = category::from_lexicon(lexicon, msg, kind, false);
    }
    if forced.is_some()
        && let Some(named) = named_category_after(lexicon, msg, ctx, &best, kind)
    {
        // The word named the category; it is not part of what the money was for.
        if let Some(u) = used.get_mut(best.end) {
            *u = true;
        }
        choice = Some(named);
    }

    let note = note::build(msg, &used);
    // Nothing says money: no currency or decimals, no verb like `spent`, no clear category
    // (`i'm 25`, `my kid is 7`). A slash command is money by definition.
    let clear_category = choice.as_ref().is_some_and(|c| c.weight >= 2);
    if forced.is_none() && !best.money_shaped && cue.is_none() && !clear_category {
        return Err(NoAdd::NoAmount);
    }
    let confidence = confidence(msg, &best, &cands, choice.as_ref(), cue.is_some(), &used);
    let category = choice.map(|c| c.name).unwrap_or_else(CategoryName::other);
    Ok(AddGuess {
        intent: AddIntent {
            kind,
            amount: best.value,
            currency,
            category,
            date: date.map_or(ctx.today, |f| f.date),
            note,
        },
        confidence,
    })
}

/// `/spent 12 food lunch`: a category name right after the amount is the category.
fn named_category_after(
    lexicon: &Lexicon,
    msg: &Message<'_>,
    ctx: &ParseContext<'_>,
    best: &Candidate,
    kind: TransactionKind,
) -> Option<Choice> {
    let t = msg.tokens.get(best.end)?;
    if !t.is_word() {
        return None;
    }
    let user = ctx
        .vocabulary
        .categories()
        .iter()
        .find(|(name, k)| *k == kind && name.as_str() == t.text);
    if let Some((name, k)) = user {
        return Some(Choice {
            name: name.clone(),
            kind: *k,
            weight: 3,
        });
    }
    let idx = lexicon.category_named(t.text, kind)?;
    let (name, k) = lexicon.category(idx)?;
    Some(Choice {
        name: name.clone(),
        kind: *k,
        weight: 3,
    })
}

fn bad_or_missing(msg: &Message<'_>, used: &[bool]) -> NoAdd {
    for (i, t) in msg.tokens.iter().enumerate() {
        if used.get(i).copied().unwrap_or(true) {
            continue;
        }
        if let TokenKind::Number(n) = t.kind {
            let zero = n.value.is_some_and(|v| v.is_zero());
            if n.value.is_none() || zero {
                return NoAdd::BadAmount(t.text.chars().take(32).collect());
            }
        }
    }
    NoAdd::NoAmount
}

/// How sure we are that this message records this transaction (see `Confidence`).
fn confidence(
    msg: &Message<'_>,
    best: &Candidate,
    cands: &[Candidate],
    choice: Option<&Choice>,
    cued: bool,
    used: &[bool],
) -> u8 {
    let mut c: i32 = 60;
    if best.money_shaped {
        c += 15;
    }
    if cued {
        c += 15;
    }
    match choice {
        Some(ch) if !ch.name.is_other() => c += if ch.weight >= 2 { 15 } else { 8 },
        Some(_) => c += 5,
        None => {}
    }
    // `coffee 4`: nothing but what it was for and the amount.
    let loose_words = msg
        .tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| t.is_word() && !used.get(*i).copied().unwrap_or(true))
        .count();
    let covered: usize = msg.matches.iter().map(|m| m.len).sum();
    if choice.is_some() && loose_words <= covered + 1 && loose_words <= 4 {
        c += 10;
    }
    if best.count_like {
        c -= 15;
    }
    if best.in_words {
        c -= 5;
    }
    let rivals = cands
        .iter()
        .filter(|o| o.at != best.at && !o.count_like && o.score >= best.score - 2)
        .count();
    if rivals > 0 {
        c -= 10;
    }
    if msg.tokens.iter().any(|t| is_chatter(t.word())) {
        c -= 25;
    }
    // `hmm, that thing for the car, forty maybe`: the writer is unsure, so should we be.
    if msg.tokens.iter().any(|t| is_hedge(t.word())) {
        c -= 15;
    }
    if msg.ends_with_question() {
        c -= 20;
    }
    if msg.word_count() > 12 {
        c -= 10;
    }
    u8::try_from(c.clamp(0, 100)).unwrap_or(0)
}
