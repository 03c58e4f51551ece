//! Free text to intents: offline, exact and fast (the contract is `shared/intents/SPEC.md`).

mod add;
mod amount;
mod category;
mod chart;
mod classify;
mod dates;
pub mod fx;
mod intent;
mod language;
mod lexicon;
mod message;
mod note;
mod period_spec;
mod periods;
#[cfg(test)]
mod properties;
pub mod recurrence;
pub mod shared;
mod spec_json;
mod spelling;
mod suggest;
mod tokens;

use chrono::NaiveDate;

use crate::domain::{CategoryName, DateOrder, TransactionKind};
use crate::money::{Currency, Decimal};
use crate::period::DateRange;

pub use intent::{AddIntent, BudgetIntent, Confidence, Intent, Metric, Parsed, QueryIntent};
pub use language::{Language, LanguageChoice, UnknownLanguage};
pub use period_spec::{CalendarUnit, DaySpec, PERIOD_FORMS, PeriodSpec};

use lexicon::Lexicon;
use message::{Message, prepare};

/// What the parser needs to know about the person writing.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext<'a> {
    /// The user's local date; relative dates resolve against it.
    pub today: NaiveDate,
    /// The currency when the message names none.
    pub currency: Currency,
    pub date_order: DateOrder,
    /// The user's own categories and learned keywords, consulted before the built-in lexicon.
    pub vocabulary: &'a Vocabulary,
}

/// A user's own words: custom categories and keyword → category mappings (learned or added).
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    categories: Vec<(CategoryName, TransactionKind)>,
    keywords: Vec<(String, CategoryName, TransactionKind)>,
}

impl Vocabulary {
    pub fn add_category(&mut self, name: CategoryName, kind: TransactionKind) {
        self.categories.push((name, kind));
    }

    /// Maps a keyword (as [`Parser::learnable_words`] produces) to a category.
    pub fn add_keyword(&mut self, keyword: &str, category: CategoryName, kind: TransactionKind) {
        self.keywords.push((keyword.to_owned(), category, kind));
    }

    pub fn categories(&self) -> &[(CategoryName, TransactionKind)] {
        &self.categories
    }

    pub fn keywords(&self) -> &[(String, CategoryName, TransactionKind)] {
        &self.keywords
    }
}

/// Why a slash command's arguments could not be read as a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddArgsError {
    #[error("I couldn't find an amount; try something like /spent 12.50 lunch")]
    MissingAmount,
    #[error("{0}")]
    BadAmount(String),
    /// `-5`: an entry is always positive; its kind (spent or earned) says which way it went.
    #[error("An amount can't be negative. {}", negative_hint(*.0))]
    Negative(TransactionKind),
    /// More than one entry may carry: the largest it may (from the money type's own limit).
    #[error("That amount is too large: the most one entry can be is {0}.")]
    TooLarge(crate::money::Money),
}

/// Why an amount given on its own (a typed option, a budget's limit) could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountArgError {
    Missing,
    /// Written with a minus sign.
    Negative,
    /// Words or a number that are not one amount; the text (clipped) as written.
    Unreadable(String),
    /// Digits beyond any number the money type could hold.
    TooLong,
}

impl AmountArgError {
    /// The same error the `/spent` or `/earned` words would give; the limit in `currency`, or
    /// in plain figures while the currency is not known yet.
    pub fn for_entry(self, kind: TransactionKind, currency: Option<Currency>) -> AddArgsError {
        match self {
            AmountArgError::Missing => AddArgsError::MissingAmount,
            AmountArgError::Negative => AddArgsError::Negative(kind),
            AmountArgError::Unreadable(raw) => AddArgsError::BadAmount(format!(
                "I can't read \"{raw}\" as an amount; write it like {}",
                match kind {
                    TransactionKind::Expense => "/spent 12.50 lunch",
                    TransactionKind::Income => "/earned 2500 salary",
                }
            )),
            AmountArgError::TooLong => match currency {
                Some(c) => AddArgsError::TooLarge(crate::money::Money::largest(c)),
                None => AddArgsError::BadAmount(
                    "That amount is too large: the most one entry can be is 1,000,000,000,000."
                        .to_owned(),
                ),
            },
        }
    }
}

