//! Request spans and panic answers.

use std::any::Any;
use std::time::Duration;

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{Request, Response, StatusCode};
use axum::response::IntoResponse;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

/// One span per request with method, matched route (never the raw query, which may hold
/// personal data) and request id; the line logged when the response leaves adds status and
/// latency (recording them in the span too would format its fields a second time).
pub fn trace_layer(
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), LogResponse> {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(LogResponse)
}

#[derive(Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str)
            .unwrap_or("unmatched");
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!(
            "request",
            method = %request.method(),
            route,
            request_id,
        )
    }
}

#[derive(Clone, Copy)]
pub struct LogResponse;

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        let latency_ms = latency.as_secs_f64() * 1000.0;
        let status = response.status();
        // Answered requests are logged at DEBUG: formatting and writing a line per request
        // cost a tenth of a GET /Users/{id}. Refused requests (4xx) stay at INFO, since they
        // are what someone debugging an identity provider looks for; 5xx are logged by the
        // trace layer's failure hook as errors.
        if status.is_client_error() {
            tracing::info!(status = status.as_u16(), latency_ms, "request refused");
        } else {
            tracing::debug!(status = status.as_u16(), latency_ms, "request finished");
        }
    }
}

/// A handler panic becomes a SCIM 500 without the panic message (which could hold data).
pub fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    tracing::error!("handler panicked");
    super::error::scim_error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        None,
        "internal server error",
    )
    .into_response()
}
