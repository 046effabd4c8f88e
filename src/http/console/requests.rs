//! Requests: the inspector ABM does not have. The request journal as a live tail with filters
//! in the query string (a view can be shared), an entry page with headers and bodies, latency,
//! the token id (never the token), Copy as curl, the account before and after a write where the
//! journal holds both, and a HAR download.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, badge, Section};
use super::session::Signed;
use super::{format, live, Console, Ctx, PageError, PageResult};
use crate::domain::Timestamp;
use crate::http::admin::harness::har_document;
use crate::http::scim::mount_base;
use crate::service::journal::{JournalEntry, JournalQuery};
use crate::service::{ScimMount, ServiceError};

/// Rows the page shows (newest first); the live tail adds to them.
const SHOWN: usize = 200;

fn url(org: &str) -> String {
    format!("/console/orgs/{org}/requests")
}

#[derive(Deserialize, Default, Clone)]
pub struct Filters {
    method: Option<String>,
    path: Option<String>,
    status: Option<String>,
    dialect: Option<String>,
    /// `yes`: injected faults only; `no`: none.
    fault: Option<String>,
    since: Option<i64>,
}

impl Filters {
    fn field(value: &Option<String>) -> Option<String> {
        value
            .as_ref()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn journal(&self) -> Result<JournalQuery, ServiceError> {
        let status = match Self::field(&self.status) {
            None => None,
            Some(s) => Some(
                s.parse::<u16>()
                    .ok()
                    .filter(|s| (100..600).contains(s))
                    .ok_or_else(|| {
                        ServiceError::bad_request(
                            "invalid_query",
                            format!("status must be an HTTP status such as 200, not {s:?}"),
                        )
                    })?,
            ),
        };
        Ok(JournalQuery {
            method: Self::field(&self.method),
            path: Self::field(&self.path),
            status,
            since: None,
        })
    }

    /// The filters the journal query does not take.
    fn keeps(&self, entry: &JournalEntry) -> bool {
        Self::field(&self.dialect).is_none_or(|d| entry.dialect.contains(&d))
            && match Self::field(&self.fault).as_deref() {
                Some("yes") => entry.fault.is_some(),
                Some("no") => entry.fault.is_none(),
                _ => true,
            }
    }

    /// The query string of these filters (without `since`).
    fn query_string(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("method", &self.method),
            ("path", &self.path),
            ("status", &self.status),
            ("dialect", &self.dialect),
            ("fault", &self.fault),
        ] {
            if let Some(v) = Self::field(v) {
                q.append_pair(k, &v);
            }
        }
        q.finish()
    }
}

fn status_badge(status: u16) -> Markup {
    let kind = match status {
        200..=399 => "ok",
        400..=499 => "warn",
        _ => "bad",
    };
    badge(kind, &status.to_string())
}

fn target(entry: &JournalEntry) -> String {
    match &entry.query {
        Some(q) => format!("{}?{q}", entry.path),
        None => entry.path.clone(),
    }
}

pub fn row(org: &str, entry: &JournalEntry) -> Markup {
    html! {
        tr data-seq=(entry.seq) {
            td { a href={ (url(org)) "/" (entry.seq) } { "#" (entry.seq) } }
            td { time datetime=(entry.at.to_rfc3339()) { (entry.at.format("%H:%M:%S")) } }
            td { (entry.method) }
            td.path { code { (target(entry)) } }
            td { (status_badge(entry.status)) }
            td { (format!("{:.1} ms", entry.latency_ms)) }
            td { @if let Some(t) = &entry.token_id { code { (t) } } }
            td { (entry.dialect.join(", ")) }
            td { @if let Some(f) = &entry.fault { (badge("warn", &format!("fault: {f}"))) } }
        }
    }
}

async fn matching(
    console: &Console,
    org: &str,
    filters: &Filters,
) -> Result<Vec<JournalEntry>, PageError> {
    let query = filters.journal()?;
    let mut entries = console.app.journal.list(org, &query).await?;
    entries.retain(|e| filters.keeps(e));
    Ok(entries)
}

