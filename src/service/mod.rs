//! Apple Business Manager rules: tokens and connections, organizations, the account lifecycle,
//! the reaper. No HTTP here; handlers call these methods and map [`ServiceError`] to responses.

mod account_list;
pub mod accounts;
mod auth;
mod auth_cache;
mod bootstrap;
mod changes;
pub mod closed_sets;
mod connect;
mod connection;
mod credentials;
mod cursor;
pub use cursor::{Cursor, CursorOrder};
pub mod error;
mod events;
pub mod faults;
mod figures;
pub mod journal;
pub mod oauth;
mod orgs;
mod reaper;
pub mod roles;
pub mod seed;
pub mod seed_gen;
mod tokens;
pub mod users;
mod users_list;

use std::sync::Arc;
use std::time::Duration;

pub use auth::{ScimMount, ScimPrincipal};
pub use bootstrap::FirstStart;
pub use changes::follow_changes;
pub use connection::{
    connection_state, ConnectionState, Credentials, SecretStatus, TokenStatus, CONNECTION_WINDOW,
    MAX_LIVE_TOKENS,
};
pub use credentials::hash_secret;
pub use error::{ServiceError, ServiceResult};
pub use events::{kinds, Actor};
pub use figures::run_figures;
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
    /// How long a deactivated account of a business organization is kept (ABM: 30 days),
    /// unless the organization sets its own `retention_days`.
    pub retention: Duration,
    /// The same for school organizations (Apple School Manager keeps SIS and SFTP accounts 120
    /// days; the emulator's choice for SCIM ones).
    pub school_retention: Duration,
    /// Token lifetime override; `None` means one calendar year, as in ABM.
    pub token_lifetime: Option<Duration>,
    /// Cap on `count` for list requests.
    pub max_results: u32,
    /// Build absolute URLs from `X-Forwarded-Proto` / `X-Forwarded-Host` (trusted proxy only).
    pub trust_forwarded_headers: bool,
    /// Request-journal entries kept per organization (0 turns the journal off).
    pub journal_capacity: usize,
    /// The journal's write queue (`--journal-queue`, `--journal-flush-interval`).
    pub journal_queue: journal::QueueOptions,
    /// Whether `/metrics` is served (`--metrics-listen` or `--metrics-token`), and how often
    /// its database figures are read again.
    pub metrics: MetricsSettings,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// How long an authorised token is trusted without reading it again (0: never), for
    /// changes made by other processes sharing the database (see `auth_cache`).
    pub auth_cache_ttl: Duration,
    /// The OAuth 2 authorization server (`--oauth-*`).
    pub oauth: oauth::OAuthSettings,
}

/// `/metrics`: off unless asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricsSettings {
    pub enabled: bool,
    /// Served on `--metrics-listen` rather than the main address.
    pub separate_listener: bool,
    /// SHA-256 of `--metrics-token`, when one is required.
    pub token_hash: Option<[u8; 32]>,
    /// How often the accounts and credential figures are read (one GROUP BY each).
    pub refresh: Duration,
}

/// Everything the rules need: storage, time, settings and signing keys.
pub struct App {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    pub journal: journal::Journal,
    pub faults: faults::Faults,
    /// What `/metrics` shows (recorded only when it is served).
    pub metrics: Arc<crate::metrics::Metrics>,
    credentials: figures::CredentialFigures,
    keys: credentials::Keys,
    auth_cache: auth_cache::AuthCache,
    /// Recently authorised OAuth access tokens (see `oauth::access`).
    access_cache: auth_cache::AuthCache<oauth::FoundAccess>,
    /// Serialises [`App::note_token_expiry`] within the process.
    expiry_notes: tokio::sync::Mutex<()>,
}

impl App {
    /// The current time, as records carry it.
    pub async fn now(&self) -> ServiceResult<Timestamp> {
        Ok(Timestamp::from(self.clock.now().await?))
    }
}
