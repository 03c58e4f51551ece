//! The one command table: every menu, registration and help text is generated from it.
//!
//! Adapters never keep their own list: Telegram's menu, Discord's slash commands and `/help`
//! read these entries, so a command added here appears everywhere, and tests compare each
//! platform's registered set with this table.

use crate::domain::ChatKind;

/// Where a command makes sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Private,
    Group,
    Both,
}

impl Scope {
    /// Whether the command is offered in a chat of this kind.
    pub fn includes(self, kind: ChatKind) -> bool {
        match self {
            Scope::Both => true,
            Scope::Private => kind == ChatKind::Private,
            Scope::Group => kind == ChatKind::Group,
        }
    }
}

/// The type of an option's value. Amounts are text: they are read exactly (with a currency) by
/// the parser, never as a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    Text,
    Integer { min: u32, max: u32 },
}

/// Where suggestions for an option come from while the user types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suggest {
    /// The categories of the ledger the command would use.
    Categories,
}

/// One typed option of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: OptionKind,
    pub required: bool,
    /// `(label, value)`; when not empty only these values are offered.
    pub choices: &'static [(&'static str, &'static str)],
    pub suggest: Option<Suggest>,
}

/// A sub-command (`/budget set`, `/keyword remove`) with its own options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [OptionSpec],
}

/// One command, as menus, registrations and help show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    pub name: &'static str,
    /// Other words the text grammar accepts for it (`/spend`, `/report`); never registered.
    pub aliases: &'static [&'static str],
    /// The text form's arguments, as `/help` shows them.
    pub usage: &'static str,
    pub description: &'static str,
    pub options: &'static [OptionSpec],
    pub subcommands: &'static [SubSpec],
    pub scope: Scope,
    /// Always about the caller's own account (a login link, a link code, settings): it never
    /// works on a group's ledger, and platforms that can answer privately do so.
    pub personal: bool,
    /// Only members the platform lets manage the chat may use it; menus may hide it from others.
    pub manage: bool,
    /// Left out of `/help` and the menus (still understood).
    pub hidden: bool,
}

const fn cmd(name: &'static str, usage: &'static str, description: &'static str) -> CommandSpec {
    CommandSpec {
        name,
        aliases: &[],
        usage,
        description,
        options: &[],
        subcommands: &[],
        scope: Scope::Both,
        personal: false,
        manage: false,
        hidden: false,
    }
}

const fn text(name: &'static str, description: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        description,
        kind: OptionKind::Text,
        required: false,
        choices: &[],
        suggest: None,
    }
}

const fn required(mut o: OptionSpec) -> OptionSpec {
    o.required = true;
    o
}

const fn categories(mut o: OptionSpec) -> OptionSpec {
    o.suggest = Some(Suggest::Categories);
    o
}

const fn choices(
    mut o: OptionSpec,
    choices: &'static [(&'static str, &'static str)],
) -> OptionSpec {
    o.choices = choices;
    o
}

const fn sub(
    name: &'static str,
    description: &'static str,
    options: &'static [OptionSpec],
) -> SubSpec {
    SubSpec {
        name,
        description,
        options,
    }
}

/// The periods offered as choices (values are what the period reader understands).
pub const PERIODS: &[(&str, &str)] = &[
    ("This month", "this-month"),
    ("Last month", "last-month"),
    ("This week", "this-week"),
    ("Last week", "last-week"),
    ("This quarter", "this-quarter"),
    ("Last quarter", "last-quarter"),
    ("This year", "this-year"),
    ("Last year", "last-year"),
    ("Today", "today"),
    ("Yesterday", "yesterday"),
];

pub const GRANULARITIES: &[(&str, &str)] =
    &[("Month", "month"), ("Quarter", "quarter"), ("Year", "year")];

/// The kinds `/chart` offers; a single category is chosen with the `category` option.
pub const CHART_KINDS: &[(&str, &str)] = &[
    ("By category", "categories"),
    ("Month by month", "monthly"),
    ("Quarter by quarter", "monthly quarter"),
    ("Budget", "budget"),
    ("By member (groups)", "members"),
];

