//! `GET /metrics` (Prometheus text format) and the layer that counts every request for it.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::error::AdminError;
use super::extract::bearer_token;
use crate::metrics::RequestLabels;
use crate::service::App;

/// The exposition format (OpenMetrics text, which Prometheus reads).
const TEXT_FORMAT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub async fn metrics_page(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Err(err) = app.authorize_metrics(bearer_token(&headers)) {
        return AdminError(err).into_response();
    }
    let text = app.render_metrics().await;
    let mut response = (StatusCode::OK, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_FORMAT));
    response
}

/// The router of `--metrics-listen`: `/metrics` alone.
pub fn metrics_router(app: Arc<App>) -> Router {
    Router::new()
        .route("/metrics", get(metrics_page))
        .fallback(|| async { (StatusCode::NOT_FOUND, "only /metrics is served here\n") })
        .with_state(app)
}

/// Counts the request by route template, method, status class and client dialect, and
/// observes its latency.
pub async fn count_request(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // `{id}` is written `:id`: braces inside label values trip some text-format parsers.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .replace('{', ":")
        .replace('}', "");
    let method = request.method().as_str().to_string();
    let dialect = idp_dialect(
        request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    );
    let response = next.run(request).await;
    let status = format!("{}xx", response.status().as_u16() / 100);
    app.metrics.observe_request(
        RequestLabels {
            route,
            method,
            status,
            dialect: dialect.to_string(),
        },
        started.elapsed().as_secs_f64(),
    );
    response
}

/// The identity provider a client looks like, from its `User-Agent`: a closed set, so the
/// label cannot grow with whatever clients send.
fn idp_dialect(user_agent: Option<&str>) -> &'static str {
    let Some(agent) = user_agent.map(str::to_ascii_lowercase) else {
        return "none";
    };
    const KNOWN: [(&str, &str); 7] = [
        ("okta", "okta"),
        ("azure", "entra"),
        ("entra", "entra"),
        ("microsoft", "entra"),
        ("google", "google"),
        ("jumpcloud", "jumpcloud"),
        ("onelogin", "onelogin"),
    ];
    KNOWN
        .iter()
        .find(|(needle, _)| agent.contains(needle))
        .map_or("other", |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::idp_dialect;

    #[test]
    fn user_agents_name_a_closed_set_of_dialects() {
        assert_eq!(idp_dialect(Some("Okta SCIM Client 1.0.0")), "okta");
        assert_eq!(idp_dialect(Some("Azure Active Directory SCIM")), "entra");
        assert_eq!(idp_dialect(Some("Google-Auto-Provisioning")), "google");
        assert_eq!(idp_dialect(Some("curl/8.0")), "other");
        assert_eq!(idp_dialect(None), "none");
    }
}
