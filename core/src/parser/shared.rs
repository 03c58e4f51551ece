//! Shared expenses in free text: "paid 90 for the taxi, split with @ann @ben", "I paid Ann 20".
//!
//! Only the shape is read here (who paid, the words of the amount, who shares it); the amount
//! words go through the ordinary add grammar and the names are resolved against the group's
//! members when the message is handled.

/// Someone named in free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    Me,
    /// `@ann`: a platform username.
    Username(String),
    /// `Ann`: a member's name as shown in the group.
    Name(String),
}

/// What a message about shared money asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharedIntent {
    /// A shared expense: `payer` paid; `amount` holds the amount and note words for the add
    /// grammar; `members` who shares it in the `/split` member grammar (empty: everyone);
    /// `ways` the number of people when the message says "split 3 ways".
    Split {
        payer: Person,
        amount: String,
        members: String,
        ways: Option<u32>,
    },
    /// A settlement: `from` paid `to` the amount in `amount`.
    Settlement {
        from: Person,
        to: Person,
        amount: String,
    },
    /// "who owes whom?"
    Balances,
    /// "how much do I owe?"
    MyBalance,
}

fn clean(word: &str) -> String {
    word.trim_matches(|c: char| matches!(c, ',' | ';' | '.' | '!' | '?' | ':'))
        .to_owned()
}

fn person(word: &str) -> Person {
    let lower = word.to_lowercase();
    match word.strip_prefix('@') {
        Some(name) if name.eq_ignore_ascii_case("me") => Person::Me,
        Some(name) => Person::Username(name.to_owned()),
        None if matches!(lower.as_str(), "me" | "i") => Person::Me,
        None => Person::Name(word.to_owned()),
    }
}

fn has_digit(words: &[String]) -> bool {
    words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()))
}

/// Reads a message about shared expenses; `None` when it is not one.
pub fn read(text: &str) -> Option<SharedIntent> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(clean)
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let joined = lower.join(" ");
    if matches!(
        joined.as_str(),
        "who owes whom" | "who owes who" | "who owes what" | "balances" | "show balances"
    ) || joined.starts_with("who owes")
    {
        return Some(SharedIntent::Balances);
    }
    if joined.starts_with("how much do i owe")
        || joined.starts_with("what do i owe")
        || joined == "do i owe anything"
        || joined.starts_with("how much am i owed")
    {
        return Some(SharedIntent::MyBalance);
    }
    if let Some(i) = lower.iter().position(|w| w == "split") {
        return read_split(&words, &lower, i);
    }
    read_settlement(&words, &lower)
}

fn read_split(words: &[String], lower: &[String], at: usize) -> Option<SharedIntent> {
    let mut before: Vec<String> = words[..at].to_vec();
    let mut before_lower: Vec<String> = lower[..at].to_vec();
    // Who paid: "@ann paid …", "Ann paid …", "I paid …", "paid …".
    let mut payer = Person::Me;
    if before_lower.len() >= 2 && before_lower[1] == "paid" {
        payer = person(&before[0]);
        before.drain(..2);
        before_lower.drain(..2);
    } else if before_lower.first().is_some_and(|w| w == "paid") {
        before.remove(0);
        before_lower.remove(0);
    }
    let after: Vec<String> = words[at + 1..].to_vec();
    let after_lower: Vec<String> = lower[at + 1..].to_vec();
    // "split 3 ways"
    let mut ways = None;
    let mut rest: Vec<String> = Vec::new();
    let mut rest_lower: Vec<String> = Vec::new();
    let mut i = 0;
    while i < after.len() {
        if i + 1 < after.len()
            && matches!(after_lower[i + 1].as_str(), "ways" | "way")
            && let Ok(n) = after_lower[i].parse::<u32>()
        {
            ways = Some(n);
            i += 2;
            continue;
        }
        rest.push(after[i].clone());
        rest_lower.push(after_lower[i].clone());
        i += 1;
    }
    // Who shares it starts at the first joining word or member; before that, more amount words
    // ("split 60 groceries with everyone").
    let start = rest_lower
        .iter()
        .position(|w| {
            matches!(
                w.as_str(),
                "with" | "among" | "between" | "for" | "everyone" | "all" | "evenly" | "equally"
            ) || w.starts_with('@')
        })
        .unwrap_or(rest.len());
    let mut amount: Vec<String> = before;
    amount.extend(rest[..start].iter().cloned());
    // "for the taxi" reads as a note; "and" before "split" is only a joint.
    while amount
        .last()
        .is_some_and(|w| matches!(w.to_lowercase().as_str(), "and" | "to" | "then"))
    {
        amount.pop();
    }
    if !has_digit(&amount) {
        return None;
    }
    let members: Vec<String> = rest[start..]
        .iter()
        .filter(|w| !matches!(w.to_lowercase().as_str(), "evenly" | "equally"))
        .cloned()
        .collect();
    Some(SharedIntent::Split {
        payer,
        amount: amount.join(" "),
        members: members.join(" "),
        ways,
    })
}

