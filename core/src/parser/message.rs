//! One message read: tokens with dictionary forms, and the lexicon phrases found in it.

use super::lexicon::{Lexicon, Match, normalize};
use super::tokens::{Token, tokenize};

/// Longer input is cut here (at a character boundary): no chat entry needs more, and it bounds
/// the work a hostile message can cause.
pub(crate) const MAX_INPUT: usize = 4096;

#[derive(Debug)]
pub(crate) struct Message<'a> {
    pub tokens: Vec<Token<'a>>,
    /// Dictionary id per token (0: not a known word).
    pub ids: Vec<u32>,
    pub matches: Vec<Match>,
    /// Per token: inside a lexicon phrase of two or more words.
    pub phrased: Vec<bool>,
    /// The normalised text the tokens borrow from, and the text as the user wrote it (clipped):
    /// notes are cut from the latter so they keep the user's case and symbols.
    pub lowered: &'a str,
    pub original: &'a str,
}

/// Cuts `text` to at most `max` bytes without splitting a character.
pub(crate) fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Lowercases and normalises a message; the tokens borrow from the result.
pub(crate) fn prepare(text: &str) -> String {
    normalize(clip(text, MAX_INPUT))
}

impl<'a> Message<'a> {
    pub fn read(lexicon: &'a Lexicon, lowered: &'a str) -> Message<'a> {
        let mut tokens = tokenize(lowered);
        let mut ids = Vec::with_capacity(tokens.len());
        lexicon.canonicalize(&mut tokens, &mut ids);
        let matches = lexicon.scan(&ids);
        let mut phrased = vec![false; tokens.len()];
        for m in matches.iter().filter(|m| m.len > 1) {
            for p in phrased.iter_mut().skip(m.start).take(m.len) {
                *p = true;
            }
        }
        Message {
            tokens,
            ids,
            matches,
            phrased,
            lowered,
            original: "",
        }
    }

    /// Remembers the text as written (before [`prepare`]), for notes.
    pub fn with_original(mut self, original: &'a str) -> Message<'a> {
        self.original = clip(original, MAX_INPUT);
        self
    }

    pub fn word(&self, i: usize) -> &'a str {
        self.tokens.get(i).map_or("", |t| t.word())
    }

    pub fn has_any(&self, ws: &[&str]) -> bool {
        self.tokens.iter().any(|t| ws.contains(&t.word()))
    }

    /// Index of the first place where the words `seq` follow one another.
    pub fn find_seq(&self, seq: &[&str]) -> Option<usize> {
        if seq.is_empty() || seq.len() > self.tokens.len() {
            return None;
        }
        (0..=self.tokens.len() - seq.len())
            .find(|&i| seq.iter().enumerate().all(|(k, w)| self.word(i + k) == *w))
    }

    pub fn has_seq(&self, seq: &[&str]) -> bool {
        self.find_seq(seq).is_some()
    }

    /// Number of word tokens.
    pub fn word_count(&self) -> usize {
        self.tokens.iter().filter(|t| t.is_word()).count()
    }

    pub fn ends_with_question(&self) -> bool {
        self.tokens.iter().any(|t| t.is_punct('?'))
    }
}
