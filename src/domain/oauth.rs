//! The closed sets of OAuth 2 client secrets (issue 14): grant types, PKCE challenge methods,
//! client authentication methods and the lifetimes ABM offers for a secret.

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumString, IntoStaticStr, VariantArray, VariantNames};

/// A `grant_type` of the token endpoint (RFC 6749 §4.1.3, §6, §4.4).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    AsRefStr,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
    VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    /// Refused unless the organization turns on `oauth_client_credentials` (ABM's flow is
    /// interactive; the emulator allows it for headless tests).
    ClientCredentials,
}

/// A PKCE `code_challenge_method` (RFC 7636 §4.2); absent means `plain`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    AsRefStr,
    Display,
    EnumString,
    IntoStaticStr,
    VariantArray,
    VariantNames,
    utoipa::ToSchema,
)]
pub enum CodeChallengeMethod {
    S256,
    #[strum(serialize = "plain")]
    #[serde(rename = "plain")]
    Plain,
}

super::text_column!(CodeChallengeMethod, "PKCE challenge method");

/// How a client authenticated at the token endpoint (RFC 6749 §2.3.1).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    AsRefStr,
    Display,
    IntoStaticStr,
    VariantArray,
    VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ClientAuthMethod {
    /// `client_id` and `client_secret` in the form body (what ABM's clients do).
    ClientSecretPost,
    /// `Authorization: Basic base64(client_id:client_secret)`.
    ClientSecretBasic,
}

/// How long a client secret lives: ABM offers 6, 9 or 12 calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, VariantArray)]
pub enum SecretLifetime {
    Months6,
    Months9,
    #[default]
    Months12,
}

impl SecretLifetime {
    /// The lifetime in calendar months.
    pub fn months(self) -> u32 {
        match self {
            SecretLifetime::Months6 => 6,
            SecretLifetime::Months9 => 9,
            SecretLifetime::Months12 => 12,
        }
    }

    /// The lifetime of `months` calendar months, if ABM offers it.
    pub fn from_months(months: u64) -> Option<Self> {
        <Self as VariantArray>::VARIANTS
            .iter()
            .copied()
            .find(|lifetime| u64::from(lifetime.months()) == months)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_protocol_text() {
        assert_eq!(
            crate::domain::names::<GrantType>(),
            "authorization_code, refresh_token, client_credentials"
        );
        assert_eq!(
            "S256".parse::<CodeChallengeMethod>().unwrap(),
            CodeChallengeMethod::S256
        );
        assert_eq!(CodeChallengeMethod::Plain.as_str(), "plain");
        assert!("s256".parse::<CodeChallengeMethod>().is_err());
        assert_eq!(
            ClientAuthMethod::ClientSecretBasic.as_ref(),
            "client_secret_basic"
        );
    }

    #[test]
    fn secret_lifetimes_are_six_nine_or_twelve_months() {
        assert_eq!(SecretLifetime::default().months(), 12);
        assert_eq!(
            SecretLifetime::from_months(9),
            Some(SecretLifetime::Months9)
        );
        assert_eq!(SecretLifetime::from_months(3), None);
        assert_eq!(SecretLifetime::from_months(0), None);
    }
}
