//! The authorization endpoint's rules (RFC 6749 §4.1.1, §4.1.2; RFC 7636 §4.3): which requests
//! may be answered by a redirect, and the codes an approval gives.

use serde_json::json;

use super::secrets::{is_pkce_text, new_selector_token, CODE_PREFIX};
use super::{OAuthErrorCode, Params};
use crate::domain::CodeChallengeMethod;
use crate::service::credentials::hash_secret;
use crate::service::events::{event, kinds, Actor};
use crate::service::{App, ServiceError, ServiceResult};
use crate::store::{OAuthClient, OAuthCode, Org};

/// The parameters of an authorization request (a query string, a form, or the admin API's).
pub type AuthorizationParams = Params;

/// A valid authorization request: what the approval page shows, and what a code is bound to.
#[derive(Debug, Clone)]
pub struct Authorization {
    pub client: OAuthClient,
    pub org: Org,
    /// One of the client's registered redirect URIs, exactly.
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: Option<(String, CodeChallengeMethod)>,
}

/// Why an authorization request was refused.
#[derive(Debug)]
pub enum AuthorizeError {
    /// The client or the redirect URI is missing or wrong: the user is told on a page, never
    /// redirected (RFC 6749 §4.1.2.1), so that the endpoint cannot be used as an open redirector.
    NoRedirect(String),
    /// Sent back to the client's redirect URI with `error`, `error_description` and `state`.
    Redirect {
        redirect: String,
        code: OAuthErrorCode,
        description: String,
    },
    Service(ServiceError),
}

impl From<ServiceError> for AuthorizeError {
    fn from(err: ServiceError) -> Self {
        AuthorizeError::Service(err)
    }
}

impl From<crate::store::StoreError> for AuthorizeError {
    fn from(err: crate::store::StoreError) -> Self {
        AuthorizeError::Service(err.into())
    }
}

/// An approval: the code, and where the user agent goes with it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Approval {
    /// The authorization code (single use, valid `--oauth-code-lifetime`).
    pub code: String,
    /// `redirect_uri?code=...&state=...`
    pub redirect: String,
}

/// `uri` with the parameters appended to its query (RFC 6749 §4.1.2: the URI's own query is
/// kept).
pub fn redirect_with(uri: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let Ok(mut url) = url::Url::parse(uri) else {
        // Registered URIs parse (checked when registered); keep the answer well-formed anyway.
        return uri.to_string();
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
    }
    url.to_string()
}

impl Authorization {
    /// The redirect of a refusal with `code`.
    fn refused(&self, code: OAuthErrorCode, description: &str) -> String {
        redirect_with(
            &self.redirect_uri,
            &[
                ("error", Some(code.as_ref())),
                ("error_description", Some(description)),
                ("state", self.state.as_deref()),
            ],
        )
    }
}

impl App {
    /// Checks an authorization request. `repeated` names the parameters given more than once.
    pub async fn check_authorization(
        &self,
        params: &Params,
        repeated: &[String],
    ) -> Result<Authorization, AuthorizeError> {
        let no_redirect = |text: &str| Err(AuthorizeError::NoRedirect(text.to_string()));
        if repeated
            .iter()
            .any(|r| r == "client_id" || r == "redirect_uri")
        {
            return no_redirect("client_id and redirect_uri must each be given once");
        }
        let Some(client_id) = params.get("client_id") else {
            return no_redirect(
                "the request has no client_id: the identity provider must send its Client ID",
            );
        };
        let Some(client) = self.store.get_oauth_client(client_id).await? else {
            return no_redirect(
                "unknown client_id: no OAuth client has that Client ID (it may have been deleted)",
            );
        };
        let Some(redirect_uri) = params.get("redirect_uri") else {
            return no_redirect("the request has no redirect_uri: it must be one of the client's registered redirect URIs");
        };
        if !client.redirect_uris.iter().any(|r| r == redirect_uri) {
            return no_redirect("redirect_uri is not registered for this client (URIs are compared exactly): add it to the client's redirect_uris in the admin API");
        }
        let org = self.require_org(&client.org_id).await?;
        let mut authorization = Authorization {
            redirect_uri: redirect_uri.to_string(),
            state: params.get("state").map(str::to_string),
            code_challenge: None,
            client,
            org,
        };
        let refuse = |authorization: &Authorization, code: OAuthErrorCode, description: &str| {
            Err(AuthorizeError::Redirect {
                redirect: authorization.refused(code, description),
                code,
                description: description.to_string(),
            })
        };
        let invalid = OAuthErrorCode::InvalidRequest;
        if let Some(name) = repeated.first() {
            let text = format!("the parameter {name} is given more than once");
            return refuse(&authorization, invalid, &text);
        }
        match params.get("response_type") {
            None => {
                return refuse(
                    &authorization,
                    invalid,
                    "response_type is missing: send response_type=code",
                )
            }
            Some("code") => {}
            Some(_) => {
                return refuse(
                    &authorization,
                    OAuthErrorCode::UnsupportedResponseType,
                    "only response_type=code is supported",
                )
            }
        }
        // `scope` is accepted and ignored: ABM's clients send none, and there is one scope.
        let method = match params.get("code_challenge_method") {
            None => CodeChallengeMethod::Plain,
            Some(raw) => match raw.parse::<CodeChallengeMethod>() {
                Ok(method) => method,
                Err(_) => {
                    return refuse(
                        &authorization,
                        invalid,
                        "code_challenge_method must be S256 or plain",
                    )
                }
            },
        };
        match params.get("code_challenge") {
            Some(challenge) if is_pkce_text(challenge) => {
                authorization.code_challenge = Some((challenge.to_string(), method));
            }
            Some(_) => {
                return refuse(
                    &authorization,
                    invalid,
                    "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)",
                )
            }
            None if params.get("code_challenge_method").is_some() => {
                return refuse(
                    &authorization,
                    invalid,
                    "code_challenge_method was given without a code_challenge",
                )
            }
            None => {}
        }
        Ok(authorization)
    }

