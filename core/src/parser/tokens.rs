//! Splits a lowercased message into words, numbers, dates, currency symbols and punctuation.

use crate::money::{Currency, Decimal};

/// A number as written: `12`, `12.50`, `1,200.50`, `12,50`, `1.2k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NumLit {
    /// The value, `k` applied; `None` when the separators make no sense (`1,1,1`) or it overflows.
    pub value: Option<Decimal>,
    /// Written with a fractional part (`12.50`, `12,50`): almost certainly money.
    pub fraction: bool,
    /// Written with a `k` suffix (`5k`).
    pub kilo: bool,
    /// The value when it is a plain integer that fits (`3`, `2025`): days, years, counts.
    pub int: Option<u32>,
    /// How many digits the integer part had as written (`2025` has 4).
    pub int_digits: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// Letters (and digits glued to letters, `ps5`), with inner `'` or `&` (`joe's`, `h&m`).
    Word,
    Number(NumLit),
    /// `3rd`, `28th`.
    Ordinal(u32),
    /// `11/15`, `15/11/2026`, `2026-11-02`: up to three numeric parts; `iso` when year-first.
    DateLit {
        parts: [u32; 3],
        len: u8,
        iso: bool,
    },
    /// `7:30`.
    Time,
    /// A currency sign: `$`, `€`, `R$`, `C$`.
    Symbol(Currency),
    /// Any other single character that is not a space (punctuation, emoji).
    Punct(char),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Token<'a> {
    pub kind: TokenKind,
    /// The token as written (lowercased).
    pub text: &'a str,
    /// For words: the dictionary form (singular, misspelling corrected); otherwise `text`.
    pub canon: &'a str,
}

impl<'a> Token<'a> {
    pub fn is_word(&self) -> bool {
        matches!(self.kind, TokenKind::Word)
    }

    /// The dictionary form if this is a word, else `""` (so word comparisons never match numbers).
    pub fn word(&self) -> &'a str {
        if self.is_word() { self.canon } else { "" }
    }

    pub fn num(&self) -> Option<NumLit> {
        match self.kind {
            TokenKind::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokenKind::Punct(c)
    }
}

/// Letter prefixes that turn `$` into another dollar (`C$45`, `A$30`, `R$45,90`).
fn dollar_prefix(prefix: &str) -> Option<Currency> {
    Some(match prefix {
        "c" | "ca" | "cad" => Currency::CAD,
        "a" | "au" | "aud" => Currency::AUD,
        "r" | "brl" => Currency::BRL,
        "us" | "usd" => Currency::USD,
        "nz" => Currency::NZD,
        "hk" => Currency::HKD,
        "s" | "sg" => Currency::SGD,
        "mx" => Currency::MXN,
        "nt" => Currency::TWD,
        _ => return None,
    })
}

/// Single-character currency signs.
pub(crate) fn symbol_currency(c: char) -> Option<Currency> {
    Some(match c {
        '$' => Currency::USD,
        '€' => Currency::EUR,
        '£' => Currency::GBP,
        '¥' | '円' => Currency::JPY,
        '₹' => Currency::INR,
        '₩' => Currency::KRW,
        '₺' => Currency::TRY,
        '₽' => Currency::RUB,
        '₴' => Currency::UAH,
        '₪' => Currency::ILS,
        '₦' => Currency::NGN,
        '฿' => Currency::THB,
        '₱' => Currency::PHP,
        '₫' => Currency::VND,
        _ => return None,
    })
}

/// Words that, glued to digits, are currency rather than part of a name (`rs800`, `usd45`).
fn is_glued_currency(word: &str) -> bool {
    matches!(
        word,
        "rs" | "usd"
            | "eur"
            | "gbp"
            | "inr"
            | "jpy"
            | "cad"
            | "aud"
            | "chf"
            | "brl"
            | "cny"
            | "rmb"
    )
}

/// Letters make words, except a currency sign that is also a letter (`円`), which would
/// otherwise be swallowed as a word and never read as yen.
fn is_word_char(c: char) -> bool {
    c.is_alphabetic() && symbol_currency(c).is_none()
}

