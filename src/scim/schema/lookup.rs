//! [`SchemaId`]: the schemas a User resource can carry, their URNs, and attribute lookup by
//! case-insensitive name (RFC 7643 §2.1).

use super::attr_def::AttrDef;
use super::tables::{ABM_ATTRIBUTES, COMMON_ATTRIBUTES, ENTERPRISE_ATTRIBUTES, USER_ATTRIBUTES};
use super::{ABM_SCHEMA, ENTERPRISE_SCHEMA, USER_SCHEMA};

/// The schemas a User resource can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaId {
    Core,
    Enterprise,
    Abm,
}

impl SchemaId {
    /// All schemas recognised in requests.
    pub const ALL: [SchemaId; 3] = [SchemaId::Core, SchemaId::Enterprise, SchemaId::Abm];

    /// The schemas served by discovery and rendered in resources, in the order they are listed.
    pub const SERVED: [SchemaId; 2] = [SchemaId::Core, SchemaId::Enterprise];

    /// The schema URN.
    pub const fn urn(self) -> &'static str {
        match self {
            SchemaId::Core => USER_SCHEMA,
            SchemaId::Enterprise => ENTERPRISE_SCHEMA,
            SchemaId::Abm => ABM_SCHEMA,
        }
    }

    /// The schema's own attributes (for `Core`, without the common attributes).
    pub fn attributes(self) -> &'static [AttrDef] {
        match self {
            SchemaId::Core => USER_ATTRIBUTES,
            SchemaId::Enterprise => ENTERPRISE_ATTRIBUTES,
            SchemaId::Abm => ABM_ATTRIBUTES,
        }
    }

    /// Case-insensitive URN match.
    pub fn from_urn(urn: &str) -> Option<SchemaId> {
        Self::ALL
            .into_iter()
            .find(|s| s.urn().eq_ignore_ascii_case(urn))
    }

    /// Splits a URN-qualified name such as `urn:...:enterprise:2.0:User:manager.value` into the
    /// schema and the rest (`manager.value`). Case-insensitive.
    pub fn strip_prefix(qualified: &str) -> Option<(SchemaId, &str)> {
        Self::ALL.into_iter().find_map(|s| {
            let urn = s.urn();
            let head = qualified.get(..urn.len())?;
            let rest = qualified.get(urn.len()..)?.strip_prefix(':')?;
            head.eq_ignore_ascii_case(urn).then_some((s, rest))
        })
    }

    /// Attribute of this schema by case-insensitive name; `Core` also finds the common
    /// attributes (`id`, `externalId`, `meta`).
    pub fn attr(self, name: &str) -> Option<&'static AttrDef> {
        let find =
            |table: &'static [AttrDef]| table.iter().find(|d| d.name.eq_ignore_ascii_case(name));
        match self {
            SchemaId::Core => find(USER_ATTRIBUTES).or_else(|| find(COMMON_ATTRIBUTES)),
            other => find(other.attributes()),
        }
    }
}

/// Core or common User attribute by case-insensitive name.
pub fn core_attr(name: &str) -> Option<&'static AttrDef> {
    SchemaId::Core.attr(name)
}

/// Enterprise extension attribute by case-insensitive name.
pub fn enterprise_attr(name: &str) -> Option<&'static AttrDef> {
    SchemaId::Enterprise.attr(name)
}

/// ABM extension attribute by case-insensitive name.
pub fn abm_attr(name: &str) -> Option<&'static AttrDef> {
    SchemaId::Abm.attr(name)
}
