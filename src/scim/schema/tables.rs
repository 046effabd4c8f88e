//! The static attribute tables: the common attributes (RFC 7643 §3.1), the core User (§4.1),
//! the Enterprise User extension (§4.3) and the ABM extension. See the `schema` module
//! documentation for what is deliberately left out.

use super::attr_def::{AttrDef, AttrType, Uniqueness};

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
