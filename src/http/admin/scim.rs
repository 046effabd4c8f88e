//! The SCIM connection and its tokens (ABM: Settings › Directory Sync).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

use super::oauth_views::OAuthClientView;
use super::views::{ErrorBody, IssuedTokenView, ScimConnectionView, TokenView};
use super::AdminResult;
use crate::http::scim::mount_base;
use crate::service::{connection_state, Actor, App, IssuedToken, ScimMount};

/// Connection state, base URL, tokens and the OAuth client with its secrets (never a secret).
#[utoipa::path(get, path = "/admin/v1/orgs/{org}/scim", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)),
    responses((status = 200, body = ScimConnectionView), (status = 404, body = ErrorBody)))]
pub async fn get_connection(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> AdminResult<Json<ScimConnectionView>> {
    let org = app.require_org(&org).await?;
    app.note_token_expiry(&org.id).await?;
    let credentials = app.credentials(&org.id).await?;
    let client = app.store.get_org_oauth_client(&org.id).await?;
    let now = app.now().await?;
    Ok(Json(ScimConnectionView {
        state: connection_state(&org, &credentials, now),
        base_url: mount_base(&app, &headers, ScimMount::Feed(org.kind)),
        tokens: credentials
            .tokens
            .iter()
            .map(|t| TokenView::new(t, now))
            .collect(),
        oauth_client: client.map(|c| OAuthClientView::new(&c, &credentials.secrets, now)),
    }))
}

fn issued(token: IssuedToken) -> (StatusCode, Json<IssuedTokenView>) {
    (
        StatusCode::CREATED,
        Json(IssuedTokenView {
            id: token.id,
            token: token.token,
            expires_at: token.expires_at,
        }),
    )
}

/// Create a token (connects SCIM if disconnected). The secret is shown once.
#[utoipa::path(post, path = "/admin/v1/orgs/{org}/scim/tokens", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)),
    responses((status = 201, body = IssuedTokenView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_token(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
) -> AdminResult<(StatusCode, Json<IssuedTokenView>)> {
    Ok(issued(app.create_token(&org, None).await?))
}

/// Renew a token: a new token; the old one keeps working until it expires or is revoked.
#[utoipa::path(post, path = "/admin/v1/orgs/{org}/scim/tokens/{id}/renew", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 201, body = IssuedTokenView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn renew_token(
    State(app): State<Arc<App>>,
    Path((org, id)): Path<(String, String)>,
) -> AdminResult<(StatusCode, Json<IssuedTokenView>)> {
    Ok(issued(app.create_token(&org, Some(&id)).await?))
}

/// Revoke a token, effective on the next request.
#[utoipa::path(delete, path = "/admin/v1/orgs/{org}/scim/tokens/{id}", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke_token(
    State(app): State<Arc<App>>,
    Path((org, id)): Path<(String, String)>,
) -> AdminResult<StatusCode> {
    app.revoke_token(&org, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Disconnect SCIM: tokens revoked, synced accounts become manual.
#[utoipa::path(delete, path = "/admin/v1/orgs/{org}/scim", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn disconnect(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
) -> AdminResult<StatusCode> {
    app.disconnect_scim(&org, &Actor::Admin).await?;
    Ok(StatusCode::NO_CONTENT)
}
