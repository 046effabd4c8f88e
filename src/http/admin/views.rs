//! Request and response bodies of the admin API (also the OpenAPI schemas).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::{AccountSource, AccountState, OrgKind, Role, SyncSource, Timestamp};
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
    /// Apple Business Manager (`business`) or Apple School Manager (`school`); fixed at creation.
    pub kind: OrgKind,
    /// The SCIM base URL path of the organization's kind (`/scim/v2` serves every kind too).
    pub scim_path: String,
    pub domains: Vec<DomainView>,
    pub federated_authentication: bool,
    pub auto_merge: bool,
    pub require_verified_domain: bool,
    pub directory_sync_source: SyncSource,
    pub scim_state: ConnectionState,
    /// Emulator setting: the OAuth token endpoint accepts `grant_type=client_credentials`.
    pub oauth_client_credentials: bool,
    /// Schools only (always `false` in a business): a Student Information System or SFTP
    /// uploads are connected, so directory sync cannot run (SCIM answers 403, new SCIM tokens
    /// and OAuth clients are refused with 409 `sis_connected`).
    pub sis_connected: bool,
    /// Whole days a deactivated account is kept before it is deleted: the organization's own
    /// setting, or its kind's default (business: `--retention`, 30 days; school:
    /// `--school-retention`, 120 days).
    pub retention_days: u64,
    /// The same retention in seconds (exact when the server's default is not whole days).
    pub retention_seconds: u64,
    /// Whether `retention_days` is the kind's default (`false`: set for this organization).
    pub retention_is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OrgView {
    pub fn new(
        org: &Org,
        domains: &[Domain],
        scim_state: ConnectionState,
        retention: std::time::Duration,
    ) -> Self {
        OrgView {
            id: org.id.clone(),
            name: org.name.clone(),
            kind: org.kind,
            scim_path: org.kind.scim_path().to_string(),
            domains: domains.iter().map(DomainView::from).collect(),
            federated_authentication: org.federated_authentication,
            auto_merge: org.auto_merge,
            require_verified_domain: org.require_verified_domain,
            directory_sync_source: org.directory_sync_source,
            scim_state,
            oauth_client_credentials: org.oauth_client_credentials,
            sis_connected: org.sis_connected,
            retention_days: retention.as_secs() / 86_400,
            retention_seconds: retention.as_secs(),
            retention_is_default: org.retention_days.is_none(),
            created_at: org.created_at.to_datetime(),
            updated_at: org.updated_at.to_datetime(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgList {
    pub orgs: Vec<OrgView>,
}

/// A domain to add: `POST /orgs/{org}/domains`, and each of `domains` when creating an
/// organization.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DomainRequest {
    /// A DNS name such as `example.com`: two labels or more, each of 1 to 63 letters, digits and
    /// hyphens that neither starts nor ends with a hyphen, 253 characters at most. Stored
    /// lower-case, without a trailing dot; leading and trailing whitespace is ignored.
    #[schema(
        pattern = r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$",
        max_length = 253,
        example = "example.com"
    )]
    pub name: String,
    /// Default `false`.
    #[serde(default)]
    pub verified: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateOrgRequest {
    /// 1 to 200 characters once leading and trailing whitespace is trimmed (it is not stored).
    #[schema(
        pattern = r"^[^\u0000]*[^\s\u0000\u0085][^\u0000]*$",
        min_length = 1,
        max_length = 200,
        example = "Example Inc."
    )]
    pub name: String,
    /// Domains to add at once (the same name twice counts once).
    #[serde(default)]
    pub domains: Vec<DomainRequest>,
    /// Default `true`.
    pub federated_authentication: Option<bool>,
    /// Default `false`.
    pub auto_merge: Option<bool>,
    /// Default `true`: SCIM userNames must be in a verified domain.
    pub require_verified_domain: Option<bool>,
    /// Default `business`. `school` is an Apple School Manager organization: served at
    /// `/feeds/school/scim`, Student by default, school roles, grade levels, 120-day retention.
    pub kind: Option<OrgKind>,
    /// Schools only (`true` in a business: 400 `not_a_school`). Default `false`.
    pub sis_connected: Option<bool>,
    /// 1 to 3650. Default: the kind's (business 30, school 120 days).
    #[schema(minimum = 1, maximum = 3650)]
    pub retention_days: Option<u32>,
}

