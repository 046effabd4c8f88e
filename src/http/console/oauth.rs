//! The OAuth client of a custom identity provider, on the Directory Sync page: its client id,
//! redirect URIs and secrets (ABM's token rules: two at most, the only one not revocable).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::{Extension, Form};
use maud::{html, Markup};
use serde::Deserialize;

use super::directory_sync::url;
use super::layout::{self, badge};
use super::session::{Flash, Signed};
use super::{after_post, format, Console, Ctx, PageError};
use crate::service::oauth::{IssuedSecret, NewClient};
use crate::service::{SecretStatus, MAX_LIVE_TOKENS};

fn secret_badge(status: SecretStatus) -> Markup {
    match status {
        SecretStatus::Active => badge("ok", "Active"),
        SecretStatus::Expiring => badge("warn", "Expiring"),
        SecretStatus::Expired => badge("bad", "Expired"),
        SecretStatus::Revoked => badge("off", "Revoked"),
    }
}

pub async fn section(console: &Console, ctx: &Ctx) -> Result<Markup, PageError> {
    let org = ctx.org();
    let now = ctx.now;
    let here = url(&org.id);
    let state = console.app.find_oauth_client(&org.id).await?;
    Ok(html! {
        section aria-labelledby="oauth" {
            h2 #oauth { "Custom identity provider (OAuth 2)" }
            @match &state {
                None => {
                    p { "Identity providers other than Microsoft Entra ID sign in with a client ID and client secret." }
                    form #oauth-create method="post" action={ (here) "/oauth-client" } {
                        (layout::csrf(ctx))
                        p { label for="oauth-name" { "Name" } input #oauth-name type="text" name="name" required maxlength="100"; }
                        p { label for="oauth-redirect" { "Redirect URI" } input #oauth-redirect type="url" name="redirect_uri" required placeholder="https://idp.example/oauth/callback"; }
                        p { label for="oauth-lifetime" { "Secret lifetime" }
                            select #oauth-lifetime name="lifetime_months" { option value="6" { "6 months" } option value="9" { "9 months" } option value="12" selected { "12 months" } } }
                        button type="submit" { "Create client" }
                    }
                }
                Some(state) => {
                    @let live = state.secrets.iter().filter(|s| SecretStatus::of(s, now).is_live()).count();
                    dl {
                        dt { "Client ID" } dd { code #oauth-client-id { (state.client.id) } }
                        dt { "Name" } dd { (state.client.name) }
                        dt { "Redirect URIs" } dd { @for uri in &state.client.redirect_uris { code { (uri) } " " } }
                    }
                    table #secret-table {
                        caption { "Client secrets" }
                        thead { tr { th scope="col" { "Secret" } th scope="col" { "Status" } th scope="col" { "Expires" } th scope="col" { "Last used" } th scope="col" { "Actions" } } }
                        tbody {
                            @for s in &state.secrets {
                                @let status = SecretStatus::of(s, now);
                                tr class=[(status == SecretStatus::Expiring).then_some("expiring")] {
                                    td { code { (s.id) } }
                                    td { (secret_badge(status)) }
                                    td { "expires on " (format::date(s.expires_at)) @if status.is_live() { ", in " (format::days(format::days_until(s.expires_at, now))) } }
                                    td { @match s.last_used_at { Some(at) => (format::relative(at, now)), None => "never" } }
                                    td {
                                        @if status.is_live() {
                                            @if live <= 1 {
                                                button type="button" disabled { "Revoke" }
                                                p.reason { "The only active secret cannot be revoked: disconnect instead." }
                                            } @else {
                                                (layout::button_form(ctx, &format!("{here}/oauth-client/secrets/{}/revoke", s.id), "Revoke", "danger"))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if live >= MAX_LIVE_TOKENS {
                        button type="button" disabled aria-describedby="secret-limit" { "Generate secret" }
                        p.reason #secret-limit { "You already have two client secrets: revoke one first." }
                    } @else {
                        (layout::button_form(ctx, &format!("{here}/oauth-client/secrets"), "Generate secret", ""))
                    }
                }
            }
        }
    })
}

fn shown(issued: IssuedSecret) -> Flash {
    Flash::Secret {
        label: format!("Client secret {} of {}", issued.secret_id, issued.client.id),
        value: issued.client_secret,
    }
}

#[derive(Deserialize)]
pub struct CreateClientForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    redirect_uri: String,
    lifetime_months: Option<u64>,
}

pub async fn create_client(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org): Path<String>,
    Form(form): Form<CreateClientForm>,
) -> Response {
    let new = NewClient {
        name: form.name,
        redirect_uris: vec![form.redirect_uri],
        secret_lifetime_months: form.lifetime_months,
    };
    let outcome = console.app.create_oauth_client(&org, new).await;
    after_post(&console, &signed, outcome, shown, &url(&org))
}

pub async fn create_secret(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org): Path<String>,
) -> Response {
    let outcome = console.app.create_oauth_secret(&org, None).await;
    after_post(&console, &signed, outcome, shown, &url(&org))
}

pub async fn revoke_secret(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let outcome = console.app.revoke_oauth_secret(&org, &id).await;
    after_post(
        &console,
        &signed,
        outcome,
        |()| Flash::Done(format!("Client secret {id} revoked.")),
        &url(&org),
    )
}
