//! The OAuth 2 authorization server (issue 14), at Apple's paths on the same listener:
//! `/auth/oauth2/v2/authorize` (RFC 6749 §4.1.1, an HTML page) and `/auth/oauth2/v2/token`
//! (RFC 6749 §3.2, JSON). Not part of the admin API: see the README.

mod authorize;
mod page;
mod token;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::error::oauth_json;
use crate::service::App;

/// The path the routes are nested under.
pub const OAUTH_BASE: &str = "/auth/oauth2/v2";

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/authorize",
            get(authorize::show_authorization).post(authorize::decide_authorization),
        )
        .route("/token", post(token::issue_token))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
}

async fn method_not_allowed() -> Response {
    oauth_json(
        StatusCode::METHOD_NOT_ALLOWED,
        &json!({
            "error": "invalid_request",
            "error_description": "use GET or POST on /authorize and POST on /token",
        }),
    )
}

async fn not_found() -> Response {
    oauth_json(
        StatusCode::NOT_FOUND,
        &json!({
            "error": "invalid_request",
            "error_description": "no such endpoint: the authorization server serves /auth/oauth2/v2/authorize and /auth/oauth2/v2/token",
        }),
    )
}

/// Whether a request's content type is `application/x-www-form-urlencoded`.
fn is_form(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}
