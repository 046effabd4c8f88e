//! Accounts as an ABM administrator manages them: manual accounts are fully editable; synced
//! accounts only in their ABM-side properties (roles, Person ID, a school's grade level).

use serde_json::{json, Map, Value};

use super::connection::{connection_state, ConnectionState};
use super::events::{event, kinds, Actor};
use super::roles::parse_roles;
use super::users::new_person_id;
use super::{App, ServiceError, ServiceResult};
use crate::domain::{AccountSource, AccountState, OrgKind};
use crate::scim::filter_sql::user_name_norm;
use crate::store::{Account, StoreError};

/// A manual account to create.
#[derive(Debug, Clone, Default)]
pub struct NewManualAccount {
    pub user_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub roles: Option<Vec<String>>,
    /// Schools only.
    pub grade_level: Option<String>,
}

/// A change to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub user_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub roles: Option<Vec<String>>,
    pub person_id: Option<String>,
    pub active: Option<bool>,
    /// Schools only; `Some("")` clears it. An ABM-side property: editable on synced accounts.
    pub grade_level: Option<String>,
}

/// Filters of the admin account list.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub state: Option<String>,
    pub source: Option<String>,
    pub role: Option<String>,
    pub user_name: Option<String>,
    /// userNames starting with this (case-insensitively), for the console's search.
    pub user_name_prefix: Option<String>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// How an admin settles a Person ID conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Link the account to the identity provider again: SCIM sees it again.
    Relink,
    /// Keep it as a manual account, detached from the IdP.
    MakeManual,
}

impl Resolution {
    /// The name the admin API takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Relink => "relink",
            Resolution::MakeManual => "make_manual",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Resolution::Relink, Resolution::MakeManual]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

impl App {
    pub async fn admin_get_account(&self, org_id: &str, id: &str) -> ServiceResult<Account> {
        self.require_org(org_id).await?;
        self.store.get_account(org_id, id).await?.ok_or_else(|| {
            ServiceError::not_found(format!("no account {id} in organization {org_id}"))
        })
    }

    /// Creates a manual account (ABM: "Add account").
    pub async fn admin_create_account(
        &self,
        org_id: &str,
        new: NewManualAccount,
    ) -> ServiceResult<Account> {
        let org = self.require_org(org_id).await?;
        let user_name = check_user_name(&new.user_name)?;
        let roles = match new.roles {
            Some(roles) => parse_roles(org.kind, &roles)?,
            None => vec![org.kind.default_role()],
        };
        let grade_level = match &new.grade_level {
            Some(grade) => grade_level(org.kind, grade)?,
            None => None,
        };
        let now = self.now().await?;
        let mut attrs = Map::new();
        attrs.insert("userName".into(), json!(user_name));
        attrs.insert("active".into(), json!(true));
        set_name(
            &mut attrs,
            new.given_name.as_deref(),
            new.family_name.as_deref(),
        );
        let account = Account {
            id: uuid::Uuid::new_v4().to_string(),
            org_id: org_id.to_string(),
            user_name_norm: user_name_norm(&user_name),
            user_name,
            external_id: None,
            active: true,
            state: AccountState::Active,
            source: AccountSource::Manual,
            roles,
            person_id: Some(new_person_id()),
            grade_level,
            scim_deleted: false,
            deactivated_at: None,
            delete_after: None,
            version: 1,
            created_at: now,
            updated_at: now,
            attrs,
        };
        let created = event(
            org_id,
            now,
            kinds::ACCOUNT_CREATED,
            &Actor::Admin,
            Some(&account.id),
            json!({ "user_name": account.user_name, "source": AccountSource::Manual }),
        );
        match self.store.insert_account(&account, &[created]).await {
            Ok(()) => Ok(account),
            Err(StoreError::Conflict(_)) => Err(name_taken(&account.user_name)),
            Err(err) => Err(err.into()),
        }
    }

