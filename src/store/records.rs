//! Rows as the store reads and writes them, in the domain's types: closed sets as enums, times as
//! [`Timestamp`]s (stored as unix epoch microseconds).

use serde_json::{Map, Value};

use crate::domain::{
    AccountSource, AccountState, CodeChallengeMethod, OrgKind, Role, SyncSource, Timestamp,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub federated_authentication: bool,
    pub auto_merge: bool,
    pub require_verified_domain: bool,
    pub directory_sync_source: SyncSource,
    pub scim_connected_at: Option<Timestamp>,
    /// Emulator setting: the token endpoint accepts `grant_type=client_credentials`.
    pub oauth_client_credentials: bool,
    /// Apple Business Manager or Apple School Manager; set at creation.
    pub kind: OrgKind,
    /// School only: a Student Information System (or SFTP) is connected, which pauses
    /// directory sync.
    pub sis_connected: bool,
    /// Days a deactivated account is kept; `None`: the kind's default.
    pub retention_days: Option<u32>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Domain {
    pub org_id: String,
    pub name: String,
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub id: String,
    pub org_id: String,
    pub token_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub expiring_notified: bool,
    pub renewed_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: String,
    pub org_id: String,
    pub user_name: String,
    pub user_name_norm: String,
    pub external_id: Option<String>,
    pub active: bool,
    pub state: AccountState,
    pub source: AccountSource,
    pub roles: Vec<Role>,
    pub person_id: Option<String>,
    /// Apple School Manager's grade level (schools only): ABM-side, never written by SCIM.
    pub grade_level: Option<String>,
    pub scim_deleted: bool,
    pub deactivated_at: Option<Timestamp>,
    pub delete_after: Option<Timestamp>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The SCIM attributes in canonical form (see `scim::resource`).
    pub attrs: Map<String, Value>,
}

#[derive(Debug, Clone, Default)]
pub struct AccountPage {
    pub accounts: Vec<Account>,
    /// Present when the query asked for it.
    pub total: Option<i64>,
}

/// An activity event to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub org_id: String,
    pub at: Timestamp,
    pub kind: String,
    pub actor: String,
    pub account_id: Option<String>,
    pub detail: Value,
}

/// A recorded activity event; `seq` orders events and serves as the `since` cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub org_id: String,
    pub at: Timestamp,
    pub kind: String,
    pub actor: String,
    pub account_id: Option<String>,
    pub detail: Value,
}

/// An organization's OAuth 2 client (ABM: the custom identity provider's Client ID).
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthClient {
    /// The `client_id`: `SCIM.<uuid>`.
    pub id: String,
    pub org_id: String,
    pub name: String,
    /// The redirect URIs the authorization endpoint accepts, compared exactly.
    pub redirect_uris: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A client secret; only its hash is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthSecret {
    pub id: String,
    pub client_id: String,
    pub org_id: String,
    /// SHA-256 (hex) of the whole secret.
    pub secret_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// The last SCIM request authorised by an access token obtained with this secret.
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub expiring_notified: bool,
    pub expired_notified: bool,
}

/// What one approval (or one `client_credentials` request) gave a client: its refresh tokens
/// and access tokens live as long as it does.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthGrant {
    pub id: String,
    pub client_id: String,
    pub org_id: String,
    /// The secret that authenticated the grant's last use; revoking it revokes the grant.
    pub secret_id: String,
    pub created_at: Timestamp,
    pub refreshed_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A refresh token of a grant (`<id>.<random>`; only the hash of the whole is stored).
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthRefreshToken {
    pub id: String,
    pub token_hash: String,
    pub grant_id: String,
    pub created_at: Timestamp,
    /// Set when rotation replaced it: presenting it again revokes the grant.
    pub replaced_at: Option<Timestamp>,
}

/// An authorization code (`<id>.<random>`; only the hash of the whole is stored).
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthCode {
    pub id: String,
    pub code_hash: String,
    pub client_id: String,
    pub org_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<CodeChallengeMethod>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    /// The grant the code was redeemed for.
    pub grant_id: Option<String>,
}
