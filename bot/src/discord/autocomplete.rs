//! Category suggestions while a user types a command, from the ledger the command would use.

use serenity::all::AutocompleteChoice;
use tally_core::Tally;
use tally_core::app::categories::SuggestIn;
use tally_core::domain::{CategoryName, Platform, TransactionKind};
use tally_core::services::categories;

use super::incoming::Place;

/// Discord shows at most this many suggestions.
pub const MAX_CHOICES: usize = 25;

/// The categories of the caller's ledger (or the channel's) whose name starts with `typed`.
/// Someone Tally has not met yet, or who is not yet a member of the channel's ledger, sees the
/// built-in categories. Reads only: suggesting must not create accounts.
pub async fn categories(
    tally: &Tally,
    user_id: String,
    place: Place,
    command: &str,
    typed: &str,
) -> Result<Vec<AutocompleteChoice>, tally_core::Error> {
    let kind = match command {
        "earned" => Some(TransactionKind::Income),
        "spent" | "budget" => Some(TransactionKind::Expense),
        _ => None,
    };
    let place = match place {
        Place::Channel { ledger, .. } => SuggestIn::Group(ledger),
        Place::Personal => SuggestIn::Personal,
    };
    let names: Vec<(TransactionKind, CategoryName)> = tally
        .category_suggestions(Platform::Discord, user_id, place)
        .await?;
    let names = if names.is_empty() { defaults() } else { names };
    Ok(matching(&names, kind, typed))
}

fn defaults() -> Vec<(TransactionKind, CategoryName)> {
    let of = |kind: TransactionKind, list: &'static [&'static str]| {
        list.iter()
            .filter_map(move |n| CategoryName::parse(n).ok().map(|c| (kind, c)))
    };
    of(TransactionKind::Expense, categories::DEFAULT_EXPENSE)
        .chain(of(TransactionKind::Income, categories::DEFAULT_INCOME))
        .collect()
}

/// Prefix matches on the stored name or its label ("personal" finds personal_care, and so
/// does "Personal c"), in the ledger's order, one per name.
fn matching(
    names: &[(TransactionKind, CategoryName)],
    kind: Option<TransactionKind>,
    typed: &str,
) -> Vec<AutocompleteChoice> {
    let typed = typed.trim().to_lowercase();
    let as_name = typed.replace(' ', "_");
    let mut seen: Vec<&str> = Vec::new();
    names
        .iter()
        .filter(|(k, _)| kind.is_none_or(|want| *k == want))
        .filter(|(_, n)| {
            n.as_str().starts_with(&as_name) || n.label().to_lowercase().starts_with(&typed)
        })
        .filter(|(_, n)| {
            if seen.contains(&n.as_str()) {
                false
            } else {
                seen.push(n.as_str());
                true
            }
        })
        .take(MAX_CHOICES)
        .map(|(_, n)| AutocompleteChoice::new(n.label(), n.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(choices: &[AutocompleteChoice]) -> Vec<String> {
        serde_json::to_value(choices)
            .expect("serialises")
            .as_array()
            .expect("list")
            .iter()
            .map(|c| c["value"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn filters_by_prefix_and_kind() {
        let all = defaults();
        assert_eq!(
            names(&matching(&all, Some(TransactionKind::Expense), "pe")),
            vec!["personal_care", "pets"]
        );
        assert_eq!(
            names(&matching(
                &all,
                Some(TransactionKind::Expense),
                "Personal c"
            )),
            vec!["personal_care"]
        );
        assert_eq!(
            names(&matching(&all, Some(TransactionKind::Income), "")),
            vec![
                "salary",
                "freelance",
                "investment",
                "gift",
                "refund",
                "other"
            ]
        );
        // "other" exists for both kinds; without a kind it is offered once.
        assert_eq!(names(&matching(&all, None, "oth")), vec!["other"]);
        assert_eq!(matching(&all, None, "").len(), 23);
        let many: Vec<(TransactionKind, CategoryName)> = (0..30)
            .map(|i| {
                let name = CategoryName::parse(&format!("c{i}")).expect("valid");
                (TransactionKind::Expense, name)
            })
            .collect();
        assert_eq!(matching(&many, None, "c").len(), MAX_CHOICES);
    }
}