    /// Changes an account. Synced accounts accept only roles and Person ID; editing the Person
    /// ID of a synced account breaks its link to the IdP (state `conflict`).
    pub async fn admin_update_account(
        &self,
        org_id: &str,
        id: &str,
        change: AccountChange,
    ) -> ServiceResult<Account> {
        let org = self.require_org(org_id).await?;
        let current = self.admin_get_account(org_id, id).await?;
        let now = self.now().await?;
        let mut account = current.clone();
        let synced = current.source == AccountSource::Scim;
        if synced
            && (change.user_name.is_some()
                || change.given_name.is_some()
                || change.family_name.is_some()
                || change.active.is_some())
        {
            return Err(ServiceError::conflict(
                "read_only",
                "this account is managed by directory sync: only roles, person_id and (in a school) grade_level can be changed here (change the rest in the identity provider)",
            ));
        }
        if let Some(roles) = &change.roles {
            account.roles = parse_roles(org.kind, roles)?;
        }
        if let Some(grade) = &change.grade_level {
            account.grade_level = grade_level(org.kind, grade)?;
        }
        let mut events = Vec::new();
        if let Some(person_id) = &change.person_id {
            let person_id = person_id.trim();
            if person_id.is_empty() || person_id.chars().count() > 64 {
                return Err(ServiceError::bad_request(
                    "invalid_person_id",
                    "person_id must be 1 to 64 characters",
                ));
            }
            if Some(person_id) != current.person_id.as_deref() {
                account.person_id = Some(person_id.to_string());
                if synced {
                    account.state = AccountState::Conflict;
                    events.push(event(org_id, now, kinds::SYNC_SKIPPED, &Actor::Admin, Some(id), json!({ "user_name": current.user_name, "reason": "person_id_conflict", "detail": "the Person ID was edited, so the account no longer matches the identity provider" })));
                }
            }
        }
        if let Some(user_name) = &change.user_name {
            let user_name = check_user_name(user_name)?;
            account.user_name_norm = user_name_norm(&user_name);
            account.attrs.insert("userName".into(), json!(user_name));
            account.user_name = user_name;
        }
        if change.given_name.is_some() || change.family_name.is_some() {
            set_name(
                &mut account.attrs,
                change.given_name.as_deref(),
                change.family_name.as_deref(),
            );
        }
        if let Some(active) = change.active {
            if active != current.active {
                account.active = active;
                account.attrs.insert("active".into(), json!(active));
                if active {
                    account.state = AccountState::Active;
                    account.deactivated_at = None;
                    account.delete_after = None;
                    events.push(event(
                        org_id,
                        now,
                        kinds::ACCOUNT_REACTIVATED,
                        &Actor::Admin,
                        Some(id),
                        json!({ "user_name": account.user_name }),
                    ));
                } else {
                    account.state = AccountState::Inactive;
                    account.deactivated_at = Some(now);
                    account.delete_after = Some(now.saturating_add(self.retention_of(&org)));
                    events.push(event(
                        org_id,
                        now,
                        kinds::ACCOUNT_DEACTIVATED,
                        &Actor::Admin,
                        Some(id),
                        json!({ "user_name": account.user_name }),
                    ));
                }
            }
        }
        if account == current {
            return Ok(current);
        }
        events.push(event(
            org_id,
            now,
            kinds::ACCOUNT_UPDATED,
            &Actor::Admin,
            Some(id),
            json!({ "user_name": account.user_name }),
        ));
        account.version += 1;
        account.updated_at = now;
        self.write_admin_change(&current, &account, &events).await
    }

    /// Deletes an account. Synced accounts cannot be deleted while SCIM is connected.
    pub async fn admin_delete_account(&self, org_id: &str, id: &str) -> ServiceResult<()> {
        let org = self.require_org(org_id).await?;
        let account = self.admin_get_account(org_id, id).await?;
        let now = self.now().await?;
        if account.source == AccountSource::Scim {
            let credentials = self.credentials(org_id).await?;
            if connection_state(&org, &credentials, now) != ConnectionState::Disconnected {
                return Err(ServiceError::conflict(
                    "managed_by_sync",
                    "this account is managed by directory sync: remove it in the identity provider, or disconnect SCIM first",
                ));
            }
        }
        let deleted = event(
            org_id,
            now,
            kinds::ACCOUNT_DELETED,
            &Actor::Admin,
            Some(id),
            json!({ "user_name": account.user_name }),
        );
        if self
            .store
            .delete_account(org_id, id, account.version, &[deleted])
            .await?
        {
            Ok(())
        } else {
            Err(ServiceError::conflict(
                "concurrent_change",
                "the account changed while being deleted; retry",
            ))
        }
    }

