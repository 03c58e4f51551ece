//! Messages in Spanish, German, French and Portuguese: the language decided per message, then the
//! message read into the English the rest of the parser knows (`shared/intents/LANGUAGES.md`).
//!
//! Why a reading into English rather than five grammars: the intent, amount, date and period
//! rules are the same in every language; only the words and the number forms differ. Each
//! language is a data file (`core/data/lexicon/*.txt`) of phrases and what they mean in English,
//! compiled once into hash tables, so a message costs one tokenising pass, one scoring pass and
//! one rewriting pass: detection never parses a message once per language.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use crate::money::Currency;

use super::Vocabulary;
use super::lexicon::Lexicon;
use super::spelling::DeletionIndex;

/// A language the parser reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    Es,
    De,
    Fr,
    Pt,
}

impl Language {
    pub const ALL: [Language; 5] = [
        Language::En,
        Language::Es,
        Language::De,
        Language::Fr,
        Language::Pt,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
            Language::De => "de",
            Language::Fr => "fr",
            Language::Pt => "pt",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language code the parser does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}: use en, es, de, fr or pt")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    /// `es`, `ES`, `pt-BR`, `de_CH`: the region is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let base = s
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|l| l.code() == base)
            .ok_or_else(|| UnknownLanguage(s.to_owned()))
    }
}

/// Which language to read a message in: decided from the message, or one preferred (the
/// account's language, `--lang`), which wins ties and messages with no evidence either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LanguageChoice {
    #[default]
    Auto,
    Prefer(Language),
}

impl FromStr for LanguageChoice {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("auto") {
            Ok(LanguageChoice::Auto)
        } else {
            s.parse().map(LanguageChoice::Prefer)
        }
    }
}

const ENGLISH: &str = include_str!("../../data/lexicon/en.txt");
const FOREIGN: [(Language, &str); 4] = [
    (Language::Es, include_str!("../../data/lexicon/es.txt")),
    (Language::De, include_str!("../../data/lexicon/de.txt")),
    (Language::Fr, include_str!("../../data/lexicon/fr.txt")),
    (Language::Pt, include_str!("../../data/lexicon/pt.txt")),
];

/// The data of a language: the embedded file, or in debug builds a copy from
/// `TALLY_LEXICON_DIR` (to try a vocabulary without rebuilding).
fn source(lang: Language, embedded: &str) -> String {
    #[cfg(debug_assertions)]
    if let Some(dir) = std::env::var_os("TALLY_LEXICON_DIR") {
        let path = std::path::Path::new(&dir).join(format!("{}.txt", lang.code()));
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
    }
    let _ = lang;
    embedded.to_owned()
}

/// The longest phrase a language file may hold, in tokens.
const MAX_WORDS: usize = 5;

/// What a phrase becomes.
#[derive(Debug, Clone)]
struct Rule {
    /// English text; `#` stands for the phrase's numbers in order, `#th` for one as an ordinal.
    out: String,
    /// Written after the word it modifies (`mes pasado`, `vendredi dernier`): the English goes
    /// before the previous piece (`last month`).
    postfix: bool,
}

/// One language file compiled.
#[derive(Debug, Default)]
struct Table {
    phrases: HashMap<String, Rule>,
    /// First word → the most words a phrase starting with it has.
    longest: HashMap<String, u8>,
    /// Number words (`veinte`, `fünfundzwanzig`, `vingt cinq`) → their value.
    numbers: HashMap<String, u32>,
    numbers_longest: HashMap<String, u8>,
    /// Words after a number that multiply it by a thousand (`mil`, `tsd`).
    thousands: Vec<String>,
    months: Vec<String>,
    /// Characters only this language writes (`ñ`, `ß`, `ç`): each is strong evidence.
    letters: Vec<char>,
    /// Words that say nothing about the language even if listed (`a`, `taxi`).
    neutral: std::collections::HashSet<String>,
    /// The single words of the phrases, for one-typo corrections (`farmcia` → `farmacia`).
    words: Vec<String>,
    spelling: DeletionIndex,
}

