//! The token endpoint's rules (RFC 6749 §3.2, §4.1.3, §5, §6; RFC 7636 §4.5): client
//! authentication (`client_auth`), then the grants `authorization_code`, `refresh_token` and
//! (when the organization allows it) `client_credentials`.

use serde::Serialize;
use serde_json::json;

use super::client_auth::Caller;
use super::secrets::{is_pkce_text, new_selector_token, pkce_matches, selector_of};
use super::secrets::{CODE_PREFIX, REFRESH_PREFIX};
use super::{OAuthError, OAuthErrorCode, Params, TokenCaller};
use crate::domain::{GrantType, Timestamp};
use crate::service::connection::SecretStatus;
use crate::service::credentials::{hash_secret, secret_matches};
use crate::service::events::{event, kinds, Actor};
use crate::service::App;
use crate::store::{OAuthGrant, OAuthRefreshToken};

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Clone, Serialize)]
pub struct IssuedTokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    /// Absent on a refresh unless refresh tokens rotate, and for `client_credentials`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// A token request's caller and answer.
#[derive(Debug)]
pub struct TokenOutcome {
    pub caller: TokenCaller,
    pub result: Result<IssuedTokens, OAuthError>,
}

impl App {
    /// Answers a token request: `authorization` is the `Authorization` header, if any, and
    /// `body` the form-encoded body (its content type checked by the caller).
    pub async fn token_request(&self, authorization: Option<&str>, body: &[u8]) -> TokenOutcome {
        let mut caller = TokenCaller::default();
        let result = self
            .answer_token_request(authorization, body, &mut caller)
            .await;
        if let (Err(OAuthError::Refused { code, description }), Some(org_id)) =
            (&result, &caller.org_id)
        {
            // Refusals of a known client go into its organization's activity.
            let client_id = caller.client_id.clone().unwrap_or_default();
            let refused = event(
                org_id,
                self.now().await.unwrap_or(Timestamp::from_micros(0)),
                kinds::OAUTH_GRANT_REFUSED,
                &Actor::OAuthClient(client_id.clone()),
                None,
                json!({
                    "client_id": client_id,
                    "grant_type": caller.grant_type,
                    "error": code,
                    "error_description": description,
                }),
            );
            if let Err(err) = self.store.append_events(&[refused]).await {
                tracing::warn!(error = %err, "could not record a refused token request");
            }
        }
        TokenOutcome { caller, result }
    }

    async fn answer_token_request(
        &self,
        authorization: Option<&str>,
        body: &[u8],
        seen: &mut TokenCaller,
    ) -> Result<IssuedTokens, OAuthError> {
        let params = Params::parse(body)?;
        seen.grant_type = params
            .get("grant_type")
            .map(|g| g.chars().take(64).collect());
        seen.client_id = params
            .get("client_id")
            .map(|c| c.chars().take(128).collect());
        let caller = self
            .authenticate_client(authorization, &params, seen)
            .await?;
        let grant_type = params.get("grant_type").ok_or_else(|| {
            OAuthError::invalid_request(
                "grant_type is missing: send authorization_code or refresh_token",
            )
        })?;
        let unsupported =
            |detail: &str| OAuthError::refused(OAuthErrorCode::UnsupportedGrantType, detail);
        match grant_type.parse::<GrantType>() {
            Ok(GrantType::AuthorizationCode) => self.exchange_code(&caller, &params).await,
            Ok(GrantType::RefreshToken) => self.refresh(&caller, &params).await,
            Ok(GrantType::ClientCredentials) if caller.org.oauth_client_credentials => {
                let now = self.now().await?;
                let (access_token, expires_in) =
                    self.mint_access_token(&caller.org.id, &caller.client.id, &caller.secret.id, None, now)?;
                Ok(IssuedTokens { access_token, token_type: "Bearer", expires_in, refresh_token: None })
            }
            Ok(GrantType::ClientCredentials) => Err(unsupported(
                "client_credentials is not supported: Apple Business Manager's flow is interactive (authorization_code); an emulator organization can allow it with oauth_client_credentials",
            )),
            Err(_) => Err(unsupported("grant_type must be authorization_code or refresh_token")),
        }
    }

