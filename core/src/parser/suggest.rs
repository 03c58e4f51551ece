//! Best-guess categories for a note the rules could not place, for "which category?" buttons.

use crate::domain::{CategoryName, TransactionKind};

use super::lexicon::Lexicon;
use super::message::{Message, prepare};
use super::spelling::bounded_distance;

/// The usual categories of each kind, most common first: the fallback when the note says little.
const COMMON_EXPENSE: &[&str] = &[
    "food",
    "groceries",
    "shopping",
    "transport",
    "entertainment",
    "housing",
    "utilities",
    "health",
    "personal_care",
    "travel",
    "gifts",
    "education",
    "pets",
    "kids",
    "insurance",
    "taxes",
    "fees",
];
const COMMON_INCOME: &[&str] = &["salary", "freelance", "refund", "gift", "investment"];

/// Words this short are too ambiguous for near-miss matching.
const MIN_FUZZY: usize = 4;

pub(crate) fn suggest(
    lexicon: &Lexicon,
    note: &str,
    kind: TransactionKind,
    n: usize,
) -> Vec<CategoryName> {
    let mut out: Vec<CategoryName> = Vec::new();
    let push = |name: &CategoryName, out: &mut Vec<CategoryName>| {
        if !name.is_other() && !out.contains(name) {
            out.push(name.clone());
        }
    };
    let lowered = prepare(note);
    let msg = Message::read(lexicon, &lowered);

    // 1. Phrases the lexicon knows, heaviest first.
    let mut hits: Vec<(u8, usize, u16)> = msg
        .matches
        .iter()
        .filter_map(|m| m.entry.hit(kind).map(|h| (h.weight, m.start, h.category)))
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, cat) in hits {
        if let Some((name, _)) = lexicon.category(cat) {
            push(name, &mut out);
        }
    }

    // 2. Near misses: unknown words within two edits of, or sharing a stem with, a lexicon word.
    let unknown: Vec<&str> = msg
        .tokens
        .iter()
        .zip(&msg.ids)
        .filter(|(t, id)| t.is_word() && **id == 0 && t.text.chars().count() >= MIN_FUZZY)
        .map(|(t, _)| t.text)
        .take(8)
        .collect();
    if !unknown.is_empty() {
        let mut near: Vec<(usize, u16)> = Vec::new();
        for (word, entry) in lexicon.single_words() {
            let Some(hit) = entry.hit(kind) else { continue };
            if word.chars().count() < MIN_FUZZY {
                continue;
            }
            for u in &unknown {
                let d = bounded_distance(u, word, 2);
                let stem =
                    (u.starts_with(word) || word.starts_with(u)) && u.len().min(word.len()) >= 4;
                let score = if d <= 2 {
                    d
                } else if stem {
                    3
                } else {
                    continue;
                };
                near.push((score * 4 + usize::from(3 - hit.weight.min(3)), hit.category));
            }
        }
        near.sort();
        for (_, cat) in near {
            if let Some((name, _)) = lexicon.category(cat) {
                push(name, &mut out);
            }
        }
    }

    // 3. The common categories of this kind.
    let common = match kind {
        TransactionKind::Expense => COMMON_EXPENSE,
        TransactionKind::Income => COMMON_INCOME,
    };
    for name in common {
        if let Ok(name) = CategoryName::parse(name) {
            push(&name, &mut out);
        }
    }
    out.truncate(n);
    if out.len() < n {
        out.push(CategoryName::other());
    }
    out
}