    /// Settles a Person ID conflict.
    pub async fn admin_resolve_account(
        &self,
        org_id: &str,
        id: &str,
        resolution: Resolution,
    ) -> ServiceResult<Account> {
        let current = self.admin_get_account(org_id, id).await?;
        if current.state != AccountState::Conflict {
            return Err(ServiceError::conflict(
                "not_in_conflict",
                "the account is not in conflict: nothing to resolve",
            ));
        }
        let now = self.now().await?;
        let mut account = current.clone();
        account.state = AccountState::of_active(account.active);
        let how = match resolution {
            Resolution::Relink => {
                account.source = AccountSource::Scim;
                "relinked to the identity provider"
            }
            Resolution::MakeManual => {
                account.source = AccountSource::Manual;
                account.scim_deleted = false;
                "made a manual account"
            }
        };
        account.version += 1;
        account.updated_at = now;
        let events = [event(
            org_id,
            now,
            kinds::ACCOUNT_UPDATED,
            &Actor::Admin,
            Some(id),
            json!({ "user_name": account.user_name, "reason": how }),
        )];
        self.write_admin_change(&current, &account, &events).await
    }

    async fn write_admin_change(
        &self,
        current: &Account,
        account: &Account,
        events: &[crate::store::NewEvent],
    ) -> ServiceResult<Account> {
        match self
            .store
            .update_account(account, current.version, events)
            .await
        {
            Ok(true) => Ok(account.clone()),
            Ok(false) => Err(ServiceError::conflict(
                "concurrent_change",
                "the account changed meanwhile; read it again and retry",
            )),
            Err(StoreError::Conflict(_)) => Err(name_taken(&account.user_name)),
            Err(err) => Err(err.into()),
        }
    }
}

fn set_name(attrs: &mut Map<String, Value>, given: Option<&str>, family: Option<&str>) {
    let name = attrs.entry("name").or_insert_with(|| json!({}));
    if let Value::Object(name) = name {
        if let Some(given) = given {
            name.insert("givenName".into(), json!(given));
        }
        if let Some(family) = family {
            name.insert("familyName".into(), json!(family));
        }
    }
}

fn check_user_name(raw: &str) -> ServiceResult<String> {
    let user_name = raw.trim();
    if user_name.is_empty() || user_name.chars().count() > 256 {
        return Err(ServiceError::bad_request(
            "invalid_user_name",
            "user_name must be 1 to 256 characters, e.g. ann@example.com",
        ));
    }
    Ok(user_name.to_string())
}

/// The longest grade level accepted, in characters.
const MAX_GRADE_LEVEL: usize = 64;

/// The grade level an admin gave (`"9"`, `"Kindergarten"`), trimmed; only school organizations
/// have one. Blank means none (on a change it clears the grade level).
pub(super) fn grade_level(kind: OrgKind, raw: &str) -> ServiceResult<Option<String>> {
    if kind != OrgKind::School {
        return Err(ServiceError::bad_request(
            "not_a_school",
            "grade_level applies to accounts of Apple School Manager organizations (kind school) only",
        ));
    }
    let grade = raw.trim();
    if grade.chars().count() > MAX_GRADE_LEVEL || grade.chars().any(char::is_control) {
        return Err(ServiceError::bad_request(
            "invalid_grade_level",
            format!("grade_level must be at most {MAX_GRADE_LEVEL} characters, without control characters"),
        ));
    }
    Ok((!grade.is_empty()).then(|| grade.to_string()))
}

fn name_taken(user_name: &str) -> ServiceError {
    ServiceError::conflict(
        "user_name_taken",
        format!("user_name {user_name:?} is already used by another account"),
    )
}