/// Absent or `null` fields are left as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PatchOrgRequest {
    /// 1 to 200 characters once leading and trailing whitespace is trimmed (it is not stored).
    #[schema(
        pattern = r"^[^\u0000]*[^\s\u0000\u0085][^\u0000]*$",
        min_length = 1,
        max_length = 200
    )]
    pub name: Option<String>,
    /// Turning it off disconnects SCIM (synced accounts become manual accounts).
    pub federated_authentication: Option<bool>,
    pub auto_merge: Option<bool>,
    pub require_verified_domain: Option<bool>,
    /// Any source but `scim` needs SCIM disconnected first (else 409 `sync_source_conflict`).
    #[schema(value_type = Option<SyncSource>)]
    pub directory_sync_source: Option<String>,
    /// Emulator setting for headless tests: allow `grant_type=client_credentials` at the OAuth
    /// token endpoint (Apple Business Manager's flow is interactive). Default `false`.
    pub oauth_client_credentials: Option<bool>,
    /// Schools only (`true` in a business: 400 `not_a_school`). While `true`, SCIM requests
    /// answer 403 and new SCIM tokens and OAuth clients are refused (409 `sis_connected`).
    pub sis_connected: Option<bool>,
    /// Must be the organization's kind (400 `kind_immutable` otherwise): the kind is fixed at
    /// creation.
    #[schema(value_type = Option<OrgKind>)]
    pub kind: Option<String>,
    /// 1 to 3650 days; deactivated accounts' `delete_after` moves with it.
    #[schema(minimum = 1, maximum = 3650)]
    pub retention_days: Option<u32>,
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
    /// Apple School Manager's grade level (always `null` in a business organization).
    pub grade_level: Option<String>,
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
            grade_level: a.grade_level.clone(),
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
    /// 1 to 256 characters once leading and trailing whitespace is trimmed (it is not stored);
    /// unique in the organization, case-insensitively (else 409 `user_name_taken`).
    #[schema(
        pattern = r"^[^\u0000]*[^\s\u0000\u0085][^\u0000]*$",
        min_length = 1,
        max_length = 256,
        example = "ann@example.com"
    )]
    pub user_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// Default: `["Staff"]` in a business, `["Student"]` in a school. Role names are
    /// case-insensitive; a role listed twice counts once. A business has Administrator, People
    /// Manager, Device Enrollment Manager, Content Manager and Staff; a school all of them
    /// (else 400 `invalid_role`, naming the organization's roles).
    #[schema(value_type = Option<Vec<Role>>, min_items = 1)]
    pub roles: Option<Vec<String>>,
    /// Schools only (else 400 `not_a_school`): at most 64 characters, e.g. `"9"`.
    #[schema(max_length = 64, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub grade_level: Option<String>,
}

/// Absent or `null` fields are left as they are. An account synced by SCIM takes only `roles`,
/// `grade_level` and `person_id` (anything else: 409 `read_only`).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PatchAccountRequest {
    /// 1 to 256 characters once leading and trailing whitespace is trimmed (it is not stored);
    /// unique in the organization, case-insensitively (else 409 `user_name_taken`).
    #[schema(
        pattern = r"^[^\u0000]*[^\s\u0000\u0085][^\u0000]*$",
        min_length = 1,
        max_length = 256
    )]
    pub user_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// Role names are case-insensitive; a role listed twice counts once; each must be a role
    /// of the organization's kind (see `CreateAccountRequest.roles`).
    #[schema(value_type = Option<Vec<Role>>, min_items = 1)]
    pub roles: Option<Vec<String>>,
    /// Schools only (else 400 `not_a_school`), synced accounts too (an ABM-side property SCIM
    /// never changes): at most 64 characters; `""` clears it.
    #[schema(max_length = 64, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub grade_level: Option<String>,
    /// 1 to 64 characters once leading and trailing whitespace is trimmed (it is not stored).
    /// Changing the Person ID of a synced account puts it in `conflict`.
    #[schema(
        pattern = r"^[^\u0000]*[^\s\u0000\u0085][^\u0000]*$",
        min_length = 1,
        max_length = 64
    )]
    pub person_id: Option<String>,
    /// `false` deactivates the account (it is deleted once the retention has passed).
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResolveRequest {
    /// `relink`: SCIM sees the account again; `make_manual`: it stays, detached from the IdP.
    #[schema(value_type = crate::service::closed_sets::ResolveActionName)]
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

/// Exactly one of `advance` and `set`; the schema below says what each holds.
#[derive(Debug, Deserialize)]
pub struct ClockRequest {
    pub advance: Option<String>,
    pub set: Option<DateTime<Utc>>,
}

/// An ISO 8601 duration as `POST /clock` reads it: `P`, then date components (`Y`ears and
/// `M`onths are calendar ones, `W`eeks, `D`ays), then `T` and time components (`H`, `M`, `S`);
/// at least one component; each number has at most 4 digits and an optional fraction.
pub const DURATION_PATTERN: &str = r"^P(?:(?:[0-9]{1,4}(?:[.,][0-9]{1,3})?[YMWD]){1,4}(?:T(?:[0-9]{1,4}(?:[.,][0-9]{1,3})?[HMS]){1,3})?|T(?:[0-9]{1,4}(?:[.,][0-9]{1,3})?[HMS]){1,3})$";

/// An RFC 3339 time this server can move its clock to: years 1000 to 8999.
pub const CLOCK_TIME_PATTERN: &str = r"^[1-8][0-9]{3}-";

impl utoipa::PartialSchema for ClockRequest {
    /// `{"advance": duration}` or `{"set": time}`: the other member absent or `null`.
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        let null = || ObjectBuilder::new().schema_type(Type::Null);
        let advance = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(DURATION_PATTERN))
            .description(Some(
                "ISO 8601 duration to move forward, e.g. `P31D`, `PT12H` or `P1Y2M`: `P`, then \
                 date components (`Y`ears and `M`onths are calendar ones, `W`eeks, `D`ays), then \
                 `T` and time components (`H`ours, `M`inutes, `S`econds); at least one \
                 component; each number has at most 4 digits and an optional fraction.",
            ))
            .examples(["P31D"]);
        let set = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .pattern(Some(CLOCK_TIME_PATTERN))
            .description(Some(
                "An RFC 3339 time to move to, in the years 1000 to 8999; never backwards \
                 (409 `clock_backwards`).",
            ))
            .examples(["2027-01-01T00:00:00Z"]);
        OneOfBuilder::new()
            .description(Some(format!(
                "Exactly one of `advance` and `set`. The clock never moves past {} \
                 (409 `clock_limit`).",
                crate::clock::CLOCK_LIMIT
            )))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property("advance", advance)
                    .property("set", null())
                    .required("advance"),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property("set", set)
                    .property("advance", null())
                    .required("set"),
            )
            .into()
    }
}

impl ToSchema for ClockRequest {}

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
