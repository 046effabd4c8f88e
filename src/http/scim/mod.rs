//! SCIM 2.0 routes, served under both `/feeds/business/scim` (ABM's path) and `/scim/v2`.

mod discovery;
mod harness;
mod query;
mod response;
pub use response::{mount_base, user_resource};
mod users;

use std::sync::Arc;

use axum::routing::{any, get, post};
use axum::Router;

use crate::service::App;

pub fn routes(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route("/Users", get(users::list_users).post(users::create_user))
        .route("/Users/.search", post(users::search_users))
        // RFC 7644 §3.4.3: a search at the server root spans every resource type; Users are
        // the only ones this server holds (Groups are always empty).
        .route("/.search", post(users::search_users))
        .route(
            "/Users/{id}",
            get(users::get_user)
                .put(users::replace_user)
                .patch(users::patch_user)
                .delete(users::delete_user),
        )
        .route(
            "/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/ResourceTypes", get(discovery::list_resource_types))
        .route("/ResourceTypes/{name}", get(discovery::get_resource_type))
        .route("/Schemas", get(discovery::list_schemas))
        .route("/Schemas/{urn}", get(discovery::get_schema))
        .route(
            "/Groups",
            get(discovery::list_groups).fallback(discovery::groups_not_supported),
        )
        .route("/Groups/.search", any(discovery::groups_not_supported))
        .route(
            "/Groups/{id}",
            get(discovery::get_group).fallback(discovery::groups_not_supported),
        )
        .route("/Bulk", any(discovery::bulk_not_supported))
        .layer(axum::middleware::from_fn_with_state(
            app,
            harness::scim_harness,
        ))
}
