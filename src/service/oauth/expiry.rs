//! The 60-day warning and the expiry of client secrets, recorded once each in the activity.

use serde_json::json;

use crate::domain::Timestamp;
use crate::service::connection::SecretStatus;
use crate::service::events::{event, kinds, Actor};
use crate::service::{App, ServiceResult};

impl App {
    /// Records `oauth_secret_expiring` (once per secret, on entering its last 60 days) and
    /// `oauth_secret_expired` (once, on expiry). Part of [`App::note_token_expiry`], under its
    /// lock.
    pub(crate) async fn note_secret_expiry(
        &self,
        org_id: &str,
        now: Timestamp,
    ) -> ServiceResult<()> {
        for secret in self.store.list_oauth_secrets(org_id).await? {
            let status = SecretStatus::of(&secret, now);
            let detail = || {
                json!({
                    "client_id": secret.client_id,
                    "secret_id": secret.id,
                    "expires_at": secret.expires_at.to_datetime(),
                })
            };
            let mut noted = secret.clone();
            let mut events = Vec::new();
            if matches!(status, SecretStatus::Expiring | SecretStatus::Expired)
                && !secret.expiring_notified
            {
                noted.expiring_notified = true;
                events.push(event(
                    org_id,
                    now,
                    kinds::OAUTH_SECRET_EXPIRING,
                    &Actor::System,
                    None,
                    detail(),
                ));
            }
            if status == SecretStatus::Expired && !secret.expired_notified {
                noted.expired_notified = true;
                events.push(event(
                    org_id,
                    now,
                    kinds::OAUTH_SECRET_EXPIRED,
                    &Actor::System,
                    None,
                    detail(),
                ));
            }
            if !events.is_empty() {
                self.store
                    .update_oauth_secret_notes(&noted, &events)
                    .await?;
            }
        }
        Ok(())
    }
}