/// Tokenises `text`, which must already be lowercased.
pub(crate) fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::with_capacity(text.len() / 4 + 1);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        // `t-shirt`, `twenty-five`, `this-month`, `booking.com`: a hyphen or dot between
        // letters separates words.
        if (c == '-' || c == '.')
            && text[..i].chars().next_back().is_some_and(is_word_char)
            && text[i + 1..].chars().next().is_some_and(is_word_char)
        {
            i += 1;
            continue;
        }
        let start = i;
        let kind;
        // `.50`: a number that starts at its decimal point.
        let bare_fraction = c == '.'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
            && text[..i]
                .chars()
                .next_back()
                .is_none_or(|p| p.is_whitespace() || symbol_currency(p).is_some());
        if c.is_ascii_digit() || bare_fraction {
            let (end, k) = lex_number(text, i);
            i = end;
            kind = k;
        } else if is_word_char(c) {
            let end = lex_word(text, i);
            let word = &text[start..end];
            // `C$45`, `R$45,90`: a letter prefix glued to `$`.
            if bytes.get(end) == Some(&b'$')
                && let Some(cur) = dollar_prefix(word)
            {
                i = end + 1;
                kind = TokenKind::Symbol(cur);
            } else if word == "cn" && text[end..].starts_with('¥') {
                i = end + '¥'.len_utf8();
                kind = TokenKind::Symbol(Currency::CNY);
            } else if bytes.get(end).is_some_and(u8::is_ascii_digit) && !is_glued_currency(word) {
                // `ps5`, `b12`: one alphanumeric word, not a number.
                let mut j = end;
                while j < text.len() {
                    let Some(ch) = text[j..].chars().next() else {
                        break;
                    };
                    if ch.is_alphanumeric() {
                        j += ch.len_utf8();
                    } else {
                        break;
                    }
                }
                i = j;
                kind = TokenKind::Word;
            } else {
                i = end;
                kind = TokenKind::Word;
            }
        } else if let Some(cur) = symbol_currency(c) {
            i += c.len_utf8();
            kind = TokenKind::Symbol(cur);
        } else {
            i += c.len_utf8();
            kind = TokenKind::Punct(c);
        }
        let slice = &text[start..i];
        out.push(Token {
            kind,
            text: slice,
            canon: slice,
        });
    }
    out
}

/// Reads letters with inner apostrophes and ampersands (`joe's`, `h&m`); returns the end offset.
fn lex_word(text: &str, start: usize) -> usize {
    let mut i = start;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if is_word_char(c) {
            i += c.len_utf8();
            continue;
        }
        if matches!(c, '\'' | '&') {
            let next = text[i + 1..].chars().next();
            if next.is_some_and(is_word_char) {
                i += 1;
                continue;
            }
        }
        break;
    }
    i
}