fn negative_hint(kind: TransactionKind) -> &'static str {
    match kind {
        TransactionKind::Expense => {
            "For money that came in, use /earned; to take back an entry, use /undo."
        }
        TransactionKind::Income => {
            "For money that went out, use /spent; to take back an entry, use /undo."
        }
    }
}

/// A word written as a negative number (`-5`, `-$5`, `$-5`): minus signs are not read as part
/// of a number, so without this check `-5` would quietly become 5.
fn written_negative(args: &str) -> bool {
    let minus = |c: char| c == '-' || c == '\u{2212}';
    let symbol = |c: char| !c.is_alphanumeric() && !minus(c);
    args.split_whitespace().any(|w| {
        let w = w.trim_start_matches(symbol);
        w.strip_prefix(minus).is_some_and(|rest| {
            rest.trim_start_matches(symbol)
                .starts_with(|c: char| c.is_ascii_digit())
        })
    })
}

fn largest_amount() -> crate::money::Decimal {
    crate::money::Decimal::from_int(crate::money::MAX_MAJOR_UNITS)
}

/// Whether a number in the message is beyond what one entry may carry (or too long to read).
fn beyond_largest(msg: &Message<'_>) -> bool {
    let largest = largest_amount();
    msg.tokens.iter().any(|t| match t.kind {
        tokens::TokenKind::Number(n) => match n.value {
            Some(v) => v > largest,
            None => n.int_digits > 13,
        },
        _ => false,
    })
}

/// A command argument's words: dashes (outside `2026-11-02`) and underscores are spaces, so
/// `this-month` and `last_30_days` read as written with spaces.
fn argument_words(text: &str) -> String {
    let clipped = message::clip(text, 256);
    let chars: Vec<char> = clipped.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let digit_at = |k: Option<usize>| {
                k.and_then(|k| chars.get(k))
                    .is_some_and(char::is_ascii_digit)
            };
            let dash_in_date = c == '-' && digit_at(i.checked_sub(1)) && digit_at(Some(i + 1));
            if c == '_' || (c == '-' && !dash_in_date) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The rule-based parser. Build it once (it compiles its lexicon) and share it.
#[derive(Debug)]
pub struct Parser {
    lexicon: Lexicon,
    languages: language::Languages,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new()
    }
}

/// The process's parser: its lexicon is fixed data, compiled once on first use. Command
/// arguments are read with it where no [`crate::Tally`] is at hand (an adapter building a
/// command from its options).
pub fn shared() -> &'static Parser {
    static SHARED: std::sync::LazyLock<Parser> = std::sync::LazyLock::new(Parser::new);
    &SHARED
}

impl Parser {
    pub fn new() -> Parser {
        let lexicon = Lexicon::builtin(classify::KNOWN_WORDS);
        let languages = language::Languages::builtin(&lexicon);
        Parser { lexicon, languages }
    }

    /// Reads one chat message as English.
    ///
    /// Chats read English only until detection stops taking English for another language now
    /// and then: the property test over the whole lexicon found `amazon prime` read as French
    /// (`prime`, a bonus) and `a&e` as Portuguese (`e`, and). [`Parser::parse_as`] reads the
    /// other languages (`tally parse --lang`, the public sets).
    pub fn parse(&self, text: &str, ctx: &ParseContext<'_>) -> Parsed {
        self.parse_english(text, ctx)
    }

    /// Reads one chat message, `choice` breaking ties between languages (the account's own).
    pub fn parse_as(&self, text: &str, ctx: &ParseContext<'_>, choice: LanguageChoice) -> Parsed {
        match self.read_language(text, ctx, choice) {
            Some(reading) => {
                // Numeric dates in a language other than English are day first.
                let ctx = ParseContext {
                    date_order: DateOrder::Dmy,
                    ..*ctx
                };
                self.parse_english(&reading.english, &ctx)
            }
            None => self.parse_english(text, ctx),
        }
    }

