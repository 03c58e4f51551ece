//! `GET /summary`: income, expenses and net over a period, by category, per currency.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tally_core::Tally;
use tally_core::period::DateRange;
use tally_core::services::analytics::CurrencySummary;
use tally_core::services::home_totals::{InHome, RatesUsed};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiQuery, Caller};
use super::{enums, params};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// First date included (default: the first of this month).
    pub from: Option<String>,
    /// Last date included (default: the end of this month, or today if `from` is given).
    pub to: Option<String>,
    pub ledger: Option<String>,
    /// The currency of the one converted total (default: the ledger's home currency).
    #[serde(rename = "in")]
    #[param(rename = "in", example = "USD")]
    pub in_currency: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    pub ledger: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// One entry per currency that had activity; currencies are never added together.
    pub currencies: Vec<CurrencySummaryView>,
    /// With entries in more than one currency: everything in one currency, each entry at the
    /// ECB reference rates of its own date (or its recorded card charge), each conversion
    /// rounded once half to even, the total the sum of those. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted: Option<ConvertedView>,
    /// Currencies without any stored rate for an entry's date: then there is no `converted`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(example = json!(["CHF"]))]
    pub missing_rates: Vec<&'static str>,
}

/// Income, expenses and net in one currency.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConvertedView {
    #[schema(example = "USD")]
    pub currency: &'static str,
    #[schema(example = "2500.00")]
    pub income: String,
    #[schema(example = "1538.04")]
    pub expenses: String,
    #[schema(example = "961.96")]
    pub net: String,
    /// The date of the rates when one publication served every entry; null when each entry
    /// used its own date's rates or only card charges were needed.
    pub rates_date: Option<NaiveDate>,
    /// The note as the chat shows it.
    #[schema(example = "at ECB rates of 30 Nov 2026")]
    pub note: String,
}

/// The `converted` and `missing_rates` fields of an answer.
pub fn converted(home: Option<&InHome>) -> (Option<ConvertedView>, Vec<&'static str>) {
    match home {
        None => (None, Vec::new()),
        Some(InHome::NoRates { missing }) => (None, missing.iter().map(|c| c.code()).collect()),
        Some(InHome::Total(h)) => (
            Some(ConvertedView {
                currency: h.income.currency().code(),
                income: h.income.amount_string(),
                expenses: h.expenses.amount_string(),
                net: h.net.amount_string(),
                rates_date: match h.rates {
                    RatesUsed::Day(d) => Some(d),
                    _ => None,
                },
                note: h.rates.note(),
            }),
            Vec::new(),
        ),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencySummaryView {
    #[schema(example = "USD")]
    pub currency: &'static str,
    #[schema(example = "2500.00")]
    pub income: String,
    #[schema(example = "812.40")]
    pub expenses: String,
    #[schema(example = "1687.60")]
    pub net: String,
    /// How many transactions.
    pub count: i64,
    /// Largest first, expenses before income.
    pub by_category: Vec<CategoryTotalView>,
    /// Group ledgers only: who spent and earned what.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_member: Vec<MemberTotalView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryTotalView {
    #[schema(value_type = enums::Kind)]
    pub kind: &'static str,
    pub category: String,
    pub total: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberTotalView {
    pub account: i64,
    pub name: String,
    pub expenses: String,
    pub income: String,
}

fn view(s: &CurrencySummary) -> CurrencySummaryView {
    CurrencySummaryView {
        currency: s.currency.code(),
        income: s.income.amount_string(),
        expenses: s.expenses.amount_string(),
        net: s.net.amount_string(),
        count: s.count,
        by_category: s
            .by_category
            .iter()
            .map(|c| CategoryTotalView {
                kind: c.kind.as_str(),
                category: c.category.to_string(),
                total: c.total.amount_string(),
                count: c.count,
            })
            .collect(),
        by_member: s
            .by_member
            .iter()
            .map(|m| MemberTotalView {
                account: m.account.get(),
                name: m.name.clone(),
                expenses: m.expenses.amount_string(),
                income: m.income.amount_string(),
            })
            .collect(),
    }
}

/// `from`/`to` with their defaults around `today`; `from` after `to` is refused.
pub fn range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<DateRange, ApiError> {
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        (Some(f), None) => (f, today.max(f)),
        (None, Some(t)) => (DateRange::month_of(t).from, t),
        (None, None) => {
            let m = DateRange::month_of(today);
            (m.from, m.to)
        }
    };
    if from > to {
        return Err(ApiError::invalid("from", "from must not be after to."));
    }
    Ok(DateRange { from, to })
}

#[utoipa::path(get, path = "/api/v1/summary", tag = "analytics", security(("bearer" = [])),
    params(SummaryQuery),
    responses((status = 200, body = SummaryView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn get(
    State(tally): State<Tally>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> Result<Json<SummaryView>, ApiError> {
    let today = tally.today_in(caller.0.account.timezone, tally.now());
    let range = range(
        params::date(q.from.as_deref(), "from")?,
        params::date(q.to.as_deref(), "to")?,
        today,
    )?;
    let ledger = params::ledger(q.ledger.as_deref())?;
    let target = params::currency(q.in_currency.as_deref()).map_err(|_| {
        ApiError::invalid("in", "in must be a currency code such as USD, EUR or GBP.")
    })?;
    let (ledger, summary) = tally.summary_in(caller.id(), ledger, range, target).await?;
    let (converted, missing_rates) = converted(summary.home.as_ref());
    Ok(Json(SummaryView {
        ledger: ledger.get(),
        from: range.from,
        to: range.to,
        currencies: summary.currencies.iter().map(view).collect(),
        converted,
        missing_rates,
    }))
}
