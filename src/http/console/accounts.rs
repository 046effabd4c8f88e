//! Accounts (ABM: Users): a cursor-paged list with filters, and an account page with its SCIM
//! resource, its activity and the actions its status and source allow. The rules themselves are
//! the service layer's (`admin_*_account`), as on the admin API.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, badge, Section};
use super::session::{Flash, Signed};
use super::{after_post, failed, format, Console, Ctx, PageResult};
use crate::domain::{AccountSource, AccountState, OrgKind, Timestamp};
use crate::http::scim::{mount_base, user_resource};
use crate::service::accounts::{AccountChange, AccountFilter, Resolution};
use crate::service::ScimMount;
use crate::store::Account;

/// Rows per page: one indexed range read, whatever the size of the organization.
const PAGE: i64 = 50;

fn url(org: &str) -> String {
    format!("/console/orgs/{org}/accounts")
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
    source: Option<String>,
    role: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
}

fn some(value: &Option<String>) -> Option<String> {
    value
        .as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub fn status(account: &Account) -> Markup {
    match account.state {
        AccountState::Active => badge("ok", "Active"),
        AccountState::Inactive => badge("off", "Inactive"),
        AccountState::Conflict => badge("bad", "Conflict"),
    }
}

fn source(source: AccountSource) -> &'static str {
    match source {
        AccountSource::Scim => "Directory sync",
        AccountSource::Manual => "Manual",
    }
}

fn name(account: &Account) -> String {
    let part = |key: &str| {
        account
            .attrs
            .get("name")
            .and_then(|n| n.get(key))
            .and_then(|v| v.as_str())
            .unwrap_or("")
    };
    let full = format!("{} {}", part("givenName"), part("familyName"))
        .trim()
        .to_string();
    if full.is_empty() {
        account
            .attrs
            .get("displayName")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    } else {
        full
    }
}

fn roles(account: &Account) -> String {
    account
        .roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "deleted in N days" for a deactivated account.
fn deletion(account: &Account, now: Timestamp) -> Option<String> {
    let at = account
        .delete_after
        .filter(|_| account.state == AccountState::Inactive)?;
    let days = format::days_until(at, now);
    Some(if days <= 0 {
        "deleted at the next reaper run".into()
    } else {
        format!("deleted in {}", format::days(days))
    })
}

fn select(name: &str, label: &str, current: &Option<String>, values: &[&str]) -> Markup {
    let id = format!("filter-{name}");
    html! {
        label for=(id) { (label) }
        select id=(id) name=(name) {
            option value="" { "Any" }
            @for v in values { option value=(v) selected[current.as_deref() == Some(*v)] { (v) } }
        }
    }
}

pub async fn list(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org_id): Path<String>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> PageResult {
    let query = super::query(query)?;
    let ctx = Ctx::load(&console, signed, Some(&org_id)).await?;
    let filter = AccountFilter {
        state: some(&query.state),
        source: some(&query.source),
        role: some(&query.role),
        user_name: None,
        user_name_prefix: some(&query.q),
        cursor: some(&query.cursor),
        limit: Some(PAGE),
    };
    let (accounts, next) = console.app.admin_list_accounts(&org_id, &filter).await?;
    let now = ctx.now;
    let here = url(&org_id);
    let next_url = next.map(|cursor| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("state", &filter.state),
            ("source", &filter.source),
            ("role", &filter.role),
            ("q", &filter.user_name_prefix),
        ] {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        q.append_pair("cursor", &cursor);
        format!("{here}?{}", q.finish())
    });
    let states = ["active", "inactive", "conflict"];
    let sources = ["scim", "manual"];
    // The roles of the organization's kind (a school has more).
    let role_names: Vec<&str> = ctx.org().kind.roles().iter().map(|r| r.as_str()).collect();
    let body = html! {
        form.filters #account-filters method="get" action=(here) role="search" {
            (select("state", "Status", &filter.state, &states))
            (select("source", "Source", &filter.source, &sources))
            (select("role", "Role", &filter.role, &role_names))
            label for="filter-q" { "Managed Apple Account starts with" }
            input #filter-q type="search" name="q" value=[filter.user_name_prefix.as_deref()];
            button type="submit" { "Filter" }
            " " a href=(here) { "Clear" }
        }
        table #account-table {
            caption { "Accounts, oldest first" }
            thead { tr {
                th scope="col" { "Status" } th scope="col" { "Name" } th scope="col" { "Managed Apple Account" }
                th scope="col" { "Source" } th scope="col" { "Roles" } th scope="col" { "Person ID" } th scope="col" { "Deletion" }
            } }
            tbody {
                @for a in &accounts {
                    tr data-account-id=(a.id) {
                        td { (status(a)) }
                        td { (name(a)) }
                        td { a href={ (here) "/" (a.id) } { (a.user_name) } }
                        td { (source(a.source)) }
                        td { (roles(a)) }
                        td { @if let Some(p) = &a.person_id { code { (p) } } }
                        td.deletion { @if let Some(d) = deletion(a, now) { (d) } }
                    }
                }
                @if accounts.is_empty() { tr { td colspan="7" { "No accounts match." } } }
            }
        }
        @if let Some(next) = next_url { p { a #next-page rel="next" href=(next) { "Next page" } } }
    };
    Ok(layout::page(&ctx, "Accounts", Section::Accounts, body).into_response())
}

