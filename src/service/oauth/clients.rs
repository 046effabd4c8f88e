//! The OAuth client of an organization and its secrets, under ABM's rules for tokens: one client
//! per organization, at most two live secrets, the only live secret cannot be revoked, a secret
//! lives 6, 9 or 12 calendar months. Creating the client (or a secret while disconnected)
//! connects SCIM as creating a token does.

use serde_json::json;

use super::secrets::new_client_secret;
use crate::domain::{SecretLifetime, Timestamp};
use crate::service::connection::{SecretStatus, MAX_LIVE_TOKENS};
use crate::service::credentials::hash_secret;
use crate::service::events::{event, kinds, Actor};
use crate::service::{App, ServiceError, ServiceResult};
use crate::store::{OAuthClient, OAuthSecret, StoreError};

/// Redirect URIs a client may register.
const MAX_REDIRECT_URIS: usize = 10;
/// Longest redirect URI accepted.
const MAX_REDIRECT_URI_LEN: usize = 2000;

/// What an admin gives to create the client.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub name: String,
    pub redirect_uris: Vec<String>,
    /// 6, 9 or 12; `None` means 12.
    pub secret_lifetime_months: Option<u64>,
}

/// A change to the client; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ClientChange {
    pub name: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
}

/// A new secret, shown once.
#[derive(Debug, Clone)]
pub struct IssuedSecret {
    pub client: OAuthClient,
    pub secret_id: String,
    /// The secret itself: in this value only; only its hash is stored.
    pub client_secret: String,
    pub expires_at: Timestamp,
}

/// The client with its secrets (never their values).
#[derive(Debug, Clone)]
pub struct OAuthClientState {
    pub client: OAuthClient,
    pub secrets: Vec<OAuthSecret>,
}

fn no_client(org_id: &str) -> ServiceError {
    ServiceError::not_found(format!(
        "organization {org_id} has no OAuth client: create one with POST /admin/v1/orgs/{org_id}/scim/oauth-client"
    ))
}

fn client_name(raw: &str) -> ServiceResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::bad_request(
            "invalid_name",
            "name must be 1 to 200 characters",
        ));
    }
    Ok(name.to_string())
}

/// Checks redirect URIs (absolute, no fragment: RFC 6749 §3.1.2) and drops repeats. They are
/// kept as given: the authorization endpoint compares them exactly.
fn redirect_uris(raw: Vec<String>) -> ServiceResult<Vec<String>> {
    let invalid = |detail: String| ServiceError::bad_request("invalid_redirect_uri", detail);
    if raw.is_empty() || raw.len() > MAX_REDIRECT_URIS {
        return Err(invalid(format!(
            "redirect_uris must hold 1 to {MAX_REDIRECT_URIS} URIs"
        )));
    }
    let mut kept: Vec<String> = Vec::new();
    for uri in raw {
        if uri.len() > MAX_REDIRECT_URI_LEN || uri.trim() != uri {
            return Err(invalid(format!(
                "a redirect URI is at most {MAX_REDIRECT_URI_LEN} characters, without surrounding spaces"
            )));
        }
        let parsed = url::Url::parse(&uri)
            .map_err(|e| invalid(format!("{uri:?} is not an absolute URI: {e}")))?;
        if parsed.fragment().is_some() || uri.contains('#') {
            return Err(invalid(format!(
                "{uri:?} has a fragment (#...), which a redirect URI must not have"
            )));
        }
        if parsed.cannot_be_a_base() {
            return Err(invalid(format!(
                "{uri:?} is not a URL an authorization can be sent back to"
            )));
        }
        if !kept.contains(&uri) {
            kept.push(uri);
        }
    }
    Ok(kept)
}

fn lifetime(months: Option<u64>) -> ServiceResult<SecretLifetime> {
    match months {
        None => Ok(SecretLifetime::default()),
        Some(months) => SecretLifetime::from_months(months).ok_or_else(|| {
            ServiceError::bad_request(
                "invalid_lifetime",
                format!("a client secret lives 6, 9 or 12 months, not {months}"),
            )
        }),
    }
}

impl App {
    /// A new secret row of `client` (not stored yet) and its value.
    fn mint_secret(
        client: &OAuthClient,
        lifetime: SecretLifetime,
        now: Timestamp,
    ) -> (OAuthSecret, String) {
        let value = new_client_secret();
        let secret = OAuthSecret {
            id: uuid::Uuid::new_v4().to_string(),
            client_id: client.id.clone(),
            org_id: client.org_id.clone(),
            secret_hash: hex::encode(hash_secret(&value)),
            created_at: now,
            expires_at: now.add_months(lifetime.months()),
            last_used_at: None,
            revoked_at: None,
            expiring_notified: false,
            expired_notified: false,
        };
        (secret, value)
    }

