//! Account names for the journal formats: `Expenses:Food`, `Income:Salary`.

use crate::domain::{CategoryName, TransactionKind};

/// The journal account of a category. Both beancount and hledger accept components that start
/// with a capital letter followed by letters, digits and dashes, so anything else in a name
/// (spaces, underscores, punctuation) becomes a dash, a letter of another script its code
/// point (`U00E9`), and a
/// component that would not start with a letter gets a `C` in front.
pub fn account_name(kind: TransactionKind, category: &CategoryName) -> String {
    let root = match kind {
        TransactionKind::Expense => "Expenses",
        TransactionKind::Income => "Income",
    };
    let mut component = String::new();
    let mut upper_next = true;
    for ch in category.as_str().chars() {
        if ch.is_ascii_alphanumeric() {
            if upper_next {
                component.push(ch.to_ascii_uppercase());
            } else {
                component.push(ch);
            }
            upper_next = false;
        } else if ch.is_alphanumeric() {
            // Other scripts are kept apart by their code point, so "café" and "caf" differ.
            component.push_str(&format!("U{:04X}", u32::from(ch)));
            upper_next = false;
        } else if !component.is_empty() && !component.ends_with('-') {
            component.push('-');
            upper_next = true;
        }
    }
    let component = component.trim_end_matches('-');
    let component = match component.chars().next() {
        Some(c) if c.is_ascii_uppercase() => component.to_string(),
        Some(_) => format!("C{component}"),
        None => "Other".to_string(),
    };
    format!("{root}:{component}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn name(kind: TransactionKind, s: &str) -> String {
        account_name(kind, &CategoryName::parse(s).unwrap())
    }

    #[test]
    fn names_read_like_a_chart_of_accounts() {
        assert_eq!(name(TransactionKind::Expense, "food"), "Expenses:Food");
        assert_eq!(
            name(TransactionKind::Expense, "personal_care"),
            "Expenses:Personal-Care"
        );
        assert_eq!(name(TransactionKind::Income, "salary"), "Income:Salary");
        assert_eq!(
            name(TransactionKind::Expense, "7eleven"),
            "Expenses:C7eleven"
        );
        assert_eq!(name(TransactionKind::Expense, "café"), "Expenses:CafU00E9");
    }

    proptest! {
        #[test]
        fn every_category_gets_a_valid_account(s in "\\PC{1,30}") {
            if let Ok(c) = CategoryName::parse(&s) {
                let n = account_name(TransactionKind::Expense, &c);
                let component = n.strip_prefix("Expenses:").unwrap();
                prop_assert!(component.starts_with(|c: char| c.is_ascii_uppercase()));
                prop_assert!(component.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
                prop_assert!(!component.ends_with('-'));
            }
        }
    }
}
