//! SCIM 2.0 routes, served under both `/feeds/business/scim` (ABM's path) and `/scim/v2`.

mod users;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;

use crate::service::App;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/Users", get(users::list_users))
        .route("/ServiceProviderConfig", get(users::service_provider_config))
}
