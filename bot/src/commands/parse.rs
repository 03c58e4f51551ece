//! `tally parse`: the parser as a filter, for evaluation and scripting (see the intents SPEC).

use std::io::{BufRead, BufWriter, Write};

use chrono::NaiveDate;
use tally_core::domain::DateOrder;
use tally_core::money::Currency;
use tally_core::parser::{LanguageChoice, ParseContext, Parser, Vocabulary};

#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The user's local date that relative dates resolve against (default: today).
    #[arg(long, value_parser = crate::cli::parse_date)]
    pub today: Option<NaiveDate>,
    /// The default currency when a message names none.
    #[arg(long, default_value = "USD")]
    pub currency: String,
    /// How to read 3/11: mdy (March 11) or dmy (3 November).
    #[arg(long, default_value = "mdy")]
    pub date_order: String,
    /// The language to read: auto (decided per message), en, es, de, fr or pt (tried first,
    /// and breaks ties).
    #[arg(long, default_value = "auto")]
    pub lang: String,
}

pub fn run(args: ParseArgs) -> anyhow::Result<()> {
    let currency = Currency::parse(&args.currency)?;
    let date_order: DateOrder = args.date_order.parse().map_err(anyhow::Error::msg)?;
    let lang: LanguageChoice = args.lang.parse()?;
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let parser = Parser::new();
    let vocabulary = Vocabulary::default();
    let ctx = ParseContext {
        today,
        currency,
        date_order,
        vocabulary: &vocabulary,
    };
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.split(b'\n') {
        let line = line?;
        let text = String::from_utf8_lossy(&line);
        let parsed = parser.parse_as(text.trim_end_matches('\r'), &ctx, lang);
        serde_json::to_writer(&mut out, &parsed.intent.to_spec_json())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
