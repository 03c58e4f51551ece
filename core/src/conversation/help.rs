//! The words Tally uses to explain itself: help, welcome, and "I didn't get that".

use super::message::Text;
use super::table;
use crate::domain::{ChatKind, TransactionKind};
use crate::parser::Intent;

/// What Tally can do, with every command the table offers in this kind of chat.
pub fn help(group: bool) -> Text {
    let mut t = Text::new().bold("Tally keeps track of your money.").line();
    if group {
        t = t
            .plain("This group has its own shared ledger. Record with ")
            .code("/spent 12 pizza")
            .plain(" or ")
            .code("/earned 50 refund")
            .plain("; everyone here sees the group's totals.")
            .line();
    } else {
        t = t
            .plain("Just tell me what happened: ")
            .code("spent 12 on lunch")
            .plain(", ")
            .code("uber 23.40 yesterday")
            .plain(", ")
            .code("got paid 2500")
            .plain(".")
            .line()
            .plain("Or ask: ")
            .code("how much did I spend on food this month?")
            .plain(", ")
            .code("summary for last month")
            .plain(".")
            .line();
    }
    t = t.line().bold("Commands");
    let kind = if group {
        ChatKind::Group
    } else {
        ChatKind::Private
    };
    for c in table::offered(kind) {
        t = t.line().code(format!("/{}", c.name));
        if !c.usage.is_empty() {
            t = t.plain(format!(" {}", c.usage));
        }
        t = t.plain(format!(" — {}", c.description));
    }
    t
}

pub fn welcome(name: &str, group: bool) -> Text {
    Text::new()
        .plain(format!("👋 Hi {name}! "))
        .append(help(group))
}

pub fn ask_usage() -> Text {
    Text::new()
        .plain("Ask me something, e.g. ")
        .code("/ask how much did I spend on food this month?")
        .plain(" or ")
        .code("/ask spent 12 on lunch yesterday")
        .plain(".")
}

pub fn not_understood(text: &str) -> Text {
    let mut t = Text::new();
    if text.trim().is_empty() {
        t = t.plain("I didn't catch that.");
    } else {
        t = t
            .plain("I'm not sure what you mean by \"")
            .plain(shorten(text))
            .plain("\".");
    }
    t.line()
        .plain("Try ")
        .code("spent 12 on lunch")
        .plain(", ")
        .code("got paid 2500")
        .plain(", ")
        .code("how much did I spend this month?")
        .plain(" or ")
        .code("/help")
        .plain(".")
}

/// A record with no number in it (`spent abc on lunch`): nothing was recorded; the form that works.
pub fn no_amount(kind: TransactionKind) -> Text {
    let (free, command) = match kind {
        TransactionKind::Expense => ("spent 12.50 on lunch", "/spent 12.50 lunch"),
        TransactionKind::Income => ("earned 2500 salary", "/earned 2500 salary"),
    };
    Text::new()
        .plain("That names no amount, so I haven't recorded anything. Write the amount as a number, like ")
        .code(free)
        .plain(" or ")
        .code(command)
        .plain(".")
}

/// A write the rules were unsure of and that is not worth guessing.
pub fn not_sure_write(intent: &Intent) -> Text {
    let example = match intent {
        Intent::BudgetSet(_) => "/budget food 300 month",
        Intent::Undo => "/undo",
        _ => "/help",
    };
    Text::new()
        .plain("I'm not sure I understood, so I haven't changed anything. To be exact, use ")
        .code(example)
        .plain(".")
}

fn shorten(text: &str) -> String {
    let t: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        format!("{t}…")
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `/name` at the start of each line of the help's command list.
    fn listed(help: &Text) -> Vec<String> {
        let plain = help.to_plain();
        let (_, list) = plain.split_once("Commands").expect("a command list");
        list.lines()
            .filter_map(|l| l.strip_prefix('/'))
            .map(|l| l.split_whitespace().next().unwrap_or("").to_owned())
            .collect()
    }

    #[test]
    fn help_lists_exactly_the_commands_the_table_offers() {
        for (group, kind) in [(false, ChatKind::Private), (true, ChatKind::Group)] {
            let want: Vec<String> = table::offered(kind).map(|c| c.name.to_owned()).collect();
            assert_eq!(listed(&help(group)), want, "group: {group}");
        }
        assert!(!listed(&help(false)).contains(&"start".to_owned()));
        assert!(!listed(&help(false)).contains(&table::GROUP_LEDGER.to_owned()));
        assert!(listed(&help(true)).contains(&table::GROUP_LEDGER.to_owned()));
    }
}
