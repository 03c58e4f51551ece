//! The slash commands Tally registers with Discord, and how a used command becomes core input.

use serenity::all::{
    CommandData, CommandDataOption, CommandDataOptionValue, CommandOptionType, CreateCommand,
    CreateCommandOption, InstallationContext, InteractionContext, Permissions,
};
use tally_core::conversation::Content;

/// The value kinds Tally's options use. Amounts are text, read exactly by the core.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    Integer { min: u64, max: u64 },
}

#[derive(Debug, Clone, Copy)]
pub struct Opt {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub autocomplete: bool,
    /// `(label, value)`; when not empty Discord only accepts these.
    pub choices: &'static [(&'static str, &'static str)],
}

#[derive(Debug, Clone, Copy)]
pub struct Sub {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [Opt],
}

#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [Opt],
    pub subcommands: &'static [Sub],
    /// Always about the caller's own account (a login link, a link code, settings), so it never
    /// works on a channel's ledger and its answer is always private.
    pub personal: bool,
    /// Only offered inside servers (the command manages a channel).
    pub guild_only: bool,
}

const fn text(name: &'static str, description: &'static str) -> Opt {
    Opt {
        name,
        description,
        kind: Kind::Text,
        required: false,
        autocomplete: false,
        choices: &[],
    }
}

const fn required(mut o: Opt) -> Opt {
    o.required = true;
    o
}

const fn autocompleted(mut o: Opt) -> Opt {
    o.autocomplete = true;
    o
}

const fn choices(mut o: Opt, choices: &'static [(&'static str, &'static str)]) -> Opt {
    o.choices = choices;
    o
}

const fn spec(name: &'static str, description: &'static str, options: &'static [Opt]) -> Spec {
    Spec {
        name,
        description,
        options,
        subcommands: &[],
        personal: false,
        guild_only: false,
    }
}

/// The periods `/summary` offers (values are what the core's period reader understands).
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

const BUDGET_PERIODS: &[(&str, &str)] = &[("Week", "week"), ("Month", "month"), ("Year", "year")];

const CATEGORY: Opt = autocompleted(text("category", "Category (leave out to let Tally guess)"));

const ADD_OPTIONS: &[Opt] = &[
    required(text("amount", "How much, e.g. 12.50 or 12.50 EUR")),
    CATEGORY,
    text("note", "What it was for"),
    text(
        "date",
        "When, e.g. yesterday or 2026-11-20 (default: today)",
    ),
];