    /// `grant_type=authorization_code`: a single-use code of this client, for this redirect
    /// URI, with its PKCE verifier.
    async fn exchange_code(
        &self,
        caller: &Caller,
        params: &Params,
    ) -> Result<IssuedTokens, OAuthError> {
        let presented = params
            .get("code")
            .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
        let redirect_uri = params.get("redirect_uri").ok_or_else(|| {
            OAuthError::invalid_request(
                "redirect_uri is missing: send the redirect_uri of the authorization request",
            )
        })?;
        let unknown = || OAuthError::invalid_grant("unknown code: authorise again");
        let id = selector_of(presented, CODE_PREFIX).ok_or_else(unknown)?;
        let code = self.store.get_oauth_code(id).await?.ok_or_else(unknown)?;
        if !secret_matches(presented, &code.code_hash) {
            return Err(unknown());
        }
        if code.client_id != caller.client.id {
            return Err(OAuthError::invalid_grant(
                "the code was issued to another client",
            ));
        }
        let now = self.now().await?;
        if code.used_at.is_some() {
            return Err(self
                .code_reused(caller, code.grant_id.as_deref(), now)
                .await);
        }
        if now >= code.expires_at {
            return Err(OAuthError::invalid_grant(
                "the code expired: authorise again",
            ));
        }
        if code.redirect_uri != redirect_uri {
            return Err(OAuthError::invalid_grant(
                "redirect_uri is not the one of the authorization request",
            ));
        }
        match (
            &code.code_challenge,
            code.code_challenge_method,
            params.get("code_verifier"),
        ) {
            (Some(challenge), Some(method), Some(verifier)) => {
                if !is_pkce_text(verifier) {
                    return Err(OAuthError::invalid_request(
                        "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)",
                    ));
                }
                if !pkce_matches(verifier, challenge, method) {
                    return Err(OAuthError::invalid_grant(
                        "code_verifier does not match the code_challenge",
                    ));
                }
            }
            (Some(_), _, None) => {
                return Err(OAuthError::invalid_grant(
                    "code_verifier is missing: the authorization request had a code_challenge",
                ))
            }
            (None, _, Some(_)) => {
                return Err(OAuthError::invalid_grant(
                    "code_verifier was sent, but the authorization request had no code_challenge",
                ))
            }
            _ => {}
        }
        let grant = OAuthGrant {
            id: uuid::Uuid::new_v4().to_string(),
            client_id: caller.client.id.clone(),
            org_id: caller.org.id.clone(),
            secret_id: caller.secret.id.clone(),
            created_at: now,
            refreshed_at: None,
            revoked_at: None,
        };
        let (refresh, refresh_token) = new_refresh_token(&grant.id, now);
        let events = [event(
            &caller.org.id,
            now,
            kinds::OAUTH_CODE_EXCHANGED,
            &Actor::OAuthClient(caller.client.id.clone()),
            None,
            json!({ "client_id": caller.client.id, "secret_id": caller.secret.id, "grant_id": grant.id }),
        )];
        if !self
            .store
            .redeem_oauth_code(&code.id, now, &grant, &refresh, &events)
            .await?
        {
            // Another request redeemed it between our read and our write.
            let grant_id = self
                .store
                .get_oauth_code(&code.id)
                .await?
                .and_then(|c| c.grant_id);
            return Err(self.code_reused(caller, grant_id.as_deref(), now).await);
        }
        let (access_token, expires_in) = self.mint_access_token(
            &caller.org.id,
            &caller.client.id,
            &caller.secret.id,
            Some(&grant.id),
            now,
        )?;
        Ok(IssuedTokens {
            access_token,
            token_type: "Bearer",
            expires_in,
            refresh_token: Some(refresh_token),
        })
    }

