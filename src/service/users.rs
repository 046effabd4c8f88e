//! SCIM `/Users` with Apple Business Manager's account rules: creation as Staff with a Person
//! ID, the verified-domain rule, name conflicts with manual and deactivated accounts,
//! deactivation instead of deletion, and reactivation within the retention window.

use rand::Rng;
use serde_json::{json, Map, Value};

use super::events::{event, kinds, Actor};
use super::{App, ScimPrincipal, ServiceError, ServiceResult};
use crate::domain::{AccountSource, AccountState, Role, Timestamp};
use crate::scim::error::ProtocolError;
use crate::scim::filter_sql::user_name_norm;
use crate::scim::patch::apply_patch;
use crate::scim::resource::normalize_user;
use crate::store::{Account, NewEvent, Org, StoreError};

/// Optimistic-concurrency attempts before giving up on a contended account. A writer that lost
/// a race queues behind the others that lost one for the same account ([`before_retry`]), then
/// retries with a random, growing pause, so that many concurrent writers to one account (100
/// PATCHes adding one email each) all get through instead of starving each other.
const MAX_WRITE_ATTEMPTS: u32 = 128;
/// Longest pause between two attempts, in milliseconds.
const MAX_BACKOFF_MS: u64 = 32;
/// Longest wait in the queue of writers that lost a race; after it the writer retries anyway.
const MAX_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// The queues of writers that lost a race, per process, striped by account id.
static RETRY_QUEUES: std::sync::LazyLock<Vec<tokio::sync::Mutex<()>>> =
    std::sync::LazyLock::new(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());

/// Whether a PUT/PATCH must match a given version (`If-Match`).
#[derive(Debug, Clone, Default)]
pub struct Precondition {
    /// The raw `If-Match` header, if sent.
    pub if_match: Option<String>,
}

impl Precondition {
    /// `true` when the header is absent, `*`, or lists the account's current ETag.
    fn accepts(&self, version: i64) -> bool {
        match &self.if_match {
            None => true,
            Some(header) => header.split(',').map(str::trim).any(|tag| {
                tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == version.to_string()
            }),
        }
    }
}

/// The ETag of an account version (weak: the JSON rendering may vary in key order).
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// The outcome of `POST /Users`: created anew, or an existing account reactivated or merged.
#[derive(Debug)]
pub struct Created {
    pub account: Account,
}

impl App {
    /// `POST /Users`.
    pub async fn scim_create_user(
        &self,
        principal: &ScimPrincipal,
        body: &Value,
    ) -> ServiceResult<Created> {
        reject_nul(body)?;
        let attrs = normalize_user(body)?;
        let org = &principal.org;
        let actor = principal.actor();
        let user_name = text_attr(&attrs, "userName").unwrap_or_default();
        let now = self.now().await?;
        if let Err(err) = self.check_verified_domain(org, &user_name).await {
            let skipped = event(
                &org.id,
                now,
                kinds::SYNC_SKIPPED,
                &actor,
                None,
                json!({ "user_name": user_name, "reason": "unverified_domain" }),
            );
            self.store.append_events(&[skipped]).await?;
            return Err(err);
        }
        // Insert first: the unique index decides whether the name is free, so the common case
        // (a new user) costs one write and no lookup; only a conflict reads the existing account.
        let account = new_scim_account(org, attrs.clone(), now, self.settings.retention);
        let created = event(
            &org.id,
            now,
            kinds::ACCOUNT_CREATED,
            &actor,
            Some(&account.id),
            json!({ "user_name": account.user_name }),
        );
        match self.store.insert_account(&account, &[created]).await {
            Ok(()) => return Ok(Created { account }),
            Err(StoreError::Conflict(_)) => {}
            Err(err) => return Err(err.into()),
        }
        let norm = user_name_norm(&user_name);
        let Some(existing) = self.store.find_account_by_user_name(&org.id, &norm).await? else {
            // Deleted between the two statements: the name is free again, but say so rather
            // than loop.
            return Err(taken(&user_name));
        };
        self.create_over_existing(org, &actor, existing, attrs, now)
            .await
    }

