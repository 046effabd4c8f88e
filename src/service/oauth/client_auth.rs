//! Client authentication at the token endpoint (RFC 6749 §2.3.1): `client_secret_post` or
//! `client_secret_basic`, never both; a known client and a live secret of it, compared by hash
//! in constant time.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::{OAuthError, Params, TokenCaller};
use crate::domain::ClientAuthMethod;
use crate::service::connection::SecretStatus;
use crate::service::credentials::secret_matches;
use crate::service::App;
use crate::store::{OAuthClient, OAuthSecret, Org};

/// An authenticated client.
pub(super) struct Caller {
    pub client: OAuthClient,
    pub org: Org,
    pub secret: OAuthSecret,
    /// Every secret of the client (the grant's own may be another).
    pub secrets: Vec<OAuthSecret>,
}

/// `client_id:client_secret` of a Basic header, each form-decoded (RFC 6749 §2.3.1).
fn basic_credentials(value: &str) -> Result<(String, String), OAuthError> {
    let invalid = || {
        OAuthError::invalid_client("the Authorization header is not valid Basic credentials: base64 of client_id:client_secret")
    };
    let (_, encoded) = value.trim().split_once(' ').ok_or_else(invalid)?;
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| invalid())?;
    let text = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (id, secret) = text.split_once(':').ok_or_else(invalid)?;
    let form_decode = |part: &str| -> String {
        url::form_urlencoded::parse(format!("x={part}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let (id, secret) = (form_decode(id), form_decode(secret));
    if id.is_empty() || secret.is_empty() || id.contains('\0') || secret.contains('\0') {
        return Err(invalid());
    }
    Ok((id, secret))
}

fn is_basic(authorization: Option<&str>) -> bool {
    authorization
        .and_then(|value| value.trim().split(' ').next())
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("basic"))
}
impl App {
    /// Client authentication: exactly one of `client_secret_post` and `client_secret_basic`,
    /// a known client, and a live secret of it (compared by hash in constant time).
    pub(super) async fn authenticate_client(
        &self,
        authorization: Option<&str>,
        params: &Params,
        seen: &mut TokenCaller,
    ) -> Result<Caller, OAuthError> {
        let (client_id, presented) = if is_basic(authorization) {
            seen.auth_method = Some(ClientAuthMethod::ClientSecretBasic);
            if params.get("client_secret").is_some() {
                return Err(OAuthError::invalid_request(
                    "client credentials in both the Authorization header and the body: use one method",
                ));
            }
            let (id, secret) = basic_credentials(authorization.unwrap_or_default())?;
            if params.get("client_id").is_some_and(|body_id| body_id != id) {
                return Err(OAuthError::invalid_request(
                    "the client_id in the body is not the one in the Authorization header",
                ));
            }
            seen.client_id = Some(id.clone());
            (id, secret)
        } else {
            seen.auth_method = Some(ClientAuthMethod::ClientSecretPost);
            let missing = "client authentication is missing: send client_id and client_secret in the body, or use HTTP Basic";
            let id = params
                .get("client_id")
                .ok_or_else(|| OAuthError::invalid_client(missing))?;
            let secret = params
                .get("client_secret")
                .ok_or_else(|| OAuthError::invalid_client(missing))?;
            (id.to_string(), secret.to_string())
        };
        let client = self
            .store
            .get_oauth_client(&client_id)
            .await?
            .ok_or_else(|| OAuthError::invalid_client("unknown client_id"))?;
        seen.org_id = Some(client.org_id.clone());
        let secrets: Vec<OAuthSecret> = self
            .store
            .list_oauth_secrets(&client.org_id)
            .await?
            .into_iter()
            .filter(|s| s.client_id == client.id)
            .collect();
        // Every secret is compared, whichever matches.
        let mut matched = None;
        for secret in &secrets {
            if secret_matches(&presented, &secret.secret_hash) {
                matched = Some(secret.clone());
            }
        }
        let secret =
            matched.ok_or_else(|| OAuthError::invalid_client("the client secret is wrong"))?;
        seen.secret_id = Some(secret.id.clone());
        let now = self.now().await?;
        match SecretStatus::of(&secret, now) {
            SecretStatus::Revoked => return Err(OAuthError::invalid_client(
                "this client secret was revoked: an admin must create a new one and authorise again",
            )),
            SecretStatus::Expired => return Err(OAuthError::invalid_client(
                "this client secret expired: an admin must create a new one and authorise again",
            )),
            SecretStatus::Active | SecretStatus::Expiring => {}
        }
        let org = self.require_org(&client.org_id).await?;
        Ok(Caller {
            client,
            org,
            secret,
            secrets,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::OAuthErrorCode;
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = format!("Basic {}", STANDARD.encode("SCIM.a%3Ab:s%20t"));
        assert_eq!(
            basic_credentials(&header).unwrap(),
            ("SCIM.a:b".to_string(), "s t".to_string())
        );
        for bad in [
            "Basic",
            "Basic !!!",
            &format!("Basic {}", STANDARD.encode("nocolon")),
        ] {
            let err = basic_credentials(bad).unwrap_err();
            assert_eq!(err.code(), Some(OAuthErrorCode::InvalidClient), "{bad}");
        }
        assert!(is_basic(Some("basic abc")));
        assert!(!is_basic(Some("Bearer abc")));
        assert!(!is_basic(None));
    }
}