impl Table {
    fn compile(data: &str) -> Table {
        let mut t = Table::default();
        let mut section = "";
        for line in data.lines() {
            // Comments are whole lines: `#` inside a line is a number slot (`hace # dias`).
            if line.trim_start().starts_with('#') {
                continue;
            }
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(head) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = match head {
                    "phrases" => "phrases",
                    "numbers" => "numbers",
                    "thousands" => "thousands",
                    "months" => "months",
                    "letters" => "letters",
                    "neutral" => "neutral",
                    _ => "",
                };
                continue;
            }
            match section {
                "phrases" => t.add_phrase(line),
                "numbers" => {
                    if let Some((words, value)) = line.split_once('=')
                        && let Ok(v) = value.trim().parse::<u32>()
                    {
                        for w in words.split(',') {
                            let key = key_of(w);
                            if key.is_empty() {
                                continue;
                            }
                            note_longest(&mut t.numbers_longest, &key);
                            t.numbers.insert(key, v);
                        }
                    }
                }
                "thousands" => t.thousands.extend(line.split(',').map(key_of)),
                "months" => t.months.extend(line.split(',').map(key_of)),
                "letters" => t
                    .letters
                    .extend(line.chars().filter(|c| !c.is_whitespace())),
                "neutral" => t.neutral.extend(line.split(',').map(key_of)),
                _ => {}
            }
        }
        // Month names read as English months (`noviembre` → `november`).
        const EN_MONTHS: [&str; 12] = [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ];
        let months = t.months.clone();
        for (i, m) in months.iter().enumerate() {
            let en = EN_MONTHS[i % 12];
            if !t.phrases.contains_key(m) {
                t.add_phrase(&format!("{m} = {en}"));
            }
        }
        let mut words: Vec<String> = t
            .phrases
            .keys()
            .filter(|k| !k.contains(' '))
            .cloned()
            .collect();
        words.sort();
        for (id, w) in words.iter().enumerate() {
            t.spelling.insert(w, u32::try_from(id).unwrap_or(u32::MAX));
        }
        t.words = words;
        t
    }

    /// The listed word one typo away from `word` (`supermecado` → `supermercado`), if any.
    fn correct(&self, word: &str) -> Option<&str> {
        let id = self.spelling.correct(word, |id| {
            self.words.get(id as usize).map_or("", String::as_str)
        })?;
        self.words.get(id as usize).map(String::as_str)
    }

    /// `almuerzo, comida = lunch`, `mes pasado = last month`, `pasado = < last`, `el =`.
    fn add_phrase(&mut self, line: &str) {
        let Some((left, right)) = line.split_once('=') else {
            return;
        };
        let right = right.trim();
        let (out, postfix) = match right.strip_prefix('<') {
            Some(r) => (r.trim().to_owned(), true),
            None => (right.to_owned(), false),
        };
        for phrase in left.split(',') {
            let key = key_of(phrase);
            if key.is_empty() || key.split(' ').count() > MAX_WORDS {
                continue;
            }
            note_longest(&mut self.longest, &key);
            self.phrases.insert(
                key,
                Rule {
                    out: out.clone(),
                    postfix,
                },
            );
        }
    }
}

fn note_longest(map: &mut HashMap<String, u8>, key: &str) {
    let mut words = key.split(' ');
    let first = words.next().unwrap_or("").to_owned();
    let n = u8::try_from(key.split(' ').count()).unwrap_or(1);
    let slot = map.entry(first).or_insert(0);
    *slot = (*slot).max(n);
}

/// A phrase as the tables key it: lowercase, accents folded, hyphens and apostrophes as spaces.
fn key_of(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len());
    for w in phrase
        .split(|c: char| c.is_whitespace() || c == '-' || c == '\'' || c == '’')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        if w == "#" || w == "#th" {
            out.push('#');
            continue;
        }
        for c in w.chars() {
            fold_into(c, &mut out);
        }
    }
    out
}

/// Lowercase without accents: `é` → `e`, `ß` → `ss`, `œ` → `oe`.
fn fold_into(c: char, out: &mut String) {
    let c = if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    };
    let base = match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'ÿ' => 'y',
        'ß' => {
            out.push_str("ss");
            return;
        }
        'œ' => {
            out.push_str("oe");
            return;
        }
        'æ' => {
            out.push_str("ae");
            return;
        }
        c => c,
    };
    out.push(base);
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Letters (folded) as written.
    Word,
    /// Digits with `.`, `,`, `'` between them (`1.234,56`, `1'250.50`), read per language later.
    Number,
    /// Anything else, one character or a date (`3/11`), kept as written.
    Other,
}

#[derive(Debug, Clone)]
struct Tok<'a> {
    kind: Kind,
    /// As written (lowercased by the caller? no: as in the message).
    raw: &'a str,
    /// Words: lowercase, accents folded. Numbers: the value as the English parser reads it.
    key: String,
    space_before: bool,
}

