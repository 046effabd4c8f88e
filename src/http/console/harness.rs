//! Harness: the clock, the reaper (run and dry run, with the list), fault rules, reset and seed
//! documents; the same helpers as the admin API's harness routes.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use chrono::{DateTime, NaiveDateTime, Utc};
use maud::html;
use serde::Deserialize;
use serde_json::json;

use super::layout::{self, Section};
use super::session::{Flash, Signed};
use super::{after_post, format, Console, Ctx, PageResult};
use crate::http::admin::{harness as admin_harness, system};
use crate::service::faults::FaultRule;
use crate::service::seed::SeedDocument;
use crate::service::ServiceError;

fn url(org: &str) -> String {
    format!("/console/orgs/{org}/harness")
}

pub async fn page(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org_id): Path<String>,
) -> PageResult {
    let ctx = Ctx::load(&console, signed, Some(&org_id)).await?;
    let rules = console.app.faults.get(&org_id).await?;
    let manual = console.app.clock.mode() == crate::clock::ClockMode::Manual;
    let back = url(&org_id);
    let body = html! {
        section aria-labelledby="clock" {
            h2 #clock { "Clock" }
            p #clock-now { "Now: " (format::date_time(ctx.now)) @if manual { " (manual clock)" } @else { " (system clock: it cannot be moved)" } }
            @for (label, duration) in [("+1 day", "P1D"), ("+30 days", "P30D"), ("+31 days", "P31D"), ("+1 year", "P1Y")] {
                form.inline method="post" action="/console/clock" {
                    (layout::csrf(&ctx))
                    input type="hidden" name="back" value=(back);
                    input type="hidden" name="advance" value=(duration);
                    button type="submit" data-advance=(duration) { (label) }
                }
            }
            form method="post" action="/console/clock" {
                (layout::csrf(&ctx))
                input type="hidden" name="back" value=(back);
                label for="clock-set" { "Set to (UTC)" }
                input #clock-set type="datetime-local" name="set" required;
                button type="submit" { "Set clock" }
            }
        }
        section aria-labelledby="reaper" {
            h2 #reaper { "Reaper" }
            p { "Deletes the accounts deactivated longer ago than the retention (" (humantime::format_duration(console.app.settings.retention)) ", --retention)." }
            form.inline method="post" action="/console/reaper" {
                (layout::csrf(&ctx)) input type="hidden" name="back" value=(back);
                input type="hidden" name="dry_run" value="true";
                button #reaper-dry-run type="submit" { "Dry run" }
            }
            form.inline method="post" action="/console/reaper" {
                (layout::csrf(&ctx)) input type="hidden" name="back" value=(back);
                button #reaper-run.danger type="submit" { "Run the reaper" }
            }
        }
        section aria-labelledby="faults" {
            h2 #faults { "Fault rules" }
            @if rules.is_empty() { p { "No fault rules: requests are answered normally." } }
            @else { (layout::json_block("fault-rules", &json!(rules))) (layout::button_form(&ctx, &format!("/console/orgs/{org_id}/faults/clear"), "Clear fault rules", "danger")) }
            form #fault-form method="post" action={ "/console/orgs/" (org_id) "/faults" } {
                (layout::csrf(&ctx))
                label for="fault-method" { "Method" }
                select #fault-method name="method" { option value="" { "Any" } @for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] { option value=(m) { (m) } } }
                label for="fault-path" { "Path starts with" } input #fault-path type="text" name="path_prefix" placeholder="/Users";
                label for="fault-status" { "Answer status" } input #fault-status type="number" name="status" min="400" max="599" value="503" required;
                label for="fault-detail" { "Detail" } input #fault-detail type="text" name="detail" placeholder="maintenance";
                label for="fault-times" { "Times (empty: always)" } input #fault-times type="number" name="times" min="1";
                button type="submit" { "Add fault rule" }
            }
        }
        section aria-labelledby="reset" {
            h2 #reset { "Reset" }
            form method="post" action={ "/console/orgs/" (org_id) "/reset" } {
                (layout::csrf(&ctx))
                p { input #reset-tokens type="checkbox" name="tokens" value="on"; label for="reset-tokens" { "Also revoke the tokens and client secrets" } }
                button.danger type="submit" { "Remove every account, event and journal entry" }
            }
        }
        section aria-labelledby="seed" {
            h2 #seed { "Seed document" }
            form method="post" action="/console/seed" {
                (layout::csrf(&ctx))
                input type="hidden" name="back" value=(back);
                p { label for="seed-file" { "File" } input #seed-file type="file" accept="application/json,.json" data-load-into="seed-text"; }
                p { label for="seed-text" { "Document (JSON, as in examples/seed.json)" } textarea #seed-text name="document" rows="6" required {} }
                button type="submit" { "Apply seed" }
            }
        }
    };
    Ok(layout::page(&ctx, "Harness", Section::Harness, body).into_response())
}

/// Only console paths are followed after a post (no open redirect).
fn back(path: &str) -> &str {
    if path.starts_with("/console/") && !path.starts_with("//") {
        path
    } else {
        "/console"
    }
}

#[derive(Deserialize)]
pub struct ClockForm {
    #[serde(default)]
    back: String,
    advance: Option<String>,
    set: Option<String>,
}

/// `datetime-local` sends `2027-01-01T00:00` (no zone): read as UTC; RFC 3339 too.
fn parse_time(text: &str) -> Result<DateTime<Utc>, ServiceError> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").map(|t| t.and_utc()))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").map(|t| t.and_utc()))
        .map_err(|_| {
            ServiceError::bad_request(
                "invalid_time",
                format!("{text:?} is not a time such as 2027-01-01T00:00"),
            )
        })
}

