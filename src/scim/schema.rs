//! The schema this server serves: static attribute definitions for the core User (RFC 7643
//! §4.1) and the Enterprise User extension (§4.3), plus lookup helpers. The discovery documents
//! built from these tables live in `schema_docs`.
//!
//! The ABM extension (`personId`) is known but not served: it is recognised in requests only so
//! that a client targeting `personId` gets a clear `mutability` error and a body copied from an
//! older representation is accepted. It is neither rendered nor advertised, because an extension
//! whose only attribute is server-assigned cannot be added, replaced or removed as a whole, which
//! generic SCIM clients assume of every advertised extension (scim2-tester's PATCH checks, for
//! one); Apple Business Manager's Person ID is shown by the admin API instead.
//!
//! `groups` and `entitlements` are deliberately absent: Apple Business Manager syncs no groups.
//! `roles` is read-only: ABM roles are assigned in Apple Business Manager, not by directory sync.

/// Core User schema URN.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Enterprise User extension URN.
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// This emulator's own extension for ABM-managed, read-only fields (`personId`). Not an
/// Apple-defined URN; recognised in requests, never served (see the module documentation).
pub const ABM_SCHEMA: &str = "urn:abm-scim:params:scim:schemas:extension:abm:2.0:User";
/// PATCH request message URN.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// List response message URN.
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Error message URN.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// `POST /.search` request message URN.
pub const SEARCH_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// Schema resource URN (RFC 7643 §7).
pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
/// ResourceType resource URN (RFC 7643 §6).
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// ServiceProviderConfig resource URN (RFC 7643 §5).
pub const SERVICE_PROVIDER_CONFIG_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

pub use super::schema_docs::{
    attribute_json, resource_type_document, resource_types_list_response, schema_document,
    schemas_list_response, service_provider_config,
};

/// RFC 7643 §2.3 attribute data types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

impl AttrType {
    /// The keyword used in Schema documents.
    pub const fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Decimal => "decimal",
            AttrType::Integer => "integer",
            AttrType::DateTime => "dateTime",
            AttrType::Binary => "binary",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
        }
    }
}

/// RFC 7643 §7 `mutability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

impl Mutability {
    /// The keyword used in Schema documents.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

/// RFC 7643 §7 `returned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

impl Returned {
    /// The keyword used in Schema documents.
    pub const fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

/// RFC 7643 §7 `uniqueness`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

impl Uniqueness {
    /// The keyword used in Schema documents.
    pub const fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
}

/// One attribute definition (RFC 7643 §7). `name` is the canonical spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrDef {
    pub name: &'static str,
    pub attr_type: AttrType,
    pub multi_valued: bool,
    pub description: &'static str,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub sub_attributes: &'static [AttrDef],
    pub canonical_values: &'static [&'static str],
    pub reference_types: &'static [&'static str],
}

impl AttrDef {
    const fn new(name: &'static str, attr_type: AttrType, description: &'static str) -> Self {
        AttrDef {
            name,
            attr_type,
            multi_valued: false,
            description,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            sub_attributes: &[],
            canonical_values: &[],
            reference_types: &[],
        }
    }
    const fn string(name: &'static str, description: &'static str) -> Self {
        Self::new(name, AttrType::String, description)
    }
    const fn boolean(name: &'static str, description: &'static str) -> Self {
        Self::new(name, AttrType::Boolean, description)
    }
    const fn reference(
        name: &'static str,
        types: &'static [&'static str],
        description: &'static str,
    ) -> Self {
        let mut d = Self::new(name, AttrType::Reference, description);
        d.reference_types = types;
        d
    }
    const fn complex(
        name: &'static str,
        subs: &'static [AttrDef],
        description: &'static str,
    ) -> Self {
        let mut d = Self::new(name, AttrType::Complex, description);
        d.sub_attributes = subs;
        d
    }
    const fn typed(mut self, t: AttrType) -> Self {
        self.attr_type = t;
        self
    }
    const fn multi(mut self) -> Self {
        self.multi_valued = true;
        self
    }
    const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    const fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    const fn read_only(mut self) -> Self {
        self.mutability = Mutability::ReadOnly;
        self
    }
    const fn write_only(mut self) -> Self {
        self.mutability = Mutability::WriteOnly;
        self.returned = Returned::Never;
        self
    }
    const fn always(mut self) -> Self {
        self.returned = Returned::Always;
        self
    }
    const fn unique(mut self, u: Uniqueness) -> Self {
        self.uniqueness = u;
        self
    }
    const fn canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical_values = values;
        self
    }

    /// True for `complex` attributes.
    pub fn is_complex(&self) -> bool {
        self.attr_type == AttrType::Complex
    }

    /// Sub-attribute by case-insensitive name.
    pub fn sub(&self, name: &str) -> Option<&'static AttrDef> {
        self.sub_attributes
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }
}

