//! The API's one error shape, `{"error": {"code", "message", "field"?}}`, and the one place a
//! core error becomes an HTTP status.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tally_core::{Error, ErrorKind};
use utoipa::ToSchema;

use crate::metrics;

/// Everything a handler can fail with.
#[derive(Debug)]
pub enum ApiError {
    /// From the core: the status follows the error's kind.
    Core(Error),
    /// From HTTP itself: malformed bodies, unknown routes, bodies too large.
    Http {
        status: StatusCode,
        code: &'static str,
        message: String,
        field: Option<String>,
    },
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::Core(e)
    }
}

impl ApiError {
    pub fn http(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Http {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn not_found() -> ApiError {
        ApiError::http(StatusCode::NOT_FOUND, "not_found", "There is nothing here.")
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::Core(Error::invalid(field, message))
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `invalid`, `malformed`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `too_large`, `rate_limited`, `internal`…
    pub code: String,
    /// A sentence for people, saying what to do.
    pub message: String,
    /// For validation errors: the field to fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The status and code for a core error: the one mapping, shared by the JSON API and the pages.
pub fn status_of(e: &Error) -> (StatusCode, &'static str) {
    match e.kind() {
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        ErrorKind::Invalid => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ErrorKind::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
        ErrorKind::Conflict => (StatusCode::CONFLICT, "conflict"),
        ErrorKind::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
        ErrorKind::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        ErrorKind::Internal if matches!(e, Error::Unavailable(_)) => {
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
        ErrorKind::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Core(e) => {
                let (status, code) = status_of(&e);
                if e.kind() == ErrorKind::Internal {
                    // The details go to the log only; the caller learns that it wasn't them.
                    tracing::error!(error = %e, "request failed");
                    metrics::error(code);
                }
                let mut response = (
                    status,
                    Json(ErrorBody {
                        error: ErrorDetail {
                            code: code.to_owned(),
                            message: e.user_message(),
                            field: e.field().map(str::to_owned),
                        },
                    }),
                )
                    .into_response();
                let headers = response.headers_mut();
                if let Error::RateLimited { retry_after_secs } = e
                    && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
                {
                    headers.insert(header::RETRY_AFTER, v);
                }
                if status == StatusCode::UNAUTHORIZED {
                    headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                }
                response
            }
            ApiError::Http {
                status,
                code,
                message,
                field,
            } => (
                status,
                Json(ErrorBody {
                    error: ErrorDetail {
                        code: code.to_owned(),
                        message,
                        field,
                    },
                }),
            )
                .into_response(),
        }
    }
}

/// Unknown routes under the API answer in the API's shape.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::http(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This route doesn't take that method.",
    )
}
