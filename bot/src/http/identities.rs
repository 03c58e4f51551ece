//! `GET /me/identities` and `DELETE /me/identities/{id}`: the chats joined to the caller's
//! account, and unlinking one into an account of its own.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tally_core::services::unlinking::IdentityView as Found;
use tally_core::{Error, Tally};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, Caller};

/// One way into the account: a chat, or `web` (the account's own login).
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedIdentity {
    pub id: i64,
    /// `telegram`, `discord`, `console` or `web`.
    #[schema(example = "telegram")]
    pub platform: String,
    pub display_name: String,
    pub linked_at: DateTime<Utc>,
}

impl From<Found> for LinkedIdentity {
    fn from(i: Found) -> LinkedIdentity {
        LinkedIdentity {
            id: i.id,
            platform: i.platform.as_str().to_owned(),
            display_name: i.display_name,
            linked_at: i.created_at,
        }
    }
}

/// What unlinking did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unlinked {
    pub identity: LinkedIdentity,
    pub message: String,
}

#[utoipa::path(get, path = "/api/v1/me/identities", tag = "linking", security(("bearer" = [])),
    responses((status = 200, body = [LinkedIdentity]), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(tally): State<Tally>,
    caller: Caller,
) -> Result<Json<Vec<LinkedIdentity>>, ApiError> {
    let found = tally.linked_identities(caller.id()).await?;
    Ok(Json(found.into_iter().map(LinkedIdentity::from).collect()))
}

#[utoipa::path(delete, path = "/api/v1/me/identities/{id}", tag = "linking",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Unlinked), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(tally): State<Tally>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<Unlinked>, ApiError> {
    let identity = raw
        .parse::<i64>()
        .map_err(|_| ApiError::from(Error::not_found("identity")))?;
    let done = tally.unlink_identity(caller.id(), identity).await?;
    Ok(Json(Unlinked {
        message: "Unlinked: that chat now has a fresh account of its own. Everything recorded \
                  so far stays in this account; to join again, send /link with a new code from \
                  that chat."
            .into(),
        identity: done.identity.into(),
    }))
}