    /// `POST /Users` for a userName that already has an account: ABM's conflict rules.
    async fn create_over_existing(
        &self,
        org: &Org,
        actor: &Actor,
        existing: Account,
        attrs: Map<String, Value>,
        now: Timestamp,
    ) -> ServiceResult<Created> {
        let user_name = existing.user_name.clone();
        match (existing.source, existing.state) {
            (AccountSource::Scim, AccountState::Conflict) => Err(ServiceError::uniqueness(format!(
                "userName {user_name:?} belongs to account {} whose Person ID no longer matches the identity provider (Person ID conflict): resolve it in the admin API",
                existing.id
            ))),
            (AccountSource::Manual, _) => {
                self.create_over_manual(org, actor, existing, attrs, now)
                    .await
            }
            (AccountSource::Scim, AccountState::Active) => Err(taken(&user_name)),
            (AccountSource::Scim, AccountState::Inactive) => {
                self.create_over_deactivated(org, actor, existing, attrs, now)
                    .await
            }
        }
    }

    /// `POST /Users` for the name of a manual account: protected roles are never touched; auto
    /// merge takes the account over, otherwise it is flagged as conflicting.
    async fn create_over_manual(
        &self,
        org: &Org,
        actor: &Actor,
        existing: Account,
        attrs: Map<String, Value>,
        now: Timestamp,
    ) -> ServiceResult<Created> {
        let user_name = existing.user_name.clone();
        {
            if existing.roles.iter().any(|r| r.protects_from_sync()) {
                let skipped = event(
                    &org.id,
                    now,
                    kinds::SYNC_SKIPPED,
                    actor,
                    Some(&existing.id),
                    json!({ "user_name": user_name, "reason": "conflict", "detail": "existing Administrator or People Manager account left unchanged" }),
                );
                self.store.append_events(&[skipped]).await?;
                return Err(ServiceError::uniqueness(format!(
                    "userName {user_name:?} matches an existing Administrator or People Manager account, which directory sync never changes"
                )));
            }
            if !org.auto_merge {
                let mut flagged = existing.clone();
                flagged.state = AccountState::Conflict;
                flagged.version += 1;
                flagged.updated_at = now;
                let skipped = event(
                    &org.id,
                    now,
                    kinds::SYNC_SKIPPED,
                    actor,
                    Some(&existing.id),
                    json!({ "user_name": user_name, "reason": "conflict", "detail": "a manual account has this name and auto merge is off" }),
                );
                self.store
                    .update_account(&flagged, existing.version, &[skipped])
                    .await?;
                return Err(ServiceError::uniqueness(format!(
                    "userName {user_name:?} matches a manual account (now flagged as conflicting): turn on auto merge to merge them"
                )));
            }
            self.take_over(
                existing,
                attrs,
                actor,
                now,
                kinds::ACCOUNT_UPDATED,
                "merged manual account",
            )
            .await
        }
    }

    /// `POST /Users` for the name of a deactivated SCIM account: the same identity (or any, with
    /// auto merge) reactivates it; another one waits for the deletion.
    async fn create_over_deactivated(
        &self,
        org: &Org,
        actor: &Actor,
        existing: Account,
        attrs: Map<String, Value>,
        now: Timestamp,
    ) -> ServiceResult<Created> {
        let user_name = existing.user_name.clone();
        let same_identity = text_attr(&attrs, "externalId") == existing.external_id;
        if same_identity || org.auto_merge {
            let why = if same_identity {
                "same externalId synced again"
            } else {
                "relinked to a new identity (auto merge)"
            };
            return self
                .take_over(existing, attrs, actor, now, kinds::ACCOUNT_REACTIVATED, why)
                .await;
        }
        Err(ServiceError::uniqueness(format!(
            "userName {user_name:?} belongs to a deactivated account with a different externalId; it is deleted 30 days after deactivation, or turn on auto merge to relink it"
        )))
    }

    /// Makes `existing` the SCIM account for `attrs`, keeping its id, roles and Person ID.
    async fn take_over(
        &self,
        existing: Account,
        attrs: Map<String, Value>,
        actor: &Actor,
        now: Timestamp,
        kind: &str,
        why: &str,
    ) -> ServiceResult<Created> {
        let mut account = existing.clone();
        account.source = AccountSource::Scim;
        account.scim_deleted = false;
        set_attrs(&mut account, attrs);
        if account.person_id.is_none() {
            account.person_id = Some(new_person_id());
        }
        account.state = AccountState::of_active(account.active);
        if account.active {
            account.deactivated_at = None;
            account.delete_after = None;
        }
        account.version += 1;
        account.updated_at = now;
        let events = [event(
            &account.org_id,
            now,
            kind,
            actor,
            Some(&account.id),
            json!({ "user_name": account.user_name, "reason": why }),
        )];
        match self
            .store
            .update_account(&account, existing.version, &events)
            .await
        {
            Ok(true) => Ok(Created { account }),
            Ok(false) => Err(taken(&existing.user_name)),
            Err(StoreError::Conflict(_)) => Err(taken(&account.user_name)),
            Err(err) => Err(err.into()),
        }
    }

