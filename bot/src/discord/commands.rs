//! The slash commands Tally registers with Discord, and how a used command becomes core input.

use serenity::all::{
    CommandData, CommandDataOption, CommandDataOptionValue, CommandOptionType, CreateCommand,
    CreateCommandOption, InstallationContext, InteractionContext, Permissions,
};
use tally_core::conversation::Command;
use tally_core::conversation::command::{
    CategoriesCommand, KeywordCommand, RecurringCommand, SettingsCommand,
};
use tally_core::conversation::table::{
    COMMANDS, CommandSpec, GROUP_LEDGER, OptionKind, OptionSpec, Scope,
};
use tally_core::domain::TransactionKind;

/// The commands as Discord's bulk-overwrite endpoint takes them: every entry of the core's
/// command table that menus show, with its typed options and sub-commands.
pub fn registration() -> Vec<CreateCommand> {
    COMMANDS.iter().filter(|c| !c.hidden).map(create).collect()
}

/// The table entry a registered command name stands for.
pub fn find(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// The options declared for a command, or for one of its sub-commands.
pub fn declared(spec: &CommandSpec, sub: Option<&str>) -> &'static [OptionSpec] {
    match sub {
        Some(sub) => spec
            .subcommands
            .iter()
            .find(|s| s.name == sub)
            .map_or(&[][..], |s| s.options),
        None => spec.options,
    }
}

