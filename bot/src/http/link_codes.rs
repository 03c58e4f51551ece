//! `POST /link-codes`: a one-time code that joins a chat to the caller's account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tally_core::Tally;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::Caller;

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkCodeView {
    /// Send `/link CODE` to the bot from the chat to connect.
    #[schema(example = "K7M2QX9PTA")]
    pub code: String,
    pub expires_at: DateTime<Utc>,
    /// Seconds left.
    pub expires_in: i64,
    /// Opens the Telegram bot with the code filled in (when the bot's name is known).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://t.me/TallyBot?start=K7M2QX9PTA")]
    pub telegram_link: Option<String>,
    pub instructions: String,
}

#[utoipa::path(post, path = "/api/v1/link-codes", tag = "linking", security(("bearer" = [])),
    responses((status = 201, body = LinkCodeView), (status = 401, body = ErrorBody)))]
pub async fn create(
    State(tally): State<Tally>,
    caller: Caller,
) -> Result<(StatusCode, Json<LinkCodeView>), ApiError> {
    let now = tally.now();
    let ttl = Duration::from_std(tally.auth().settings().link_ttl).unwrap_or(Duration::minutes(10));
    let (code, telegram_link) = tally.create_link_code(caller.id(), ttl).await?;
    let minutes = ttl.num_minutes().max(1);
    Ok((
        StatusCode::CREATED,
        Json(LinkCodeView {
            instructions: format!(
                "Within {minutes} minutes, send /link {} to the bot in a private chat (Telegram, Discord…). That chat then uses this account and its ledger.",
                code.code
            ),
            expires_in: (code.expires_at - now).num_seconds(),
            code: code.code,
            expires_at: code.expires_at,
            telegram_link,
        }),
    ))
}
