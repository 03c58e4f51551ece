//! Money across currencies in free text: a card's real charge after an entry, and questions
//! that ask for a conversion (`how much is 50 quid in dollars?`).
//!
//! Read before the ordinary parse, and only in these fixed shapes: anything else is left to the
//! parser, so a message that merely mentions "charged" is not misread.

use crate::money::{Currency, Decimal};

use super::amount::currency_word;

/// `paid 52.28 CHF, card charged 55.41 EUR`: the entry's words and the amount charged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardCharge {
    /// The message without the charge clause, for the ordinary parse.
    pub rest: String,
    pub amount: Decimal,
    pub currency: Currency,
}

/// `how much is 50 quid in dollars?`, `convert 100 EUR to USD`, or `/convert 100 EUR USD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionAsk {
    pub amount: Decimal,
    /// `None` when the amount named no currency: the user's own.
    pub from: Option<Currency>,
    pub to: Currency,
}

/// A word of the message with where it stands in the original text.
#[derive(Debug, Clone)]
struct Word {
    start: usize,
    text: String,
}

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, ch) in text.char_indices().chain([(text.len(), ' ')]) {
        let sep = ch.is_whitespace() || ch == ';' || (ch == ',' && !is_digit_comma(text, i));
        match (sep, start) {
            (true, Some(s)) => {
                let raw: &str = &text[s..i];
                let trimmed = raw.trim_end_matches(['?', '!', '.', ':', ')']);
                if !trimmed.is_empty() {
                    out.push(Word {
                        start: s,
                        text: trimmed.to_lowercase(),
                    });
                }
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

/// A comma between digits (`1,234.50`, `52,28`) belongs to the number.
fn is_digit_comma(text: &str, i: usize) -> bool {
    let before = text[..i].chars().next_back();
    let after = text[i + 1..].chars().next();
    before.is_some_and(|c| c.is_ascii_digit()) && after.is_some_and(|c| c.is_ascii_digit())
}

fn symbol(c: char) -> Option<Currency> {
    match c {
        '$' => Some(Currency::USD),
        '€' => Some(Currency::EUR),
        '£' => Some(Currency::GBP),
        '¥' => Some(Currency::JPY),
        '₹' => Some(Currency::INR),
        _ => None,
    }
}

/// `52.28`, `1,234.50`, `52,28` as an exact positive decimal.
fn number(w: &str) -> Option<Decimal> {
    if w.is_empty()
        || !w
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    let text = match (w.rfind('.'), w.rfind(',')) {
        (Some(_), Some(_)) | (Some(_), None) => w.replace(',', ""),
        // A lone comma with one or two digits after it is a decimal comma.
        (None, Some(c)) if w.len() - c - 1 <= 2 => w.replace(',', "."),
        (None, Some(_)) => w.replace(',', ""),
        (None, None) => w.to_owned(),
    };
    let d: Decimal = text.parse().ok()?;
    (!d.is_zero() && !d.is_negative()).then_some(d)
}

/// An amount with or without its currency at `words[i..]`: `55.41 eur`, `eur 55.41`, `€55.41`,
/// `55.41€`; returns it and how many words it took.
fn amount_at(words: &[Word], i: usize) -> Option<(Decimal, Option<Currency>, usize)> {
    let w = &words.get(i)?.text;
    let first = w.chars().next()?;
    if let Some(c) = symbol(first) {
        return number(&w[first.len_utf8()..]).map(|d| (d, Some(c), 1));
    }
    let last = w.chars().next_back()?;
    if let Some(c) = symbol(last) {
        return number(&w[..w.len() - last.len_utf8()]).map(|d| (d, Some(c), 1));
    }
    if let Some(d) = number(w) {
        let after = words.get(i + 1).and_then(|n| currency_word(&n.text));
        return Some(match after {
            Some(c) => (d, Some(c), 2),
            None => (d, None, 1),
        });
    }
    let c = currency_word(w)?;
    let d = number(&words.get(i + 1)?.text)?;
    Some((d, Some(c), 2))
}

/// Finds `[, ][and ][my |the ]card charged [me ]AMOUNT CURRENCY` at the end of a message.
pub fn card_charge(text: &str) -> Option<CardCharge> {
    let ws = words(text);
    let at = ws.iter().position(|w| w.text == "charged")?;
    let (amount, currency, used) = {
        let mut i = at + 1;
        if ws.get(i).is_some_and(|w| w.text == "me" || w.text == "was") {
            i += 1;
        }
        let (d, c, n) = amount_at(&ws, i)?;
        (d, c?, i + n)
    };
    // Only at the end: anything after it is more than a charge clause.
    if used != ws.len() {
        return None;
    }
    let mut start = at;
    while start > 0
        && matches!(
            ws[start - 1].text.as_str(),
            "card" | "my" | "the" | "and" | "bank" | "credit" | "debit" | "was" | "it"
        )
    {
        start -= 1;
    }
    if start == at && at > 0 {
        // `charged` alone needs a card or bank before it to be a charge clause.
        return None;
    }
    let rest = text[..ws.get(start)?.start]
        .trim_end_matches([',', ';', ' '])
        .to_owned();
    if rest.trim().is_empty() {
        return None;
    }
    Some(CardCharge {
        rest,
        amount,
        currency,
    })
}

/// `how much is 50 quid in dollars?`, `what's €20 in yen`, `convert 100 eur to usd`.
pub fn conversion_question(text: &str) -> Option<ConversionAsk> {
    let ws = words(text);
    let t: Vec<&str> = ws.iter().map(|w| w.text.as_str()).collect();
    let skip = match t.as_slice() {
        ["how", "much", "is" | "are", ..] => 3,
        ["how", "much", ..] => 2,
        ["what's" | "whats" | "what’s", ..] => 1,
        ["what", "is" | "are", ..] => 2,
        ["convert", ..] => 1,
        _ => return None,
    };
    conversion_args(&ws[skip..])
}

/// The arguments of `/convert`: `100 EUR USD`, `100 EUR to USD`, `€100 in dollars`.
pub fn convert_command(args: &str) -> Option<ConversionAsk> {
    conversion_args(&words(args))
}

fn conversion_args(ws: &[Word]) -> Option<ConversionAsk> {
    let (amount, from, n) = amount_at(ws, 0)?;
    let mut i = n;
    if ws
        .get(i)
        .is_some_and(|w| matches!(w.text.as_str(), "in" | "to" | "into" | "as"))
    {
        i += 1;
    }
    let to = currency_word(&ws.get(i)?.text)?;
    // `in dollars today` is fine; more words are another kind of question.
    match ws.get(i + 1).map(|w| w.text.as_str()) {
        None | Some("today" | "now" | "please") if ws.len() <= i + 2 => {}
        _ => return None,
    }
    Some(ConversionAsk { amount, from, to })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn reads_the_card_charge_clause() {
        let c = card_charge("paid 52.28 CHF, card charged 55.41 EUR").unwrap();
        assert_eq!(c.rest, "paid 52.28 CHF");
        assert_eq!((c.amount, c.currency), (d("55.41"), Currency::EUR));
        let c = card_charge("dinner 80 chf and my card charged me €84.10").unwrap();
        assert_eq!(c.rest, "dinner 80 chf");
        assert_eq!((c.amount, c.currency), (d("84.10"), Currency::EUR));
        let c = card_charge("hotel 1,200 CHF; bank charged USD 1,391.77").unwrap();
        assert_eq!((c.amount, c.currency), (d("1391.77"), Currency::USD));
        assert_eq!(c.rest, "hotel 1,200 CHF");
    }

    #[test]
    fn leaves_other_mentions_of_charged_alone() {
        assert_eq!(card_charge("they charged me 20 for parking"), None);
        assert_eq!(
            card_charge("card charged 55 EUR"),
            None,
            "no entry before it"
        );
        assert_eq!(
            card_charge("lunch 12, card charged 13"),
            None,
            "no currency"
        );
        assert_eq!(card_charge("phone charged 20 usd"), None);
    }

    #[test]
    fn reads_conversion_questions() {
        assert_eq!(
            conversion_question("how much is 50 quid in dollars?"),
            Some(ConversionAsk {
                amount: d("50"),
                from: Some(Currency::GBP),
                to: Currency::USD
            })
        );
        assert_eq!(
            conversion_question("What's €20 in yen"),
            Some(ConversionAsk {
                amount: d("20"),
                from: Some(Currency::EUR),
                to: Currency::JPY
            })
        );
        assert_eq!(
            convert_command("100 EUR USD"),
            Some(ConversionAsk {
                amount: d("100"),
                from: Some(Currency::EUR),
                to: Currency::USD
            })
        );
        assert_eq!(
            convert_command("100 in eur").map(|c| c.from),
            Some(None),
            "the user's own currency"
        );
        assert_eq!(conversion_question("how much did I spend in euros"), None);
        assert_eq!(conversion_question("how much is rent"), None);
        assert_eq!(convert_command("lots of money"), None);
    }
}
