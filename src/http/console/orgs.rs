//! The organizations: the console's home, the switcher, and "create an organization".

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use maud::html;
use serde::Deserialize;

use super::layout::{self, Section};
use super::session::{Flash, Signed};
use super::{failed, Console, Ctx, PageResult};
use crate::domain::OrgKind;
use crate::service::NewOrg;

fn org_home(id: &str) -> String {
    format!("/console/orgs/{id}/directory-sync")
}

/// `/console`: the first organization's Directory Sync, or the list when there is none.
pub async fn home(State(console): State<Arc<Console>>) -> PageResult {
    let orgs = console.app.store.list_orgs().await?;
    Ok(match orgs.first() {
        Some(org) => Redirect::to(&org_home(&org.id)).into_response(),
        None => Redirect::to("/console/orgs").into_response(),
    })
}

#[derive(Deserialize)]
pub struct SwitchQuery {
    #[serde(default)]
    org: String,
}

pub async fn switch(Query(query): Query<SwitchQuery>) -> Response {
    Redirect::to(&org_home(
        &url::form_urlencoded::byte_serialize(query.org.as_bytes()).collect::<String>(),
    ))
    .into_response()
}

pub async fn list(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
) -> PageResult {
    let ctx = Ctx::load(&console, signed, None).await?;
    let mut rows = Vec::new();
    for org in &ctx.orgs {
        let state = console.app.scim_state(org).await?;
        let domains = console.app.store.list_domains(&org.id).await?;
        rows.push((org, state, domains));
    }
    let body = html! {
        table #orgs {
            caption { "Organizations on this server" }
            thead { tr { th scope="col" { "Name" } th scope="col" { "Domains" } th scope="col" { "Directory sync" } th scope="col" { "Id" } } }
            tbody {
                @for (org, state, domains) in &rows {
                    tr {
                        td { a href=(org_home(&org.id)) { (org.name) } }
                        td { @for d in domains { span.domain { (d.name) @if !d.verified { " (unverified)" } } " " } }
                        td { (super::directory_sync::state_badge(*state)) }
                        td { code { (org.id) } }
                    }
                }
            }
        }
        section aria-labelledby="create-org" {
            h2 #create-org { "Create an organization" }
            form #create-org-form method="post" action="/console/orgs" {
                (layout::csrf(&ctx))
                p { label for="org-name" { "Name" } input #org-name type="text" name="name" required maxlength="200"; }
                p {
                    label for="org-kind" { "Kind" }
                    select #org-kind name="kind" {
                        option value="business" selected { "Apple Business Manager" }
                        option value="school" { "Apple School Manager" }
                    }
                }
                p {
                    label for="org-domains" { "Domains (one a line)" }
                    textarea #org-domains name="domains" rows="3" placeholder="example.com" {}
                }
                fieldset {
                    legend { "Settings" }
                    p { input #org-verified type="checkbox" name="verified" value="on" checked; label for="org-verified" { "The domains are verified" } }
                    p { input #org-federated type="checkbox" name="federated_authentication" value="on" checked; label for="org-federated" { "Federated authentication" } }
                    p { input #org-merge type="checkbox" name="auto_merge" value="on"; label for="org-merge" { "Auto Merge (accounts with the same Managed Apple Account merge with synced ones)" } }
                    p { input #org-require type="checkbox" name="require_verified_domain" value="on" checked; label for="org-require" { "SCIM userNames must be in a verified domain" } }
                }
                button type="submit" { "Create organization" }
            }
        }
    };
    Ok(layout::page(&ctx, "Organizations", Section::Orgs, body).into_response())
}

/// The create form; a checkbox is `on` when ticked and absent otherwise.
#[derive(Deserialize)]
pub struct CreateOrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    domains: String,
    verified: Option<String>,
    federated_authentication: Option<String>,
    auto_merge: Option<String>,
    require_verified_domain: Option<String>,
    /// `business` when absent (a form from before kinds).
    #[serde(default)]
    kind: OrgKind,
}

pub async fn create(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Form(form): Form<CreateOrgForm>,
) -> Response {
    let verified = form.verified.is_some();
    let outcome = console
        .app
        .create_org(NewOrg {
            name: form.name,
            domains: form
                .domains
                .split(['\n', ',', ' '])
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| (d.to_string(), verified))
                .collect(),
            federated_authentication: form.federated_authentication.is_some(),
            auto_merge: form.auto_merge.is_some(),
            require_verified_domain: form.require_verified_domain.is_some(),
            kind: form.kind,
            sis_connected: false,
            retention_days: None,
        })
        .await;
    match outcome {
        Ok((org, _)) => {
            let done = Flash::Done(format!("Organization {} created.", org.name));
            console.sessions.flash(&signed.id, done);
            Redirect::to(&org_home(&org.id)).into_response()
        }
        Err(err) => failed(&console, &signed, &err, "/console/orgs"),
    }
}