fn create(s: &CommandSpec) -> CreateCommand {
    let contexts = match s.scope {
        Scope::Group => vec![InteractionContext::Guild],
        Scope::Private => vec![InteractionContext::BotDm],
        Scope::Both => vec![InteractionContext::Guild, InteractionContext::BotDm],
    };
    let mut c = CreateCommand::new(s.name)
        .description(s.description)
        .integration_types(vec![InstallationContext::Guild])
        .contexts(contexts);
    if s.manage {
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

fn option(o: &OptionSpec) -> CreateCommandOption {
    let kind = match o.kind {
        OptionKind::Text => CommandOptionType::String,
        OptionKind::Integer { .. } => CommandOptionType::Integer,
    };
    let mut c = CreateCommandOption::new(kind, o.name, o.description)
        .required(o.required)
        .set_autocomplete(o.suggest.is_some());
    if let OptionKind::Integer { min, max } = o.kind {
        c = c
            .min_int_value(u64::from(min))
            .max_int_value(u64::from(max));
    }
    for (label, value) in o.choices {
        c = c.add_string_choice(*label, *value);
    }
    c
}

/// The typed options of one use, by the names the table declares.
struct Given<'a> {
    sub: Option<&'a str>,
    options: &'a [CommandDataOption],
}

impl Given<'_> {
    fn of(data: &CommandData) -> Given<'_> {
        let sub = data.options.iter().find_map(|o| match &o.value {
            CommandDataOptionValue::SubCommand(opts) => Some((o.name.as_str(), opts.as_slice())),
            _ => None,
        });
        match sub {
            Some((name, options)) => Given {
                sub: Some(name),
                options,
            },
            None => Given {
                sub: None,
                options: &data.options,
            },
        }
    }

    /// A text option's value, trimmed; `None` when absent or empty.
    fn text(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|o| o.name == name)
            .and_then(|o| match &o.value {
                CommandDataOptionValue::String(s) => Some(s.trim()),
                CommandDataOptionValue::Autocomplete { value, .. } => Some(value.trim()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
    }

    fn integer(&self, name: &str) -> Option<i64> {
        self.options
            .iter()
            .find(|o| o.name == name)
            .and_then(|o| o.value.as_i64())
    }
}

/// A used command as the core's typed [`Command`], built from its options directly.
pub fn command(data: &CommandData) -> Command {
    let g = Given::of(data);
    let text = |name: &str| g.text(name);
    let add = |kind| {
        Command::add(
            kind,
            text("amount").unwrap_or(""),
            text("category"),
            text("note"),
            text("date"),
        )
    };
    match data.name.as_str() {
        "spent" => add(TransactionKind::Expense),
        "earned" => add(TransactionKind::Income),
        "ask" => Command::Ask {
            text: text("text").unwrap_or("").to_owned(),
        },
        "recent" => match g.integer("count") {
            Some(n) => Command::recent_count(u32::try_from(n).unwrap_or(0)),
            None => Command::recent(""),
        },
        "summary" => Command::summary(text("period")),
        "savings" => Command::savings(text("granularity").unwrap_or("")),
        "chart" => Command::chart(text("kind"), text("category"), text("period")),
        "export" => Command::export(text("format"), text("period")),
        "budget" => match g.sub {
            Some("set") => Command::budget_set(
                text("category").unwrap_or(""),
                text("amount").unwrap_or(""),
                text("period").and_then(|p| p.parse().ok()),
            ),
            Some("remove") => Command::budget_remove(text("category").unwrap_or(""), None),
            _ => Command::Budgets,
        },
        "budgets" => Command::Budgets,
        "advice" => Command::Advice,
        "digest" => Command::Digest {
            frequency: text("frequency").unwrap_or("").to_owned(),
        },
        "undo" => Command::Undo,
        "repeat" => Command::Repeat {
            entry: text("entry").unwrap_or("").to_owned(),
        },
        "recurring" => Command::Recurring(RecurringCommand::chosen(
            text("action"),
            text("number"),
            text("amount").unwrap_or(""),
        )),
        "remind" => Command::remind(text("what"), text("time")),
        "categories" => {
            let name = text("name").unwrap_or("");
            match text("action").map(str::to_ascii_lowercase).as_deref() {
                None | Some("list") => Command::Categories(CategoriesCommand::List),
                Some("add") => Command::category_add(name, TransactionKind::Expense),
                Some("add-income") => Command::category_add(name, TransactionKind::Income),
                Some("rename") => Command::category_rename(name, text("new_name")),
                Some("archive") => Command::category_archive(name, true),
                Some("restore") => Command::category_archive(name, false),
                Some(other) => Command::from_slash("categories", other),
            }
        }
        "recategorize" => Command::recategorize(text("category").unwrap_or("")),
        "keyword" => match g.sub {
            Some("add") => {
                Command::keyword_teach(text("words").unwrap_or(""), text("category").unwrap_or(""))
            }
            Some("remove") => match text("words") {
                Some(words) => Command::Keyword(KeywordCommand::Forget {
                    words: words.to_owned(),
                }),
                None => Command::Keyword(KeywordCommand::List),
            },
            _ => Command::Keyword(KeywordCommand::List),
        },
        "settings" => match text("setting") {
            Some(key) => Command::settings(key, text("value").unwrap_or("")),
            None => Command::Settings(SettingsCommand::Show),
        },
        "login" => Command::Login,
        "link" => Command::Link {
            code: text("code").map(str::to_owned),
        },
        "unlink" => Command::Unlink,
        "help" => Command::Help,
        GROUP_LEDGER => Command::GroupLedger {
            enable: g.sub == Some("enable"),
        },
        "convert" => Command::Convert {
            args: [text("amount"), text("from"), text("to")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        },
        "split" => Command::split(
            text("amount").unwrap_or(""),
            text("note"),
            text("members").unwrap_or(""),
        ),
        "balances" => Command::Balances,
        "settle" => Command::Settle,
        // A mention in a text option arrives as `<@id>`, which the core reads as that user.
        "paid" => Command::Paid {
            words: format!(
                "{} {}",
                text("member").unwrap_or(""),
                text("amount").unwrap_or("")
            ),
        },
        other => Command::Unknown {
            name: other.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tally_core::conversation::command::{AddCommand, AddEntry, AmountArg};
    use tally_core::conversation::table::PERIODS;
    use tally_core::domain::CategoryName;
    use tally_core::money::Currency;
    use tally_core::parser::{CalendarUnit, DaySpec, PeriodSpec};
    use tally_core::period::{BudgetPeriod, Granularity};
    use tally_core::services::charts::ChartKind;

    fn data(v: serde_json::Value) -> CommandData {
        serde_json::from_value(v).expect("command data")
    }

    fn used(name: &str, options: serde_json::Value) -> Command {
        command(&data(
            json!({"id": "1", "name": name, "type": 1, "options": options}),
        ))
    }

    fn sub(name: &str, sub: &str, options: serde_json::Value) -> Command {
        used(name, json!([{"name": sub, "type": 1, "options": options}]))
    }

    fn category(s: &str) -> CategoryName {
        CategoryName::parse(s).expect("a category")
    }

    #[test]
    fn spent_keeps_each_typed_option_in_its_field() {
        let c = used(
            "spent",
            json!([
                {"name": "note", "type": 3, "value": "lunch"},
                {"name": "amount", "type": 3, "value": "12.50"},
                {"name": "category", "type": 3, "value": "food"},
            ]),
        );
        assert_eq!(
            c,
            Command::add(
                TransactionKind::Expense,
                "12.50",
                Some("food"),
                Some("lunch"),
                None
            )
        );
        let Command::Add(AddCommand {
            entry: AddEntry::Parts(parts),
            ..
        }) = c
        else {
            panic!("not typed parts: {c:?}")
        };
        assert_eq!(parts.category, Some(category("food")));
        assert_eq!(parts.note.as_deref(), Some("lunch"));
        assert_eq!(parts.amount, AmountArg::read("12.50").expect("an amount"));
    }

    #[test]
    fn subcommands_become_their_typed_commands() {
        let set = sub(
            "budget",
            "set",
            json!([
                {"name": "period", "type": 3, "value": "week"},
                {"name": "amount", "type": 3, "value": "300"},
                {"name": "category", "type": 3, "value": "food"},
            ]),
        );
        assert_eq!(
            set,
            Command::BudgetSet {
                category: category("food"),
                amount: AmountArg::read("300").expect("an amount"),
                period: BudgetPeriod::Week
            }
        );
        let remove = sub(
            "budget",
            "remove",
            json!([{"name": "category", "type": 3, "value": "food"}]),
        );
        assert_eq!(
            remove,
            Command::BudgetRemove {
                category: category("food"),
                period: None
            }
        );
        assert_eq!(sub("budget", "show", json!([])), Command::Budgets);
        assert_eq!(
            sub(GROUP_LEDGER, "enable", json!([])),
            Command::GroupLedger { enable: true }
        );
        assert_eq!(
            sub(GROUP_LEDGER, "disable", json!([])),
            Command::GroupLedger { enable: false }
        );
    }

    #[test]
    fn integers_and_special_forms() {
        assert_eq!(
            used("recent", json!([{"name": "count", "type": 4, "value": 10}])),
            Command::Recent { count: 10 }
        );
        assert_eq!(
            used(
                "categories",
                json!([
                    {"name": "name", "type": 3, "value": "bonus"},
                    {"name": "action", "type": 3, "value": "add-income"},
                ])
            ),
            Command::Categories(CategoriesCommand::Add {
                name: category("bonus"),
                kind: TransactionKind::Income
            })
        );
        assert_eq!(
            used(
                "link",
                json!([{"name": "code", "type": 3, "value": " ABC123 "}])
            ),
            Command::Link {
                code: Some("ABC123".into())
            }
        );
    }

    /// The text grammar and the typed options agree: the same request, either way, is the same
    /// command.
    #[test]
    fn slash_text_and_typed_options_give_the_same_command() {
        let s = |name: &str, args: &str| Command::from_slash(name, args);
        let t = |v: &str| json!({"type": 3, "value": v});
        let opt = |name: &str, v: &str| {
            let mut o = t(v);
            o["name"] = json!(name);
            o
        };
        for (words, typed) in [
            ("", None),
            ("last-month", Some("last-month")),
            ("this-year", Some("this-year")),
        ] {
            let options = typed.map_or_else(|| json!([]), |p| json!([opt("period", p)]));
            assert_eq!(s("summary", words), used("summary", options));
        }
        // Every period Discord offers is a typed period, the same as the text's.
        for (_, value) in PERIODS {
            let typed = used("summary", json!([opt("period", value)]));
            assert!(
                matches!(&typed, Command::Summary { period: Some(_) }),
                "{value}: {typed:?}"
            );
            assert_eq!(s("summary", value), typed);
            assert_eq!(
                s("export", &format!("beancount {value}")),
                used(
                    "export",
                    json!([opt("format", "beancount"), opt("period", value)])
                )
            );
            assert_eq!(
                s("chart", &format!("categories {value}")),
                used(
                    "chart",
                    json!([opt("kind", "categories"), opt("period", value)])
                )
            );
        }
        assert_eq!(
            used("summary", json!([opt("period", "last-month")])),
            Command::Summary {
                period: Some(PeriodSpec::Previous(CalendarUnit::Month))
            }
        );
        // A period no form reads is refused when the command is built, by either way in.
        assert_eq!(
            s("summary", "someday"),
            used("summary", json!([opt("period", "someday")]))
        );
        assert!(matches!(
            used("summary", json!([opt("period", "someday")])),
            Command::Invalid {
                field: "period",
                ..
            }
        ));
        for (words, options) in [
            ("", json!([])),
            ("monthly", json!([opt("kind", "monthly")])),
            ("monthly quarter", json!([opt("kind", "monthly quarter")])),
            ("budget", json!([opt("kind", "budget")])),
            (
                "budget food",
                json!([opt("kind", "budget"), opt("category", "food")]),
            ),
            (
                "food last-year",
                json!([opt("category", "food"), opt("period", "last-year")]),
            ),
            ("members", json!([opt("kind", "members")])),
        ] {
            assert_eq!(s("chart", words), used("chart", options), "{words}");
        }
        let Command::Chart(chart) = used(
            "chart",
            json!([opt("kind", "monthly quarter"), opt("period", "this-year")]),
        ) else {
            panic!("a chart")
        };
        assert_eq!(chart.kind, ChartKind::Monthly);
        assert_eq!(chart.granularity, Granularity::Quarter);
        assert_eq!(chart.period, Some(PeriodSpec::This(CalendarUnit::Year)));
        for g in ["month", "quarter", "year"] {
            assert_eq!(
                s("savings", g),
                used("savings", json!([opt("granularity", g)]))
            );
        }
        assert_eq!(
            s("savings", ""),
            Command::Savings {
                granularity: Granularity::Month
            }
        );
        for (cat, amount, period) in [
            ("food", "300", "week"),
            ("rent", "1450.00", "month"),
            ("travel", "2000 EUR", "year"),
        ] {
            assert_eq!(
                s("budget", &format!("{cat} {amount} {period}")),
                sub(
                    "budget",
                    "set",
                    json!([
                        opt("category", cat),
                        opt("amount", amount),
                        opt("period", period)
                    ])
                )
            );
            assert_eq!(
                s("budget", &format!("remove {cat}")),
                sub("budget", "remove", json!([opt("category", cat)]))
            );
            assert_eq!(
                s("recategorize", cat),
                used("recategorize", json!([opt("category", cat)]))
            );
            assert_eq!(
                s("keyword", &format!("blue bottle {cat}")),
                sub(
                    "keyword",
                    "add",
                    json!([opt("words", "blue bottle"), opt("category", cat)])
                )
            );
            assert_eq!(
                s("categories", &format!("archive {cat}")),
                used(
                    "categories",
                    json!([opt("action", "archive"), opt("name", cat)])
                )
            );
            assert_eq!(
                s("categories", &format!("add {cat} income")),
                used(
                    "categories",
                    json!([opt("action", "add-income"), opt("name", cat)])
                )
            );
        }
        for n in [1u32, 5, 50] {
            assert_eq!(
                s("recent", &n.to_string()),
                used("recent", json!([{"name": "count", "type": 4, "value": n}]))
            );
        }
        assert_eq!(s("recent", ""), used("recent", json!([])));
        for (args, options) in [
            ("skip 2", json!([opt("action", "skip"), opt("number", "2")])),
            (
                "edit 3 17.99",
                json!([
                    opt("action", "edit"),
                    opt("number", "3"),
                    opt("amount", "17.99")
                ]),
            ),
            ("", json!([])),
        ] {
            assert_eq!(s("recurring", args), used("recurring", options));
        }
        for (args, options) in [
            (
                "daily 21:00",
                json!([opt("what", "daily"), opt("time", "21:00")]),
            ),
            (
                "daily 9pm",
                json!([opt("what", "daily"), opt("time", "9pm")]),
            ),
            ("daily", json!([opt("what", "daily")])),
            ("", json!([])),
            ("bills", json!([opt("what", "bills")])),
            ("off", json!([opt("what", "off")])),
        ] {
            assert_eq!(s("remind", args), used("remind", options));
        }
        assert_eq!(
            s("settings", "currency EUR"),
            used(
                "settings",
                json!([opt("setting", "currency"), opt("value", "EUR")])
            )
        );
        assert_eq!(
            s("link", "ABC123"),
            used("link", json!([opt("code", "ABC123")]))
        );
        assert_eq!(s("link", ""), used("link", json!([])));
        assert_eq!(
            s(GROUP_LEDGER, "enable"),
            sub(GROUP_LEDGER, "enable", json!([]))
        );
        assert_eq!(
            s("digest", "weekly"),
            used("digest", json!([opt("frequency", "weekly")]))
        );
        assert_eq!(
            s("repeat", "rent 1450 monthly on the 1st"),
            used(
                "repeat",
                json!([opt("entry", "rent 1450 monthly on the 1st")])
            )
        );
        assert_eq!(
            s("ask", "food this month?"),
            used("ask", json!([opt("text", "food this month?")]))
        );
        for name in ["undo", "advice", "budgets", "help", "login", "unlink"] {
            assert_eq!(s(name, ""), used(name, json!([])), "{name}");
        }
    }

    /// The typed parts of an entry: an exact amount with its currency, and a date read into
    /// its form (placed on the calendar, in the user's date order, when the command runs).
    #[test]
    fn entries_from_options_are_typed() {
        let t = |name: &str, v: &str| json!({"name": name, "type": 3, "value": v});
        let c = used(
            "spent",
            json!([
                t("amount", "45 EUR"),
                t("category", "food"),
                t("date", "yesterday")
            ]),
        );
        let Command::Add(AddCommand {
            entry: AddEntry::Parts(parts),
            kind,
        }) = c
        else {
            panic!("typed parts: {c:?}")
        };
        assert_eq!(kind, TransactionKind::Expense);
        assert_eq!(parts.amount.value().to_string(), "45");
        assert_eq!(parts.amount.currency(), Some(Currency::EUR));
        assert_eq!(parts.date, Some(DaySpec::DaysAgo(1)));
        for (amount, date, field) in [
            ("-5", None, "amount"),
            ("lots", None, "amount"),
            ("5", Some("the other day"), "date"),
        ] {
            let mut options = vec![t("amount", amount)];
            options.extend(date.map(|d| t("date", d)));
            let c = used("earned", json!(options));
            assert!(
                matches!(&c, Command::Invalid { field: f, .. } if *f == field),
                "{amount} {date:?}: {c:?}"
            );
        }
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
