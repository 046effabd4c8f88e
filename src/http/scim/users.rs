//! `/Users` handlers (RFC 7644 §3.3–3.6). Rules live in `service::users`; what every handler
//! needs from the request (absolute base URL, projection, preconditions) comes from
//! [`ScimRequest`].

use std::sync::Arc;

use axum::extract::{FromRequestParts, OriginalUri, Path, RawQuery, State};
use axum::http::header::ETAG;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::query::{none_match, precondition, search_request, QueryParams};
use super::response::{
    paged_list_response, scim_base, scim_json, user_resource, user_response, Projection,
};
use crate::http::error::ScimError;
use crate::http::extract::{ScimAuth, ScimBody};
use crate::service::{etag, App, ListRequest, Precondition, ScimPrincipal};
use crate::store::Account;

type ScimResult = Result<Response, ScimError>;

/// The parts of a SCIM request that shape its response.
pub struct ScimRequest {
    /// Absolute SCIM base of this request (the mount the client used).
    base: String,
    params: QueryParams,
    headers: HeaderMap,
}

impl FromRequestParts<Arc<App>> for ScimRequest {
    type Rejection = ScimError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let OriginalUri(uri) = OriginalUri::from_request_parts(parts, app)
            .await
            .unwrap_or_else(|never| match never {});
        let RawQuery(query) = RawQuery::from_request_parts(parts, app)
            .await
            .unwrap_or_else(|never| match never {});
        Ok(ScimRequest {
            base: scim_base(app, &uri, &parts.headers),
            params: QueryParams::parse(query.as_deref()),
            headers: parts.headers.clone(),
        })
    }
}

impl ScimRequest {
    fn projection(&self) -> Projection {
        self.params.projection()
    }

    fn precondition(&self) -> Precondition {
        precondition(&self.headers)
    }

    /// A single User answer with `ETag` (and `Location` when created).
    fn user(&self, status: StatusCode, account: &Account) -> Response {
        user_response(status, account, &self.base, &self.projection())
    }

    /// A page of Users as a ListResponse.
    async fn list(
        &self,
        app: &App,
        principal: &ScimPrincipal,
        request: &ListRequest,
        projection: &Projection,
    ) -> ScimResult {
        let page = app.scim_list_users(principal, request).await?;
        let resources = page
            .accounts
            .iter()
            .map(|account| projection.apply(user_resource(account, &self.base)))
            .collect();
        Ok(scim_json(
            StatusCode::OK,
            &paged_list_response(resources, &page),
        ))
    }
}

/// `POST /Users`
pub async fn create_user(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    request: ScimRequest,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let created = app.scim_create_user(&principal, &body).await?;
    Ok(request.user(StatusCode::CREATED, &created.account))
}

/// `GET /Users/{id}`
pub async fn get_user(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    Path(id): Path<String>,
    request: ScimRequest,
) -> ScimResult {
    let account = app.scim_get_user(&principal, &id).await?;
    let tag = etag(account.version);
    if none_match(&request.headers, &tag) {
        // RFC 9110 §15.4.5: a 304 carries the ETag a 200 would have carried.
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(value) = HeaderValue::from_str(&tag) {
            response.headers_mut().insert(ETAG, value);
        }
        return Ok(response);
    }
    Ok(request.user(StatusCode::OK, &account))
}

/// `GET /Users`
pub async fn list_users(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    request: ScimRequest,
) -> ScimResult {
    let list = request.params.list_request()?;
    request
        .list(&app, &principal, &list, &request.projection())
        .await
}

/// `POST /Users/.search` (and `POST /.search` at the root: only Users are served)
pub async fn search_users(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    request: ScimRequest,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let (list, projection) = search_request(&body)?;
    request.list(&app, &principal, &list, &projection).await
}

/// `PUT /Users/{id}`
pub async fn replace_user(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    Path(id): Path<String>,
    request: ScimRequest,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let account = app
        .scim_replace_user(&principal, &id, &body, &request.precondition())
        .await?;
    Ok(request.user(StatusCode::OK, &account))
}

/// `PATCH /Users/{id}`: answers 200 with the resource.
pub async fn patch_user(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    Path(id): Path<String>,
    request: ScimRequest,
    ScimBody(body): ScimBody,
) -> ScimResult {
    let account = app
        .scim_patch_user(&principal, &id, &body, &request.precondition())
        .await?;
    Ok(request.user(StatusCode::OK, &account))
}

/// `DELETE /Users/{id}`: deactivates (ABM keeps the account 30 days); 204.
pub async fn delete_user(
    State(app): State<Arc<App>>,
    ScimAuth(principal): ScimAuth,
    Path(id): Path<String>,
    request: ScimRequest,
) -> ScimResult {
    app.scim_delete_user(&principal, &id, &request.precondition())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