fn tokenize(text: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    let mut space = false;
    while i < bytes.len() {
        let (at, c) = bytes[i];
        let between_letters = || {
            i > 0
                && bytes[i - 1].1.is_alphabetic()
                && bytes.get(i + 1).is_some_and(|(_, n)| n.is_alphabetic())
        };
        // `avant-hier`, `m'a`, `aujourd’hui`: one word each side.
        if c.is_whitespace() || (matches!(c, '-' | '\'' | '’' | 'ʼ') && between_letters()) {
            space = true;
            i += 1;
            continue;
        }
        let start = at;
        let kind;
        if c.is_alphabetic() {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j].1.is_alphanumeric() {
                j += 1;
            }
            kind = Kind::Word;
            i = j;
        } else if c.is_ascii_digit() {
            let mut j = i + 1;
            let mut slash = false;
            while j < bytes.len() {
                let d = bytes[j].1;
                let next_digit = bytes.get(j + 1).is_some_and(|(_, n)| n.is_ascii_digit());
                if d.is_ascii_digit() {
                    j += 1;
                } else if matches!(d, '.' | ',' | '\'' | '’') && next_digit {
                    j += 2;
                } else if matches!(d, '/' | '-') && next_digit {
                    slash = true;
                    j += 2;
                } else {
                    break;
                }
            }
            // `12h`, `2k`, `3rd`: digits glued to letters stay as written.
            if j < bytes.len() && bytes[j].1.is_alphabetic() {
                while j < bytes.len() && bytes[j].1.is_alphanumeric() {
                    j += 1;
                }
                slash = true;
            }
            kind = if slash { Kind::Other } else { Kind::Number };
            i = j;
        } else {
            kind = Kind::Other;
            i += 1;
        }
        let end = bytes.get(i).map_or(text.len(), |(at, _)| *at);
        let raw = &text[start..end];
        let key = match kind {
            Kind::Word => {
                let mut k = String::with_capacity(raw.len());
                for ch in raw.chars() {
                    fold_into(ch, &mut k);
                }
                k
            }
            _ => String::new(),
        };
        toks.push(Tok {
            kind,
            raw,
            key,
            space_before: space,
        });
        space = false;
    }
    toks
}

/// Every language's tables, compiled once.
#[derive(Debug)]
pub(crate) struct Languages {
    english: Vec<String>,
    tables: Vec<(Language, Table)>,
}

/// A message read for a language other than English: the English to parse.
#[derive(Debug)]
pub(crate) struct Reading {
    pub english: String,
}

impl Languages {
    pub fn builtin(lexicon: &Lexicon) -> Languages {
        let mut english: Vec<String> = ENGLISH
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty() && !l.starts_with('['))
            .flat_map(|l| l.split(','))
            .map(key_of)
            .filter(|k| !k.is_empty())
            .collect();
        english.sort();
        english.dedup();
        let tables = FOREIGN
            .iter()
            .map(|(lang, data)| {
                let mut table = Table::compile(&source(*lang, data));
                // A word English lists too (`hotel`, `auto`, `super`) says nothing of the language.
                let shared: Vec<String> = table
                    .phrases
                    .keys()
                    .chain(table.numbers.keys())
                    .filter(|k| !k.contains(' ') && lexicon.knows(k))
                    .cloned()
                    .collect();
                table.neutral.extend(shared);
                (*lang, table)
            })
            .collect();
        Languages { english, tables }
    }

    fn table(&self, lang: Language) -> Option<&Table> {
        self.tables.iter().find(|(l, _)| *l == lang).map(|(_, t)| t)
    }

    /// The language of a message: the one with the most evidence (its own letters and words that
    /// only it has); English unless another has more; the preferred one wins ties.
    pub fn detect(&self, text: &str, choice: LanguageChoice) -> Language {
        let toks = tokenize(text);
        self.detect_tokens(text, &toks, choice)
    }

    fn detect_tokens(&self, text: &str, toks: &[Tok<'_>], choice: LanguageChoice) -> Language {
        let mut scores = [0u32; 5];
        for (k, (_, table)) in self.tables.iter().enumerate() {
            let letters = text
                .chars()
                .filter(|c| {
                    let lower = c.to_lowercase().next().unwrap_or(*c);
                    table.letters.contains(&lower)
                })
                .count();
            scores[k + 1] += 2 * u32::try_from(letters).unwrap_or(u32::MAX);
        }
        for t in toks.iter().filter(|t| t.kind == Kind::Word) {
            let english = self.english.binary_search(&t.key).is_ok();
            let mut foreign = false;
            for (k, (_, table)) in self.tables.iter().enumerate() {
                let listed = table.phrases.contains_key(&t.key)
                    || table.longest.contains_key(&t.key)
                    || table.numbers.contains_key(&t.key);
                if listed {
                    // Listed here, even as a neutral word (`a`), it is no evidence of English.
                    foreign = true;
                    if !english && !table.neutral.contains(&t.key) {
                        scores[k + 1] += 2;
                    }
                }
            }
            if english && !foreign {
                scores[0] += 2;
            }
        }
        let preferred = match choice {
            LanguageChoice::Auto => Language::En,
            LanguageChoice::Prefer(l) => l,
        };
        let mut best = preferred;
        let mut best_score = scores[index(preferred)];
        for lang in Language::ALL {
            let s = scores[index(lang)];
            if s > best_score {
                best = lang;
                best_score = s;
            }
        }
        best
    }

    /// Reads a message: `None` when it is English (the parser reads it as written), else the
    /// English it says.
    pub fn read(
        &self,
        text: &str,
        choice: LanguageChoice,
        currency: Currency,
        vocabulary: &Vocabulary,
        lexicon: &Lexicon,
    ) -> Option<Reading> {
        let mut toks = tokenize(text);
        let language = self.detect_tokens(text, &toks, choice);
        let table = self.table(language)?;
        numbers(table, &mut toks);
        for t in toks.iter_mut().filter(|t| t.kind == Kind::Word) {
            if table.longest.contains_key(&t.key)
                || self.english.binary_search(&t.key).is_ok()
                || lexicon.knows(&t.raw.to_lowercase())
                || own_word(vocabulary, t)
            {
                continue;
            }
            if let Some(fixed) = table.correct(&t.key) {
                t.key = fixed.to_owned();
            }
        }
        let english = rewrite(table, &toks, currency, vocabulary);
        Some(Reading { english })
    }
}

