//! Signing in with the admin token, and out.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;

use super::session::{cookie_value, set_cookie, Signed};
use super::{csrf, guard, Console};

#[derive(Deserialize)]
pub struct SignInQuery {
    signed_out: Option<String>,
}

fn form(message: Option<(&str, &str)>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Sign in · abm-scim console" }
                link rel="stylesheet" href="/console/assets/console.css";
                script src="/console/assets/console.js" {}
            }
            body.bare {
                main #main.sign-in {
                    h1 { "Sign in to the abm-scim console" }
                    @if let Some((class, text)) = message {
                        div class={ "flash " (class) } role=(if class == "error" { "alert" } else { "status" }) { (text) }
                    }
                    form method="post" action="/console/sign-in" {
                        label for="token" { "Admin token" }
                        input #token type="password" name="token" autocomplete="current-password" required autofocus;
                        p.hint { "The admin token the server printed on its first start (or --admin-token)." }
                        button type="submit" { "Sign in" }
                    }
                }
            }
        }
    }
}

pub async fn page(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(query): Query<SignInQuery>,
) -> Response {
    if cookie_value(&headers).is_some_and(|id| console.sessions.get(&id).is_some()) {
        return Redirect::to("/console").into_response();
    }
    let message = query.signed_out.map(|_| ("ok", "You are signed out."));
    form(message).into_response()
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    token: String,
}

pub async fn sign_in(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Form(body): Form<SignInForm>,
) -> Response {
    if !csrf::same_origin(&Method::POST, &headers, &console.app.settings.public_base) {
        return guard::refused("This sign-in came from another site, so it was refused.");
    }
    if console
        .app
        .authorize_admin(Some(body.token.trim()))
        .is_err()
    {
        let message = ("error", "That is not the admin token of this server.");
        return (StatusCode::UNAUTHORIZED, form(Some(message))).into_response();
    }
    let id = console.sessions.create();
    (
        [(header::SET_COOKIE, set_cookie(&id, console.secure_cookies))],
        Redirect::to("/console"),
    )
        .into_response()
}

pub async fn sign_out(
    State(console): State<Arc<Console>>,
    Extension(signed): Extension<Signed>,
) -> Response {
    console.sessions.end(&signed.id);
    (
        [(header::SET_COOKIE, set_cookie("", console.secure_cookies))],
        Redirect::to("/console/sign-in?signed_out=1"),
    )
        .into_response()
}