pub async fn page(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org_id): Path<String>,
    filters: Result<Query<Filters>, QueryRejection>,
) -> PageResult {
    let filters = super::query(filters)?;
    let ctx = Ctx::load(&console, signed, Some(&org_id)).await?;
    let entries = matching(&console, &org_id, &filters).await?;
    let last = entries.last().map(|e| e.seq).unwrap_or(0);
    let qs = filters.query_string();
    let here = url(&org_id);
    let amp = if qs.is_empty() {
        String::new()
    } else {
        format!("&{qs}")
    };
    let text = |v: &Option<String>| Filters::field(v).unwrap_or_default();
    let body = html! {
        form.filters #request-filters method="get" action=(here) role="search" {
            label for="f-method" { "Method" }
            select #f-method name="method" { option value="" { "Any" } @for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] { option value=(m) selected[text(&filters.method).eq_ignore_ascii_case(m)] { (m) } } }
            label for="f-path" { "Path starts with" } input #f-path type="text" name="path" value=(text(&filters.path)) placeholder="/Users";
            label for="f-status" { "Status" } input #f-status type="text" inputmode="numeric" name="status" value=(text(&filters.status)) size="4";
            label for="f-dialect" { "Dialect feature" } input #f-dialect type="text" name="dialect" value=(text(&filters.dialect)) placeholder="capitalised_ops";
            label for="f-fault" { "Faults" }
            select #f-fault name="fault" { option value="" { "Any" } option value="yes" selected[text(&filters.fault) == "yes"] { "Injected only" } option value="no" selected[text(&filters.fault) == "no"] { "None" } }
            button type="submit" { "Filter" }
            " " a href=(here) { "Clear" }
        }
        div.live #live data-stream={ (here) "/stream?since=" (last) (amp) } {
            p #live-indicator role="status" { span.badge.off { "○ Not live" } " — refresh to see new requests." }
            button #live-toggle type="button" hidden { "Pause" }
            " " a #refresh href={ (here) "?" (qs) } { "Refresh" }
            " " a href={ (here) ".har?" (qs) } download="requests.har" { "Download HAR" }
        }
        table #request-table {
            caption { "SCIM requests to this organization, newest first" }
            thead { tr {
                th scope="col" { "#" } th scope="col" { "Time" } th scope="col" { "Method" } th scope="col" { "Path" }
                th scope="col" { "Status" } th scope="col" { "Latency" } th scope="col" { "Token id" } th scope="col" { "Dialect" } th scope="col" { "Fault" }
            } }
            tbody #request-rows data-live-rows {
                @for e in entries.iter().rev().take(SHOWN) { (row(&org_id, e)) }
            }
        }
    };
    Ok(layout::page(&ctx, "Requests", Section::Requests, body).into_response())
}

pub async fn stream(
    State(console): State<Arc<Console>>,
    Path(org_id): Path<String>,
    headers: HeaderMap,
    filters: Result<Query<Filters>, QueryRejection>,
) -> Result<Response, PageError> {
    let filters = super::query(filters)?;
    console.app.require_org(&org_id).await?;
    let query = filters.journal()?;
    let since = live::start(&headers, filters.since);
    let app = console.app.clone();
    let sse = live::sse(since, console.stopping.clone(), move |since| {
        let (app, org_id, query, filters) =
            (app.clone(), org_id.clone(), query.clone(), filters.clone());
        async move {
            // A failed poll (the database away for a moment) sends nothing; the next one retries.
            let entries = live::journal_after(&app, &org_id, &query, since.max(0) as u64)
                .await
                .unwrap_or_default();
            let items: Vec<(i64, String)> = entries
                .iter()
                .filter(|e| filters.keeps(e))
                .map(|e| (e.seq as i64, layout::into_string(row(&org_id, e))))
                .collect();
            // Entries the filters drop still move the cursor on.
            let last = entries.last().map(|e| e.seq as i64);
            match (items.last().map(|(s, _)| *s), last) {
                (Some(shown), Some(seen)) if seen > shown => {
                    items.into_iter().chain([(seen, String::new())]).collect()
                }
                (None, Some(seen)) => vec![(seen, String::new())],
                _ => items,
            }
        }
    });
    Ok(sse.into_response())
}

/// `curl` repeating a request, with `$TOKEN` in place of the credential.
pub fn curl(entry: &JournalEntry, base: &str) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut parts = vec!["curl".to_string()];
    if entry.method != "GET" {
        parts.push(format!("-X {}", entry.method));
    }
    parts.push(quote(&format!("{base}{}", target(entry))));
    parts.push("-H \"Authorization: Bearer $TOKEN\"".into());
    if let Some(body) = &entry.request_body {
        parts.push("-H 'Content-Type: application/scim+json'".into());
        parts.push(format!("--data-raw {}", quote(&body.to_string())));
    }
    parts.join(" ")
}