pub async fn account(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path((org_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> PageResult {
    let ctx = Ctx::load(&console, signed, Some(&org_id)).await?;
    let account = console.app.admin_get_account(&org_id, &id).await?;
    let base = mount_base(&console.app, &headers, ScimMount::Feed(ctx.org().kind));
    let resource = user_resource(&account, &base);
    // Among the organization's first events; enough for a test organization (see README).
    let events: Vec<_> = console
        .app
        .store
        .list_events(&org_id, 0, None, 1000)
        .await?
        .into_iter()
        .filter(|e| e.account_id.as_deref() == Some(id.as_str()))
        .collect();
    let here = format!("{}/{}", url(&org_id), account.id);
    let manual = account.source == AccountSource::Manual;
    let body = html! {
        dl.account {
            dt { "Status" } dd #account-status { (status(&account)) @if let Some(d) = deletion(&account, ctx.now) { " — " (d) } }
            dt { "Name" } dd { (name(&account)) }
            dt { "Managed Apple Account" } dd { (account.user_name) }
            dt { "Source" } dd { (source(account.source)) }
            dt { "Roles" } dd { (roles(&account)) }
            dt { "Person ID" } dd { @if let Some(p) = &account.person_id { code { (p) } } }
            @if ctx.org().kind == OrgKind::School {
                dt { "Grade level" } dd { (account.grade_level.as_deref().unwrap_or("—")) }
            }
        }
        section aria-labelledby="actions" {
            h2 #actions { "Actions" }
            @if !manual { p.hint { "Synced accounts are managed by your identity provider: only roles (and a Person ID conflict) can be changed here." } }
            form method="post" action={ (here) "/roles" } {
                (layout::csrf(&ctx))
                fieldset { legend { "Roles" }
                    @for role in ctx.org().kind.roles().iter().copied() {
                        @let rid = format!("role-{}", role.as_str().replace(' ', "-"));
                        p { input id=(rid) type="checkbox" name="role" value=(role.as_str()) checked[account.roles.contains(&role)]; label for=(rid) { (role.as_str()) } }
                    }
                }
                button type="submit" { "Save roles" }
            }
            @if account.state == AccountState::Conflict {
                p { "This account's Person ID no longer matches your identity provider's, or a manual account has its name." }
                form.inline method="post" action={ (here) "/resolve" } { (layout::csrf(&ctx)) input type="hidden" name="action" value="relink"; button type="submit" { "Relink to the identity provider" } }
                form.inline method="post" action={ (here) "/resolve" } { (layout::csrf(&ctx)) input type="hidden" name="action" value="make_manual"; button type="submit" { "Make it a manual account" } }
            }
            @if manual {
                form.inline method="post" action={ (here) "/active" } {
                    (layout::csrf(&ctx))
                    input type="hidden" name="active" value=(if account.active { "false" } else { "true" });
                    button type="submit" { @if account.active { "Deactivate" } @else { "Reactivate" } }
                }
                (layout::button_form(&ctx, &format!("{here}/delete"), "Delete account", "danger"))
            }
        }
        section aria-labelledby="scim" { h2 #scim { "SCIM resource" } (layout::json_block("scim-resource", &resource)) }
        section aria-labelledby="account-activity" {
            h2 #account-activity { "Activity" }
            ul { @for e in &events { li { time datetime=(e.at.rfc3339()) { (format::date_time(e.at)) } " — " (e.kind) " (" (e.actor) ")" } } }
        }
    };
    let title = format!("Account {}", account.user_name);
    Ok(layout::page(&ctx, &title, Section::Accounts, body).into_response())
}

fn back(org: &str, id: &str) -> String {
    format!("{}/{id}", url(org))
}

pub async fn set_roles(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path((org, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    // `role` repeats, which `Form` into a struct cannot take.
    let roles: Vec<String> = url::form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "role")
        .map(|(_, v)| v.into_owned())
        .collect();
    let change = AccountChange {
        roles: Some(roles),
        ..AccountChange::default()
    };
    let outcome = console.app.admin_update_account(&org, &id, change).await;
    after_post(
        &console,
        &signed,
        outcome,
        |_| Flash::Done("Roles saved.".into()),
        &back(&org, &id),
    )
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn set_active(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path((org, id)): Path<(String, String)>,
    Form(form): Form<ActiveForm>,
) -> Response {
    let change = AccountChange {
        active: Some(form.active),
        ..AccountChange::default()
    };
    let outcome = console.app.admin_update_account(&org, &id, change).await;
    let done = if form.active {
        "Account reactivated."
    } else {
        "Account deactivated."
    };
    after_post(
        &console,
        &signed,
        outcome,
        |_| Flash::Done(done.into()),
        &back(&org, &id),
    )
}

#[derive(Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    action: String,
}

pub async fn resolve(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path((org, id)): Path<(String, String)>,
    Form(form): Form<ResolveForm>,
) -> Response {
    let outcome = match Resolution::parse(&form.action) {
        Some(how) => console.app.admin_resolve_account(&org, &id, how).await,
        None => Err(crate::service::ServiceError::bad_request(
            "invalid_action",
            "choose relink or make_manual",
        )),
    };
    after_post(
        &console,
        &signed,
        outcome,
        |_| Flash::Done("Conflict resolved.".into()),
        &back(&org, &id),
    )
}

pub async fn delete(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    match console.app.admin_delete_account(&org, &id).await {
        Ok(()) => {
            console
                .sessions
                .flash(&signed.id, Flash::Done("Account deleted.".into()));
            Redirect::to(&url(&org)).into_response()
        }
        Err(err) => failed(&console, &signed, &err, &back(&org, &id)),
    }
}
