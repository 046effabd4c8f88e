//! Directory Sync (ABM: Settings › Directory Sync): the connection state, the tenant URLs, the
//! SCIM tokens with ABM's limits and reasons, disconnecting, the settings, and the OAuth client
//! of a custom identity provider (`oauth`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, badge, Section};
use super::session::{Flash, Signed};
use super::{after_post, format, oauth, Console, Ctx, PageResult};
use crate::http::scim::mount_base;
use crate::service::{connection_state, Actor, ConnectionState, OrgChange, TokenStatus};
use crate::service::{ScimMount, CONNECTION_WINDOW, MAX_LIVE_TOKENS};

pub fn url(org: &str) -> String {
    format!("/console/orgs/{org}/directory-sync")
}

pub fn state_badge(state: ConnectionState) -> Markup {
    match state {
        ConnectionState::Connected => badge("ok", "Connected"),
        ConnectionState::Pending => badge("warn", "Pending"),
        ConnectionState::Expired => badge("bad", "Expired"),
        ConnectionState::Disconnected => badge("off", "Disconnected"),
    }
}

fn token_badge(status: TokenStatus) -> Markup {
    match status {
        TokenStatus::Active => badge("ok", "Active"),
        TokenStatus::Expiring => badge("warn", "Expiring"),
        TokenStatus::Expired => badge("bad", "Expired"),
        TokenStatus::Revoked => badge("off", "Revoked"),
    }
}

/// ABM's reason a token cannot be generated (the service refuses it with the same words).
const TOKEN_LIMIT_REASON: &str =
    "You already have two tokens, the most Apple Business Manager allows: revoke one first.";
const LAST_TOKEN_REASON: &str =
    "This is the only active token, so it cannot be revoked: disconnect instead.";

