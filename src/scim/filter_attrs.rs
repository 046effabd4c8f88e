//! The allow-list of User attributes that filters and `sortBy` may use, and where each is
//! stored in the `accounts` table (alias `a`).
//!
//! Everything the SQL compiler puts into SQL text (column names, JSON keys) comes from the
//! constants here, never from the request.

use crate::scim::ast::AttrPath;

/// Schema URN of the core User attributes (RFC 7643 §4.1).
pub const CORE_USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Schema URN of the enterprise User extension (RFC 7643 §4.3).
pub const ENTERPRISE_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// How values of an attribute are stored and compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// String with caseExact=false: compared lowercased.
    Str,
    /// String with caseExact=true (`id`, `externalId`, binary values).
    ExactStr,
    /// String stored already lowercased by the server (`a.user_name_norm`).
    NormStr,
    Bool,
    /// Epoch-microsecond column; filter literals are RFC 3339 date-times.
    DateTime,
}

/// A sub-attribute of a complex attribute: canonical name and kind.
pub(crate) type Sub = (&'static str, Kind);

const PLURAL: &[Sub] = &[
    ("value", Kind::Str),
    ("display", Kind::Str),
    ("type", Kind::Str),
    ("primary", Kind::Bool),
];
const ADDRESS: &[Sub] = &[
    ("formatted", Kind::Str),
    ("streetAddress", Kind::Str),
    ("locality", Kind::Str),
    ("region", Kind::Str),
    ("postalCode", Kind::Str),
    ("country", Kind::Str),
    ("type", Kind::Str),
    ("primary", Kind::Bool),
];
// Certificates are base64 DER: case matters.
const X509: &[Sub] = &[("value", Kind::ExactStr)];
const NAME: &[Sub] = &[
    ("formatted", Kind::Str),
    ("familyName", Kind::Str),
    ("givenName", Kind::Str),
    ("middleName", Kind::Str),
    ("honorificPrefix", Kind::Str),
    ("honorificSuffix", Kind::Str),
];
const MANAGER: &[Sub] = &[("value", Kind::Str), ("displayName", Kind::Str)];

#[derive(Clone, Copy, Debug)]
enum Shape {
    /// A column of the table.
    Column(&'static str, Kind),
    /// `meta`: `created`, `lastModified` (columns) and `resourceType` (always "User").
    Meta,
    /// Single-valued simple attribute inside `a.attrs`.
    Simple(Kind),
    /// Single-valued complex attribute inside `a.attrs`; `default` is what the bare name means.
    Complex(&'static [Sub], Option<&'static str>),
    /// Multi-valued complex attribute (JSON array of objects) inside `a.attrs`.
    Multi(&'static [Sub], Option<&'static str>),
}

struct AttrDef {
    name: &'static str,
    enterprise: bool,
    shape: Shape,
}

const fn core(name: &'static str, shape: Shape) -> AttrDef {
    AttrDef {
        name,
        enterprise: false,
        shape,
    }
}

const fn ent(name: &'static str, shape: Shape) -> AttrDef {
    AttrDef {
        name,
        enterprise: true,
        shape,
    }
}

const ATTRS: &[AttrDef] = &[
    core("id", Shape::Column("a.id", Kind::ExactStr)),
    core("userName", Shape::Column("a.user_name_norm", Kind::NormStr)),
    core("externalId", Shape::Column("a.external_id", Kind::ExactStr)),
    core("active", Shape::Column("a.active", Kind::Bool)),
    core("meta", Shape::Meta),
    core("displayName", Shape::Simple(Kind::Str)),
    core("nickName", Shape::Simple(Kind::Str)),
    core("profileUrl", Shape::Simple(Kind::Str)),
    core("title", Shape::Simple(Kind::Str)),
    core("userType", Shape::Simple(Kind::Str)),
    core("preferredLanguage", Shape::Simple(Kind::Str)),
    core("locale", Shape::Simple(Kind::Str)),
    core("timezone", Shape::Simple(Kind::Str)),
    core("name", Shape::Complex(NAME, None)),
    core("emails", Shape::Multi(PLURAL, Some("value"))),
    core("phoneNumbers", Shape::Multi(PLURAL, Some("value"))),
    core("ims", Shape::Multi(PLURAL, Some("value"))),
    core("photos", Shape::Multi(PLURAL, Some("value"))),
    core("addresses", Shape::Multi(ADDRESS, None)),
    core("x509Certificates", Shape::Multi(X509, Some("value"))),
    ent("employeeNumber", Shape::Simple(Kind::Str)),
    ent("costCenter", Shape::Simple(Kind::Str)),
    ent("organization", Shape::Simple(Kind::Str)),
    ent("division", Shape::Simple(Kind::Str)),
    ent("department", Shape::Simple(Kind::Str)),
    ent("manager", Shape::Complex(MANAGER, Some("value"))),
];

/// What an attribute path is used for; decides what a bare complex attribute name means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Use {
    /// `attr op value` and `sortBy`: `emails` means `emails.value`, `manager` `manager.value`.
    Compare,
    /// `attr pr`: `emails` means the array, `manager` means `manager.value`.
    Present,
    /// `attr[...]`: the array or object itself.
    Container,
}

/// Where a resolved attribute path lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// A column, e.g. `a.user_name_norm`.
    Column(&'static str, Kind),
    /// `meta.resourceType`: the constant "User".
    ResourceType,
    /// A single value in `a.attrs` at this key path.
    Json(Vec<&'static str>, Kind),
    /// A complex object in `a.attrs` at this key path.
    Object(Vec<&'static str>, &'static [Sub]),
    /// Sub-attribute `sub` of every element of the top-level array `array`.
    Elem {
        array: &'static str,
        sub: &'static str,
        kind: Kind,
        /// Whether the elements have a `primary` flag (for sorting).
        has_primary: bool,
    },
    /// The top-level array itself.
    Array(&'static str, &'static [Sub]),
}

/// Finds `name` (case-insensitively) among `subs`.
pub(crate) fn find_sub(subs: &'static [Sub], name: &str) -> Option<Sub> {
    subs.iter()
        .copied()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Resolves a top-level attribute path through the allow-list; `None` if it is not on it.
pub(crate) fn resolve(path: &AttrPath, usage: Use) -> Option<Target> {
    // `Some(true)`: enterprise only; `Some(false)`: core only; `None`: either (no name is in both).
    let enterprise = match path.uri.as_deref() {
        None => None,
        Some(u) if u.eq_ignore_ascii_case(CORE_USER_URN) => Some(false),
        Some(u) if u.eq_ignore_ascii_case(ENTERPRISE_USER_URN) => Some(true),
        Some(_) => return None,
    };
    let def = ATTRS.iter().find(|d| {
        d.name.eq_ignore_ascii_case(&path.attr) && enterprise.is_none_or(|e| e == d.enterprise)
    })?;
    let mut keys = Vec::with_capacity(3);
    if def.enterprise {
        keys.push(ENTERPRISE_USER_URN);
    }
    keys.push(def.name);
    let sub = path.sub_attr.as_deref();
    match def.shape {
        Shape::Column(col, kind) => sub.is_none().then_some(Target::Column(col, kind)),
        Shape::Meta => match sub? {
            s if s.eq_ignore_ascii_case("created") => {
                Some(Target::Column("a.created_at", Kind::DateTime))
            }
            s if s.eq_ignore_ascii_case("lastModified") => {
                Some(Target::Column("a.updated_at", Kind::DateTime))
            }
            s if s.eq_ignore_ascii_case("resourceType") => Some(Target::ResourceType),
            _ => None,
        },
        Shape::Simple(kind) => sub.is_none().then_some(Target::Json(keys, kind)),
        Shape::Complex(subs, default) => {
            let sub = match (sub, default) {
                (Some(s), _) => s,
                (None, Some(d)) if usage != Use::Container => d,
                (None, _) => return Some(Target::Object(keys, subs)),
            };
            let (name, kind) = find_sub(subs, sub)?;
            keys.push(name);
            Some(Target::Json(keys, kind))
        }
        Shape::Multi(subs, default) => {
            let sub = match (sub, default) {
                (Some(s), _) => s,
                (None, Some(d)) if usage == Use::Compare => d,
                (None, _) => return Some(Target::Array(def.name, subs)),
            };
            let (name, kind) = find_sub(subs, sub)?;
            Some(Target::Elem {
                array: def.name,
                sub: name,
                kind,
                has_primary: find_sub(subs, "primary").is_some(),
            })
        }
    }
}

/// The allow-list in words, for error messages. Enterprise attributes are listed without their
/// URN prefix, which is optional.
pub(crate) fn allowed_names() -> String {
    let mut out = Vec::new();
    for def in ATTRS {
        let subs = |subs: &[Sub]| subs.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(",");
        let name = def.name;
        out.push(match def.shape {
            Shape::Column(..) | Shape::Simple(_) => name.to_string(),
            Shape::Meta => "meta.{created,lastModified,resourceType}".to_string(),
            Shape::Complex(s, _) | Shape::Multi(s, _) => format!("{name}.{{{}}}", subs(s)),
        });
    }
    out.join(", ")
}

/// Every canonical top-level path on the allow-list with its uses, for tests.
#[cfg(test)]
pub(crate) fn all_paths() -> Vec<AttrPath> {
    let mut out = Vec::new();
    let path = |def: &AttrDef, sub: Option<&str>| AttrPath {
        uri: None,
        attr: def.name.to_string(),
        sub_attr: sub.map(str::to_string),
    };
    for def in ATTRS {
        match def.shape {
            Shape::Column(..) | Shape::Simple(_) => out.push(path(def, None)),
            Shape::Meta => {
                for sub in ["created", "lastModified", "resourceType"] {
                    out.push(path(def, Some(sub)));
                }
            }
            Shape::Complex(subs, _) | Shape::Multi(subs, _) => {
                out.push(path(def, None));
                out.extend(subs.iter().map(|(n, _)| path(def, Some(n))));
            }
        }
    }
    out
}
