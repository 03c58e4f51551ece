//! Free text shown to other people (notes, display names, titles): one line, nothing invisible.

/// Whether `c` is an invisible formatting character that changes how the text around it reads
/// without showing itself: the bidirectional overrides, embeddings and isolates (U+202A..U+202E,
/// U+2066..U+2069, U+200E/U+200F, U+061C), the zero-width characters (U+200B..U+200D, U+2060..U+2064,
/// U+FEFF, U+180E) and the soft hyphen. In a shared chat, `U+202E` makes "coffee\u{202e}001$"
/// read as "coffee$100", so they are dropped where text enters the domain. Emoji sequences joined
/// by U+200D fall apart into their parts, which stay readable.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{206A}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// `raw` on one line: control characters (newlines, tabs…) become spaces, invisible formatting
/// characters go, the ends are trimmed, and at most `max_chars` characters are kept.
pub fn one_line(raw: &str, max_chars: usize) -> String {
    let cleaned: String = raw
        .chars()
        .filter(|c| !is_invisible_format(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.trim().chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spoofing_characters_go_and_the_rest_stays() {
        assert_eq!(one_line("coffee\u{202E}001$", 100), "coffee001$");
        assert_eq!(
            one_line("\u{FEFF}a\u{200B}b\u{2066}c\u{2069}\u{200F}d\u{061C}", 100),
            "abcd"
        );
        assert_eq!(one_line("two\nlines\tand tab ", 100), "two lines and tab");
        assert_eq!(one_line("café 🍕 مرحبا 日本", 100), "café 🍕 مرحبا 日本");
        assert_eq!(one_line("  \u{202E}  ", 100), "");
        assert_eq!(one_line("abcdef", 3), "abc");
    }
}