/// The account's resource before this write: the latest earlier successful answer about it.
fn before(all: &[JournalEntry], entry: &JournalEntry) -> Option<serde_json::Value> {
    let id = entry.path.strip_prefix("/Users/")?;
    all.iter()
        .filter(|e| e.seq < entry.seq && (200..300).contains(&e.status))
        .filter_map(|e| e.response_body.as_ref())
        .rfind(|b| b.get("id").and_then(|v| v.as_str()) == Some(id))
        .cloned()
}

pub async fn entry(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path((org_id, seq)): Path<(String, u64)>,
    headers: HeaderMap,
) -> PageResult {
    let ctx = Ctx::load(&console, signed, Some(&org_id)).await?;
    let all = console
        .app
        .journal
        .list(&org_id, &JournalQuery::default())
        .await?;
    let entry = all.iter().find(|e| e.seq == seq).cloned().ok_or_else(|| {
        ServiceError::not_found(format!(
            "no request #{seq} in this organization's journal (it keeps the newest ones)"
        ))
    })?;
    let base = mount_base(&console.app, &headers, ScimMount::Feed(ctx.org().kind));
    let write = matches!(entry.method.as_str(), "PUT" | "PATCH" | "DELETE");
    let previous = if write { before(&all, &entry) } else { None };
    let body = html! {
        dl.entry {
            dt { "Request" } dd { code { (entry.method) " " (target(&entry)) } }
            dt { "Status" } dd { (status_badge(entry.status)) }
            dt { "At" } dd { (format::date_time(Timestamp::from(entry.at))) }
            dt { "Latency" } dd { (format!("{:.1} ms", entry.latency_ms)) }
            dt { "Token id" } dd { @match &entry.token_id { Some(t) => code { (t) }, None => "none" } }
            dt { "Dialect features" } dd { @if entry.dialect.is_empty() { "none" } @else { (entry.dialect.join(", ")) } }
            @if let Some(f) = &entry.fault { dt { "Injected fault" } dd { (f) } }
        }
        section aria-labelledby="curl-h" {
            h2 #curl-h { "Copy as curl" }
            p.hint { "Set TOKEN to a SCIM token of this organization first (the journal never keeps credentials)." }
            pre #curl tabindex="0" { (curl(&entry, &base)) }
            button type="button" data-copy="curl" { "Copy as curl" }
            span.copy-status aria-live="polite" {}
        }
        section aria-labelledby="req-h" {
            h2 #req-h { "Request headers" } (layout::json_block("request-headers", &entry.request_headers))
            @if let Some(b) = &entry.request_body { h2 { "Request body" } (layout::json_block("request-body", b)) }
        }
        section aria-labelledby="resp-h" {
            h2 #resp-h { "Response" }
            p.hint { "The journal keeps the status and the body of each answer, not its headers; SCIM answers are application/scim+json." }
            h3 { "Response body" }
            @match &entry.response_body { Some(b) => (layout::json_block("response-body", b)), None => p { "No body." } }
        }
        @if write {
            section aria-labelledby="diff-h" {
                h2 #diff-h { "The account before and after" }
                @match previous {
                    Some(b) => { h3 { "Before (the latest earlier answer about it)" } (layout::json_block("account-before", &b)) }
                    None => p { "The journal holds no earlier answer about this account." }
                }
                h3 { "After" }
                @match (&entry.response_body, entry.method.as_str()) {
                    (_, "DELETE") if entry.status < 300 => p { "Deactivated (SCIM sees it as deleted; the account stays until the reaper removes it)." },
                    (Some(b), _) => (layout::json_block("account-after", b)),
                    _ => p { "No answer body." },
                }
            }
        }
        p { a href=(url(&org_id)) { "All requests" } }
    };
    Ok(layout::page(&ctx, &format!("Request #{seq}"), Section::Requests, body).into_response())
}

pub async fn har(
    State(console): State<Arc<Console>>,
    Path(org_id): Path<String>,
    headers: HeaderMap,
    filters: Result<Query<Filters>, QueryRejection>,
) -> Result<Response, PageError> {
    let filters = super::query(filters)?;
    let kind = console.app.require_org(&org_id).await?.kind;
    let entries = matching(&console, &org_id, &filters).await?;
    let base = mount_base(&console.app, &headers, ScimMount::Feed(kind));
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"requests.har\"",
        )],
        Json(har_document(&entries, &base)),
    )
        .into_response())
}
