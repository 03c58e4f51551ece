//! `/transactions`: list with filters and pages, record (idempotently), read, edit, delete.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tally_core::Error;
use tally_core::Tally;
use tally_core::app::transactions::{Recorded, TransactionEdit};
use tally_core::domain::{CategoryName, Platform, TransactionId, TransactionKind};
use tally_core::models::transaction::Transaction;
use tally_core::money::Money;
use tally_core::services::transactions::{self, Filter, NewTransaction, Source};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller, IdempotencyKey};
use super::{amount, enums, params};

/// Page size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 50;

/// A recorded income or expense.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionView {
    pub id: i64,
    #[schema(value_type = enums::Kind, example = "expense")]
    pub kind: &'static str,
    /// Exact decimal, as a string.
    #[schema(example = "12.50")]
    pub amount: String,
    #[schema(example = "USD")]
    pub currency: &'static str,
    #[schema(example = "food")]
    pub category: String,
    pub date: NaiveDate,
    pub note: String,
    /// The ledger it is in.
    pub ledger: i64,
    /// The account that recorded it.
    pub author: i64,
    /// Where it was recorded: `telegram`, `discord`, `console` or `web`.
    #[schema(example = "web")]
    pub source: &'static str,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Transaction> for TransactionView {
    fn from(t: &Transaction) -> TransactionView {
        TransactionView {
            id: t.id.get(),
            kind: t.kind.as_str(),
            amount: t.money.amount_string(),
            currency: t.money.currency().code(),
            category: t.category.to_string(),
            date: t.date,
            note: t.note.clone(),
            ledger: t.ledger.get(),
            author: t.author.get(),
            source: t.source_platform.as_str(),
            created_at: params::utc(t.created_at),
            updated_at: params::utc(t.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionPage {
    pub items: Vec<TransactionView>,
    /// How many match the filters in all.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(value_type = Option<enums::Kind>)]
    pub kind: Option<String>,
    pub category: Option<String>,
    /// First date included (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Last date included.
    pub to: Option<String>,
    /// Text to find in the note (case-insensitive).
    pub q: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// A ledger id (default: the personal ledger).
    pub ledger: Option<String>,
}

/// Newest first (by date, then by id, so pages are stable).
#[utoipa::path(get, path = "/api/v1/transactions", tag = "transactions", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = TransactionPage), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(tally): State<Tally>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<TransactionPage>, ApiError> {
    let from = params::date(q.from.as_deref(), "from")?;
    let to = params::date(q.to.as_deref(), "to")?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::invalid("from", "from must not be after to."));
    }
    let filter = Filter {
        kind: params::kind(q.kind.as_deref())?,
        category: params::category(q.category.as_deref())?,
        from,
        to,
        text: q.q.filter(|t| !t.trim().is_empty()),
        author: None,
    };
    // Asking for more than a page holds gets the most a page holds; the reply says how many.
    let limit = params::integer(q.limit.as_deref(), "limit", 1..=i64::from(u32::MAX))?
        .unwrap_or(DEFAULT_LIMIT)
        .min(transactions::MAX_PAGE);
    let offset = params::integer(q.offset.as_deref(), "offset", 0..=i64::MAX)?.unwrap_or(0);
    let ledger = params::ledger(q.ledger.as_deref())?;
    let page = tally
        .list_transactions(caller.id(), ledger, filter, limit, offset)
        .await?;
    Ok(Json(TransactionPage {
        items: page.items.iter().map(TransactionView::from).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransactionBody {
    #[schema(value_type = enums::Kind, example = "expense")]
    pub kind: Option<String>,
    /// A decimal string (a whole JSON number is accepted too).
    #[schema(value_type = String, example = "12.50")]
    pub amount: Option<Value>,
    /// Default: the account's currency.
    #[schema(example = "USD")]
    pub currency: Option<String>,
    /// Default: `other`.
    #[schema(example = "food")]
    pub category: Option<String>,
    /// Default: today in the account's time zone.
    pub date: Option<String>,
    pub note: Option<String>,
    /// Default: the personal ledger.
    pub ledger: Option<i64>,
    /// What the card really charged, in another currency than the entry's: totals in that
    /// currency use it instead of the ECB reference rate. The entry keeps its own amount.
    pub charged: Option<ChargedBody>,
}

/// An amount charged: `{"amount": "55.41", "currency": "EUR"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargedBody {
    #[schema(value_type = String, example = "55.41")]
    pub amount: Value,
    #[schema(example = "EUR")]
    pub currency: String,
}

fn money_of(value: Option<&Value>, currency: tally_core::money::Currency) -> Result<Money, Error> {
    match value {
        Some(v) => amount::parse(v, currency, "amount"),
        None => Err(Error::invalid("amount", "amount is required.")),
    }
}

/// Records an income or expense. With an `Idempotency-Key` header, a retry records nothing
/// new and returns the transaction the first request recorded.
#[utoipa::path(post, path = "/api/v1/transactions", tag = "transactions", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe key, 1 to 200 characters")),
    request_body = NewTransactionBody,
    responses((status = 201, body = TransactionView), (status = 404, body = ErrorBody),
        (status = 409, description = "The Idempotency-Key's transaction has since been deleted.",
            body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(tally): State<Tally>,
    caller: Caller,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(body): ApiJson<NewTransactionBody>,
) -> Result<(StatusCode, HeaderMap, Json<TransactionView>), ApiError> {
    let account = caller.0.account.clone();
    let now = tally.now();
    let kind = params::kind(body.kind.as_deref())?
        .ok_or_else(|| Error::invalid("kind", "kind is required: \"expense\" or \"income\"."))?;
    let currency = params::currency(body.currency.as_deref())?.unwrap_or(account.default_currency);
    let money = money_of(body.amount.as_ref(), currency)?;
    let category = params::category(body.category.as_deref())?.unwrap_or_else(CategoryName::other);
    let date = params::date(body.date.as_deref(), "date")?
        .unwrap_or_else(|| tally.today_in(account.timezone, now));
    let charged = match &body.charged {
        None => None,
        Some(c) => {
            let currency = tally_core::money::Currency::parse(&c.currency)
                .map_err(|e| Error::invalid("charged", e.to_string()))?;
            Some(amount::parse(&c.amount, currency, "charged")?)
        }
    };
    let new = NewTransaction {
        kind,
        money,
        category,
        date,
        note: body.note.unwrap_or_default(),
        source: Source {
            platform: Platform::Web,
            reference: None,
        },
    };
    let Recorded {
        transaction: tx,
        replayed: replay,
    } = tally
        .record_transaction_charged(account.id, body.ledger, new, key, charged)
        .await?;
    let mut headers = HeaderMap::new();
    if replay {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok((
        StatusCode::CREATED,
        headers,
        Json(TransactionView::from(&tx)),
    ))
}

/// An id from the path; anything that isn't one is simply not found.
fn path_id(raw: &str) -> Result<TransactionId, ApiError> {
    raw.parse::<i64>()
        .map(TransactionId)
        .map_err(|_| Error::not_found("transaction").into())
}

#[utoipa::path(get, path = "/api/v1/transactions/{id}", tag = "transactions",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = TransactionView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<TransactionView>, ApiError> {
    let tx_id = path_id(&raw)?;
    let tx = tally.transaction(caller.id(), tx_id).await?;
    Ok(Json(TransactionView::from(&tx)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransactionPatchBody {
    #[schema(value_type = Option<enums::Kind>, example = "income")]
    pub kind: Option<String>,
    #[schema(value_type = Option<String>, example = "20.00")]
    pub amount: Option<Value>,
    #[schema(example = "EUR")]
    pub currency: Option<String>,
    pub category: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
}

/// Changes the fields sent; the others stay.
#[utoipa::path(patch, path = "/api/v1/transactions/{id}", tag = "transactions",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = TransactionPatchBody,
    responses((status = 200, body = TransactionView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
    ApiJson(body): ApiJson<TransactionPatchBody>,
) -> Result<Json<TransactionView>, ApiError> {
    let tx_id = path_id(&raw)?;
    let kind: Option<TransactionKind> = params::kind(body.kind.as_deref())?;
    let currency = params::currency(body.currency.as_deref())?;
    let category = params::category(body.category.as_deref())?;
    let date = params::date(body.date.as_deref(), "date")?;
    let edit = TransactionEdit {
        kind,
        amount: body.amount.as_ref().map(|v| amount::input(v, "amount")),
        currency,
        category,
        date,
        note: body.note,
    };
    let tx = tally.edit_transaction(caller.id(), tx_id, edit).await?;
    Ok(Json(TransactionView::from(&tx)))
}

#[utoipa::path(delete, path = "/api/v1/transactions/{id}", tag = "transactions",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let tx_id = path_id(&raw)?;
    tally.delete_transaction(caller.id(), tx_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
