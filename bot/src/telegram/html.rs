//! Replies as Telegram HTML: every piece of user text escaped, long replies split between lines.

use tally_core::conversation::{Style, Text};

/// Telegram's limit for one message: 4096 characters after entity parsing, counted in UTF-16
/// code units.
pub const MAX_MESSAGE_LEN: usize = 4096;

/// Escapes text for Telegram's HTML parse mode, which knows exactly `&amp;`, `&lt;`, `&gt;` and
/// `&quot;`: the double-quoted-attribute set, so text is safe inside `href="…"` as well.
pub fn escape(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

/// The whole text as one HTML string.
pub fn render(text: &Text) -> String {
    text.render(|style, s| {
        let s = escape(s);
        match style {
            Style::Plain => s,
            Style::Bold => format!("<b>{s}</b>"),
            Style::Italic => format!("<i>{s}</i>"),
            Style::Code => format!("<code>{s}</code>"),
        }
    })
}

/// The text as one or more messages of at most `limit` visible UTF-16 units each, split at line
/// boundaries (inside an over-long line, at a space, or else between characters). Splitting
/// happens on the spans before rendering, so a tag or an entity is never cut. Blank parts are
/// dropped, since Telegram refuses empty messages.
pub fn render_chunks(text: &Text, limit: usize) -> Vec<String> {
    let limit = limit.max(1);
    if visible_len(&text.to_plain()) <= limit {
        return if text.to_plain().trim().is_empty() {
            Vec::new()
        } else {
            vec![render(text)]
        };
    }
    let mut chunks: Vec<Text> = Vec::new();
    let mut current: Vec<Line> = Vec::new();
    let mut current_len = 0usize;
    for line in lines(text) {
        for piece in split_line(line, limit) {
            let extra = piece.len + usize::from(!current.is_empty());
            if !current.is_empty() && current_len + extra > limit {
                chunks.push(join(std::mem::take(&mut current)));
                current_len = 0;
            }
            current_len += piece.len + usize::from(!current.is_empty());
            current.push(piece);
        }
    }
    if !current.is_empty() {
        chunks.push(join(current));
    }
    chunks
        .iter()
        .filter(|t| !t.to_plain().trim().is_empty())
        .map(render)
        .collect()
}

fn visible_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// One line of styled text (no newline inside), with its visible length.
struct Line {
    spans: Vec<(Style, String)>,
    len: usize,
}

fn lines(text: &Text) -> Vec<Line> {
    let mut out = vec![Line {
        spans: Vec::new(),
        len: 0,
    }];
    for (style, s) in &text.spans {
        for (i, part) in s.split('\n').enumerate() {
            if i > 0 {
                out.push(Line {
                    spans: Vec::new(),
                    len: 0,
                });
            }
            if let Some(line) = out.last_mut()
                && !part.is_empty()
            {
                line.len += visible_len(part);
                line.spans.push((*style, part.to_owned()));
            }
        }
    }
    out
}

/// A line longer than `limit` as several, broken after a space where there is one.
fn split_line(line: Line, limit: usize) -> Vec<Line> {
    if line.len <= limit {
        return vec![line];
    }
    let chars: Vec<(Style, char)> = line
        .spans
        .iter()
        .flat_map(|(style, s)| s.chars().map(move |c| (*style, c)))
        .collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let mut end = start;
        let mut len = 0;
        while end < chars.len() && len + chars[end].1.len_utf16() <= limit {
            len += chars[end].1.len_utf16();
            end += 1;
        }
        if end == start {
            // Cannot happen with limit >= 2, but never loop forever.
            end = start + 1;
        }
        if end < chars.len()
            && let Some(space) = (start + 1..end).rev().find(|&i| chars[i].1.is_whitespace())
        {
            end = space + 1;
        }
        out.push(regroup(&chars[start..end]));
        start = end;
    }
    out
}

fn regroup(chars: &[(Style, char)]) -> Line {
    let mut spans: Vec<(Style, String)> = Vec::new();
    let mut len = 0;
    for (style, c) in chars {
        len += c.len_utf16();
        match spans.last_mut() {
            Some((last, s)) if last == style => s.push(*c),
            _ => spans.push((*style, c.to_string())),
        }
    }
    Line { spans, len }
}

