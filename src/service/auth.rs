//! Authorisation of requests: SCIM bearer tokens (HS256 JWTs backed by a token row, see
//! [`credentials`](super::credentials)), OAuth access tokens (see `oauth::access`) and the admin
//! token.

use subtle::ConstantTimeEq;

use super::auth_cache::{AuthCache, FoundToken};
use super::connect::{UsedCredential, LAST_USED_RESOLUTION};
use super::credentials::{hash_secret, Claims, Keys};
use super::events::Actor;
use super::{App, ServiceError, ServiceResult};
use crate::domain::{OrgKind, SyncSource, Timestamp};
use crate::store::Org;

/// A SCIM token past its expiry (its own `exp`, or its row's after a renewal).
fn token_expired() -> ServiceError {
    ServiceError::Unauthorized("token expired: renew it and update the identity provider".into())
}

/// The SCIM path a request came in on: a product's own (`/feeds/business/scim`,
/// `/feeds/school/scim`), where only that product's organizations are served, or the
/// `/scim/v2` alias, which serves every organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimMount {
    Feed(OrgKind),
    Alias,
}

impl ScimMount {
    /// The mount a request path starts with.
    pub fn of_path(path: &str) -> Self {
        [OrgKind::Business, OrgKind::School]
            .into_iter()
            .find(|kind| path.starts_with(kind.scim_path()))
            .map_or(ScimMount::Alias, ScimMount::Feed)
    }

    /// The path this mount is served at.
    pub fn path(self) -> &'static str {
        match self {
            ScimMount::Feed(kind) => kind.scim_path(),
            ScimMount::Alias => "/scim/v2",
        }
    }
}

/// The organization and credential behind an authorised SCIM request.
#[derive(Debug, Clone)]
pub struct ScimPrincipal {
    pub org: Org,
    /// The SCIM token's id, or for an OAuth access token the id of the client secret it was
    /// obtained with.
    pub token_id: String,
}

impl ScimPrincipal {
    pub fn actor(&self) -> Actor {
        Actor::Scim(self.token_id.clone())
    }
}

impl App {
    /// The token row and organization behind a presented token: one of our JWTs (signature,
    /// expiry and stored hash checked) or an opaque seeded token, found by its hash.
    async fn find_token(
        &self,
        decoded: Option<Claims>,
        key: &[u8; 32],
        now: Timestamp,
    ) -> ServiceResult<FoundToken> {
        match decoded {
            Some(claims) => {
                let claims_expire_at = claims.expires_at();
                if now >= claims_expire_at {
                    return Err(token_expired());
                }
                let (record, org) = self.store.get_token_with_org(&claims.jti, false).await?.ok_or_else(|| {
                    ServiceError::Unauthorized(
                        "invalid token: unknown token (revoked by disconnection or organization deleted)".into(),
                    )
                })?;
                let matches: bool = hex::encode(key)
                    .as_bytes()
                    .ct_eq(record.token_hash.as_bytes())
                    .into();
                if !matches || record.org_id != claims.org {
                    return Err(ServiceError::Unauthorized("invalid token".into()));
                }
                Ok(FoundToken {
                    record,
                    org,
                    claims_expire_at,
                })
            }
            // Not one of our JWTs: it may be an opaque token with a fixed secret from a seed
            // file, found by the hash of the whole secret.
            None => {
                let (record, org) = self
                    .store
                    .get_token_with_org(&hex::encode(key), true)
                    .await?
                    .ok_or_else(|| {
                        ServiceError::Unauthorized(
                            "invalid token: not a SCIM token issued by this server".into(),
                        )
                    })?;
                Ok(FoundToken {
                    record,
                    org,
                    claims_expire_at: Timestamp::MAX,
                })
            }
        }
    }

    /// Builds the app around its store and clock.
    pub(crate) fn assemble(
        store: std::sync::Arc<dyn crate::store::Store>,
        clock: std::sync::Arc<dyn crate::clock::Clock>,
        settings: super::Settings,
        jwt_secret: &[u8],
        admin_token_hash: [u8; 32],
    ) -> Self {
        // The TTL bounds how long another process's change takes to be seen; a private database
        // has no other process, so its entries stay good until this process writes.
        let auth_cache_ttl = if store.is_private() && !settings.auth_cache_ttl.is_zero() {
            std::time::Duration::MAX
        } else {
            settings.auth_cache_ttl
        };
        Self {
            clock,
            journal: super::journal::Journal::new(
                store.clone(),
                settings.journal_capacity,
                settings.journal_queue,
            ),
            faults: super::faults::Faults::new(store.clone(), settings.auth_cache_ttl),
            metrics: std::sync::Arc::new(crate::metrics::Metrics::new()),
            credentials: Default::default(),
            auth_cache: AuthCache::new(auth_cache_ttl),
            access_cache: AuthCache::new(auth_cache_ttl),
            expiry_notes: tokio::sync::Mutex::new(()),
            settings,
            keys: Keys::new(jwt_secret, admin_token_hash),
            store,
        }
    }

