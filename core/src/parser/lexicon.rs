//! The built-in category lexicon (`core/data/lexicon.txt`), compiled once into hash tables.

use std::collections::HashMap;

use crate::domain::{CategoryName, TransactionKind};

use super::spelling::DeletionIndex;
use super::tokens::Token;

const DATA: &str = include_str!("../../data/lexicon.txt");

/// The longest phrase the lexicon may hold, in words.
pub(crate) const MAX_PHRASE: usize = 4;

/// A phrase's pull towards a category: weak hints (`kids`) lose to ordinary words (`cinema`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub category: u16,
    pub weight: u8,
}

/// What one lexicon phrase says: a category for each kind, and whether it signals a kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Entry {
    pub expense: Option<Hit>,
    pub income: Option<Hit>,
    /// `got paid`, `refund` → income; `spent`, `bought` → expense.
    pub cue: Option<TransactionKind>,
}

impl Entry {
    pub fn hit(&self, kind: TransactionKind) -> Option<Hit> {
        match kind {
            TransactionKind::Expense => self.expense,
            TransactionKind::Income => self.income,
        }
    }
}

/// One phrase found in a message: tokens `start..start + len`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Match {
    pub start: usize,
    pub len: usize,
    pub entry: Entry,
}

type Key = [u32; MAX_PHRASE];

#[derive(Debug)]
pub(crate) struct Lexicon {
    ids: HashMap<String, u32>,
    /// Word id → the word. Id 0 is reserved for "not a known word".
    words: Vec<String>,
    /// Word id → the longest phrase starting with it (0: starts none).
    longest_from: Vec<u8>,
    phrases: HashMap<Key, Entry>,
    categories: Vec<(CategoryName, TransactionKind)>,
    spelling: DeletionIndex,
    /// Word id → listed on its own (a one-word phrase or grammar word).
    standalone: Vec<bool>,
}

impl Lexicon {
    /// The built-in data plus `known` words (the grammar the classifier reads).
    pub fn builtin(known: &[&[&str]]) -> Lexicon {
        let mut extra = String::from("[words]\n");
        for w in known.iter().flat_map(|list| list.iter()) {
            extra.push_str(w);
            extra.push_str(",\n");
        }
        Lexicon::compile(&format!("{DATA}\n{extra}"))
    }