    /// A code presented again: the tokens issued for it are revoked (RFC 6749 §4.1.2).
    async fn code_reused(
        &self,
        caller: &Caller,
        grant_id: Option<&str>,
        now: Timestamp,
    ) -> OAuthError {
        if let Some(grant_id) = grant_id {
            if let Err(err) = self
                .revoke_grant(caller, grant_id, "code_reused", now)
                .await
            {
                return err;
            }
        }
        OAuthError::invalid_grant(
            "the code was used already: the tokens issued for it are revoked; authorise again",
        )
    }

    async fn revoke_grant(
        &self,
        caller: &Caller,
        grant_id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), OAuthError> {
        let events = [event(
            &caller.org.id,
            now,
            kinds::OAUTH_GRANT_REVOKED,
            &Actor::OAuthClient(caller.client.id.clone()),
            None,
            json!({ "client_id": caller.client.id, "grant_id": grant_id, "reason": reason }),
        )];
        self.store
            .revoke_oauth_grant(grant_id, now, &events)
            .await?;
        Ok(())
    }

    /// `grant_type=refresh_token`: a refresh token of this client whose grant stands and whose
    /// secret is live. The grant moves to the secret that authenticated this request, so a
    /// client that switched to a second secret keeps its grant when the first is revoked.
    async fn refresh(&self, caller: &Caller, params: &Params) -> Result<IssuedTokens, OAuthError> {
        let presented = params
            .get("refresh_token")
            .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
        let unknown = || {
            OAuthError::invalid_grant(
                "unknown refresh token (revoked with its client?): authorise again",
            )
        };
        let id = selector_of(presented, REFRESH_PREFIX).ok_or_else(unknown)?;
        let (refresh, mut grant) = self
            .store
            .get_oauth_refresh_token(id)
            .await?
            .ok_or_else(unknown)?;
        if !secret_matches(presented, &refresh.token_hash) {
            return Err(unknown());
        }
        if grant.client_id != caller.client.id {
            return Err(OAuthError::invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        let revoked = || {
            OAuthError::invalid_grant(
            "the refresh token was revoked (its client secret was revoked, SCIM was disconnected, or it was used after being replaced): authorise again",
        )
        };
        if grant.revoked_at.is_some() {
            return Err(revoked());
        }
        let now = self.now().await?;
        if refresh.replaced_at.is_some() {
            // A replaced refresh token presented again: someone holds a copy. The whole
            // family goes.
            self.revoke_grant(caller, &grant.id, "refresh_token_reused", now)
                .await?;
            return Err(revoked());
        }
        let bound_live = caller
            .secrets
            .iter()
            .find(|s| s.id == grant.secret_id)
            .is_some_and(|s| SecretStatus::of(s, now).is_live());
        if !bound_live {
            return Err(OAuthError::invalid_grant(
                "the client secret this refresh token was obtained with expired or was revoked: an admin must create a new secret and authorise again",
            ));
        }
        grant.secret_id = caller.secret.id.clone();
        grant.refreshed_at = Some(now);
        let rotated = self
            .settings
            .oauth
            .rotate_refresh_tokens
            .then(|| new_refresh_token(&grant.id, now));
        let rotation = rotated.as_ref().map(|(row, _)| (refresh.id.as_str(), row));
        if !self
            .store
            .refresh_oauth_grant(&grant, rotation, &[])
            .await?
        {
            if rotated.is_some() {
                self.revoke_grant(caller, &grant.id, "refresh_token_reused", now)
                    .await?;
            }
            return Err(revoked());
        }
        let (access_token, expires_in) = self.mint_access_token(
            &caller.org.id,
            &caller.client.id,
            &caller.secret.id,
            Some(&grant.id),
            now,
        )?;
        Ok(IssuedTokens {
            access_token,
            token_type: "Bearer",
            expires_in,
            refresh_token: rotated.map(|(_, token)| token),
        })
    }
}

/// A new refresh token of a grant: its row and its value.
fn new_refresh_token(grant_id: &str, now: Timestamp) -> (OAuthRefreshToken, String) {
    let (id, token) = new_selector_token(REFRESH_PREFIX);
    let row = OAuthRefreshToken {
        id,
        token_hash: hex::encode(hash_secret(&token)),
        grant_id: grant_id.to_string(),
        created_at: now,
        replaced_at: None,
    };
    (row, token)
}