    /// Creates the organization's OAuth client with its first secret, connecting SCIM if it was
    /// disconnected (state `pending` until the first authorised SCIM request).
    pub async fn create_oauth_client(
        &self,
        org_id: &str,
        new: NewClient,
    ) -> ServiceResult<IssuedSecret> {
        let name = client_name(&new.name)?;
        let uris = redirect_uris(new.redirect_uris)?;
        let lifetime = lifetime(new.secret_lifetime_months)?;
        let mut org = self.require_org(org_id).await?;
        let exists = || {
            ServiceError::conflict(
                "oauth_client_exists",
                "the organization has an OAuth client already: change it (PATCH) or delete it first",
            )
        };
        if self.store.get_org_oauth_client(&org.id).await?.is_some() {
            return Err(exists());
        }
        let now = self.now().await?;
        let credentials = self.credentials(&org.id).await?;
        let start = Self::plan_connection(&org, &credentials, now)?;
        let client = OAuthClient {
            id: format!("SCIM.{}", uuid::Uuid::new_v4()),
            org_id: org.id.clone(),
            name,
            redirect_uris: uris,
            created_at: now,
            updated_at: now,
        };
        let (secret, value) = Self::mint_secret(&client, lifetime, now);
        self.start_connection(&mut org, &start, &credentials, now)
            .await?;
        let events = [
            event(
                &org.id,
                now,
                kinds::OAUTH_CLIENT_CREATED,
                &Actor::Admin,
                None,
                json!({ "client_id": client.id, "name": client.name, "redirect_uris": client.redirect_uris }),
            ),
            secret_created(&secret),
        ];
        self.store
            .insert_oauth_client(&client, &secret, &events)
            .await
            .map_err(|err| match err {
                // Another request created one meanwhile (the unique index on the organization).
                StoreError::Conflict(_) => exists(),
                err => err.into(),
            })?;
        Ok(IssuedSecret {
            client,
            secret_id: secret.id,
            client_secret: value,
            expires_at: secret.expires_at,
        })
    }

    /// The organization's client, if any, with its secrets.
    pub async fn find_oauth_client(&self, org_id: &str) -> ServiceResult<Option<OAuthClientState>> {
        let Some(client) = self.store.get_org_oauth_client(org_id).await? else {
            return Ok(None);
        };
        let secrets = self.store.list_oauth_secrets(org_id).await?;
        Ok(Some(OAuthClientState { client, secrets }))
    }

    /// The organization's client with its secrets, or 404.
    pub async fn oauth_client(&self, org_id: &str) -> ServiceResult<OAuthClientState> {
        self.require_org(org_id).await?;
        self.note_token_expiry(org_id).await?;
        self.find_oauth_client(org_id)
            .await?
            .ok_or_else(|| no_client(org_id))
    }

    /// Changes the client's name or redirect URIs (codes already given keep the URI they were
    /// given for, and are refused at the token endpoint if it no longer matches theirs).
    pub async fn update_oauth_client(
        &self,
        org_id: &str,
        change: ClientChange,
    ) -> ServiceResult<OAuthClientState> {
        let name = change.name.as_deref().map(client_name).transpose()?;
        let uris = change.redirect_uris.map(redirect_uris).transpose()?;
        let mut state = self.oauth_client(org_id).await?;
        let now = self.now().await?;
        let client = &mut state.client;
        if let Some(name) = name {
            client.name = name;
        }
        if let Some(uris) = uris {
            client.redirect_uris = uris;
        }
        client.updated_at = now;
        let events = [event(
            org_id,
            now,
            kinds::OAUTH_CLIENT_UPDATED,
            &Actor::Admin,
            None,
            json!({ "client_id": client.id, "name": client.name, "redirect_uris": client.redirect_uris }),
        )];
        self.store.update_oauth_client(client, &events).await?;
        Ok(state)
    }

    /// Deletes the client: every secret, code, refresh token and access token of it stops
    /// working at once.
    pub async fn delete_oauth_client(&self, org_id: &str) -> ServiceResult<()> {
        let state = self.oauth_client(org_id).await?;
        let now = self.now().await?;
        let live = state
            .secrets
            .iter()
            .filter(|s| s.revoked_at.is_none())
            .count();
        let events = [event(
            org_id,
            now,
            kinds::OAUTH_CLIENT_DELETED,
            &Actor::Admin,
            None,
            json!({ "client_id": state.client.id, "secrets_revoked": live }),
        )];
        if self
            .store
            .delete_oauth_client(&state.client.id, &events)
            .await?
        {
            Ok(())
        } else {
            Err(no_client(org_id))
        }
    }

