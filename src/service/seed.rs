//! Seed files: organizations, domains, tokens with fixed secrets and accounts in any state,
//! applied idempotently (applying the same document twice yields the same state).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::credentials::hash_secret;
use super::orgs::normalize_domain;
use super::users::new_person_id;
use super::{App, NewOrg, OrgChange, ServiceError, ServiceResult};
use crate::domain::{AccountSource, AccountState, OrgKind, Role, SyncSource, Timestamp};
use crate::scim::filter_sql::user_name_norm;
use crate::scim::resource::normalize_user;
use crate::store::{Account, Domain, Org, TokenRecord};

/// A seed document (see `examples/seed.json`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedDocument {
    #[serde(default)]
    pub orgs: Vec<SeedOrg>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedOrg {
    /// A fixed id (any non-empty string); when absent the organization is matched by name.
    #[schema(min_length = 1)]
    pub id: Option<String>,
    /// 1 to 200 characters once leading and trailing whitespace is trimmed.
    #[schema(
        pattern = r"^[^\u0000]*[^\s\u0000\u0085][^\u0000]*$",
        min_length = 1,
        max_length = 200
    )]
    pub name: String,
    #[serde(default)]
    pub domains: Vec<SeedDomain>,
    pub federated_authentication: Option<bool>,
    pub auto_merge: Option<bool>,
    pub require_verified_domain: Option<bool>,
    /// `business` (default) or `school`; an existing organization keeps its kind (another is
    /// 400 `kind_immutable`).
    pub kind: Option<OrgKind>,
    /// Schools only.
    pub sis_connected: Option<bool>,
    /// 1 to 3650; default: the kind's.
    #[schema(minimum = 1, maximum = 3650)]
    pub retention_days: Option<u32>,
    #[serde(default)]
    pub tokens: Vec<SeedToken>,
    #[serde(default)]
    pub accounts: Vec<SeedAccount>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedDomain {
    /// A DNS name such as `example.com` (see `DomainRequest`).
    #[schema(
        pattern = r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$",
        max_length = 253
    )]
    pub name: String,
    #[serde(default = "yes")]
    pub verified: bool,
}

fn yes() -> bool {
    true
}

/// A SCIM token with a secret chosen by the harness (an opaque bearer string, ≥ 16 characters).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedToken {
    #[schema(min_length = 1)]
    pub id: Option<String>,
    #[schema(min_length = 16)]
    pub secret: String,
    /// Default: one calendar year after the token is first seeded. Years 1000 to 8999.
    #[schema(pattern = r"^[1-8][0-9]{3}-")]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedAccount {
    /// A fixed id; another account's id is a conflict (409).
    #[schema(min_length = 1)]
    pub id: Option<String>,
    /// A SCIM userName: at most 256 characters, not only whitespace.
    #[schema(
        pattern = r"^[^\u0000]*[^\s\u0000\u0085][^\u0000]*$",
        min_length = 1,
        max_length = 256
    )]
    pub user_name: String,
    /// `scim` (default) or `manual`.
    #[schema(value_type = Option<AccountSource>)]
    pub source: Option<String>,
    /// Default: the kind's (`["Staff"]`, in a school `["Student"]`). Role names are
    /// case-insensitive; each must be a role of the organization's kind.
    #[schema(value_type = Option<Vec<Role>>)]
    pub roles: Option<Vec<String>>,
    /// Schools only: at most 64 characters.
    #[schema(max_length = 64, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub grade_level: Option<String>,
    /// `active` (default) or `inactive`.
    #[schema(value_type = Option<super::closed_sets::SeededStateName>)]
    pub state: Option<String>,
    /// For inactive accounts: deactivated this many days ago (default 0, at most 36500).
    #[schema(maximum = 36500)]
    pub inactive_days: Option<u32>,
    #[schema(max_length = 2048)]
    pub external_id: Option<String>,
    #[schema(max_length = 2048)]
    pub given_name: Option<String>,
    #[schema(max_length = 2048)]
    pub family_name: Option<String>,
    #[schema(max_length = 2048)]
    pub email: Option<String>,
    pub person_id: Option<String>,
    /// Any further SCIM User attributes (e.g. the enterprise extension), checked as the body of
    /// a SCIM `POST /Users` is (see the SCIM `/Schemas`).
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<Value>,
}

