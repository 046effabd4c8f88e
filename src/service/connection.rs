//! Where an organization's SCIM connection stands, derived from its credentials (static tokens
//! and OAuth client secrets) and the time: each credential's status, and the connection state
//! ABM's Settings show. Pure: the request path (`auth`), the token lifecycle (`tokens`) and the
//! OAuth client lifecycle (`oauth`) read it.

use std::time::Duration;

use crate::domain::{SyncSource, Timestamp};
use crate::store::{OAuthSecret, Org, TokenRecord};

/// ABM: at most two tokens exist at once (and at most two client secrets).
pub const MAX_LIVE_TOKENS: usize = 2;
/// ABM warns 60 days before a token expires.
pub const EXPIRING_WINDOW: Duration = Duration::from_secs(60 * 86_400);
/// ABM: a new connection must be completed within 4 days.
pub const CONNECTION_WINDOW: Duration = Duration::from_secs(4 * 86_400);

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Expiring,
    Expired,
    Revoked,
}

impl TokenStatus {
    pub fn of(token: &TokenRecord, now: Timestamp) -> Self {
        Self::at(token.revoked_at.is_some(), token.expires_at, now)
    }

    /// The status of a credential revoked or not, expiring at `expires_at`.
    fn at(revoked: bool, expires_at: Timestamp, now: Timestamp) -> Self {
        if revoked {
            TokenStatus::Revoked
        } else if now >= expires_at {
            TokenStatus::Expired
        } else if now >= expires_at.saturating_sub(EXPIRING_WINDOW) {
            TokenStatus::Expiring
        } else {
            TokenStatus::Active
        }
    }

    /// Still accepted for SCIM requests.
    pub fn is_live(self) -> bool {
        matches!(self, TokenStatus::Active | TokenStatus::Expiring)
    }
}

/// The directory-sync connection as ABM's Settings show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionState {
    Disconnected,
    /// Tokens exist but none has been used yet.
    Pending,
    Connected,
    /// Every token expired, or the 4-day window passed without a successful request.
    Expired,
}

/// The status of an OAuth client secret: ABM's rules for tokens (expiring in its last 60 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SecretStatus {
    Active,
    Expiring,
    Expired,
    Revoked,
}

impl SecretStatus {
    pub fn of(secret: &OAuthSecret, now: Timestamp) -> Self {
        match TokenStatus::at(secret.revoked_at.is_some(), secret.expires_at, now) {
            TokenStatus::Active => SecretStatus::Active,
            TokenStatus::Expiring => SecretStatus::Expiring,
            TokenStatus::Expired => SecretStatus::Expired,
            TokenStatus::Revoked => SecretStatus::Revoked,
        }
    }

    /// Still accepted at the token endpoint (and its access tokens on SCIM requests).
    pub fn is_live(self) -> bool {
        matches!(self, SecretStatus::Active | SecretStatus::Expiring)
    }
}

/// What authorises an organization's SCIM requests: its static tokens and its OAuth client's
/// secrets (whose access tokens are used on SCIM requests).
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub tokens: Vec<TokenRecord>,
    pub secrets: Vec<OAuthSecret>,
}

/// One credential as the connection sees it.
struct Standing {
    revoked: bool,
    live: bool,
    used: bool,
}

impl Credentials {
    fn standings(&self, now: Timestamp) -> impl Iterator<Item = Standing> + '_ {
        let tokens = self.tokens.iter().map(move |t| Standing {
            revoked: t.revoked_at.is_some(),
            live: TokenStatus::of(t, now).is_live(),
            used: t.last_used_at.is_some(),
        });
        let secrets = self.secrets.iter().map(move |s| Standing {
            revoked: s.revoked_at.is_some(),
            live: SecretStatus::of(s, now).is_live(),
            used: s.last_used_at.is_some(),
        });
        tokens.chain(secrets)
    }

    /// Whether no credential that is not revoked has authorised a SCIM request yet.
    pub fn none_used(&self, now: Timestamp) -> bool {
        self.standings(now).filter(|c| !c.revoked).all(|c| !c.used)
    }
}

/// Derives the connection state from the organization and its credentials.
pub fn connection_state(org: &Org, credentials: &Credentials, now: Timestamp) -> ConnectionState {
    let current: Vec<Standing> = credentials.standings(now).filter(|c| !c.revoked).collect();
    if org.directory_sync_source != SyncSource::Scim || current.is_empty() {
        return ConnectionState::Disconnected;
    }
    if !current.iter().any(|c| c.live) {
        return ConnectionState::Expired;
    }
    if current.iter().any(|c| c.used) {
        return ConnectionState::Connected;
    }
    // `scim_connected_at` is set when a connection starts and cleared by its first authorised
    // request, so a completed connection stays connected when its used credentials are revoked
    // and only renewed, not yet used ones remain (ABM's renewal flow).
    match org.scim_connected_at {
        None => ConnectionState::Connected,
        Some(started) if now > started.saturating_add(CONNECTION_WINDOW) => {
            ConnectionState::Expired
        }
        Some(_) => ConnectionState::Pending,
    }
}
