//! Amounts as banks write them (`-1.234,50`, `1,234.50`, `(12.00)`, `12,50-`, `€ 3.50`),
//! turned into the plain decimal the money type reads exactly: never through a float.

/// The decimal mark of a column: the last of `.`/`,` in a cell that has both, else a mark not
/// followed by exactly three digits; a `;`-separated file with neither sign is European.
pub fn decimal_mark<'a>(cells: impl Iterator<Item = &'a str>, separator: u8) -> char {
    let mut comma = false;
    let mut point = false;
    for cell in cells {
        let digits: String = cell
            .chars()
            .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
            .collect();
        match (digits.rfind('.'), digits.rfind(',')) {
            (Some(p), Some(c)) => return if p > c { '.' } else { ',' },
            // `1.234` alone could be a thousand; `1.5` or `12.50` is a decimal point.
            (Some(p), None) if digits.len() - p - 1 != 3 => point = true,
            (None, Some(c)) if digits.len() - c - 1 != 3 => comma = true,
            _ => {}
        }
    }
    match (point, comma) {
        (true, false) => '.',
        (false, true) => ',',
        _ if separator == b';' => ',',
        _ => '.',
    }
}

/// A cell as `(negative, "1234.50")`, or `None` when it is no amount. An empty cell is `None`
/// too: the caller knows whether a column may be empty.
pub fn parse(cell: &str, mark: char) -> Option<(bool, String)> {
    let mut s = cell.trim();
    if s.is_empty() {
        return None;
    }
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    // A currency code or symbol before or after the number (`EUR 12.50`, `12,50 €`).
    let s = s
        .trim_matches(|c: char| c.is_alphabetic() || matches!(c, '$' | '€' | '£' | '¥' | '₹'))
        .trim();
    let mut s = s.to_owned();
    if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('−')) {
        negative = !negative;
        s = rest.trim().to_owned();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim().to_owned();
    } else if let Some(rest) = s.strip_suffix('-') {
        negative = !negative;
        s = rest.trim().to_owned();
    }
    let s = s.trim_matches(|c: char| matches!(c, '$' | '€' | '£' | '¥' | '₹'));
    let thousands = if mark == ',' { '.' } else { ',' };
    let mut out = String::with_capacity(s.len());
    let mut seen_mark = false;
    for c in s.chars() {
        match c {
            '0'..='9' => out.push(c),
            c if c == mark && !seen_mark => {
                seen_mark = true;
                out.push('.');
            }
            c if (c == thousands || c == ' ' || c == '\u{a0}' || c == '\u{202f}' || c == '\'')
                && !seen_mark => {}
            _ => return None,
        }
    }
    if !out.bytes().any(|b| b.is_ascii_digit()) || out.starts_with('.') && out.len() == 1 {
        return None;
    }
    Some((negative, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_found_per_column() {
        assert_eq!(decimal_mark(["-1.234,50", "3,00"].into_iter(), b','), ',');
        assert_eq!(decimal_mark(["1,234.50"].into_iter(), b';'), '.');
        assert_eq!(decimal_mark(["12,5"].into_iter(), b','), ',');
        assert_eq!(decimal_mark(["12.50", "3"].into_iter(), b';'), '.');
        assert_eq!(decimal_mark(["12", "3"].into_iter(), b';'), ',');
        assert_eq!(decimal_mark(["12", "3"].into_iter(), b','), '.');
    }

    #[test]
    fn cells_read_exactly() {
        let p = |c: &str, m| parse(c, m);
        assert_eq!(p("-1.234,50", ','), Some((true, "1234.50".into())));
        assert_eq!(p("1,234.50", '.'), Some((false, "1234.50".into())));
        assert_eq!(p("(12.00)", '.'), Some((true, "12.00".into())));
        assert_eq!(p("12,50-", ','), Some((true, "12.50".into())));
        assert_eq!(p("€ 3,50", ','), Some((false, "3.50".into())));
        assert_eq!(p("EUR -3.50", '.'), Some((true, "3.50".into())));
        assert_eq!(p("+7", '.'), Some((false, "7".into())));
        assert_eq!(p("1 234,5", ','), Some((false, "1234.5".into())));
        assert_eq!(p("lots", '.'), None);
        assert_eq!(p("", '.'), None);
        assert_eq!(p("1.2.3", '.'), None);
    }
}
