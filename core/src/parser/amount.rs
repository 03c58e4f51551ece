//! Finding the amount in a message: digits, number words, `k`/`grand`, and the currency named.

use crate::money::{Currency, Decimal};

use super::tokens::{Token, TokenKind};

/// Currency words that may stand after a number (`12 bucks`, `30 quid`) or before it (`usd 12`).
pub(crate) fn currency_word(w: &str) -> Option<Currency> {
    let cur = match w {
        "dollar" | "dollars" | "buck" | "bucks" | "usd" | "dollas" | "dolla" => Currency::USD,
        "euro" | "euros" | "eur" | "eu" => Currency::EUR,
        "pound" | "pounds" | "quid" | "gbp" | "sterling" | "quids" => Currency::GBP,
        "yen" | "jpy" => Currency::JPY,
        "rupee" | "rupees" | "rs" | "inr" | "rupes" => Currency::INR,
        "cad" => Currency::CAD,
        "aud" => Currency::AUD,
        "chf" | "franc" | "francs" => Currency::CHF,
        "brl" | "reais" | "real" | "reals" => Currency::BRL,
        "cny" | "rmb" | "yuan" | "renminbi" => Currency::CNY,
        "lira" | "liras" => Currency::TRY,
        "ruble" | "rubles" | "rouble" | "roubles" => Currency::RUB,
        "baht" => Currency::THB,
        "dirham" | "dirhams" => Currency::AED,
        "ringgit" => Currency::MYR,
        "rupiah" => Currency::IDR,
        "naira" => Currency::NGN,
        "shekel" | "shekels" => Currency::ILS,
        "zloty" | "zlotys" => Currency::PLN,
        "rand" => Currency::ZAR,
        // Codes that are also everyday English words would misfire (`try`, `pen`, `won`).
        "try" | "pen" | "cop" | "ron" | "won" | "all" => return None,
        code if code.len() == 3 && code.bytes().all(|b| b.is_ascii_lowercase()) => {
            return Currency::parse(code).ok();
        }
        _ => return None,
    };
    Some(cur)
}

/// Currency words people put before the number (`rs 800`, `usd 45`, `eur 20`): codes and `rs`.
fn prefix_currency_word(w: &str) -> Option<Currency> {
    if w == "rs" || (w.len() == 3 && !matches!(w, "yen" | "try" | "pen" | "cop" | "ron" | "won")) {
        currency_word(w)
    } else {
        None
    }
}

pub(crate) fn unit_word(w: &str) -> Option<u32> {
    Some(match w {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        _ => return None,
    })
}

