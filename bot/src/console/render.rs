//! A reply as console text: ANSI emphasis on a terminal, plain in a pipe, numbered buttons.

use tally_core::conversation::{OutMessage, Reply, Style};

pub fn render(reply: &Reply, ansi: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut n = 0usize;
    for m in reply.edit.iter().chain(reply.messages.iter()) {
        parts.push(message(m, ansi, &mut n));
    }
    if parts.is_empty()
        && let Some(notice) = &reply.notice
    {
        parts.push(notice.clone());
    }
    parts.join("\n")
}

fn message(m: &OutMessage, ansi: bool, n: &mut usize) -> String {
    let mut out = m.text.render(|style, s| match (ansi, style) {
        (true, Style::Bold) => format!("\x1b[1m{s}\x1b[0m"),
        (true, Style::Italic) => format!("\x1b[3m{s}\x1b[0m"),
        (true, Style::Code) => format!("\x1b[36m{s}\x1b[0m"),
        _ => s.to_owned(),
    });
    for row in &m.buttons {
        let labels: Vec<String> = row
            .iter()
            .map(|b| {
                *n += 1;
                format!("[#{n} {}]", b.label)
            })
            .collect();
        out.push('\n');
        out.push_str(&labels.join(" "));
    }
    out
}
