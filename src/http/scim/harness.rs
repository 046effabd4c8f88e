//! The test-harness layer around every SCIM route: authenticates once, applies injected faults
//! before anything runs (so a faulted request changes nothing), and records the exchange in the
//! organization's request journal.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::http::error::{scim_error_response, ScimError};
use crate::http::extract::{bearer_token, scim_mount};
use crate::scim::error::ScimType;
use crate::service::faults::FaultAction;
use crate::service::journal::{dialect_features, redact_body, JournalEntry};
use crate::service::{App, ServiceError};
use crate::store::StoreError;

/// Bodies larger than this are journaled as a note rather than in full.
const MAX_JOURNALED_BODY: usize = 64 * 1024;
/// Request headers worth recording (never `Authorization`).
const RECORDED_HEADERS: [&str; 5] = [
    "content-type",
    "accept",
    "user-agent",
    "if-match",
    "if-none-match",
];

pub async fn scim_harness(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let (mut parts, body) = request.into_parts();
    // Requests that do not authenticate are answered by the handler's own 401 and cannot be
    // attributed to an organization, so they are not journaled.
    let principal = match bearer_token(&parts.headers) {
        Some(token) => match app.authorize_scim(Some(token), scim_mount(&parts)).await {
            Ok(principal) => Some(principal),
            // Database down: answer the 503 now rather than let the handler wait for a
            // connection a second time (requests must fail within one acquire timeout).
            Err(err @ ServiceError::Store(StoreError::Unavailable(_))) => {
                return ScimError(err).into_response()
            }
            Err(_) => None,
        },
        None => None,
    };
    let Some(principal) = principal else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    parts.extensions.insert(principal.clone());
    let body = match to_bytes(body, app.settings.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return scim_error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                None,
                &format!(
                    "request body is larger than {} bytes",
                    app.settings.max_body_bytes
                ),
            )
        }
    };
    let method = parts.method.to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let request_headers = recorded_headers(&parts.headers);

    let mut fault = None;
    let action = match app.faults.check(&principal.org.id, &method, &path).await {
        Ok(action) => action,
        Err(err) => return ScimError(err).into_response(),
    };
    let response = match action {
        Some(FaultAction::Delay { delay_ms }) => {
            fault = Some(format!("delay {delay_ms} ms"));
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            next.run(Request::from_parts(parts, Body::from(body.clone())))
                .await
        }
        Some(FaultAction::RateLimit { rate_limit }) => {
            fault = Some("rate_limit".into());
            let mut response = scim_error_response(
                StatusCode::TOO_MANY_REQUESTS,
                None,
                &format!(
                    "too many requests (injected fault): retry after {} s",
                    rate_limit.retry_after_s
                ),
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(rate_limit.retry_after_s));
            response
        }
        Some(FaultAction::Error {
            status,
            scim_type,
            detail,
        }) => {
            fault = Some(format!("error {status}"));
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let scim_type = scim_type.as_deref().and_then(ScimType::parse);
            let detail = detail.unwrap_or_else(|| "injected fault".into());
            scim_error_response(status, scim_type, &detail)
        }
        None => {
            next.run(Request::from_parts(parts, Body::from(body.clone())))
                .await
        }
    };
    if !app.journal.enabled() {
        return response;
    }
    let (response_parts, response_body) = response.into_parts();
    let response_bytes = to_bytes(response_body, usize::MAX)
        .await
        .unwrap_or_default();
    let request_json = journaled_request_body(&body);
    let entry = JournalEntry {
        seq: 0,
        at: app.clock.now().await.unwrap_or_else(|_| chrono::Utc::now()),
        method,
        path,
        query,
        status: response_parts.status.as_u16(),
        token_id: Some(principal.token_id.clone()),
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        request_headers,
        dialect: request_json
            .as_ref()
            .map(dialect_features)
            .unwrap_or_default(),
        request_body: None,
        response_body: None,
        fault,
        dropped_before: None,
    };
    app.journal.record(
        &principal.org.id,
        entry,
        request_json.map(|value| value.to_string()),
        journaled_response_body(&response_bytes),
    );
    Response::from_parts(response_parts, Body::from(response_bytes)).into_response()
}

fn recorded_headers(headers: &HeaderMap) -> Value {
    let mut recorded = serde_json::Map::new();
    for name in RECORDED_HEADERS {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
            recorded.insert(name.to_string(), json!(value));
        }
    }
    if headers.contains_key(axum::http::header::AUTHORIZATION) {
        recorded.insert("authorization".into(), json!("[redacted]"));
    }
    Value::Object(recorded)
}

/// A request body as recorded: parsed (for its dialect features) and with secrets redacted.
fn journaled_request_body(bytes: &Bytes) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    if bytes.len() > MAX_JOURNALED_BODY {
        return Some(json!({ "_journal": format!("body of {} bytes not recorded", bytes.len()) }));
    }
    let mut value = serde_json::from_slice::<Value>(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()));
    redact_body(&mut value);
    Some(value)
}

/// A response body as recorded: our own JSON, which never holds a secret, kept as text (parsing
/// it on every request would cost more than the rest of the journal together).
fn journaled_response_body(bytes: &Bytes) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    if bytes.len() > MAX_JOURNALED_BODY {
        return Some(
            json!({ "_journal": format!("body of {} bytes not recorded", bytes.len()) })
                .to_string(),
        );
    }
    Some(String::from_utf8_lossy(bytes).into_owned())
}