pub(crate) fn tens_word(w: &str) -> Option<u32> {
    Some(match w {
        "twenty" => 20,
        "thirty" => 30,
        "forty" | "fourty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// Reads number words starting at token `i` (`twenty five`, `a hundred`, `two thousand five
/// hundred`); returns the value and the index after the last token used.
pub(crate) fn number_words(tokens: &[Token<'_>], i: usize) -> Option<(u32, usize)> {
    let mut total: u32 = 0;
    let mut current: u32 = 0;
    let mut any = false;
    let mut j = i;
    let mut last_end = i;
    let mut pending_a = false;
    while let Some(t) = tokens.get(j) {
        if j > i + 12 {
            break;
        }
        let w = t.word();
        if w.is_empty() {
            // `twenty-five`: a hyphen inside a number.
            if t.is_punct('-') && any && current.is_multiple_of(10) && current > 0 {
                j += 1;
                continue;
            }
            break;
        }
        if (w == "a" || w == "an") && !any {
            pending_a = true;
            j += 1;
            continue;
        }
        if let Some(n) = unit_word(w) {
            if pending_a
                || (any && !current.is_multiple_of(100) && (!current.is_multiple_of(10) || n >= 10))
            {
                break;
            }
            current += n;
        } else if let Some(n) = tens_word(w) {
            if pending_a || (any && !current.is_multiple_of(100)) {
                break;
            }
            current += n;
        } else if w == "hundred" {
            if current >= 100 {
                break;
            }
            current = current.max(1) * 100;
            pending_a = false;
        } else if w == "thousand" || (w == "grand" && (pending_a || any)) {
            total = total.saturating_add(current.max(1).saturating_mul(1000));
            current = 0;
            pending_a = false;
        } else if w == "and" && any && current.is_multiple_of(100) && current > 0 {
            j += 1;
            continue;
        } else {
            break;
        }
        any = true;
        j += 1;
        last_end = j;
        if total > 1_000_000 {
            break;
        }
    }
    if !any {
        return None;
    }
    Some((total.saturating_add(current), last_end))
}

/// One number that could be the amount, with what surrounds it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub value: Decimal,
    pub currency: Option<Currency>,
    /// Tokens `start..end` hold the number and its currency and multiplier words.
    pub start: usize,
    pub end: usize,
    /// The token of the number itself.
    pub at: usize,
    pub score: i32,
    /// Written with a currency, a fraction or a multiplier: surely money.
    pub money_shaped: bool,
    /// Looks like it counts things (`2 coffees`) rather than costs.
    pub count_like: bool,
    /// Written in words (`twenty five`).
    pub in_words: bool,
}

/// Words before a number that introduce a price (`for 7`, `paid 15`, `cost 30`).
fn introduces_amount(w: &str) -> bool {
    matches!(
        w,
        "for"
            | "of"
            | "paid"
            | "pay"
            | "spent"
            | "spend"
            | "cost"
            | "costs"
            | "costed"
            | "was"
            | "is"
            | "were"
            | "total"
            | "totalling"
            | "totaling"
            | "about"
            | "around"
            | "approx"
            | "roughly"
            | "dropped"
            | "received"
            | "earned"
            | "made"
            | "got"
            | "spending"
            | "to"
            | "charged"
            | "owe"
            | "budget"
    )
}

/// Words after a number that leave it a number of money, not a count of things.
fn neutral_after(w: &str) -> bool {
    matches!(
        w,
        "on" | "for"
            | "at"
            | "in"
            | "from"
            | "to"
            | "the"
            | "a"
            | "an"
            | "and"
            | "with"
            | "via"
            | "by"
            | "as"
            | "of"
            | "this"
            | "last"
            | "yesterday"
            | "today"
            | "tonight"
            | "each"
            | "per"
            | "total"
            | "only"
            | "spent"
            | "paid"
            | "cash"
            | "card"
            | "my"
            | "our"
            | "so"
            | "back"
            | "into"
            | "towards"
            | "toward"
            | "deposit"
            | "down"
            | "upfront"
            | "or"
            | "but"
            | "plus"
            | "inc"
            | "incl"
            | "including"
            | "tip"
            | "tax"
            | "ish"
            | "worth"
            | "even"
            | "flat"
            | "monthly"
            | "weekly"
            | "yearly"
            | "is"
            | "was"
            | "bill"
    )
}

/// Numbers that are not amounts whatever follows: `5pm`, `20%`, `3 hours`.
fn non_money_unit(w: &str) -> bool {
    matches!(
        w,
        "pm" | "am"
            | "oclock"
            | "percent"
            | "pct"
            | "min"
            | "mins"
            | "minute"
            | "minutes"
            | "hour"
            | "hours"
            | "hr"
            | "hrs"
            | "sec"
            | "secs"
            | "seconds"
            | "km"
            | "kms"
            | "miles"
            | "mile"
            | "kg"
            | "kgs"
            | "lbs"
            | "lb"
            | "years"
            | "year"
            | "yrs"
            | "people"
            | "persons"
            | "guys"
            | "times"
            | "x"
            | "degrees"
            | "mb"
            | "gb"
            | "tb"
            | "ml"
            | "cm"
            | "mm"
            | "inch"
            | "inches"
            | "feet"
            | "ft"
            | "stars"
            | "star"
            | "pages"
            | "steps"
            | "calories"
            | "cal"
            | "kcal"
            | "points"
            | "pts"
            | "members"
            | "kids"
            | "children"
            | "dogs"
            | "cats"
            | "weeks"
            | "months"
            | "days"
            | "nights"
    )
}

/// Words before a number that make it a label, not a price (`room 101`, `flight 212`, `#4`).
fn labels_number(w: &str) -> bool {
    matches!(
        w,
        "room"
            | "apt"
            | "apartment"
            | "unit"
            | "floor"
            | "level"
            | "page"
            | "chapter"
            | "number"
            | "no"
            | "num"
            | "gate"
            | "platform"
            | "seat"
            | "row"
            | "route"
            | "version"
            | "season"
            | "episode"
            | "exit"
            | "highway"
            | "hwy"
            | "size"
            | "age"
            | "aged"
            | "zone"
            | "building"
            | "block"
            | "ext"
            | "extension"
            | "channel"
            | "volume"
            | "vol"
            | "lane"
            | "suite"
    )
}

fn token_currency(t: &Token<'_>) -> Option<Currency> {
    match t.kind {
        TokenKind::Symbol(c) => Some(c),
        _ => None,
    }
}

/// Every number in the message that is not already part of a date or period (`used`).
/// `phrased` marks tokens inside a lexicon phrase (`escape room`): never a label like `room 101`.
pub(crate) fn candidates(tokens: &[Token<'_>], used: &[bool], phrased: &[bool]) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if used.get(i).copied().unwrap_or(true) {
            i += 1;
            continue;
        }
        let t = &tokens[i];
        let (value, mut end, in_words, fraction, kilo, digits_only_len) = match t.kind {
            TokenKind::Number(n) => match n.value {
                Some(v) => (
                    v,
                    i + 1,
                    false,
                    n.fraction,
                    n.kilo,
                    if n.int.is_some() || n.int_digits > 9 {
                        n.int_digits
                    } else {
                        0
                    },
                ),
                None => {
                    i += 1;
                    continue;
                }
            },
            TokenKind::Word => match number_words(tokens, i) {
                Some((n, after))
                    if (n > 1
                        || tokens
                            .get(after)
                            .is_some_and(|t| currency_word(t.word()).is_some()))
                        && n > 0
                        && (i..after).all(|k| !used.get(k).copied().unwrap_or(true)) =>
                {
                    (
                        Decimal::from_int(i64::from(n)),
                        after,
                        true,
                        false,
                        false,
                        0,
                    )
                }
                _ => {
                    i += 1;
                    continue;
                }
            },
            _ => {
                i += 1;
                continue;
            }
        };
        let mut value = value;
        let mut start = i;
        let mut currency = None;
        let mut multiplied = kilo;

        // Before: `$12`, `R$ 45`, `usd 45`, `rs. 250`.
        if i > 0 {
            let prev = &tokens[i - 1];
            if let Some(c) = token_currency(prev) {
                currency = Some(c);
                start = i - 1;
            } else if let Some(c) = prefix_currency_word(prev.word()) {
                currency = Some(c);
                start = i - 1;
            } else if prev.is_punct('.') && i > 1 && tokens[i - 2].word() == "rs" {
                currency = Some(Currency::INR);
                start = i - 2;
            }
        }
        // After: `12.50$`, `12 bucks`, `5 grand`, `5 k`, `50 cents`.
        if let Some(next) = tokens.get(end) {
            if currency.is_none()
                && let Some(c) = token_currency(next)
            {
                currency = Some(c);
                end += 1;
            } else if !multiplied
                && matches!(next.word(), "grand" | "k" | "thousand")
                && !in_words
                && let Some(v) = value.scale_up(3)
            {
                value = v;
                multiplied = true;
                end += 1;
            }
        }
        // A word inside a lexicon phrase is that phrase, not a unit: `693 real estate tax` is
        // dollars, `656 ct scan` is not 6.56.
        let next_phrased = phrased.get(end).copied().unwrap_or(false);
        if let Some(next) = tokens.get(end).filter(|_| !next_phrased) {
            let w = next.word();
            if currency.is_none()
                && let Some(c) = currency_word(w)
            {
                currency = Some(c);
                end += 1;
                if w == "rs" && tokens.get(end).is_some_and(|t| t.is_punct('.')) {
                    end += 1;
                }
            } else if matches!(w, "cents" | "cent" | "pence" | "p" | "c" | "ct" | "cts")
                && !in_words
                && !fraction
                && let Some(v) = Decimal::new(value.mantissa(), value.scale() + 2).ok()
            {
                value = v;
                if w == "pence" || w == "p" {
                    currency = Some(Currency::GBP);
                }
                end += 1;
            }
        }

        let after = tokens.get(end);
        let after_word = after.map_or("", |t| t.word());
        let before_word = if start > 0 {
            tokens[start - 1].word()
        } else {
            ""
        };
        // `5pm`, `20%`, `3 hours`: not money.
        if currency.is_none()
            && (non_money_unit(after_word) && !fraction
                || after.is_some_and(|t| t.is_punct('%') || t.is_punct('°')))
        {
            i = end.max(i + 1);
            continue;
        }
        // `3-1`, `10-15`: a score or a range, not a price.
        let dashed = |k: Option<usize>, step: fn(usize) -> Option<usize>| {
            k.and_then(|k| tokens.get(k))
                .is_some_and(|t| t.is_punct('-'))
                && k.and_then(step)
                    .and_then(|k| tokens.get(k))
                    .is_some_and(|t| t.num().is_some())
        };
        if currency.is_none()
            && (dashed(i.checked_sub(1), |k| k.checked_sub(1))
                || dashed(Some(end), |k| k.checked_add(1)))
        {
            i = end.max(i + 1);
            continue;
        }
        // A phone number or a long id, not a price.
        if currency.is_none() && digits_only_len >= 8 {
            i = end.max(i + 1);
            continue;
        }
        let money_shaped = currency.is_some() || fraction || multiplied;
        let mut score = 0;
        if currency.is_some() {
            score += 8;
        }
        if fraction {
            score += 3;
        }
        if multiplied {
            score += 2;
        }
        if introduces_amount(before_word) {
            score += 3;
        }
        // `2 coffees`, `3 beers`, `2 nights`: a small whole number before a noun counts things.
        let small = value <= Decimal::from_int(20) && value.scale() == 0;
        let after_free = !used.get(end).copied().unwrap_or(true);
        let count_like = !money_shaped
            && small
            && after_free
            && !after_word.is_empty()
            && unit_word(after_word).is_none()
            && tens_word(after_word).is_none()
            && !neutral_after(after_word)
            && !super::dates::is_date_word(after_word);
        if count_like {
            score -= 6;
        }
        let before_phrased = start > 0 && phrased.get(start - 1).copied().unwrap_or(false);
        if !money_shaped && labels_number(before_word) && !before_phrased {
            score -= 5;
        }
        if !money_shaped && before_word == "at" {
            score -= 4;
        }
        if in_words {
            score -= 2;
        }
        out.push(Candidate {
            value,
            currency,
            start,
            end,
            at: i,
            score,
            money_shaped,
            count_like,
            in_words,
        });
        i = end.max(i + 1);
    }
    out
}

/// The candidate most likely to be the amount: best score, the first one on a tie. Number words
/// (`for two`) give way to digits unless they name a currency (`twenty quid`).
pub(crate) fn best(cands: &[Candidate]) -> Option<Candidate> {
    let digits = cands.iter().any(|c| !c.in_words && !c.count_like);
    let mut best: Option<Candidate> = None;
    for c in cands {
        if digits && c.in_words && c.currency.is_none() {
            continue;
        }
        if c.value.is_zero() || c.value.is_negative() {
            continue;
        }
        if best.is_none_or(|b| c.score > b.score) {
            best = Some(*c);
        }
    }
    best
}

/// The one currency named anywhere in the message, when the amount carries none
/// (`paid in euros, 20`); never a word of a lexicon phrase (`real estate tax`).
pub(crate) fn loose_currency(
    tokens: &[Token<'_>],
    used: &[bool],
    phrased: &[bool],
) -> Option<Currency> {
    let mut found: Option<Currency> = None;
    for (i, t) in tokens.iter().enumerate() {
        if used.get(i).copied().unwrap_or(false) || phrased.get(i).copied().unwrap_or(false) {
            continue;
        }
        let c = match t.kind {
            TokenKind::Symbol(c) => Some(c),
            TokenKind::Word if t.text.len() > 3 || t.text == "rs" => currency_word(t.word()),
            _ => None,
        };
        if let Some(c) = c {
            if found.is_some_and(|f| f != c) {
                return None;
            }
            found = Some(c);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::tokens::tokenize;

    fn words(s: &str) -> Option<u32> {
        let toks = tokenize(s);
        number_words(&toks, 0).map(|(n, _)| n)
    }

    #[test]
    fn reads_number_words() {
        assert_eq!(words("twenty five"), Some(25));
        assert_eq!(words("twenty-five"), Some(25));
        assert_eq!(words("ninety nine dollars"), Some(99));
        assert_eq!(words("a hundred bucks"), Some(100));
        assert_eq!(words("a thousand"), Some(1000));
        assert_eq!(words("sixty"), Some(60));
        assert_eq!(words("two hundred and fifty"), Some(250));
        assert_eq!(words("three thousand five hundred"), Some(3500));
        assert_eq!(words("a coffee"), None);
        assert_eq!(words("five five"), Some(5));
    }

    #[test]
    fn knows_currency_words() {
        assert_eq!(currency_word("quid"), Some(Currency::GBP));
        assert_eq!(currency_word("reais"), Some(Currency::BRL));
        assert_eq!(currency_word("sek"), Some(Currency::SEK));
        assert_eq!(currency_word("won"), None);
        assert_eq!(currency_word("try"), None);
    }
}
