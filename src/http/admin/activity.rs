//! The activity log of an organization.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;

use super::views::{ActivityList, ErrorBody, EventView};
use super::AdminResult;
use crate::service::{App, ServiceError};

/// Longest a long-poll may wait.
const MAX_WAIT: Duration = Duration::from_secs(30);
/// How often a waiting request looks for new events.
const POLL_EVERY: Duration = Duration::from_millis(50);

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// Only events after this cursor (`seq` of the last event seen; default 0).
    #[param(minimum = 0, maximum = 9007199254740991_i64)]
    since: Option<i64>,
    /// Only events of this kind, e.g. `account_deactivated`.
    kind: Option<String>,
    /// Page size, default 100.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// Wait up to this long (e.g. `5s` or `1m30s`; at most 30 s is waited) for a new event
    /// instead of answering empty: numbers with the units `ms`, `s`, `m` and `h`.
    #[param(pattern = r"^(?:[0-9]{1,6}(?:ms|s|m|h))*$")]
    wait: Option<String>,
}

/// Events, oldest first.
#[utoipa::path(get, path = "/admin/v1/orgs/{org}/activity", tag = "admin", security(("admin_token" = [])), params(("org" = String, Path), ActivityQuery),
    responses((status = 200, body = ActivityList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_activity(
    State(app): State<Arc<App>>,
    Path(org): Path<String>,
    query: Result<Query<ActivityQuery>, axum::extract::rejection::QueryRejection>,
) -> AdminResult<Json<ActivityList>> {
    let Query(query) =
        query.map_err(|e| ServiceError::bad_request("invalid_query", e.body_text()))?;
    let org = app.require_org(&org).await?;
    // Token warnings are due by time, not by a request: record them before answering.
    app.note_token_expiry(&org.id).await?;
    let since = query.since.unwrap_or(0).max(0);
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let wait = match query.wait.as_deref() {
        None | Some("") => Duration::ZERO,
        Some(text) => humantime::parse_duration(text)
            .map_err(|e| {
                ServiceError::bad_request(
                    "invalid_query",
                    format!("wait must be a duration such as 5s: {e}"),
                )
            })?
            .min(MAX_WAIT),
    };
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let events = app
            .store
            .list_events(&org.id, since, query.kind.as_deref(), limit)
            .await?;
        if !events.is_empty() || tokio::time::Instant::now() >= deadline {
            let next_since = events.last().map(|e| e.seq).unwrap_or(since);
            return Ok(Json(ActivityList {
                events: events.iter().map(EventView::from).collect(),
                next_since,
            }));
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    /// Every `wait` the document allows is a duration the handler reads.
    #[test]
    fn every_documented_wait_parses() {
        let doc = super::super::document();
        let parameters = doc["paths"]["/admin/v1/orgs/{org}/activity"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let wait = parameters.iter().find(|p| p["name"] == "wait").unwrap();
        let pattern = wait["schema"]["pattern"].as_str().unwrap();
        for text in super::super::openapi::tests::samples(pattern, 300) {
            if !text.is_empty() {
                assert!(
                    humantime::parse_duration(&text).is_ok(),
                    "{text:?} matches {pattern}"
                );
            }
        }
    }
}