/// What a seed run produced.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SeedSummary {
    pub orgs: Vec<SeededOrg>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SeededOrg {
    pub id: String,
    pub name: String,
    pub tokens: Vec<String>,
    pub accounts: usize,
}

impl App {
    /// Applies a seed document. Existing organizations (by id, else by name), tokens (by id) and
    /// accounts (by userName) are brought to the described state; nothing is duplicated.
    pub async fn apply_seed(&self, document: &SeedDocument) -> ServiceResult<SeedSummary> {
        check_seed(document)?;
        let mut summary = SeedSummary { orgs: Vec::new() };
        for seed in &document.orgs {
            summary.orgs.push(self.seed_org(seed).await?);
        }
        Ok(summary)
    }

    async fn seed_org(&self, seed: &SeedOrg) -> ServiceResult<SeededOrg> {
        let org = self.find_or_create_seed_org(seed).await?;
        for domain in &seed.domains {
            self.store
                .upsert_domain(&Domain {
                    org_id: org.id.clone(),
                    name: normalize_domain(&domain.name)?,
                    verified: domain.verified,
                })
                .await?;
        }
        let mut token_ids = Vec::new();
        for token in &seed.tokens {
            token_ids.push(self.seed_token(&org, token).await?);
        }
        for account in &seed.accounts {
            self.seed_account(&org, account).await?;
        }
        Ok(SeededOrg {
            id: org.id,
            name: org.name,
            tokens: token_ids,
            accounts: seed.accounts.len(),
        })
    }

    async fn find_or_create_seed_org(&self, seed: &SeedOrg) -> ServiceResult<Org> {
        let existing = match &seed.id {
            Some(id) => self.store.get_org(id).await?,
            None => self
                .store
                .list_orgs()
                .await?
                .into_iter()
                .find(|o| o.name == seed.name),
        };
        let org = match existing {
            Some(org) => org,
            None => {
                let (mut org, _) = self
                    .create_org(NewOrg {
                        name: seed.name.clone(),
                        domains: Vec::new(),
                        federated_authentication: seed.federated_authentication.unwrap_or(true),
                        auto_merge: seed.auto_merge.unwrap_or(false),
                        require_verified_domain: seed.require_verified_domain.unwrap_or(true),
                        kind: seed.kind.unwrap_or_default(),
                        sis_connected: seed.sis_connected.unwrap_or(false),
                        retention_days: seed.retention_days,
                    })
                    .await?;
                if let Some(id) = &seed.id {
                    // Re-key the new organization to the fixed id.
                    self.store.delete_org(&org.id).await?;
                    org.id = id.clone();
                    self.store.insert_org(&org, &[], &[]).await?;
                }
                org
            }
        };
        self.update_org(
            &org.id,
            OrgChange {
                name: Some(seed.name.clone()),
                federated_authentication: seed.federated_authentication,
                auto_merge: seed.auto_merge,
                require_verified_domain: seed.require_verified_domain,
                directory_sync_source: None,
                oauth_client_credentials: None,
                kind: seed.kind.map(|kind| kind.to_string()),
                sis_connected: seed.sis_connected,
                retention_days: seed.retention_days,
            },
        )
        .await
    }

