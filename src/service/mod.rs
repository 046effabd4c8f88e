//! Apple Business Manager rules: tokens and connections, organizations, the account lifecycle,
//! the reaper. No HTTP here; handlers call these methods and map [`ServiceError`] to responses.

mod account_list;
pub mod accounts;
mod auth;
mod auth_cache;
mod bootstrap;
pub mod closed_sets;
mod connect;
mod connection;
mod credentials;
mod cursor;
pub use cursor::{Cursor, CursorOrder};
pub mod error;
mod events;
pub mod faults;
pub mod journal;
pub mod oauth;
mod orgs;
mod reaper;
pub mod seed;
pub mod seed_gen;
mod tokens;
pub mod users;
mod users_list;

use std::sync::Arc;
use std::time::Duration;

pub use auth::ScimPrincipal;
pub use bootstrap::FirstStart;
pub use connection::{
    connection_state, ConnectionState, Credentials, SecretStatus, TokenStatus, CONNECTION_WINDOW,
    MAX_LIVE_TOKENS,
};
pub use credentials::hash_secret;
pub use error::{ServiceError, ServiceResult};
pub use events::{kinds, Actor};
pub use orgs::{NewOrg, OrgChange};
pub use reaper::{run_reaper, ReaperRun};
pub use tokens::IssuedToken;
pub use users::{etag, Precondition};
pub use users_list::{visible_condition, ListPage, ListRequest, SCIM_VISIBLE_SQL};

use crate::clock::Clock;
use crate::domain::Timestamp;
use crate::store::Store;

/// Runtime settings the rules depend on.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Absolute base URL of the server, no trailing slash (e.g. `http://127.0.0.1:8080`).
    pub public_base: String,
    /// How long a deactivated account is kept (ABM: 30 days).
    pub retention: Duration,
    /// Token lifetime override; `None` means one calendar year, as in ABM.
    pub token_lifetime: Option<Duration>,
    /// Cap on `count` for list requests.
    pub max_results: u32,
    /// Build absolute URLs from `X-Forwarded-Proto` / `X-Forwarded-Host` (trusted proxy only).
    pub trust_forwarded_headers: bool,
    /// Request-journal entries kept per organization (0 turns the journal off).
    pub journal_capacity: usize,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// How long an authorised token is trusted without reading it again (0: never), for
    /// changes made by other processes sharing the database (see `auth_cache`).
    pub auth_cache_ttl: Duration,
    /// The OAuth 2 authorization server (`--oauth-*`).
    pub oauth: oauth::OAuthSettings,
}

/// Everything the rules need: storage, time, settings and signing keys.
pub struct App {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    pub journal: journal::Journal,
    pub faults: faults::Faults,
    keys: credentials::Keys,
    auth_cache: auth_cache::AuthCache,
    /// Recently authorised OAuth access tokens (see `oauth::access`).
    access_cache: auth_cache::AuthCache<oauth::FoundAccess>,
    /// Serialises [`App::note_token_expiry`] within the process.
    expiry_notes: tokio::sync::Mutex<()>,
}

impl App {
    /// The SCIM base URL IdPs are given (the path ABM serves).
    pub fn scim_base_url(&self) -> String {
        format!("{}/feeds/business/scim", self.settings.public_base)
    }

    /// The current time, as records carry it.
    pub async fn now(&self) -> ServiceResult<Timestamp> {
        Ok(Timestamp::from(self.clock.now().await?))
    }
}
