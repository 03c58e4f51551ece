//! A typed command: everything a user can ask with a slash command, and the one text grammar.
//!
//! Text (`/budget food 300 week`) becomes a [`Command`] through [`Command::from_slash`];
//! adapters with typed options (Discord) build the same values directly, so no option is ever
//! joined back into text for the core to re-read. A period is read here into its form
//! ([`PeriodSpec`]) and placed on the user's calendar when the command runs; words whose meaning
//! depends on the user's vocabulary (an entry's category words, a schedule) stay as written and
//! are read with the parser when the command runs.

use super::reminders;
use super::table;
use crate::domain::{CategoryName, TransactionKind};
use crate::export::Format;
use crate::money::{Currency, Decimal, Money};
use crate::parser::{self, AmountArgError, DaySpec, PERIOD_FORMS, PeriodSpec};
use crate::period::{BudgetPeriod, Granularity};
use crate::services::charts::ChartKind;
use crate::services::reminders::{BILLS_AT_MINUTE, DAILY_DEFAULT_MINUTE, Kind as ReminderKind};

/// How many entries `/recent` shows without a number, and at most.
pub const DEFAULT_RECENT: u32 = super::intents::DEFAULT_RECENT;
pub const MAX_RECENT: u32 = super::intents::MAX_RECENT;

/// Everything a user can ask with a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/spent`, `/earned`.
    Add(AddCommand),
    /// Free text addressed to the bot explicitly.
    Ask {
        text: String,
    },
    Recent {
        count: u32,
    },
    /// `None` is this month.
    Summary {
        period: Option<PeriodSpec>,
    },
    Savings {
        granularity: Granularity,
    },
    Chart(ChartArgs),
    /// `/export`: the ledger as a file; no period is everything.
    Export {
        format: Format,
        period: Option<PeriodSpec>,
    },
    BudgetSet {
        category: CategoryName,
        /// The limit (`300`, `300 EUR`); the user's currency when it names none.
        amount: AmountArg,
        period: BudgetPeriod,
    },
    BudgetRemove {
        category: CategoryName,
        period: Option<BudgetPeriod>,
    },
    Budgets,
    Advice,
    /// `weekly`, `monthly`, `off`, or nothing to see the current setting.
    Digest {
        frequency: String,
    },
    Undo,
    /// An entry and its schedule, as written (`rent 1450 monthly on the 1st`).
    Repeat {
        entry: String,
    },
    Recurring(RecurringCommand),
    /// `None` when the words asked for no reminder the grammar knows.
    Remind(Option<reminders::Request>),
    Categories(CategoriesCommand),
    Recategorize {
        category: CategoryName,
    },
    Keyword(KeywordCommand),
    Settings(SettingsCommand),
    Login,
    /// `None` asks for a code to use elsewhere.
    Link {
        code: Option<String>,
    },
    Unlink,
    Help,
    /// The first message; a start link carries a link code.
    Start {
        code: Option<String>,
    },
    /// Give this group chat its own shared ledger (`true`) or switch it off.
    GroupLedger {
        enable: bool,
    },
    /// A command this table does not have.
    Unknown {
        name: String,
    },
    /// The arguments could not be read: the user gets `message`.
    Invalid {
        field: &'static str,
        message: String,
    },
    /// `/convert 100 EUR USD`, the words as written (read when it runs).
    Convert {
        args: String,
    },
    /// `/split`: a shared expense the sender paid.
    Split(SplitCommand),
    /// `/balances`: each member's net position.
    Balances,
    /// `/settle`: the fewest payments that settle everyone.
    Settle,
    /// `/paid @ann 20`: the sender paid a member back. The words as written (a member and an
    /// amount, in either order), read when the command runs.
    Paid {
        words: String,
    },
    /// `/split unmerge @ann`: a placeholder merged into someone stands apart again.
    Unmerge {
        username: String,
    },
}

/// `/split 90 taxi @ann @ben`, or the same as typed options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitCommand {
    /// The amount as written; in the text form, all the words before the first member (the
    /// parser splits them into amount, category, note and date), as for [`AddCommand`].
    pub amount: String,
    /// Who shares it and how, as written: `for @ann`, `@ann 2x @ben`, `@ann 30`, `@ann 50%`.
    /// Empty: everyone in the group.
    pub members: String,
}

/// `/spent 12.50 lunch yesterday`, or the same as typed options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCommand {
    pub kind: TransactionKind,
    pub entry: AddEntry,
}

/// What an entry is made of: the text form's words, or typed parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddEntry {
    /// The words after `/spent` (`12.50 lunch yesterday`), never empty: amount, category, note
    /// and date in one phrase, which only the parser with the user's own category words can
    /// split, so they are read when the command runs.
    Words(String),
    /// Typed options (Discord): each part in its own field.
    Parts(AddParts),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddParts {
    pub amount: AmountArg,
    /// When given, the entry goes here; otherwise to the uncategorised `other`.
    pub category: Option<CategoryName>,
    pub note: Option<String>,
    /// The day it happened; today when not given.
    pub date: Option<DaySpec>,
}

