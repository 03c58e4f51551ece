//! `GET /analytics/savings`: income, expenses, net and savings rate per month, quarter or year.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tally_core::Error;
use tally_core::Tally;
use tally_core::app::summaries::{self, Savings};
use tally_core::money::Money;
use tally_core::period::{DateRange, Granularity};
use tally_core::services::analytics::SavingsRate;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiQuery, Caller};
use super::summary::{ConvertedView, converted};
use super::{enums, params};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SavingsQuery {
    /// `month` (default), `quarter` or `year`.
    #[param(value_type = Option<enums::Granularity>)]
    pub granularity: Option<String>,
    /// Default: 12 months, 8 quarters or 5 years back, including the current one.
    pub from: Option<String>,
    /// Default: the end of the current period.
    pub to: Option<String>,
    /// Which currency's figures (default: the ledger's currency).
    pub currency: Option<String>,
    pub ledger: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavingsView {
    pub ledger: i64,
    #[schema(value_type = enums::Granularity, example = "month")]
    pub granularity: &'static str,
    #[schema(example = "USD")]
    pub currency: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every period overlapping the range, quiet ones included, oldest first.
    pub periods: Vec<SavingsRow>,
    /// Currencies with activity in the range (ask again with `currency` for the others).
    pub currencies: Vec<&'static str>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavingsRow {
    /// `2026-10`, `2026-Q4` or `2026`.
    #[schema(example = "2026-Q4")]
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[schema(example = "2500.00")]
    pub income: String,
    #[schema(example = "1900.00")]
    pub expenses: String,
    #[schema(example = "600.00")]
    pub net: String,
    /// Net as a percentage of income, one decimal (`24.0`); absent without income.
    #[schema(example = "24.0")]
    pub savings_rate: Option<String>,
    /// For the home currency, with entries in others: the period in one currency (see the
    /// summary's `converted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted: Option<ConvertedView>,
    /// Currencies without a stored rate for an entry's date: then there is no `converted`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_rates: Vec<&'static str>,
}

#[utoipa::path(get, path = "/api/v1/analytics/savings", tag = "analytics",
    security(("bearer" = [])), params(SavingsQuery),
    responses((status = 200, body = SavingsView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn savings(
    State(tally): State<Tally>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SavingsQuery>,
) -> Result<Json<SavingsView>, ApiError> {
    let granularity: Granularity = match q.granularity.as_deref().map(str::trim) {
        None | Some("") => Granularity::Month,
        Some(g) => g.parse().map_err(|_| {
            Error::invalid("granularity", "granularity must be month, quarter or year.")
        })?,
    };
    let today = tally.today_in(caller.0.account.timezone, tally.now());
    let window = summaries::savings_window(
        granularity,
        today,
        summaries::default_savings_periods(granularity),
    );
    let from = params::date(q.from.as_deref(), "from")?.unwrap_or(window.from);
    let to = params::date(q.to.as_deref(), "to")?.unwrap_or(window.to);
    if from > to {
        return Err(ApiError::invalid("from", "from must not be after to."));
    }
    let range = DateRange { from, to };
    let currency = params::currency(q.currency.as_deref())?;
    let ledger = params::ledger(q.ledger.as_deref())?;
    let Savings {
        ledger,
        home,
        periods,
    } = tally
        .savings(caller.id(), ledger, granularity, range)
        .await?;
    let currency = currency.unwrap_or(home);
    let mut seen: Vec<&'static str> = periods
        .iter()
        .flat_map(|p| p.figures.iter().map(|f| f.currency.code()))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    let zero = Money::zero(currency);
    let rows = periods
        .iter()
        .map(|p| {
            let f = p.figures.iter().find(|f| f.currency == currency);
            let (income, expenses, net, rate) = f.map_or((zero, zero, zero, None), |f| {
                (f.income, f.expenses, f.net, f.rate)
            });
            let (converted, missing_rates) = if currency == home {
                converted(p.home.as_ref())
            } else {
                (None, Vec::new())
            };
            SavingsRow {
                converted,
                missing_rates,
                period: p.label.clone(),
                from: p.range.from,
                to: p.range.to,
                income: income.amount_string(),
                expenses: expenses.amount_string(),
                net: net.amount_string(),
                savings_rate: rate.as_ref().map(SavingsRate::percent_string),
            }
        })
        .collect();
    Ok(Json(SavingsView {
        ledger: ledger.get(),
        granularity: granularity.as_str(),
        currency: currency.code(),
        from,
        to,
        periods: rows,
        currencies: seen,
    }))
}
