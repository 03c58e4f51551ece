//! `GET /budgets`, `PUT/DELETE /budgets/{category}/{period}`: limits per category and period.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tally_core::Error;
use tally_core::Tally;
use tally_core::app::budgets::BudgetLimit;
use tally_core::domain::CategoryName;
use tally_core::period::BudgetPeriod;
use tally_core::services::budgets::BudgetStatus;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use super::params::LedgerQuery;
use super::{amount, enums, params};

#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetView {
    pub id: i64,
    #[schema(example = "food")]
    pub category: String,
    #[schema(value_type = enums::Period, example = "month")]
    pub period: &'static str,
    #[schema(example = "300.00")]
    pub amount: String,
    #[schema(example = "USD")]
    pub currency: &'static str,
    /// Spent in the current period; expenses in other currencies count at their converted
    /// amounts (each at its own date's ECB rates, or its card charge).
    pub spent: String,
    pub remaining: String,
    /// Whole percent of the limit used (may pass 100).
    pub percent: i64,
    /// Where spending ends up by the period's end at this pace.
    pub projected: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// How expenses in other currencies were converted into `spent`; absent when there were none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "at ECB rates of 27 Nov 2026")]
    pub conversion_note: Option<String>,
    /// Currencies of expenses left out of `spent`: no exchange rate converts them yet.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(example = json!(["CHF"]))]
    pub not_counted: Vec<&'static str>,
}

impl From<&BudgetStatus> for BudgetView {
    fn from(s: &BudgetStatus) -> BudgetView {
        BudgetView {
            id: s.budget.id.get(),
            category: s.budget.category.to_string(),
            period: s.budget.period.as_str(),
            amount: s.budget.limit.amount_string(),
            currency: s.budget.limit.currency().code(),
            spent: s.spent.amount_string(),
            remaining: s.remaining().amount_string(),
            percent: s.percent,
            projected: s.projected.amount_string(),
            period_start: s.range.from,
            period_end: s.range.to,
            conversion_note: s.converted.as_ref().map(|r| r.note()),
            not_counted: s.uncounted.iter().map(|c| c.code()).collect(),
        }
    }
}

/// Every budget of the ledger, with where it stands today.
#[utoipa::path(get, path = "/api/v1/budgets", tag = "budgets", security(("bearer" = [])),
    params(LedgerQuery),
    responses((status = 200, body = [BudgetView]), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(tally): State<Tally>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Json<Vec<BudgetView>>, ApiError> {
    let today = tally.today_in(caller.0.account.timezone, tally.now());
    let ledger = params::ledger(q.ledger.as_deref())?;
    let all = tally.budgets(caller.id(), ledger, today).await?;
    Ok(Json(all.iter().map(BudgetView::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetBody {
    #[schema(value_type = String, example = "300.00")]
    pub amount: Option<Value>,
    /// Default: the ledger's currency.
    pub currency: Option<String>,
}

fn path_parts(category: &str, period: &str) -> Result<(CategoryName, BudgetPeriod), Error> {
    let category =
        CategoryName::parse(category).map_err(|e| Error::invalid("category", e.to_string()))?;
    let period = period
        .parse::<BudgetPeriod>()
        .map_err(|_| Error::invalid("period", "period must be week, month or year."))?;
    Ok((category, period))
}

/// Sets (or replaces) the budget of an expense category for a period. In a group, admins only.
#[utoipa::path(put, path = "/api/v1/budgets/{category}/{period}", tag = "budgets",
    security(("bearer" = [])),
    params(("category" = String, Path), ("period" = enums::Period, Path, description = "week, month or year"), LedgerQuery),
    request_body = BudgetBody,
    responses((status = 200, body = BudgetView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath((category, period)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
    ApiJson(body): ApiJson<BudgetBody>,
) -> Result<Json<BudgetView>, ApiError> {
    let (category, period) = path_parts(&category, &period)?;
    let currency = params::currency(body.currency.as_deref())?;
    let today = tally.today_in(caller.0.account.timezone, tally.now());
    let ledger = params::ledger(q.ledger.as_deref())?;
    let limit = BudgetLimit {
        category,
        period,
        amount: body.amount.as_ref().map(|v| amount::input(v, "amount")),
        currency,
    };
    let status = tally.set_budget(caller.id(), ledger, limit, today).await?;
    Ok(Json(BudgetView::from(&status)))
}

#[utoipa::path(delete, path = "/api/v1/budgets/{category}/{period}", tag = "budgets",
    security(("bearer" = [])),
    params(("category" = String, Path), ("period" = enums::Period, Path), LedgerQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath((category, period)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<StatusCode, ApiError> {
    let (category, period) = path_parts(&category, &period)?;
    let ledger = params::ledger(q.ledger.as_deref())?;
    tally
        .remove_budget(caller.id(), ledger, category, period)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
