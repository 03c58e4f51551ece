//! Amounts in JSON: decimal strings read exactly; whole JSON numbers accepted, fractional ones
//! refused (a JSON parser turns them into binary floats before we ever see the digits).

use serde_json::Value;
use tally_core::Error;
use tally_core::money::{Currency, Money};

/// Reads `value` as an amount of `currency`; `field` names it in errors.
pub fn parse(value: &Value, currency: Currency, field: &'static str) -> Result<Money, Error> {
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::Number(_) => {
            return Err(Error::invalid(
                field,
                format!(
                    "Send {field} as a string such as \"12.50\": fractional JSON numbers can't be read exactly."
                ),
            ));
        }
        _ => {
            return Err(Error::invalid(
                field,
                format!("{field} must be a decimal string such as \"12.50\"."),
            ));
        }
    };
    let money = Money::parse(&text, currency).map_err(|e| Error::money(field, e))?;
    if money.minor() <= 0 {
        return Err(Error::invalid(
            field,
            format!("{field} must be more than zero."),
        ));
    }
    Ok(money)
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