/// The formats `/export` offers (values are what `export::Format::parse` reads).
pub const EXPORT_FORMATS: &[(&str, &str)] = &[
    ("CSV", "csv"),
    ("Beancount", "beancount"),
    ("Ledger (hledger)", "ledger"),
    ("JSON lines", "json"),
];

const BUDGET_PERIODS: &[(&str, &str)] = &[("Week", "week"), ("Month", "month"), ("Year", "year")];

const CATEGORY: OptionSpec =
    categories(text("category", "Category (leave out to let Tally guess)"));

const ADD_OPTIONS: &[OptionSpec] = &[
    required(text("amount", "How much, e.g. 12.50 or 12.50 EUR")),
    CATEGORY,
    text("note", "What it was for"),
    text(
        "date",
        "When, e.g. yesterday or 2026-11-20 (default: today)",
    ),
];

/// The name of the command that gives a group chat its own shared ledger or switches it off.
pub const GROUP_LEDGER: &str = "budget-channel";

/// Every command Tally understands, in the order menus show them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        aliases: &["expense", "spend"],
        options: ADD_OPTIONS,
        ..cmd("spent", "AMOUNT [CATEGORY] [NOTE]", "record an expense")
    },
    CommandSpec {
        aliases: &["income", "earn"],
        options: ADD_OPTIONS,
        ..cmd("earned", "AMOUNT [CATEGORY] [NOTE]", "record income")
    },
    CommandSpec {
        options: &[required(text("text", "What to record or ask"))],
        ..cmd("ask", "TEXT", "anything in your own words")
    },
    CommandSpec {
        aliases: &["last"],
        options: &[OptionSpec {
            kind: OptionKind::Integer { min: 1, max: 50 },
            ..text("count", "How many (1-50, default 5)")
        }],
        ..cmd("recent", "[N]", "the latest transactions")
    },
    CommandSpec {
        aliases: &["report"],
        options: &[choices(
            text("period", "Which period (default: this month)"),
            PERIODS,
        )],
        ..cmd(
            "summary",
            "[PERIOD]",
            "income, expenses and categories (this-month, last-month, this-year…)",
        )
    },
    CommandSpec {
        options: &[choices(
            text("granularity", "Per month, quarter or year (default: month)"),
            GRANULARITIES,
        )],
        ..cmd(
            "savings",
            "[month|quarter|year]",
            "savings and savings rate over time",
        )
    },
    CommandSpec {
        aliases: &["charts", "graph"],
        options: &[
            choices(
                text("kind", "What to chart (default: by category)"),
                CHART_KINDS,
            ),
            categories(text(
                "category",
                "One category over time (or: its budget, with kind Budget)",
            )),
            choices(
                text(
                    "period",
                    "Which period (default: this month, or the last 12 months)",
                ),
                PERIODS,
            ),
        ],
        ..cmd(
            "chart",
            "[categories|monthly|CATEGORY|budget|members] [PERIOD]",
            "a chart: by category, month by month, one category, a budget, or by member",
        )
    },
    CommandSpec {
        options: &[
            choices(text("format", "File format (default: csv)"), EXPORT_FORMATS),
            choices(
                text("period", "Which period (default: everything)"),
                PERIODS,
            ),
        ],
        ..cmd(
            "export",
            "[csv|beancount|ledger|json] [PERIOD]",
            "your entries as a file: CSV, beancount, ledger or JSON lines",
        )
    },
    CommandSpec {
        subcommands: &[
            sub(
                "set",
                "Set a budget for a category",
                &[
                    required(categories(text("category", "Which category"))),
                    required(text("amount", "The limit, e.g. 300")),
                    choices(
                        text("period", "Per week, month or year (default: month)"),
                        BUDGET_PERIODS,
                    ),
                ],
            ),
            sub("show", "How the budgets stand", &[]),
            sub(
                "remove",
                "Remove a category's budget",
                &[required(categories(text("category", "Which category")))],
            ),
        ],
        ..cmd(
            "budget",
            "CATEGORY AMOUNT [week|month|year]",
            "set a budget (or: /budget remove CATEGORY)",
        )
    },
    cmd("budgets", "", "how the budgets stand"),
    cmd(
        "advice",
        "",
        "what stands out in your spending, with suggestions",
    ),
    CommandSpec {
        options: &[choices(
            text(
                "frequency",
                "How often (leave out to see the current setting)",
            ),
            &[("Weekly", "weekly"), ("Monthly", "monthly"), ("Off", "off")],
        )],
        ..cmd(
            "digest",
            "[weekly|monthly|off]",
            "a regular summary in this chat",
        )
    },
    cmd("undo", "", "remove your last entry"),
    CommandSpec {
        aliases: &["schedule"],
        options: &[required(text(
            "entry",
            "e.g. rent 1450 monthly on the 1st, or netflix 15.99 every month",
        ))],
        ..cmd(
            "repeat",
            "ENTRY SCHEDULE",
            "schedule a recurring entry, e.g. /repeat rent 1450 monthly on the 1st",
        )
    },
    CommandSpec {
        aliases: &["schedules"],
        options: &[
            choices(
                text("action", "What to do (default: list)"),
                &[
                    ("List", "list"),
                    ("Skip the next one", "skip"),
                    ("Pause", "pause"),
                    ("Resume", "resume"),
                    ("Delete", "delete"),
                    ("Change the amount", "edit"),
                ],
            ),
            text("number", "The schedule's number in the list"),
            text("amount", "The new amount (for edit)"),
        ],
        ..cmd(
            "recurring",
            "[skip|pause|resume|delete N | edit N AMOUNT]",
            "the scheduled entries, with their next date and yearly cost",
        )
    },
    CommandSpec {
        aliases: &["reminders", "reminder"],
        options: &[
            choices(
                text("what", "Which reminder (leave out to see yours)"),
                &[
                    ("Daily nudge", "daily"),
                    ("Bills the day before", "bills"),
                    ("Off", "off"),
                ],
            ),
            text("time", "For the daily nudge, e.g. 21:00"),
        ],
        ..cmd(
            "remind",
            "[daily HH:MM | bills | off]",
            "a nudge on days with nothing recorded, or the day before a bill",
        )
    },
    CommandSpec {
        aliases: &["category"],
        options: &[
            choices(
                text("action", "What to do (default: list)"),
                &[
                    ("List", "list"),
                    ("Add an expense category", "add"),
                    ("Add an income category", "add-income"),
                    ("Rename", "rename"),
                    ("Archive", "archive"),
                    ("Restore", "restore"),
                ],
            ),
            categories(text("name", "The category")),
            text("new_name", "The new name (for rename)"),
        ],
        ..cmd(
            "categories",
            "[add|rename|archive …]",
            "list or manage categories",
        )
    },
    CommandSpec {
        aliases: &["recat"],
        options: &[required(categories(text("category", "The right category")))],
        ..cmd(
            "recategorize",
            "CATEGORY",
            "move your last entry to another category (I learn its words)",
        )
    },
    CommandSpec {
        aliases: &["keywords"],
        subcommands: &[
            sub(
                "add",
                "Teach Tally that some words mean a category",
                &[
                    required(text("words", "e.g. blue bottle")),
                    required(categories(text("category", "The category they mean"))),
                ],
            ),
            sub(
                "remove",
                "Forget a word",
                &[required(text("words", "The word to forget"))],
            ),
            sub("list", "Your own words", &[]),
        ],
        ..cmd(
            "keyword",
            "[WORDS CATEGORY | remove WORD]",
            "your own words for a category, e.g. /keyword blue bottle food",
        )
    },
    CommandSpec {
        personal: true,
        options: &[
            choices(
                text("setting", "What to change (leave out to see them)"),
                &[
                    ("Currency", "currency"),
                    ("Time zone", "timezone"),
                    ("Date order", "dateorder"),
                ],
            ),
            text("value", "e.g. EUR, Europe/Berlin, dmy"),
        ],
        ..cmd(
            "settings",
            "[currency|timezone|dateorder VALUE]",
            "your currency, time zone and date order",
        )
    },
    CommandSpec {
        personal: true,
        ..cmd(
            "login",
            "",
            "a link to set a password for the app, or to join an account you have (private chat)",
        )
    },
    CommandSpec {
        personal: true,
        options: &[text(
            "code",
            "A code from the other account (leave out to get one)",
        )],
        ..cmd(
            "link",
            "[CODE]",
            "connect this chat to your other chats or the app (private chat)",
        )
    },
    CommandSpec {
        personal: true,
        ..cmd(
            "unlink",
            "",
            "give this chat its own account again; the history stays (private chat)",
        )
    },
    cmd("help", "", "what Tally can do"),
    CommandSpec {
        subcommands: &[
            sub("enable", "Give this channel its own shared budget", &[]),
            sub("disable", "Switch this channel's shared budget off", &[]),
        ],
        scope: Scope::Group,
        manage: true,
        ..cmd(
            GROUP_LEDGER,
            "enable|disable",
            "share a budget in this channel, or switch it off",
        )
    },
    CommandSpec {
        hidden: true,
        ..cmd("start", "", "start talking to Tally")
    },
    CommandSpec {
        options: &[
            required(text("amount", "How much, e.g. 100 (or 100 EUR)")),
            required(text("to", "Into which currency, e.g. USD")),
            text("from", "From which currency, e.g. EUR (default: yours)"),
        ],
        ..cmd(
            "convert",
            "AMOUNT FROM TO",
            "convert money at today's ECB rates, e.g. /convert 100 EUR USD",
        )
    },
    CommandSpec {
        options: &[
            required(text("amount", "How much, e.g. 90 or 90 EUR")),
            text("note", "What it was for"),
            text(
                "members",
                "Who shares it: @ann @ben, @ann 2x, @ann 30, @ann 50% (default: everyone)",
            ),
        ],
        scope: Scope::Group,
        ..cmd(
            "split",
            "AMOUNT [NOTE] [for] [@member [2x|30|50%]…]",
            "a shared expense you paid, split equally, by shares, amounts or percentages",
        )
    },
    CommandSpec {
        aliases: &["balance", "owe"],
        scope: Scope::Group,
        ..cmd("balances", "", "who owes whom in this group, per currency")
    },
    CommandSpec {
        aliases: &["settleup"],
        scope: Scope::Group,
        ..cmd("settle", "", "the fewest payments that settle everyone up")
    },
    CommandSpec {
        options: &[
            required(text("member", "Who you paid, e.g. @ann")),
            required(text("amount", "How much, e.g. 20")),
        ],
        scope: Scope::Group,
        ..cmd(
            "paid",
            "@member AMOUNT",
            "record that you paid a member back",
        )
    },
];

/// The command a name (or one of its aliases) stands for.
pub fn find(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name))
}

/// The commands `/help` and the menus offer in a chat of this kind, in table order.
pub fn offered(kind: ChatKind) -> impl Iterator<Item = &'static CommandSpec> {
    COMMANDS
        .iter()
        .filter(move |c| !c.hidden && c.scope.includes(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in COMMANDS {
            for n in std::iter::once(&c.name).chain(c.aliases) {
                assert!(seen.insert(*n), "{n} is used twice");
            }
        }
    }

    #[test]
    fn every_entry_fits_the_platforms_limits() {
        for c in COMMANDS {
            assert!(c.name.len() <= 32, "{}", c.name);
            assert!(
                c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                "{}",
                c.name
            );
            assert!(
                (3..=100).contains(&c.description.chars().count()),
                "{}",
                c.name
            );
            assert!(
                c.options.is_empty() || c.subcommands.is_empty(),
                "{}",
                c.name
            );
        }
    }
}