    /// Reads the data format: `[expense food]`, `[income salary]`, `[cue income]`,
    /// `[cue expense]` or `[words]` opens a section; lines hold comma-separated phrases; a
    /// trailing `?` makes a phrase a weak hint and `!` a strong one; `#` starts a comment.
    pub fn compile(data: &str) -> Lexicon {
        let mut lex = Lexicon {
            ids: HashMap::new(),
            words: vec![String::new()],
            longest_from: vec![0],
            phrases: HashMap::new(),
            categories: Vec::new(),
            spelling: DeletionIndex::default(),
            standalone: vec![false],
        };
        let mut section = Section::Words;
        for line in data.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(head) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = lex.section(head);
                continue;
            }
            for item in line.split(',') {
                lex.add_phrase(item.trim(), section);
            }
        }
        // Every category is found by its own name too (`transport`, `personal care`), unless
        // the data already says how strongly that word points (`kids?` stays a weak hint).
        for idx in 0..lex.categories.len() {
            let (name, kind) = lex.categories[idx].clone();
            let text = name.as_str().replace('_', " ");
            if lex
                .lookup_phrase(&text)
                .is_some_and(|e| e.hit(kind).is_some())
            {
                continue;
            }
            let section = Section::Category(kind, u16::try_from(idx).unwrap_or(u16::MAX));
            lex.add_phrase(&format!("{text}!"), section);
        }
        lex.inherit_hits();
        for (id, word) in lex.words.iter().enumerate().skip(1) {
            lex.spelling
                .insert(word, u32::try_from(id).unwrap_or(u32::MAX));
        }
        lex
    }

    fn section(&mut self, head: &str) -> Section {
        let mut parts = head.split_whitespace();
        match (parts.next(), parts.next()) {
            (Some("cue"), Some("income")) => Section::Cue(TransactionKind::Income),
            (Some("cue"), Some("expense")) => Section::Cue(TransactionKind::Expense),
            (Some(kind @ ("expense" | "income")), Some(name)) => {
                let kind = if kind == "income" {
                    TransactionKind::Income
                } else {
                    TransactionKind::Expense
                };
                let Ok(name) = CategoryName::parse(name) else {
                    return Section::Words;
                };
                let idx = match self
                    .categories
                    .iter()
                    .position(|(n, k)| *n == name && *k == kind)
                {
                    Some(i) => i,
                    None => {
                        self.categories.push((name, kind));
                        self.categories.len() - 1
                    }
                };
                Section::Category(kind, u16::try_from(idx).unwrap_or(u16::MAX))
            }
            _ => Section::Words,
        }
    }

    fn word_id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = u32::try_from(self.words.len()).unwrap_or(u32::MAX);
        self.ids.insert(word.to_owned(), id);
        self.words.push(word.to_owned());
        self.longest_from.push(0);
        self.standalone.push(false);
        id
    }

    fn add_phrase(&mut self, raw: &str, section: Section) {
        let (text, weight) = if let Some(t) = raw.strip_suffix('?') {
            (t.trim(), 1)
        } else if let Some(t) = raw.strip_suffix('!') {
            (t.trim(), 3)
        } else {
            (raw, 2)
        };
        let lowered = normalize(text);
        let words: Vec<&str> = lowered
            .split(|c: char| c.is_whitespace() || c == '-')
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() || words.len() > MAX_PHRASE {
            return;
        }
        let mut key: Key = [0; MAX_PHRASE];
        for (slot, w) in key.iter_mut().zip(&words) {
            *slot = self.word_id(w);
        }
        if words.len() == 1
            && let Some(alone) = self.standalone.get_mut(key[0] as usize)
        {
            *alone = true;
        }
        if let Section::Words = section {
            return;
        }
        let len = u8::try_from(words.len()).unwrap_or(1);
        if let Some(slot) = self.longest_from.get_mut(key[0] as usize) {
            *slot = (*slot).max(len);
        }
        let entry = self.phrases.entry(key).or_default();
        match section {
            Section::Category(kind, category) => {
                // Listed under two categories: the heavier listing wins, else the first.
                let hit = Hit { category, weight };
                let slot = match kind {
                    TransactionKind::Expense => &mut entry.expense,
                    TransactionKind::Income => &mut entry.income,
                };
                if slot.is_none_or(|old| old.weight < weight) {
                    *slot = Some(hit);
                }
            }
            Section::Cue(kind) => entry.cue = Some(kind),
            Section::Words => {}
        }
    }

    /// A phrase listed only as a cue (`interest earned`, `client paid`) still points where its
    /// words do: it takes, for each kind, the heaviest category among its single words; and a
    /// phrase with no cue of its own (`refund from`) keeps the cue of a word in it.
    fn inherit_hits(&mut self) {
        let singles: HashMap<u32, Entry> = self
            .phrases
            .iter()
            .filter(|(k, _)| k[1] == 0)
            .map(|(k, e)| (k[0], *e))
            .collect();
        for (key, entry) in self.phrases.iter_mut() {
            if key[1] == 0 {
                continue;
            }
            let own = (
                entry.expense.is_some(),
                entry.income.is_some(),
                entry.cue.is_some(),
            );
            for id in key.iter().filter(|&&id| id != 0) {
                let Some(word) = singles.get(id) else {
                    continue;
                };
                if !own.0 {
                    entry.expense = heavier(entry.expense, word.expense);
                }
                if !own.1 {
                    entry.income = heavier(entry.income, word.income);
                }
                // Only a cue that agrees with the phrase's own category (`refund from` is
                // income), never one that contradicts it (`income tax` is an expense).
                if !own.2 && entry.cue.is_none() {
                    entry.cue = word.cue.filter(|k| match k {
                        TransactionKind::Income => own.1 && !own.0,
                        TransactionKind::Expense => own.0 && !own.1,
                    });
                }
            }
        }
    }

    /// The entry of a phrase written out (`gas bill`), if the lexicon has it.
    fn lookup_phrase(&self, text: &str) -> Option<&Entry> {
        let mut key: Key = [0; MAX_PHRASE];
        for (slot, w) in key.iter_mut().zip(text.split_whitespace()) {
            *slot = *self.ids.get(w)?;
        }
        self.phrases.get(&key)
    }

    /// The id of a known word as written, or of its singular or corrected spelling.
    pub fn resolve(&self, word: &str) -> Option<u32> {
        if let Some(&id) = self.ids.get(word) {
            return Some(id);
        }
        for stem in singulars(word) {
            if let Some(&id) = self.ids.get(stem.as_str()) {
                return Some(id);
            }
        }
        self.spelling.correct(word, |id| self.word(id))
    }

    /// Whether the English lexicon lists the word (lowercase) on its own: as a one-word phrase
    /// or a grammar word, not only inside a longer phrase (`mercado` of `mercado libre`).
    pub fn knows(&self, word: &str) -> bool {
        self.ids
            .get(word)
            .is_some_and(|&id| self.standalone.get(id as usize).copied().unwrap_or(false))
    }

    #[cfg(test)]
    pub fn exact_id(&self, word: &str) -> Option<u32> {
        self.ids.get(word).copied()
    }

    /// Every phrase with its entry, written out (`gas bill`): the properties in
    /// `parser/properties.rs` walk the real lexicon rather than a hand-picked list.
    #[cfg(test)]
    pub fn phrases(&self) -> impl Iterator<Item = (String, &Entry)> {
        self.phrases.iter().map(|(key, entry)| {
            let words: Vec<&str> = key
                .iter()
                .take_while(|&&id| id != 0)
                .map(|&id| self.word(id))
                .collect();
            (words.join(" "), entry)
        })
    }

    pub fn word(&self, id: u32) -> &str {
        self.words.get(id as usize).map_or("", String::as_str)
    }

    /// Gives every word token its dictionary form and id.
    pub fn canonicalize<'a>(&'a self, tokens: &mut [Token<'a>], ids: &mut Vec<u32>) {
        ids.clear();
        for t in tokens.iter_mut() {
            let id = if t.is_word() {
                self.resolve(t.text).unwrap_or(0)
            } else {
                0
            };
            if id != 0 {
                t.canon = self.word(id);
            }
            ids.push(id);
        }
    }

    /// Every lexicon phrase in the message, longest first at each position, without overlaps.
    pub fn scan(&self, ids: &[u32]) -> Vec<Match> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < ids.len() {
            let first = ids[i];
            let longest = self.longest_from.get(first as usize).copied().unwrap_or(0) as usize;
            let mut found = None;
            for len in (1..=longest.min(ids.len() - i)).rev() {
                let mut key: Key = [0; MAX_PHRASE];
                let window = &ids[i..i + len];
                if window.contains(&0) {
                    continue;
                }
                key[..len].copy_from_slice(window);
                if let Some(entry) = self.phrases.get(&key) {
                    found = Some(Match {
                        start: i,
                        len,
                        entry: *entry,
                    });
                    break;
                }
            }
            match found {
                Some(m) => {
                    i += m.len;
                    out.push(m);
                }
                None => i += 1,
            }
        }
        out
    }

    pub fn category(&self, idx: u16) -> Option<&(CategoryName, TransactionKind)> {
        self.categories.get(idx as usize)
    }

    /// The built-in category of `kind` called `name` (`food`, `personal care`).
    pub fn category_named(&self, name: &str, kind: TransactionKind) -> Option<u16> {
        let name = CategoryName::parse(name).ok()?;
        let idx = self
            .categories
            .iter()
            .position(|(n, k)| *n == name && *k == kind)?;
        u16::try_from(idx).ok()
    }

    /// Every single-word phrase with its entry, for fuzzy suggestions.
    pub fn single_words(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.phrases
            .iter()
            .filter(|(key, _)| key[1] == 0)
            .map(|(key, entry)| (self.word(key[0]), entry))
    }
}

