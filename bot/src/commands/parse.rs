//! `tally parse`: the parser as a filter, for evaluation and scripting (see the intents SPEC).
//!
//! Input is read in large blocks and every complete line in a block is parsed; a block of many
//! lines is split among the cores, each part into its own output buffer, and the parts are
//! written in input order, so the output is line for line what parsing one at a time gives.

use std::io::{Read, Write};

use chrono::NaiveDate;
use tally_core::domain::DateOrder;
use tally_core::money::Currency;
use tally_core::parser::{LanguageChoice, ParseContext, Parser, Vocabulary};

/// Bytes read from stdin at a time.
const BLOCK: usize = 1 << 20;

/// Below this many lines a block is parsed on this thread: starting threads would cost more.
const PARALLEL_FROM: usize = 2048;

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
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let filter = Filter {
        parser: &parser,
        ctx: &ctx,
        lang,
        threads,
    };
    filter.run(std::io::stdin().lock(), std::io::stdout().lock())
}

struct Filter<'a> {
    parser: &'a Parser,
    ctx: &'a ParseContext<'a>,
    lang: LanguageChoice,
    threads: usize,
}

impl Filter<'_> {
    /// Reads `input` to its end, writing one JSON line per input line to `output`.
    fn run(&self, mut input: impl Read, mut output: impl Write) -> anyhow::Result<()> {
        let mut block: Vec<u8> = Vec::with_capacity(BLOCK);
        let mut out: Vec<u8> = Vec::with_capacity(BLOCK * 2);
        loop {
            let start = block.len();
            block.resize(start + BLOCK, 0);
            let n = match input.read(&mut block[start..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    block.truncate(start);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            block.truncate(start + n);
            if n == 0 {
                // The last line may lack its newline.
                if !block.is_empty() {
                    self.lines(&block, &mut out);
                    output.write_all(&out)?;
                }
                break;
            }
            // Everything up to the last newline is complete; the rest waits for more input.
            let Some(end) = block.iter().rposition(|&b| b == b'\n') else {
                continue;
            };
            self.lines(&block[..end], &mut out);
            output.write_all(&out)?;
            out.clear();
            block.drain(..=end);
        }
        output.flush()?;
        Ok(())
    }

    /// Parses the `\n`-separated lines of `text` (no trailing newline) into `out`, in order.
    fn lines(&self, text: &[u8], out: &mut Vec<u8>) {
        let count = text.iter().filter(|&&b| b == b'\n').count() + 1;
        if self.threads < 2 || count < PARALLEL_FROM {
            self.sequential(text, out);
            return;
        }
        // Contiguous parts of about equal line counts, each cut at a newline.
        let per_part = count.div_ceil(self.threads);
        let mut parts = Vec::with_capacity(self.threads);
        let mut rest = text;
        while parts.len() + 1 < self.threads {
            let Some(cut) = rest
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .nth(per_part - 1)
                .map(|(i, _)| i)
            else {
                break;
            };
            parts.push(&rest[..cut]);
            rest = &rest[cut + 1..];
        }
        parts.push(rest);
        let mut rest_parts = parts.into_iter();
        let first = rest_parts.next().unwrap_or_default();
        std::thread::scope(|scope| {
            let handles: Vec<_> = rest_parts
                .map(|part| {
                    scope.spawn(move || {
                        let mut buf = Vec::with_capacity(part.len() * 4);
                        self.sequential(part, &mut buf);
                        buf
                    })
                })
                .collect();
            self.sequential(first, out);
            for handle in handles {
                match handle.join() {
                    Ok(buf) => out.extend_from_slice(&buf),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
    }

    fn sequential(&self, text: &[u8], out: &mut Vec<u8>) {
        for line in text.split(|&b| b == b'\n') {
            let text = String::from_utf8_lossy(line);
            let parsed = self
                .parser
                .parse_as(text.trim_end_matches('\r'), self.ctx, self.lang);
            parsed.intent.write_spec_json(out);
            out.push(b'\n');
        }
    }
}