fn index(lang: Language) -> usize {
    match lang {
        Language::En => 0,
        Language::Es => 1,
        Language::De => 2,
        Language::Fr => 3,
        Language::Pt => 4,
    }
}

/// Reads the number forms of a language that is not English into the plain form English reads
/// (`1.234,56` → `1234.56`, `1 200` → `1200`, `1,5 mil` → `1500`, `veinte` → `20`), and
/// day-first dates written with dots (`03.11.`, `12.11.2026`) into `3/11`, `12/11/2026`.
fn numbers(table: &Table, toks: &mut Vec<Tok<'_>>) {
    let mut out: Vec<Tok<'_>> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        match t.kind {
            Kind::Number => {
                let next_dot = toks
                    .get(i + 1)
                    .is_some_and(|n| n.raw == "." && !n.space_before);
                if let Some(date) = dotted_date(t.raw, next_dot) {
                    let mut tok = t.clone();
                    tok.kind = Kind::Other;
                    tok.key = date;
                    out.push(tok);
                    // `03.11.`: the closing dot belongs to the date.
                    i += if next_dot { 2 } else { 1 };
                    continue;
                }
                let mut value = european(t.raw);
                let mut j = i + 1;
                // `1 200`, `3 000`, `1 234,56`: a space then exactly three digits groups thousands.
                while let Some(n) = toks.get(j) {
                    let digits = n.raw.bytes().take_while(u8::is_ascii_digit).count();
                    let plain_int = !value.contains('.') && value.len() <= 3;
                    if n.kind == Kind::Number && n.space_before && digits == 3 && plain_int {
                        let rest = european(n.raw);
                        value = format!("{value}{rest}");
                        j += 1;
                    } else {
                        break;
                    }
                }
                // `2 mil`, `1,5 mil`, `2 Tsd.`.
                if let Some(n) = toks.get(j)
                    && n.kind == Kind::Word
                    && table.thousands.contains(&n.key)
                {
                    value = times_thousand(&value);
                    j += 1;
                    if toks.get(j).is_some_and(|d| d.raw == "." && !d.space_before) {
                        j += 1;
                    }
                }
                // `2. November`: the day's dot goes.
                let mut tok = t.clone();
                tok.key = value;
                out.push(tok);
                if toks.get(j).is_some_and(|d| d.raw == ".")
                    && toks
                        .get(j + 1)
                        .is_some_and(|m| m.kind == Kind::Word && table.months.contains(&m.key))
                {
                    j += 1;
                }
                i = j;
            }
            Kind::Word => {
                // Number words, longest first (`vinte e cinco`, `vingt et un`).
                let longest = table.numbers_longest.get(&t.key).copied().unwrap_or(0) as usize;
                let mut found = None;
                for len in (1..=longest.min(toks.len() - i)).rev() {
                    let window = &toks[i..i + len];
                    if window.iter().any(|w| w.kind != Kind::Word) {
                        continue;
                    }
                    let key = join_keys(window);
                    if let Some(&v) = table.numbers.get(&key) {
                        found = Some((v, len));
                        break;
                    }
                }
                match found {
                    Some((v, len)) => {
                        let mut tok = t.clone();
                        tok.kind = Kind::Number;
                        tok.key = v.to_string();
                        let mut j = i + len;
                        if let Some(n) = toks.get(j)
                            && n.kind == Kind::Word
                            && table.thousands.contains(&n.key)
                        {
                            tok.key = times_thousand(&tok.key);
                            j += 1;
                        }
                        out.push(tok);
                        i = j;
                    }
                    None => {
                        out.push(t.clone());
                        i += 1;
                    }
                }
            }
            Kind::Other => {
                let mut tok = t.clone();
                tok.key = t.raw.to_owned();
                out.push(tok);
                i += 1;
            }
        }
    }
    *toks = out;
}

