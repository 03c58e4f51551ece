//! Extractors that fail in the API's error shape: JSON and form bodies, query strings, the
//! bearer session, the caller's address, and the idempotency key.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, Form, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use tally_core::Error;
use tally_core::Tally;
use tally_core::auth::sessions::{self, Session};
use tally_core::domain::AccountId;

use super::error::ApiError;

/// A JSON body; a malformed one is 400, one of the wrong shape 422, a huge one 413.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(json_rejection(r)),
        }
    }
}

pub(super) fn too_large() -> ApiError {
    ApiError::http(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "The request body is too large (the limit is {} KiB).",
            super::BODY_LIMIT / 1024
        ),
    )
}

/// `path: message` from serde_path_to_error, after axum's prefix: the field and what's wrong.
fn data_error(text: &str) -> ApiError {
    let detail = text.split_once(": ").map_or(text, |(_, rest)| rest);
    let field = detail.split_once(": ").and_then(|(path, _)| {
        path.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
            .then(|| path.to_owned())
    });
    // serde quotes the offending value; for a password that would echo it back.
    let message = match &field {
        Some(f) if f.contains("password") => format!("{f} must be a string."),
        _ => detail.to_owned(),
    };
    ApiError::Http {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid",
        message,
        field,
    }
}

pub(super) fn json_rejection(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::JsonDataError(e) => data_error(&e.body_text()),
        JsonRejection::JsonSyntaxError(e) => ApiError::http(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!(
                "The body is not valid JSON ({}).",
                e.body_text()
                    .split_once(": ")
                    .map_or("unreadable", |(_, d)| d)
            ),
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::http(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON, with Content-Type: application/json.",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        other => ApiError::http(StatusCode::BAD_REQUEST, "malformed", other.body_text()),
    }
}

pub(super) fn form_rejection(r: FormRejection) -> ApiError {
    match r {
        FormRejection::InvalidFormContentType(_) => ApiError::http(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the form as application/x-www-form-urlencoded.",
        ),
        FormRejection::FailedToDeserializeFormBody(e) => data_error(&e.body_text()),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        other => ApiError::http(StatusCode::BAD_REQUEST, "malformed", other.body_text()),
    }
}

/// A form body with the API's errors.
#[derive(Debug)]
pub struct ApiForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiForm<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Form::<T>::from_request(req, state).await {
            Ok(Form(v)) => Ok(ApiForm(v)),
            Err(r) => Err(form_rejection(r)),
        }
    }
}

/// A query string with the API's errors.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(data_error(&e.body_text()))
            }
            Err(other) => Err(ApiError::http(
                StatusCode::BAD_REQUEST,
                "malformed",
                other.body_text(),
            )),
        }
    }
}

/// Path segments; ones that can't be read mean there is nothing at that address.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|_| ApiError::not_found())
    }
}

/// The caller, from `Authorization: Bearer <access token>`.
#[derive(Debug, Clone)]
pub struct Caller(pub Session);

impl Caller {
    pub fn id(&self) -> AccountId {
        self.0.account.id
    }
}

impl FromRequestParts<Tally> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, tally: &Tally) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Error::Unauthorized(
                    "Log in first, then send the token as Authorization: Bearer <token>.".into(),
                )
            })?;
        let token = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::Unauthorized("Send the token as Authorization: Bearer <token>.".into())
            })?;
        // One database call at most (none for a token checked a moment ago), group
        // memberships confirmed with the platforms when due.
        let session = sessions::api_session(tally, token).await?;
        tracing::Span::current().record("account", session.account.id.get());
        Ok(Caller(session))
    }
}

/// The caller's network address, for per-address limits; `None` when the server was started
/// without connection info (the limit is then skipped rather than shared by everyone).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string()),
        ))
    }
}

/// The `Idempotency-Key` header, if sent: 1 to 200 visible ASCII characters.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_HEADER) else {
            return Ok(IdempotencyKey(None));
        };
        let key = value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| (1..=200).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                ApiError::invalid(
                    "Idempotency-Key",
                    "The Idempotency-Key header must be 1 to 200 visible ASCII characters.",
                )
            })?;
        Ok(IdempotencyKey(Some(key.to_owned())))
    }
}

/// A required field of a body: present and not blank.
pub fn required(value: Option<String>, field: &'static str) -> Result<String, ApiError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ApiError::invalid(field, format!("{field} is required.")))
}
