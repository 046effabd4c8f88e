//! What an account is: its lifecycle state, where it came from, and its roles.
//!
//! Each is stored as the text it serializes to (`active`, `scim`, `People Manager`), so the
//! database holds what the admin API shows.

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumString, IntoStaticStr, VariantArray, VariantNames};

/// Where an account is in ABM's lifecycle.
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
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AccountState {
    /// Signed in and usable.
    Active,
    /// Deactivated: signed out of its devices, deleted when the retention runs out.
    Inactive,
    /// Flagged by directory sync: a manual account with the name of a synced user (auto merge
    /// off), or a synced account whose Person ID no longer matches the identity provider.
    Conflict,
}

super::text_column!(AccountState, "account state");

impl AccountState {
    /// The state an account with this `active` flag is in, outside a conflict.
    pub fn of_active(active: bool) -> Self {
        if active {
            Self::Active
        } else {
            Self::Inactive
        }
    }
}

/// Who owns an account's synced attributes.
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
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AccountSource {
    /// Created or taken over by directory sync: the identity provider owns its attributes.
    Scim,
    /// Created by an administrator: fully editable, invisible to SCIM.
    Manual,
}

/// A role of Apple Business Manager or Apple School Manager (which roles an organization can
/// use depends on its kind: [`OrgKind::roles`](super::OrgKind::roles)). Parsing ignores ASCII
/// case (`people manager` is accepted), as administrators type them.
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
#[strum(ascii_case_insensitive)]
pub enum Role {
    Administrator,
    /// Apple School Manager only: manages a site, directory sync included.
    #[serde(rename = "Site Manager")]
    #[strum(serialize = "Site Manager")]
    SiteManager,
    #[serde(rename = "People Manager")]
    #[strum(serialize = "People Manager")]
    PeopleManager,
    #[serde(rename = "Device Enrollment Manager")]
    #[strum(serialize = "Device Enrollment Manager")]
    DeviceEnrollmentManager,
    #[serde(rename = "Content Manager")]
    #[strum(serialize = "Content Manager")]
    ContentManager,
    /// Apple School Manager only.
    Manager,
    Staff,
    /// Apple School Manager only.
    Instructor,
    /// Apple School Manager only: what directory sync gives a school's accounts.
    Student,
}

super::text_column!(AccountSource, "account source");
super::text_column!(Role, "role");

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored and shown text is exactly what earlier versions stored: no data migration.
    #[test]
    fn names_are_the_stored_text() {
        assert_eq!(AccountState::Inactive.as_ref(), "inactive");
        assert_eq!(AccountSource::Manual.as_ref(), "manual");
        assert_eq!(Role::PeopleManager.as_ref(), "People Manager");
        assert_eq!(
            serde_json::to_string(&[Role::DeviceEnrollmentManager, Role::Staff]).unwrap(),
            r#"["Device Enrollment Manager","Staff"]"#
        );
        assert_eq!(
            serde_json::to_string(&AccountState::Conflict).unwrap(),
            r#""conflict""#
        );
    }

    #[test]
    fn roles_parse_ignoring_case_states_do_not() {
        assert_eq!(
            "people MANAGER".parse::<Role>().unwrap(),
            Role::PeopleManager
        );
        assert_eq!("site manager".parse::<Role>().unwrap(), Role::SiteManager);
        assert!("Teacher".parse::<Role>().is_err());
        assert_eq!(
            "active".parse::<AccountState>().unwrap(),
            AccountState::Active
        );
        assert!("Active".parse::<AccountState>().is_err());
        assert_eq!(
            crate::domain::names::<Role>(),
            "Administrator, Site Manager, People Manager, Device Enrollment Manager, \
             Content Manager, Manager, Staff, Instructor, Student"
        );
    }
}
