//! The random strings the authorization server hands out, and PKCE (RFC 7636).
//!
//! A client secret is found through its client (a client has a handful at most) and compared by
//! hash in constant time. Codes and refresh tokens are `<prefix><id>.<random>`: the id finds the
//! row (it proves nothing alone), then the hash of the whole string is compared in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::domain::CodeChallengeMethod;

const CLIENT_SECRET_PREFIX: &str = "abm_cs_";
pub(super) const CODE_PREFIX: &str = "abm_ac_";
pub(super) const REFRESH_PREFIX: &str = "abm_rt_";

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A new client secret: 256 random bits.
pub(super) fn new_client_secret() -> String {
    format!("{CLIENT_SECRET_PREFIX}{}", random_hex(32))
}

/// A new code or refresh token `prefix<id>.<random>`; returns `(id, whole string)`.
pub(super) fn new_selector_token(prefix: &str) -> (String, String) {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let whole = format!("{prefix}{id}.{}", random_hex(32));
    (id, whole)
}

/// The id of a code or refresh token, if `presented` has the shape of one.
pub(super) fn selector_of<'a>(presented: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = presented.strip_prefix(prefix)?;
    let (id, random) = rest.split_once('.')?;
    (id.len() == 32
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && !random.is_empty()
        && random.len() <= 128)
        .then_some(id)
}

/// A PKCE verifier or challenge: 43 to 128 unreserved characters (RFC 7636 §4.1, §4.2).
pub fn is_pkce_text(text: &str) -> bool {
    (43..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The challenge of `verifier` under `method` (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str, method: CodeChallengeMethod) -> String {
    match method {
        CodeChallengeMethod::S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        CodeChallengeMethod::Plain => verifier.to_string(),
    }
}

/// Whether `verifier` answers `challenge` (RFC 7636 §4.6), compared in constant time.
pub(super) fn pkce_matches(verifier: &str, challenge: &str, method: CodeChallengeMethod) -> bool {
    pkce_challenge(verifier, method)
        .as_bytes()
        .ct_eq(challenge.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_tokens_carry_their_id() {
        let (id, whole) = new_selector_token(REFRESH_PREFIX);
        assert_eq!(selector_of(&whole, REFRESH_PREFIX), Some(id.as_str()));
        assert_eq!(selector_of(&whole, CODE_PREFIX), None, "another kind");
        assert_eq!(selector_of("abm_rt_nothex.x", REFRESH_PREFIX), None);
        assert_eq!(
            selector_of(&format!("{REFRESH_PREFIX}{id}."), REFRESH_PREFIX),
            None
        );
        assert!(new_client_secret().starts_with(CLIENT_SECRET_PREFIX));
        assert_ne!(new_client_secret(), new_client_secret());
    }

    /// RFC 7636 Appendix B.
    #[test]
    fn s256_matches_the_rfc_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(
            pkce_challenge(verifier, CodeChallengeMethod::S256),
            challenge
        );
        assert!(pkce_matches(verifier, challenge, CodeChallengeMethod::S256));
        assert!(!pkce_matches(
            verifier,
            challenge,
            CodeChallengeMethod::Plain
        ));
        assert!(pkce_matches(verifier, verifier, CodeChallengeMethod::Plain));
        assert!(is_pkce_text(verifier));
        assert!(!is_pkce_text("short"));
        assert!(!is_pkce_text(&"a".repeat(129)));
        assert!(!is_pkce_text(&format!("{}+", "a".repeat(43))));
    }
}
