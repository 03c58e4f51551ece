//! The slash commands Tally registers with Discord, and how a used command becomes core input.

use serenity::all::{
    CommandData, CommandDataOption, CommandDataOptionValue, CommandOptionType, CreateCommand,
    CreateCommandOption, InstallationContext, InteractionContext, Permissions,
};
use tally_core::conversation::Content;
use tally_core::conversation::table::{COMMANDS, CommandSpec, OptionKind, OptionSpec, Scope};

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
    let (declared, given, mut words): (&[OptionSpec], &[CommandDataOption], Vec<String>) = match sub
    {
        Some((sub_name, given)) => {
            let declared = declared(spec, Some(sub_name));
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
