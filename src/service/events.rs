//! Activity events: what happened, who did it, to which account.

use serde_json::Value;

use crate::store::{NewEvent, Timestamp};

/// The event kinds, as stored and served by `GET /admin/v1/orgs/{org}/activity`.
pub mod kinds {
    pub const ACCOUNT_CREATED: &str = "account_created";
    pub const ACCOUNT_UPDATED: &str = "account_updated";
    pub const ACCOUNT_DEACTIVATED: &str = "account_deactivated";
    pub const ACCOUNT_REACTIVATED: &str = "account_reactivated";
    pub const ACCOUNT_DELETED: &str = "account_deleted";
    pub const SYNC_SKIPPED: &str = "sync_skipped";
    pub const TOKEN_CREATED: &str = "token_created";
    pub const TOKEN_RENEWED: &str = "token_renewed";
    pub const TOKEN_REVOKED: &str = "token_revoked";
    pub const TOKEN_EXPIRING: &str = "token_expiring";
    pub const TOKEN_EXPIRED: &str = "token_expired";
    pub const SCIM_CONNECTED: &str = "scim_connected";
    pub const SCIM_DISCONNECTED: &str = "scim_disconnected";
    pub const OAUTH_CLIENT_CREATED: &str = "oauth_client_created";
    pub const OAUTH_CLIENT_UPDATED: &str = "oauth_client_updated";
    pub const OAUTH_CLIENT_DELETED: &str = "oauth_client_deleted";
    pub const OAUTH_SECRET_CREATED: &str = "oauth_secret_created";
    pub const OAUTH_SECRET_REVOKED: &str = "oauth_secret_revoked";
    pub const OAUTH_SECRET_EXPIRING: &str = "oauth_secret_expiring";
    pub const OAUTH_SECRET_EXPIRED: &str = "oauth_secret_expired";
    /// An administrator allowed the client (a code was issued).
    pub const OAUTH_AUTHORIZATION_GRANTED: &str = "oauth_authorization_granted";
    /// "Don't Allow" on the authorization page.
    pub const OAUTH_AUTHORIZATION_DENIED: &str = "oauth_authorization_denied";
    /// A code was exchanged for tokens (once per authorisation).
    pub const OAUTH_CODE_EXCHANGED: &str = "oauth_code_exchanged";
    /// The token endpoint refused a request of a known client.
    pub const OAUTH_GRANT_REFUSED: &str = "oauth_grant_refused";
    /// A grant was revoked because its code or an old refresh token was presented again.
    pub const OAUTH_GRANT_REVOKED: &str = "oauth_grant_revoked";
}

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A SCIM client authenticated with this token id (or OAuth client secret id).
    Scim(String),
    /// An OAuth client at the token endpoint, by `client_id`.
    OAuthClient(String),
    Admin,
    Reaper,
    System,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Scim(token_id) => write!(f, "scim:{token_id}"),
            Actor::OAuthClient(client_id) => write!(f, "oauth:{client_id}"),
            Actor::Admin => f.write_str("admin"),
            Actor::Reaper => f.write_str("reaper"),
            Actor::System => f.write_str("system"),
        }
    }
}

/// Builds an event row.
pub fn event(
    org_id: &str,
    at: Timestamp,
    kind: &str,
    actor: &Actor,
    account_id: Option<&str>,
    detail: Value,
) -> NewEvent {
    NewEvent {
        org_id: org_id.to_string(),
        at,
        kind: kind.to_string(),
        actor: actor.to_string(),
        account_id: account_id.map(str::to_string),
        detail,
    }
}
