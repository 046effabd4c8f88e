//! PATCH path resolution against the served schema, and the element a value filter describes.

use super::ast::{CompValue, CompareOp, Filter, PatchPath};
use super::error::ProtocolError;
use super::resource::{clip, norm_simple, writable, Notes};
use super::schema::{AttrDef, Mutability, SchemaId};
use serde_json::{Map, Value};

/// Why `roles` cannot be written.
pub const ROLES_READ_ONLY: &str =
    "roles are managed in Apple Business Manager, not by directory sync";
/// Why the ABM extension cannot be written.
pub const ABM_READ_ONLY: &str =
    "personId is assigned by Apple Business Manager and cannot be set by a client";

/// A writable attribute addressed by a PATCH path.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub schema: SchemaId,
    pub def: &'static AttrDef,
    /// `name.givenName`, `emails.value` or the `.value` of `emails[...].value`.
    pub sub: Option<&'static AttrDef>,
    /// The `[...]` selection of values of a multi-valued attribute.
    pub filter: Option<Filter>,
}

/// The outcome of resolving a path.
#[derive(Debug)]
pub(crate) enum Resolved {
    Target(Target),
    /// A read-only attribute: the error to raise when it is targeted explicitly (dropped
    /// silently inside path-less values, as in PUT bodies).
    ReadOnly(ProtocolError),
    /// The write-only `password`: accepted and never stored.
    Discard,
    /// Not an attribute of the served schema: the error to raise when targeted explicitly.
    Unknown(ProtocolError),
}

/// Resolves a parsed path; a path without a URN belongs to `default_schema`.
pub(crate) fn resolve(path: &PatchPath, default_schema: SchemaId) -> Resolved {
    let schema = match &path.attr.uri {
        None => default_schema,
        Some(uri) => match SchemaId::from_urn(uri) {
            Some(s) => s,
            None => {
                return Resolved::Unknown(ProtocolError::invalid_path(format!(
                    "unknown schema \"{}\" in path",
                    clip(uri)
                )))
            }
        },
    };
    let sub = match (
        &path.attr.sub_attr,
        &path.sub_attr_after_filter,
        &path.value_filter,
    ) {
        (Some(_), _, Some(_)) => {
            return Resolved::Unknown(ProtocolError::invalid_path(
                "a value filter must directly follow the attribute name, e.g. \
                 emails[type eq \"work\"].value",
            ))
        }
        (Some(s), None, None) => Some(s.as_str()),
        (None, s, _) => s.as_deref(),
        (Some(_), Some(_), None) => {
            return Resolved::Unknown(ProtocolError::invalid_path("malformed path"))
        }
    };
    resolve_parts(schema, &path.attr.attr, sub, path.value_filter.clone())
}

/// Resolves `attr[.sub]` of `schema`, with an optional value filter.
pub(crate) fn resolve_parts(
    schema: SchemaId,
    attr: &str,
    sub: Option<&str>,
    filter: Option<Filter>,
) -> Resolved {
    let Some(def) = schema.attr(attr) else {
        if schema == SchemaId::Core
            && (attr.eq_ignore_ascii_case("groups") || attr.eq_ignore_ascii_case("entitlements"))
        {
            return Resolved::ReadOnly(ProtocolError::mutability(format!(
                "{attr} are not supported: Apple Business Manager syncs no groups or entitlements"
            )));
        }
        return Resolved::Unknown(ProtocolError::invalid_path(format!(
            "unknown attribute \"{}\" in path",
            clip(attr)
        )));
    };
    match def.mutability {
        Mutability::WriteOnly => return Resolved::Discard,
        Mutability::ReadOnly => {
            let detail = match (schema, def.name) {
                (SchemaId::Abm, _) => ABM_READ_ONLY.to_string(),
                (_, "roles") => ROLES_READ_ONLY.to_string(),
                (_, name) => format!("{name} is read-only and is assigned by the server"),
            };
            return Resolved::ReadOnly(ProtocolError::mutability(detail));
        }
        Mutability::ReadWrite | Mutability::Immutable => {}
    }
    let sub = match sub {
        None => None,
        Some(s) => match def.sub(s) {
            Some(sd) if writable(sd) => Some(sd),
            Some(sd) => {
                return Resolved::ReadOnly(ProtocolError::mutability(format!(
                    "{}.{} is read-only",
                    def.name, sd.name
                )))
            }
            None => {
                return Resolved::Unknown(ProtocolError::invalid_path(format!(
                    "unknown sub-attribute \"{}\" of {} in path",
                    clip(s),
                    def.name
                )))
            }
        },
    };
    if filter.is_some() && !(def.multi_valued && def.is_complex()) {
        return Resolved::Unknown(ProtocolError::invalid_path(format!(
            "a value filter applies only to multi-valued attributes, not to {}",
            def.name
        )));
    }
    Resolved::Target(Target {
        schema,
        def,
        sub,
        filter,
    })
}

