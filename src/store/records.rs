//! Rows as the store reads and writes them, in the domain's types: closed sets as enums, times as
//! [`Timestamp`]s (stored as unix epoch microseconds).

use serde_json::{Map, Value};

use crate::domain::{AccountSource, AccountState, Role, SyncSource, Timestamp};

#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub federated_authentication: bool,
    pub auto_merge: bool,
    pub require_verified_domain: bool,
    pub directory_sync_source: SyncSource,
    pub scim_connected_at: Option<Timestamp>,
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
