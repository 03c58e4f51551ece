//! A typed command: everything a user can ask with a slash command, and the one text grammar.
//!
//! Text (`/budget food 300 week`) becomes a [`Command`] through [`Command::from_slash`];
//! adapters with typed options (Discord) build the same values directly, so no option is ever
//! joined back into text for the core to re-read. Words whose meaning depends on the user's
//! day, currency or vocabulary (an amount, a period, a schedule) stay as the user wrote them and
//! are read with the parser when the command runs.

use super::reminders;
use super::table;
use crate::domain::{CategoryName, TransactionKind};
use crate::export::Format;
use crate::period::{BudgetPeriod, Granularity};

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
    /// `period` as the user wrote it (`last-month`, `october`); `None` is this month.
    Summary {
        period: Option<String>,
    },
    Savings {
        granularity: Granularity,
    },
    /// The chart grammar's words: `[categories|monthly|CATEGORY|budget|members] [PERIOD]`.
    Chart {
        words: String,
    },
    /// `/export`: the ledger as a file; `period` as written, `None` is everything.
    Export {
        format: Format,
        period: Option<String>,
    },
    BudgetSet {
        category: CategoryName,
        /// The limit as written (`300`, `300 EUR`), read with the user's currency.
        amount: String,
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
    /// The amount as written; in the text form, all the words, which the parser splits into
    /// amount, category, note and date.
    pub amount: String,
    /// When given, the entry goes here instead of the category the words suggest.
    pub category: Option<CategoryName>,
    pub note: Option<String>,
    /// A date as written (`yesterday`, `2026-11-20`).
    pub date: Option<String>,
}

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

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

const BUDGET_USAGE: &str = "Set a budget like /budget food 300 month (week, month or year).";
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
            "summary" => Command::Summary {
                period: non_empty(args),
            },
            "savings" => Command::savings(args),
            "chart" => Command::Chart {
                words: args.to_owned(),
            },
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
        Command::Add(AddCommand {
            kind,
            amount: args.to_owned(),
            category: None,
            note: None,
            date: None,
        })
    }

    /// `/spent` or `/earned` from typed options; an empty category lets the words decide.
    pub fn add(
        kind: TransactionKind,
        amount: &str,
        category: Option<&str>,
        note: Option<&str>,
        date: Option<&str>,
    ) -> Command {
        let category = match category.and_then(non_empty) {
            Some(c) => match CategoryName::parse(&c) {
                Ok(name) => Some(name),
                Err(e) => return invalid("category", e.to_string()),
            },
            None => None,
        };
        Command::Add(AddCommand {
            kind,
            amount: amount.trim().to_owned(),
            category,
            note: note.and_then(non_empty),
            date: date.and_then(non_empty),
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

    /// `/chart` from typed choices: a kind, a category, a period.
    pub fn chart(kind: Option<&str>, category: Option<&str>, period: Option<&str>) -> Command {
        let category = category.map(str::trim).filter(|c| !c.is_empty());
        let kind = kind.map(str::trim).filter(|k| !k.is_empty());
        // A category beside a kind other than `budget` means that category over time.
        let kind = match (kind, category) {
            (Some(k), Some(_)) if k.eq_ignore_ascii_case("budget") => Some(k),
            (_, Some(_)) => Some("category"),
            (k, None) => k,
        };
        let words = [kind, category, period.map(str::trim)]
            .into_iter()
            .flatten()
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Command::Chart { words }
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

    /// `/export` from typed choices: a format (csv unless given) and a period as written.
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
        Command::Export {
            format,
            period: period.and_then(non_empty),
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
        if amount.trim().is_empty() {
            return invalid("amount", BUDGET_USAGE);
        }
        Command::BudgetSet {
            category,
            amount: amount.trim().to_owned(),
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

    /// `/remind` from its choices: which reminder (`daily`, `bills`, `off`) and a time.
    pub fn remind(what: Option<&str>, time: Option<&str>) -> Command {
        let words = [what, time]
            .into_iter()
            .flatten()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        Command::Remind(reminders::read(&words))
    }
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
        fn amounts_stay_as_written_for_the_parser(amount in amount()) {
            let Command::Add(add) = Command::from_slash("spend", &amount) else {
                panic!("an alias of /spent");
            };
            prop_assert_eq!(add.kind, TransactionKind::Expense);
            prop_assert_eq!(add.amount, amount);
        }
    }

    #[test]
    fn aliases_and_unknown_names() {
        assert_eq!(
            Command::from_slash("report", "last-month"),
            Command::Summary {
                period: Some("last-month".into())
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
}
