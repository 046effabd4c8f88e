//! The page shell every console page shares: header (organization switcher, the emulated
//! clock's "now", sign out), section navigation, one-time messages, and the form helpers.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::format;
use super::session::Flash;
use super::Ctx;

/// The sections of an organization's console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Orgs,
    DirectorySync,
    Accounts,
    Activity,
    Requests,
    Harness,
}

const SECTIONS: [(Section, &str, &str); 5] = [
    (Section::DirectorySync, "directory-sync", "Directory Sync"),
    (Section::Accounts, "accounts", "Accounts"),
    (Section::Activity, "activity", "Activity"),
    (Section::Requests, "requests", "Requests"),
    (Section::Harness, "harness", "Harness"),
];

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · abm-scim console" }
            link rel="stylesheet" href="/console/assets/console.css";
            // Not deferred: it must listen for CSP violations before the body is parsed.
            script src="/console/assets/console.js" {}
        }
    }
}

/// A page without a session (sign in, refusals).
pub fn bare(title: &str, message: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body.bare {
                main #main {
                    h1 { (title) }
                    p role="alert" { (message) }
                    p { a href="/console" { "Go to the console" } }
                }
            }
        }
    }
}

/// The hidden form field with the session's cross-site token.
pub fn csrf(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name=(super::csrf::FIELD) value=(ctx.signed.csrf); }
}

/// A one-button POST form.
pub fn button_form(ctx: &Ctx, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(ctx))
            button type="submit" class=(class) { (label) }
        }
    }
}

fn flashes(flashes: &[Flash]) -> Markup {
    html! {
        @for flash in flashes {
            @match flash {
                Flash::Done(text) => div.flash.ok role="status" { span.icon aria-hidden="true" { "✓" } " " (text) },
                Flash::Failed(text) => div.flash.error role="alert" { span.icon aria-hidden="true" { "!" } " " strong { "Not done: " } (text) },
                Flash::Secret { label, value } => div.flash.secret role="status" {
                    p { strong { (label) } " — shown only now: copy it into your identity provider." }
                    p.copyable {
                        code #new-secret { (value) }
                        " "
                        button type="button" data-copy="new-secret" { "Copy" }
                        span.copy-status aria-live="polite" {}
                    }
                },
                Flash::List { title, lines } => div.flash.ok role="status" {
                    p { (title) }
                    @if !lines.is_empty() { ul #result-list { @for line in lines { li { (line) } } } }
                },
            }
        }
    }
}

/// A full console page.
pub fn page(ctx: &Ctx, title: &str, section: Section, body: Markup) -> Markup {
    let org_id = ctx.org.as_ref().map(|o| o.id.as_str());
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/console" { "abm-scim" span.sub { " console" } }
                    form.switch method="get" action="/console/switch" {
                        label for="org-switch" { "Organization" }
                        select #org-switch name="org" data-autosubmit {
                            @for org in &ctx.orgs {
                                option value=(org.id) selected[Some(org.id.as_str()) == org_id] { (org.name) }
                            }
                        }
                        button type="submit" { "Switch" }
                    }
                    a href="/console/orgs" aria-current=[(section == Section::Orgs).then_some("page")] { "All organizations" }
                    p.now { "Now: " time #now datetime=(ctx.now.rfc3339()) { (format::date_time(ctx.now)) } }
                    form.inline method="post" action="/console/sign-out" {
                        (csrf(ctx))
                        button type="submit" #sign-out { "Sign out" }
                    }
                }
                @if let Some(org) = &ctx.org {
                    nav aria-label="Sections" {
                        ul {
                            @for (s, slug, label) in SECTIONS {
                                li { a href={ "/console/orgs/" (org.id) "/" (slug) } aria-current=[(s == section).then_some("page")] { (label) } }
                            }
                        }
                    }
                }
                main #main {
                    (flashes(&ctx.flashes))
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A status shown with its word and a symbol, never by colour alone.
pub fn badge(kind: &str, text: &str) -> Markup {
    let symbol = match kind {
        "ok" => "●",
        "warn" => "▲",
        "bad" => "■",
        _ => "○",
    };
    html! { span class={ "badge " (kind) } { span aria-hidden="true" { (symbol) " " } (text) } }
}

/// Pretty-printed JSON in a `<pre>`.
pub fn json_block(id: &str, value: &serde_json::Value) -> Markup {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    html! { pre.json id=(id) tabindex="0" { (text) } }
}

/// Raw HTML already escaped by maud, for SSE payloads.
pub fn into_string(markup: Markup) -> String {
    let PreEscaped(text) = markup;
    text
}
