//! Organizations and their domains.

use std::time::Duration;

use super::{App, ServiceError, ServiceResult};
use crate::domain::{names, OrgKind, SyncSource};
use crate::store::{Domain, Org};

/// The longest retention an organization can be given, in days (ten years).
pub const MAX_RETENTION_DAYS: u32 = 3650;

/// What an admin (or the first start) gives to create an organization.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub name: String,
    pub domains: Vec<(String, bool)>,
    pub federated_authentication: bool,
    pub auto_merge: bool,
    pub require_verified_domain: bool,
    /// Business (the default) or school; fixed once created.
    pub kind: OrgKind,
    /// School only: a Student Information System is connected.
    pub sis_connected: bool,
    /// `None`: the kind's default retention.
    pub retention_days: Option<u32>,
}

impl NewOrg {
    /// A business organization with ABM's defaults (federated authentication on, auto merge
    /// off, verified domains required).
    pub fn business(name: impl Into<String>, domains: Vec<(String, bool)>) -> Self {
        NewOrg {
            name: name.into(),
            domains,
            federated_authentication: true,
            auto_merge: false,
            require_verified_domain: true,
            kind: OrgKind::Business,
            sis_connected: false,
            retention_days: None,
        }
    }
}

impl App {
    /// The SCIM base URL identity providers are given for an organization of this kind (the
    /// path Apple serves it at).
    pub fn scim_base_url(&self, kind: OrgKind) -> String {
        format!("{}{}", self.settings.public_base, kind.scim_path())
    }

    /// How long a deactivated account of `org` is kept before the reaper deletes it: its own
    /// `retention_days`, else its kind's default (business: `--retention`, school:
    /// `--school-retention`).
    pub fn retention_of(&self, org: &Org) -> Duration {
        match org.retention_days {
            Some(days) => Duration::from_secs(u64::from(days) * 86_400),
            None => match org.kind {
                OrgKind::Business => self.settings.retention,
                OrgKind::School => self.settings.school_retention,
            },
        }
    }

    /// The organization, or 404.
    pub async fn require_org(&self, org_id: &str) -> ServiceResult<Org> {
        self.store
            .get_org(org_id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no organization with id {org_id}")))
    }

    pub async fn create_org(&self, new: NewOrg) -> ServiceResult<(Org, Vec<Domain>)> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ServiceError::bad_request(
                "invalid_name",
                "name must be 1 to 200 characters",
            ));
        }
        check_school_settings(new.kind, Some(new.sis_connected))?;
        if let Some(days) = new.retention_days {
            check_retention_days(days)?;
        }
        let now = self.now().await?;
        let org = Org {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_string(),
            federated_authentication: new.federated_authentication,
            auto_merge: new.auto_merge,
            require_verified_domain: new.require_verified_domain,
            directory_sync_source: SyncSource::None,
            scim_connected_at: None,
            oauth_client_credentials: false,
            kind: new.kind,
            sis_connected: new.sis_connected,
            retention_days: new.retention_days,
            created_at: now,
            updated_at: now,
        };
        let mut domains: Vec<Domain> = Vec::new();
        for (domain, verified) in new.domains {
            let name = normalize_domain(&domain)?;
            if domains.iter().any(|d| d.name == name) {
                continue;
            }
            domains.push(Domain {
                org_id: org.id.clone(),
                name,
                verified,
            });
        }
        self.store.insert_org(&org, &domains, &[]).await?;
        Ok((org, domains))
    }
}

/// Lower-cases and checks a DNS domain name (`example.com`).
pub fn normalize_domain(raw: &str) -> ServiceResult<String> {
    let name = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if valid {
        Ok(name)
    } else {
        Err(ServiceError::bad_request(
            "invalid_domain",
            format!("{raw:?} is not a domain name such as example.com"),
        ))
    }
}

/// `sis_connected` is a school's setting: a business organization may only say `false`.
fn check_school_settings(kind: OrgKind, sis_connected: Option<bool>) -> ServiceResult<()> {
    if kind == OrgKind::Business && sis_connected == Some(true) {
        return Err(ServiceError::bad_request(
            "not_a_school",
            "sis_connected applies to Apple School Manager organizations (kind school) only",
        ));
    }
    Ok(())
}

fn check_retention_days(days: u32) -> ServiceResult<()> {
    if (1..=MAX_RETENTION_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(ServiceError::bad_request(
            "invalid_retention",
            format!("retention_days must be a whole number of days from 1 to {MAX_RETENTION_DAYS}"),
        ))
    }
}