fn heavier(a: Option<Hit>, b: Option<Hit>) -> Option<Hit> {
    match (a, b) {
        (Some(x), Some(y)) if y.weight > x.weight => Some(y),
        (x, y) => x.or(y),
    }
}

#[derive(Debug, Clone, Copy)]
enum Section {
    Words,
    Category(TransactionKind, u16),
    Cue(TransactionKind),
}

/// Lowercases and drops apostrophes inside words (`Joe’s` → `joes`), as messages are read.
pub(crate) fn normalize(text: &str) -> String {
    normalize_mapped(text, None)
}

/// [`normalize`], also recording for each output byte the byte of `text` it came from (plus one
/// entry for the end), so spans of the normalised text can be found in what the user wrote.
pub(crate) fn normalize_with_map(text: &str) -> (String, Vec<usize>) {
    let mut map = Vec::with_capacity(text.len() + 1);
    let out = normalize_mapped(text, Some(&mut map));
    map.push(text.len());
    (out, map)
}

fn normalize_mapped(text: &str, mut map: Option<&mut Vec<usize>>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_letter = false;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let before = out.len();
        let c = if c == '’' || c == '`' || c == 'ʼ' {
            '\''
        } else {
            c
        };
        if c == '\'' && prev_letter && chars.peek().is_some_and(|(_, n)| n.is_alphabetic()) {
            continue;
        }
        prev_letter = c.is_alphabetic();
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
        if let Some(map) = map.as_deref_mut() {
            map.extend(std::iter::repeat_n(at, out.len() - before));
        }
    }
    out
}