    /// A second secret (ABM: "+Client Secret"), for rotation without a gap.
    pub async fn create_oauth_secret(
        &self,
        org_id: &str,
        lifetime_months: Option<u64>,
    ) -> ServiceResult<IssuedSecret> {
        let lifetime = lifetime(lifetime_months)?;
        let mut org = self.require_org(org_id).await?;
        let client = self
            .store
            .get_org_oauth_client(&org.id)
            .await?
            .ok_or_else(|| no_client(org_id))?;
        let now = self.now().await?;
        let credentials = self.credentials(&org.id).await?;
        let start = Self::plan_connection(&org, &credentials, now)?;
        let live = credentials
            .secrets
            .iter()
            .filter(|s| !start.void_secrets.contains(&s.id) && SecretStatus::of(s, now).is_live())
            .count();
        if live >= MAX_LIVE_TOKENS {
            return Err(ServiceError::conflict(
                "secret_limit",
                "the client already has two live secrets: revoke one first",
            ));
        }
        let (secret, value) = Self::mint_secret(&client, lifetime, now);
        self.start_connection(&mut org, &start, &credentials, now)
            .await?;
        self.store
            .insert_oauth_secret(&secret, &[secret_created(&secret)])
            .await?;
        Ok(IssuedSecret {
            client,
            secret_id: secret.id,
            client_secret: value,
            expires_at: secret.expires_at,
        })
    }

    /// Revokes one secret and every grant it last authenticated (their refresh and access
    /// tokens), effective on the next request. The only live secret cannot be revoked.
    pub async fn revoke_oauth_secret(&self, org_id: &str, secret_id: &str) -> ServiceResult<()> {
        self.require_org(org_id).await?;
        let now = self.now().await?;
        let secrets = self.store.list_oauth_secrets(org_id).await?;
        let secret = secrets.iter().find(|s| s.id == secret_id).ok_or_else(|| {
            ServiceError::not_found(format!("no client secret {secret_id} in this organization"))
        })?;
        if secret.revoked_at.is_some() {
            return Ok(());
        }
        let live = secrets
            .iter()
            .filter(|s| SecretStatus::of(s, now).is_live())
            .count();
        if SecretStatus::of(secret, now).is_live() && live <= 1 {
            return Err(ServiceError::conflict(
                "last_secret",
                "this is the only live client secret: disconnect SCIM (DELETE /admin/v1/orgs/{org}/scim) or delete the OAuth client instead",
            ));
        }
        let events = [event(
            org_id,
            now,
            kinds::OAUTH_SECRET_REVOKED,
            &Actor::Admin,
            None,
            json!({ "client_id": secret.client_id, "secret_id": secret.id }),
        )];
        self.store
            .revoke_oauth_secrets(std::slice::from_ref(&secret.id), now, &events)
            .await?;
        Ok(())
    }

    /// Revokes every secret of the organization not revoked yet (disconnection); returns how
    /// many.
    pub(crate) async fn revoke_all_oauth_secrets(
        &self,
        org_id: &str,
        now: Timestamp,
    ) -> ServiceResult<u64> {
        let ids: Vec<String> = self
            .store
            .list_oauth_secrets(org_id)
            .await?
            .into_iter()
            .filter(|s| s.revoked_at.is_none())
            .map(|s| s.id)
            .collect();
        if !ids.is_empty() {
            self.store.revoke_oauth_secrets(&ids, now, &[]).await?;
        }
        Ok(ids.len() as u64)
    }
}

fn secret_created(secret: &OAuthSecret) -> crate::store::NewEvent {
    event(
        &secret.org_id,
        secret.created_at,
        kinds::OAUTH_SECRET_CREATED,
        &Actor::Admin,
        None,
        json!({
            "client_id": secret.client_id,
            "secret_id": secret.id,
            "expires_at": secret.expires_at.to_datetime(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_absolute_without_fragments() {
        let ok = redirect_uris(vec![
            "https://idp.example/callback".into(),
            "https://idp.example/callback".into(),
            "http://127.0.0.1:9000/cb?x=1".into(),
        ])
        .unwrap();
        assert_eq!(ok.len(), 2, "repeats dropped: {ok:?}");
        for bad in [
            "/relative",
            "https://idp.example/cb#frag",
            " https://a.example/",
            "mailto:x@y.z",
        ] {
            assert!(redirect_uris(vec![bad.into()]).is_err(), "{bad}");
        }
        assert!(redirect_uris(Vec::new()).is_err());
        assert!(redirect_uris(vec!["https://a.example/".into(); 11]).is_err());
    }
}
