//! Replies as Discord messages: escaped markdown, split at 2000 characters, buttons and menus.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAttachment, CreateButton, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption,
};
use tally_core::conversation::{Action, Button, OutMessage, Style, Text};

/// Discord refuses message content longer than this (in characters).
pub const MAX_CONTENT: usize = 2000;
/// Action rows per message, and buttons per row.
const MAX_ROWS: usize = 5;
const MAX_BUTTONS_PER_ROW: usize = 5;
/// Options per select menu.
const MAX_MENU_OPTIONS: usize = 25;
/// Longest button label Discord accepts; select option labels allow 100.
const MAX_LABEL: usize = 80;

/// One Discord message: markdown content and its component rows.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub content: String,
    pub components: Vec<CreateActionRow>,
    /// Files uploaded with the message (a chart), on its first part.
    pub files: Vec<CreateAttachment>,
}

/// Renders one message. Content beyond the limit becomes extra messages (without components),
/// so nothing is cut off; the buttons stay on the first part.
pub fn message(m: &OutMessage) -> Vec<Rendered> {
    let mut parts = split(&markdown(&m.text));
    if parts.is_empty() {
        parts.push(String::new());
    }
    let components = components(&m.buttons);
    parts
        .into_iter()
        .enumerate()
        .map(|(i, content)| Rendered {
            content: if content.trim().is_empty() {
                // Discord rejects an empty message; a message of only buttons still needs text.
                "\u{200b}".to_owned()
            } else {
                content
            },
            components: if i == 0 {
                components.clone()
            } else {
                Vec::new()
            },
            files: match &m.attachment {
                Some(a) if i == 0 => vec![CreateAttachment::bytes(
                    a.bytes.clone(),
                    a.file_name.clone(),
                )],
                _ => Vec::new(),
            },
        })
        .collect()
}

