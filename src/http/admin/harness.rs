//! Test-harness endpoints: request journal (JSON and HAR), fault injection, reset, seed.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::views::ErrorBody;
use super::{AdminJson, AdminResult};
use crate::http::scim::mount_base;
use crate::service::faults::FaultRule;
use crate::service::journal::{JournalEntry, JournalQuery};
use crate::service::seed::{SeedDocument, SeedSummary};
use crate::service::{App, ScimMount, ServiceError};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// HTTP method, e.g. `PATCH`.
    method: Option<String>,
    /// Path prefix below the SCIM base, e.g. `/Users`.
    path: Option<String>,
    /// Only entries answered with this status.
    #[param(minimum = 100, maximum = 599)]
    status: Option<u16>,
    /// Only entries after this `seq`.
    #[param(maximum = 9007199254740991_u64)]
    since: Option<u64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestList {
    pub requests: Vec<JournalEntry>,
}

fn journal_query(query: RequestsQuery) -> JournalQuery {
    JournalQuery {
        method: query.method,
        path: query.path,
        status: query.status,
        since: query.since,
    }
}

type QueryResult<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(query: QueryResult<T>) -> Result<T, ServiceError> {
    query
        .map(|Query(q)| q)
        .map_err(|e| ServiceError::bad_request("invalid_query", e.body_text()))
}

/// The SCIM requests an organization received, oldest first.
#[utoipa::path(get, path = "/admin/v1/orgs/{org}/requests", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), RequestsQuery),
    responses((status = 200, body = RequestList), (status = 404, body = ErrorBody)))]
pub async fn list_requests(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    q: QueryResult<RequestsQuery>,
) -> AdminResult<Json<RequestList>> {
    let q = query(q)?;
    app.require_org(&org).await?;
    Ok(Json(RequestList {
        requests: app.journal.list(&org, &journal_query(q)).await?,
    }))
}

/// The same journal as HAR 1.2, for browser dev tools and HAR viewers.
#[utoipa::path(get, path = "/admin/v1/orgs/{org}/requests.har", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), RequestsQuery),
    responses((status = 200, description = "HAR 1.2 document", body = Object), (status = 404, body = ErrorBody)))]
pub async fn export_har(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    headers: HeaderMap,
    q: QueryResult<RequestsQuery>,
) -> AdminResult<Json<Value>> {
    let q = query(q)?;
    let kind = app.require_org(&org).await?.kind;
    let base = mount_base(&app, &headers, ScimMount::Feed(kind));
    Ok(Json(har_document(
        &app.journal.list(&org, &journal_query(q)).await?,
        &base,
    )))
}

/// A HAR 1.2 document of journal entries (admin API and console).
pub(crate) fn har_document(entries: &[JournalEntry], base: &str) -> Value {
    let entries: Vec<Value> = entries.iter().map(|e| har_entry(e, base)).collect();
    json!({
        "log": {
            "version": "1.2",
            "creator": { "name": "abm-scim", "version": env!("CARGO_PKG_VERSION") },
            "entries": entries,
        }
    })
}

fn har_entry(entry: &JournalEntry, base: &str) -> Value {
    let url = match &entry.query {
        Some(q) => format!("{base}{}?{q}", entry.path),
        None => format!("{base}{}", entry.path),
    };
    let query_string: Vec<Value> =
        url::form_urlencoded::parse(entry.query.as_deref().unwrap_or("").as_bytes())
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
    let headers: Vec<Value> = entry
        .request_headers
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| json!({ "name": k, "value": v }))
                .collect()
        })
        .unwrap_or_default();
    let text = |body: &Option<Value>| body.as_ref().map(|b| b.to_string()).unwrap_or_default();
    let request_text = text(&entry.request_body);
    let response_text = text(&entry.response_body);
    let mut request = json!({
        "method": entry.method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": headers,
        "queryString": query_string,
        "headersSize": -1,
        "bodySize": request_text.len(),
    });
    if entry.request_body.is_some() {
        request["postData"] = json!({ "mimeType": "application/scim+json", "text": request_text });
    }
    json!({
        "startedDateTime": entry.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "time": entry.latency_ms,
        "request": request,
        "response": {
            "status": entry.status,
            "statusText": StatusCode::from_u16(entry.status).ok().and_then(|s| s.canonical_reason()).unwrap_or(""),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{ "name": "content-type", "value": "application/scim+json" }],
            "content": { "size": response_text.len(), "mimeType": "application/scim+json", "text": response_text },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": response_text.len(),
        },
        "cache": {},
        "timings": { "send": 0, "wait": entry.latency_ms, "receive": 0 },
        "comment": har_comment(entry),
    })
}

