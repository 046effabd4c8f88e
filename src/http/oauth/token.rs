//! `POST /auth/oauth2/v2/token` (RFC 6749 §3.2): form in, JSON out, never cached; each call of
//! a known client is recorded in its organization's request journal (grant type, client id,
//! status; never a secret, code or token).

use std::sync::Arc;
use std::time::Instant;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::domain::ClientAuthMethod;
use crate::http::error::{oauth_json, OAuthErrorResponse};
use crate::service::journal::JournalEntry;
use crate::service::oauth::{IssuedTokens, OAuthError, TokenCaller, TokenOutcome};
use crate::service::App;

/// Request headers worth recording (`Authorization` only as redacted).
const RECORDED_HEADERS: [&str; 3] = ["content-type", "accept", "user-agent"];
/// Error bodies are a sentence or two; anything longer is not recorded.
const MAX_RECORDED_BODY: usize = 16 * 1024;

pub async fn issue_token(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let authorization = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let refused = |error: OAuthError| TokenOutcome {
        caller: TokenCaller::default(),
        result: Err(error),
    };
    let TokenOutcome { caller, result } = match body {
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            refused(OAuthError::invalid_request("the request body is too large"))
        }
        Err(_) => refused(OAuthError::invalid_request(
            "the request body could not be read",
        )),
        Ok(_) if !super::is_form(&headers) => refused(OAuthError::invalid_request(
            "send the token request as application/x-www-form-urlencoded (RFC 6749 §3.2)",
        )),
        Ok(body) => app.token_request(authorization, &body).await,
    };
    let (response, recorded_body) = match result {
        Ok(tokens) => {
            let body = serde_json::to_value(&tokens).unwrap_or(Value::Null);
            (oauth_json(StatusCode::OK, &body), Some(redacted(&tokens)))
        }
        Err(error) => {
            let basic = caller.auth_method == Some(ClientAuthMethod::ClientSecretBasic);
            (OAuthErrorResponse { error, basic }.into_response(), None)
        }
    };
    let Some(org_id) = caller.org_id.clone() else {
        // An unknown client cannot be attributed to an organization: not journaled.
        return response;
    };
    if !app.journal.enabled() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_RECORDED_BODY).await.unwrap_or_default();
    // An error body holds no secret; a success is recorded without its tokens.
    let response_body = recorded_body
        .map(|value| value.to_string())
        .or_else(|| (!bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned()));
    let entry = JournalEntry {
        seq: 0,
        at: app.clock.now().await.unwrap_or_else(|_| chrono::Utc::now()),
        method: "POST".into(),
        path: format!("{}/token", super::OAUTH_BASE),
        query: None,
        status: parts.status.as_u16(),
        token_id: caller.secret_id.clone(),
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        request_headers: recorded_headers(&headers),
        request_body: None,
        response_body: None,
        dialect: Vec::new(),
        fault: None,
        dropped_before: None,
    };
    let request_body = json!({
        "grant_type": caller.grant_type,
        "client_id": caller.client_id,
        "client_auth": caller.auth_method,
    });
    app.journal.record(
        &org_id,
        entry,
        Some(request_body.to_string()),
        response_body,
    );
    Response::from_parts(parts, Body::from(bytes))
}

/// A token response as the journal keeps it: the shape, not the tokens.
fn redacted(tokens: &IssuedTokens) -> Value {
    let mut value = json!({
        "access_token": "[redacted]",
        "token_type": tokens.token_type,
        "expires_in": tokens.expires_in,
    });
    if tokens.refresh_token.is_some() {
        value["refresh_token"] = json!("[redacted]");
    }
    value
}

fn recorded_headers(headers: &HeaderMap) -> Value {
    let mut recorded = serde_json::Map::new();
    for name in RECORDED_HEADERS {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
            recorded.insert(name.to_string(), json!(value));
        }
    }
    if headers.contains_key(AUTHORIZATION) {
        recorded.insert("authorization".into(), json!("[redacted]"));
    }
    Value::Object(recorded)
}