    pub(super) fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Checks the admin token in constant time.
    pub fn authorize_admin(&self, presented: Option<&str>) -> ServiceResult<()> {
        let presented = presented.ok_or_else(|| {
            ServiceError::Unauthorized(
                "missing bearer token: send Authorization: Bearer <admin token>".into(),
            )
        })?;
        let ok: bool = hash_secret(presented)
            .ct_eq(&self.keys.admin_token_hash)
            .into();
        if ok {
            Ok(())
        } else {
            Err(ServiceError::Unauthorized("invalid admin token".into()))
        }
    }

    /// One of our JWTs, signature checked (expiry is checked against our own clock).
    pub(super) fn decode_claims(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.keys.decoding, &self.keys.validation)
            .ok()
            .map(|data| data.claims)
    }

    /// Authorises a SCIM request: a well-signed, unexpired token whose row exists, matches and is
    /// not revoked, for an organization that syncs with SCIM; or an OAuth access token (see
    /// `oauth::access`). The row and organization come from the database, or from the
    /// [`AuthCache`](super::auth_cache) when they were read after the last change to tokens or
    /// organizations made in this process (and less than its TTL ago), so a revocation takes
    /// effect on the very next request.
    ///
    /// `mount` is where the request came in: a credential of the other product's organization
    /// is refused there (401 naming the right base URL), before it counts as a use.
    pub async fn authorize_scim(
        &self,
        presented: Option<&str>,
        mount: ScimMount,
    ) -> ServiceResult<ScimPrincipal> {
        let token = presented.ok_or_else(|| {
            ServiceError::Unauthorized(
                "missing bearer token: send Authorization: Bearer <SCIM token>".into(),
            )
        })?;
        let now = self.now().await?;
        let key = hash_secret(token);
        // Read before the row, so that a change committed meanwhile makes this entry stale.
        let generation = self.store.auth_generation();
        let cached = self.auth_cache.get(&key, generation);
        let from_cache = cached.is_some();
        let FoundToken {
            record,
            org,
            claims_expire_at,
        } = match cached {
            Some(found) => found,
            None => match self.decode_claims(token) {
                // A claim tells an OAuth access token from a static SCIM token.
                Some(claims) if claims.oauth.is_some() => {
                    let (org, secret_id) = self
                        .authorize_access_token(&claims, &key, generation, now, mount)
                        .await?;
                    return Ok(ScimPrincipal {
                        org,
                        token_id: secret_id,
                    });
                }
                decoded => self.find_token(decoded, &key, now).await?,
            },
        };
        if now >= claims_expire_at {
            return Err(token_expired());
        }
        if record.revoked_at.is_some() {
            return Err(ServiceError::Unauthorized(
                "token revoked: create a new token in the admin API".into(),
            ));
        }
        if now >= record.expires_at {
            return Err(token_expired());
        }
        self.check_scim_reachable(&org, mount)?;
        if record
            .last_used_at
            .is_none_or(|used| now.since(used) >= LAST_USED_RESOLUTION)
        {
            self.note_scim_use(
                &org,
                UsedCredential::Token(&record.id),
                record.last_used_at.is_none(),
                now,
                || {
                    ServiceError::Unauthorized(
                        "connection expired: the token was not used within 4 days of connecting; create a new token".into(),
                    )
                },
            )
            .await?;
            // Cached as the row now is: a cached copy with the old `last_used_at` would make
            // every later request write it again.
            let mut used = record.clone();
            used.last_used_at = Some(now);
            let found = FoundToken {
                record: used,
                org: org.clone(),
                claims_expire_at,
            };
            self.auth_cache.put(key, found, generation);
        } else if !from_cache {
            let found = FoundToken {
                record: record.clone(),
                org: org.clone(),
                claims_expire_at,
            };
            self.auth_cache.put(key, found, generation);
        }
        Ok(ScimPrincipal {
            org,
            token_id: record.id,
        })
    }
}

impl App {
    /// Whether a valid credential of `org` may make a SCIM request on `mount`: its product's
    /// path (401 otherwise: the credential is not one of this product's), SCIM as the sync
    /// source and no Student Information System connected (403: valid, but sync cannot run).
    pub(super) fn check_scim_reachable(&self, org: &Org, mount: ScimMount) -> ServiceResult<()> {
        if let ScimMount::Feed(kind) = mount {
            if kind != org.kind {
                return Err(ServiceError::Unauthorized(format!(
                    "this credential belongs to an {} organization, which is not served at {}: use its SCIM base URL, {}",
                    org.kind.product(),
                    kind.scim_path(),
                    self.scim_base_url(org.kind)
                )));
            }
        }
        if org.directory_sync_source != SyncSource::Scim {
            return Err(ServiceError::Forbidden(format!(
                "the organization's directory sync source is '{}', not SCIM: connect SCIM in the admin API first",
                org.directory_sync_source
            )));
        }
        if org.sis_connected {
            return Err(sis_connected_forbidden());
        }
        Ok(())
    }
}

/// SCIM while a school's Student Information System is connected (403).
fn sis_connected_forbidden() -> ServiceError {
    ServiceError::Forbidden(
        "directory sync cannot run while a Student Information System (SIS) connection or SFTP uploads are active: disconnect the Student Information System first (PATCH /admin/v1/orgs/{org} with sis_connected false)".into(),
    )
}
