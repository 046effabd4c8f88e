//! TEMPORARY skeleton of /Users (replaced by the full protocol).
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde_json::json;

use crate::http::error::{ScimError, SCIM_CONTENT_TYPE};
use crate::http::extract::ScimAuth;
use crate::service::App;
use crate::store::AccountQuery;

pub async fn list_users(State(app): State<Arc<App>>, ScimAuth(principal): ScimAuth) -> Result<impl IntoResponse, ScimError> {
    let page = app
        .store
        .query_accounts(&AccountQuery {
            org_id: principal.org.id.clone(),
            condition: Default::default(),
            order_by: "a.created_at, a.id".into(),
            limit: 100,
            offset: 0,
            count_total: true,
        })
        .await?;
    let resources: Vec<_> = page.accounts.iter().map(|a| json!({"id": a.id, "userName": a.user_name})).collect();
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": page.total.unwrap_or(0),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    });
    Ok(([(CONTENT_TYPE, SCIM_CONTENT_TYPE)], body.to_string()))
}

pub async fn service_provider_config(ScimAuth(_principal): ScimAuth) -> impl IntoResponse {
    ([(CONTENT_TYPE, SCIM_CONTENT_TYPE)], json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]}).to_string())
}
