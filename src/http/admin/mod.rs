//! The admin API (`/admin/v1`): what an ABM administrator does in Settings, over HTTP.

mod accounts;
mod activity;
pub(crate) mod harness;
mod oauth;
mod oauth_views;
mod openapi;
mod orgs;
mod scim;
pub(crate) mod system;
mod views;

use std::sync::Arc;

use axum::extract::{FromRequest, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use super::error::AdminError;
use super::extract::bearer_token;
use crate::service::{App, ServiceError};
use openapi::{ExclusiveFaultActions, Links, NonEmptyPathParameters, NulFreeBodies};

pub fn routes(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route("/orgs", get(orgs::list_orgs).post(orgs::create_org))
        .route(
            "/orgs/{org}",
            get(orgs::get_org)
                .patch(orgs::patch_org)
                .delete(orgs::delete_org),
        )
        .route("/orgs/{org}/domains", post(orgs::add_domain))
        .route("/orgs/{org}/domains/{name}", delete(orgs::remove_domain))
        .route(
            "/orgs/{org}/scim",
            get(scim::get_connection).delete(scim::disconnect),
        )
        .route("/orgs/{org}/scim/tokens", post(scim::create_token))
        .route("/orgs/{org}/scim/tokens/{id}", delete(scim::revoke_token))
        .route(
            "/orgs/{org}/scim/tokens/{id}/renew",
            post(scim::renew_token),
        )
        .merge(oauth_routes())
        .route(
            "/orgs/{org}/accounts",
            get(accounts::list_accounts).post(accounts::create_account),
        )
        .route(
            "/orgs/{org}/accounts/{id}",
            get(accounts::get_account)
                .patch(accounts::patch_account)
                .delete(accounts::delete_account),
        )
        .route(
            "/orgs/{org}/accounts/{id}/resolve",
            post(accounts::resolve_account),
        )
        .route("/orgs/{org}/activity", get(activity::list_activity))
        .route("/orgs/{org}/requests", get(harness::list_requests))
        .route("/orgs/{org}/requests.har", get(harness::export_har))
        .route(
            "/orgs/{org}/faults",
            get(harness::get_faults)
                .put(harness::put_faults)
                .delete(harness::clear_faults),
        )
        .route("/orgs/{org}/reset", post(harness::reset_org))
        .route("/seed", post(harness::apply_seed))
        .route("/clock", get(system::get_clock).post(system::move_clock))
        .route("/reaper/run", post(system::run_reaper))
        .method_not_allowed_fallback(admin_method_not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(app, require_admin))
        .fallback(admin_not_found)
}

/// The OAuth client routes (issue 14).
fn oauth_routes() -> Router<Arc<App>> {
    let client = "/orgs/{org}/scim/oauth-client";
    Router::new()
        .route(
            client,
            post(oauth::create_oauth_client)
                .get(oauth::get_oauth_client)
                .patch(oauth::patch_oauth_client)
                .delete(oauth::delete_oauth_client),
        )
        .route(
            &format!("{client}/secrets"),
            post(oauth::create_oauth_secret),
        )
        .route(
            &format!("{client}/secrets/{{id}}"),
            delete(oauth::revoke_oauth_secret),
        )
        .route(
            &format!("{client}/authorizations"),
            post(oauth::create_authorization),
        )
}

/// Unknown admin paths answer in the admin error format, not as SCIM errors.
async fn admin_not_found() -> Response {
    AdminError(ServiceError::not_found(
        "no such admin endpoint: see /openapi.json for the admin API",
    ))
    .into_response()
}

async fn admin_method_not_allowed() -> Response {
    let body = Json(serde_json::json!({
        "error": "method_not_allowed",
        "detail": "this admin endpoint does not support that HTTP method: see /openapi.json",
    }));
    (axum::http::StatusCode::METHOD_NOT_ALLOWED, body).into_response()
}

/// Rejects requests without the admin token (a SCIM token is not an admin token).
async fn require_admin(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    match app.authorize_admin(bearer_token(request.headers())) {
        Ok(()) => next.run(request).await,
        Err(err) => AdminError(err).into_response(),
    }
}

/// A JSON body whose rejection is an admin error, not axum's plain text.
pub struct AdminJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AdminJson<T> {
    type Rejection = AdminError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let invalid =
            |detail: String| AdminError(ServiceError::bad_request("invalid_body", detail));
        if !json_content_type(req.headers()) {
            return Err(invalid(
                "Expected request with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AdminError(ServiceError::Protocol(
                        crate::scim::error::ProtocolError::new(
                            413,
                            None,
                            "request body is too large",
                        ),
                    ))
                } else {
                    invalid(rejection.body_text())
                }
            })?;
        // Syntax first (this also bounds nesting, even inside fields the target ignores).
        let raw: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| invalid(format!("the request body is not valid JSON: {e}")))?;
        // PostgreSQL cannot store NUL in text: refuse it on every engine alike.
        if has_nul(&raw) {
            return Err(invalid(
                "strings must not contain NUL characters (\\u0000)".into(),
            ));
        }
        let Json(value) = Json::<T>::from_bytes(&bytes).map_err(|r| invalid(r.body_text()))?;
        Ok(AdminJson(value))
    }
}

