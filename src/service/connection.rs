//! Where an organization's SCIM connection stands, derived from its tokens and the time: each
//! token's status, and the connection state ABM's Settings show. Pure: both the request path
//! (`auth`) and the token lifecycle (`tokens`) read it.

use std::time::Duration;

use crate::domain::{SyncSource, Timestamp};
use crate::store::{Org, TokenRecord};

/// ABM: at most two tokens exist at once.
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
        if token.revoked_at.is_some() {
            TokenStatus::Revoked
        } else if now >= token.expires_at {
            TokenStatus::Expired
        } else if now >= token.expires_at.saturating_sub(EXPIRING_WINDOW) {
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

/// Derives the connection state from the organization and its tokens.
pub fn connection_state(org: &Org, tokens: &[TokenRecord], now: Timestamp) -> ConnectionState {
    let current: Vec<&TokenRecord> = tokens.iter().filter(|t| t.revoked_at.is_none()).collect();
    if org.directory_sync_source != SyncSource::Scim || current.is_empty() {
        return ConnectionState::Disconnected;
    }
    if !current.iter().any(|t| TokenStatus::of(t, now).is_live()) {
        return ConnectionState::Expired;
    }
    if current.iter().any(|t| t.last_used_at.is_some()) {
        return ConnectionState::Connected;
    }
    // `scim_connected_at` is set when a connection starts and cleared by its first authorised
    // request, so a completed connection stays connected when its used tokens are revoked and
    // only renewed, not yet used ones remain (ABM's renewal flow).
    match org.scim_connected_at {
        None => ConnectionState::Connected,
        Some(started) if now > started.saturating_add(CONNECTION_WINDOW) => {
            ConnectionState::Expired
        }
        Some(_) => ConnectionState::Pending,
    }
}
