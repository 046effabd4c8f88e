//! Request and response bodies of the admin API (also the OpenAPI schemas).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::{AccountSource, AccountState, Role, SyncSource, Timestamp};
use crate::service::{ConnectionState, TokenStatus};
use crate::store::{Account, Domain, Event, Org, TokenRecord};

/// `{"error": code, "detail": sentence}`
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    pub detail: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DomainView {
    pub name: String,
    #[serde(default)]
    pub verified: bool,
}

impl From<&Domain> for DomainView {
    fn from(d: &Domain) -> Self {
        DomainView {
            name: d.name.clone(),
            verified: d.verified,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgView {
    pub id: String,
    pub name: String,
    pub domains: Vec<DomainView>,
    pub federated_authentication: bool,
    pub auto_merge: bool,
    pub require_verified_domain: bool,
    pub directory_sync_source: SyncSource,
    pub scim_state: ConnectionState,
    /// Emulator setting: the OAuth token endpoint accepts `grant_type=client_credentials`.
    pub oauth_client_credentials: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OrgView {
    pub fn new(org: &Org, domains: &[Domain], scim_state: ConnectionState) -> Self {
        OrgView {
            id: org.id.clone(),
            name: org.name.clone(),
            domains: domains.iter().map(DomainView::from).collect(),
            federated_authentication: org.federated_authentication,
            auto_merge: org.auto_merge,
            require_verified_domain: org.require_verified_domain,
            directory_sync_source: org.directory_sync_source,
            scim_state,
            oauth_client_credentials: org.oauth_client_credentials,
            created_at: org.created_at.to_datetime(),
            updated_at: org.updated_at.to_datetime(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgList {
    pub orgs: Vec<OrgView>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateOrgRequest {
    pub name: String,
    #[serde(default)]
    pub domains: Vec<DomainView>,
    /// Default `true`.
    pub federated_authentication: Option<bool>,
    /// Default `false`.
    pub auto_merge: Option<bool>,
    /// Default `true`: SCIM userNames must be in a verified domain.
    pub require_verified_domain: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PatchOrgRequest {
    pub name: Option<String>,
    pub federated_authentication: Option<bool>,
    pub auto_merge: Option<bool>,
    pub require_verified_domain: Option<bool>,
    /// `none|scim|oidc_google|oidc_entra|oidc_custom`
    pub directory_sync_source: Option<String>,
    /// Emulator setting for headless tests: allow `grant_type=client_credentials` at the OAuth
    /// token endpoint (Apple Business Manager's flow is interactive). Default `false`.
    pub oauth_client_credentials: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub status: TokenStatus,
    /// The token this one renewed, if any.
    pub renewed_from: Option<String>,
}

impl TokenView {
    pub fn new(token: &TokenRecord, now: Timestamp) -> Self {
        TokenView {
            id: token.id.clone(),
            created_at: token.created_at.to_datetime(),
            expires_at: token.expires_at.to_datetime(),
            last_used_at: token.last_used_at.map(Timestamp::to_datetime),
            status: TokenStatus::of(token, now),
            renewed_from: token.renewed_from.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScimConnectionView {
    pub state: ConnectionState,
    pub base_url: String,
    pub tokens: Vec<TokenView>,
    /// The OAuth client (custom identity providers), `null` when there is none.
    pub oauth_client: Option<super::oauth_views::OAuthClientView>,
}

/// A new token: the secret is in this response only.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedTokenView {
    pub id: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: String,
    pub user_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub source: AccountSource,
    pub roles: Vec<Role>,
    pub person_id: Option<String>,
    pub state: AccountState,
    pub active: bool,
    /// Whether SCIM clients can see the account (not deleted through SCIM, not in conflict).
    pub visible_to_scim: bool,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub delete_after: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        let name = |key: &str| {
            a.attrs
                .get("name")
                .and_then(|n| n.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let email = a
            .attrs
            .get("emails")
            .and_then(Value::as_array)
            .and_then(|emails| {
                emails
                    .iter()
                    .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
                    .or_else(|| emails.first())
            })
            .and_then(|e| e.get("value"))
            .and_then(Value::as_str)
            .map(str::to_string);
        AccountView {
            id: a.id.clone(),
            user_name: a.user_name.clone(),
            given_name: name("givenName"),
            family_name: name("familyName"),
            email,
            external_id: a.external_id.clone(),
            source: a.source,
            roles: a.roles.clone(),
            person_id: a.person_id.clone(),
            state: a.state,
            active: a.active,
            visible_to_scim: crate::service::users::scim_visible(a),
            deactivated_at: a.deactivated_at.map(Timestamp::to_datetime),
            delete_after: a.delete_after.map(Timestamp::to_datetime),
            created_at: a.created_at.to_datetime(),
            updated_at: a.updated_at.to_datetime(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    pub accounts: Vec<AccountView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAccountRequest {
    pub user_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// Default `["Staff"]`.
    pub roles: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PatchAccountRequest {
    pub user_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub roles: Option<Vec<String>>,
    pub person_id: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResolveRequest {
    /// `relink` or `make_manual`
    pub action: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Position in the organization's activity; pass the last one as `since`.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    /// `scim:<token or client secret id>`, `oauth:<client id>`, `admin`, `reaper` or `system`
    pub actor: String,
    pub account_id: Option<String>,
    pub detail: Value,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        EventView {
            seq: e.seq,
            at: e.at.to_datetime(),
            kind: e.kind.clone(),
            actor: e.actor.clone(),
            account_id: e.account_id.clone(),
            detail: e.detail.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityList {
    pub events: Vec<EventView>,
    /// The cursor for the next call (`since`).
    pub next_since: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    pub now: DateTime<Utc>,
    pub mode: crate::clock::ClockMode,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ClockRequest {
    /// ISO 8601 duration to move forward, e.g. `P31D` or `PT1H`.
    pub advance: Option<String>,
    /// A time to move to (never backwards).
    pub set: Option<DateTime<Utc>>,
}

/// What a reaper pass deleted (with `dry_run`, would delete).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReaperRunView {
    /// How many accounts were deleted (would be, with `dry_run`).
    pub deleted: u64,
    pub dry_run: bool,
    /// The first of them, oldest deactivation first: at most 100, see `truncated`.
    pub accounts: Vec<AccountView>,
    /// Whether `deleted` is larger than the number of `accounts` listed.
    pub truncated: bool,
}
