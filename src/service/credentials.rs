//! What a credential is made of: the claims and signing keys of SCIM tokens, and the hash every
//! secret is stored as. Below both the token lifecycle (`tokens`, which mints) and the request
//! path (`auth`, which verifies).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{ServiceError, ServiceResult};
use crate::domain::Timestamp;

/// Claims of a SCIM token.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Claims {
    pub iss: String,
    /// Organization id.
    pub org: String,
    /// Token id (the `scim_tokens` row).
    pub jti: String,
    /// Issued at, unix seconds.
    pub iat: i64,
    /// Expires at, unix seconds.
    pub exp: i64,
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
