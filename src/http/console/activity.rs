//! Activity (ABM: Activity): the organization's events, filtered by kind, live, and as JSON or
//! CSV downloads.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

use super::layout::{self, Section};
use super::session::Signed;
use super::{format, live, Console, Ctx, PageError, PageResult};
use crate::store::Event;

/// Events a page shows; `Next` pages on from the last.
const PAGE: i64 = 200;
/// Events a download holds at most.
const DOWNLOAD: i64 = 10_000;

fn url(org: &str) -> String {
    format!("/console/orgs/{org}/activity")
}

#[derive(Deserialize, Default)]
pub struct ActivityQuery {
    kind: Option<String>,
    since: Option<i64>,
}

impl ActivityQuery {
    fn kind(&self) -> Option<&str> {
        self.kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
    }
}

fn row(event: &Event) -> Markup {
    html! {
        tr data-seq=(event.seq) {
            td { (event.seq) }
            td { time datetime=(event.at.rfc3339()) { (format::date_time(event.at)) } }
            td { (event.kind) }
            td { code { (event.actor) } }
            td { @if let Some(a) = &event.account_id { code { (a) } } }
            td.detail { code { (event.detail.to_string()) } }
        }
    }
}

pub async fn page(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org_id): Path<String>,
    query: Result<Query<ActivityQuery>, QueryRejection>,
) -> PageResult {
    let query = super::query(query)?;
    let ctx = Ctx::load(&console, signed, Some(&org_id)).await?;
    console.app.note_token_expiry(&org_id).await?;
    let since = query.since.unwrap_or(0).max(0);
    let events = console
        .app
        .store
        .list_events(&org_id, since, query.kind(), PAGE + 1)
        .await?;
    let more = events.len() as i64 > PAGE;
    let events = &events[..events.len().min(PAGE as usize)];
    let last = events.last().map(|e| e.seq).unwrap_or(since);
    let here = url(&org_id);
    let kind_qs = query
        .kind()
        .map(|k| {
            format!(
                "kind={}",
                url::form_urlencoded::byte_serialize(k.as_bytes()).collect::<String>()
            )
        })
        .unwrap_or_default();
    let body = html! {
        form.filters #activity-filters method="get" action=(here) role="search" {
            label for="a-kind" { "Kind" }
            input #a-kind type="text" name="kind" value=[query.kind()] placeholder="account_created" list="kinds";
            datalist #kinds { @for k in KINDS { option value=(k) {} } }
            button type="submit" { "Filter" }
            " " a href=(here) { "Clear" }
            " " a href={ (here) ".json?" (kind_qs) } download="activity.json" { "Download JSON" }
            " " a href={ (here) ".csv?" (kind_qs) } download="activity.csv" { "Download CSV" }
        }
        @if !more {
            div.live #live data-stream={ (here) "/stream?since=" (last) "&" (kind_qs) } data-append {
                p #live-indicator role="status" { span.badge.off { "○ Not live" } " — refresh to see new events." }
                button #live-toggle type="button" hidden { "Pause" }
                " " a #refresh href={ (here) "?" (kind_qs) } { "Refresh" }
            }
        }
        table #activity-table {
            caption { "Events, oldest first" }
            thead { tr { th scope="col" { "#" } th scope="col" { "At" } th scope="col" { "Kind" } th scope="col" { "Actor" } th scope="col" { "Account" } th scope="col" { "Detail" } } }
            tbody #activity-rows data-live-rows { @for e in events { (row(e)) } }
        }
        @if more { p { a #next-page rel="next" href={ (here) "?since=" (last) "&" (kind_qs) } { "Next page" } } }
    };
    Ok(layout::page(&ctx, "Activity", Section::Activity, body).into_response())
}

/// The kinds offered as suggestions in the filter.
const KINDS: [&str; 12] = [
    "account_created",
    "account_updated",
    "account_deactivated",
    "account_reactivated",
    "account_deleted",
    "sync_skipped",
    "token_created",
    "token_renewed",
    "token_revoked",
    "token_expiring",
    "scim_connected",
    "scim_disconnected",
];

pub async fn stream(
    State(console): State<Arc<Console>>,
    Path(org_id): Path<String>,
    headers: HeaderMap,
    query: Result<Query<ActivityQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let query = super::query(query)?;
    console.app.require_org(&org_id).await?;
    let since = live::start(&headers, query.since);
    let kind = query.kind().map(str::to_string);
    let app = console.app.clone();
    let sse = live::sse(since, console.stopping.clone(), move |since| {
        let app = app.clone();
        let org = org_id.clone();
        let kind = kind.clone();
        async move {
            // A failed poll (the database away for a moment) sends nothing; the next one retries.
            let events = live::events_after(&app, &org, kind.as_deref(), since)
                .await
                .unwrap_or_default();
            events
                .iter()
                .map(|e| (e.seq, layout::into_string(row(e))))
                .collect()
        }
    });
    Ok(sse.into_response())
}

async fn all(console: &Console, org: &str, query: &ActivityQuery) -> Result<Vec<Event>, PageError> {
    console.app.require_org(org).await?;
    Ok(console
        .app
        .store
        .list_events(org, 0, query.kind(), DOWNLOAD)
        .await?)
}

fn event_json(e: &Event) -> Value {
    json!({ "seq": e.seq, "at": e.at.rfc3339(), "kind": e.kind, "actor": e.actor, "account_id": e.account_id, "detail": e.detail })
}

pub async fn download_json(
    State(console): State<Arc<Console>>,
    Path(org_id): Path<String>,
    query: Result<Query<ActivityQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let query = super::query(query)?;
    let events = all(&console, &org_id, &query).await?;
    let body = json!({ "events": events.iter().map(event_json).collect::<Vec<_>>() });
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"activity.json\"",
        )],
        Json(body),
    )
        .into_response())
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub fn csv(events: &[Event]) -> String {
    let mut out = String::from("seq,at,kind,actor,account_id,detail\r\n");
    for e in events {
        let fields = [
            e.seq.to_string(),
            e.at.rfc3339(),
            e.kind.clone(),
            e.actor.clone(),
            e.account_id.clone().unwrap_or_default(),
            e.detail.to_string(),
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

pub async fn download_csv(
    State(console): State<Arc<Console>>,
    Path(org_id): Path<String>,
    query: Result<Query<ActivityQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let query = super::query(query)?;
    let events = all(&console, &org_id, &query).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"activity.csv\"",
            ),
        ],
        csv(&events),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(super::csv_field("a,b"), "\"a,b\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::csv_field("plain"), "plain");
    }
}
