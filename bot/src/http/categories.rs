//! `GET/POST /categories`, `PATCH /categories/{id}`: a ledger's categories.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tally_core::Error;
use tally_core::Tally;
use tally_core::domain::{CategoryId, CategoryName, TransactionKind};
use tally_core::models::category::Category;
use utoipa::{IntoParams, ToSchema};

use super::enums;
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller, required};
use super::params::{self, LedgerQuery};

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub id: i64,
    #[schema(value_type = enums::Kind, example = "expense")]
    pub kind: &'static str,
    /// The stable name used in transactions (`personal_care`).
    #[schema(example = "personal_care")]
    pub name: String,
    /// The name in words (`Personal care`).
    #[schema(example = "Personal care")]
    pub label: String,
    pub archived: bool,
}

impl From<&Category> for CategoryView {
    fn from(c: &Category) -> CategoryView {
        CategoryView {
            id: c.id.get(),
            kind: c.kind.as_str(),
            name: c.name.to_string(),
            label: c.name.label(),
            archived: c.archived,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoryQuery {
    pub ledger: Option<String>,
    /// `true` to include archived categories.
    pub archived: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/categories", tag = "categories", security(("bearer" = [])),
    params(CategoryQuery),
    responses((status = 200, body = [CategoryView]), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(tally): State<Tally>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CategoryQuery>,
) -> Result<Json<Vec<CategoryView>>, ApiError> {
    let archived = matches!(
        q.archived.as_deref().map(str::trim),
        Some("true" | "1" | "yes")
    );
    let ledger = params::ledger(q.ledger.as_deref())?;
    let all = tally.categories(caller.id(), ledger, archived).await?;
    Ok(Json(all.iter().map(CategoryView::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCategoryBody {
    #[schema(example = "climbing")]
    pub name: Option<String>,
    /// `expense` (default) or `income`.
    #[schema(value_type = Option<enums::Kind>)]
    pub kind: Option<String>,
}

fn name(raw: &str) -> Result<CategoryName, Error> {
    CategoryName::parse(raw).map_err(|e| Error::invalid("name", e.to_string()))
}

/// Adds a category (or brings back an archived one of that name). In a group, admins only.
#[utoipa::path(post, path = "/api/v1/categories", tag = "categories", security(("bearer" = [])),
    params(LedgerQuery), request_body = NewCategoryBody,
    responses((status = 201, body = CategoryView), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(tally): State<Tally>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LedgerQuery>,
    ApiJson(body): ApiJson<NewCategoryBody>,
) -> Result<(StatusCode, Json<CategoryView>), ApiError> {
    let name = name(&required(body.name, "name")?)?;
    let kind = params::kind(body.kind.as_deref())?.unwrap_or(TransactionKind::Expense);
    let ledger = params::ledger(q.ledger.as_deref())?;
    let c = tally.add_category(caller.id(), ledger, kind, name).await?;
    Ok((StatusCode::CREATED, Json(CategoryView::from(&c))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryPatch {
    /// A new name (not for `other`).
    pub name: Option<String>,
    /// Archived categories take no new transactions; their history stays.
    pub archived: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/categories/{id}", tag = "categories",
    security(("bearer" = [])), params(("id" = i64, Path), LedgerQuery),
    request_body = CategoryPatch,
    responses((status = 200, body = CategoryView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
    ApiJson(body): ApiJson<CategoryPatch>,
) -> Result<Json<CategoryView>, ApiError> {
    let category = raw
        .parse::<i64>()
        .map(CategoryId)
        .map_err(|_| Error::not_found("category"))?;
    let new_name = body.name.as_deref().map(name).transpose()?;
    let ledger = params::ledger(q.ledger.as_deref())?;
    let c = tally
        .edit_category(caller.id(), ledger, category, new_name, body.archived)
        .await?;
    Ok(Json(CategoryView::from(&c)))
}
