//! `GET /charts/{kind}.png|svg`: the chat's charts as images, from the ledgers the caller may see.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tally_core::Error;
use tally_core::Tally;
use tally_core::charts::{self, ChartError};
use tally_core::period::{DateRange, Granularity};
use tally_core::services::charts::{ChartKind, ChartRequest, Charted};
use utoipa::IntoParams;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, ApiQuery, Caller};
use super::{enums, params};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// First date included (default: the kind's own: this month, or the last 12 months).
    pub from: Option<String>,
    /// Last date included (default: the end of the current month, or today if `from` is given).
    pub to: Option<String>,
    /// The category, for `category` (required) and `budget` (default: the fullest budget).
    pub category: Option<String>,
    /// For `monthly`: `month` (default), `quarter` or `year`.
    #[param(value_type = Option<enums::Granularity>)]
    pub granularity: Option<String>,
    pub ledger: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Png,
    Svg,
}

fn bad_request(field: &'static str, message: &str) -> ApiError {
    ApiError::Http {
        status: StatusCode::BAD_REQUEST,
        code: "invalid",
        message: message.to_owned(),
        field: Some(field.to_owned()),
    }
}

fn no_data(message: String) -> ApiError {
    ApiError::http(StatusCode::NOT_FOUND, "no_data", message)
}

/// A chart of one ledger, one currency (the ledger's own; a budget's chart, the budget's).
#[utoipa::path(get, path = "/api/v1/charts/{kind}.{format}", tag = "analytics",
    security(("bearer" = [])),
    params(
        ("kind" = inline(enums::ChartKind), Path, description = "What the chart shows"),
        ("format" = inline(enums::ChartFormat), Path, description = "`png` or `svg`"),
        ChartQuery,
    ),
    responses(
        (status = 200, description = "The chart, 1080 pixels wide",
            content((String = "image/png"), (String = "image/svg+xml"))),
        (status = 400, description = "Unknown kind or format", body = ErrorBody),
        (status = 404, description = "`no_data`: nothing to chart in that period; or `not_found`: no such ledger for the caller", body = ErrorBody),
        (status = 422, description = "A query value is invalid; `field` names it", body = ErrorBody)))]
pub async fn get(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath(file): ApiPath<String>,
    ApiQuery(q): ApiQuery<ChartQuery>,
) -> Result<Response, ApiError> {
    let (kind, format) = file
        .rsplit_once('.')
        .ok_or_else(|| bad_request("format", "Ask for a chart as KIND.png or KIND.svg."))?;
    let format = match format.to_ascii_lowercase().as_str() {
        "png" => Format::Png,
        "svg" => Format::Svg,
        _ => return Err(bad_request("format", "format must be png or svg.")),
    };
    let category = params::category(q.category.as_deref())?;
    let kind = match kind.to_ascii_lowercase().as_str() {
        "categories" => ChartKind::Categories,
        "monthly" => ChartKind::Monthly,
        "members" => ChartKind::Members,
        "budget" => ChartKind::Budget(category),
        "category" => ChartKind::Category(category.ok_or_else(|| {
            Error::invalid("category", "Say which category, e.g. ?category=food.")
        })?),
        _ => {
            return Err(bad_request(
                "kind",
                "kind must be categories, monthly, category, budget or members.",
            ));
        }
    };
    let granularity: Granularity = match q.granularity.as_deref().map(str::trim) {
        None | Some("") => Granularity::Month,
        Some(g) => g.parse().map_err(|_| {
            Error::invalid("granularity", "granularity must be month, quarter or year.")
        })?,
    };
    let today = tally.today_in(caller.0.account.timezone, tally.now());
    let from = params::date(q.from.as_deref(), "from")?;
    let to = params::date(q.to.as_deref(), "to")?;
    let range = match (from, to) {
        (None, None) => None,
        (Some(f), None) => Some(DateRange { from: f, to: today }),
        (None, Some(t)) => Some(DateRange {
            from: DateRange::month_of(t).from,
            to: t,
        }),
        (Some(f), Some(t)) => Some(DateRange { from: f, to: t }),
    };
    if range.is_some_and(|r| r.from > r.to) {
        return Err(ApiError::invalid("from", "from must not be after to."));
    }
    let request = ChartRequest {
        kind,
        range,
        granularity,
    };
    let ledger = params::ledger(q.ledger.as_deref())?;
    let charted = tally.chart(caller.id(), ledger, request, today).await?;
    let built = match charted {
        Charted::Chart(b) => b,
        Charted::NoData(sentence) => return Err(no_data(sentence)),
    };
    // Drawing is CPU work: off the async workers.
    let drawn = tokio::task::spawn_blocking(move || match format {
        Format::Png => charts::render_png(&built.chart),
        Format::Svg => charts::render_svg(&built.chart).map(String::into_bytes),
    })
    .await
    .map_err(|e| Error::Internal(format!("drawing a chart: {e}")))?;
    let bytes = match drawn {
        Ok(b) => b,
        Err(ChartError::NoData) => {
            return Err(no_data("There is nothing to chart for that period.".into()));
        }
        Err(e) => return Err(Error::Internal(e.to_string()).into()),
    };
    let mime = match format {
        Format::Png => "image/png",
        Format::Svg => "image/svg+xml",
    };
    let mut response = bytes.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    Ok(response)
}
