//! The ABM SCIM-token lifecycle: at most two live tokens, one calendar year each, a 60-day
//! warning, the 4-day window to complete a new connection, revoke, renew and disconnect.

use serde_json::json;

use super::connection::{TokenStatus, MAX_LIVE_TOKENS};
use super::credentials::{hash_secret, Claims};
use super::events::{event, kinds, Actor};
use super::{App, ServiceError, ServiceResult};
use crate::domain::{SyncSource, Timestamp};
use crate::store::{NewEvent, TokenRecord};

/// A token as handed out once, with its secret.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    pub id: String,
    /// The bearer token. Shown only in this response; only its hash is stored.
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip)]
    pub record: TokenRecord,
}

impl App {
    /// Signs a new token for `org` and builds its row (not stored yet).
    pub(super) fn mint_token(
        &self,
        org_id: &str,
        now: Timestamp,
        renewed_from: Option<String>,
    ) -> ServiceResult<IssuedToken> {
        let id = uuid::Uuid::new_v4().to_string();
        let expires_at = match self.settings.token_lifetime {
            Some(lifetime) => now.saturating_add(lifetime),
            // ABM: one calendar year.
            None => now.add_months(12),
        };
        let claims = Claims {
            iss: "abm-scim".into(),
            org: org_id.to_string(),
            jti: id.clone(),
            iat: now.unix_seconds(),
            exp: expires_at.unix_seconds(),
            oauth: None,
        };
        let token = self.keys().sign(&claims)?;
        let record = TokenRecord {
            id: id.clone(),
            org_id: org_id.to_string(),
            token_hash: hex::encode(hash_secret(&token)),
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
            expiring_notified: false,
            renewed_from,
        };
        Ok(IssuedToken {
            id,
            token,
            expires_at: expires_at.to_datetime(),
            record,
        })
    }

    /// Creates a token (ABM: "Generate token"), connecting SCIM if it was disconnected.
    pub async fn create_token(
        &self,
        org_id: &str,
        renew_of: Option<&str>,
    ) -> ServiceResult<IssuedToken> {
        let mut org = self.require_org(org_id).await?;
        let now = self.now().await?;
        let credentials = self.credentials(&org.id).await?;
        let start = Self::plan_connection(&org, &credentials, now)?;
        let tokens = &credentials.tokens;
        if let Some(old_id) = renew_of {
            let old = tokens.iter().find(|t| t.id == old_id).ok_or_else(|| {
                ServiceError::not_found(format!("no token {old_id} in this organization"))
            })?;
            if old.revoked_at.is_some() {
                return Err(ServiceError::conflict(
                    "token_revoked",
                    "a revoked token cannot be renewed: create a new one",
                ));
            }
        }
        let live = tokens
            .iter()
            .filter(|t| !start.void_tokens.contains(&t.id) && TokenStatus::of(t, now).is_live())
            .count();
        if live >= MAX_LIVE_TOKENS {
            return Err(ServiceError::conflict(
                "token_limit",
                "the organization already has two tokens: revoke one first",
            ));
        }
        let issued = self.mint_token(&org.id, now, renew_of.map(str::to_string))?;
        self.start_connection(&mut org, &start, &credentials, now)
            .await?;
        let kind = if renew_of.is_some() {
            kinds::TOKEN_RENEWED
        } else {
            kinds::TOKEN_CREATED
        };
        let events = [event(
            &org.id,
            now,
            kind,
            &Actor::Admin,
            None,
            json!({ "token_id": issued.id, "renewed_from": renew_of }),
        )];
        self.store.insert_token(&issued.record, &events).await?;
        Ok(issued)
    }

    /// Revokes one token. The only live token cannot be revoked: disconnect instead.
    pub async fn revoke_token(&self, org_id: &str, token_id: &str) -> ServiceResult<()> {
        let org = self.require_org(org_id).await?;
        let now = self.now().await?;
        let tokens = self.store.list_tokens(&org.id).await?;
        let token = tokens.iter().find(|t| t.id == token_id).ok_or_else(|| {
            ServiceError::not_found(format!("no token {token_id} in this organization"))
        })?;
        if token.revoked_at.is_some() {
            return Ok(());
        }
        let live = tokens
            .iter()
            .filter(|t| TokenStatus::of(t, now).is_live())
            .count();
        if TokenStatus::of(token, now).is_live() && live <= 1 {
            return Err(ServiceError::conflict(
                "last_token",
                "this is the only active token: disconnect SCIM instead (DELETE /admin/v1/orgs/{org}/scim)",
            ));
        }
        let mut revoked = token.clone();
        revoked.revoked_at = Some(now);
        let events = [event(
            &org.id,
            now,
            kinds::TOKEN_REVOKED,
            &Actor::Admin,
            None,
            json!({ "token_id": token_id }),
        )];
        self.store.update_token(&revoked, &events).await?;
        Ok(())
    }