/// The `value`, `display`, `type`, `primary` quartet of RFC 7643 §2.4 multi-valued attributes.
macro_rules! multi_subs {
    ($value:expr, $types:expr) => {
        &[
            $value,
            AttrDef::string(
                "display",
                "A human-readable name, primarily used for display.",
            ),
            AttrDef::string("type", "A label indicating the attribute's function.")
                .canonical($types),
            AttrDef::boolean(
                "primary",
                "Whether this is the primary value; true at most once.",
            ),
        ]
    };
}

const NAME_SUBS: &[AttrDef] = &[
    AttrDef::string("formatted", "The full name, formatted for display."),
    AttrDef::string("familyName", "The family name (last name)."),
    AttrDef::string("givenName", "The given name (first name)."),
    AttrDef::string("middleName", "The middle name(s)."),
    AttrDef::string("honorificPrefix", "The honorific prefix(es), e.g. 'Ms.'."),
    AttrDef::string("honorificSuffix", "The honorific suffix(es), e.g. 'III'."),
];

const ADDRESS_SUBS: &[AttrDef] = &[
    AttrDef::string(
        "formatted",
        "The full mailing address, formatted for display.",
    ),
    AttrDef::string("streetAddress", "The full street address."),
    AttrDef::string("locality", "The city or locality."),
    AttrDef::string("region", "The state or region."),
    AttrDef::string("postalCode", "The zip code or postal code."),
    AttrDef::string("country", "The country, ISO 3166-1 alpha-2."),
    AttrDef::string("type", "A label indicating the address' function.")
        .canonical(&["work", "home", "other"]),
    AttrDef::boolean(
        "primary",
        "Whether this is the primary address; true at most once.",
    ),
];

const META_SUBS: &[AttrDef] = &[
    AttrDef::string("resourceType", "The resource type name.")
        .read_only()
        .case_exact(),
    AttrDef::string("created", "When the resource was created.")
        .typed(AttrType::DateTime)
        .read_only(),
    AttrDef::string("lastModified", "When the resource was last modified.")
        .typed(AttrType::DateTime)
        .read_only(),
    AttrDef::reference("location", &["uri"], "The URI of the resource.")
        .read_only()
        .case_exact(),
    AttrDef::string("version", "The entity tag of the resource.")
        .read_only()
        .case_exact(),
];

/// Common attributes of every resource (RFC 7643 §3.1). Not part of any Schema document.
pub static COMMON_ATTRIBUTES: &[AttrDef] = &[
    AttrDef::string("id", "Unique identifier assigned by the service provider.")
        .read_only()
        .always()
        .case_exact()
        .unique(Uniqueness::Server),
    AttrDef::string(
        "externalId",
        "Identifier assigned by the provisioning client.",
    )
    .case_exact(),
    AttrDef::complex("meta", META_SUBS, "Resource metadata.").read_only(),
];

