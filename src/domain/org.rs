//! What an organization is (a business or a school) and what it syncs its directory from.

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumString, IntoStaticStr, VariantArray, VariantNames};

use super::Role;

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

/// Which Apple product an organization is in: Apple Business Manager (also Business Essentials)
/// or Apple School Manager. Both run the same directory sync; a school differs in its SCIM path,
/// the role synced accounts get, its role list, who is protected from sync and how long a
/// deactivated account is kept.
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
pub enum OrgKind {
    /// Apple Business Manager (and Business Essentials).
    #[default]
    Business,
    /// Apple School Manager.
    School,
}

super::text_column!(OrgKind, "organization kind");

impl OrgKind {
    /// The product's name, as error messages and the first-start banner say it.
    pub fn product(self) -> &'static str {
        match self {
            OrgKind::Business => "Apple Business Manager",
            OrgKind::School => "Apple School Manager",
        }
    }

    /// The SCIM mount Apple serves this product's organizations at
    /// (`https://federation.apple.com/feeds/{business,school}/scim`).
    pub fn scim_path(self) -> &'static str {
        match self {
            OrgKind::Business => "/feeds/business/scim",
            OrgKind::School => "/feeds/school/scim",
        }
    }

    /// The role directory sync gives the accounts it creates (and an admin's new account gets
    /// when no role is named).
    pub fn default_role(self) -> Role {
        match self {
            OrgKind::Business => Role::Staff,
            OrgKind::School => Role::Student,
        }
    }

    /// The roles accounts of this kind of organization can hold, in Apple's order.
    pub fn roles(self) -> &'static [Role] {
        match self {
            OrgKind::Business => &[
                Role::Administrator,
                Role::PeopleManager,
                Role::DeviceEnrollmentManager,
                Role::ContentManager,
                Role::Staff,
            ],
            OrgKind::School => &[
                Role::Administrator,
                Role::SiteManager,
                Role::PeopleManager,
                Role::DeviceEnrollmentManager,
                Role::ContentManager,
                Role::Manager,
                Role::Staff,
                Role::Instructor,
                Role::Student,
            ],
        }
    }

    /// Whether `role` is one of [`OrgKind::roles`].
    pub fn has_role(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// Whether an account holding `role` is protected from directory sync: an identity provider
    /// never takes over the account of someone who manages directory sync (Administrator and
    /// People Manager; in a school also Site Manager).
    pub fn protects_from_sync(self, role: Role) -> bool {
        match role {
            Role::Administrator | Role::PeopleManager => true,
            Role::SiteManager => self == OrgKind::School,
            Role::DeviceEnrollmentManager
            | Role::ContentManager
            | Role::Manager
            | Role::Staff
            | Role::Instructor
            | Role::Student => false,
        }
    }

    /// The role names of this kind, as a person reads them in an error.
    pub fn role_names(self) -> String {
        self.roles()
            .iter()
            .map(|role| role.as_str())
            .collect::<Vec<_>>()
            .join(", ")
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
        assert_eq!(crate::domain::names::<OrgKind>(), "business, school");
    }

    #[test]
    fn every_role_belongs_to_a_school_and_the_business_roles_are_abm_s() {
        for role in <Role as strum::VariantArray>::VARIANTS {
            assert!(OrgKind::School.has_role(*role), "{role}");
        }
        assert_eq!(
            OrgKind::Business.role_names(),
            "Administrator, People Manager, Device Enrollment Manager, Content Manager, Staff"
        );
        assert!(!OrgKind::Business.has_role(Role::Student));
        assert!(OrgKind::Business.has_role(OrgKind::Business.default_role()));
        assert!(OrgKind::School.has_role(OrgKind::School.default_role()));
    }

    #[test]
    fn site_managers_are_protected_in_schools_only() {
        assert!(OrgKind::School.protects_from_sync(Role::SiteManager));
        assert!(!OrgKind::Business.protects_from_sync(Role::SiteManager));
        for kind in [OrgKind::Business, OrgKind::School] {
            assert!(kind.protects_from_sync(Role::Administrator));
            assert!(kind.protects_from_sync(Role::PeopleManager));
            assert!(!kind.protects_from_sync(kind.default_role()));
        }
    }
}
