//! Properties of meaning over the real lexicon: every category phrase, with every amount form of
//! the SPEC, parses to that amount and that phrase's category.

use chrono::NaiveDate;

use super::amount;
use super::lexicon::Entry;
use super::{Intent, ParseContext, Parser, Vocabulary};
use crate::domain::{DateOrder, TransactionKind};
use crate::money::{Currency, Decimal};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default()
}

/// One way the SPEC lets an amount be written, rendered for a case number `n` so the amounts
/// vary across phrases: the text, the amount it means and its currency.
fn amount_form(form: usize, n: usize) -> (String, String, Currency) {
    let whole = 3 + (n * 37) % 900;
    let cents = 1 + (n * 13) % 98;
    let dec = |s: String| s;
    match form {
        0 => (whole.to_string(), dec(whole.to_string()), Currency::USD),
        1 => {
            let s = format!("{whole}.{cents:02}");
            (s.clone(), dec(s), Currency::USD)
        }
        2 => (
            format!("${whole}.{cents:02}"),
            dec(format!("{whole}.{cents:02}")),
            Currency::USD,
        ),
        3 => (
            format!("{whole}.{cents:02}$"),
            dec(format!("{whole}.{cents:02}")),
            Currency::USD,
        ),
        4 => (
            format!("{whole} bucks"),
            dec(whole.to_string()),
            Currency::USD,
        ),
        5 => (
            format!("{whole} dollars"),
            dec(whole.to_string()),
            Currency::USD,
        ),
        6 => (
            format!("1,{whole:03}"),
            dec(format!("1{whole:03}")),
            Currency::USD,
        ),
        7 => (
            format!("1,{whole:03}.{cents:02}"),
            dec(format!("1{whole:03}.{cents:02}")),
            Currency::USD,
        ),
        8 => {
            let tenths = 1 + n % 9;
            (
                format!("1.{tenths}k"),
                dec(format!("1{tenths}00")),
                Currency::USD,
            )
        }
        9 => {
            let k = 1 + n % 9;
            (format!("{k}k"), dec(format!("{k}000")), Currency::USD)
        }
        10 => (
            format!("{whole},{cents:02} €"),
            dec(format!("{whole}.{cents:02}")),
            Currency::EUR,
        ),
        11 => (
            format!("€{whole}.{cents:02}"),
            dec(format!("{whole}.{cents:02}")),
            Currency::EUR,
        ),
        12 => {
            const TENS: [&str; 8] = [
                "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
            ];
            const UNITS: [&str; 9] = [
                "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            ];
            let t = n % TENS.len();
            let u = (n / TENS.len()) % UNITS.len();
            (
                format!("{} {}", TENS[t], UNITS[u]),
                dec(((t + 2) * 10 + u + 1).to_string()),
                Currency::USD,
            )
        }
        _ => ("a hundred".to_owned(), "100".to_owned(), Currency::USD),
    }
}

const FORMS: usize = 14;

/// Whether the form says "money" by itself: a currency symbol or word, or decimals.
fn money_shaped(form: usize) -> bool {
    matches!(form, 1..=5 | 7 | 10 | 11)
}

/// The kind and category a message naming only this phrase (and an amount) should get, or
/// `None` for phrases that name no category (cue-only words such as `spent`).
fn expected(parser: &Parser, entry: &Entry) -> Option<(TransactionKind, String, bool)> {
    let kind = match (entry.cue, entry.expense, entry.income) {
        (Some(TransactionKind::Income), _, Some(_)) | (None, None, Some(_)) => {
            TransactionKind::Income
        }
        (_, Some(_), _) => TransactionKind::Expense,
        _ => return None,
    };
    let hit = entry.hit(kind)?;
    let (name, _) = parser.lexicon.category(hit.category)?;
    Some((kind, name.as_str().to_owned(), hit.weight < 2))
}

#[test]
fn every_lexicon_phrase_with_every_amount_form_parses_to_its_category_and_amount() {
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let ctx = ParseContext {
        today: today(),
        currency: Currency::USD,
        date_order: DateOrder::Mdy,
        vocabulary: &vocabulary,
    };
    let mut phrases: Vec<(String, Entry)> = parser
        .lexicon
        .phrases()
        .map(|(text, entry)| (text, *entry))
        .collect();
    phrases.sort_by(|a, b| a.0.cmp(&b.0));
    let mut cases = 0usize;
    let mut wrong: Vec<String> = Vec::new();
    for (n, (phrase, entry)) in phrases.iter().enumerate() {
        let Some((kind, category, weak)) = expected(&parser, entry) else {
            continue;
        };
        // `forever 21`, `7 eleven`, `13th month`, `1mg`, `disney+`: a number in a phrase is a
        // number token, which has no lexicon id, so these listings can never match as written
        // (a known gap of the lexicon, named in the report, not what this property is about).
        if phrase
            .split(' ')
            .any(|w| w.starts_with(|c: char| c.is_ascii_digit()) || w.contains('+'))
        {
            continue;
        }
        for form in 0..FORMS {
            let (amount, value, currency) = amount_form(form, n + form);
            let value: Decimal = value.parse().unwrap_or(Decimal::ZERO);
            let mut templates = vec![format!("{phrase} {amount}"), format!("{amount} {phrase}")];
            if kind == TransactionKind::Expense {
                templates.push(format!("spent {amount} on {phrase}"));
            }
            for (t, text) in templates.into_iter().enumerate() {
                cases += 1;
                let got = parser.parse(&text, &ctx).intent;
                // A weak hint (`kids?`, `apartment?`) next to a bare number, with nothing else
                // saying money (no symbol, decimals, currency word or `spent`), is deliberately
                // not an entry: `my kids 7` is chatter. The SPEC allows either reading there.
                let spent = t == 2;
                if weak && !spent && !money_shaped(form) && got == Intent::Unknown {
                    continue;
                }
                // A bare number before a noun may count items (`16 tickets`, `578 cats`,
                // `891 kids birthday party`): the SPEC says such a number is not the amount, so
                // with nothing else saying money, not reading it as an entry is allowed.
                // It then reads as whatever else the words say (`250 kids menu` asks for help).
                let counted = t == 1;
                if counted && !money_shaped(form) && !matches!(got, Intent::Add(_)) {
                    continue;
                }
                // `a hundred five below`, `a hundred six flags`: number words run on into a
                // phrase that starts with one, and `a hundred five` is 105 by the SPEC's own
                // number words; the reading with the phrase first is checked instead.
                let runs_on = phrase.split(' ').next().is_some_and(|w| {
                    amount::unit_word(w).is_some() || amount::tens_word(w).is_some()
                });
                if t == 1 && form >= 12 && runs_on {
                    continue;
                }
                let ok = matches!(&got, Intent::Add(a)
                    if a.kind == kind
                        && a.amount == value
                        && a.currency == currency
                        && a.category.as_str() == category);
                if !ok {
                    let got = match &got {
                        Intent::Add(a) => format!(
                            "add {:?} {} {} {}",
                            a.kind,
                            a.amount,
                            a.currency,
                            a.category.as_str()
                        ),
                        other => other.name().to_owned(),
                    };
                    wrong.push(format!(
                        "{text:?}: want {kind:?} {value} {currency} {category}, got {got}"
                    ));
                }
            }
        }
    }
    assert!(cases > 10_000, "only {cases} cases: is the lexicon loaded?");
    assert!(
        wrong.is_empty(),
        "{} of {cases} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Every currency sign the tokenizer knows (found by asking it about every `char`, not from a
/// list), every letter prefix it glues to `$` (`C$`, `NZ$`), and every ISO code it reads as a
/// word: each is read as its own currency, before or after the amount.
#[test]
fn every_currency_sign_prefix_and_code_the_parser_knows_maps_to_its_currency() {
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let ctx = ParseContext {
        today: today(),
        currency: Currency::CHF,
        date_order: DateOrder::Mdy,
        vocabulary: &vocabulary,
    };
    let mut known: Vec<(String, Currency, bool)> = Vec::new();
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        if let Some(cur) = super::tokens::symbol_currency(c) {
            known.push((c.to_string(), cur, true));
        }
    }
    let letters = ('a'..='z').map(String::from);
    let two: Vec<String> = letters
        .clone()
        .flat_map(|a| ('a'..='z').map(move |b| format!("{a}{b}")))
        .collect();
    let three: Vec<String> = two
        .iter()
        .flat_map(|ab| ('a'..='z').map(move |c| format!("{ab}{c}")))
        .collect();
    for prefix in letters.chain(two).chain(three) {
        let written = format!("{}$", prefix.to_uppercase());
        let lowered = written.to_lowercase();
        let tokens = super::tokens::tokenize(&lowered);
        if let [t] = tokens.as_slice()
            && let super::tokens::TokenKind::Symbol(cur) = t.kind
        {
            known.push((written, cur, true));
        }
    }
    for cur in Currency::all() {
        let code = cur.code().to_lowercase();
        if let Some(read) = amount::currency_word(&code) {
            assert_eq!(read, cur, "{code}");
            known.push((cur.code().to_owned(), cur, false));
        }
    }
    assert!(known.iter().filter(|k| k.2).count() >= 20, "{known:?}");
    let mut wrong = Vec::new();
    for (written, cur, sign) in &known {
        let texts = if *sign {
            vec![
                format!("lunch {written}12"),
                format!("lunch 12{written}"),
                format!("{written}12 lunch"),
            ]
        } else {
            vec![format!("lunch 12 {written}"), format!("12 {written} lunch")]
        };
        for text in texts {
            let got = match parser.parse(&text, &ctx).intent {
                Intent::Add(a) => Some((a.amount, a.currency)),
                _ => None,
            };
            if got != Some((Decimal::from_int(12), *cur)) {
                wrong.push(format!("{text:?}: want 12 {cur}, got {got:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
