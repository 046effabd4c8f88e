//! The axum layer: routes, extractors, error mapping, middleware. Depends on `service` only.

mod admin;
mod console;
mod error;
mod extract;
mod health;
mod metrics;
mod oauth;
pub(crate) mod scim;
mod serve;
mod telemetry;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

pub use error::{AdminError, ScimError, SCIM_CONTENT_TYPE};
pub use metrics::metrics_router;
pub use serve::{serve, ConnectionLimits};

use crate::domain::OrgKind;
use crate::service::App;

/// Limits applied to every request.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// The whole HTTP surface. `stopping` turns true when the server begins to shut down.
pub fn router(
    app: Arc<App>,
    limits: &HttpLimits,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> Router {
    let scim_routes = scim::routes(app.clone());
    let metrics = app.settings.metrics;
    // Layers run outside-in in the reverse of the order they are added: the request id is set
    // first so the trace span can carry it; panics are caught inside the span so they are logged
    // with it and answered as a SCIM 500 rather than a dropped connection.
    let mut routes = Router::new();
    if metrics.enabled && !metrics.separate_listener {
        routes = routes.route("/metrics", get(metrics::metrics_page));
    }
    let routes = routes
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .nest(OrgKind::Business.scim_path(), scim_routes.clone())
        .nest(OrgKind::School.scim_path(), scim_routes.clone())
        .nest("/scim/v2", scim_routes)
        .nest("/admin/v1", admin::routes(app.clone()))
        .nest(oauth::OAUTH_BASE, oauth::routes())
        .nest("/console", console::routes(app.clone(), stopping))
        .route("/openapi.json", get(admin::openapi_json))
        .route("/admin/docs", get(admin::docs_page))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed);
    // Counted only when someone reads the figures (off by default).
    let routes = if metrics.enabled {
        routes.layer(axum::middleware::from_fn_with_state(
            app.clone(),
            metrics::count_request,
        ))
    } else {
        routes
    };
    routes
        .layer(axum::middleware::from_fn(reject_undecodable_path))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            limits.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(telemetry::panic_response))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(telemetry::trace_layer())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(app)
}

async fn unknown_route() -> Response {
    error::scim_error_response(
        StatusCode::NOT_FOUND,
        None,
        "no such endpoint: SCIM lives under /feeds/business/scim (Apple School Manager organizations: /feeds/school/scim; either: /scim/v2), the admin API under /admin/v1",
    )
    .into_response()
}

async fn method_not_allowed() -> Response {
    error::scim_error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        "this endpoint does not support that HTTP method",
    )
}

/// Refuses, in the route's error format, a path that is not UTF-8 once percent-decoded
/// (`/Users/%FF`; axum's `Path` extractor would answer in plain text) or that holds a NUL
/// (`%00`, which PostgreSQL cannot compare with text), and a NUL in an admin query string. (SCIM
/// query parameters are checked where they are parsed, with SCIM's own error types.)
async fn reject_undecodable_path(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    let admin = path.starts_with("/admin/");
    let detail = if !percent_decoded_is_utf8(path) {
        "the URL path is not valid UTF-8 once percent-decoded"
    } else if path.contains("%00")
        || (admin && request.uri().query().is_some_and(|q| q.contains("%00")))
    {
        "the URL holds a NUL character (%00): remove it"
    } else {
        return next.run(request).await;
    };
    if admin {
        AdminError(crate::service::ServiceError::bad_request(
            "invalid_path",
            detail,
        ))
        .into_response()
    } else {
        error::scim_error_response(StatusCode::BAD_REQUEST, None, detail)
    }
}

fn percent_decoded_is_utf8(path: &str) -> bool {
    let bytes = path.as_bytes();
    let hex = |i: usize| bytes.get(i).and_then(|b| (*b as char).to_digit(16));
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let (b'%', Some(high), Some(low)) = (b, hex(i + 1), hex(i + 2)) {
            decoded.push((high * 16 + low) as u8);
            i += 3;
        } else {
            decoded.push(b);
            i += 1;
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}
