//! The parser never panics on hostile input, arbitrary Unicode and worst cases, and reads none of
//! the noise as a confident entry. (That it stays linear on them is measured in
//! `benches/parser.rs`, not timed here.)

use chrono::NaiveDate;
use proptest::prelude::*;
use tally_core::domain::{DateOrder, TransactionKind};
use tally_core::money::Currency;
use tally_core::parser::{ParseContext, Parser, Vocabulary};

fn parser() -> &'static Parser {
    static PARSER: std::sync::OnceLock<Parser> = std::sync::OnceLock::new();
    PARSER.get_or_init(Parser::new)
}

fn run_everything(text: &str) {
    let vocabulary = Vocabulary::default();
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
    for order in [DateOrder::Mdy, DateOrder::Dmy] {
        let ctx = ParseContext {
            today,
            currency: Currency::EUR,
            date_order: order,
            vocabulary: &vocabulary,
        };
        let parsed = parser().parse(text, &ctx);
        let _ = parsed.intent.to_spec_json();
        let _ = parser().parse_add_args(text, TransactionKind::Expense, &ctx);
    }
    let _ = parser().parse_period(text, today);
    let _ = parser().suggest_categories(text, TransactionKind::Income, 4);
    let _ = parser().learnable_words(text);
}

/// Messages built to hit every worst case: long digit runs, separators, suffixes, emoji, RTL.
fn adversarial() -> Vec<String> {
    vec![
        "9".repeat(4096),
        "1,".repeat(2048),
        "1,1,1,1,".repeat(512),
        "1.".repeat(2048),
        "1.2k".repeat(1024),
        "5k ".repeat(1365),
        "k".repeat(4096),
        "12,50€ ".repeat(580),
        "$".repeat(4096),
        "R$".repeat(2048),
        "-".repeat(4096),
        "a-".repeat(2048),
        "11/15/".repeat(680),
        "2026-11-02-".repeat(370),
        "3rd ".repeat(1024),
        "twenty five ".repeat(340),
        "a hundred ".repeat(400),
        "the day before yesterday ".repeat(160),
        "last ".repeat(819),
        "spent on the ".repeat(315),
        "groceires resturant insurence ".repeat(140),
        "😀🍕💸".repeat(340),
        "مرحبا أنفقت ٣٠ دولار على الغداء ".repeat(60),
        "שלום 45 ₪ ".repeat(300),
        "\u{202e}12 coffee\u{202c} ".repeat(200),
        "\u{0}\u{1}\u{7f}".repeat(1000),
        "İ".repeat(2048),
        "ß".repeat(2048),
        "'".repeat(4096),
        "a'".repeat(2048),
        "&".repeat(4096),
        "h&m&".repeat(1024),
        "q4 ".repeat(1365),
        "budget ".repeat(585),
        "how much ".repeat(455),
        " ".repeat(4096),
        String::new(),
    ]
}

#[test]
fn adversarial_inputs_are_read_without_panic_or_false_confidence() {
    let vocabulary = Vocabulary::default();
    let ctx = ParseContext {
        today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
        currency: Currency::EUR,
        date_order: DateOrder::Mdy,
        vocabulary: &vocabulary,
    };
    for text in adversarial() {
        run_everything(&text);
        // Kilobytes of one repeated token are never an entry Tally would record unasked.
        let parsed = parser().parse(&text, &ctx);
        let recorded = matches!(parsed.intent, tally_core::parser::Intent::Add(_))
            && parsed.confidence.is_confident();
        assert!(
            !recorded,
            "{:?}… read as a confident entry: {parsed:?}",
            text.chars().take(24).collect::<String>()
        );
    }
}

#[test]
fn longer_input_is_cut_not_choked_on() {
    // 900 KB reads exactly as its first 9 KB: the parser cuts long input instead of working
    // through all of it.
    let long = "coffee 4 ".repeat(100_000);
    let head = "coffee 4 ".repeat(1_000);
    run_everything(&long);
    let vocabulary = Vocabulary::default();
    let ctx = ParseContext {
        today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
        currency: Currency::EUR,
        date_order: DateOrder::Mdy,
        vocabulary: &vocabulary,
    };
    assert_eq!(parser().parse(&long, &ctx), parser().parse(&head, &ctx));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn never_panics_on_any_text(chars in proptest::collection::vec(any::<char>(), 0..1024)) {
        let text: String = chars.into_iter().collect();
        run_everything(&text);
    }

    #[test]
    fn never_panics_on_money_shaped_noise(text in "[0-9.,$€£¥₹kK/ -]{0,64}( ?[a-z]{1,8}){0,6}") {
        run_everything(&text);
    }

    #[test]
    fn never_panics_on_word_salad(words in proptest::collection::vec(
        prop::sample::select(vec![
            "spent", "on", "the", "3rd", "last", "friday", "12,50", "€", "R$", "k", "1,200.50",
            "a", "hundred", "twenty", "five", "budget", "how", "much", "undo", "nov", "15/11",
            "2026-11-02", "rs.", "C$", "ago", "days", "2", "coffees", "for", "7", "gas", "bill",
        ]),
        0..40,
    )) {
        run_everything(&words.join(" "));
    }
}
