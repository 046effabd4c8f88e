//! Rows as the store reads and writes them. Times are unix epoch microseconds.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub federated_authentication: bool,
    pub auto_merge: bool,
    pub require_verified_domain: bool,
    /// `none|scim|oidc_google|oidc_entra|oidc_custom`
    pub directory_sync_source: String,
    pub scim_connected_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
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
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
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
    /// `active|inactive|conflict`
    pub state: String,
    /// `scim|manual`
    pub source: String,
    pub roles: Vec<String>,
    pub person_id: Option<String>,
    pub scim_deleted: bool,
    pub deactivated_at: Option<i64>,
    pub delete_after: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
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
    pub at: i64,
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
    pub at: i64,
    pub kind: String,
    pub actor: String,
    pub account_id: Option<String>,
    pub detail: Value,
}
