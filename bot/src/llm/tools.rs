//! The tools the model may call: read-only views of the asker's own ledger, and the transaction
//! reader. Arguments are checked like user input and no tool can name another account or ledger.

use std::collections::HashMap;

use chrono::NaiveDate;
use openai_api_rs::v1::chat_completion::{Tool, ToolType};
use openai_api_rs::v1::types::{Function, FunctionParameters, JSONSchemaDefine, JSONSchemaType};
use serde_json::{Map, Value, json};
use tally_core::app::llm::{Insights, LlmStore};
use tally_core::app::summaries;
use tally_core::conversation::fallback::FallbackRequest;
use tally_core::domain::{CategoryName, TransactionKind};
use tally_core::period::{DateRange, Granularity};
use tally_core::services::analytics::{SavingsRate, Summary};
use tally_core::services::budgets::BudgetStatus;
use tally_core::services::home_totals::InHome;
use tally_core::services::transactions::Filter;

pub const RECORD: &str = "record_transaction";
/// The longest period one summary may cover (about ten years): bounded work per call.
const MAX_RANGE_DAYS: i64 = 3700;
const MAX_TRANSACTIONS: i64 = 50;
const DEFAULT_TRANSACTIONS: i64 = 20;
const MAX_PERIODS: i64 = 24;
const CATEGORIES_SHOWN: usize = 12;
const NOTE_CHARS: usize = 100;
/// Argument names that would point a tool at someone else's data.
const SCOPE_KEYS: &[&str] = &[
    "account",
    "account_id",
    "user",
    "user_id",
    "ledger",
    "ledger_id",
    "group",
    "group_id",
    "chat",
    "chat_id",
    "member",
];

fn schema(kind: JSONSchemaType, description: &str) -> Box<JSONSchemaDefine> {
    Box::new(JSONSchemaDefine {
        schema_type: Some(kind),
        description: Some(description.to_owned()),
        ..JSONSchemaDefine::default()
    })
}

fn tool(
    name: &str,
    description: &str,
    props: Vec<(&str, Box<JSONSchemaDefine>)>,
    required: &[&str],
) -> Tool {
    let properties: HashMap<String, Box<JSONSchemaDefine>> =
        props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    Tool {
        r#type: ToolType::Function,
        function: Function {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            parameters: FunctionParameters {
                schema_type: JSONSchemaType::Object,
                properties: Some(properties),
                required: Some(required.iter().map(|s| (*s).to_owned()).collect()),
            },
        },
    }
}

/// The tools offered on every call. Allowed values are spelled out in descriptions, not as JSON
/// Schema enums: the library writes those under `enum_values`, which most servers ignore.
pub fn all() -> Vec<Tool> {
    use JSONSchemaType::{Number, String as Str};
    let date = |what: &str| schema(Str, &format!("{what}, as YYYY-MM-DD"));
    vec![
        tool(
            "summary",
            "Income, expenses, net, savings rate and spending by category for a period of the user's own ledger.",
            vec![("from", date("First day")), ("to", date("Last day"))],
            &["from", "to"],
        ),
        tool(
            "transactions",
            "The user's own transactions, newest first, with optional filters.",
            vec![
                ("from", date("First day (optional)")),
                ("to", date("Last day (optional)")),
                (
                    "category",
                    schema(Str, "One of the ledger's categories (optional)"),
                ),
                ("kind", schema(Str, "\"expense\" or \"income\" (optional)")),
                ("text", schema(Str, "Words to find in the note (optional)")),
                ("limit", schema(Number, "How many, 1 to 50 (default 20)")),
            ],
            &[],
        ),
        tool(
            "budget_status",
            "The user's budgets: limit, spent so far this period, percent used and the projection to the period's end.",
            vec![],
            &[],
        ),
        tool(
            "savings",
            "Income, expenses, net and savings rate per month, quarter or year, ending with the current one.",
            vec![
                (
                    "granularity",
                    schema(Str, "\"month\", \"quarter\" or \"year\""),
                ),
                (
                    "periods",
                    schema(
                        Number,
                        "How many periods, 1 to 24 (default: 12 months, 8 quarters or 5 years)",
                    ),
                ),
            ],
            &["granularity"],
        ),
        tool(
            "insights",
            "The offline analyst's findings (budget pace, unusual spending, trends, savings) and the recurring payments with their yearly cost.",
            vec![],
            &[],
        ),
        tool(
            RECORD,
            "Record an income or expense the user just described. It is shown to the user to confirm before anything is saved.",
            vec![
                ("kind", schema(Str, "\"expense\" or \"income\"")),
                (
                    "amount",
                    schema(
                        Str,
                        "The amount as a decimal string, e.g. \"40\" or \"12.50\"",
                    ),
                ),
                (
                    "currency",
                    schema(
                        Str,
                        "ISO 4217 code such as USD (optional: the user's default)",
                    ),
                ),
                (
                    "category",
                    schema(Str, "One of the ledger's categories for that kind"),
                ),
                ("date", date("The day it happened (optional: today)")),
                ("note", schema(Str, "A few words on what it was (optional)")),
            ],
            &["kind", "amount", "category"],
        ),
    ]
}

