//! `record_transaction` calls read like user input: into the core's own types, or refused.

use chrono::{Days, NaiveDate};
use serde::Deserialize;
use serde_json::Value;
use tally_core::conversation::fallback::{FallbackError, FallbackRequest};
use tally_core::domain::{CategoryName, TransactionKind, text};
use tally_core::money::{Currency, Decimal, Money, Rounding};
use tally_core::parser::AddIntent;

/// The oldest date a model-read transaction may carry: older is more likely a misreading.
const MAX_DAYS_BACK: u64 = 366;
const MAX_NOTE_CHARS: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    kind: String,
    /// A decimal string (`"40"`, `"12.50"`); a bare JSON number is read through its shortest
    /// decimal form, which is the literal the model wrote.
    amount: Value,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

fn nonsense(why: &str) -> FallbackError {
    FallbackError::Nonsense(why.to_owned())
}

/// Validates the model's transaction. Anything malformed is refused (the user gets the offline
/// answer); a category the ledger does not have becomes `other`, as with the rules.
pub fn read(arguments: &str, request: &FallbackRequest) -> Result<AddIntent, FallbackError> {
    let args: Args = serde_json::from_str(arguments)
        .map_err(|_| nonsense("it described the transaction in a way I couldn't read"))?;
    let kind: TransactionKind = args
        .kind
        .parse()
        .map_err(|_| nonsense("it gave the transaction an unknown kind"))?;
    let amount_text = match &args.amount {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return Err(nonsense("it gave no amount")),
    };
    let amount: Decimal = amount_text
        .parse()
        .map_err(|_| nonsense("it gave an amount that isn't a number"))?;
    let currency = match args.currency.as_deref().map(str::trim) {
        None | Some("") => request.currency,
        Some(code) => Currency::parse(code).map_err(|_| nonsense("it gave an unknown currency"))?,
    };
    // The same checks as typed amounts: positive, within range, no more decimals than the
    // currency has.
    let money = Money::from_decimal(amount, currency, Rounding::Reject)
        .map_err(|_| nonsense("it gave an amount that doesn't fit the currency"))?;
    if money.minor() <= 0 {
        return Err(nonsense("it gave an amount that isn't positive"));
    }
    let category = args
        .category
        .as_deref()
        .and_then(|c| CategoryName::parse(c).ok())
        .filter(|c| {
            request
                .categories
                .iter()
                .any(|(name, k)| name == c && *k == kind)
        })
        .unwrap_or_else(CategoryName::other);
    let date = match args.date.as_deref().map(str::trim) {
        None | Some("") => request.today,
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| nonsense("it gave a date I couldn't read"))?,
    };
    let earliest = request
        .today
        .checked_sub_days(Days::new(MAX_DAYS_BACK))
        .unwrap_or(NaiveDate::MIN);
    if date > request.today || date < earliest {
        return Err(nonsense("it gave a date outside the last year"));
    }
    let note = text::one_line(&args.note.unwrap_or_default(), MAX_NOTE_CHARS);
    Ok(AddIntent {
        kind,
        amount: money.to_decimal(),
        currency,
        category,
        date,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_core::domain::{AccountId, LedgerId};
    use tally_core::parser::{Confidence, Intent, Parsed};

    fn request() -> FallbackRequest {
        FallbackRequest {
            account: AccountId(1),
            ledger: LedgerId(1),
            chat_key: "console:a".into(),
            text: "hmm".into(),
            today: "2026-11-24".parse().expect("date"),
            currency: Currency::USD,
            categories: vec![
                (
                    CategoryName::parse("transport").expect("ok"),
                    TransactionKind::Expense,
                ),
                (
                    CategoryName::parse("salary").expect("ok"),
                    TransactionKind::Income,
                ),
                (CategoryName::other(), TransactionKind::Expense),
            ],
            rules: Parsed {
                intent: Intent::Unknown,
                confidence: Confidence::NONE,
            },
        }
    }

    #[test]
    fn reads_a_valid_transaction() {
        let add = read(
            r#"{"kind":"expense","amount":"40","category":"transport","date":"2026-11-17","note":"car thing"}"#,
            &request(),
        )
        .expect("valid");
        assert_eq!(add.kind, TransactionKind::Expense);
        assert_eq!(add.amount.to_string(), "40.00");
        assert_eq!(add.currency, Currency::USD);
        assert_eq!(add.category.as_str(), "transport");
        assert_eq!(add.date.to_string(), "2026-11-17");
        assert_eq!(add.note, "car thing");
    }

    #[test]
    fn unknown_categories_become_other_and_bad_values_are_refused() {
        let add = read(
            r#"{"kind":"expense","amount":12.5,"category":"yachts"}"#,
            &request(),
        )
        .expect("valid");
        assert!(add.category.is_other());
        assert_eq!(add.date.to_string(), "2026-11-24");
        // A category of the other kind is not borrowed.
        let add = read(
            r#"{"kind":"expense","amount":"5","category":"salary"}"#,
            &request(),
        )
        .expect("valid");
        assert!(add.category.is_other());
        for bad in [
            "{not json",
            r#"{"kind":"gift","amount":"5"}"#,
            r#"{"kind":"expense","amount":"-5"}"#,
            r#"{"kind":"expense","amount":"0"}"#,
            r#"{"kind":"expense","amount":"1.234"}"#,
            r#"{"kind":"expense","amount":"lots"}"#,
            r#"{"kind":"expense","amount":"5","currency":"XYZ"}"#,
            r#"{"kind":"expense","amount":"5","date":"2026-12-25"}"#,
            r#"{"kind":"expense","amount":"5","date":"yesterday"}"#,
            r#"{"kind":"expense","amount":"5","account_id":2}"#,
            r#"{"kind":"expense","amount":"1e40"}"#,
        ] {
            assert!(read(bad, &request()).is_err(), "{bad}");
        }
    }
}
