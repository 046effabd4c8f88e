//! Discovery endpoints (RFC 7644 §4) and the resources ABM does not serve (Groups, Bulk).
//!
//! Discovery answers without authentication, as RFC 7644 §4 allows: IdP set-up wizards read it
//! before a token is configured.

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::query::QueryParams;
use super::response::{list_response, scim_base, scim_json};
use crate::http::error::{scim_error_response, ScimError};
use crate::http::extract::ScimAuth;
use crate::scim::schema;
use crate::service::App;

pub async fn service_provider_config(
    State(app): State<Arc<App>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let base = scim_base(&app, &uri, &headers);
    scim_json(
        StatusCode::OK,
        &schema::service_provider_config(&base, app.settings.max_results as usize),
    )
}

pub async fn list_resource_types(
    State(app): State<Arc<App>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let base = scim_base(&app, &uri, &headers);
    scim_json(StatusCode::OK, &schema::resource_types_list_response(&base))
}

pub async fn get_resource_type(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let base = scim_base(&app, &uri, &headers);
    match schema::resource_type_document(&name, &base) {
        Some(doc) => scim_json(StatusCode::OK, &doc),
        None => scim_error_response(
            StatusCode::NOT_FOUND,
            None,
            &format!("no resource type {name:?}: this server serves User only"),
        ),
    }
}

pub async fn list_schemas(
    State(app): State<Arc<App>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let base = scim_base(&app, &uri, &headers);
    scim_json(StatusCode::OK, &schema::schemas_list_response(&base))
}

pub async fn get_schema(
    State(app): State<Arc<App>>,
    Path(urn): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    let base = scim_base(&app, &uri, &headers);
    match schema::schema_document(&urn, &base) {
        Some(doc) => scim_json(StatusCode::OK, &doc),
        None => scim_error_response(StatusCode::NOT_FOUND, None, &format!("no schema {urn:?}")),
    }
}

/// `GET /Groups`: ABM syncs no groups, so the list is always empty (Okta's and JumpCloud's
/// connection tests read it).
pub async fn list_groups(
    ScimAuth(_principal): ScimAuth,
    RawQuery(query): RawQuery,
) -> Result<Response, ScimError> {
    let params = QueryParams::parse(query.as_deref());
    let start_index = params.list_request()?.start_index.unwrap_or(1).max(1);
    Ok(scim_json(
        StatusCode::OK,
        &list_response(Vec::new(), 0, start_index),
    ))
}

/// `GET /Groups/{id}`: there are none.
pub async fn get_group(ScimAuth(_principal): ScimAuth, Path(id): Path<String>) -> Response {
    scim_error_response(
        StatusCode::NOT_FOUND,
        None,
        &format!("no Group with id {id}: Apple Business Manager does not sync groups"),
    )
}

/// Any write to `/Groups`.
pub async fn groups_not_supported(ScimAuth(_principal): ScimAuth) -> Response {
    scim_error_response(
        StatusCode::NOT_IMPLEMENTED,
        None,
        "Apple Business Manager does not sync groups: only users are provisioned (groups in your identity provider only scope which users are sent)",
    )
}

/// `/Bulk`.
pub async fn bulk_not_supported(ScimAuth(_principal): ScimAuth) -> Response {
    scim_error_response(
        StatusCode::NOT_IMPLEMENTED,
        None,
        "Apple Business Manager does not accept bulk requests: send one request per user",
    )
}