pub async fn page(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org_id): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let app = &console.app;
    let ctx = Ctx::load(&console, signed, Some(&org_id)).await?;
    let org = ctx.org();
    app.note_token_expiry(&org.id).await?;
    let credentials = app.credentials(&org.id).await?;
    let now = ctx.now;
    let state = connection_state(org, &credentials, now);
    let base = mount_base(app, &headers, ScimMount::Feed(org.kind));
    let alias = mount_base(app, &headers, ScimMount::Alias);
    let mut tokens: Vec<_> = credentials.tokens.iter().collect();
    tokens.sort_by_key(|t| std::cmp::Reverse(t.created_at));
    let live = tokens
        .iter()
        .filter(|t| TokenStatus::of(t, now).is_live())
        .count();
    let at_limit = live >= MAX_LIVE_TOKENS;
    let here = url(&org.id);
    let oauth_section = oauth::section(&console, &ctx).await?;
    let body = html! {
        section aria-labelledby="connection" {
            h2 #connection { "Connection" }
            p #connection-state {
                (state_badge(state))
                @match (state, org.scim_connected_at) {
                    (ConnectionState::Pending, Some(since)) => {
                        " Waiting for your identity provider's first request: the 4-day window ends "
                        (format::date_time(since.saturating_add(CONNECTION_WINDOW))) "."
                    }
                    (ConnectionState::Expired, _) => " No request arrived in time, or every token expired: generate a new token.",
                    (ConnectionState::Disconnected, _) => " Generate a token and give it to your identity provider to connect.",
                    _ => " Your identity provider is syncing accounts.",
                }
            }
            dl.urls {
                dt { "Tenant URL" }
                dd.copyable { code #tenant-url { (base) } " " button type="button" data-copy="tenant-url" { "Copy" } span.copy-status aria-live="polite" {} }
                dt { "Alias" }
                dd.copyable { code #tenant-alias { (alias) } " " button type="button" data-copy="tenant-alias" { "Copy" } span.copy-status aria-live="polite" {} }
            }
        }
        section aria-labelledby="tokens" {
            h2 #tokens { "SCIM tokens" }
            table #token-table {
                caption { "Tokens (newest first). A token is expiring in its last 60 days." }
                thead { tr { th scope="col" { "Token" } th scope="col" { "Status" } th scope="col" { "Expires" } th scope="col" { "Last used" } th scope="col" { "Actions" } } }
                tbody {
                    @for t in &tokens {
                        @let status = TokenStatus::of(t, now);
                        tr class=[(status == TokenStatus::Expiring).then_some("expiring")] data-token-id=(t.id) {
                            td { code { (t.id) } br; span.hint { "created " (format::date(t.created_at)) } }
                            td { (token_badge(status)) }
                            td { "expires on " (format::date(t.expires_at))
                                @if status.is_live() { ", in " (format::days(format::days_until(t.expires_at, now))) } }
                            td { @match t.last_used_at { Some(at) => (format::relative(at, now)), None => "never" } }
                            td {
                                @if status.is_live() {
                                    @if at_limit {
                                        button type="button" disabled aria-describedby="token-limit" { "Renew" }
                                    } @else {
                                        (layout::button_form(&ctx, &format!("{here}/tokens/{}/renew", t.id), "Renew", ""))
                                    }
                                    @if live <= 1 {
                                        button type="button" disabled aria-describedby={ "only-" (t.id) } { "Revoke" }
                                        p.reason id={ "only-" (t.id) } { (LAST_TOKEN_REASON) }
                                    } @else {
                                        a.button href={ (here) "/tokens/" (t.id) "/revoke" } { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                    @if tokens.is_empty() { tr { td colspan="5" { "No tokens yet." } } }
                }
            }
            @if at_limit {
                button #generate-token type="button" disabled aria-describedby="token-limit" { "Generate token" }
                p.reason #token-limit { (TOKEN_LIMIT_REASON) }
            } @else {
                form.inline method="post" action={ (here) "/tokens" } {
                    (layout::csrf(&ctx))
                    button #generate-token type="submit" { "Generate token" }
                }
            }
            @if state != ConnectionState::Disconnected {
                p { a.button.danger href={ (here) "/disconnect" } { "Disconnect…" } }
            }
        }
        (oauth_section)
        section aria-labelledby="settings" {
            h2 #settings { "Settings" }
            form #settings-form method="post" action={ (here) "/settings" } {
                (layout::csrf(&ctx))
                input type="hidden" name="present" value="1";
                p { input #auto-merge type="checkbox" name="auto_merge" value="on" checked[org.auto_merge]; label for="auto-merge" { "Auto Merge: a synced account takes over a manual account with the same Managed Apple Account" } }
                p { input #federated type="checkbox" name="federated_authentication" value="on" checked[org.federated_authentication]; label for="federated" { "Federated authentication (turning it off disconnects directory sync)" } }
                p { input #require-verified type="checkbox" name="require_verified_domain" value="on" checked[org.require_verified_domain]; label for="require-verified" { "SCIM userNames must be in a verified domain" } }
                button type="submit" { "Save settings" }
            }
        }
    };
    Ok(layout::page(&ctx, "Directory Sync", Section::DirectorySync, body).into_response())
}

pub async fn create_token(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org): Path<String>,
) -> Response {
    let outcome = console.app.create_token(&org, None).await;
    after_post(
        &console,
        &signed,
        outcome,
        |t| Flash::Secret {
            label: format!("New SCIM token {}", t.id),
            value: t.token,
        },
        &url(&org),
    )
}

pub async fn renew_token(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let outcome = console.app.create_token(&org, Some(&id)).await;
    after_post(
        &console,
        &signed,
        outcome,
        |t| Flash::Secret {
            label: format!("Renewed token {id}: new token {}", t.id),
            value: t.token,
        },
        &url(&org),
    )
}

/// ABM asks before revoking: SCIM updates pause until the IdP uses another token.
pub async fn confirm_revoke(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path((org, id)): Path<(String, String)>,
) -> PageResult {
    let ctx = Ctx::load(&console, signed, Some(&org)).await?;
    let body = html! {
        p role="alert" #revoke-warning { "If you revoke token " code { (id) } ", SCIM updates from your identity provider pause until it uses another token. Requests with this token are refused from the very next one." }
        form method="post" action={ (url(&org)) "/tokens/" (id) "/revoke" } {
            (layout::csrf(&ctx))
            button #confirm-revoke.danger type="submit" { "Revoke token" }
            " " a href=(url(&org)) { "Cancel" }
        }
    };
    Ok(layout::page(&ctx, "Revoke token", Section::DirectorySync, body).into_response())
}

pub async fn revoke_token(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let outcome = console.app.revoke_token(&org, &id).await;
    after_post(
        &console,
        &signed,
        outcome,
        |()| {
            Flash::Done(format!(
                "Token {id} revoked: SCIM updates with it have stopped."
            ))
        },
        &url(&org),
    )
}

pub async fn confirm_disconnect(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org): Path<String>,
) -> PageResult {
    let ctx = Ctx::load(&console, signed, Some(&org)).await?;
    let body = html! {
        p role="alert" #disconnect-warning {
            "Disconnecting revokes every SCIM token and client secret at once: your identity provider can no longer sync. "
            "Accounts it synced become manual accounts that you manage here; deactivated ones keep their deletion date."
        }
        form method="post" action={ (url(&org)) "/disconnect" } {
            (layout::csrf(&ctx))
            button #confirm-disconnect.danger type="submit" { "Disconnect" }
            " " a href=(url(&org)) { "Cancel" }
        }
    };
    Ok(layout::page(
        &ctx,
        "Disconnect directory sync",
        Section::DirectorySync,
        body,
    )
    .into_response())
}

pub async fn disconnect(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org): Path<String>,
) -> Response {
    let outcome = console.app.disconnect_scim(&org, &Actor::Admin).await;
    after_post(
        &console,
        &signed,
        outcome,
        |()| Flash::Done("Directory sync disconnected.".into()),
        &url(&org),
    )
}

#[derive(Deserialize)]
pub struct SettingsForm {
    auto_merge: Option<String>,
    federated_authentication: Option<String>,
    require_verified_domain: Option<String>,
}

pub async fn settings(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
    Path(org): Path<String>,
    Form(form): Form<SettingsForm>,
) -> Response {
    let change = OrgChange {
        auto_merge: Some(form.auto_merge.is_some()),
        federated_authentication: Some(form.federated_authentication.is_some()),
        require_verified_domain: Some(form.require_verified_domain.is_some()),
        ..OrgChange::default()
    };
    let outcome = console.app.update_org(&org, change).await;
    after_post(
        &console,
        &signed,
        outcome,
        |_| Flash::Done("Settings saved.".into()),
        &url(&org),
    )
}
