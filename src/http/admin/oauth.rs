//! The organization's OAuth client and its secrets (ABM: Settings › Directory Sync › Client
//! Secret), and approvals without a browser.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::oauth_views::{
    AuthorizationRequestBody, CreateOAuthClientRequest, CreateSecretRequest, IssuedClientView,
    IssuedSecretView, OAuthClientView, PatchOAuthClientRequest,
};
use super::views::ErrorBody;
use super::{AdminJson, AdminResult};
use crate::domain::CodeChallengeMethod;
use crate::service::oauth::{Approval, AuthorizationParams, ClientChange, NewClient};
use crate::service::App;

/// Create the organization's OAuth client with its first secret (connects SCIM if
/// disconnected: `pending` until the first authorised SCIM request). The secret is shown once.
#[utoipa::path(post, path = "/admin/v1/orgs/{org}/scim/oauth-client", tag = "admin", security(("admin_token" = [])),
    params(("org" = String, Path)), request_body = CreateOAuthClientRequest,
    responses((status = 201, body = IssuedClientView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`oauth_client_exists`, or `sync_source_conflict` while the organization syncs with OIDC", body = ErrorBody)))]
pub async fn create_oauth_client(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    AdminJson(body): AdminJson<CreateOAuthClientRequest>,
) -> AdminResult<(StatusCode, Json<IssuedClientView>)> {
    let issued = app
        .create_oauth_client(
            &org,
            NewClient {
                name: body.name,
                redirect_uris: body.redirect_uris,
                secret_lifetime_months: body.secret_lifetime_months,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}

/// The OAuth client with its secrets (never their values).
#[utoipa::path(get, path = "/admin/v1/orgs/{org}/scim/oauth-client", tag = "admin", security(("admin_token" = [])),
    params(("org" = String, Path)),
    responses((status = 200, body = OAuthClientView), (status = 404, body = ErrorBody)))]
pub async fn get_oauth_client(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
) -> AdminResult<Json<OAuthClientView>> {
    let state = app.oauth_client(&org).await?;
    Ok(Json(OAuthClientView::of(&state, app.now().await?)))
}

/// Change the client's name or redirect URIs.
#[utoipa::path(patch, path = "/admin/v1/orgs/{org}/scim/oauth-client", tag = "admin", security(("admin_token" = [])),
    params(("org" = String, Path)), request_body = PatchOAuthClientRequest,
    responses((status = 200, body = OAuthClientView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn patch_oauth_client(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    AdminJson(body): AdminJson<PatchOAuthClientRequest>,
) -> AdminResult<Json<OAuthClientView>> {
    let state = app
        .update_oauth_client(
            &org,
            ClientChange {
                name: body.name,
                redirect_uris: body.redirect_uris,
            },
        )
        .await?;
    Ok(Json(OAuthClientView::of(&state, app.now().await?)))
}

/// Delete the client: every secret, refresh token and access token of it stops working at once.
#[utoipa::path(delete, path = "/admin/v1/orgs/{org}/scim/oauth-client", tag = "admin", security(("admin_token" = [])),
    params(("org" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_oauth_client(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
) -> AdminResult<StatusCode> {
    app.delete_oauth_client(&org).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Create a second client secret (at most two live ones). The secret is shown once.
#[utoipa::path(post, path = "/admin/v1/orgs/{org}/scim/oauth-client/secrets", tag = "admin", security(("admin_token" = [])),
    params(("org" = String, Path)), request_body = CreateSecretRequest,
    responses((status = 201, body = IssuedSecretView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`secret_limit` with two live secrets, or `sync_source_conflict`", body = ErrorBody)))]
pub async fn create_oauth_secret(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    AdminJson(body): AdminJson<CreateSecretRequest>,
) -> AdminResult<(StatusCode, Json<IssuedSecretView>)> {
    let issued = app.create_oauth_secret(&org, body.lifetime_months).await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}

/// Revoke a client secret, with every refresh and access token obtained with it, effective on
/// the next request. The only live secret cannot be revoked.
#[utoipa::path(delete, path = "/admin/v1/orgs/{org}/scim/oauth-client/secrets/{id}", tag = "admin", security(("admin_token" = [])),
    params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody),
        (status = 409, description = "`last_secret`: disconnect SCIM or delete the client instead", body = ErrorBody)))]
pub async fn revoke_oauth_secret(
    State(app): State<Arc<App>>,
    Path((org, id)): Path<(String, String)>,
) -> AdminResult<StatusCode> {
    app.revoke_oauth_secret(&org, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Approve the client without a browser (what "Allow" on the authorization page does): a code
/// for `redirect_uri`, and the redirect the browser would follow.
#[utoipa::path(post, path = "/admin/v1/orgs/{org}/scim/oauth-client/authorizations", tag = "admin", security(("admin_token" = [])),
    params(("org" = String, Path)), request_body = AuthorizationRequestBody,
    responses((status = 201, body = Approval),
        (status = 400, description = "`invalid_redirect_uri` (not registered), `invalid_request` (PKCE)", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn create_authorization(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    AdminJson(body): AdminJson<AuthorizationRequestBody>,
) -> AdminResult<(StatusCode, Json<Approval>)> {
    let mut params = AuthorizationParams::default();
    params.set("redirect_uri", Some(&body.redirect_uri));
    params.set("state", body.state.as_deref());
    params.set("code_challenge", body.code_challenge.as_deref());
    params.set(
        "code_challenge_method",
        body.code_challenge_method.map(CodeChallengeMethod::as_str),
    );
    let approval = app.admin_authorization(&org, params).await?;
    Ok((StatusCode::CREATED, Json(approval)))
}