fn digits_end(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// Reads a number, an ordinal, a date literal or a time starting at a digit.
fn lex_number(text: &str, start: usize) -> (usize, TokenKind) {
    let bytes = text.as_bytes();
    let first_end = digits_end(bytes, start);

    // `11/15`, `15/11/2026`, `2026-11-02`, `2026/11/02`.
    if let Some(&sep) = bytes.get(first_end)
        && (sep == b'/' || sep == b'-')
        && bytes.get(first_end + 1).is_some_and(u8::is_ascii_digit)
    {
        let mut parts = [0u32; 3];
        let mut len = 0usize;
        let mut j = start;
        let mut ok = true;
        loop {
            let end = digits_end(bytes, j);
            if end - j > 4 || len == 3 {
                ok = false;
                break;
            }
            parts[len] = text[j..end].parse().unwrap_or(0);
            len += 1;
            j = end;
            if bytes.get(j) == Some(&sep) && bytes.get(j + 1).is_some_and(u8::is_ascii_digit) {
                j += 1;
            } else {
                break;
            }
        }
        let iso = first_end - start == 4;
        // A dashed pair (`10-15`) is a range more often than a date; only `Y-M-D` counts.
        if ok && (sep == b'/' || (len == 3 && iso)) {
            let len = u8::try_from(len).unwrap_or(3);
            return (j, TokenKind::DateLit { parts, len, iso });
        }
        return (first_end, plain_number(&text[start..first_end], false));
    }

    // `7:30`
    if bytes.get(first_end) == Some(&b':') {
        let end = digits_end(bytes, first_end + 1);
        if end - (first_end + 1) == 2 {
            return (end, TokenKind::Time);
        }
    }

    // Digits with inner `,` / `.` separators, each followed by a digit.
    let mut end = first_end;
    while let Some(&b) = bytes.get(end) {
        if (b == b',' || b == b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            end = digits_end(bytes, end + 1);
        } else {
            break;
        }
    }
    let raw = &text[start..end];

    // Suffixes glued to the digits: `5k`, `3rd`, `28th`.
    let rest = &text[end..];
    let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
    let suffix = &rest[..letters];
    let next_is_letter = rest[letters..]
        .chars()
        .next()
        .is_some_and(char::is_alphabetic);
    if !next_is_letter {
        if suffix == "k" {
            return (end + 1, plain_number(raw, true));
        }
        if matches!(suffix, "st" | "nd" | "rd" | "th")
            && let Ok(n) = raw.parse::<u32>()
        {
            return (end + letters, TokenKind::Ordinal(n));
        }
    }
    (end, plain_number(raw, false))
}

/// Interprets the separators of a digit run (see SPEC "Amounts"): `,` groups thousands unless it
/// is the only separator and exactly two digits follow it (`12,50`); with both, the last one is
/// the decimal point (`1,200.50`, `1.200,50`).
fn plain_number(raw: &str, kilo: bool) -> TokenKind {
    let int_digits = raw.bytes().take_while(u8::is_ascii_digit).count();
    let value = read_digits(raw).and_then(|d| if kilo { d.scale_up(3) } else { Some(d) });
    let fraction = value.is_some_and(|d| d.scale() > 0) && !kilo;
    let int = if raw.bytes().all(|b| b.is_ascii_digit()) && !kilo {
        raw.parse::<u32>().ok()
    } else {
        None
    };
    TokenKind::Number(NumLit {
        value,
        fraction,
        kilo,
        int,
        int_digits,
    })
}

fn read_digits(raw: &str) -> Option<Decimal> {
    let commas = raw.bytes().filter(|&b| b == b',').count();
    let dots = raw.bytes().filter(|&b| b == b'.').count();
    let groups: Vec<&str> = raw.split([',', '.']).collect();
    let plain: String = match (commas, dots) {
        (0, 0) => raw.to_owned(),
        (0, 1) => raw.to_owned(),
        (1, 0) if groups.get(1).is_some_and(|g| g.len() == 2) => raw.replace(',', "."),
        (_, 0) | (0, _) => {
            // Only thousands groups: `1,200`, `1,200,000` (or `1.200.000`).
            if !thousands_groups(&groups) {
                return None;
            }
            groups.concat()
        }
        _ => {
            // Both kinds: the last separator is the decimal point, the others group thousands.
            let last_sep = raw.rfind([',', '.'])?;
            let (int_part, frac) = raw.split_at(last_sep);
            let decimal_char = frac.chars().next()?;
            if int_part.contains(decimal_char) {
                return None;
            }
            let int_groups: Vec<&str> = int_part.split([',', '.']).collect();
            if !thousands_groups(&int_groups) {
                return None;
            }
            format!("{}.{}", int_groups.concat(), &frac[1..])
        }
    };
    plain.parse().ok()
}

/// `1`, `200`, `000`: a first group of 1–3 digits then groups of exactly 3.
fn thousands_groups(groups: &[&str]) -> bool {
    match groups.split_first() {
        Some((first, rest)) => {
            (1..=3).contains(&first.len()) && !rest.is_empty() && rest.iter().all(|g| g.len() == 3)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<TokenKind> {
        tokenize(s).into_iter().map(|t| t.kind).collect()
    }

    fn value(s: &str) -> Option<String> {
        match tokenize(s).first().map(|t| t.kind) {
            Some(TokenKind::Number(n)) => n.value.map(|d| d.to_string()),
            _ => None,
        }
    }

    #[test]
    fn reads_number_forms() {
        assert_eq!(value("12").as_deref(), Some("12"));
        assert_eq!(value("12.50").as_deref(), Some("12.50"));
        assert_eq!(value("1,200").as_deref(), Some("1200"));
        assert_eq!(value("1,200.50").as_deref(), Some("1200.50"));
        assert_eq!(value("12,50").as_deref(), Some("12.50"));
        assert_eq!(value("1.2k").as_deref(), Some("1200"));
        assert_eq!(value("5k").as_deref(), Some("5000"));
        assert_eq!(value("1.200,50").as_deref(), Some("1200.50"));
        assert_eq!(value("85,000").as_deref(), Some("85000"));
        assert_eq!(value("1,1,1,1"), None);
        assert_eq!(value("12,5"), None);
    }

    #[test]
    fn reads_symbols_dates_and_ordinals() {
        assert_eq!(
            kinds("r$45,90")[0],
            TokenKind::Symbol(Currency::BRL),
            "R$ prefix"
        );
        assert_eq!(kinds("c$45")[0], TokenKind::Symbol(Currency::CAD));
        assert_eq!(kinds("12.50$")[1], TokenKind::Symbol(Currency::USD));
        assert_eq!(kinds("3rd")[0], TokenKind::Ordinal(3));
        assert_eq!(
            kinds("2026-11-02")[0],
            TokenKind::DateLit {
                parts: [2026, 11, 2],
                len: 3,
                iso: true
            }
        );
        assert!(matches!(
            kinds("11/15")[0],
            TokenKind::DateLit { len: 2, .. }
        ));
        assert_eq!(kinds("7:30")[0], TokenKind::Time);
        assert_eq!(tokenize("h&m trader joe's").len(), 3);
        assert_eq!(tokenize("ps5")[0].kind, TokenKind::Word);
        assert_eq!(tokenize("rs800").len(), 2);
    }
}
