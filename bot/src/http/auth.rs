//! `POST /auth/register`, `/auth/login` (JSON or the OAuth2 password form), `/auth/logout`,
//! `/auth/logout-all`.

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};
use tally_core::Tally;
use tally_core::auth::sessions::{self, IssuedToken, SignUp};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody};
use super::extract::{ApiForm, ApiJson, Caller, ClientAddress, required};
use super::me::AccountView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// 3 to 32 letters, digits, `_` or `.`; unique without regard to case.
    #[schema(example = "ann.lee")]
    pub username: Option<String>,
    /// At least 10 characters; all of it counts.
    #[schema(example = "a long and private passphrase")]
    pub password: Option<String>,
    #[schema(example = "ann@example.com")]
    pub email: Option<String>,
}

impl std::fmt::Debug for RegisterBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterBody")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Creates an account with its personal ledger.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterBody,
    responses((status = 201, body = AccountView), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn register(
    State(tally): State<Tally>,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<(StatusCode, Json<AccountView>), ApiError> {
    let sign_up = SignUp {
        username: required(body.username, "username")?,
        password: required(body.password, "password")?,
        email: body.email,
    };
    let account = sessions::register(&tally, sign_up, address).await?;
    tracing::info!(account = %account.id, "account registered");
    let view = AccountView::load(&tally, account).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A login, as JSON or as an OAuth2 password-grant form.
#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    pub username: Option<String>,
    pub password: Option<String>,
    /// Form logins only: must be `password` when sent.
    #[serde(default)]
    pub grant_type: Option<String>,
}

impl std::fmt::Debug for LoginBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginBody")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub access_token: String,
    /// Always `bearer`.
    #[schema(example = "bearer")]
    pub token_type: &'static str,
    /// Seconds until the token expires.
    #[schema(example = 3600)]
    pub expires_in: u64,
}

impl std::fmt::Debug for TokenView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenView")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl From<IssuedToken> for TokenView {
    fn from(t: IssuedToken) -> TokenView {
        TokenView {
            access_token: t.token,
            token_type: "bearer",
            expires_in: t.expires_in,
        }
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Logs in. After five wrong passwords in a row for one username from one address (ten from
/// anywhere), each further attempt must wait a moment that doubles per failure, up to five
/// minutes: 429 with `Retry-After` until then. Never a lock-out: once the wait is over the right
/// password works, and clears the count.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body(content(
        (LoginBody = "application/json"),
        (LoginBody = "application/x-www-form-urlencoded"))),
    responses((status = 200, body = TokenView), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn login(
    State(tally): State<Tally>,
    ClientAddress(address): ClientAddress,
    request: Request,
) -> Result<(HeaderMap, Json<TokenView>), ApiError> {
    let body: LoginBody = if is_form(request.headers()) {
        let ApiForm(body) = ApiForm::<LoginBody>::from_request(request, &()).await?;
        if let Some(grant) = body.grant_type.as_deref()
            && grant != "password"
        {
            return Err(ApiError::invalid(
                "grant_type",
                "Only the password grant is supported.",
            ));
        }
        body
    } else {
        ApiJson::<LoginBody>::from_request(request, &()).await?.0
    };
    let username = required(body.username, "username")?;
    let password = required(body.password, "password")?;
    let account = sessions::authenticate(&tally, &username, password, address).await?;
    let issued = sessions::issue_access(&tally, &account).await?;
    tracing::info!(account = %account.id, "logged in");
    let mut headers = HeaderMap::new();
    // Tokens must not sit in caches (RFC 6749, 5.1).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((headers, Json(TokenView::from(issued))))
}

/// Ends this session: the token stops working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(tally): State<Tally>, caller: Caller) -> Result<StatusCode, ApiError> {
    sessions::logout(&tally, &caller.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the account (all its tokens stop working).
#[utoipa::path(post, path = "/api/v1/auth/logout-all", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout_all(
    State(tally): State<Tally>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    sessions::logout_everywhere(&tally, caller.id()).await?;
    Ok(StatusCode::NO_CONTENT)
}