/// Every command, in the order Discord lists them.
pub const SPECS: &[Spec] = &[
    spec("spent", "Record an expense", ADD_OPTIONS),
    spec("earned", "Record income", ADD_OPTIONS),
    spec(
        "ask",
        "Say it in your own words: \"spent 12 on lunch yesterday\", \"food this month?\"",
        &[required(text("text", "What to record or ask"))],
    ),
    spec(
        "recent",
        "The latest transactions",
        &[Opt {
            name: "count",
            description: "How many (1-50, default 5)",
            kind: Kind::Integer { min: 1, max: 50 },
            required: false,
            autocomplete: false,
            choices: &[],
        }],
    ),
    spec(
        "summary",
        "Income, expenses and categories for a period",
        &[choices(
            text("period", "Which period (default: this month)"),
            PERIODS,
        )],
    ),
    spec(
        "savings",
        "Savings and savings rate over time",
        &[choices(
            text("granularity", "Per month, quarter or year (default: month)"),
            GRANULARITIES,
        )],
    ),
    spec(
        "chart",
        "A chart: by category, month by month, one category, a budget, or by member",
        &[
            choices(
                text("kind", "What to chart (default: by category)"),
                CHART_KINDS,
            ),
            autocompleted(text(
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
    ),
    Spec {
        subcommands: &[
            Sub {
                name: "set",
                description: "Set a budget for a category",
                options: &[
                    required(autocompleted(text("category", "Which category"))),
                    required(text("amount", "The limit, e.g. 300")),
                    choices(
                        text("period", "Per week, month or year (default: month)"),
                        BUDGET_PERIODS,
                    ),
                ],
            },
            Sub {
                name: "show",
                description: "How the budgets stand",
                options: &[],
            },
            Sub {
                name: "remove",
                description: "Remove a category's budget",
                options: &[required(autocompleted(text("category", "Which category")))],
            },
        ],
        ..spec("budget", "Set, show or remove budgets", &[])
    },
    spec("undo", "Remove your last entry", &[]),
    spec(
        "categories",
        "List or manage categories",
        &[
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
            autocompleted(text("name", "The category")),
            text("new_name", "The new name (for rename)"),
        ],
    ),
    spec(
        "recategorize",
        "Move your last entry to another category (Tally learns its words)",
        &[required(autocompleted(text(
            "category",
            "The right category",
        )))],
    ),
    Spec {
        subcommands: &[
            Sub {
                name: "add",
                description: "Teach Tally that some words mean a category",
                options: &[
                    required(text("words", "e.g. blue bottle")),
                    required(autocompleted(text("category", "The category they mean"))),
                ],
            },
            Sub {
                name: "remove",
                description: "Forget a word",
                options: &[required(text("words", "The word to forget"))],
            },
            Sub {
                name: "list",
                description: "Your own words",
                options: &[],
            },
        ],
        ..spec("keyword", "Your own words for categories", &[])
    },
    spec(
        "advice",
        "Findings and suggestions about your spending",
        &[],
    ),
    spec(
        "repeat",
        "Schedule a recurring entry",
        &[required(text(
            "entry",
            "e.g. rent 1450 monthly on the 1st, or netflix 15.99 every month",
        ))],
    ),
    spec(
        "recurring",
        "Scheduled entries: list, skip, pause, resume, delete or edit one",
        &[
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
    ),
    spec(
        "remind",
        "A nudge on days with nothing recorded, or the day before a bill",
        &[
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
    ),
    spec(
        "digest",
        "A weekly or monthly summary with advice, posted here",
        &[choices(
            text(
                "frequency",
                "How often (leave out to see the current setting)",
            ),
            &[("Weekly", "weekly"), ("Monthly", "monthly"), ("Off", "off")],
        )],
    ),
    Spec {
        personal: true,
        ..spec(
            "link",
            "Link this Discord account with another Tally account",
            &[text(
                "code",
                "A code from the other account (leave out to get one)",
            )],
        )
    },
    Spec {
        personal: true,
        ..spec(
            "unlink",
            "Give this Discord account its own Tally account again (the history stays)",
            &[],
        )
    },
    Spec {
        personal: true,
        ..spec(
            "login",
            "A private link to sign in to Tally on the web",
            &[],
        )
    },
    Spec {
        personal: true,
        ..spec(
            "settings",
            "Your currency, time zone and date order",
            &[
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
        )
    },
    spec("help", "What Tally can do", &[]),
    Spec {
        subcommands: &[
            Sub {
                name: "enable",
                description: "Give this channel its own shared budget",
                options: &[],
            },
            Sub {
                name: "disable",
                description: "Switch this channel's shared budget off",
                options: &[],
            },
        ],
        guild_only: true,
        ..spec("budget-channel", "Share a budget in this channel", &[])
    },
];

pub fn find(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.name == name)
}

/// The commands as Discord's bulk-overwrite endpoint takes them.
pub fn registration() -> Vec<CreateCommand> {
    SPECS.iter().map(create).collect()
}

fn create(s: &Spec) -> CreateCommand {
    let mut c = CreateCommand::new(s.name)
        .description(s.description)
        .integration_types(vec![InstallationContext::Guild])
        .contexts(if s.guild_only {
            vec![InteractionContext::Guild]
        } else {
            vec![InteractionContext::Guild, InteractionContext::BotDm]
        });
    if s.guild_only {
        // A hint for Discord's menus; the permission is checked again on every use, since
        // server admins can override who sees a command.
        c = c.default_member_permissions(Permissions::MANAGE_CHANNELS);
    }
    for o in s.options {
        c = c.add_option(option(o));
    }
    for sub in s.subcommands {
        let mut o =
            CreateCommandOption::new(CommandOptionType::SubCommand, sub.name, sub.description);
        for so in sub.options {
            o = o.add_sub_option(option(so));
        }
        c = c.add_option(o);
    }
    c
}

fn option(o: &Opt) -> CreateCommandOption {
    let kind = match o.kind {
        Kind::Text => CommandOptionType::String,
        Kind::Integer { .. } => CommandOptionType::Integer,
    };
    let mut c = CreateCommandOption::new(kind, o.name, o.description)
        .required(o.required)
        .set_autocomplete(o.autocomplete);
    if let Kind::Integer { min, max } = o.kind {
        c = c.min_int_value(min).max_int_value(max);
    }
    for (label, value) in o.choices {
        c = c.add_string_choice(*label, *value);
    }
    c
}

/// A command as it was used, in the core's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Used {
    pub name: String,
    pub args: String,
    pub options: Vec<(String, String)>,
}

impl Used {
    pub fn into_content(self) -> Content {
        Content::Command {
            name: self.name,
            args: self.args,
            options: self.options,
        }
    }
}

/// A used command as core input: typed options as `options`, and the same values as `args` in
/// the order the core's text form expects (`/budget set food 300 month` → `budget`,
/// `food 300 month`).
pub fn used(data: &CommandData) -> Used {
    let name = data.name.clone();
    let Some(spec) = find(&name) else {
        return Used {
            name,
            args: String::new(),
            options: Vec::new(),
        };
    };
    let sub = data.options.iter().find_map(|o| match &o.value {
        CommandDataOptionValue::SubCommand(opts) => Some((o.name.as_str(), opts.as_slice())),
        _ => None,
    });
    let (declared, given, mut words): (&[Opt], &[CommandDataOption], Vec<String>) = match sub {
        Some((sub_name, given)) => {
            let declared = spec
                .subcommands
                .iter()
                .find(|s| s.name == sub_name)
                .map_or(&[][..], |s| s.options);
            // `/budget set` is the core's plain `/budget CATEGORY AMOUNT PERIOD`.
            let words = if spec.name == "budget" && sub_name == "set" {
                Vec::new()
            } else {
                vec![sub_name.to_owned()]
            };
            (declared, given, words)
        }
        None => (spec.options, data.options.as_slice(), Vec::new()),
    };
    let mut options: Vec<(String, String)> = Vec::new();
    for o in declared {
        let Some(value) = given.iter().find(|g| g.name == o.name).and_then(value_of) else {
            continue;
        };
        let value = value.trim().to_owned();
        if value.is_empty() {
            continue;
        }
        options.push((o.name.to_owned(), value.clone()));
        words.push(value);
    }
    // "add-income" is the core's `add NAME income`.
    if spec.name == "categories" && words.first().is_some_and(|w| w == "add-income") {
        words[0] = "add".to_owned();
        words.push("income".to_owned());
    }
    Used {
        name,
        args: words.join(" "),
        options,
    }
}

fn value_of(o: &CommandDataOption) -> Option<String> {
    match &o.value {
        CommandDataOptionValue::String(s) => Some(s.clone()),
        CommandDataOptionValue::Integer(n) => Some(n.to_string()),
        CommandDataOptionValue::Boolean(b) => Some(b.to_string()),
        CommandDataOptionValue::Autocomplete { value, .. } => Some(value.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(v: serde_json::Value) -> CommandData {
        serde_json::from_value(v).expect("command data")
    }

    fn command(u: Used) -> (String, String, Vec<(String, String)>) {
        (u.name, u.args, u.options)
    }

    #[test]
    fn spent_keeps_typed_options_in_declared_order() {
        let d = data(json!({"id": "1", "name": "spent", "type": 1, "options": [
            {"name": "note", "type": 3, "value": "lunch"},
            {"name": "amount", "type": 3, "value": "12.50"},
            {"name": "category", "type": 3, "value": "food"},
        ]}));
        let (name, args, options) = command(used(&d));
        assert_eq!(name, "spent");
        assert_eq!(args, "12.50 food lunch");
        assert_eq!(
            options,
            vec![
                ("amount".to_owned(), "12.50".to_owned()),
                ("category".to_owned(), "food".to_owned()),
                ("note".to_owned(), "lunch".to_owned()),
            ]
        );
    }

    #[test]
    fn subcommands_become_the_core_text_form() {
        let set = data(json!({"id": "1", "name": "budget", "type": 1, "options": [
            {"name": "set", "type": 1, "options": [
                {"name": "period", "type": 3, "value": "week"},
                {"name": "amount", "type": 3, "value": "300"},
                {"name": "category", "type": 3, "value": "food"},
            ]},
        ]}));
        assert_eq!(command(used(&set)).1, "food 300 week");
        let remove = data(json!({"id": "1", "name": "budget", "type": 1, "options": [
            {"name": "remove", "type": 1, "options": [{"name": "category", "type": 3, "value": "food"}]},
        ]}));
        assert_eq!(command(used(&remove)).1, "remove food");
        let show = data(json!({"id": "1", "name": "budget", "type": 1, "options": [
            {"name": "show", "type": 1, "options": []},
        ]}));
        assert_eq!(command(used(&show)).1, "show");
        let enable = data(
            json!({"id": "1", "name": "budget-channel", "type": 1, "options": [
                {"name": "enable", "type": 1, "options": []},
            ]}),
        );
        assert_eq!(
            command(used(&enable)),
            ("budget-channel".to_owned(), "enable".to_owned(), vec![])
        );
    }

    #[test]
    fn integers_and_special_forms() {
        let recent = data(json!({"id": "1", "name": "recent", "type": 1, "options": [
            {"name": "count", "type": 4, "value": 10},
        ]}));
        assert_eq!(command(used(&recent)).1, "10");
        let add = data(
            json!({"id": "1", "name": "categories", "type": 1, "options": [
                {"name": "name", "type": 3, "value": "bonus"},
                {"name": "action", "type": 3, "value": "add-income"},
            ]}),
        );
        assert_eq!(command(used(&add)).1, "add bonus income");
        let link = data(json!({"id": "1", "name": "link", "type": 1, "options": [
            {"name": "code", "type": 3, "value": " ABC123 "},
        ]}));
        assert_eq!(command(used(&link)).1, "ABC123");
    }

    #[test]
    fn registration_is_within_discord_limits() {
        let all = serde_json::to_value(registration()).expect("serialises");
        for c in all.as_array().expect("list") {
            let name = c["name"].as_str().expect("name");
            assert!(
                name.len() <= 32 && name.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-')
            );
            let description = c["description"].as_str().expect("description");
            assert!((1..=100).contains(&description.chars().count()), "{name}");
            let options = c["options"].as_array().map_or(0, Vec::len);
            assert!(options <= 25, "{name}");
        }
    }
}