fn read_settlement(words: &[String], lower: &[String]) -> Option<SharedIntent> {
    // "I paid Ann 20", "Ann paid me 20", "@ben paid @ann 15 back".
    if words.len() < 4 || lower[1] != "paid" {
        return None;
    }
    let from = person(&words[0]);
    let to_word = &words[2];
    let to_lower = &lower[2];
    if to_word.chars().any(|c| c.is_ascii_digit())
        || matches!(
            to_lower.as_str(),
            "for" | "the" | "a" | "an" | "on" | "my" | "our"
        )
    {
        return None;
    }
    let to = person(to_word);
    if from == to || (from != Person::Me && to != Person::Me && !words[0].starts_with('@')) {
        // Between two other people only with mentions, so ordinary sentences stay expenses.
        if !(words[0].starts_with('@') && to_word.starts_with('@')) {
            return None;
        }
    }
    let amount: Vec<String> = words[3..]
        .iter()
        .filter(|w| !matches!(w.to_lowercase().as_str(), "back"))
        .cloned()
        .collect();
    if !has_digit(&amount) {
        return None;
    }
    Some(SharedIntent::Settlement {
        from,
        to,
        amount: amount.join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(payer: Person, amount: &str, members: &str, ways: Option<u32>) -> SharedIntent {
        SharedIntent::Split {
            payer,
            amount: amount.into(),
            members: members.into(),
            ways,
        }
    }

    #[test]
    fn the_issue_examples_read_as_splits() {
        assert_eq!(
            read("paid 90 for the taxi, split with @ann @ben"),
            Some(split(Person::Me, "90 for the taxi", "with @ann @ben", None))
        );
        assert_eq!(
            read("dinner 120 split 3 ways"),
            Some(split(Person::Me, "dinner 120", "", Some(3)))
        );
        assert_eq!(
            read("split 60 groceries with everyone"),
            Some(split(Person::Me, "60 groceries", "with everyone", None))
        );
        assert_eq!(
            read("@ann paid 40 for gas, split with me"),
            Some(split(
                Person::Username("ann".into()),
                "40 for gas",
                "with me",
                None
            ))
        );
    }

    #[test]
    fn settlements_and_questions() {
        assert_eq!(
            read("I paid Ann 20"),
            Some(SharedIntent::Settlement {
                from: Person::Me,
                to: Person::Name("Ann".into()),
                amount: "20".into()
            })
        );
        assert_eq!(
            read("Ann paid me 20"),
            Some(SharedIntent::Settlement {
                from: Person::Name("Ann".into()),
                to: Person::Me,
                amount: "20".into()
            })
        );
        assert_eq!(read("who owes whom?"), Some(SharedIntent::Balances));
        assert_eq!(read("how much do I owe?"), Some(SharedIntent::MyBalance));
    }

    #[test]
    fn ordinary_expenses_are_not_shared() {
        for text in [
            "I paid 20 for lunch",
            "paid 12 for coffee",
            "spent 30 on groceries",
            "I paid the rent 900",
            "split",
            "Ann paid Ben 20",
            "how much did I spend on food?",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}
