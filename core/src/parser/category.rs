//! Choosing a category: the user's own words first, then the built-in lexicon.

use crate::domain::{CategoryName, TransactionKind};

use super::Vocabulary;
use super::lexicon::{Hit, Lexicon};
use super::message::Message;

/// A category chosen for a message, with how strongly the message pointed at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Choice {
    pub name: CategoryName,
    pub kind: TransactionKind,
    /// 1 a weak hint (`kids`), 2 an ordinary word, 3 a strong one; user words count as 3.
    pub weight: u8,
}

/// A learnt keyword or a custom category name found in the message; `kind` filters when known.
pub(crate) fn from_vocabulary(
    msg: &Message<'_>,
    vocab: &Vocabulary,
    kind: Option<TransactionKind>,
) -> Option<Choice> {
    let fits = |k: TransactionKind| kind.is_none_or(|want| want == k);
    // Longer keywords first, so `blue bottle` beats a shorter `blue`.
    let mut best: Option<(usize, Choice)> = None;
    for (keyword, category, k) in vocab.keywords() {
        if !fits(*k) {
            continue;
        }
        let words = keyword.split_whitespace().count();
        if best.as_ref().is_some_and(|(n, _)| *n >= words) {
            continue;
        }
        if contains_words(msg, keyword.split_whitespace()) {
            best = Some((
                words,
                Choice {
                    name: category.clone(),
                    kind: *k,
                    weight: 3,
                },
            ));
        }
    }
    if let Some((_, choice)) = best {
        return Some(choice);
    }
    for (category, k) in vocab.categories() {
        if fits(*k) && contains_words(msg, category.as_str().split('_')) {
            return Some(Choice {
                name: category.clone(),
                kind: *k,
                weight: 3,
            });
        }
    }
    None
}

/// Whether the message holds `words` one after another (each as written or in dictionary form).
fn contains_words<'w>(msg: &Message<'_>, words: impl Iterator<Item = &'w str> + Clone) -> bool {
    let n = words.clone().count();
    if n == 0 || n > msg.tokens.len() {
        return false;
    }
    (0..=msg.tokens.len() - n).any(|i| {
        words.clone().enumerate().all(|(k, w)| {
            msg.tokens
                .get(i + k)
                .is_some_and(|t| t.is_word() && (same_word(t.text, w) || same_word(t.canon, w)))
        })
    })
}

/// Equal, or equal once a plural `s` is dropped from either side (`lattes` ~ `latte`).
pub(crate) fn same_word(a: &str, b: &str) -> bool {
    a == b
        || a.strip_suffix('s').is_some_and(|s| s == b)
        || b.strip_suffix('s').is_some_and(|s| s == a)
}

/// The best built-in category of `kind`: the heaviest phrase, the earliest on a tie.
/// `skip_other` leaves out phrases that name the catch-all (`misc`), for queries.
pub(crate) fn from_lexicon(
    lexicon: &Lexicon,
    msg: &Message<'_>,
    kind: TransactionKind,
    skip_other: bool,
) -> Option<Choice> {
    let mut best: Option<(Hit, usize)> = None;
    for m in &msg.matches {
        let Some(hit) = m.entry.hit(kind) else {
            continue;
        };
        // In a question, `got paid` says which way money moved, not what for.
        if skip_other && hit.weight == 1 && m.entry.cue.is_some() {
            continue;
        }
        if skip_other
            && lexicon
                .category(hit.category)
                .is_some_and(|(n, _)| n.is_other())
        {
            continue;
        }
        let better = match best {
            None => true,
            Some((b, len)) => (hit.weight, m.len) > (b.weight, len),
        };
        if better {
            best = Some((hit, m.len));
        }
    }
    let (hit, _) = best?;
    let (name, kind) = lexicon.category(hit.category)?;
    Some(Choice {
        name: name.clone(),
        kind: *kind,
        weight: hit.weight,
    })
}

/// Whether any phrase in the message points to a category of `kind`.
pub(crate) fn any_hit(msg: &Message<'_>, kind: TransactionKind) -> bool {
    msg.matches.iter().any(|m| m.entry.hit(kind).is_some())
}
