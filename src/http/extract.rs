//! Extractors owned by us, so bad credentials, bodies and headers become SCIM errors rather than
//! axum's plain-text rejections.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use serde_json::Value;

use super::error::ScimError;
use crate::scim::error::ProtocolError;
use crate::service::{App, ScimMount, ScimPrincipal};

/// The bearer token of a request, if any (`Authorization: Bearer <token>`, scheme case-insensitive).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// An authorised SCIM client: its organization and token.
pub struct ScimAuth(pub ScimPrincipal);

impl FromRequestParts<Arc<App>> for ScimAuth {
    type Rejection = ScimError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<ScimPrincipal>() {
            return Ok(ScimAuth(principal.clone()));
        }
        let principal = app
            .authorize_scim(bearer_token(&parts.headers), scim_mount(parts))
            .await?;
        parts.extensions.insert(principal.clone());
        Ok(ScimAuth(principal))
    }
}

/// The SCIM mount a request came in on (from its path before the router stripped the mount).
pub fn scim_mount(parts: &Parts) -> ScimMount {
    let path = parts
        .extensions
        .get::<OriginalUri>()
        .map_or_else(|| parts.uri.path(), |original| original.0.path());
    ScimMount::of_path(path)
}

/// A SCIM request body: `application/scim+json` or `application/json` (or no content type, which
/// some clients omit), parsed as JSON. Size is bounded by the body-limit layer (→ 413).
pub struct ScimBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimBody {
    type Rejection = ScimError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(content_type) = req.headers().get(CONTENT_TYPE) {
            let content_type = content_type.to_str().unwrap_or("").to_ascii_lowercase();
            let essence = content_type.split(';').next().unwrap_or("").trim();
            if !(essence == "application/scim+json"
                || essence == "application/json"
                || essence.is_empty())
            {
                return Err(ProtocolError::new(
                    415,
                    None,
                    format!("unsupported content type {essence:?}: send application/scim+json or application/json"),
                )
                .into());
            }
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ProtocolError::new(413, None, "request body is too large")
                } else {
                    ProtocolError::invalid_syntax(format!(
                        "could not read the request body: {rejection}"
                    ))
                }
            })?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ProtocolError::invalid_syntax(format!("request body is not valid JSON: {e}"))
        })?;
        Ok(ScimBody(value))
    }
}