    async fn seed_token(&self, org: &Org, seed: &SeedToken) -> ServiceResult<String> {
        if seed.secret.len() < 16 {
            return Err(ServiceError::bad_request(
                "invalid_seed",
                "a seeded token secret must be at least 16 characters",
            ));
        }
        let hash = hex::encode(hash_secret(&seed.secret));
        let id = seed
            .id
            .clone()
            .unwrap_or_else(|| format!("seed-{}", &hash[..16]));
        let now = self.now().await?;
        if let Some(existing) = self.store.get_token(&id).await? {
            if existing.org_id != org.id || existing.token_hash != hash {
                return Err(ServiceError::conflict(
                    "seed_conflict",
                    format!("token id {id} already exists with another secret or organization"),
                ));
            }
            return Ok(id);
        }
        let expires_at = match seed.expires_at {
            Some(at) => Timestamp::from(at),
            // ABM: one calendar year, as a minted token.
            None => now.add_months(12),
        };
        let record = TokenRecord {
            id: id.clone(),
            org_id: org.id.clone(),
            token_hash: hash,
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
            expiring_notified: false,
            renewed_from: None,
        };
        self.store.insert_token(&record, &[]).await?;
        let mut connected = self.require_org(&org.id).await?;
        if connected.directory_sync_source != SyncSource::Scim {
            connected.directory_sync_source = SyncSource::Scim;
            connected.scim_connected_at = Some(now);
            connected.updated_at = now;
            self.store.update_org(&connected, &[]).await?;
        }
        Ok(id)
    }

    async fn seed_account(&self, org: &Org, seed: &SeedAccount) -> ServiceResult<()> {
        let now = self.now().await?;
        let account = self.seed_account_row(org, seed, now)?;
        match self
            .store
            .find_account_by_user_name(&org.id, &account.user_name_norm)
            .await?
        {
            None => self.store.insert_account(&account, &[]).await?,
            Some(existing) => {
                let mut updated = account.clone();
                updated.id = existing.id.clone();
                updated.created_at = existing.created_at;
                updated.person_id = seed.person_id.clone().or(existing.person_id.clone());
                // An unchanged account keeps its version: applying a seed twice changes nothing.
                updated.version = existing.version;
                updated.updated_at = existing.updated_at;
                if updated.state == AccountState::Inactive
                    && existing.state == AccountState::Inactive
                {
                    // Already inactive: keep its deactivation time, or every application would
                    // move the deletion date.
                    updated.deactivated_at = existing.deactivated_at;
                    updated.delete_after = existing.delete_after;
                }
                if updated != existing {
                    updated.version = existing.version + 1;
                    updated.updated_at = now;
                    self.store
                        .update_account(&updated, existing.version, &[])
                        .await?;
                }
            }
        }
        Ok(())
    }