/// A change to an organization; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OrgChange {
    pub name: Option<String>,
    pub federated_authentication: Option<bool>,
    pub auto_merge: Option<bool>,
    pub require_verified_domain: Option<bool>,
    pub directory_sync_source: Option<String>,
    pub oauth_client_credentials: Option<bool>,
    /// Only the organization's own kind is accepted: the kind is fixed at creation.
    pub kind: Option<String>,
    pub sis_connected: Option<bool>,
    pub retention_days: Option<u32>,
}

impl App {
    /// Applies an organization change with ABM's rules: turning federated authentication off
    /// disconnects SCIM (synced accounts become manual); an OIDC source needs SCIM disconnected.
    pub async fn update_org(&self, org_id: &str, change: OrgChange) -> ServiceResult<Org> {
        let current = self.require_org(org_id).await?;
        let now = self.now().await?;
        let sync_source = match &change.directory_sync_source {
            Some(raw) => Some(raw.parse::<SyncSource>().map_err(|_| {
                ServiceError::bad_request(
                    "invalid_sync_source",
                    format!(
                        "directory_sync_source must be one of {}",
                        names::<SyncSource>()
                    ),
                )
            })?),
            None => None,
        };
        if let Some(source) = sync_source {
            let credentials = self.credentials(org_id).await?;
            let connected = super::connection::connection_state(&current, &credentials, now)
                != super::connection::ConnectionState::Disconnected;
            if connected && source != SyncSource::Scim {
                return Err(ServiceError::conflict(
                    "sync_source_conflict",
                    "SCIM is connected: disconnect it first (DELETE /admin/v1/orgs/{org}/scim), then switch the directory sync source",
                ));
            }
        }
        if let Some(raw) = &change.kind {
            if raw.parse::<OrgKind>().ok() != Some(current.kind) {
                return Err(ServiceError::bad_request(
                    "kind_immutable",
                    format!(
                        "this is an {} organization (kind {}): an organization's kind is set when it is created and cannot change",
                        current.kind.product(),
                        current.kind
                    ),
                ));
            }
        }
        check_school_settings(current.kind, change.sis_connected)?;
        if let Some(days) = change.retention_days {
            check_retention_days(days)?;
        }
        // Validate everything before the disconnection below, so a refused change changes nothing.
        let name = match &change.name {
            Some(name) => {
                let name = name.trim();
                if name.is_empty() || name.chars().count() > 200 {
                    return Err(ServiceError::bad_request(
                        "invalid_name",
                        "name must be 1 to 200 characters",
                    ));
                }
                Some(name.to_string())
            }
            None => None,
        };
        if change.federated_authentication == Some(false) && current.federated_authentication {
            self.disconnect_scim(org_id, &super::Actor::Admin).await?;
        }
        let mut org = self.require_org(org_id).await?;
        if let Some(name) = name {
            org.name = name;
        }
        if let Some(value) = change.federated_authentication {
            org.federated_authentication = value;
        }
        if let Some(value) = change.auto_merge {
            org.auto_merge = value;
        }
        if let Some(value) = change.require_verified_domain {
            org.require_verified_domain = value;
        }
        if let Some(source) = sync_source {
            org.directory_sync_source = source;
        }
        if let Some(value) = change.oauth_client_credentials {
            org.oauth_client_credentials = value;
        }
        if let Some(value) = change.sis_connected {
            org.sis_connected = value;
        }
        let retention_before = self.retention_of(&org);
        if let Some(days) = change.retention_days {
            org.retention_days = Some(days);
        }
        org.updated_at = now;
        let retention = self.retention_of(&org);
        if retention == retention_before {
            self.store.update_org(&org, &[]).await?;
        } else {
            // Deactivated accounts' deletion dates follow the new retention.
            self.store
                .update_org_restamping(&org, &[], retention)
                .await?;
        }
        Ok(org)
    }

    pub async fn delete_org(&self, org_id: &str) -> ServiceResult<()> {
        if self.store.delete_org(org_id).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found(format!(
                "no organization with id {org_id}"
            )))
        }
    }

    pub async fn add_domain(
        &self,
        org_id: &str,
        name: &str,
        verified: bool,
    ) -> ServiceResult<Domain> {
        self.require_org(org_id).await?;
        let domain = Domain {
            org_id: org_id.to_string(),
            name: normalize_domain(name)?,
            verified,
        };
        self.store.upsert_domain(&domain).await?;
        Ok(domain)
    }

    pub async fn remove_domain(&self, org_id: &str, name: &str) -> ServiceResult<()> {
        self.require_org(org_id).await?;
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        if self.store.delete_domain(org_id, &name).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found(format!(
                "no domain {name} in this organization"
            )))
        }
    }
}