    /// 400 `invalidValue` unless the userName's domain is verified (when the rule is on).
    async fn check_verified_domain(&self, org: &Org, user_name: &str) -> ServiceResult<()> {
        if !org.require_verified_domain {
            return Ok(());
        }
        let domain = user_name
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
            .unwrap_or_default();
        let domains = self.store.list_domains(&org.id).await?;
        if domains.iter().any(|d| d.verified && d.name == domain) {
            return Ok(());
        }
        let verified: Vec<&str> = domains
            .iter()
            .filter(|d| d.verified)
            .map(|d| d.name.as_str())
            .collect();
        let shown = if domain.is_empty() {
            "(none: userName is not an email address)".to_string()
        } else {
            domain
        };
        Err(ProtocolError::invalid_value(format!(
            "userName {user_name:?} is not in a verified domain of the organization: domain {shown}; verified domains: {}",
            if verified.is_empty() { "none".to_string() } else { verified.join(", ") }
        ))
        .into())
    }

    /// The account behind a SCIM id, if SCIM may see it (not deleted through SCIM, not unlinked).
    pub async fn scim_get_user(
        &self,
        principal: &ScimPrincipal,
        id: &str,
    ) -> ServiceResult<Account> {
        if id.contains('\0') {
            // No id holds U+0000, and PostgreSQL cannot even compare such text.
            return Err(not_found(id));
        }
        let account = self.store.get_account(&principal.org.id, id).await?;
        account.filter(scim_visible).ok_or_else(|| not_found(id))
    }

    /// `PUT /Users/{id}`: replaces the synced attributes.
    pub async fn scim_replace_user(
        &self,
        principal: &ScimPrincipal,
        id: &str,
        body: &Value,
        precondition: &Precondition,
    ) -> ServiceResult<Account> {
        reject_nul(body)?;
        let mut attrs = normalize_user(body)?;
        self.scim_update(principal, id, precondition, |current| {
            // A PUT without `active` keeps the current state rather than reactivating or
            // deactivating by omission.
            if !attrs.contains_key("active") {
                attrs.insert("active".into(), Value::Bool(current.active));
            }
            Ok(attrs.clone())
        })
        .await
    }

    /// `PATCH /Users/{id}`: applies the operations all-or-nothing.
    pub async fn scim_patch_user(
        &self,
        principal: &ScimPrincipal,
        id: &str,
        body: &Value,
        precondition: &Precondition,
    ) -> ServiceResult<Account> {
        reject_nul(body)?;
        self.scim_update(principal, id, precondition, |current| {
            Ok(apply_patch(&current.attrs, body)?.attrs)
        })
        .await
    }

    /// `DELETE /Users/{id}`: ABM deactivates the account and deletes it after the retention; SCIM
    /// no longer sees it (RFC 7644 §3.6).
    pub async fn scim_delete_user(
        &self,
        principal: &ScimPrincipal,
        id: &str,
        precondition: &Precondition,
    ) -> ServiceResult<()> {
        let actor = principal.actor();
        let mut queued = None;
        for attempt in 0..MAX_WRITE_ATTEMPTS {
            before_retry(attempt, id, &mut queued).await;
            let current = self.scim_get_user(principal, id).await?;
            if !precondition.accepts(current.version) {
                return Err(precondition_failed(current.version));
            }
            let now = self.now().await?;
            let mut account = current.clone();
            account.scim_deleted = true;
            let mut events = self.transition_active(&mut account, false, now, &actor);
            if events.is_empty() {
                events.push(event(&account.org_id, now, kinds::ACCOUNT_UPDATED, &actor, Some(&account.id), json!({ "user_name": account.user_name, "reason": "deleted by directory sync after deactivation" })));
            }
            account.version += 1;
            account.updated_at = now;
            if self
                .store
                .update_account(&account, current.version, &events)
                .await?
            {
                return Ok(());
            }
            if precondition.if_match.is_some() {
                return Err(precondition_failed(current.version));
            }
        }
        Err(contended(id))
    }