/// Singular forms to try for a plural-looking word: `taxies` → `taxy`/`taxie`, `coffees` → `coffee`.
fn singulars(word: &str) -> impl Iterator<Item = String> + '_ {
    let ies = word
        .strip_suffix("ies")
        .filter(|s| s.len() >= 2)
        .map(|s| format!("{s}y"));
    let es = word
        .strip_suffix("es")
        .filter(|s| s.len() >= 3)
        .map(str::to_owned);
    let s = word
        .strip_suffix('s')
        .filter(|s| s.len() >= 2 && !s.ends_with('s'))
        .map(str::to_owned);
    ies.into_iter().chain(es).chain(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "
        [expense food]
        lunch, uber eats, coffee
        [expense transport]
        uber, gas
        [expense utilities]
        gas bill
        [expense kids]
        kids?
        [income refund]
        refund
        [cue income]
        refund, got paid
    ";

    fn ids(lex: &Lexicon, text: &str) -> Vec<u32> {
        text.split(' ')
            .map(|w| lex.resolve(w).unwrap_or(0))
            .collect()
    }

    #[test]
    fn longest_phrase_wins() {
        let lex = Lexicon::compile(SAMPLE);
        let m = lex.scan(&ids(&lex, "uber eats 20"));
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].len, 2);
        let m = lex.scan(&ids(&lex, "gas bill"));
        assert_eq!(m.len(), 1);
        let cat = m[0].entry.expense.and_then(|h| lex.category(h.category));
        assert_eq!(cat.map(|c| c.0.as_str()), Some("utilities"));
    }

    #[test]
    fn plurals_and_misspellings_resolve() {
        let lex = Lexicon::compile(SAMPLE);
        assert_eq!(lex.resolve("coffees"), lex.exact_id("coffee"));
        assert_eq!(lex.resolve("refnud"), lex.exact_id("refund"));
        assert_eq!(lex.resolve("zebra"), None);
    }

    #[test]
    fn weak_hints_and_cues() {
        let lex = Lexicon::compile(SAMPLE);
        let m = lex.scan(&ids(&lex, "kids"));
        assert_eq!(m[0].entry.expense.map(|h| h.weight), Some(1));
        let m = lex.scan(&ids(&lex, "got paid"));
        assert_eq!(m[0].entry.cue, Some(TransactionKind::Income));
    }

    #[test]
    fn normalizes_apostrophes() {
        assert_eq!(normalize("Trader Joe’s"), "trader joes");
        assert_eq!(normalize("'quoted'"), "'quoted'");
    }
}