fn join_keys(window: &[Tok<'_>]) -> String {
    let mut key = String::new();
    for (k, w) in window.iter().enumerate() {
        if k > 0 {
            key.push(' ');
        }
        key.push_str(&w.key);
    }
    key
}

/// `03.11` followed by a dot, or `12.11.2026`: a day-first date, as `3/11` or `12/11/2026`.
fn dotted_date(raw: &str, dot_after: bool) -> Option<String> {
    let parts: Vec<&str> = raw.split('.').collect();
    let small = |p: &str| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    let date = match parts.as_slice() {
        [d, m] if dot_after && small(d) && small(m) => format!("{d}/{m}"),
        [d, m, y] if small(d) && small(m) && (y.len() == 4 || y.len() == 2) => {
            format!("{d}/{m}/{y}")
        }
        _ => return None,
    };
    let day: u32 = parts[0].parse().ok()?;
    let month: u32 = parts[1].parse().ok()?;
    ((1..=31).contains(&day) && (1..=12).contains(&month)).then_some(date)
}

/// A number as Europe writes it, as the English parser reads it: the last `,` or `.` followed by
/// one or two digits is the decimal mark; every other separator groups thousands.
fn european(raw: &str) -> String {
    let seps: Vec<(usize, char)> = raw
        .char_indices()
        .filter(|(_, c)| !c.is_ascii_digit())
        .collect();
    let decimal_at = seps.last().and_then(|&(at, c)| {
        let after = raw.len() - at - c.len_utf8();
        (matches!(c, '.' | ',') && (1..=2).contains(&after)).then_some(at)
    });
    let mut out = String::with_capacity(raw.len());
    for (at, c) in raw.char_indices() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if Some(at) == decimal_at {
            out.push('.');
        }
    }
    out
}

/// `2` → `2000`, `1.5` → `1500`, `2.25` → `2250`, `1.2345` → `1234.5`.
fn times_thousand(value: &str) -> String {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    let (moved, rest) = if frac.len() > 3 {
        frac.split_at(3)
    } else {
        (frac, "")
    };
    let mut out = format!("{int}{moved:0<3}");
    let trimmed = out.trim_start_matches('0');
    out = if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    };
    if !rest.is_empty() {
        out.push('.');
        out.push_str(rest);
    }
    out
}

