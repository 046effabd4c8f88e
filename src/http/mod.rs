//! The axum layer: routes, extractors, error mapping, middleware. Depends on `service` only.

mod admin;
mod error;
mod extract;
mod health;
pub(crate) mod scim;
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

/// The whole HTTP surface.
pub fn router(app: Arc<App>, limits: &HttpLimits) -> Router {
    let scim_routes = scim::routes(app.clone());
    // Layers run outside-in in the reverse of the order they are added: the request id is set
    // first so the trace span can carry it; panics are caught inside the span so they are logged
    // with it and answered as a SCIM 500 rather than a dropped connection.
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .nest("/feeds/business/scim", scim_routes.clone())
        .nest("/scim/v2", scim_routes)
        .nest("/admin/v1", admin::routes(app.clone()))
        .route("/openapi.json", get(admin::openapi_json))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
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
        "no such endpoint: SCIM lives under /feeds/business/scim (or /scim/v2), the admin API under /admin/v1",
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