    /// Read-modify-write of a SCIM-visible account, retried on concurrent changes unless the
    /// client pinned a version with `If-Match` (then 412).
    async fn scim_update(
        &self,
        principal: &ScimPrincipal,
        id: &str,
        precondition: &Precondition,
        mut change: impl FnMut(&Account) -> ServiceResult<Map<String, Value>>,
    ) -> ServiceResult<Account> {
        let actor = principal.actor();
        let mut queued = None;
        for attempt in 0..MAX_WRITE_ATTEMPTS {
            before_retry(attempt, id, &mut queued).await;
            let current = self.scim_get_user(principal, id).await?;
            if !precondition.accepts(current.version) {
                return Err(precondition_failed(current.version));
            }
            let attrs = change(&current)?;
            if attrs == current.attrs {
                return Ok(current);
            }
            let now = self.now().await?;
            let mut account = current.clone();
            // Only an explicit `active` moves the lifecycle. A PATCH that removes it leaves it
            // unassigned in the resource (RFC 7644 §3.5.2.2) and the ABM state as it was.
            let unassigned = !attrs.contains_key("active");
            let wants_active = attrs
                .get("active")
                .and_then(Value::as_bool)
                .unwrap_or(current.active);
            set_attrs(&mut account, attrs);
            if account.user_name_norm != current.user_name_norm {
                self.check_verified_domain(&principal.org, &account.user_name)
                    .await?;
            }
            let mut events = self.transition_active(&mut account, wants_active, now, &actor);
            if unassigned {
                account.attrs.remove("active");
            }
            if events.is_empty() {
                events.push(event(
                    &account.org_id,
                    now,
                    kinds::ACCOUNT_UPDATED,
                    &actor,
                    Some(&account.id),
                    json!({ "user_name": account.user_name }),
                ));
            }
            account.version += 1;
            account.updated_at = now;
            match self
                .store
                .update_account(&account, current.version, &events)
                .await
            {
                Ok(true) => return Ok(account),
                Ok(false) if precondition.if_match.is_some() => {
                    return Err(precondition_failed(current.version))
                }
                Ok(false) => continue,
                Err(StoreError::Conflict(_)) => return Err(taken(&account.user_name)),
                Err(err) => return Err(err.into()),
            }
        }
        Err(contended(id))
    }

    /// Applies ABM's lifecycle to a change of `active`; returns the events it implies.
    fn transition_active(
        &self,
        account: &mut Account,
        active: bool,
        now: Timestamp,
        actor: &Actor,
    ) -> Vec<NewEvent> {
        account.attrs.insert("active".into(), Value::Bool(active));
        let was_active = account.state != AccountState::Inactive;
        account.active = active;
        if was_active && !active {
            account.state = AccountState::Inactive;
            account.deactivated_at = Some(now);
            account.delete_after = Some(now.saturating_add(self.settings.retention));
            vec![event(
                &account.org_id,
                now,
                kinds::ACCOUNT_DEACTIVATED,
                actor,
                Some(&account.id),
                json!({ "user_name": account.user_name, "signed_out_of_devices": true, "delete_after": account.delete_after.unwrap_or(now).rfc3339() }),
            )]
        } else if !was_active && active {
            account.state = AccountState::Active;
            account.deactivated_at = None;
            account.delete_after = None;
            account.scim_deleted = false;
            vec![event(
                &account.org_id,
                now,
                kinds::ACCOUNT_REACTIVATED,
                actor,
                Some(&account.id),
                json!({ "user_name": account.user_name }),
            )]
        } else {
            Vec::new()
        }
    }
}