/// Rewrites the tokens as English: phrases of the table, longest first; other tokens as written.
fn rewrite(table: &Table, toks: &[Tok<'_>], currency: Currency, vocabulary: &Vocabulary) -> String {
    let mut out = String::with_capacity(toks.len() * 8);
    // Where each piece written so far starts, so a postfix word can go before the last one.
    let mut pieces: Vec<usize> = Vec::with_capacity(toks.len());
    let mut key = String::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        // The person's own words (learned keywords, their categories) stay as written.
        let starts = match t.kind {
            Kind::Word if !own_word(vocabulary, t) => Some(t.key.as_str()),
            Kind::Number => Some("#"),
            _ => None,
        };
        if let Some(first) = starts {
            let longest = table.longest.get(first).copied().unwrap_or(0) as usize;
            let mut found = None;
            for len in (1..=longest.min(toks.len() - i)).rev() {
                let window = &toks[i..i + len];
                if window.iter().any(|w| w.kind == Kind::Other) {
                    continue;
                }
                key.clear();
                let mut nums: Vec<&str> = Vec::new();
                for (k, w) in window.iter().enumerate() {
                    if k > 0 {
                        key.push(' ');
                    }
                    match w.kind {
                        Kind::Number => {
                            key.push('#');
                            nums.push(&w.key);
                        }
                        _ => key.push_str(&w.key),
                    }
                }
                if let Some(rule) = table.phrases.get(key.as_str()) {
                    found = Some((rule, len, nums));
                    break;
                }
            }
            if let Some((rule, len, nums)) = found {
                let text = fill(&rule.out, &nums, currency);
                if !text.is_empty() {
                    if rule.postfix && !pieces.is_empty() {
                        let at = pieces[pieces.len() - 1];
                        out.insert_str(at, &format!("{text} "));
                    } else {
                        if !out.is_empty() {
                            out.push(' ');
                        }
                        pieces.push(out.len());
                        out.push_str(&text);
                    }
                }
                i += len;
                continue;
            }
        }
        // An abbreviation's dot before a number (`Fr. 45`) goes: the word was read already.
        if t.kind == Kind::Other
            && t.raw == "."
            && !t.space_before
            && i > 0
            && toks[i - 1].kind == Kind::Word
            && toks.get(i + 1).is_some_and(|n| n.kind == Kind::Number)
        {
            i += 1;
            continue;
        }
        if t.space_before && !out.is_empty() {
            out.push(' ');
        } else if !out.is_empty() && t.kind == Kind::Word && !out.ends_with(' ') {
            // A word glued to what came before (`r$` aside) keeps apart from English words.
            if matches!(
                toks.get(i.wrapping_sub(1)).map(|p| &p.kind),
                Some(Kind::Word)
            ) {
                out.push(' ');
            }
        }
        pieces.push(out.len());
        match t.kind {
            Kind::Word => out.push_str(t.raw),
            _ => out.push_str(&t.key),
        }
        i += 1;
    }
    out
}

fn own_word(vocabulary: &Vocabulary, t: &Tok<'_>) -> bool {
    if vocabulary.keywords().is_empty() && vocabulary.categories().is_empty() {
        return false;
    }
    let lower = t.raw.to_lowercase();
    vocabulary
        .keywords()
        .iter()
        .any(|(k, _, _)| k.split_whitespace().any(|w| w == lower || w == t.key))
        || vocabulary
            .categories()
            .iter()
            .any(|(c, _)| c.as_str() == lower || c.as_str() == t.key)
}

/// Fills a rule's English: `#` with the numbers in order (`#th` as an ordinal), `$peso` with
/// the peso the user most likely means.
fn fill(template: &str, nums: &[&str], currency: Currency) -> String {
    let mut out = String::with_capacity(template.len() + 8);
    let mut n = 0;
    let mut rest = template;
    while let Some(at) = rest.find(['#', '$']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("#th") {
            let v = nums.get(n).copied().unwrap_or("");
            out.push_str(v);
            out.push_str(ordinal_suffix(v));
            n += 1;
            rest = after;
        } else if let Some(after) = tail.strip_prefix('#') {
            out.push_str(nums.get(n).copied().unwrap_or(""));
            n += 1;
            rest = after;
        } else if let Some(after) = tail.strip_prefix("$peso") {
            let peso = ["MXN", "ARS", "COP", "CLP", "UYU"];
            if !peso.contains(&currency.code()) {
                out.push_str("mxn");
            }
            rest = after;
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

fn ordinal_suffix(v: &str) -> &'static str {
    let n: u32 = v.parse().unwrap_or(0);
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn european_numbers() {
        assert_eq!(european("1.234,56"), "1234.56");
        assert_eq!(european("12,5"), "12.5");
        assert_eq!(european("1.200"), "1200");
        assert_eq!(european("12.99"), "12.99");
        assert_eq!(european("1'250.50"), "1250.50");
        assert_eq!(times_thousand("2"), "2000");
        assert_eq!(times_thousand("1.5"), "1500");
    }

    #[test]
    fn dotted_dates() {
        assert_eq!(dotted_date("03.11", true).as_deref(), Some("03/11"));
        assert_eq!(
            dotted_date("12.11.2026", false).as_deref(),
            Some("12/11/2026")
        );
        assert_eq!(dotted_date("3.11", false), None);
        assert_eq!(dotted_date("1.234", true), None);
    }
}
