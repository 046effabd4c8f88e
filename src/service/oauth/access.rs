//! OAuth access tokens: HS256 JWTs whose `oauth` claim names the client, the secret and the
//! grant they were obtained with. They are not stored; a SCIM request checks that the secret
//! and the grant still stand, so revoking either (or deleting the client) revokes every access
//! token obtained through it on the next request.

use crate::domain::Timestamp;
use crate::service::auth::ScimMount;
use crate::service::connect::{UsedCredential, LAST_USED_RESOLUTION};
use crate::service::credentials::{Claims, OAuthClaims};
use crate::service::{App, ServiceError, ServiceResult};
use crate::store::{OAuthSecret, Org};

/// What an access token stands on, as read from the database (and cached like SCIM tokens,
/// see `auth_cache`).
#[derive(Debug, Clone)]
pub struct FoundAccess {
    secret: OAuthSecret,
    org: Org,
    /// The token's grant was revoked or is gone (always `false` without a grant).
    grant_revoked: bool,
}

fn invalid(detail: &str) -> ServiceError {
    ServiceError::InvalidToken(detail.to_string())
}

impl App {
    /// Signs an access token for the client; returns it with its lifetime in seconds.
    pub(super) fn mint_access_token(
        &self,
        org_id: &str,
        client_id: &str,
        secret_id: &str,
        grant_id: Option<&str>,
        now: Timestamp,
    ) -> ServiceResult<(String, u64)> {
        let lifetime = self.settings.oauth.access_token_lifetime;
        let claims = Claims {
            iss: "abm-scim".into(),
            org: org_id.to_string(),
            jti: uuid::Uuid::new_v4().to_string(),
            iat: now.unix_seconds(),
            exp: now.saturating_add(lifetime).unix_seconds(),
            oauth: Some(OAuthClaims {
                cid: client_id.to_string(),
                sid: secret_id.to_string(),
                gid: grant_id.map(str::to_string),
            }),
        };
        Ok((self.keys().sign(&claims)?, lifetime.as_secs()))
    }

    /// Authorises a SCIM request made with an access token (signature already checked):
    /// unexpired, its secret live and its grant standing, for an organization that syncs with
    /// SCIM. Returns the organization and the secret's id.
    pub(in crate::service) async fn authorize_access_token(
        &self,
        claims: &Claims,
        key: &[u8; 32],
        generation: u64,
        now: Timestamp,
        mount: ScimMount,
    ) -> ServiceResult<(Org, String)> {
        let Some(oauth) = &claims.oauth else {
            return Err(invalid("invalid token"));
        };
        if now >= claims.expires_at() {
            return Err(invalid(
                "access token expired: refresh it at the token endpoint (grant_type=refresh_token)",
            ));
        }
        let cached = self.access_cache.get(key, generation);
        let from_cache = cached.is_some();
        let found = match cached {
            Some(found) => found,
            None => self.find_access(oauth).await?,
        };
        let FoundAccess {
            secret,
            org,
            grant_revoked,
        } = &found;
        if secret.org_id != claims.org || secret.client_id != oauth.cid {
            return Err(invalid("invalid token"));
        }
        if secret.revoked_at.is_some() || *grant_revoked {
            return Err(invalid(
                "access token revoked (its client secret or its authorisation was revoked, or SCIM was disconnected): authorise the client again",
            ));
        }
        if now >= secret.expires_at {
            return Err(invalid(
                "the client secret this access token was obtained with expired: an admin must create a new secret and authorise again",
            ));
        }
        self.check_scim_reachable(org, mount)?;
        if secret
            .last_used_at
            .is_none_or(|used| now.since(used) >= LAST_USED_RESOLUTION)
        {
            self.note_scim_use(
                org,
                UsedCredential::Secret(&secret.id),
                secret.last_used_at.is_none(),
                now,
                || {
                    invalid("connection expired: the OAuth client was not used within 4 days of connecting; create a new client secret and authorise again")
                },
            )
            .await?;
            // Cached as the row now is (see `authorize_scim`).
            let mut used = found.clone();
            used.secret.last_used_at = Some(now);
            self.access_cache.put(*key, used, generation);
        } else if !from_cache {
            self.access_cache.put(*key, found.clone(), generation);
        }
        Ok((found.org, found.secret.id))
    }

    async fn find_access(&self, oauth: &OAuthClaims) -> ServiceResult<FoundAccess> {
        let (secret, org) = self
            .store
            .get_oauth_secret_with_org(&oauth.sid)
            .await?
            .ok_or_else(|| {
                invalid("access token revoked: its OAuth client was deleted; authorise again")
            })?;
        let grant_revoked = match &oauth.gid {
            Some(gid) => self
                .store
                .get_oauth_grant(gid)
                .await?
                .is_none_or(|g| g.revoked_at.is_some() || g.client_id != oauth.cid),
            None => false,
        };
        Ok(FoundAccess {
            secret,
            org,
            grant_revoked,
        })
    }
}