/// `application/json` or `application/*+json`, as axum's `Json` requires.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether any string or key of a JSON value holds a NUL character.
fn has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(has_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

pub type AdminResult<T> = Result<T, AdminError>;

#[derive(OpenApi)]
#[openapi(
    info(title = "abm-scim admin API", description = "Organizations, domains, SCIM tokens, accounts, activity, clock and reaper of the Apple Business Manager emulator."),
    paths(
        orgs::list_orgs, orgs::create_org, orgs::get_org, orgs::patch_org, orgs::delete_org,
        orgs::add_domain, orgs::remove_domain,
        scim::get_connection, scim::disconnect, scim::create_token, scim::renew_token, scim::revoke_token,
        oauth::create_oauth_client, oauth::get_oauth_client, oauth::patch_oauth_client, oauth::delete_oauth_client,
        oauth::create_oauth_secret, oauth::revoke_oauth_secret, oauth::create_authorization,
        accounts::list_accounts, accounts::create_account, accounts::get_account, accounts::patch_account,
        accounts::delete_account, accounts::resolve_account,
        activity::list_activity,
        system::get_clock, system::move_clock, system::run_reaper,
        harness::list_requests, harness::export_har, harness::put_faults, harness::get_faults,
        harness::clear_faults, harness::reset_org, harness::apply_seed,
    ),
    // Schemas only query parameters name (the derives register those of bodies).
    components(schemas(crate::domain::AccountState)),
    modifiers(
        &BearerAuth, &CommonErrors, &NonEmptyPathParameters, &ExclusiveFaultActions, &NulFreeBodies,
        &Links
    ),
    tags((name = "admin", description = "Admin API"))
)]
pub struct AdminApi;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Documents the error answers every operation can give, so each response matches the schema
/// (found by schemathesis): 401 everywhere (the admin token is checked first), and 400 wherever a
/// query string or a body can be malformed.
struct CommonErrors;

impl utoipa::Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let has_query = operation
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                let responses = &mut operation.responses.responses;
                if has_query || operation.request_body.is_some() {
                    responses
                        .entry("400".into())
                        .or_insert_with(|| error("Malformed query string or body").into());
                }
                responses
                    .entry("401".into())
                    .or_insert_with(|| error("Missing or wrong admin token").into());
            }
        }
    }
}

/// `GET /openapi.json`
pub async fn openapi_json() -> Response {
    Json(document()).into_response()
}

/// The admin API's OpenAPI 3.1 document, as `GET /openapi.json` serves it.
pub fn document() -> serde_json::Value {
    let mut doc = AdminApi::openapi();
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    let mut doc = serde_json::to_value(doc).expect("the OpenAPI document serializes");
    openapi::camel_case_links(&mut doc);
    doc
}

/// `GET /admin/docs`: the OpenAPI document rendered by Redoc (loaded from its CDN by the browser).
pub async fn docs_page() -> axum::response::Html<&'static str> {
    axum::response::Html(
        r#"<!doctype html>
<html>
  <head>
    <meta charset="utf-8">
    <title>abm-scim admin API</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
  </head>
  <body>
    <redoc spec-url="/openapi.json"></redoc>
    <script src="https://cdn.redoc.ly/redoc/latest/bundles/redoc.standalone.js"></script>
  </body>
</html>"#,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every documented operation lists the 401 its admin-token check can answer, and the 400 of
    /// a malformed query string or body where it takes one (schemathesis status conformance).
    #[test]
    fn every_operation_documents_its_common_errors() {
        let doc = document();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = &op["responses"];
                assert_eq!(
                    responses["401"]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "401 of {method} {path}"
                );
                let takes_input = op.get("requestBody").is_some()
                    || op["parameters"]
                        .as_array()
                        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
                if takes_input {
                    assert!(responses.get("400").is_some(), "400 of {method} {path}");
                }
                checked += 1;
            }
        }
        assert!(checked >= 36, "{checked} operations");
    }
}
