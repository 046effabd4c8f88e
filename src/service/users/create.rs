//! `POST /Users`: a new account, or ABM's rules when the userName already has one (a manual
//! account, a deactivated synced one, a Person ID conflict), and the verified-domain rule.

use serde_json::{json, Map, Value};

use super::{new_person_id, reject_nul, set_attrs, taken, text_attr, Created};
use crate::domain::{AccountSource, AccountState, Timestamp};
use crate::scim::error::ProtocolError;
use crate::scim::filter_sql::user_name_norm;
use crate::scim::resource::normalize_user;
use crate::service::events::{event, kinds, Actor};
use crate::service::{App, ScimPrincipal, ServiceError, ServiceResult};
use crate::store::{Account, Org, StoreError};

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
        let account = new_scim_account(org, attrs.clone(), now, self.retention_of(org));
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
            if let Some(role) = existing
                .roles
                .iter()
                .find(|r| org.kind.protects_from_sync(**r))
            {
                let skipped = event(
                    &org.id,
                    now,
                    kinds::SYNC_SKIPPED,
                    actor,
                    Some(&existing.id),
                    json!({ "user_name": user_name, "reason": "conflict", "detail": format!("existing {role} account left unchanged") }),
                );
                self.store.append_events(&[skipped]).await?;
                return Err(ServiceError::uniqueness(format!(
                    "userName {user_name:?} matches an existing {role} account, which directory sync never changes (it protects {})",
                    protected_roles(org.kind)
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
    pub(super) async fn check_verified_domain(
        &self,
        org: &Org,
        user_name: &str,
    ) -> ServiceResult<()> {
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
}

/// The roles directory sync never takes over in an organization of `kind`, for messages.
fn protected_roles(kind: crate::domain::OrgKind) -> String {
    let roles: Vec<&str> = kind
        .roles()
        .iter()
        .filter(|role| kind.protects_from_sync(**role))
        .map(|role| role.as_str())
        .collect();
    format!("{} accounts", roles.join(", "))
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
        roles: vec![org.kind.default_role()],
        person_id: Some(new_person_id()),
        grade_level: None,
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
