//! `GET/PATCH /me` and `POST /me/password`: the caller's own account.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tally_core::Error;
use tally_core::Tally;
use tally_core::app::accounts::AccountProfile;
use tally_core::auth::Email;
use tally_core::auth::sessions;
use tally_core::domain::{DateOrder, Timezone};
use tally_core::models::account::Account;
use tally_core::services::accounts::SettingsPatch;
use utoipa::ToSchema;

use super::auth::TokenView;
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, Caller, ClientAddress, required};
use super::params;

/// An account as the API shows it. Never a password or its hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub username: Option<String>,
    pub email: Option<String>,
    pub display_name: String,
    #[schema(example = "Europe/Berlin")]
    pub timezone: String,
    #[schema(example = "EUR")]
    pub default_currency: String,
    /// `mdy` (3/11 is March 11) or `dmy`.
    #[schema(example = "mdy")]
    pub date_order: String,
    pub created_at: DateTime<Utc>,
    /// The chats (and the app) that lead to this account.
    pub identities: Vec<IdentityView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityView {
    /// `telegram`, `discord`, `console` or `web`.
    pub platform: String,
    pub platform_user_id: String,
    pub display_name: String,
}

impl AccountView {
    /// The account as the caller sees it, its linked chats included.
    pub async fn load(tally: &Tally, account: Account) -> Result<AccountView, Error> {
        Ok(AccountView::from(tally.profile(account).await?))
    }
}

impl From<AccountProfile> for AccountView {
    fn from(profile: AccountProfile) -> AccountView {
        let AccountProfile {
            account,
            identities,
        } = profile;
        let identities = identities
            .into_iter()
            .map(|i| IdentityView {
                platform: i.platform.as_str().to_owned(),
                platform_user_id: i.platform_user_id,
                display_name: i.display_name,
            })
            .collect();
        AccountView {
            id: account.id.get(),
            username: account.username,
            email: account.email,
            display_name: account.display_name,
            timezone: account.timezone.name().to_owned(),
            default_currency: account.default_currency.code().to_owned(),
            date_order: account.date_order.as_str().to_owned(),
            created_at: params::utc(account.created_at),
            identities,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(tally): State<Tally>,
    caller: Caller,
) -> Result<Json<AccountView>, ApiError> {
    let account = caller.0.account;
    Ok(Json(AccountView::load(&tally, account).await?))
}

/// Settings to change; absent ones stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    #[schema(example = "Europe/Berlin")]
    pub timezone: Option<String>,
    #[schema(example = "EUR")]
    pub default_currency: Option<String>,
    #[schema(example = "dmy")]
    pub date_order: Option<String>,
    pub display_name: Option<String>,
    /// An empty string removes the address.
    pub email: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    request_body = MePatch,
    responses((status = 200, body = AccountView), (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(tally): State<Tally>,
    caller: Caller,
    ApiJson(body): ApiJson<MePatch>,
) -> Result<Json<AccountView>, ApiError> {
    let patch = SettingsPatch {
        timezone: body
            .timezone
            .as_deref()
            .map(|t| Timezone::parse(t).map_err(|e| Error::invalid("timezone", e)))
            .transpose()?,
        default_currency: params::currency(body.default_currency.as_deref()).map_err(
            |e| match e {
                Error::Invalid { message, .. } => Error::invalid("default_currency", message),
                other => other,
            },
        )?,
        date_order: body
            .date_order
            .as_deref()
            .map(|d| {
                d.parse::<DateOrder>().map_err(|_| {
                    Error::invalid("date_order", "date_order must be \"mdy\" or \"dmy\".")
                })
            })
            .transpose()?,
        display_name: body.display_name,
    };
    let email = body
        .email
        .as_deref()
        .map(|e| Email::parse_optional(Some(e)))
        .transpose()?;
    let profile = tally.update_profile(caller.id(), patch, email).await?;
    Ok(Json(AccountView::from(profile)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange([redacted])")
    }
}

/// Changes the password. Every session ends; the response carries a new token for this one.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", security(("bearer" = [])),
    request_body = PasswordChange,
    responses((status = 200, body = TokenView), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn change_password(
    State(tally): State<Tally>,
    caller: Caller,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<Json<TokenView>, ApiError> {
    let current = required(body.current_password, "current_password")?;
    let new = required(body.new_password, "new_password")?;
    let issued = sessions::change_password(&tally, &caller.0, current, new, address)
        .await
        .map_err(|e| match e {
            Error::Invalid {
                field: "password",
                message,
            } => Error::invalid("new_password", message),
            other => other,
        })?;
    Ok(Json(TokenView::from(issued)))
}