/// A tool call the model can correct: told back as `{"error": …}` so it may try again.
pub struct Refusal(pub String);

fn refuse(message: impl Into<String>) -> Refusal {
    Refusal(message.into())
}

/// Removes `account_id`/`ledger_id`-like arguments that name the asker's own account or ledger,
/// and refuses any that name something else: tools only ever read the asker's own ledger.
pub fn check_scope(
    args: &mut Map<String, Value>,
    request: &FallbackRequest,
) -> Result<(), Refusal> {
    let keys: Vec<String> = args
        .keys()
        .filter(|k| SCOPE_KEYS.contains(&k.to_ascii_lowercase().as_str()))
        .cloned()
        .collect();
    for key in keys {
        let value = args.remove(&key).unwrap_or(Value::Null);
        let id = match &value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        let own = if key.starts_with("account") || key.starts_with("user") {
            id == Some(request.account.get())
        } else if key.starts_with("ledger") {
            id == Some(request.ledger.get())
        } else {
            false
        };
        if !own {
            return Err(refuse(
                "refused: tools read only the asking user's own ledger; another account, ledger or group cannot be chosen",
            ));
        }
    }
    Ok(())
}

fn only(args: &Map<String, Value>, allowed: &[&str]) -> Result<(), Refusal> {
    match args.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(refuse(format!(
            "unknown argument {k:?}; this tool takes: {}",
            if allowed.is_empty() {
                "nothing".to_owned()
            } else {
                allowed.join(", ")
            }
        ))),
        None => Ok(()),
    }
}

fn text_arg<'a>(args: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Refusal> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(_) => Err(refuse(format!("{key} must be a string"))),
    }
}

fn date_arg(args: &Map<String, Value>, key: &str) -> Result<Option<NaiveDate>, Refusal> {
    text_arg(args, key)?
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| refuse(format!("{key} must be a date as YYYY-MM-DD")))
        })
        .transpose()
}