    /// The language a message is written in (`choice` breaking ties).
    pub fn language_of(&self, text: &str, choice: LanguageChoice) -> Language {
        self.languages
            .detect(message::clip(text, message::MAX_INPUT), choice)
    }

    /// A message in another language, read into English (`None` for English).
    fn read_language(
        &self,
        text: &str,
        ctx: &ParseContext<'_>,
        choice: LanguageChoice,
    ) -> Option<language::Reading> {
        self.languages.read(
            message::clip(text, message::MAX_INPUT),
            choice,
            ctx.currency,
            ctx.vocabulary,
            &self.lexicon,
        )
    }

    fn parse_english(&self, text: &str, ctx: &ParseContext<'_>) -> Parsed {
        let lowered = prepare(text);
        let msg = Message::read(&self.lexicon, &lowered).with_original(text);
        classify::classify(&self.lexicon, &msg, ctx)
    }

    /// Reads the arguments of `/spent` or `/earned` (`12.50 lunch yesterday`), where the kind is
    /// already known and the words can only describe one transaction.
    pub fn parse_add_args(
        &self,
        args: &str,
        kind: TransactionKind,
        ctx: &ParseContext<'_>,
    ) -> Result<AddIntent, AddArgsError> {
        if written_negative(args) {
            return Err(AddArgsError::Negative(kind));
        }
        // English only, as in `parse`.
        let lowered = prepare(args);
        let msg = Message::read(&self.lexicon, &lowered).with_original(args);
        let too_large = || AddArgsError::TooLarge(crate::money::Money::largest(ctx.currency));
        let command = match kind {
            TransactionKind::Expense => "/spent 12.50 lunch",
            TransactionKind::Income => "/earned 2500 salary",
        };
        match add::read(&self.lexicon, &msg, ctx, Some(kind)) {
            Ok(guess) if guess.intent.amount > largest_amount() => Err(too_large()),
            Ok(guess) => Ok(guess.intent),
            Err(_) if beyond_largest(&msg) => Err(too_large()),
            Err(add::NoAdd::NoAmount) => Err(AddArgsError::MissingAmount),
            Err(add::NoAdd::BadAmount(raw)) => Err(AddArgsError::BadAmount(format!(
                "I can't read \"{raw}\" as an amount; write it like {command}"
            ))),
        }
    }

