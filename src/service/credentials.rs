//! What a credential is made of: the claims and signing keys of SCIM tokens and OAuth access
//! tokens, and the hash every secret is stored as. Below both the credential lifecycles
//! (`tokens` and `oauth`, which mint) and the request path (`auth`, which verifies).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{ServiceError, ServiceResult};
use crate::domain::Timestamp;

/// Claims of a SCIM token or an OAuth access token.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Claims {
    pub iss: String,
    /// Organization id.
    pub org: String,
    /// Token id (the `scim_tokens` row; a random id for an access token).
    pub jti: String,
    /// Issued at, unix seconds.
    pub iat: i64,
    /// Expires at, unix seconds.
    pub exp: i64,
    /// Present on OAuth access tokens only, which it tells from static SCIM tokens (whose
    /// claims are unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthClaims>,
}

/// What an OAuth access token was obtained with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct OAuthClaims {
    /// The `client_id`.
    pub cid: String,
    /// The id of the client secret that authenticated the token request.
    pub sid: String,
    /// The grant (absent for `client_credentials`, whose tokens live by their secret alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
}

impl Claims {
    /// `exp` as an instant.
    pub fn expires_at(&self) -> Timestamp {
        Timestamp::from_micros(self.exp.saturating_mul(1_000_000))
    }
}

pub(super) struct Keys {
    encoding: EncodingKey,
    pub(super) decoding: DecodingKey,
    pub(super) validation: Validation,
    pub(super) admin_token_hash: [u8; 32],
}

impl Keys {
    pub(super) fn new(jwt_secret: &[u8], admin_token_hash: [u8; 32]) -> Self {
        // Only HS256 is accepted: this rules out `alg: none` and RS/HS confusion. Expiry is checked
        // against our own clock (which may be manual), not the system time.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.required_spec_claims = ["exp".to_string()].into_iter().collect();
        Self {
            encoding: EncodingKey::from_secret(jwt_secret),
            decoding: DecodingKey::from_secret(jwt_secret),
            validation,
            admin_token_hash,
        }
    }

    pub(super) fn sign(&self, claims: &Claims) -> ServiceResult<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding).map_err(|e| {
            ServiceError::Store(crate::store::StoreError::Database(format!(
                "signing failed: {e}"
            )))
        })
    }
}

/// SHA-256 of a secret, as stored.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Whether `presented` hashes to `stored_hex` (a stored hash), compared in constant time.
pub(super) fn secret_matches(presented: &str, stored_hex: &str) -> bool {
    use subtle::ConstantTimeEq;
    hex::encode(hash_secret(presented))
        .as_bytes()
        .ct_eq(stored_hex.as_bytes())
        .into()
}