/// The text as Discord markdown. Emphasis is applied line by line (markers do not carry across
/// line breaks reliably) and outside leading/trailing spaces, which would stop them rendering.
pub fn markdown(text: &Text) -> String {
    text.render(|style, s| {
        s.split('\n')
            .map(|line| styled(style, line))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn styled(style: Style, line: &str) -> String {
    let inner = line.trim();
    if inner.is_empty() || style == Style::Plain {
        return match style {
            Style::Code => line.to_owned(),
            _ => escape(line),
        };
    }
    let start = line.len() - line.trim_start().len();
    let lead = &line[..start];
    let trail = &line[start + inner.len()..];
    let body = match style {
        Style::Bold => format!("**{}**", escape(inner)),
        Style::Italic => format!("*{}*", escape(inner)),
        // Nothing is escaped inside code; a backtick would end it, so it becomes a look-alike.
        Style::Code => format!("`{}`", inner.replace('`', "ˋ")),
        Style::Plain => escape(inner),
    };
    format!("{lead}{body}{trail}")
}

/// Backslash-escapes what Discord would read as markdown, a mention or a masked link.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut line_start = true;
    for c in s.chars() {
        let special = matches!(c, '\\' | '*' | '_' | '~' | '`' | '|' | '<' | '[' | ']')
            || (line_start && matches!(c, '>' | '#' | '-'));
        if special {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n' || (line_start && c == ' ');
    }
    out
}

/// Splits content into parts of at most [`MAX_CONTENT`] characters, at line breaks when possible.
pub fn split(content: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_len = 0usize;
    for line in content.split('\n') {
        let len = line.chars().count();
        let needed = if current.is_empty() { len } else { len + 1 };
        if current_len + needed <= MAX_CONTENT {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
            current_len += needed;
            continue;
        }
        if !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        // A single line longer than a message is cut by characters.
        let chars: Vec<char> = line.chars().collect();
        let mut chunks = chars.chunks(MAX_CONTENT).peekable();
        current_len = 0;
        while let Some(chunk) = chunks.next() {
            let piece: String = chunk.iter().collect();
            if chunks.peek().is_some() {
                parts.push(piece);
            } else {
                current_len = chunk.len();
                current = piece;
            }
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Button rows as action rows. When they do not fit Discord's 5 rows of 5 buttons, the
/// category choices move into select menus (one row each, 25 options per menu) and the other
/// buttons are packed five to a row.
pub fn components(rows: &[Vec<Button>]) -> Vec<CreateActionRow> {
    let mut seen: Vec<String> = Vec::new();
    // Discord rejects two components with the same custom id in one message.
    let mut unique = |b: &&Button| {
        let id = b.action.encode();
        if seen.contains(&id) {
            false
        } else {
            seen.push(id);
            true
        }
    };
    let rows: Vec<Vec<&Button>> = rows
        .iter()
        .map(|r| r.iter().filter(&mut unique).collect::<Vec<_>>())
        .filter(|r| !r.is_empty())
        .collect();
    let fits = rows.len() <= MAX_ROWS && rows.iter().all(|r| r.len() <= MAX_BUTTONS_PER_ROW);
    if fits {
        return rows.iter().map(|r| button_row(r)).collect();
    }
    let (choices, others): (Vec<&Button>, Vec<&Button>) = rows
        .into_iter()
        .flatten()
        .partition(|b| matches!(b.action, Action::SetCategory(..)));
    let mut out: Vec<CreateActionRow> =
        others.chunks(MAX_BUTTONS_PER_ROW).map(button_row).collect();
    for (i, chunk) in choices.chunks(MAX_MENU_OPTIONS).enumerate() {
        out.push(menu_row(i, chunk));
    }
    if out.len() > MAX_ROWS {
        tracing::warn!(
            rows = out.len(),
            "a reply has more choices than a Discord message holds; the last are left out"
        );
        out.truncate(MAX_ROWS);
    }
    out
}

fn button_row(buttons: &[&Button]) -> CreateActionRow {
    CreateActionRow::Buttons(
        buttons
            .iter()
            .map(|b| {
                CreateButton::new(b.action.encode())
                    .label(shorten(&b.label, MAX_LABEL))
                    .style(style_of(&b.action))
            })
            .collect(),
    )
}

fn menu_row(index: usize, buttons: &[&Button]) -> CreateActionRow {
    let options = buttons
        .iter()
        .map(|b| CreateSelectMenuOption::new(shorten(&b.label, 100), b.action.encode()))
        .collect();
    CreateActionRow::SelectMenu(
        CreateSelectMenu::new(
            format!("{MENU_PREFIX}{index}"),
            CreateSelectMenuKind::String { options },
        )
        .placeholder("Pick a category"),
    )
}

/// Custom ids of the select menus; the chosen option's value carries the action.
pub const MENU_PREFIX: &str = "menu:";

fn style_of(action: &Action) -> ButtonStyle {
    match action {
        Action::Undo(_) | Action::Cancel(_) | Action::LinkCancel(_) => ButtonStyle::Secondary,
        Action::Confirm(_) | Action::LinkConfirm(_) => ButtonStyle::Success,
        Action::ChooseCategory(_) | Action::SetCategory(..) => ButtonStyle::Primary,
        Action::RecurringSkip(_) | Action::RecurringPause(_) | Action::RecurringResume(_) => {
            ButtonStyle::Secondary
        }
        Action::RecurringDelete(_) => ButtonStyle::Danger,
        Action::MakeRecurring(_) => ButtonStyle::Primary,
        Action::Chart(_) => ButtonStyle::Secondary,
        Action::SplitAll(_) | Action::SettlePaid { .. } => ButtonStyle::Primary,
        Action::UndoSettlement(_) => ButtonStyle::Secondary,
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_core::domain::{CategoryName, TransactionId};

    fn json(rows: &[CreateActionRow]) -> serde_json::Value {
        serde_json::to_value(rows).expect("serialises")
    }

    #[test]
    fn escapes_markdown_and_mentions() {
        let t = Text::new()
            .plain("a*b_c <@1> [x](y)\n# head\n- item")
            .bold(" total ")
            .italic("note\nline2")
            .code("a`b");
        assert_eq!(
            markdown(&t),
            "a\\*b\\_c \\<@1> \\[x\\](y)\n\\# head\n\\- item **total** *note*\n*line2*`aˋb`"
        );
    }

    #[test]
    fn splits_long_content_at_lines() {
        let line = "x".repeat(1500);
        let parts = split(&format!("{line}\n{line}\n{}", "y".repeat(4100)));
        let lens: Vec<usize> = parts.iter().map(|p| p.chars().count()).collect();
        assert_eq!(lens, vec![1500, 1500, 2000, 2000, 100]);
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_CONTENT));
    }

    #[test]
    fn small_rows_stay_buttons() {
        let id = TransactionId(7);
        let rows = vec![vec![
            Button {
                label: "Undo".into(),
                action: Action::Undo(id),
            },
            Button {
                label: "Change".into(),
                action: Action::ChooseCategory(id),
            },
        ]];
        let v = json(&components(&rows));
        assert_eq!(v[0]["type"], 1);
        assert_eq!(v[0]["components"][0]["custom_id"], "u:7");
        assert_eq!(v[0]["components"][1]["custom_id"], "c:7");
    }

    #[test]
    fn too_many_categories_become_a_select_menu() {
        let id = TransactionId(9);
        let names = [
            "food",
            "groceries",
            "transport",
            "housing",
            "utilities",
            "shopping",
            "health",
            "travel",
            "education",
            "gifts",
            "pets",
            "kids",
            "insurance",
            "taxes",
            "fees",
            "other",
            "entertainment",
        ];
        let buttons: Vec<Button> = names
            .iter()
            .map(|n| Button {
                label: (*n).into(),
                action: Action::SetCategory(id, CategoryName::parse(n).expect("valid")),
            })
            .collect();
        let rows: Vec<Vec<Button>> = buttons.chunks(3).map(<[Button]>::to_vec).collect();
        let v = json(&components(&rows));
        assert_eq!(v.as_array().map(Vec::len), Some(1));
        let menu = &v[0]["components"][0];
        assert_eq!(menu["type"], 3);
        assert_eq!(menu["options"].as_array().map(Vec::len), Some(names.len()));
        assert_eq!(menu["options"][0]["value"], "s:9:food");
    }
}
