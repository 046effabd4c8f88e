//! ABM's second door (issue 14): OAuth 2 client secrets for custom identity providers.
//!
//! An organization has at most one OAuth client (`SCIM.<uuid>`) with at most two live client
//! secrets, under ABM's rules for tokens ([`clients`]). An administrator approves the client
//! once ([`authorize`]), which gives an authorization code; the identity provider exchanges it
//! at the token endpoint for an access token and a refresh token ([`token`]), and uses the
//! access token on SCIM requests ([`access`]). Codes, refresh tokens and secrets are random
//! strings stored hashed ([`secrets`]); access tokens are JWTs checked against their grant and
//! secret on every request, so revoking either revokes them.

pub mod access;
pub mod authorize;
mod client_auth;
pub mod clients;
mod expiry;
pub mod secrets;
pub mod token;

use std::time::Duration;

use serde::Serialize;
use strum::{AsRefStr, Display, IntoStaticStr};

use super::ServiceError;
use crate::domain::ClientAuthMethod;

pub use access::FoundAccess;
pub use authorize::{Approval, Authorization, AuthorizationParams, AuthorizeError};
pub use clients::{ClientChange, IssuedSecret, NewClient, OAuthClientState};
pub use token::{IssuedTokens, TokenOutcome};

/// The authorization server's settings (`--oauth-*`).
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// How long an authorization code can be exchanged (RFC 6749 §4.1.2 advises 10 minutes at
    /// most; 5 by default).
    pub code_lifetime: Duration,
    /// `expires_in` of access tokens (Apple's servers: 3600 s).
    pub access_token_lifetime: Duration,
    /// Issue a new refresh token on every refresh (and revoke the grant when an old one is
    /// presented again). Off by default: Apple's servers keep the refresh token.
    pub rotate_refresh_tokens: bool,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self {
            code_lifetime: Duration::from_secs(300),
            access_token_lifetime: Duration::from_secs(3600),
            rotate_refresh_tokens: false,
        }
    }
}

/// What a token request said about its caller, as the journal and the activity record it
/// (never a secret).
#[derive(Debug, Clone, Default)]
pub struct TokenCaller {
    /// The organization of the client, once `client_id` named a known client.
    pub org_id: Option<String>,
    pub client_id: Option<String>,
    pub grant_type: Option<String>,
    /// The secret that authenticated the request.
    pub secret_id: Option<String>,
    /// How the client tried to authenticate.
    pub auth_method: Option<ClientAuthMethod>,
}

/// The error codes of RFC 6749 (§4.1.2.1 and §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, AsRefStr, Display, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    ServerError,
    TemporarilyUnavailable,
}

/// Why the authorization server refused a request.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// Refused under RFC 6749: the code and a sentence saying what to do (never a secret).
    #[error("{code}: {description}")]
    Refused {
        code: OAuthErrorCode,
        description: String,
    },
    /// A failure of ours (database, clock), answered `server_error` or
    /// `temporarily_unavailable`.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl OAuthError {
    pub fn refused(code: OAuthErrorCode, description: impl Into<String>) -> Self {
        OAuthError::Refused {
            code,
            description: description.into(),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::refused(OAuthErrorCode::InvalidRequest, description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::refused(OAuthErrorCode::InvalidClient, description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::refused(OAuthErrorCode::InvalidGrant, description)
    }

    /// The RFC 6749 code, if the request was refused (not failed).
    pub fn code(&self) -> Option<OAuthErrorCode> {
        match self {
            OAuthError::Refused { code, .. } => Some(*code),
            OAuthError::Service(_) => None,
        }
    }
}

impl From<crate::store::StoreError> for OAuthError {
    fn from(err: crate::store::StoreError) -> Self {
        OAuthError::Service(err.into())
    }
}

impl From<crate::clock::ClockError> for OAuthError {
    fn from(err: crate::clock::ClockError) -> Self {
        OAuthError::Service(err.into())
    }
}

/// Request parameters (a query string or a form body), each given at most once (RFC 6749
/// §3.1, §3.2). A parameter sent without a value counts as omitted.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` text; a repeated parameter is refused.
    pub fn parse(encoded: &[u8]) -> Result<Self, OAuthError> {
        let (params, repeated) = Self::parse_keeping_first(encoded)?;
        match repeated.first() {
            Some(name) => Err(OAuthError::invalid_request(format!(
                "the parameter {name} is given more than once"
            ))),
            None => Ok(params),
        }
    }

    /// Parses `application/x-www-form-urlencoded` text, keeping the first value of a repeated
    /// parameter; also returns the names that were repeated (the authorization endpoint answers
    /// them differently depending on the parameter).
    pub fn parse_keeping_first(encoded: &[u8]) -> Result<(Self, Vec<String>), OAuthError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut repeated: Vec<String> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(encoded) {
            // PostgreSQL cannot store NUL in text, and no parameter of ours holds one.
            if name.contains('\0') || value.contains('\0') {
                return Err(OAuthError::invalid_request(
                    "parameters must not contain NUL characters",
                ));
            }
            if pairs.iter().any(|(seen, _)| *seen == name) {
                if !repeated.iter().any(|r| *r == name) {
                    repeated.push(name.into_owned());
                }
                continue;
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        Ok((Params(pairs), repeated))
    }

    /// The value of `name`, `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Adds or replaces a parameter (the admin API builds requests this way).
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        self.0.retain(|(n, _)| n != name);
        if let Some(value) = value {
            self.0.push((name.to_string(), value.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_given_once_and_empty_means_absent() {
        let params = Params::parse(b"a=1&b=&c=x%20y").unwrap();
        assert_eq!(params.get("a"), Some("1"));
        assert_eq!(params.get("b"), None);
        assert_eq!(params.get("c"), Some("x y"));
        assert_eq!(params.get("d"), None);
        let err = Params::parse(b"a=1&a=2").unwrap_err();
        assert_eq!(err.code(), Some(OAuthErrorCode::InvalidRequest));
        let (first, repeated) = Params::parse_keeping_first(b"a=1&a=2&b=x").unwrap();
        assert_eq!((first.get("a"), first.get("b")), (Some("1"), Some("x")));
        assert_eq!(repeated, ["a"]);
        assert!(Params::parse(b"a=%00").is_err());
        assert_eq!(
            OAuthErrorCode::UnsupportedGrantType.as_ref(),
            "unsupported_grant_type"
        );
    }
}
