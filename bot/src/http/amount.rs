//! Amounts in JSON: decimal strings read exactly; whole JSON numbers accepted, fractional ones
//! refused (a JSON parser turns them into binary floats before we ever see the digits).

use serde_json::Value;
use tally_core::Error;
use tally_core::app::AmountInput;
use tally_core::money::{Currency, Money};

/// Reads `value` as an amount of `currency`; `field` names it in errors.
pub fn parse(value: &Value, currency: Currency, field: &'static str) -> Result<Money, Error> {
    input(value, field).read(currency, field)
}

/// `value` as amount text, for the core to read once it knows the currency; a JSON shape that
/// can't be an amount travels as its error.
pub fn input(value: &Value, field: &'static str) -> AmountInput {
    match value {
        Value::String(s) => AmountInput::text(s.trim()),
        Value::Number(n) if n.is_i64() || n.is_u64() => AmountInput::text(n.to_string()),
        Value::Number(_) => AmountInput::refused(Error::invalid(
            field,
            format!(
                "Send {field} as a string such as \"12.50\": fractional JSON numbers can't be read exactly."
            ),
        )),
        _ => AmountInput::refused(Error::invalid(
            field,
            format!("{field} must be a decimal string such as \"12.50\"."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn exact_or_refused() {
        let usd = Currency::USD;
        assert_eq!(
            parse(&json!("12.50"), usd, "amount").expect("ok").minor(),
            1250
        );
        assert_eq!(parse(&json!(12), usd, "amount").expect("ok").minor(), 1200);
        for bad in [
            json!(12.5),
            json!("-5"),
            json!("0"),
            json!("12.345"),
            json!("abc"),
            json!("1e400"),
            json!("99999999999999999999999"),
            json!(null),
            json!(true),
        ] {
            let e = parse(&bad, usd, "amount").expect_err("refused");
            assert_eq!(e.field(), Some("amount"), "{bad}");
        }
    }
}
