//! One SCIM user: read it, replace it (`PUT`), patch it, delete it (ABM deactivates), each a
//! version-checked read-modify-write that honours `If-Match`, and the lifecycle a change of
//! `active` implies.

use serde_json::{json, Map, Value};

use super::retry::{before_retry, contended, MAX_WRITE_ATTEMPTS};
use super::{
    not_found, precondition_failed, reject_nul, scim_visible, set_attrs, taken, Precondition,
};
use crate::domain::{AccountState, Timestamp};
use crate::scim::patch::apply_patch;
use crate::scim::resource::normalize_user;
use crate::service::events::{event, kinds, Actor};
use crate::service::{App, ScimPrincipal, ServiceResult};
use crate::store::{Account, NewEvent, StoreError};

impl App {
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
            let retention = self.retention_of(&principal.org);
            let mut events = self.transition_active(&mut account, false, now, &actor, retention);
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
            let retention = self.retention_of(&principal.org);
            let mut events =
                self.transition_active(&mut account, wants_active, now, &actor, retention);
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

    /// Applies ABM's lifecycle to a change of `active` (a deactivated account is deleted
    /// `retention` later, its organization's); returns the events it implies.
    fn transition_active(
        &self,
        account: &mut Account,
        active: bool,
        now: Timestamp,
        actor: &Actor,
        retention: std::time::Duration,
    ) -> Vec<NewEvent> {
        account.attrs.insert("active".into(), Value::Bool(active));
        let was_active = account.state != AccountState::Inactive;
        account.active = active;
        if was_active && !active {
            account.state = AccountState::Inactive;
            account.deactivated_at = Some(now);
            account.delete_after = Some(now.saturating_add(retention));
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