/// Core User schema attributes (RFC 7643 §4.1), minus `groups` and `entitlements`.
pub static USER_ATTRIBUTES: &[AttrDef] = &[
    AttrDef::string(
        "userName",
        "Unique identifier for the User, used to sign in.",
    )
    .required()
    .unique(Uniqueness::Server),
    AttrDef::complex("name", NAME_SUBS, "The components of the user's real name."),
    AttrDef::string("displayName", "The name of the User, suitable for display."),
    AttrDef::string("nickName", "The casual way to address the user."),
    AttrDef::reference(
        "profileUrl",
        &["external"],
        "A URI of the user's online profile.",
    ),
    AttrDef::string("title", "The user's title, such as 'Vice President'."),
    AttrDef::string(
        "userType",
        "The relationship between the organization and the user.",
    ),
    AttrDef::string(
        "preferredLanguage",
        "The user's preferred written or spoken language.",
    ),
    AttrDef::string("locale", "The user's default location, e.g. 'en-US'."),
    AttrDef::string("timezone", "The user's time zone in IANA format."),
    AttrDef::boolean("active", "The user's administrative status."),
    AttrDef::string(
        "password",
        "The user's cleartext password; accepted and discarded.",
    )
    .write_only(),
    AttrDef::complex(
        "emails",
        multi_subs!(
            AttrDef::string("value", "Email address."),
            &["work", "home", "other"]
        ),
        "Email addresses for the user.",
    )
    .multi(),
    AttrDef::complex(
        "phoneNumbers",
        multi_subs!(
            AttrDef::string("value", "Phone number."),
            &["work", "home", "mobile", "fax", "pager", "other"]
        ),
        "Phone numbers for the user.",
    )
    .multi(),
    AttrDef::complex(
        "ims",
        multi_subs!(
            AttrDef::string("value", "Instant messaging address."),
            &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]
        ),
        "Instant messaging addresses for the user.",
    )
    .multi(),
    AttrDef::complex(
        "photos",
        multi_subs!(
            AttrDef::reference("value", &["external"], "URL of a photo of the user."),
            &["photo", "thumbnail"]
        ),
        "URLs of photos of the user.",
    )
    .multi(),
    AttrDef::complex("addresses", ADDRESS_SUBS, "Physical mailing addresses.").multi(),
    AttrDef::complex(
        "x509Certificates",
        multi_subs!(
            AttrDef::string("value", "The base64 DER value of an X.509 certificate.")
                .typed(AttrType::Binary),
            &[]
        ),
        "X.509 certificates issued to the user.",
    )
    .multi(),
    AttrDef::complex(
        "roles",
        &[
            AttrDef::string("value", "The ABM role name.").read_only(),
            AttrDef::string("display", "A human-readable name.").read_only(),
            AttrDef::string("type", "A label indicating the role's function.").read_only(),
            AttrDef::boolean("primary", "Whether this is the primary role.").read_only(),
        ],
        "ABM roles of the user; managed in Apple Business Manager, not by directory sync.",
    )
    .multi()
    .read_only(),
];

/// Enterprise User extension attributes (RFC 7643 §4.3).
pub static ENTERPRISE_ATTRIBUTES: &[AttrDef] = &[
    AttrDef::string(
        "employeeNumber",
        "Numeric or alphanumeric identifier of the employee.",
    ),
    AttrDef::string("costCenter", "Identifies the name of a cost center."),
    AttrDef::string("organization", "Identifies the name of an organization."),
    AttrDef::string("division", "Identifies the name of a division."),
    AttrDef::string("department", "Identifies the name of a department."),
    AttrDef::complex(
        "manager",
        &[
            AttrDef::string(
                "value",
                "The id of the SCIM resource of the user's manager.",
            ),
            AttrDef::reference("$ref", &["User"], "The URI of the manager's SCIM resource."),
            AttrDef::string("displayName", "The displayName of the manager.").read_only(),
        ],
        "The user's manager.",
    ),
];

