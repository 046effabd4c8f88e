//! `GET /auth/oauth2/v2/authorize` shows the approval page; `POST` takes its answer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::page::{approval_page, error_page, redirect};
use crate::http::error::status_and_detail;
use crate::service::oauth::{AuthorizationParams, AuthorizeError};
use crate::service::App;

/// A refusal as the user agent sees it: a page, or a redirect back to the client.
fn refusal(err: AuthorizeError, after_form: bool) -> Response {
    match err {
        AuthorizeError::NoRedirect(detail) => error_page(StatusCode::BAD_REQUEST, &detail),
        AuthorizeError::Redirect { redirect: to, .. } => redirect(&to, after_form),
        AuthorizeError::Service(err) => {
            let (status, detail) = status_and_detail(&err);
            error_page(status, &detail)
        }
    }
}

/// RFC 6749 §4.1.1: the client sends the administrator here; a valid request shows the
/// approval page, a request naming a wrong client or redirect URI an error page, any other
/// error goes back to the client's redirect URI.
pub async fn show_authorization(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let (params, repeated) = match AuthorizationParams::parse_keeping_first(query.as_bytes()) {
        Ok(parsed) => parsed,
        Err(err) => return error_page(StatusCode::BAD_REQUEST, &err.to_string()),
    };
    match app.check_authorization(&params, &repeated).await {
        Ok(authorization) => approval_page(&authorization, None, StatusCode::OK),
        Err(err) => refusal(err, false),
    }
}

/// The approval page's form: `decision=allow` with the admin token gives a code, `deny` an
/// `access_denied`, both redirected to the client. The request is checked again in full.
pub async fn decide_authorization(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let Ok(body) = body else {
        return error_page(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large");
    };
    if !super::is_form(&headers) {
        return error_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the approval form as application/x-www-form-urlencoded",
        );
    }
    let (params, repeated) = match AuthorizationParams::parse_keeping_first(&body) {
        Ok(parsed) => parsed,
        Err(err) => return error_page(StatusCode::BAD_REQUEST, &err.to_string()),
    };
    let authorization = match app.check_authorization(&params, &repeated).await {
        Ok(authorization) => authorization,
        Err(err) => return refusal(err, true),
    };
    match params.get("decision") {
        Some("deny") => match app.deny_authorization(&authorization).await {
            Ok(to) => redirect(&to, true),
            Err(err) => refusal(AuthorizeError::Service(err), true),
        },
        Some("allow") => {
            if app.authorize_admin(params.get("admin_token")).is_err() {
                return approval_page(
                    &authorization,
                    Some(
                        "That admin token is not correct: enter the server's admin token to allow.",
                    ),
                    StatusCode::UNAUTHORIZED,
                );
            }
            match app.approve_authorization(&authorization).await {
                Ok(approval) => redirect(&approval.redirect, true),
                Err(err) => refusal(AuthorizeError::Service(err), true),
            }
        }
        _ => approval_page(
            &authorization,
            Some("Choose Allow or Don't Allow."),
            StatusCode::BAD_REQUEST,
        ),
    }
}
