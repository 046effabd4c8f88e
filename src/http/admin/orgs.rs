//! Organizations and domains.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::views::{
    CreateOrgRequest, DomainRequest, DomainView, ErrorBody, OrgList, OrgView, PatchOrgRequest,
};
use super::{AdminJson, AdminResult};
use crate::service::{App, NewOrg, OrgChange};
use crate::store::Org;

pub(super) async fn org_view(app: &App, org: &Org) -> AdminResult<OrgView> {
    let domains = app.store.list_domains(&org.id).await?;
    Ok(OrgView::new(
        org,
        &domains,
        app.scim_state(org).await?,
        app.retention_of(org),
    ))
}

/// List organizations.
#[utoipa::path(get, path = "/admin/v1/orgs", tag = "admin", security(("admin_token" = [])),
    responses((status = 200, body = OrgList), (status = 401, body = ErrorBody)))]
pub async fn list_orgs(State(app): State<Arc<App>>) -> AdminResult<Json<OrgList>> {
    let mut orgs = Vec::new();
    for org in app.store.list_orgs().await? {
        orgs.push(org_view(&app, &org).await?);
    }
    Ok(Json(OrgList { orgs }))
}

/// Create an organization.
#[utoipa::path(post, path = "/admin/v1/orgs", tag = "admin", security(("admin_token" = [])), request_body = CreateOrgRequest,
    responses((status = 201, body = OrgView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_org(
    State(app): State<Arc<App>>,
    AdminJson(body): AdminJson<CreateOrgRequest>,
) -> AdminResult<(StatusCode, Json<OrgView>)> {
    let (org, _) = app
        .create_org(NewOrg {
            name: body.name,
            domains: body
                .domains
                .into_iter()
                .map(|d| (d.name, d.verified))
                .collect(),
            federated_authentication: body.federated_authentication.unwrap_or(true),
            auto_merge: body.auto_merge.unwrap_or(false),
            require_verified_domain: body.require_verified_domain.unwrap_or(true),
            kind: body.kind.unwrap_or_default(),
            sis_connected: body.sis_connected.unwrap_or(false),
            retention_days: body.retention_days,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(org_view(&app, &org).await?)))
}

/// Get an organization.
#[utoipa::path(get, path = "/admin/v1/orgs/{org}", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)),
    responses((status = 200, body = OrgView), (status = 404, body = ErrorBody)))]
pub async fn get_org(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
) -> AdminResult<Json<OrgView>> {
    let org = app.require_org(&org).await?;
    Ok(Json(org_view(&app, &org).await?))
}

/// Change an organization's name and settings.
#[utoipa::path(patch, path = "/admin/v1/orgs/{org}", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)), request_body = PatchOrgRequest,
    responses((status = 200, body = OrgView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn patch_org(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    AdminJson(body): AdminJson<PatchOrgRequest>,
) -> AdminResult<Json<OrgView>> {
    let org = app
        .update_org(
            &org,
            OrgChange {
                name: body.name,
                federated_authentication: body.federated_authentication,
                auto_merge: body.auto_merge,
                require_verified_domain: body.require_verified_domain,
                directory_sync_source: body.directory_sync_source,
                oauth_client_credentials: body.oauth_client_credentials,
                kind: body.kind,
                sis_connected: body.sis_connected,
                retention_days: body.retention_days,
            },
        )
        .await?;
    Ok(Json(org_view(&app, &org).await?))
}

/// Delete an organization with everything in it.
#[utoipa::path(delete, path = "/admin/v1/orgs/{org}", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_org(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
) -> AdminResult<StatusCode> {
    app.delete_org(&org).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add (or re-verify) a domain.
#[utoipa::path(post, path = "/admin/v1/orgs/{org}/domains", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)), request_body = DomainRequest,
    responses((status = 201, body = DomainView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_domain(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    AdminJson(body): AdminJson<DomainRequest>,
) -> AdminResult<(StatusCode, Json<DomainView>)> {
    let domain = app.add_domain(&org, &body.name, body.verified).await?;
    Ok((StatusCode::CREATED, Json(DomainView::from(&domain))))
}

/// Remove a domain.
#[utoipa::path(delete, path = "/admin/v1/orgs/{org}/domains/{name}", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), ("name" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove_domain(
    State(app): State<Arc<App>>,
    Path((org, name)): Path<(String, String)>,
) -> AdminResult<StatusCode> {
    app.remove_domain(&org, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