    /// Reads an amount given on its own (`12.50`, `300 EUR`, `€45`, `1,200`): its exact value and
    /// the currency it names, if any. Every word must belong to the amount. The value is not
    /// bounded here: the limit is said in the user's currency, which the caller knows.
    pub fn read_amount(&self, text: &str) -> Result<(Decimal, Option<Currency>), AmountArgError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AmountArgError::Missing);
        }
        if written_negative(text) {
            return Err(AmountArgError::Negative);
        }
        let unreadable = || AmountArgError::Unreadable(text.chars().take(32).collect());
        let lowered = prepare(text);
        let msg = Message::read(&self.lexicon, &lowered).with_original(text);
        let mut used = vec![false; msg.tokens.len()];
        let Some(best) = amount::best(&amount::candidates(&msg.tokens, &used, &msg.phrased)) else {
            // A number the candidates refuse: too long to hold, or too large to be an amount.
            let numbers: Vec<_> = msg.tokens.iter().filter_map(|t| t.num()).collect();
            return match numbers.as_slice() {
                [n] if n.value.is_none() && n.int_digits > 13 => Err(AmountArgError::TooLong),
                [n] if n.value.is_some_and(|v| v > largest_amount()) && msg.tokens.len() == 1 => {
                    n.value.map(|v| (v, None)).ok_or_else(unreadable)
                }
                [] => Err(AmountArgError::Missing),
                _ => Err(unreadable()),
            };
        };
        for u in used.iter_mut().take(best.end).skip(best.start) {
            *u = true;
        }
        let currency = best
            .currency
            .or_else(|| amount::loose_currency(&msg.tokens, &used, &msg.phrased));
        // Besides the amount, only its currency and punctuation.
        let stray = msg.tokens.iter().enumerate().any(|(i, t)| {
            let part_of_it = used[i]
                || matches!(
                    t.kind,
                    tokens::TokenKind::Punct(_) | tokens::TokenKind::Symbol(_)
                )
                || (t.is_word() && amount::currency_word(t.word()).is_some());
            !part_of_it
        });
        if stray {
            return Err(unreadable());
        }
        Ok((best.value, currency))
    }

    /// Free text that starts like a record but names no amount (`spent abc on lunch`): the
    /// kind it would record, so the reply can say what is missing instead of guessing.
    pub fn record_without_amount(&self, text: &str) -> Option<TransactionKind> {
        let lowered = prepare(text);
        let msg = Message::read(&self.lexicon, &lowered).with_original(text);
        add::record_without_amount(&msg)
    }

    /// A request for a chart in free text (`graph my spending`, `chart of food this year`), or
    /// `None` when the message does not ask for one.
    pub fn parse_chart(
        &self,
        text: &str,
        ctx: &ParseContext<'_>,
    ) -> Option<crate::services::charts::ChartRequest> {
        let lowered = prepare(text);
        let msg = Message::read(&self.lexicon, &lowered).with_original(text);
        chart::read(&self.lexicon, &msg, ctx)
    }

    /// Reads a period argument (`this-month`, `last month`, `october`, `2025`, `last 7 days`).
    pub fn parse_period(&self, text: &str, today: NaiveDate) -> Option<DateRange> {
        // A leading `in` lets a lone month abbreviation (`oct`, `may`) read as a month.
        let lowered = prepare(&format!("in {}", argument_words(text)));
        let msg = Message::read(&self.lexicon, &lowered);
        let used = vec![false; msg.tokens.len()];
        periods::find(&msg.tokens, &used, today, DateOrder::Mdy).map(|f| f.range)
    }

    /// Reads a command's period argument into its form, to be placed on the calendar when the
    /// command runs; `None` when the words are not all one period.
    pub fn read_period(&self, text: &str) -> Option<PeriodSpec> {
        let lowered = prepare(&argument_words(text).replace("..", " to "));
        let msg = Message::read(&self.lexicon, &lowered);
        PeriodSpec::read(&msg.tokens)
    }

    /// Reads a command's date argument (`yesterday`, `2026-11-20`, `nov 3`) into its form.
    pub fn read_day(&self, text: &str) -> Option<DaySpec> {
        let lowered = prepare(&argument_words(text));
        let msg = Message::read(&self.lexicon, &lowered);
        DaySpec::read(&msg.tokens)
    }

    /// The categories a note most likely belongs to, best first, for "which category?" buttons.
    pub fn suggest_categories(
        &self,
        note: &str,
        kind: TransactionKind,
        n: usize,
    ) -> Vec<CategoryName> {
        suggest::suggest(&self.lexicon, note, kind, n)
    }

    /// The category a note alone points to (the person's own words first, then the built-in
    /// lexicon), as a chat message's words would choose it; `None` when nothing fits. Imports
    /// use it for bank rows, which carry a description but no category.
    pub fn category_of_note(
        &self,
        note: &str,
        kind: TransactionKind,
        vocabulary: &Vocabulary,
    ) -> Option<CategoryName> {
        let lowered = prepare(note);
        let msg = Message::read(&self.lexicon, &lowered).with_original(note);
        category::from_vocabulary(&msg, vocabulary, Some(kind))
            .or_else(|| category::from_lexicon(&self.lexicon, &msg, kind, true))
            .map(|c| c.name)
            .filter(|n| !n.is_other())
    }

    /// The words of a note worth remembering when the user re-categorises it.
    pub fn learnable_words(&self, note: &str) -> Vec<String> {
        note::learnable(note)
    }
}