/// For a value filter that matched nothing: the element it describes, when the filter is a
/// conjunction of `eq` comparisons on writable sub-attributes (`type eq "work"`,
/// `type eq "work" and primary eq true`). Entra relies on add/replace of
/// `emails[type eq "work"].value` creating the work email.
pub(crate) fn element_from_filter(
    def: &AttrDef,
    filter: &Filter,
    notes: &mut Notes,
) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    collect_eq(def, filter, &mut out, notes)?;
    Some(out)
}

fn collect_eq(
    def: &AttrDef,
    filter: &Filter,
    out: &mut Map<String, Value>,
    notes: &mut Notes,
) -> Option<()> {
    match filter {
        Filter::And(a, b) => {
            collect_eq(def, a, out, notes)?;
            collect_eq(def, b, out, notes)
        }
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } if path.sub_attr.is_none() => {
            // Tolerate `emails[emails.type eq ...]`-style or URN-qualified names only when
            // they still name a sub-attribute of this attribute.
            let sub = def.sub(&path.attr).filter(|s| writable(s))?;
            let v = match value {
                CompValue::Str(s) => Value::String(s.clone()),
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Num(n) => Value::Number(n.clone()),
                CompValue::Null => return None,
            };
            let label = format!("{}.{}", def.name, sub.name);
            let v = norm_simple(sub, &label, &v, notes).ok()??;
            out.insert(sub.name.to_string(), v);
            Some(())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::error::ScimType;
    use crate::scim::filter::{parse_filter, parse_path};
    use crate::scim::schema::{core_attr, ENTERPRISE_SCHEMA};
    use serde_json::json;

    fn res(p: &str) -> Resolved {
        match parse_path(p) {
            Ok(path) => resolve(&path, SchemaId::Core),
            Err(e) => Resolved::Unknown(e),
        }
    }

    fn err_type(r: Resolved) -> Option<ScimType> {
        match r {
            Resolved::ReadOnly(e) | Resolved::Unknown(e) => e.scim_type,
            _ => None,
        }
    }

    #[test]
    fn resolves_targets() {
        let Resolved::Target(t) = res("EMAILS[type eq \"work\"].VALUE") else {
            panic!("target expected")
        };
        assert_eq!(
            (t.def.name, t.sub.map(|s| s.name)),
            ("emails", Some("value"))
        );
        assert!(t.filter.is_some());
        let Resolved::Target(t) = res(&format!("{ENTERPRISE_SCHEMA}:manager")) else {
            panic!("target expected")
        };
        assert_eq!((t.schema, t.def.name), (SchemaId::Enterprise, "manager"));
        let Resolved::Target(t) = res("name.givenName") else {
            panic!("target expected")
        };
        assert_eq!(t.sub.map(|s| s.name), Some("givenName"));
        assert!(matches!(res("password"), Resolved::Discard));
    }

    #[test]
    fn rejects_bad_targets() {
        for p in ["id", "meta", "roles", "groups", "meta.created"] {
            assert_eq!(err_type(res(p)), Some(ScimType::Mutability), "{p}");
        }
        let manager_name = format!("{ENTERPRISE_SCHEMA}:manager.displayName");
        assert_eq!(err_type(res(&manager_name)), Some(ScimType::Mutability));
        let person = "urn:abm-scim:params:scim:schemas:extension:abm:2.0:User:personId";
        let Resolved::ReadOnly(e) = res(person) else {
            panic!("read-only expected")
        };
        assert_eq!(e.detail, ABM_READ_ONLY);
        let Resolved::ReadOnly(e) = res("roles[value eq \"Staff\"]") else {
            panic!("read-only expected")
        };
        assert_eq!(e.detail, ROLES_READ_ONLY);
        for p in [
            "nope",
            "name.nope",
            "urn:x:y:User:title",
            "userName[value eq \"x\"]",
        ] {
            assert_eq!(err_type(res(p)), Some(ScimType::InvalidPath), "{p}");
        }
    }

    #[test]
    fn element_from_eq_filters() {
        let emails = core_attr("emails").expect("emails");
        let mut notes = Vec::new();
        let f = parse_filter("type eq \"work\" and primary eq \"true\"").expect("filter");
        assert_eq!(
            element_from_filter(emails, &f, &mut notes),
            json!({"type": "work", "primary": true})
                .as_object()
                .cloned()
        );
        for f in [
            "type ne \"work\"",
            "type eq \"a\" or type eq \"b\"",
            "nope eq \"x\"",
            "primary eq 3",
        ] {
            let f = parse_filter(f).expect("filter");
            assert_eq!(element_from_filter(emails, &f, &mut notes), None);
        }
    }
}