fn join(lines: Vec<Line>) -> Text {
    let mut t = Text::new();
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            t = t.line();
        }
        for (style, s) in line.spans {
            t = match style {
                Style::Plain => t.plain(s),
                Style::Bold => t.bold(s),
                Style::Italic => t.italic(s),
                Style::Code => t.code(s),
            };
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Undoes [`escape`] and drops the tags: what a Telegram user would see.
    fn visible(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    }

    fn balanced(html: &str) -> bool {
        let mut stack = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            let Some(j) = rest[i..].find('>') else {
                return false;
            };
            let tag = &rest[i + 1..i + j];
            if let Some(name) = tag.strip_prefix('/') {
                if stack.pop() != Some(name.to_owned()) {
                    return false;
                }
            } else {
                stack.push(tag.to_owned());
            }
            rest = &rest[i + j + 1..];
        }
        stack.is_empty()
    }

    #[test]
    fn escapes_user_text_in_every_style() {
        let t = Text::new()
            .plain("note <b>_*[x] & \"q\"")
            .bold("<i>")
            .code("a<b");
        let html = render(&t);
        assert_eq!(
            html,
            "note &lt;b&gt;_*[x] &amp; &quot;q&quot;<b>&lt;i&gt;</b><code>a&lt;b</code>"
        );
        assert_eq!(visible(&html), t.to_plain());
    }

    #[test]
    fn short_text_is_one_message_and_blank_is_none() {
        assert_eq!(render_chunks(&Text::plain_str("hi"), 4096), vec!["hi"]);
        assert!(render_chunks(&Text::plain_str(" \n "), 4096).is_empty());
        assert!(render_chunks(&Text::new(), 4096).is_empty());
    }

    #[test]
    fn splits_at_line_boundaries_without_losing_text() {
        let mut t = Text::new().bold("Title");
        for i in 0..400 {
            t = t
                .line()
                .plain(format!("• line {i} & <stuff> "))
                .italic(format!("note {i}"));
        }
        let chunks = render_chunks(&t, 1000);
        assert!(chunks.len() > 5);
        let mut seen = Vec::new();
        for c in &chunks {
            assert!(balanced(c), "unbalanced: {c}");
            let v = visible(c);
            assert!(visible_len(&v) <= 1000);
            assert!(!c.contains("&amp;lt;"), "double-escaped");
            seen.push(v);
        }
        // Every line arrives whole, in order, each in exactly one message.
        assert_eq!(seen.join("\n"), t.to_plain());
        for c in &seen {
            assert!(c.starts_with("Title") || c.starts_with("• line"), "{c}");
        }
    }

    #[test]
    fn splits_an_overlong_line_at_spaces_then_anywhere() {
        let words = "word ".repeat(100);
        let t = Text::new().italic(words.clone());
        let chunks = render_chunks(&t, 64);
        for c in &chunks {
            assert!(c.starts_with("<i>") && c.ends_with("</i>"), "{c}");
            let v = visible(c);
            assert!(visible_len(&v) <= 64);
            assert!(v.starts_with("word"), "{v:?} was cut mid-word");
        }
        let solid = "é".repeat(150) + &"&".repeat(150);
        let chunks = render_chunks(&Text::plain_str(solid.clone()), 100);
        assert_eq!(chunks.len(), 3);
        let back: String = chunks.iter().map(|c| visible(c)).collect();
        assert_eq!(back, solid);
        assert!(chunks.iter().all(|c| !c.ends_with("&am")));
    }

    #[test]
    fn counts_utf16_units_like_telegram() {
        // An emoji outside the BMP takes two UTF-16 units.
        let t = Text::plain_str("😀".repeat(3000));
        let chunks = render_chunks(&t, MAX_MESSAGE_LEN);
        assert_eq!(chunks.len(), 2);
        assert!(chunks.iter().all(|c| visible_len(c) <= MAX_MESSAGE_LEN));
    }
}
