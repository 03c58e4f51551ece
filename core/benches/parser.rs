//! Parser speed: one message at a time over the shared dev set (or a built-in sample).

use std::hint::black_box;
use std::path::Path;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use tally_core::domain::DateOrder;
use tally_core::money::Currency;
use tally_core::parser::{ParseContext, Parser, Vocabulary};

/// Used when `shared/intents/dev.jsonl` is not beside the repository.
const SAMPLE: &[&str] = &[
    "coffee 4.5",
    "2 coffees for 7",
    "Spent 18.99 on pizza 🍕",
    "breakfast 12,50 €",
    "R$45,90 at the supermarket",
    "paid rent 2.1k",
    "electricity 94.12 on 11/15",
    "headphones ninety nine dollars",
    "flights to lisbon 1.1k on dec 5",
    "got paid my salary ₹85,000",
    "how much did I spend on food this month?",
    "how much did i spned on groceries last week",
    "report for last month",
    "show my last 5 transactons",
    "set a weekly budget of 50 for coffee",
    "how are my budgets?",
    "delete the last one",
    "how can I save more?",
    "hello 👋 how does this work",
    "what's the weather",
];

/// Used when `shared/intents/dev-i18n.jsonl` is not beside the repository.
const SAMPLE_I18N: &[&str] = &[
    "almuerzo con amigos 14,50",
    "cuánto gasté en comida este mes?",
    "Mittagessen 12,50 gestern",
    "wie viel habe ich letzte Woche ausgegeben",
    "déjeuner 1 234,56 avant-hier",
    "combien j'ai dépensé ce mois-ci ?",
    "almoço R$ 32,90 ontem",
    "quanto gastei com uber na semana passada",
];

fn texts() -> Vec<String> {
    from_set("dev.jsonl", SAMPLE)
}

fn from_set(name: &str, sample: &[&str]) -> Vec<String> {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = core
        .ancestors()
        .skip(1)
        .take(3)
        .map(|dir| dir.join("shared/intents").join(name))
        .find(|p| p.is_file());
    let from_file: Vec<String> = file
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect();
    if from_file.is_empty() {
        sample.iter().map(|s| (*s).to_owned()).collect()
    } else {
        from_file
    }
}

fn bench(c: &mut Criterion) {
    let texts = texts();
    let vocabulary = Vocabulary::default();
    let ctx = ParseContext {
        today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
        currency: Currency::USD,
        date_order: DateOrder::Mdy,
        vocabulary: &vocabulary,
    };
    c.bench_function("Parser::new", |b| b.iter(Parser::new));
    let parser = Parser::new();
    let mut i = 0;
    c.bench_function("parse one message", |b| {
        b.iter(|| {
            let text = &texts[i % texts.len()];
            i += 1;
            black_box(parser.parse(black_box(text), &ctx))
        })
    });
    // Spanish, German, French and Portuguese: the language decided, then read (LANGUAGES.md).
    let i18n = from_set("dev-i18n.jsonl", SAMPLE_I18N);
    let euro = ParseContext {
        currency: Currency::EUR,
        date_order: DateOrder::Dmy,
        ..ctx
    };
    let mut k = 0;
    c.bench_function("parse one message (es/de/fr/pt)", |b| {
        b.iter(|| {
            let text = &i18n[k % i18n.len()];
            k += 1;
            black_box(parser.parse(black_box(text), &euro))
        })
    });
    // Worst cases stay linear: 4 KB of one repeated token parses in well under a millisecond
    // in release builds; a quadratic step would show here as tens of milliseconds.
    let mut worst = c.benchmark_group("adversarial 4 KB");
    for (name, text) in [
        ("digits", "9".repeat(4096)),
        ("separators", "1,".repeat(2048)),
        ("dotted i", "İ".repeat(2048)),
        ("apostrophes", "a'".repeat(2048)),
        ("date words", "the day before yesterday ".repeat(160)),
        ("budget words", "budget ".repeat(585)),
        ("foreign words", "hace 3 días il y a ".repeat(200)),
    ] {
        worst.bench_function(name, |b| {
            b.iter(|| black_box(parser.parse(black_box(&text), &ctx)))
        });
    }
    worst.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