    /// Revokes every token of the organization not revoked yet; returns how many.
    pub(super) async fn revoke_all_tokens(
        &self,
        org_id: &str,
        now: Timestamp,
    ) -> ServiceResult<u64> {
        let mut count = 0;
        for mut token in self.store.list_tokens(org_id).await? {
            if token.revoked_at.is_none() {
                token.revoked_at = Some(now);
                self.store.update_token(&token, &[]).await?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// Disconnects SCIM: every token and OAuth client secret revoked (with the secrets' grants),
    /// synced accounts become manual accounts.
    pub async fn disconnect_scim(&self, org_id: &str, actor: &Actor) -> ServiceResult<()> {
        let mut org = self.require_org(org_id).await?;
        let now = self.now().await?;
        let tokens_revoked = self.revoke_all_tokens(&org.id, now).await?;
        let secrets_revoked = self.revoke_all_oauth_secrets(&org.id, now).await?;
        let converted = self
            .store
            .convert_scim_accounts_to_manual(&org.id, now)
            .await?;
        let was_scim = org.directory_sync_source == SyncSource::Scim;
        if was_scim {
            org.directory_sync_source = SyncSource::None;
        }
        org.scim_connected_at = None;
        org.updated_at = now;
        // Disconnecting what is not connected is a no-op, not an event.
        let revoked = tokens_revoked + secrets_revoked;
        let events: Vec<NewEvent> = if was_scim || revoked > 0 || converted > 0 {
            vec![event(
                &org.id,
                now,
                kinds::SCIM_DISCONNECTED,
                actor,
                None,
                json!({
                    "accounts_converted_to_manual": converted,
                    "tokens_revoked": tokens_revoked,
                    "oauth_secrets_revoked": secrets_revoked,
                }),
            )]
        } else {
            Vec::new()
        };
        self.store.update_org(&org, &events).await?;
        Ok(())
    }

    /// Records `token_expiring` (once per token, on entering the last 60 days) and
    /// `token_expired` (once per token, on expiry), and the same of OAuth client secrets. Called
    /// on reads of the connection and of the activity, and by the reaper.
    pub async fn note_token_expiry(&self, org_id: &str) -> ServiceResult<()> {
        // Read, then write what is missing: two passes at once (the background reaper and an
        // admin request) would both see a warning missing and both record it.
        let _one_at_a_time = self.expiry_notes.lock().await;
        let now = self.now().await?;
        let tokens = self.store.list_tokens(org_id).await?;
        // `expiring_notified` marks the warning; whether the expiry was recorded is in the log.
        let expired_unrevoked = tokens
            .iter()
            .any(|t| t.revoked_at.is_none() && TokenStatus::of(t, now) == TokenStatus::Expired);
        let mut expired_noted: Vec<String> = Vec::new();
        if expired_unrevoked {
            let mut since = 0;
            loop {
                let page = self
                    .store
                    .list_events(org_id, since, Some(kinds::TOKEN_EXPIRED), 1000)
                    .await?;
                let Some(last) = page.last() else { break };
                since = last.seq;
                expired_noted.extend(page.iter().filter_map(|e| {
                    e.detail
                        .get("token_id")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_string)
                }));
            }
        }
        for token in tokens {
            let status = TokenStatus::of(&token, now);
            let mut events = Vec::new();
            if matches!(status, TokenStatus::Expiring | TokenStatus::Expired)
                && !token.expiring_notified
            {
                events.push(event(
                    org_id,
                    now,
                    kinds::TOKEN_EXPIRING,
                    &Actor::System,
                    None,
                    json!({ "token_id": token.id, "expires_at": token.expires_at.to_datetime() }),
                ));
            }
            if status == TokenStatus::Expired && !expired_noted.contains(&token.id) {
                events.push(event(
                    org_id,
                    now,
                    kinds::TOKEN_EXPIRED,
                    &Actor::System,
                    None,
                    json!({ "token_id": token.id, "expires_at": token.expires_at.to_datetime() }),
                ));
            }
            if !events.is_empty() {
                let mut noted = token.clone();
                noted.expiring_notified = true;
                self.store.update_token(&noted, &events).await?;
            }
        }
        self.note_secret_expiry(org_id, now).await
    }

    /// [`App::note_token_expiry`] for every organization.
    pub async fn note_all_token_expiry(&self) -> ServiceResult<()> {
        for org in self.store.list_orgs().await? {
            self.note_token_expiry(&org.id).await?;
        }
        Ok(())
    }
}