/// 400 `invalidValue` if any string (or member name) of a request body holds U+0000: it is no
/// meaningful directory data, and PostgreSQL cannot store it (it would otherwise be a 500 there
/// while SQLite stored it).
fn reject_nul(body: &Value) -> ServiceResult<()> {
    fn find(value: &Value, path: &mut Vec<String>) -> bool {
        match value {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().enumerate().any(|(i, v)| {
                path.push(format!("[{i}]"));
                let found = find(v, path);
                if !found {
                    path.pop();
                }
                found
            }),
            Value::Object(members) => members.iter().any(|(k, v)| {
                path.push(format!(".{}", k.replace('\0', "\\u0000")));
                let found = k.contains('\0') || find(v, path);
                if !found {
                    path.pop();
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = Vec::new();
    if find(body, &mut path) {
        let at = path.concat();
        let at = at.trim_start_matches('.');
        return Err(ProtocolError::invalid_value(format!(
            "the request body holds a NUL character (\\u0000) at {}: remove it",
            if at.is_empty() { "its top level" } else { at }
        ))
        .into());
    }
    Ok(())
}

/// Whether SCIM may see this account.
pub fn scim_visible(account: &Account) -> bool {
    account.source == AccountSource::Scim
        && account.state != AccountState::Conflict
        && !account.scim_deleted
}

fn new_scim_account(
    org: &Org,
    attrs: Map<String, Value>,
    now: Timestamp,
    retention: std::time::Duration,
) -> Account {
    let mut account = Account {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: org.id.clone(),
        user_name: String::new(),
        user_name_norm: String::new(),
        external_id: None,
        active: true,
        state: AccountState::Active,
        source: AccountSource::Scim,
        roles: vec![Role::SCIM_DEFAULT],
        person_id: Some(new_person_id()),
        scim_deleted: false,
        deactivated_at: None,
        delete_after: None,
        version: 1,
        created_at: now,
        updated_at: now,
        attrs: Map::new(),
    };
    set_attrs(&mut account, attrs);
    if !account.active {
        // Created disabled: ABM keeps it deactivated, on the deletion clock like any other.
        account.state = AccountState::Inactive;
        account.deactivated_at = Some(now);
        account.delete_after = Some(now.saturating_add(retention));
    }
    account
}

/// Stores the canonical attributes and their indexed copies (userName, externalId, active).
fn set_attrs(account: &mut Account, mut attrs: Map<String, Value>) {
    let active = attrs.get("active").and_then(Value::as_bool).unwrap_or(true);
    attrs.insert("active".into(), Value::Bool(active));
    account.user_name = text_attr(&attrs, "userName").unwrap_or_default();
    account.user_name_norm = user_name_norm(&account.user_name);
    account.external_id = text_attr(&attrs, "externalId");
    account.active = active;
    account.attrs = attrs;
}

fn text_attr(attrs: &Map<String, Value>, name: &str) -> Option<String> {
    attrs.get(name).and_then(Value::as_str).map(str::to_string)
}

/// ABM's Person ID: a stable identifier generated on the first sync.
pub fn new_person_id() -> String {
    format!(
        "{:016}",
        rand::thread_rng().gen_range(1_000_000_000_000_000u64..10_000_000_000_000_000u64)
    )
}

fn taken(user_name: &str) -> ServiceError {
    ServiceError::uniqueness(format!(
        "userName {user_name:?} is already taken in this organization"
    ))
}

fn not_found(id: &str) -> ServiceError {
    ServiceError::Protocol(ProtocolError::new(
        404,
        None,
        format!("no User with id {id}"),
    ))
}

fn precondition_failed(version: i64) -> ServiceError {
    ServiceError::PreconditionFailed(format!(
        "If-Match does not match the current version {}: GET the resource and retry",
        etag(version)
    ))
}

/// Before attempt `attempt` of a write: after the first lost race, joins the account's queue of
/// writers that lost one (held until the write ends), so they retry one at a time; later
/// retries (racing new arrivals, or another process) pause randomly up to 1, 2, 4...
/// [`MAX_BACKOFF_MS`] milliseconds. Only a write that reached the database and lost queues, so
/// a database outage never builds a queue.
async fn before_retry(
    attempt: u32,
    id: &str,
    queued: &mut Option<tokio::sync::MutexGuard<'static, ()>>,
) {
    if attempt == 1 {
        let stripe = id.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        }) % RETRY_QUEUES.len();
        *queued = tokio::time::timeout(MAX_QUEUE_WAIT, RETRY_QUEUES[stripe].lock())
            .await
            .ok();
    } else if attempt > 1 {
        let cap = (1u64 << attempt.min(16)).min(MAX_BACKOFF_MS);
        let pause = rand::thread_rng().gen_range(0..=cap);
        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
    }
}

fn contended(id: &str) -> ServiceError {
    ServiceError::Protocol(ProtocolError::new(
        409,
        None,
        format!("User {id} is being changed concurrently; retry"),
    ))
}
