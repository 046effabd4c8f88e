//! First start: signing secret, admin token, and the default organization with a ready token.

use rand::RngCore;

use super::{hash_secret, App, NewOrg, ServiceResult, Settings};
use crate::clock::Clock;
use crate::domain::OrgKind;
use crate::store::Store;
use std::sync::Arc;

const JWT_SECRET_KEY: &str = "jwt_secret";
const ADMIN_TOKEN_HASH_KEY: &str = "admin_token_hash";
const BOOTSTRAPPED_KEY: &str = "bootstrapped";

/// Secrets created on this start, to be shown once.
#[derive(Debug, Default)]
pub struct FirstStart {
    /// The SCIM token of the default organization, when it was just created.
    pub scim_token: Option<String>,
    /// The admin token, when it was generated (not when given in the configuration).
    pub admin_token: Option<String>,
    pub default_org_id: Option<String>,
    /// The kind of the default organization (created now or on an earlier start): the banner's
    /// SCIM base URL is its kind's.
    pub default_org_kind: OrgKind,
}

fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

impl App {
    /// Builds the app, creating missing secrets and (when `bootstrap` names a kind) the default
    /// organization, "Example Org" (business) or "Example School" (school), with domain
    /// example.com and a SCIM token.
    pub async fn open(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        settings: Settings,
        jwt_secret: Option<&str>,
        admin_token: Option<&str>,
        bootstrap: Option<OrgKind>,
    ) -> ServiceResult<(App, FirstStart)> {
        let mut first = FirstStart {
            default_org_kind: bootstrap.unwrap_or_default(),
            ..FirstStart::default()
        };
        let jwt_secret = match jwt_secret {
            Some(secret) => secret.to_string(),
            None => {
                store
                    .insert_setting_if_absent(JWT_SECRET_KEY, &random_secret(""))
                    .await?;
                store.get_setting(JWT_SECRET_KEY).await?.unwrap_or_default()
            }
        };
        let admin_hash = match admin_token {
            Some(token) => hash_secret(token),
            None => {
                let generated = random_secret("abm_admin_");
                let hash_hex = hex::encode(hash_secret(&generated));
                if store
                    .insert_setting_if_absent(ADMIN_TOKEN_HASH_KEY, &hash_hex)
                    .await?
                {
                    first.admin_token = Some(generated);
                }
                let stored = store
                    .get_setting(ADMIN_TOKEN_HASH_KEY)
                    .await?
                    .unwrap_or_default();
                let mut hash = [0u8; 32];
                hex::decode_to_slice(stored, &mut hash).map_err(|e| {
                    crate::store::StoreError::Corrupt(format!("admin token hash: {e}"))
                })?;
                hash
            }
        };
        let app = App::assemble(store, clock, settings, jwt_secret.as_bytes(), admin_hash);
        let Some(kind) = bootstrap else {
            return Ok((app, first));
        };
        if app
            .store
            .insert_setting_if_absent(BOOTSTRAPPED_KEY, "1")
            .await?
        {
            let name = match kind {
                OrgKind::Business => "Example Org",
                OrgKind::School => "Example School",
            };
            let (org, _) = app
                .create_org(NewOrg {
                    kind,
                    ..NewOrg::business(name, vec![("example.com".into(), true)])
                })
                .await?;
            let issued = app.create_token(&org.id, None).await?;
            first.scim_token = Some(issued.token);
            first.default_org_id = Some(org.id);
        }
        Ok((app, first))
    }
}
