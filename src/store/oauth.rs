//! The storage contract of OAuth 2 clients (issue 14): clients and their secrets, authorization
//! codes, grants and refresh tokens. A part of [`super::Store`] (its supertrait), kept apart so
//! that each contract reads in one sitting.

use async_trait::async_trait;

use super::{NewEvent, OAuthClient, OAuthCode, OAuthGrant, OAuthRefreshToken, OAuthSecret};
use super::{Org, StoreResult, Timestamp};

#[async_trait]
pub trait OAuthStore: Send + Sync {
    /// Inserts a client with its first secret. Fails with [`super::StoreError::Conflict`] when
    /// the organization has a client already.
    async fn insert_oauth_client(
        &self,
        client: &OAuthClient,
        secret: &OAuthSecret,
        events: &[NewEvent],
    ) -> StoreResult<()>;
    /// A client by its `client_id`.
    async fn get_oauth_client(&self, client_id: &str) -> StoreResult<Option<OAuthClient>>;
    /// The organization's client, if it has one.
    async fn get_org_oauth_client(&self, org_id: &str) -> StoreResult<Option<OAuthClient>>;
    /// Writes the name and redirect URIs.
    async fn update_oauth_client(
        &self,
        client: &OAuthClient,
        events: &[NewEvent],
    ) -> StoreResult<()>;
    /// Deletes a client with its secrets, codes, grants and refresh tokens; `false` when absent.
    async fn delete_oauth_client(&self, client_id: &str, events: &[NewEvent]) -> StoreResult<bool>;

    async fn insert_oauth_secret(
        &self,
        secret: &OAuthSecret,
        events: &[NewEvent],
    ) -> StoreResult<()>;
    /// Every secret of the organization's client, oldest first.
    async fn list_oauth_secrets(&self, org_id: &str) -> StoreResult<Vec<OAuthSecret>>;
    /// A secret with its organization, in one round trip (SCIM requests with access tokens).
    async fn get_oauth_secret_with_org(&self, id: &str) -> StoreResult<Option<(OAuthSecret, Org)>>;
    /// Writes the `expiring_notified` and `expired_notified` marks.
    async fn update_oauth_secret_notes(
        &self,
        secret: &OAuthSecret,
        events: &[NewEvent],
    ) -> StoreResult<()>;
    /// Revokes the secrets not revoked yet, and every grant each one last authenticated, in one
    /// transaction.
    async fn revoke_oauth_secrets(
        &self,
        ids: &[String],
        at: Timestamp,
        events: &[NewEvent],
    ) -> StoreResult<()>;
    /// Records a secret's use without touching anything else about it (see `touch_token`).
    async fn touch_oauth_secret(
        &self,
        id: &str,
        last_used_at: Timestamp,
        events: &[NewEvent],
    ) -> StoreResult<()>;

    /// Inserts a code (and drops the client's codes that expired a day ago or more).
    async fn insert_oauth_code(&self, code: &OAuthCode, events: &[NewEvent]) -> StoreResult<()>;
    async fn get_oauth_code(&self, id: &str) -> StoreResult<Option<OAuthCode>>;
    /// Marks the code used and creates its grant and refresh token, in one transaction;
    /// `false` (nothing written) when the code was used already.
    async fn redeem_oauth_code(
        &self,
        code_id: &str,
        at: Timestamp,
        grant: &OAuthGrant,
        refresh: &OAuthRefreshToken,
        events: &[NewEvent],
    ) -> StoreResult<bool>;
    /// Inserts a grant without a refresh token (`client_credentials`).
    async fn insert_oauth_grant(&self, grant: &OAuthGrant, events: &[NewEvent]) -> StoreResult<()>;
    async fn get_oauth_grant(&self, id: &str) -> StoreResult<Option<OAuthGrant>>;
    /// A refresh token by its id, with its grant.
    async fn get_oauth_refresh_token(
        &self,
        id: &str,
    ) -> StoreResult<Option<(OAuthRefreshToken, OAuthGrant)>>;
    /// Records a refresh: the grant's `secret_id` and `refreshed_at`, and with `rotation`
    /// (`(old id, new token)`) the old refresh token replaced by the new one. `false` (nothing
    /// written) when the grant was revoked or the old token replaced meanwhile.
    async fn refresh_oauth_grant(
        &self,
        grant: &OAuthGrant,
        rotation: Option<(&str, &OAuthRefreshToken)>,
        events: &[NewEvent],
    ) -> StoreResult<bool>;
    async fn revoke_oauth_grant(
        &self,
        id: &str,
        at: Timestamp,
        events: &[NewEvent],
    ) -> StoreResult<()>;
}