/// An amount as a command gives it: the exact value and the currency it names, if any. The
/// user's currency fills in when the command runs, and the limit of [`Money`] is checked there,
/// so that the refusal can name the largest amount in that currency. Built only by reading
/// ([`AmountArg::read`]), so it is always positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountArg {
    value: Decimal,
    currency: Option<Currency>,
}

impl AmountArg {
    /// `12.50`, `300 EUR`, `€45`: every word must belong to the amount.
    pub fn read(text: &str) -> Result<AmountArg, AmountArgError> {
        parser::shared()
            .read_amount(text)
            .map(|(value, currency)| AmountArg { value, currency })
    }

    pub fn value(&self) -> Decimal {
        self.value
    }

    /// The currency written with the amount, if any.
    pub fn currency(&self) -> Option<Currency> {
        self.currency
    }

    /// The value and its currency (`default` when it names none); beyond what one entry or
    /// budget may carry, the largest amount there is in that currency.
    pub fn in_currency(&self, default: Currency) -> Result<(Decimal, Currency), Money> {
        let currency = self.currency.unwrap_or(default);
        let largest = Money::largest(currency);
        if self.value > largest.to_decimal() {
            return Err(largest);
        }
        Ok((self.value, currency))
    }
}

/// `/chart`: what to draw and over which period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartArgs {
    pub kind: ChartKind,
    /// The bucket of a month-by-month chart.
    pub granularity: Granularity,
    /// `None` is the kind's own default (this month, or the last 12 months).
    pub period: Option<PeriodSpec>,
}

impl ChartArgs {
    fn of(kind: ChartKind) -> ChartArgs {
        ChartArgs {
            kind,
            granularity: Granularity::Month,
            period: None,
        }
    }
}

pub const CHART_USAGE: &str = "Use /chart categories, /chart monthly [quarter|year], /chart CATEGORY, \
                     /chart budget [CATEGORY] or /chart members, with a period if you like \
                     (e.g. /chart categories last-month).";

const REMIND_TIME_USAGE: &str = "Give the time like 21:00, 9pm or 8:30am.";