pub async fn move_clock(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Form(form): Form<ClockForm>,
) -> Response {
    let outcome = match form
        .set
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(parse_time)
        .transpose()
    {
        Ok(set) => system::move_clock_by(&console.app, form.advance.as_deref(), set).await,
        Err(err) => Err(err),
    };
    after_post(
        &console,
        &signed,
        outcome,
        |now| {
            Flash::Done(format!(
                "The clock now reads {}.",
                now.format("%Y-%m-%d %H:%M UTC")
            ))
        },
        back(&form.back),
    )
}

#[derive(Deserialize)]
pub struct ReaperForm {
    #[serde(default)]
    back: String,
    dry_run: Option<bool>,
}

pub async fn run_reaper(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Form(form): Form<ReaperForm>,
) -> Response {
    let dry_run = form.dry_run.unwrap_or(false);
    let outcome = system::reaper_pass(&console.app, dry_run).await;
    after_post(
        &console,
        &signed,
        outcome,
        |run| {
            let verb = if dry_run { "would delete" } else { "deleted" };
            let mut lines: Vec<String> = run.accounts.iter().map(|a| a.user_name.clone()).collect();
            if run.truncated() {
                lines.push(format!(
                    "… and {} more",
                    run.deleted as usize - run.accounts.len()
                ));
            }
            Flash::List {
                title: format!("The reaper {verb} {} account(s).", run.deleted),
                lines,
            }
        },
        back(&form.back),
    )
}

#[derive(Deserialize)]
pub struct FaultForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    path_prefix: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    times: String,
}

fn fault_rule(form: &FaultForm) -> Result<FaultRule, ServiceError> {
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let number = |name: &str, s: &str| -> Result<Option<u64>, ServiceError> {
        opt(s)
            .map(|s| {
                s.parse::<u64>().map_err(|_| {
                    ServiceError::bad_request(
                        "invalid_fault",
                        format!("{name} must be a whole number, not {s:?}"),
                    )
                })
            })
            .transpose()
    };
    let status = number("status", &form.status)?.unwrap_or(503);
    let rule = json!({
        "match": { "method": opt(&form.method), "path_prefix": opt(&form.path_prefix) },
        "action": { "status": status, "detail": opt(&form.detail) },
        "times": number("times", &form.times)?,
    });
    serde_json::from_value(rule)
        .map_err(|e| ServiceError::bad_request("invalid_fault", e.to_string()))
}

pub async fn add_fault(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org): Path<String>,
    Form(form): Form<FaultForm>,
) -> Response {
    let outcome = async {
        console.app.require_org(&org).await?;
        let mut rules = console.app.faults.get(&org).await?;
        rules.push(fault_rule(&form)?);
        admin_harness::set_faults(&console.app, &org, &rules).await
    }
    .await;
    after_post(
        &console,
        &signed,
        outcome,
        |()| Flash::Done("Fault rule added.".into()),
        &url(&org),
    )
}

pub async fn clear_faults(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org): Path<String>,
) -> Response {
    let outcome = async {
        console.app.require_org(&org).await?;
        console.app.faults.clear(&org).await
    }
    .await;
    after_post(
        &console,
        &signed,
        outcome,
        |()| Flash::Done("Fault rules cleared.".into()),
        &url(&org),
    )
}

#[derive(Deserialize)]
pub struct ResetForm {
    tokens: Option<String>,
}

pub async fn reset(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org): Path<String>,
    Form(form): Form<ResetForm>,
) -> Response {
    let outcome = admin_harness::reset(&console.app, &org, form.tokens.is_some()).await;
    after_post(
        &console,
        &signed,
        outcome,
        |(accounts, tokens)| {
            Flash::Done(format!(
                "Reset: {accounts} account(s) removed, {tokens} token(s) revoked."
            ))
        },
        &url(&org),
    )
}

#[derive(Deserialize)]
pub struct SeedForm {
    #[serde(default)]
    back: String,
    #[serde(default)]
    document: String,
}

pub async fn apply_seed(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Form(form): Form<SeedForm>,
) -> Response {
    let outcome = match serde_json::from_str::<SeedDocument>(&form.document) {
        Ok(document) => console.app.apply_seed(&document).await,
        Err(e) => Err(ServiceError::bad_request(
            "invalid_seed",
            format!("the document is not a seed document: {e}"),
        )),
    };
    after_post(
        &console,
        &signed,
        outcome,
        |summary| {
            Flash::Done(format!(
                "Seed applied: {} organization(s).",
                summary.orgs.len()
            ))
        },
        back(&form.back),
    )
}
