//! `/Users` handlers (RFC 7644 §3.3–3.6). Rules live in `service::users`.

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::query::{none_match, precondition, search_request, QueryParams};
use super::response::{paged_list_response, scim_base, user_resource, user_response, Projection};
use crate::http::error::ScimError;
use crate::http::extract::{ScimAuth, ScimBody};
use crate::service::{etag, App, ListRequest};

type ScimResult = Result<Response, ScimError>;

/// `POST /Users`
pub async fn create_user(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let created = app.scim_create_user(&principal, &body).await?;
    let base = scim_base(&app, &uri, &headers);
    let projection = QueryParams::parse(query.as_deref()).projection();
    Ok(user_response(
        StatusCode::CREATED,
        &created.account,
        &base,
        &projection,
    ))
}

/// `GET /Users/{id}`
pub async fn get_user(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ScimResult {
    let account = app.scim_get_user(&principal, &id).await?;
    let tag = etag(account.version);
    if none_match(&headers, &tag) {
        // RFC 9110 §15.4.5: a 304 carries the ETag a 200 would have carried.
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(value) = axum::http::HeaderValue::from_str(&tag) {
            response
                .headers_mut()
                .insert(axum::http::header::ETAG, value);
        }
        return Ok(response);
    }
    let base = scim_base(&app, &uri, &headers);
    let projection = QueryParams::parse(query.as_deref()).projection();
    Ok(user_response(StatusCode::OK, &account, &base, &projection))
}

/// `GET /Users`
pub async fn list_users(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ScimResult {
    let params = QueryParams::parse(query.as_deref());
    let request = params.list_request()?;
    list(
        &app,
        &principal,
        &request,
        &params.projection(),
        &scim_base(&app, &uri, &headers),
    )
    .await
}

/// `POST /Users/.search`
pub async fn search_users(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let (request, projection) = search_request(&body)?;
    list(
        &app,
        &principal,
        &request,
        &projection,
        &scim_base(&app, &uri, &headers),
    )
    .await
}

async fn list(
    app: &App,
    principal: &crate::service::ScimPrincipal,
    request: &ListRequest,
    projection: &Projection,
    base: &str,
) -> ScimResult {
    let page = app.scim_list_users(principal, request).await?;
    let resources = page
        .accounts
        .iter()
        .map(|account| projection.apply(user_resource(account, base)))
        .collect();
    Ok(super::response::scim_json(
        StatusCode::OK,
        &paged_list_response(resources, &page),
    ))
}

/// `PUT /Users/{id}`
pub async fn replace_user(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let account = app
        .scim_replace_user(&principal, &id, &body, &precondition(&headers))
        .await?;
    let base = scim_base(&app, &uri, &headers);
    let projection = QueryParams::parse(query.as_deref()).projection();
    Ok(user_response(StatusCode::OK, &account, &base, &projection))
}

/// `PATCH /Users/{id}`: answers 200 with the resource.
pub async fn patch_user(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let account = app
        .scim_patch_user(&principal, &id, &body, &precondition(&headers))
        .await?;
    let base = scim_base(&app, &uri, &headers);
    let projection = QueryParams::parse(query.as_deref()).projection();
    Ok(user_response(StatusCode::OK, &account, &base, &projection))
}

/// `DELETE /Users/{id}`: deactivates (ABM keeps the account 30 days); 204.
pub async fn delete_user(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ScimResult {
    app.scim_delete_user(&principal, &id, &precondition(&headers))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
