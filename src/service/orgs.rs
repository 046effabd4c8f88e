//! Organizations and their domains.

use super::{App, ServiceError, ServiceResult};
use crate::store::{Domain, Org};

/// What an admin (or the first start) gives to create an organization.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub name: String,
    pub domains: Vec<(String, bool)>,
    pub federated_authentication: bool,
    pub auto_merge: bool,
    pub require_verified_domain: bool,
}

impl App {
    /// The organization, or 404.
    pub async fn require_org(&self, org_id: &str) -> ServiceResult<Org> {
        self.store
            .get_org(org_id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no organization with id {org_id}")))
    }

    pub async fn create_org(&self, new: NewOrg) -> ServiceResult<(Org, Vec<Domain>)> {
        let name = new.name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(ServiceError::bad_request("invalid_name", "name must be 1 to 200 characters"));
        }
        let now = self.now_micros().await?;
        let org = Org {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_string(),
            federated_authentication: new.federated_authentication,
            auto_merge: new.auto_merge,
            require_verified_domain: new.require_verified_domain,
            directory_sync_source: "none".into(),
            scim_connected_at: None,
            created_at: now,
            updated_at: now,
        };
        let mut domains: Vec<Domain> = Vec::new();
        for (domain, verified) in new.domains {
            let name = normalize_domain(&domain)?;
            if domains.iter().any(|d| d.name == name) {
                continue;
            }
            domains.push(Domain { org_id: org.id.clone(), name, verified });
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
