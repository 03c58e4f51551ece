//! The note of a transaction (what the money was for) and the words worth learning from it.

use super::amount::{currency_word, tens_word, unit_word};
use super::dates::is_date_word;
use super::lexicon::{normalize, normalize_with_map};
use super::message::Message;
use super::message::clip;
use super::tokens::{Token, TokenKind, tokenize};

/// Words that say how money moved or glue a sentence together, never what it was for.
pub(crate) fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "i" | "ive"
            | "im"
            | "id"
            | "we"
            | "weve"
            | "me"
            | "my"
            | "our"
            | "us"
            | "you"
            | "your"
            | "the"
            | "a"
            | "an"
            | "on"
            | "at"
            | "for"
            | "in"
            | "from"
            | "just"
            | "spent"
            | "spend"
            | "spending"
            | "paid"
            | "pay"
            | "payed"
            | "bought"
            | "buy"
            | "purchased"
            | "got"
            | "get"
            | "grabbed"
            | "dropped"
            | "took"
            | "take"
            | "had"
            | "have"
            | "has"
            | "was"
            | "were"
            | "is"
            | "it"
            | "some"
            | "new"
            | "received"
            | "recieved"
            | "earned"
            | "came"
            | "put"
            | "down"
            | "total"
            | "cost"
            | "costs"
            | "about"
            | "around"
            | "ok"
            | "so"
            | "pls"
            | "please"
            | "lol"
            | "haha"
            | "also"
            | "again"
            | "today"
            | "to"
            | "of"
            | "and"
            | "with"
            | "by"
            | "via"
            | "log"
            | "add"
            | "record"
            | "expense"
            | "another"
            | "like"
            | "that"
            | "this"
            | "those"
            | "these"
            | "there"
            | "here"
            | "out"
            | "up"
            | "off"
            | "be"
            | "been"
            | "am"
            | "are"
            | "did"
            | "do"
            | "does"
            | "each"
            | "per"
            | "only"
            | "worth"
    )
}

/// Glue words that may stay inside a note (`flight to chicago`) but not at its ends.
fn is_inner_glue(w: &str) -> bool {
    matches!(w, "to" | "of" | "and" | "with" | "by" | "&")
}

/// Builds the note from the tokens not `used` by the amount or date: content words and counts,
/// as the user wrote them (case, accents and the symbols attached to them kept).
pub(crate) fn build(msg: &Message<'_>, used: &[bool]) -> String {
    let mut kept: Vec<&Token<'_>> = Vec::new();
    let mut words = 0usize;
    for (i, t) in msg.tokens.iter().enumerate() {
        if used.get(i).copied().unwrap_or(true) {
            continue;
        }
        let keep = match t.kind {
            TokenKind::Word => {
                let glue = is_inner_glue(t.text) && words > 0;
                glue || (!is_filler(t.text) && !is_filler(t.canon))
            }
            TokenKind::Number(_) | TokenKind::Ordinal(_) => true,
            _ => false,
        };
        if keep {
            kept.push(t);
            words += 1;
        }
        if words >= 24 {
            break;
        }
    }
    while kept.last().is_some_and(|t| is_inner_glue(t.text)) {
        kept.pop();
    }
    as_written(msg, &kept)
        .unwrap_or_else(|| kept.iter().map(|t| t.text).collect::<Vec<_>>().join(" "))
}