fn count_arg(args: &Map<String, Value>, key: &str, max: i64, default: i64) -> Result<i64, Refusal> {
    let n = match args.get(key) {
        None | Some(Value::Null) => return Ok(default),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    };
    match n {
        Some(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(refuse(format!(
            "{key} must be a whole number from 1 to {max}"
        ))),
    }
}

fn category_arg(
    args: &Map<String, Value>,
    request: &FallbackRequest,
) -> Result<Option<CategoryName>, Refusal> {
    let Some(raw) = text_arg(args, "category")? else {
        return Ok(None);
    };
    let known = |c: &CategoryName| request.categories.iter().any(|(name, _)| name == c);
    match CategoryName::parse(raw) {
        Ok(c) if known(&c) => Ok(Some(c)),
        _ => Err(refuse(format!(
            "unknown category; the ledger has: {}",
            request
                .categories
                .iter()
                .map(|(c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn kind_arg(args: &Map<String, Value>) -> Result<Option<TransactionKind>, Refusal> {
    text_arg(args, "kind")?
        .map(|k| {
            k.parse()
                .map_err(|_| refuse("kind must be \"expense\" or \"income\""))
        })
        .transpose()
}

/// Runs a read-only tool for the asker. `Err` is a database failure; a bad call is `Ok(Err)`.
pub async fn run(
    store: &LlmStore,
    request: &FallbackRequest,
    name: &str,
    mut args: Map<String, Value>,
) -> Result<Result<Value, Refusal>, tally_core::Error> {
    if let Err(r) = check_scope(&mut args, request) {
        return Ok(Err(r));
    }
    match name {
        "summary" => summary_tool(store, request, &args).await,
        "transactions" => transactions_tool(store, request, &args).await,
        "budget_status" => {
            if let Err(r) = only(&args, &[]) {
                return Ok(Err(r));
            }
            let statuses = store.budgets(request).await?;
            Ok(Ok(json!({ "budgets": budgets_json(&statuses) })))
        }
        "savings" => savings_tool(store, request, &args).await,
        "insights" => {
            if let Err(r) = only(&args, &[]) {
                return Ok(Err(r));
            }
            Ok(Ok(insights_json(&store.insights(request, 5).await?)))
        }
        other => Ok(Err(refuse(format!("there is no tool called {other:?}")))),
    }
}

async fn summary_tool(
    store: &LlmStore,
    request: &FallbackRequest,
    args: &Map<String, Value>,
) -> Result<Result<Value, Refusal>, tally_core::Error> {
    let range = (|| {
        only(args, &["from", "to"])?;
        let (Some(from), Some(to)) = (date_arg(args, "from")?, date_arg(args, "to")?) else {
            return Err(refuse("from and to are both needed"));
        };
        if from > to {
            return Err(refuse("from must not be after to"));
        }
        if (to - from).num_days() > MAX_RANGE_DAYS {
            return Err(refuse("the period may be at most ten years"));
        }
        Ok(DateRange::new(from, to))
    })();
    let range = match range {
        Ok(r) => r,
        Err(r) => return Ok(Err(r)),
    };
    let s = store.summary(request, range).await?;
    Ok(Ok(summary_json(&s)))
}

async fn transactions_tool(
    store: &LlmStore,
    request: &FallbackRequest,
    args: &Map<String, Value>,
) -> Result<Result<Value, Refusal>, tally_core::Error> {
    let parsed = (|| {
        only(args, &["from", "to", "category", "kind", "text", "limit"])?;
        let text = text_arg(args, "text")?.map(|t| t.chars().take(100).collect::<String>());
        let filter = Filter {
            kind: kind_arg(args)?,
            category: category_arg(args, request)?,
            from: date_arg(args, "from")?,
            to: date_arg(args, "to")?,
            text,
            author: None,
        };
        Ok((
            filter,
            count_arg(args, "limit", MAX_TRANSACTIONS, DEFAULT_TRANSACTIONS)?,
        ))
    })();
    let (filter, limit) = match parsed {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let page = store.transactions(request, filter, limit).await?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|t| {
            json!({
                "date": t.date.to_string(),
                "kind": t.kind.as_str(),
                "amount": t.money.amount_string(),
                "currency": t.money.currency().code(),
                "category": t.category.as_str(),
                "note": t.note.chars().take(NOTE_CHARS).collect::<String>(),
            })
        })
        .collect();
    Ok(Ok(
        json!({ "total": page.total, "shown": items.len(), "items": items }),
    ))
}

async fn savings_tool(
    store: &LlmStore,
    request: &FallbackRequest,
    args: &Map<String, Value>,
) -> Result<Result<Value, Refusal>, tally_core::Error> {
    let parsed = (|| {
        only(args, &["granularity", "periods"])?;
        let granularity: Granularity = text_arg(args, "granularity")?
            .unwrap_or("month")
            .parse()
            .map_err(|_| refuse("granularity must be \"month\", \"quarter\" or \"year\""))?;
        // Unasked, the same look-back as the chat's /savings.
        let default = i64::from(summaries::default_savings_periods(granularity));
        Ok((
            granularity,
            count_arg(args, "periods", MAX_PERIODS, default)?,
        ))
    })();
    let (granularity, periods) = match parsed {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let periods = u32::try_from(periods).unwrap_or(1);
    let out = store.savings(request, granularity, periods).await?;
    let periods: Vec<Value> = out
        .iter()
        .map(|p| {
            json!({
                "label": p.label,
                "from": p.range.from.to_string(),
                "to": p.range.to.to_string(),
                "figures": p.figures.iter().map(|f| json!({
                    "currency": f.currency.code(),
                    "income": f.income.amount_string(),
                    "expenses": f.expenses.amount_string(),
                    "net": f.net.amount_string(),
                    "savings_rate": f.rate.map(|r| r.to_string()),
                })).collect::<Vec<_>>(),
                "all_in_home_currency": p.home.as_ref().map(home_json),
            })
        })
        .collect();
    Ok(Ok(
        json!({ "granularity": granularity.as_str(), "periods": periods }),
    ))
}

/// A period's summary in compact JSON: amounts as exact decimal strings, per currency.
pub fn summary_json(s: &Summary) -> Value {
    let currencies: Vec<Value> = s
        .currencies
        .iter()
        .map(|c| {
            json!({
                "currency": c.currency.code(),
                "income": c.income.amount_string(),
                "expenses": c.expenses.amount_string(),
                "net": c.net.amount_string(),
                "savings_rate": SavingsRate::of(c.net, c.income).map(|r| r.to_string()),
                "transactions": c.count,
                "by_category": c.by_category.iter().take(CATEGORIES_SHOWN).map(|x| json!({
                    "kind": x.kind.as_str(),
                    "category": x.category.as_str(),
                    "total": x.total.amount_string(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut out = json!({
        "from": s.range.from.to_string(),
        "to": s.range.to.to_string(),
        "currencies": currencies,
    });
    if let Some(home) = &s.home {
        out["all_in_home_currency"] = home_json(home);
    }
    out
}

/// One figure in the home currency with the note on its rates, or why there is none.
pub fn home_json(home: &InHome) -> Value {
    match home {
        InHome::Total(h) => json!({
            "currency": h.income.currency().code(),
            "income": h.income.amount_string(),
            "expenses": h.expenses.amount_string(),
            "net": h.net.amount_string(),
            "rates": h.rates.note(),
        }),
        InHome::NoRates { missing } => json!({
            "unavailable": InHome::no_rates_note(missing),
        }),
    }
}

pub fn budgets_json(statuses: &[BudgetStatus]) -> Vec<Value> {
    statuses
        .iter()
        .map(|s| {
            json!({
                "category": s.budget.category.as_str(),
                "period": s.budget.period.as_str(),
                "currency": s.budget.limit.currency().code(),
                "limit": s.budget.limit.amount_string(),
                "spent": s.spent.amount_string(),
                "percent_used": s.percent,
                "projected_at_period_end": s.projected.amount_string(),
                "period_ends": s.range.to.to_string(),
                "other_currencies_converted": s.converted.as_ref().map(|r| r.note()),
                "not_counted_without_rates": s.uncounted.iter().map(|c| c.code()).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The analyst's top findings as sentences, and the recurring payments.
pub fn insights_json(insights: &Insights) -> Value {
    json!({
        "findings": insights.findings.iter().map(|f| f.plain()).collect::<Vec<_>>(),
        "recurring": insights.recurring.iter().map(|r| json!({
            "label": r.label,
            "category": r.category.as_str(),
            "every": r.cadence.as_str(),
            "amount": r.amount.amount_string(),
            "currency": r.amount.currency().code(),
            "next_due": r.next_due.to_string(),
            "yearly": r.yearly.amount_string(),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_use_no_enum_values_and_always_a_type() {
        let json = serde_json::to_string(&all()).expect("serialises");
        assert!(!json.contains("enum_values"), "{json}");
        assert!(!json.contains("\"type\":null"), "{json}");
        assert!(json.contains("\"name\":\"record_transaction\""));
    }
}
