//! The note of a transaction (what the money was for) and the words worth learning from it.

use super::amount::{currency_word, tens_word, unit_word};
use super::dates::is_date_word;
use super::lexicon::normalize;
use super::message::clip;
use super::tokens::{TokenKind, tokenize};

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

/// Builds the note from the tokens not `used` by the amount or date: content words and counts.
pub(crate) fn build(tokens: &[super::tokens::Token<'_>], used: &[bool]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if used.get(i).copied().unwrap_or(true) {
            continue;
        }
        match t.kind {
            TokenKind::Word => {
                let glue = is_inner_glue(t.text) && !words.is_empty();
                if glue || (!is_filler(t.text) && !is_filler(t.canon)) {
                    words.push(t.text);
                }
            }
            TokenKind::Number(_) | TokenKind::Ordinal(_) => words.push(t.text),
            _ => {}
        }
        if words.len() >= 24 {
            break;
        }
    }
    while words.last().is_some_and(|w| is_inner_glue(w)) {
        words.pop();
    }
    words.join(" ")
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