    /// The administrator allowed the client: a code bound to the client, the redirect URI and
    /// the PKCE challenge.
    pub async fn approve_authorization(
        &self,
        authorization: &Authorization,
    ) -> ServiceResult<Approval> {
        let now = self.now().await?;
        let (id, code) = new_selector_token(CODE_PREFIX);
        let (challenge, method) = match &authorization.code_challenge {
            Some((challenge, method)) => (Some(challenge.clone()), Some(*method)),
            None => (None, None),
        };
        let row = OAuthCode {
            id,
            code_hash: hex::encode(hash_secret(&code)),
            client_id: authorization.client.id.clone(),
            org_id: authorization.org.id.clone(),
            redirect_uri: authorization.redirect_uri.clone(),
            code_challenge: challenge,
            code_challenge_method: method,
            created_at: now,
            expires_at: now.saturating_add(self.settings.oauth.code_lifetime),
            used_at: None,
            grant_id: None,
        };
        let events = [event(
            &authorization.org.id,
            now,
            kinds::OAUTH_AUTHORIZATION_GRANTED,
            &Actor::Admin,
            None,
            json!({
                "client_id": row.client_id,
                "redirect_uri": row.redirect_uri,
                "code_challenge_method": method.map(CodeChallengeMethod::as_str),
            }),
        )];
        self.store.insert_oauth_code(&row, &events).await?;
        let redirect = redirect_with(
            &authorization.redirect_uri,
            &[
                ("code", Some(&code)),
                ("state", authorization.state.as_deref()),
            ],
        );
        Ok(Approval { code, redirect })
    }

    /// The administrator did not allow the client: the redirect with `access_denied`.
    pub async fn deny_authorization(&self, authorization: &Authorization) -> ServiceResult<String> {
        let now = self.now().await?;
        let events = [event(
            &authorization.org.id,
            now,
            kinds::OAUTH_AUTHORIZATION_DENIED,
            &Actor::Admin,
            None,
            json!({ "client_id": authorization.client.id, "redirect_uri": authorization.redirect_uri }),
        )];
        self.store.append_events(&events).await?;
        Ok(authorization.refused(
            OAuthErrorCode::AccessDenied,
            "the administrator did not allow the identity provider to sync users",
        ))
    }

    /// The admin API's approval, without a browser: the organization's client, `redirect_uri`
    /// and optional `state` and PKCE challenge, checked as the authorization endpoint checks
    /// them (refusals are 400s with the RFC 6749 code).
    pub async fn admin_authorization(
        &self,
        org_id: &str,
        mut params: Params,
    ) -> ServiceResult<Approval> {
        self.require_org(org_id).await?;
        let state = self.oauth_client(org_id).await?;
        params.set("client_id", Some(&state.client.id));
        params.set("response_type", Some("code"));
        let authorization = match self.check_authorization(&params, &[]).await {
            Ok(authorization) => authorization,
            Err(AuthorizeError::NoRedirect(detail)) => {
                return Err(ServiceError::bad_request("invalid_redirect_uri", detail))
            }
            Err(AuthorizeError::Redirect {
                code, description, ..
            }) => return Err(ServiceError::bad_request(code.into(), description)),
            Err(AuthorizeError::Service(err)) => return Err(err),
        };
        self.approve_authorization(&authorization).await
    }
}
