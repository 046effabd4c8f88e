//! What an organization syncs its directory from.

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumString, IntoStaticStr, VariantArray, VariantNames};

/// The directory-sync source of an organization: ABM runs one at a time.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
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
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SyncSource {
    /// No directory sync.
    #[default]
    None,
    /// SCIM from an identity provider (this server's business).
    Scim,
    /// Sign in with Google Workspace (OIDC sync, not SCIM).
    OidcGoogle,
    /// Sign in with Microsoft Entra ID (OIDC sync, not SCIM).
    OidcEntra,
    /// Another OIDC identity provider.
    OidcCustom,
}

super::text_column!(SyncSource, "directory sync source");

impl SyncSource {
    /// Whether users come from an OIDC sign-in sync, which excludes SCIM.
    pub fn is_oidc(self) -> bool {
        match self {
            SyncSource::OidcGoogle | SyncSource::OidcEntra | SyncSource::OidcCustom => true,
            SyncSource::None | SyncSource::Scim => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_stored_text() {
        assert_eq!(
            crate::domain::names::<SyncSource>(),
            "none, scim, oidc_google, oidc_entra, oidc_custom"
        );
        assert_eq!(
            "oidc_entra".parse::<SyncSource>().unwrap(),
            SyncSource::OidcEntra
        );
    }
}
