//! The web console (`/console`): ABM's Directory Sync and Accounts screens, the activity log, a
//! live request inspector and the test harness, server-rendered (maud) with one small script of
//! our own for the live parts. Every form is a plain POST answered by a redirect (it works
//! without JavaScript); every rule is the service layer's, called exactly as the admin API calls
//! it (`http::admin` handlers and this module share the few helpers that are not in `service`).

mod accounts;
mod activity;
mod assets;
mod csrf;
mod directory_sync;
mod format;
mod guard;
mod harness;
mod layout;
mod live;
mod oauth;
mod orgs;
mod requests;
mod session;
mod signin;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::domain::Timestamp;
use crate::service::{App, ServiceError};
use crate::store::Org;
use session::{Flash, Sessions, Signed};

/// The console's state: the service layer and the sessions.
pub struct Console {
    pub app: Arc<App>,
    pub sessions: Sessions,
    /// Cookies get `Secure` when the public URL is https.
    pub secure_cookies: bool,
    /// True once the server shuts down: live streams end then.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

/// `Content-Security-Policy` of every console answer: nothing inline, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn routes(app: Arc<App>, stopping: tokio::sync::watch::Receiver<bool>) -> Router<Arc<App>> {
    let console = Arc::new(Console {
        stopping,
        secure_cookies: app.settings.public_base.starts_with("https://"),
        app,
        sessions: Sessions::default(),
    });
    let org = |path: &str| format!("/orgs/{{org}}{path}");
    let pages = Router::new()
        .route("/", get(orgs::home))
        .route("/switch", get(orgs::switch))
        .route("/orgs", get(orgs::list).post(orgs::create))
        .route("/sign-out", post(signin::sign_out))
        .route(&org("/directory-sync"), get(directory_sync::page))
        .route(
            &org("/directory-sync/tokens"),
            post(directory_sync::create_token),
        )
        .route(
            &org("/directory-sync/tokens/{id}/renew"),
            post(directory_sync::renew_token),
        )
        .route(
            &org("/directory-sync/tokens/{id}/revoke"),
            get(directory_sync::confirm_revoke).post(directory_sync::revoke_token),
        )
        .route(
            &org("/directory-sync/disconnect"),
            get(directory_sync::confirm_disconnect).post(directory_sync::disconnect),
        )
        .route(
            &org("/directory-sync/settings"),
            post(directory_sync::settings),
        )
        .route(
            &org("/directory-sync/oauth-client"),
            post(oauth::create_client),
        )
        .route(
            &org("/directory-sync/oauth-client/secrets"),
            post(oauth::create_secret),
        )
        .route(
            &org("/directory-sync/oauth-client/secrets/{id}/revoke"),
            post(oauth::revoke_secret),
        )
        .route(&org("/accounts"), get(accounts::list))
        .route(&org("/accounts/{id}"), get(accounts::account))
        .route(&org("/accounts/{id}/roles"), post(accounts::set_roles))
        .route(&org("/accounts/{id}/active"), post(accounts::set_active))
        .route(&org("/accounts/{id}/resolve"), post(accounts::resolve))
        .route(&org("/accounts/{id}/delete"), post(accounts::delete))
        .route(&org("/activity"), get(activity::page))
        .route(&org("/activity.json"), get(activity::download_json))
        .route(&org("/activity.csv"), get(activity::download_csv))
        .route(&org("/activity/stream"), get(activity::stream))
        .route(&org("/requests"), get(requests::page))
        .route(&org("/requests.har"), get(requests::har))
        .route(&org("/requests/stream"), get(requests::stream))
        .route(&org("/requests/{seq}"), get(requests::entry))
        .route(&org("/harness"), get(harness::page))
        .route("/clock", post(harness::move_clock))
        .route("/reaper", post(harness::run_reaper))
        .route("/seed", post(harness::apply_seed))
        .route(&org("/faults"), post(harness::add_fault))
        .route(&org("/faults/clear"), post(harness::clear_faults))
        .route(&org("/reset"), post(harness::reset))
        .route_layer(axum::middleware::from_fn_with_state(
            console.clone(),
            guard::require_session,
        ));
    Router::new()
        .route("/sign-in", get(signin::page).post(signin::sign_in))
        .route("/assets/{name}", get(assets::serve))
        .merge(pages)
        .fallback(not_found)
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(console)
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        layout::bare("Not found", "There is no console page at this address."),
    )
        .into_response()
}

/// Headers of every console answer (pages, assets, streams, downloads).
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}

/// What every organization page needs: who is signed in, the clock, the organizations.
pub struct Ctx {
    pub signed: Signed,
    pub now: Timestamp,
    pub orgs: Vec<Org>,
    pub org: Option<Org>,
    pub flashes: Vec<Flash>,
}

impl Ctx {
    pub async fn load(
        console: &Console,
        signed: Signed,
        org_id: Option<&str>,
    ) -> Result<Ctx, PageError> {
        let app = &console.app;
        let org = match org_id {
            Some(id) => Some(app.require_org(id).await?),
            None => None,
        };
        Ok(Ctx {
            now: app.now().await?,
            orgs: app.store.list_orgs().await?,
            org,
            flashes: console.sessions.take_flashes(&signed.id),
            signed,
        })
    }

    /// The organization of an organization page.
    pub fn org(&self) -> &Org {
        self.org.as_ref().expect("loaded with an organization")
    }
}

/// A service error on a page: an HTML page with the status and detail the admin API would give.
pub struct PageError(pub ServiceError);

impl<E: Into<ServiceError>> From<E> for PageError {
    fn from(err: E) -> Self {
        PageError(err.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, detail) = super::error::status_and_detail(&self.0);
        let title = status.canonical_reason().unwrap_or("Error");
        (status, layout::bare(title, &detail)).into_response()
    }
}

pub type PageResult = Result<Response, PageError>;

/// A query string, or the admin API's `invalid_query` error.
pub fn query<T>(
    query: Result<axum::extract::Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, PageError> {
    query
        .map(|axum::extract::Query(value)| value)
        .map_err(|e| PageError(ServiceError::bad_request("invalid_query", e.body_text())))
}

/// Redirect-after-post: the outcome becomes a one-time message on the page at `back`.
pub fn after_post<T>(
    console: &Console,
    signed: &Signed,
    outcome: Result<T, ServiceError>,
    done: impl FnOnce(T) -> Flash,
    back: &str,
) -> Response {
    match outcome {
        Ok(value) => {
            console.sessions.flash(&signed.id, done(value));
            Redirect::to(back).into_response()
        }
        Err(err) => failed(console, signed, &err, back),
    }
}

/// Redirect-after-post of a refused change: the reason on the page at `back`.
pub fn failed(console: &Console, signed: &Signed, err: &ServiceError, back: &str) -> Response {
    let reason = super::error::status_and_detail(err).1;
    console.sessions.flash(&signed.id, Flash::Failed(reason));
    Redirect::to(back).into_response()
}
