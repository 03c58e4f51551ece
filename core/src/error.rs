//! The core's one error type: what went wrong, sorted into what the user can fix and what not.
//!
//! Every front end maps an [`Error`] once: the HTTP adapter picks a status from [`Error::kind`],
//! the chat adapters show [`Error::user_message`]. Internal details stay in logs.

use thiserror::Error;

use crate::money::MoneyError;

/// The user-facing class of an error, shared by every adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Something the caller may not see, or that does not exist: the two are never told apart.
    NotFound,
    /// Input that is well-formed but not acceptable; `field` names what to fix.
    Invalid,
    /// Allowed to see, not allowed to do (e.g. a group member setting a budget).
    Forbidden,
    Conflict,
    Unauthorized,
    RateLimited,
    /// Our fault or the database's; the user is told to try again.
    Internal,
}

#[derive(Debug, Error)]
pub enum Error {
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("configuration: {0}")]
    Config(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn not_found(what: &'static str) -> Error {
        Error::NotFound { what }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn money(field: &'static str, e: MoneyError) -> Error {
        Error::invalid(field, e.to_string())
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Database(diesel::result::Error::NotFound) => ErrorKind::NotFound,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::Forbidden(_) => ErrorKind::Forbidden,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::Unauthorized(_) => ErrorKind::Unauthorized,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::Config(_) | Error::Database(_) | Error::Unavailable(_) | Error::Internal(_) => {
                ErrorKind::Internal
            }
        }
    }

    /// A sentence for the person who caused it, saying what to do; never internals.
    pub fn user_message(&self) -> String {
        match self.kind() {
            ErrorKind::Internal => {
                "Something went wrong on my side and nothing was changed. Please try again in a moment."
                    .to_owned()
            }
            ErrorKind::NotFound => match self {
                Error::NotFound { what } => format!("I couldn't find that {what}."),
                _ => "I couldn't find that.".to_owned(),
            },
            _ => self.to_string(),
        }
    }

    /// The field a validation error is about, for API clients.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// True when a unique constraint refused an insert: the row is already there.
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            Error::Database(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}