/// What a HAR viewer shows next to the entry: an injected fault, and the journal's gap before it.
fn har_comment(entry: &JournalEntry) -> String {
    let fault = entry.fault.as_ref().map(|f| format!("injected fault: {f}"));
    let gap = entry
        .dropped_before
        .map(|n| format!("{n} journal entries dropped just before this one (write queue full)"));
    [fault, gap]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ")
}

/// Fault rules, either as `{"rules": [...]}` or as a bare array.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum FaultRules {
    Wrapped { rules: Vec<FaultRule> },
    Bare(Vec<FaultRule>),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FaultList {
    pub rules: Vec<FaultRule>,
}

/// Replace the organization's fault rules.
#[utoipa::path(put, path = "/admin/v1/orgs/{org}/faults", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)), request_body = FaultRules,
    responses((status = 200, body = FaultList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_faults(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    AdminJson(body): AdminJson<FaultRules>,
) -> AdminResult<Json<FaultList>> {
    app.require_org(&org).await?;
    let rules = match body {
        FaultRules::Wrapped { rules } | FaultRules::Bare(rules) => rules,
    };
    set_faults(&app, &org, &rules).await?;
    // Shown as stored (the same rules, with `times` as left).
    Ok(Json(FaultList { rules }))
}

/// Replaces an organization's fault rules once each is valid (admin API and console).
pub(crate) async fn set_faults(
    app: &App,
    org: &str,
    rules: &[FaultRule],
) -> Result<(), ServiceError> {
    for (i, rule) in rules.iter().enumerate() {
        rule.validate().map_err(|detail| {
            ServiceError::bad_request("invalid_fault", format!("rules[{i}]: {detail}"))
        })?;
    }
    app.faults.set(org, rules).await?;
    Ok(())
}

/// The organization's fault rules (with remaining `times`).
#[utoipa::path(get, path = "/admin/v1/orgs/{org}/faults", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)),
    responses((status = 200, body = FaultList), (status = 404, body = ErrorBody)))]
pub async fn get_faults(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
) -> AdminResult<Json<FaultList>> {
    app.require_org(&org).await?;
    Ok(Json(FaultList {
        rules: app.faults.get(&org).await?,
    }))
}

/// Remove every fault rule.
#[utoipa::path(delete, path = "/admin/v1/orgs/{org}/faults", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn clear_faults(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
) -> AdminResult<StatusCode> {
    app.require_org(&org).await?;
    app.faults.clear(&org).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResetQuery {
    /// Also revoke the organization's tokens.
    tokens: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResetView {
    pub deleted_accounts: u64,
    pub revoked_tokens: u64,
}

/// Remove the organization's accounts, activity and journal; keep settings (and tokens unless
/// `tokens=true`).
#[utoipa::path(post, path = "/admin/v1/orgs/{org}/reset", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), ResetQuery),
    responses((status = 200, body = ResetView), (status = 404, body = ErrorBody)))]
pub async fn reset_org(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    q: QueryResult<ResetQuery>,
) -> AdminResult<Json<ResetView>> {
    let q = query(q)?;
    let (deleted_accounts, revoked_tokens) = reset(&app, &org, q.tokens.unwrap_or(false)).await?;
    Ok(Json(ResetView {
        deleted_accounts,
        revoked_tokens,
    }))
}

/// Resets an organization (its faults too): `(deleted accounts, revoked tokens)`.
pub(crate) async fn reset(app: &App, org: &str, tokens: bool) -> Result<(u64, u64), ServiceError> {
    app.require_org(org).await?;
    app.faults.clear(org).await?;
    app.reset_org(org, tokens).await
}

/// Apply a seed document (the same format as `--seed`), idempotently.
#[utoipa::path(post, path = "/admin/v1/seed", tag = "admin", security(("admin_token" = [])), request_body = SeedDocument,
    responses((status = 200, body = SeedSummary), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn apply_seed(
    State(app): State<Arc<App>>,
    AdminJson(document): AdminJson<SeedDocument>,
) -> AdminResult<Json<SeedSummary>> {
    Ok(Json(app.apply_seed(&document).await?))
}
