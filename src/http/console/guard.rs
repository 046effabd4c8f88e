//! The gate in front of every console page: a live session, and for state-changing requests the
//! cross-site checks of `csrf`. A GET without a session goes to the sign-in page; anything else
//! without one, or refused by `csrf`, gets a 403 page saying why and changes nothing.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::session::cookie_value;
use super::{csrf, layout, Console};

pub async fn require_session(
    State(console): State<Arc<Console>>,
    request: Request,
    next: Next,
) -> Response {
    let public_base = &console.app.settings.public_base;
    if !csrf::same_origin(request.method(), request.headers(), public_base) {
        return refused(
            "This request came from another site, so it was refused. Use the console's own pages.",
        );
    }
    let signed = cookie_value(request.headers()).and_then(|id| console.sessions.get(&id));
    let Some(signed) = signed else {
        if matches!(*request.method(), Method::GET | Method::HEAD) {
            return Redirect::to("/console/sign-in").into_response();
        }
        return refused("You are not signed in (or your session ended): sign in again.");
    };
    let limit = console.app.settings.max_body_bytes;
    let Some(mut request) = csrf::check_token(request, &signed, limit).await else {
        return refused(
            "The form's security token is missing or out of date: reload the page and try again.",
        );
    };
    request.extensions_mut().insert(signed);
    next.run(request).await
}

/// A cross-site (or unauthenticated) state change: refused, with a page a person can act on.
pub fn refused(reason: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        layout::bare("Request refused", reason),
    )
        .into_response()
}
