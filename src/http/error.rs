//! The one place where service errors become HTTP responses: SCIM error bodies (RFC 7644
//! §3.12) on SCIM routes, `{"error", "detail"}` on the admin API, `{"error",
//! "error_description"}` (RFC 6749 §5.2) on the OAuth token endpoint.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::clock::ClockError;
use crate::scim::error::{ProtocolError, ScimType};
use crate::service::oauth::{OAuthError, OAuthErrorCode};
use crate::service::ServiceError;
use crate::store::StoreError;

pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A service error answered on a SCIM route.
#[derive(Debug)]
pub struct ScimError(pub ServiceError);

/// A service error answered on an admin route.
#[derive(Debug)]
pub struct AdminError(pub ServiceError);

impl<E: Into<ServiceError>> From<E> for ScimError {
    fn from(err: E) -> Self {
        ScimError(err.into())
    }
}

impl<E: Into<ServiceError>> From<E> for AdminError {
    fn from(err: E) -> Self {
        AdminError(err.into())
    }
}

/// Status, machine code and detail of an error, shared by both formats.
struct Classified {
    status: StatusCode,
    code: &'static str,
    scim_type: Option<ScimType>,
    detail: String,
}

fn classify(err: &ServiceError) -> Classified {
    let make = |status: StatusCode,
                code: &'static str,
                scim_type: Option<ScimType>,
                detail: String| Classified {
        status,
        code,
        scim_type,
        detail,
    };
    match err {
        ServiceError::Protocol(ProtocolError {
            status,
            scim_type,
            detail,
        }) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST);
            let code = scim_type
                .map(ScimType::as_str)
                .unwrap_or(match status.as_u16() {
                    404 => "not_found",
                    413 => "payload_too_large",
                    415 => "unsupported_media_type",
                    _ => "bad_request",
                });
            make(status, code, *scim_type, detail.clone())
        }
        ServiceError::BadRequest { code, detail } => make(
            StatusCode::BAD_REQUEST,
            code,
            Some(ScimType::InvalidValue),
            detail.clone(),
        ),
        ServiceError::Unauthorized(detail) => make(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            None,
            detail.clone(),
        ),
        ServiceError::InvalidToken(detail) => make(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            None,
            detail.clone(),
        ),
        ServiceError::Forbidden(detail) => {
            make(StatusCode::FORBIDDEN, "forbidden", None, detail.clone())
        }
        ServiceError::NotFound(detail) => {
            make(StatusCode::NOT_FOUND, "not_found", None, detail.clone())
        }
        ServiceError::Conflict { code, detail } => {
            let scim_type = (*code == "uniqueness").then_some(ScimType::Uniqueness);
            make(StatusCode::CONFLICT, code, scim_type, detail.clone())
        }
        ServiceError::PreconditionFailed(detail) => make(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            None,
            detail.clone(),
        ),
        ServiceError::Clock(ClockError::NotManual) => make(
            StatusCode::CONFLICT,
            "clock_not_manual",
            None,
            err.to_string(),
        ),
        ServiceError::Clock(ClockError::Backwards { .. }) => make(
            StatusCode::CONFLICT,
            "clock_backwards",
            None,
            err.to_string(),
        ),
        ServiceError::Clock(ClockError::Store(store)) | ServiceError::Store(store) => {
            classify_store(store)
        }
    }
}

/// The status and the detail sentence an error is answered with (for answers in neither
/// format, such as the authorization server's HTML pages); internal causes are logged here,
/// never shown.
pub fn status_and_detail(err: &ServiceError) -> (StatusCode, String) {
    let c = classify(err);
    (c.status, c.detail)
}

fn classify_store(err: &StoreError) -> Classified {
    match err {
        StoreError::Conflict(_) => Classified {
            status: StatusCode::CONFLICT,
            code: "uniqueness",
            scim_type: Some(ScimType::Uniqueness),
            detail: "the value conflicts with an existing resource".into(),
        },
        StoreError::Unavailable(_) => {
            tracing::warn!(error = %err, "database unavailable");
            Classified {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "unavailable",
                scim_type: None,
                detail: "the database is unavailable; retry later".into(),
            }
        }
        _ => {
            // Logged with its cause inside the request span; never shown to the client.
            tracing::error!(error = %err, "internal error");
            Classified {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                code: "internal",
                scim_type: None,
                detail: "internal server error".into(),
            }
        }
    }
}

/// Builds a SCIM error response.
pub fn scim_error_response(
    status: StatusCode,
    scim_type: Option<ScimType>,
    detail: &str,
) -> Response {
    let mut body = json!({
        "schemas": [ERROR_SCHEMA],
        "status": status.as_u16().to_string(),
        "detail": detail,
    });
    if let Some(scim_type) = scim_type {
        body["scimType"] = json!(scim_type.as_str());
    }
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SCIM_CONTENT_TYPE),
    );
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"abm-scim\""),
        );
    }
    response
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let c = classify(&self.0);
        let mut response = scim_error_response(c.status, c.scim_type, &c.detail);
        if let ServiceError::InvalidToken(detail) = &self.0 {
            // RFC 6750 §3: the client learns that its access token, not its request, is at fault.
            let description: String = detail.chars().filter(|c| *c != '"' && *c != '\\').collect();
            if let Ok(value) = HeaderValue::from_str(&format!(
                "Bearer realm=\"abm-scim\", error=\"invalid_token\", error_description=\"{description}\""
            )) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

/// An error of the OAuth token endpoint: RFC 6749 §5.2 JSON, never cached; `invalid_client` is
/// a 401, with `WWW-Authenticate: Basic` when the client authenticated with Basic.
#[derive(Debug)]
pub struct OAuthErrorResponse {
    pub error: OAuthError,
    pub basic: bool,
}

impl IntoResponse for OAuthErrorResponse {
    fn into_response(self) -> Response {
        let (status, code, description) = match &self.error {
            OAuthError::Refused { code, description } => {
                let status = if *code == OAuthErrorCode::InvalidClient {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::BAD_REQUEST
                };
                (status, *code, description.clone())
            }
            OAuthError::Service(err) => {
                let c = classify(err);
                let code = if c.status == StatusCode::SERVICE_UNAVAILABLE {
                    OAuthErrorCode::TemporarilyUnavailable
                } else {
                    OAuthErrorCode::ServerError
                };
                (c.status, code, c.detail)
            }
        };
        let mut response = oauth_json(
            status,
            &json!({ "error": code, "error_description": description }),
        );
        if code == OAuthErrorCode::InvalidClient && self.basic {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"abm-scim\""),
            );
        }
        response
    }
}

/// A JSON answer of the token endpoint: `Cache-Control: no-store` (RFC 6749 §5.1).
pub fn oauth_json(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let c = classify(&self.0);
        let mut response = (
            c.status,
            axum::Json(json!({ "error": c.code, "detail": c.detail })),
        )
            .into_response();
        if c.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"abm-scim-admin\""),
            );
        }
        response
    }
}