    fn seed_account_row(
        &self,
        org: &Org,
        seed: &SeedAccount,
        now: Timestamp,
    ) -> ServiceResult<Account> {
        let source = match seed.source.as_deref() {
            None => AccountSource::Scim,
            Some(raw) => raw.parse().map_err(|_| {
                ServiceError::bad_request(
                    "invalid_seed",
                    format!("account {}: source must be scim or manual", seed.user_name),
                )
            })?,
        };
        // A seed describes accounts as an IdP or an admin made them; a conflict is what sync
        // finds later, never a starting state.
        let state = match seed.state.as_deref().map(str::parse) {
            None => AccountState::Active,
            Some(Ok(state @ (AccountState::Active | AccountState::Inactive))) => state,
            Some(Ok(AccountState::Conflict) | Err(_)) => {
                return Err(ServiceError::bad_request(
                    "invalid_seed",
                    format!(
                        "account {}: state must be active or inactive",
                        seed.user_name
                    ),
                ))
            }
        };
        let active = state == AccountState::Active;
        let mut body = match &seed.attributes {
            Some(Value::Object(map)) => map.clone(),
            Some(_) => {
                return Err(ServiceError::bad_request(
                    "invalid_seed",
                    "attributes must be a JSON object",
                ))
            }
            None => Map::new(),
        };
        body.insert("userName".into(), json!(seed.user_name));
        body.insert("active".into(), json!(active));
        if let Some(external_id) = &seed.external_id {
            body.insert("externalId".into(), json!(external_id));
        }
        if seed.given_name.is_some() || seed.family_name.is_some() {
            body.insert(
                "name".into(),
                json!({ "givenName": seed.given_name, "familyName": seed.family_name }),
            );
        }
        if let Some(email) = &seed.email {
            body.insert(
                "emails".into(),
                json!([{ "value": email, "type": "work", "primary": true }]),
            );
        }
        let attrs = normalize_user(&Value::Object(body)).map_err(|e| {
            ServiceError::bad_request(
                "invalid_seed",
                format!("account {}: {}", seed.user_name, e.detail),
            )
        })?;
        let roles = match &seed.roles {
            Some(roles) => roles
                .iter()
                .map(|r| super::roles::parse_role(org.kind, r))
                .collect::<ServiceResult<Vec<_>>>()?,
            None => vec![org.kind.default_role()],
        };
        let deactivated_at = (state == AccountState::Inactive).then(|| {
            now.saturating_sub(Duration::from_secs(
                u64::from(seed.inactive_days.unwrap_or(0)) * 86_400,
            ))
        });
        Ok(Account {
            id: seed
                .id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            org_id: org.id.clone(),
            user_name: seed.user_name.clone(),
            user_name_norm: user_name_norm(&seed.user_name),
            external_id: seed.external_id.clone(),
            active,
            state,
            source,
            roles,
            person_id: Some(seed.person_id.clone().unwrap_or_else(new_person_id)),
            grade_level: match &seed.grade_level {
                Some(grade) => super::accounts::grade_level(org.kind, grade)?,
                None => None,
            },
            scim_deleted: false,
            deactivated_at,
            delete_after: deactivated_at.map(|at| at.saturating_add(self.retention_of(org))),
            version: 1,
            created_at: now,
            updated_at: now,
            attrs,
        })
    }

    /// Empties an organization: accounts (in batches), activity and journal; its settings stay.
    /// With `revoke_tokens`, its tokens and OAuth client secrets are revoked too. Returns
    /// (accounts deleted, tokens and secrets revoked).
    pub async fn reset_org(&self, org_id: &str, revoke_tokens: bool) -> ServiceResult<(u64, u64)> {
        self.require_org(org_id).await?;
        let mut deleted = 0;
        loop {
            let batch = self.store.delete_accounts_batch(org_id, 5_000).await?;
            deleted += batch;
            if batch == 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        self.store.delete_events(org_id).await?;
        self.journal.clear(org_id).await?;
        let revoked = if revoke_tokens {
            let now = self.now().await?;
            self.revoke_all_tokens(org_id, now).await?
                + self.revoke_all_oauth_secrets(org_id, now).await?
        } else {
            0
        };
        Ok((deleted, revoked))
    }
}

/// What the seed document's schema states beyond its types, checked before anything is applied
/// (through the admin API and `--seed` alike), so a refused document changes nothing.
fn check_seed(document: &SeedDocument) -> ServiceResult<()> {
    let invalid = |detail: String| Err(ServiceError::bad_request("invalid_seed", detail));
    for org in &document.orgs {
        // An empty id makes an organization, token or account no path can name.
        let ids = [org.id.as_deref()]
            .into_iter()
            .chain(org.tokens.iter().map(|t| t.id.as_deref()))
            .chain(org.accounts.iter().map(|a| a.id.as_deref()));
        if ids.flatten().any(str::is_empty) {
            return invalid(format!(
                "organization {}: an id must not be empty",
                org.name
            ));
        }
        for account in &org.accounts {
            // The deactivation time must stay a time (u32::MAX days overflowed it).
            if account.inactive_days.unwrap_or(0) > MAX_INACTIVE_DAYS {
                return invalid(format!(
                    "account {}: inactive_days is at most {MAX_INACTIVE_DAYS}",
                    account.user_name
                ));
            }
        }
    }
    Ok(())
}

/// The longest ago a seeded account can have been deactivated: a hundred years.
const MAX_INACTIVE_DAYS: u32 = 36_500;