/// The kept tokens cut from the original text: each grows over the symbols touching it
/// (`<b>&co</b>`, `joe's`), touching pieces join, and pieces apart are joined by one space.
fn as_written(msg: &Message<'_>, kept: &[&Token<'_>]) -> Option<String> {
    if msg.original.is_empty() || kept.is_empty() {
        return None;
    }
    let (lowered, map) = normalize_with_map(msg.original);
    if lowered != msg.lowered {
        return None;
    }
    let original = msg.original;
    let base = msg.lowered.as_ptr() as usize;
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(kept.len());
    for t in kept {
        let start = (t.text.as_ptr() as usize).checked_sub(base)?;
        let end = start + t.text.len();
        let (mut s, mut e) = (*map.get(start)?, *map.get(end)?);
        while let Some(c) = original[..s].chars().next_back().filter(|c| attaches(*c)) {
            s -= c.len_utf8();
        }
        while let Some(c) = original[e..].chars().next().filter(|c| attaches(*c)) {
            e += c.len_utf8();
        }
        match spans.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => spans.push((s, e)),
        }
    }
    let pieces: Vec<&str> = spans
        .iter()
        .filter_map(|&(s, e)| original.get(s..e))
        .map(|p| {
            p.trim_matches(|c: char| matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | '"'))
                .trim_end_matches(['(', '[', '{'])
                .trim_start_matches([')', ']', '}'])
        })
        .filter(|p| !p.is_empty())
        .collect();
    (!pieces.is_empty()).then(|| pieces.join(" "))
}

/// A character that belongs to the word it touches in a note: symbols, not spaces or words.
fn attaches(c: char) -> bool {
    !c.is_whitespace() && !c.is_alphanumeric()
}

/// The normalised content words of a note: what a re-categorisation should teach.
pub(crate) fn learnable(note: &str) -> Vec<String> {
    let lowered = normalize(clip(note, 1024));
    let mut out: Vec<String> = Vec::new();
    for t in tokenize(&lowered) {
        if !t.is_word() {
            continue;
        }
        let w = t.text;
        let useless = w.chars().count() < 2
            || is_filler(w)
            || is_inner_glue(w)
            || currency_word(w).is_some()
            || unit_word(w).is_some()
            || tens_word(w).is_some()
            || matches!(w, "hundred" | "thousand" | "grand" | "bucks" | "k")
            || is_date_word(w)
            || matches!(w, "week" | "ago" | "days" | "day" | "yesterday" | "tonight")
            || !w.chars().any(char::is_alphabetic);
        if !useless && !out.iter().any(|o| o == w) {
            out.push(w.to_owned());
        }
        if out.len() >= 16 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note_of(text: &str) -> String {
        let parser = crate::parser::Parser::new();
        let vocabulary = crate::parser::Vocabulary::default();
        let ctx = crate::parser::ParseContext {
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
            currency: crate::money::Currency::USD,
            date_order: crate::domain::DateOrder::Mdy,
            vocabulary: &vocabulary,
        };
        match parser.parse(text, &ctx).intent {
            crate::parser::Intent::Add(a) => a.note,
            other => panic!("{text:?} is not an add: {other:?}"),
        }
    }

    #[test]
    fn notes_keep_what_the_user_wrote() {
        assert_eq!(note_of("spent 12 on lunch <b>&co</b>"), "lunch <b>&co</b>");
        assert_eq!(note_of("spent 12 on lunch <b>_*[x]"), "lunch <b>_*[x]");
        assert_eq!(note_of("Blue Bottle latte 5.20"), "Blue Bottle latte");
        assert_eq!(
            note_of("groceries at Trader Joe’s 63.25"),
            "groceries Trader Joe’s"
        );
        assert_eq!(
            note_of("Spent 46 on drinks at the bar tonight"),
            "drinks bar"
        );
        assert_eq!(
            note_of("dinner at a resturant last tuesday, 64.20"),
            "dinner resturant"
        );
        assert_eq!(note_of("Café Crème 4,50 €"), "Café Crème");
        assert_eq!(note_of("coffee (4)"), "coffee");
        assert_eq!(note_of("2 coffees for 7"), "2 coffees");
    }

    #[test]
    fn learnable_words_are_content_words() {
        assert_eq!(learnable("blue bottle latte"), ["blue", "bottle", "latte"]);
        assert_eq!(
            learnable("Spent 12 on the Blue Bottle latte yesterday"),
            ["blue", "bottle", "latte"]
        );
        assert!(learnable("12 dollars today").is_empty());
    }
}
