//! The one error type of the service layer. The HTTP layer maps it to a SCIM error body on SCIM
//! routes and to `{"error", "detail"}` on admin routes (see `http::error`).

use crate::clock::ClockError;
use crate::scim::error::{ProtocolError, ScimType};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A malformed or unacceptable SCIM request (carries status and `scimType`).
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// 400 on the admin API, with a machine-readable code.
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// Missing, invalid, expired or revoked credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// An OAuth access token that is expired, revoked or not valid on a SCIM request (RFC 6750
    /// `invalid_token`: the client should refresh it or authorise again).
    #[error("{0}")]
    InvalidToken(String),
    /// Valid credentials that may not do this (e.g. SCIM while the sync source is OIDC).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A rule of Apple Business Manager refuses the change; `code` names the rule.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// `If-Match` did not match the current version.
    #[error("{0}")]
    PreconditionFailed(String),
    #[error(transparent)]
    Clock(#[from] ClockError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        ServiceError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        ServiceError::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        ServiceError::NotFound(detail.into())
    }

    /// A SCIM 409 `uniqueness` error.
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        ServiceError::Protocol(ProtocolError::new(409, Some(ScimType::Uniqueness), detail))
    }
}