/// What a date option no form reads is answered with.
pub const DATE_USAGE: &str =
    "I didn't get that date. Try today, yesterday, monday, 3 days ago, nov 3 or 2026-11-20.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecurringCommand {
    List,
    /// The numbered schedule: skip, pause, resume or delete (the verb as written).
    Act {
        verb: String,
        number: usize,
    },
    /// A new amount, as written, from the next entry on.
    Edit {
        number: usize,
        amount: String,
    },
    /// Words the grammar could not read: answered with the usage.
    Usage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoriesCommand {
    List,
    Add {
        name: CategoryName,
        kind: TransactionKind,
    },
    Rename {
        old: CategoryName,
        new: CategoryName,
    },
    Archive(CategoryName),
    Restore(CategoryName),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeywordCommand {
    List,
    /// The words as written; only the learnable ones are kept.
    Teach {
        words: String,
        category: CategoryName,
    },
    Forget {
        words: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsCommand {
    Show,
    /// A setting and its new value, as written (`currency`, `EUR`).
    Change {
        key: String,
        value: String,
    },
}

fn invalid(field: &'static str, message: impl Into<String>) -> Command {
    Command::Invalid {
        field,
        message: message.into(),
    }
}

/// What a period argument no form reads is answered with: the forms there are.
pub fn period_usage() -> String {
    format!("I didn't get that period. Try {PERIOD_FORMS}.")
}

/// A chart's period: unreadable is the chart's usage.
fn chart_period(text: Option<&str>) -> Result<Option<PeriodSpec>, Box<Command>> {
    period_arg(text).map_err(|_| Box::new(invalid("period", CHART_USAGE)))
}

/// A period argument as written; empty is none, unreadable is the [`Command::Invalid`] to give.
fn period_arg(text: Option<&str>) -> Result<Option<PeriodSpec>, Box<Command>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parser::shared()
            .read_period(t)
            .map(Some)
            .ok_or_else(|| Box::new(invalid("period", period_usage()))),
    }
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

pub(crate) const BUDGET_USAGE: &str =
    "Set a budget like /budget food 300 month (week, month or year).";
const CATEGORIES_USAGE: &str = "Use /categories, /categories add NAME [income], /categories rename OLD NEW or /categories archive NAME.";
const KEYWORD_USAGE: &str = "Use /keyword WORDS CATEGORY (e.g. /keyword blue bottle food), \
                     /keyword remove WORD, or /keyword to list yours.";

impl Command {
    /// The one argument grammar: a slash command's name (or alias) and the rest of its text.
    pub fn from_slash(name: &str, args: &str) -> Command {
        let args = args.trim();
        let Some(spec) = table::find(&name.to_ascii_lowercase()) else {
            return Command::Unknown {
                name: name.to_owned(),
            };
        };
        match spec.name {
            "spent" => Command::add_text(TransactionKind::Expense, args),
            "earned" => Command::add_text(TransactionKind::Income, args),
            "ask" => Command::Ask {
                text: args.to_owned(),
            },
            "recent" => Command::recent(args),
            "summary" => Command::summary(Some(args)),
            "savings" => Command::savings(args),
            "chart" => Command::chart_text(args),
            "export" => Command::export_text(args),
            "budget" => Command::budget(args),
            "budgets" => Command::Budgets,
            "advice" => Command::Advice,
            "digest" => Command::Digest {
                frequency: args.to_owned(),
            },
            "undo" => Command::Undo,
            "repeat" => Command::Repeat {
                entry: args.to_owned(),
            },
            "recurring" => Command::Recurring(RecurringCommand::read(args)),
            "remind" => Command::Remind(reminders::read(args)),
            "categories" => Command::categories(args),
            "recategorize" => Command::recategorize(args),
            "keyword" => Command::keyword(args),
            "settings" => {
                let mut words = args.split_whitespace();
                match words.next() {
                    None => Command::Settings(SettingsCommand::Show),
                    Some(key) => Command::settings(key, &words.collect::<Vec<_>>().join(" ")),
                }
            }
            "login" => Command::Login,
            "link" => Command::Link {
                code: non_empty(args),
            },
            "unlink" => Command::Unlink,
            "help" => Command::Help,
            "start" => Command::Start {
                code: non_empty(args),
            },
            "convert" => Command::Convert {
                args: args.to_owned(),
            },
            "split" => Command::split_text(args),
            "balances" => Command::Balances,
            "settle" => Command::Settle,
            "paid" => Command::Paid {
                words: args.to_owned(),
            },
            table::GROUP_LEDGER => match args.to_ascii_lowercase().as_str() {
                "enable" | "on" => Command::GroupLedger { enable: true },
                "disable" | "off" => Command::GroupLedger { enable: false },
                _ => invalid(
                    "command",
                    format!("Use /{0} enable or /{0} disable.", table::GROUP_LEDGER),
                ),
            },
            other => Command::Unknown {
                name: other.to_owned(),
            },
        }
    }

    fn add_text(kind: TransactionKind, args: &str) -> Command {
        if args.trim().is_empty() {
            return invalid("amount", tell_me_how_much(kind));
        }
        Command::Add(AddCommand {
            kind,
            entry: AddEntry::Words(args.trim().to_owned()),
        })
    }

    /// `/spent` or `/earned` from typed options, each read into its type here.
    pub fn add(
        kind: TransactionKind,
        amount: &str,
        category: Option<&str>,
        note: Option<&str>,
        date: Option<&str>,
    ) -> Command {
        if amount.trim().is_empty() {
            return invalid("amount", tell_me_how_much(kind));
        }
        let amount = match AmountArg::read(amount) {
            Ok(a) => a,
            Err(e) => return invalid("amount", e.for_entry(kind, None).to_string()),
        };
        let category = match category.and_then(non_empty) {
            Some(c) => match CategoryName::parse(&c) {
                Ok(name) => Some(name),
                Err(e) => return invalid("category", e.to_string()),
            },
            None => None,
        };
        let date = match date.and_then(non_empty) {
            Some(d) => match parser::shared().read_day(&d) {
                Some(day) => Some(day),
                None => return invalid("date", DATE_USAGE),
            },
            None => None,
        };
        Command::Add(AddCommand {
            kind,
            entry: AddEntry::Parts(AddParts {
                amount,
                category,
                note: note.and_then(non_empty),
                date,
            }),
        })
    }

    /// `/split` as text: the words up to the first member (or `for`/`with` before one) are
    /// the amount and note, the rest says who shares it.
    fn split_text(args: &str) -> Command {
        let words: Vec<&str> = args.split_whitespace().collect();
        if let [verb, who] = words.as_slice()
            && matches!(verb.to_ascii_lowercase().as_str(), "unmerge" | "undo-merge")
        {
            return Command::Unmerge {
                username: who.trim_start_matches('@').to_owned(),
            };
        }
        let first_member = words
            .iter()
            .position(|w| w.starts_with('@'))
            .unwrap_or(words.len());
        let mut cut = first_member;
        while cut > 1
            && matches!(
                words[cut - 1].to_ascii_lowercase().as_str(),
                "for" | "with" | "among" | "between" | "everyone" | "all"
            )
        {
            cut -= 1;
        }
        Command::split(&words[..cut].join(" "), None, &words[cut..].join(" "))
    }

    /// `/split` from typed options: the amount, a note, and who shares it.
    pub fn split(amount: &str, note: Option<&str>, members: &str) -> Command {
        if amount.trim().is_empty() {
            return invalid(
                "amount",
                "Tell me how much, e.g. /split 90 taxi @ann @ben (or /split 60 groceries for everyone).",
            );
        }
        let amount = match note.and_then(non_empty) {
            Some(n) => format!("{} {n}", amount.trim()),
            None => amount.trim().to_owned(),
        };
        Command::Split(SplitCommand {
            amount,
            members: members.trim().to_owned(),
        })
    }

    /// `/recent` with a count as written.
    pub fn recent(args: &str) -> Command {
        if args.trim().is_empty() {
            return Command::Recent {
                count: DEFAULT_RECENT,
            };
        }
        match args.trim().parse::<u32>() {
            Ok(n) => Command::recent_count(n),
            Err(_) => recent_usage(),
        }
    }

    /// `/recent` with a typed count.
    pub fn recent_count(count: u32) -> Command {
        if (1..=MAX_RECENT).contains(&count) {
            Command::Recent { count }
        } else {
            recent_usage()
        }
    }

    /// `/summary [PERIOD]`, from the words or a typed choice.
    pub fn summary(period: Option<&str>) -> Command {
        match period_arg(period) {
            Ok(period) => Command::Summary { period },
            Err(invalid) => *invalid,
        }
    }

    /// `/savings month|quarter|year`; nothing is per month.
    pub fn savings(word: &str) -> Command {
        let word = word.trim();
        if word.is_empty() {
            return Command::Savings {
                granularity: Granularity::Month,
            };
        }
        match word.parse() {
            Ok(granularity) => Command::Savings { granularity },
            Err(_) => invalid(
                "granularity",
                "Use /savings month, /savings quarter or /savings year.",
            ),
        }
    }

    /// `/chart` from typed choices: a kind (`monthly quarter` carries its bucket), a category,
    /// a period. A category beside any kind but `budget` means that category over time.
    pub fn chart(kind: Option<&str>, category: Option<&str>, period: Option<&str>) -> Command {
        let mut words = kind.unwrap_or("").split_whitespace();
        let mut args = match words.next() {
            None => ChartArgs::of(ChartKind::Categories),
            Some(word) => match ChartKind::from_word(word) {
                Some(kind) => ChartArgs::of(kind),
                None => return invalid("kind", CHART_USAGE),
            },
        };
        if let Some(word) = words.next() {
            match word.parse() {
                Ok(g) if args.kind == ChartKind::Monthly => args.granularity = g,
                _ => return invalid("kind", CHART_USAGE),
            }
        }
        if let Some(name) = category.and_then(non_empty) {
            let Ok(name) = CategoryName::parse(&name) else {
                return invalid("category", CHART_USAGE);
            };
            args.kind = match args.kind {
                ChartKind::Budget(_) => ChartKind::Budget(Some(name)),
                _ => ChartKind::Category(name),
            };
        }
        match chart_period(period) {
            Ok(p) => args.period = p,
            Err(invalid) => return *invalid,
        }
        Command::Chart(args)
    }

    /// `/chart [categories|monthly [quarter|year]|category NAME|NAME|budget [NAME]|members]
    /// [PERIOD]`: a first word that is no kind is a period when all the words are one, else
    /// the category to chart (whether the ledger has it is known when the command runs).
    fn chart_text(args: &str) -> Command {
        let words: Vec<&str> = args.split_whitespace().collect();
        let Some((first, rest)) = words.split_first() else {
            return Command::Chart(ChartArgs::of(ChartKind::Categories));
        };
        let name = |w: &str| {
            CategoryName::parse(w).map_err(|_| Box::new(invalid("category", CHART_USAGE)))
        };
        let is_period = |ws: &[&str]| parser::shared().read_period(&ws.join(" ")).is_some();
        let (kind, rest) = match ChartKind::from_word(first) {
            _ if first.eq_ignore_ascii_case("category") && !rest.is_empty() => {
                match name(rest[0]) {
                    Ok(n) => (ChartKind::Category(n), &rest[1..]),
                    Err(e) => return *e,
                }
            }
            Some(ChartKind::Budget(None)) => match rest.split_first() {
                Some((n, after)) if !is_period(rest) => match name(n) {
                    Ok(n) => (ChartKind::Budget(Some(n)), after),
                    Err(e) => return *e,
                },
                _ => (ChartKind::Budget(None), rest),
            },
            Some(kind) => (kind, rest),
            None if is_period(&words) => (ChartKind::Categories, &words[..]),
            None => match name(first) {
                Ok(n) => (ChartKind::Category(n), rest),
                Err(e) => return *e,
            },
        };
        let mut args = ChartArgs::of(kind);
        let mut rest = rest;
        if args.kind == ChartKind::Monthly
            && let Some((g, after)) = rest.split_first()
            && let Ok(g) = g.parse::<Granularity>()
        {
            args.granularity = g;
            rest = after;
        }
        match chart_period((!rest.is_empty()).then(|| rest.join(" ")).as_deref()) {
            Ok(p) => args.period = p,
            Err(invalid) => return *invalid,
        }
        Command::Chart(args)
    }

    /// `/export [FORMAT] [PERIOD]`: a first word that names a format is the format.
    fn export_text(args: &str) -> Command {
        let mut words = args.split_whitespace();
        match words.next() {
            None => Command::export(None, None),
            Some(first) if Format::parse(first).is_some() => {
                Command::export(Some(first), Some(&words.collect::<Vec<_>>().join(" ")))
            }
            // No format named: the words are the period, in CSV.
            Some(_) => Command::export(None, Some(args)),
        }
    }

    /// `/export` from typed choices: a format (csv unless given) and a period.
    pub fn export(format: Option<&str>, period: Option<&str>) -> Command {
        let format = match format.map(str::trim).filter(|f| !f.is_empty()) {
            None => Format::Csv,
            Some(word) => match Format::parse(word) {
                Some(f) => f,
                None => {
                    return invalid(
                        "format",
                        "Use /export csv, /export beancount, /export ledger or /export json.",
                    );
                }
            },
        };
        match period_arg(period) {
            Ok(period) => Command::Export { format, period },
            Err(invalid) => *invalid,
        }
    }

    fn budget(args: &str) -> Command {
        let mut words = args.split_whitespace();
        let Some(first) = words.next() else {
            return Command::Budgets;
        };
        let verb = first.to_ascii_lowercase();
        if matches!(verb.as_str(), "show" | "list" | "status") {
            return Command::Budgets;
        }
        if matches!(verb.as_str(), "remove" | "delete" | "clear" | "off") {
            let Some(name) = words.next() else {
                return invalid(
                    "category",
                    "Say which budget to remove, e.g. /budget remove food",
                );
            };
            return Command::budget_remove(name, words.next());
        }
        let mut rest: Vec<&str> = words.collect();
        let period = match rest.last().and_then(|w| w.parse::<BudgetPeriod>().ok()) {
            Some(p) => {
                rest.pop();
                Some(p)
            }
            None => None,
        };
        Command::budget_set(first, &rest.join(" "), period)
    }

    /// `/budget set` from typed options; no period is per month.
    pub fn budget_set(category: &str, amount: &str, period: Option<BudgetPeriod>) -> Command {
        let Ok(category) = CategoryName::parse(category) else {
            return invalid("category", BUDGET_USAGE);
        };
        let Ok(amount) = AmountArg::read(amount) else {
            return invalid("amount", BUDGET_USAGE);
        };
        Command::BudgetSet {
            category,
            amount,
            period: period.unwrap_or(BudgetPeriod::Month),
        }
    }

    /// `/budget remove CATEGORY [PERIOD]`; a period that is not one is left out.
    pub fn budget_remove(category: &str, period: Option<&str>) -> Command {
        match CategoryName::parse(category) {
            Ok(category) => Command::BudgetRemove {
                category,
                period: period.and_then(|p| p.parse().ok()),
            },
            Err(e) => invalid("category", e.to_string()),
        }
    }

    fn categories(args: &str) -> Command {
        let mut words = args.split_whitespace();
        let sub = words.next().map(str::to_ascii_lowercase);
        let rest: Vec<&str> = words.collect();
        let kind = if rest.iter().any(|w| w.eq_ignore_ascii_case("income")) {
            TransactionKind::Income
        } else {
            TransactionKind::Expense
        };
        let name: Vec<&str> = rest
            .iter()
            .copied()
            .filter(|w| !w.eq_ignore_ascii_case("income") && !w.eq_ignore_ascii_case("expense"))
            .collect();
        let name = name.join(" ");
        match sub.as_deref() {
            None | Some("list") => Command::Categories(CategoriesCommand::List),
            Some("add") => Command::category_add(&name, kind),
            Some("rename") => match rest.as_slice() {
                [old, new] => Command::category_rename(old, Some(new)),
                _ => Command::category_rename("", None),
            },
            Some("archive") => Command::category_archive(&name, true),
            Some("restore" | "unarchive") => Command::category_archive(&name, false),
            Some(_) => invalid("command", CATEGORIES_USAGE),
        }
    }

    pub fn category_add(name: &str, kind: TransactionKind) -> Command {
        match CategoryName::parse(name) {
            Ok(name) => Command::Categories(CategoriesCommand::Add { name, kind }),
            Err(e) => invalid("name", e.to_string()),
        }
    }

    /// `/categories rename OLD NEW`; without a new name, the usage.
    pub fn category_rename(old: &str, new: Option<&str>) -> Command {
        let Some(new) = new.filter(|n| !n.trim().is_empty() && !old.trim().is_empty()) else {
            return invalid("name", "Use /categories rename OLD NEW");
        };
        match (CategoryName::parse(old), CategoryName::parse(new)) {
            (Ok(old), Ok(new)) => Command::Categories(CategoriesCommand::Rename { old, new }),
            (Err(e), _) | (_, Err(e)) => invalid("name", e.to_string()),
        }
    }

    /// Archives (`true`) or restores a category.
    pub fn category_archive(name: &str, archive: bool) -> Command {
        match CategoryName::parse(name) {
            Ok(name) if archive => Command::Categories(CategoriesCommand::Archive(name)),
            Ok(name) => Command::Categories(CategoriesCommand::Restore(name)),
            Err(e) => invalid("name", e.to_string()),
        }
    }

    /// `/recategorize CATEGORY`.
    pub fn recategorize(category: &str) -> Command {
        match CategoryName::parse(category.trim()) {
            Ok(category) => Command::Recategorize { category },
            Err(_) => invalid(
                "category",
                "Say which category, e.g. /recategorize groceries",
            ),
        }
    }

    fn keyword(args: &str) -> Command {
        let words: Vec<&str> = args.split_whitespace().collect();
        match words.as_slice() {
            [] | ["list"] => Command::Keyword(KeywordCommand::List),
            [verb, rest @ ..]
                if !rest.is_empty()
                    && matches!(
                        verb.to_ascii_lowercase().as_str(),
                        "remove" | "forget" | "delete"
                    ) =>
            {
                Command::Keyword(KeywordCommand::Forget {
                    words: rest.join(" "),
                })
            }
            [phrase @ .., last] if !phrase.is_empty() => {
                Command::keyword_teach(&phrase.join(" "), last)
            }
            _ => invalid("keyword", KEYWORD_USAGE),
        }
    }

    /// `/keyword WORDS CATEGORY`.
    pub fn keyword_teach(words: &str, category: &str) -> Command {
        match CategoryName::parse(category.trim()) {
            Ok(category) => Command::Keyword(KeywordCommand::Teach {
                words: words.trim().to_owned(),
                category,
            }),
            Err(_) => invalid("category", KEYWORD_USAGE),
        }
    }

    /// `/settings KEY VALUE`.
    pub fn settings(key: &str, value: &str) -> Command {
        Command::Settings(SettingsCommand::Change {
            key: key.trim().to_ascii_lowercase(),
            value: value.trim().to_owned(),
        })
    }

    /// `/remind` from its choices: which reminder (`daily`, `bills`, `off`) and a time of day
    /// for the daily one (`21:00`, `9pm`); a time alone is the daily one.
    pub fn remind(what: Option<&str>, time: Option<&str>) -> Command {
        let minute = match time.and_then(non_empty) {
            None => None,
            Some(t) => match reminders::time_of_day(&t) {
                Some(m) => Some(m),
                None => return invalid("time", REMIND_TIME_USAGE),
            },
        };
        let what = what.and_then(non_empty).map(|w| w.to_ascii_lowercase());
        Command::Remind(match (what.as_deref(), minute) {
            (None, None) => Some(reminders::Request::Show),
            (None | Some("daily"), m) => Some(reminders::Request::On(
                ReminderKind::Daily,
                m.unwrap_or(DAILY_DEFAULT_MINUTE),
            )),
            (Some("bills"), _) => {
                Some(reminders::Request::On(ReminderKind::Bills, BILLS_AT_MINUTE))
            }
            (Some("off"), _) => Some(reminders::Request::Off(None)),
            // Not one of the choices: answered with the usage.
            (Some(_), _) => None,
        })
    }
}

/// `/spent` or `/earned` with nothing after it.
fn tell_me_how_much(kind: TransactionKind) -> String {
    let verb = match kind {
        TransactionKind::Expense => "spent",
        TransactionKind::Income => "earned",
    };
    format!("Tell me how much, e.g. /{verb} 12.50 lunch")
}

fn recent_usage() -> Command {
    invalid(
        "count",
        format!("Use /recent or /recent 10 (up to {MAX_RECENT})."),
    )
}

impl RecurringCommand {
    /// `list`, `skip 2`, `pause 2`, `resume 2`, `delete 2`, `edit 2 17.99`.
    pub fn read(args: &str) -> RecurringCommand {
        let mut words = args.split_whitespace();
        let verb = words.next();
        let number = words.next();
        RecurringCommand::chosen(verb, number, &words.collect::<Vec<_>>().join(" "))
    }

    /// From its parts: a verb (none or `list` lists), the schedule's number as written
    /// (`2`, `#2`), and the new amount for `edit`.
    pub fn chosen(verb: Option<&str>, number: Option<&str>, amount: &str) -> RecurringCommand {
        let Some(verb) = verb
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty() && v != "list")
        else {
            return RecurringCommand::List;
        };
        let number = number.and_then(|w| w.trim().trim_start_matches('#').parse().ok());
        match number {
            Some(number) => RecurringCommand::numbered(&verb, number, amount),
            None => RecurringCommand::Usage,
        }
    }

    /// A verb for the schedule numbered `number`; `amount` only matters to `edit`.
    pub fn numbered(verb: &str, number: usize, amount: &str) -> RecurringCommand {
        let verb = verb.trim().to_ascii_lowercase();
        match verb.as_str() {
            "edit" | "amount" | "change" => RecurringCommand::Edit {
                number,
                amount: amount.trim().to_owned(),
            },
            "skip" | "pause" | "stop" | "resume" | "start" | "unpause" | "delete" | "remove"
            | "cancel" => RecurringCommand::Act { verb, number },
            _ => RecurringCommand::Usage,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::{CalendarUnit, DaySpec};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn category() -> impl Strategy<Value = String> {
        "[a-z]{2,12}"
    }

    fn amount() -> impl Strategy<Value = String> {
        (
            1u32..1_000_000,
            0u32..100,
            prop::option::of("(EUR|USD|GBP)"),
        )
            .prop_map(|(units, cents, currency)| match currency {
                Some(c) => format!("{units}.{cents:02} {c}"),
                None => format!("{units}.{cents:02}"),
            })
    }

    fn period() -> impl Strategy<Value = (&'static str, BudgetPeriod)> {
        prop_oneof![
            Just(("week", BudgetPeriod::Week)),
            Just(("month", BudgetPeriod::Month)),
            Just(("year", BudgetPeriod::Year))
        ]
    }

    proptest! {
        /// Typed constructors (what Discord's options build) equal the text grammar's reading.
        #[test]
        fn budgets_read_the_same_as_text_and_typed(
            cat in category(), amount in amount(), (word, period) in period()
        ) {
            let text = Command::from_slash("budget", &format!("{cat} {amount} {word}"));
            prop_assert_eq!(&text, &Command::budget_set(&cat, &amount, Some(period)));
            let set = matches!(text, Command::BudgetSet { .. });
            prop_assert!(set, "not a budget: {:?}", text);
            prop_assert_eq!(
                Command::from_slash("budget", &format!("remove {cat}")),
                Command::budget_remove(&cat, None)
            );
        }

        #[test]
        fn categories_and_counts_read_the_same_as_text_and_typed(
            cat in category(), words in "[a-z]{3,8}( [a-z]{3,8})?", n in 0u32..80
        ) {
            prop_assert_eq!(
                Command::from_slash("recategorize", &cat),
                Command::recategorize(&cat)
            );
            prop_assert_eq!(
                Command::from_slash("keyword", &format!("{words} {cat}")),
                Command::keyword_teach(&words, &cat)
            );
            prop_assert_eq!(
                Command::from_slash("categories", &format!("add {cat} income")),
                Command::category_add(&cat, TransactionKind::Income)
            );
            prop_assert_eq!(Command::from_slash("recent", &n.to_string()), Command::recent_count(n));
        }

        #[test]
        fn entry_words_stay_for_the_parser(amount in amount()) {
            let words = format!("{amount} lunch");
            let Command::Add(add) = Command::from_slash("spend", &words) else {
                panic!("an alias of /spent");
            };
            prop_assert_eq!(add.kind, TransactionKind::Expense);
            prop_assert_eq!(add.entry, AddEntry::Words(words));
        }

        /// A typed amount keeps its exact value and the currency it names.
        #[test]
        fn typed_amounts_are_exact(units in 1u32..1_000_000, cents in 0u32..100, eur: bool) {
            let text = format!("{units}.{cents:02}{}", if eur { " EUR" } else { "" });
            let read = AmountArg::read(&text);
            prop_assert_eq!(
                read.as_ref().ok().map(|a| a.value().to_string()),
                Some(format!("{units}.{cents:02}"))
            );
            prop_assert_eq!(read.ok().and_then(|a| a.currency()), eur.then_some(Currency::EUR));
        }
    }

    #[test]
    fn aliases_and_unknown_names() {
        assert_eq!(
            Command::from_slash("report", "last-month"),
            Command::Summary {
                period: Some(PeriodSpec::Previous(CalendarUnit::Month))
            }
        );
        assert_eq!(
            Command::from_slash("recat", "food"),
            Command::recategorize("food")
        );
        assert_eq!(
            Command::from_slash("nope", ""),
            Command::Unknown {
                name: "nope".into()
            }
        );
        assert!(matches!(
            Command::from_slash("recent", "500"),
            Command::Invalid { field: "count", .. }
        ));
    }

    /// Periods are read when the command is built: each form to its value, and words that are
    /// no period to a message naming the forms.
    #[test]
    fn periods_are_typed_when_built() {
        let summary = |args: &str| Command::from_slash("summary", args);
        assert_eq!(summary(""), Command::Summary { period: None });
        for (args, want) in [
            ("this-month", PeriodSpec::This(CalendarUnit::Month)),
            ("last week", PeriodSpec::Previous(CalendarUnit::Week)),
            (
                "october 2025",
                PeriodSpec::Month {
                    month: 10,
                    year: Some(2025),
                },
            ),
            (
                "oct",
                PeriodSpec::Month {
                    month: 10,
                    year: None,
                },
            ),
            ("2025", PeriodSpec::Year(2025)),
            ("last_30_days", PeriodSpec::TrailingDays(30)),
            ("yesterday", PeriodSpec::Day(DaySpec::DaysAgo(1))),
            (
                "2026-11-01..2026-11-15",
                PeriodSpec::Between(
                    DaySpec::Date(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default()),
                    DaySpec::Date(NaiveDate::from_ymd_opt(2026, 11, 15).unwrap_or_default()),
                ),
            ),
        ] {
            assert_eq!(
                summary(args),
                Command::Summary { period: Some(want) },
                "{args}"
            );
        }
        for bad in ["the age of aquarius", "soon", "q7"] {
            let Command::Invalid { field, message } = summary(bad) else {
                panic!("{bad} is no period");
            };
            assert_eq!(field, "period");
            assert!(
                message.contains("last-month") && message.contains("2025"),
                "{message}"
            );
        }
        assert!(matches!(
            Command::from_slash("export", "csv someday"),
            Command::Invalid {
                field: "period",
                ..
            }
        ));
        assert_eq!(
            Command::from_slash("export", "jsonl q3"),
            Command::Export {
                format: Format::JsonLines,
                period: Some(PeriodSpec::Quarter {
                    quarter: 3,
                    year: None
                })
            }
        );
    }

    fn typed(amount: &str, date: Option<&str>) -> Command {
        Command::add(TransactionKind::Expense, amount, Some("food"), None, date)
    }

    #[test]
    fn typed_amounts_and_dates_are_read_when_built() {
        let Command::Add(AddCommand {
            entry: AddEntry::Parts(parts),
            ..
        }) = typed("€12.50", Some("yesterday"))
        else {
            panic!("typed parts");
        };
        assert_eq!(parts.amount.currency(), Some(Currency::EUR));
        assert_eq!(parts.amount.value().to_string(), "12.50");
        assert_eq!(parts.date, Some(DaySpec::DaysAgo(1)));
        assert_eq!(parts.category, CategoryName::parse("food").ok());
        for (amount, date, field, says) in [
            (
                "",
                None,
                "amount",
                "Tell me how much, e.g. /spent 12.50 lunch",
            ),
            ("-5", None, "amount", "can't be negative"),
            ("abc", None, "amount", "couldn't find an amount"),
            ("12 lunch", None, "amount", "can't read \"12 lunch\""),
            ("12", Some("someday"), "date", "nov 3"),
        ] {
            let Command::Invalid { field: f, message } = typed(amount, date) else {
                panic!("{amount} {date:?} is refused");
            };
            assert_eq!(f, field, "{amount}");
            assert!(message.contains(says), "{amount}: {message}");
        }
        assert!(matches!(
            Command::from_slash("spent", "  "),
            Command::Invalid {
                field: "amount",
                ..
            }
        ));
        // The limit is the user's currency's, applied when the command runs.
        let huge = AmountArg::read("99999999999999").expect("a number");
        assert_eq!(
            huge.in_currency(Currency::USD),
            Err(Money::largest(Currency::USD))
        );
        let fine = AmountArg::read("300").expect("a number");
        assert_eq!(
            fine.in_currency(Currency::GBP).map(|(_, c)| c),
            Ok(Currency::GBP)
        );
        assert!(matches!(
            Command::from_slash("budget", "food lots month"),
            Command::Invalid {
                field: "amount",
                ..
            }
        ));
    }

    #[test]
    fn charts_are_typed_from_text_and_choices() {
        let chart = |args: &str| Command::from_slash("chart", args);
        let food = || CategoryName::parse("food").expect("a name");
        let args = |kind, period| {
            Command::Chart(ChartArgs {
                kind,
                granularity: Granularity::Month,
                period,
            })
        };
        let last_month = Some(PeriodSpec::Previous(CalendarUnit::Month));
        assert_eq!(chart(""), args(ChartKind::Categories, None));
        assert_eq!(
            chart("last-month"),
            args(ChartKind::Categories, last_month.clone())
        );
        assert_eq!(
            chart("food last-month"),
            args(ChartKind::Category(food()), last_month.clone())
        );
        assert_eq!(
            chart("category food"),
            Command::chart(None, Some("food"), None)
        );
        assert_eq!(
            chart("budget food"),
            Command::chart(Some("budget"), Some("food"), None)
        );
        assert_eq!(
            chart("budget this-month"),
            args(
                ChartKind::Budget(None),
                Some(PeriodSpec::This(CalendarUnit::Month))
            )
        );
        assert_eq!(
            chart("monthly quarter 2025"),
            Command::chart(Some("monthly quarter"), None, Some("2025"))
        );
        let Command::Chart(quarterly) = chart("monthly quarter") else {
            panic!("a chart");
        };
        assert_eq!(quarterly.granularity, Granularity::Quarter);
        assert!(matches!(
            chart("food someday soon"),
            Command::Invalid {
                field: "period",
                ..
            }
        ));
        assert!(matches!(
            Command::chart(Some("sideways"), None, None),
            Command::Invalid { field: "kind", .. }
        ));
    }

    #[test]
    fn reminders_are_typed_from_choices_as_from_text() {
        for (what, time, text) in [
            (None, None, ""),
            (Some("daily"), Some("21:30"), "daily 21:30"),
            (Some("daily"), None, "daily"),
            (Some("daily"), Some("9 pm"), "daily 9 pm"),
            (None, Some("8am"), "8am"),
            (Some("bills"), None, "bills"),
            (Some("off"), None, "off"),
        ] {
            assert_eq!(
                Command::remind(what, time),
                Command::from_slash("remind", text),
                "{text}"
            );
        }
        assert!(matches!(
            Command::remind(Some("daily"), Some("teatime")),
            Command::Invalid { field: "time", .. }
        ));
    }
}
