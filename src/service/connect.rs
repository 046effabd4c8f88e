//! What every SCIM credential (a static token or an OAuth client secret) shares: reading an
//! organization's credentials and connection state, starting a connection when a credential is
//! created, and completing it on the first authorised SCIM request.

use std::time::Duration;

use serde_json::json;

use super::connection::{connection_state, ConnectionState, Credentials};
use super::events::{event, kinds, Actor};
use super::{App, ServiceError, ServiceResult};
use crate::domain::{SyncSource, Timestamp};
use crate::store::Org;

/// `last_used_at` is refreshed at most this often, so authorised requests cost no write.
pub(super) const LAST_USED_RESOLUTION: Duration = Duration::from_secs(60);

/// The credential that authorised a SCIM request.
#[derive(Debug, Clone, Copy)]
pub(super) enum UsedCredential<'a> {
    Token(&'a str),
    Secret(&'a str),
}

impl UsedCredential<'_> {
    fn id(&self) -> &str {
        match self {
            UsedCredential::Token(id) | UsedCredential::Secret(id) => id,
        }
    }
}

/// What creating a credential does to the connection, decided before anything is written.
#[derive(Debug)]
pub(super) struct ConnectionStart {
    pub state: ConnectionState,
    /// An expired pending connection starts again from scratch: its credentials are void.
    pub void_tokens: Vec<String>,
    pub void_secrets: Vec<String>,
}

impl ConnectionStart {
    /// Whether the new credential (re)connects SCIM.
    pub fn connects(&self) -> bool {
        matches!(
            self.state,
            ConnectionState::Disconnected | ConnectionState::Expired
        )
    }
}

impl App {
    /// The organization's SCIM tokens and OAuth client secrets.
    pub async fn credentials(&self, org_id: &str) -> ServiceResult<Credentials> {
        Ok(Credentials {
            tokens: self.store.list_tokens(org_id).await?,
            secrets: self.store.list_oauth_secrets(org_id).await?,
        })
    }

    /// The organization's connection state now.
    pub async fn scim_state(&self, org: &Org) -> ServiceResult<ConnectionState> {
        let credentials = self.credentials(&org.id).await?;
        Ok(connection_state(org, &credentials, self.now().await?))
    }

    /// Refuses a new credential while the organization syncs with OIDC or (a school) has its
    /// Student Information System connected, and says what it does to the connection.
    pub(super) fn plan_connection(
        org: &Org,
        credentials: &Credentials,
        now: Timestamp,
    ) -> ServiceResult<ConnectionStart> {
        if org.sis_connected {
            return Err(ServiceError::conflict(
                "sis_connected",
                "directory sync cannot be connected while a Student Information System (SIS) connection or SFTP uploads are active: disconnect the Student Information System first (PATCH the organization with sis_connected false)",
            ));
        }
        if org.directory_sync_source.is_oidc() {
            return Err(ServiceError::conflict(
                "sync_source_conflict",
                format!(
                    "the organization syncs users with {}: switch the directory sync source to none before connecting SCIM",
                    org.directory_sync_source
                ),
            ));
        }
        let state = connection_state(org, credentials, now);
        let (void_tokens, void_secrets) = if state == ConnectionState::Expired {
            (
                credentials
                    .tokens
                    .iter()
                    .filter(|t| t.revoked_at.is_none())
                    .map(|t| t.id.clone())
                    .collect(),
                credentials
                    .secrets
                    .iter()
                    .filter(|s| s.revoked_at.is_none())
                    .map(|s| s.id.clone())
                    .collect(),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(ConnectionStart {
            state,
            void_tokens,
            void_secrets,
        })
    }

    /// Writes what [`App::plan_connection`] decided: void credentials revoked, and the
    /// organization connected (source `scim`, the 4-day window started) when it was not.
    pub(super) async fn start_connection(
        &self,
        org: &mut Org,
        start: &ConnectionStart,
        credentials: &Credentials,
        now: Timestamp,
    ) -> ServiceResult<()> {
        for token in credentials
            .tokens
            .iter()
            .filter(|t| start.void_tokens.contains(&t.id))
        {
            let mut revoked = token.clone();
            revoked.revoked_at = Some(now);
            self.store.update_token(&revoked, &[]).await?;
        }
        if !start.void_secrets.is_empty() {
            self.store
                .revoke_oauth_secrets(&start.void_secrets, now, &[])
                .await?;
        }
        if start.connects() {
            org.directory_sync_source = SyncSource::Scim;
            org.scim_connected_at = Some(now);
            org.updated_at = now;
            self.store.update_org(org, &[]).await?;
        }
        Ok(())
    }

    /// Records that `credential` (never used before when `first_use`) authorised a SCIM request:
    /// refuses it when the connection's 4-day window passed unused (`expired` gives the error),
    /// completes a pending connection (`scim_connected`) and refreshes `last_used_at`.
    pub(super) async fn note_scim_use(
        &self,
        org: &Org,
        credential: UsedCredential<'_>,
        first_use: bool,
        now: Timestamp,
        expired: impl FnOnce() -> ServiceError,
    ) -> ServiceResult<()> {
        let credentials = self.credentials(&org.id).await?;
        if first_use && connection_state(org, &credentials, now) == ConnectionState::Expired {
            return Err(expired());
        }
        // The first authorised request completes a new connection (see `connection_state`).
        let completes = org.scim_connected_at.is_some();
        let events = if completes && credentials.none_used(now) {
            vec![event(
                &org.id,
                now,
                kinds::SCIM_CONNECTED,
                &Actor::Scim(credential.id().to_string()),
                None,
                json!({}),
            )]
        } else {
            Vec::new()
        };
        match credential {
            UsedCredential::Token(id) => self.store.touch_token(id, now, &events).await?,
            UsedCredential::Secret(id) => self.store.touch_oauth_secret(id, now, &events).await?,
        }
        if completes {
            if let Some(mut current) = self.store.get_org(&org.id).await? {
                current.scim_connected_at = None;
                self.store.update_org(&current, &[]).await?;
            }
        }
        Ok(())
    }
}