/// ABM extension attributes (this emulator's own).
pub static ABM_ATTRIBUTES: &[AttrDef] = &[AttrDef::string(
    "personId",
    "Apple Business Manager's identifier of the person; assigned by ABM.",
)
.read_only()
.case_exact()];

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

#[cfg(test)]
mod tests {
    use super::*;

    fn all_defs() -> Vec<&'static AttrDef> {
        let mut v = Vec::new();
        for table in [
            COMMON_ATTRIBUTES,
            USER_ATTRIBUTES,
            ENTERPRISE_ATTRIBUTES,
            ABM_ATTRIBUTES,
        ] {
            for d in table {
                v.push(d);
                v.extend(d.sub_attributes.iter());
            }
        }
        v
    }

    #[test]
    fn lookups_are_case_insensitive() {
        assert_eq!(core_attr("USERNAME").map(|d| d.name), Some("userName"));
        assert_eq!(core_attr("externalid").map(|d| d.name), Some("externalId"));
        assert_eq!(enterprise_attr("Manager").map(|d| d.name), Some("manager"));
        assert_eq!(abm_attr("PERSONID").map(|d| d.name), Some("personId"));
        let emails = core_attr("emails").expect("emails");
        assert_eq!(emails.sub("VALUE").map(|d| d.name), Some("value"));
        assert!(core_attr("groups").is_none());
        assert!(core_attr("entitlements").is_none());
    }

    #[test]
    fn urn_prefix_split() {
        let key = "URN:ietf:params:scim:schemas:extension:enterprise:2.0:user:manager.value";
        assert_eq!(
            SchemaId::strip_prefix(key),
            Some((SchemaId::Enterprise, "manager.value"))
        );
        assert_eq!(
            SchemaId::strip_prefix("urn:ietf:params:scim:schemas:core:2.0:User:userName"),
            Some((SchemaId::Core, "userName"))
        );
        assert_eq!(SchemaId::strip_prefix(ENTERPRISE_SCHEMA), None);
        assert_eq!(SchemaId::strip_prefix("urn:x:y"), None);
        assert_eq!(SchemaId::strip_prefix("é"), None);
        assert_eq!(
            SchemaId::from_urn(&ABM_SCHEMA.to_uppercase()),
            Some(SchemaId::Abm)
        );
    }

    #[test]
    fn rfc_characteristics() {
        let user_name = core_attr("userName").expect("userName");
        assert!(user_name.required);
        assert_eq!(user_name.uniqueness, Uniqueness::Server);
        let password = core_attr("password").expect("password");
        assert_eq!(password.mutability, Mutability::WriteOnly);
        assert_eq!(password.returned, Returned::Never);
        let id = core_attr("id").expect("id");
        assert_eq!(id.returned, Returned::Always);
        assert_eq!(
            core_attr("roles").map(|d| d.mutability),
            Some(Mutability::ReadOnly)
        );
        let manager = enterprise_attr("manager").expect("manager");
        assert_eq!(
            manager.sub("displayName").map(|d| d.mutability),
            Some(Mutability::ReadOnly)
        );
        assert_eq!(
            abm_attr("personId").map(|d| d.mutability),
            Some(Mutability::ReadOnly)
        );
    }

    #[test]
    fn tables_are_well_formed() {
        for d in all_defs() {
            assert_eq!(d.is_complex(), !d.sub_attributes.is_empty(), "{}", d.name);
            for s in d.sub_attributes {
                assert!(
                    !s.is_complex(),
                    "no nesting below sub-attributes: {}",
                    s.name
                );
            }
            if d.attr_type != AttrType::Reference {
                assert!(d.reference_types.is_empty(), "{}", d.name);
            }
        }
        // Unique names within each table.
        for table in [USER_ATTRIBUTES, ENTERPRISE_ATTRIBUTES] {
            for (i, a) in table.iter().enumerate() {
                for b in &table[i + 1..] {
                    assert!(!a.name.eq_ignore_ascii_case(b.name));
                }
            }
        }
    }
}
