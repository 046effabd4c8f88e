//! Accounts of an organization.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::views::{
    AccountList, AccountView, CreateAccountRequest, ErrorBody, PatchAccountRequest, ResolveRequest,
};
use super::{AdminJson, AdminResult};
use crate::service::accounts::{AccountChange, AccountFilter, NewManualAccount, Resolution};
use crate::service::{App, ServiceError};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountListQuery {
    #[param(value_type = Option<crate::domain::AccountState>)]
    state: Option<String>,
    #[param(value_type = Option<crate::domain::AccountSource>)]
    source: Option<String>,
    /// Accounts holding this role (case-insensitive).
    #[param(value_type = Option<crate::domain::Role>)]
    role: Option<String>,
    /// Exactly this userName, case-insensitively.
    user_name: Option<String>,
    /// A `next_cursor` this server returned (anything else: 400 `invalid_cursor`).
    cursor: Option<String>,
    /// Page size, default 100.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// List accounts, paged by cursor.
#[utoipa::path(get, path = "/admin/v1/orgs/{org}/accounts", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), AccountListQuery),
    responses((status = 200, body = AccountList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_accounts(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    query: Result<Query<AccountListQuery>, axum::extract::rejection::QueryRejection>,
) -> AdminResult<Json<AccountList>> {
    let Query(query) =
        query.map_err(|e| ServiceError::bad_request("invalid_query", e.body_text()))?;
    let (accounts, next_cursor) = app
        .admin_list_accounts(
            &org,
            &AccountFilter {
                state: query.state,
                source: query.source,
                role: query.role,
                user_name: query.user_name,
                user_name_prefix: None,
                cursor: query.cursor,
                limit: query.limit,
            },
        )
        .await?;
    Ok(Json(AccountList {
        accounts: accounts.iter().map(AccountView::from).collect(),
        next_cursor,
    }))
}

/// Create a manual account.
#[utoipa::path(post, path = "/admin/v1/orgs/{org}/accounts", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)), request_body = CreateAccountRequest,
    responses((status = 201, body = AccountView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_account(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    AdminJson(body): AdminJson<CreateAccountRequest>,
) -> AdminResult<(StatusCode, Json<AccountView>)> {
    let account = app
        .admin_create_account(
            &org,
            NewManualAccount {
                user_name: body.user_name,
                given_name: body.given_name,
                family_name: body.family_name,
                roles: body.roles,
                grade_level: body.grade_level,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AccountView::from(&account))))
}

/// Get an account.
#[utoipa::path(get, path = "/admin/v1/orgs/{org}/accounts/{id}", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = AccountView), (status = 404, body = ErrorBody)))]
pub async fn get_account(
    State(app): State<Arc<App>>,
    Path((org, id)): Path<(String, String)>,
) -> AdminResult<Json<AccountView>> {
    Ok(Json(AccountView::from(
        &app.admin_get_account(&org, &id).await?,
    )))
}

/// Change an account (synced accounts: roles, grade_level and person_id only).
#[utoipa::path(patch, path = "/admin/v1/orgs/{org}/accounts/{id}", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), ("id" = String, Path)), request_body = PatchAccountRequest,
    responses((status = 200, body = AccountView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn patch_account(
    State(app): State<Arc<App>>,
    Path((org, id)): Path<(String, String)>,
    AdminJson(body): AdminJson<PatchAccountRequest>,
) -> AdminResult<Json<AccountView>> {
    let account = app
        .admin_update_account(
            &org,
            &id,
            AccountChange {
                user_name: body.user_name,
                given_name: body.given_name,
                family_name: body.family_name,
                roles: body.roles,
                person_id: body.person_id,
                active: body.active,
                grade_level: body.grade_level,
            },
        )
        .await?;
    Ok(Json(AccountView::from(&account)))
}

/// Delete an account (synced accounts only once SCIM is disconnected).
#[utoipa::path(delete, path = "/admin/v1/orgs/{org}/accounts/{id}", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_account(
    State(app): State<Arc<App>>,
    Path((org, id)): Path<(String, String)>,
) -> AdminResult<StatusCode> {
    app.admin_delete_account(&org, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resolve a Person ID conflict: `relink` or `make_manual`.
#[utoipa::path(post, path = "/admin/v1/orgs/{org}/accounts/{id}/resolve", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), ("id" = String, Path)), request_body = ResolveRequest,
    responses((status = 200, body = AccountView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resolve_account(
    State(app): State<Arc<App>>,
    Path((org, id)): Path<(String, String)>,
    AdminJson(body): AdminJson<ResolveRequest>,
) -> AdminResult<Json<AccountView>> {
    let resolution = Resolution::parse(&body.action).ok_or_else(|| {
        ServiceError::bad_request(
            "invalid_action",
            format!(
                "action must be relink or make_manual, not {:?}",
                body.action
            ),
        )
    })?;
    Ok(Json(AccountView::from(
        &app.admin_resolve_account(&org, &id, resolution).await?,
    )))
}
