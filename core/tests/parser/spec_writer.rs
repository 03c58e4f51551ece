//! `Intent::write_spec_json` (what `tally parse` prints) writes exactly the text of
//! `to_spec_json` (the SPEC's object) for every intent shape and for every message of the shared
//! sets and of a hostile sample.

use std::path::Path;

use chrono::NaiveDate;
use serde_json::Value;
use tally_core::domain::{CategoryName, DateOrder, TransactionKind};
use tally_core::money::{Currency, Decimal};
use tally_core::parser::{
    AddIntent, BudgetIntent, Intent, Metric, ParseContext, Parser, QueryIntent, Vocabulary,
};
use tally_core::period::{BudgetPeriod, DateRange};

fn written(intent: &Intent) -> String {
    let mut out = Vec::new();
    intent.write_spec_json(&mut out);
    String::from_utf8(out).unwrap()
}

fn assert_same(intent: &Intent) {
    assert_eq!(
        written(intent),
        serde_json::to_string(&intent.to_spec_json()).unwrap(),
        "{intent:?}"
    );
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn every_intent_shape_is_written_as_the_spec_object() {
    let food = CategoryName::parse("food").unwrap();
    let range = DateRange {
        from: date(2026, 11, 1),
        to: date(2026, 11, 30),
    };
    let amount: Decimal = "12.50".parse().unwrap();
    let shapes = [
        Intent::Add(AddIntent {
            kind: TransactionKind::Expense,
            amount,
            currency: Currency::USD,
            category: food.clone(),
            date: date(2026, 11, 24),
            note: "say \"hi\" \\ to\tthe caf\u{e9} \u{1}\u{1f355}".into(),
        }),
        Intent::Query(QueryIntent {
            metric: Metric::Spent,
            category: Some(food.clone()),
            period: range,
        }),
        Intent::Query(QueryIntent {
            metric: Metric::Net,
            category: None,
            period: range,
        }),
        Intent::Summary { period: range },
        Intent::Recent { limit: Some(5) },
        Intent::Recent { limit: None },
        Intent::BudgetSet(BudgetIntent {
            category: food,
            amount,
            currency: Currency::USD,
            period: BudgetPeriod::Week,
        }),
        Intent::BudgetShow,
        Intent::Undo,
        Intent::Advice,
        Intent::Help,
        Intent::Unknown,
    ];
    for intent in &shapes {
        assert_same(intent);
    }
}

/// The messages of `shared/intents/*.jsonl` when they are beside the repository.
fn shared_messages() -> Vec<String> {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(dir) = core
        .ancestors()
        .skip(1)
        .take(3)
        .map(|dir| dir.join("shared/intents"))
        .find(|p| p.is_dir())
    else {
        return Vec::new();
    };
    ["dev.jsonl", "dev-i18n.jsonl"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .flat_map(|text| {
            text.lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter_map(|v| v["text"].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn parsed_messages_are_written_as_the_spec_object() {
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let hostile = [
        "coffee 4.5 \"quoted\" \\ back\\slash",
        "lunch 12 with \u{7}bell and \u{1b}[31mcolour",
        "spent 3 on \u{feff}zero width \u{200b} things",
        "taxi 20 yesterday \u{1f695}",
        "how much did I spend on food this month?",
        "show my last 5 transactions",
        "set a weekly budget of 50 for coffee",
        "",
        "   ",
    ];
    let messages: Vec<String> = shared_messages()
        .into_iter()
        .chain(hostile.iter().map(|s| (*s).to_owned()))
        .collect();
    for order in [DateOrder::Mdy, DateOrder::Dmy] {
        let ctx = ParseContext {
            today: date(2026, 11, 24),
            currency: Currency::USD,
            date_order: order,
            vocabulary: &vocabulary,
        };
        for msg in &messages {
            assert_same(&parser.parse(msg, &ctx).intent);
        }
    }
}
