//! `GET /ledgers`: the caller's personal ledger and the groups they are in.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tally_core::Tally;
use utoipa::ToSchema;

use super::enums;
use super::error::ApiError;
use super::extract::Caller;

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerView {
    pub id: i64,
    #[schema(value_type = enums::LedgerKind, example = "personal")]
    pub kind: String,
    pub title: String,
    #[schema(example = "USD")]
    pub default_currency: String,
    /// Where a group ledger lives (`telegram`, `discord`); absent for personal ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `owner`, `admin` or `member`.
    pub role: String,
    /// A switched-off channel ledger keeps its history but takes no new entries from chat.
    pub active: bool,
}

#[utoipa::path(get, path = "/api/v1/ledgers", tag = "ledgers",
    security(("bearer" = [])),
    responses((status = 200, body = [LedgerView]), (status = 401, body = super::error::ErrorBody)))]
pub async fn list(
    State(tally): State<Tally>,
    caller: Caller,
) -> Result<Json<Vec<LedgerView>>, ApiError> {
    let rows = tally.ledgers(caller.id()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(l, role)| LedgerView {
                id: l.id.get(),
                kind: l.kind.as_str().to_owned(),
                title: l.title,
                default_currency: l.default_currency.code().to_owned(),
                platform: l.platform.map(|p| p.as_str().to_owned()),
                role: role.as_str().to_owned(),
                active: l.active,
            })
            .collect(),
    ))
}
