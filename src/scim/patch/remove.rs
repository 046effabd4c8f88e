//! remove (RFC 7644 §3.5.2.2): whole attributes, sub-attributes, value-filtered elements, the
//! Enterprise extension, and the values a client lists in `value` (Entra's dialect).

use crate::scim::error::ProtocolError;
use crate::scim::filter::{matches, parse_path};
use crate::scim::patch_paths::{resolve, Resolved, ABM_READ_ONLY};
use crate::scim::resource::{container_mut, norm_complex, note, Notes};
use crate::scim::schema::{AttrDef, SchemaId, ENTERPRISE_SCHEMA};
use serde_json::{Map, Value};

/// remove at `path`; `value`, when given for a multi-valued attribute, lists the values to go.
pub(super) fn remove(
    doc: &mut Map<String, Value>,
    path: &str,
    value: Option<&Value>,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    if let Some(schema) = SchemaId::from_urn(path) {
        return match schema {
            SchemaId::Abm => Err(ProtocolError::mutability(ABM_READ_ONLY)),
            SchemaId::Enterprise => {
                doc.remove(ENTERPRISE_SCHEMA);
                Ok(())
            }
            SchemaId::Core => Err(ProtocolError::invalid_path(
                "remove needs the path of an attribute, not the core schema",
            )),
        };
    }
    let parsed = parse_path(path)?;
    let t = match resolve(&parsed, SchemaId::Core) {
        Resolved::Target(t) => t,
        Resolved::Discard => return Ok(()),
        Resolved::ReadOnly(e) | Resolved::Unknown(e) => return Err(e),
    };
    let def = t.def;
    if def.required && t.sub.is_none() {
        return Err(ProtocolError::invalid_value(format!(
            "{} is required and cannot be removed; replace it instead",
            def.name
        )));
    }
    let Some(target) = container_mut(doc, t.schema) else {
        return Err(ProtocolError::mutability(ABM_READ_ONLY));
    };
    match (&t.filter, t.sub) {
        (None, None) => match value {
            // Entra: {"op":"Remove","path":"emails","value":[{"value":"a@b"}]}
            Some(v) if def.multi_valued && !v.is_null() => {
                note(notes, "remove_with_value");
                remove_values(target, def, v, notes)
            }
            _ => {
                target.remove(def.name);
                Ok(())
            }
        },
        (None, Some(sub)) => {
            match target.get_mut(def.name) {
                Some(Value::Object(o)) => {
                    o.remove(sub.name);
                }
                Some(Value::Array(items)) => {
                    for o in items.iter_mut().filter_map(Value::as_object_mut) {
                        o.remove(sub.name);
                    }
                    items.retain(|e| e.as_object().is_none_or(|o| !o.is_empty()));
                }
                _ => {}
            }
            Ok(())
        }
        (Some(filter), sub) => {
            let no_match = || {
                ProtocolError::no_target(format!(
                    "no value of {} matches the filter in the path",
                    def.name
                ))
            };
            let Some(Value::Array(items)) = target.get_mut(def.name) else {
                return Err(no_match());
            };
            if !items.iter().any(|e| matches(filter, e)) {
                return Err(no_match());
            }
            match sub {
                None => items.retain(|e| !matches(filter, e)),
                Some(s) => {
                    for elem in items.iter_mut() {
                        if matches(filter, elem) {
                            if let Some(o) = elem.as_object_mut() {
                                o.remove(s.name);
                            }
                        }
                    }
                    items.retain(|e| e.as_object().is_none_or(|o| !o.is_empty()));
                }
            }
            Ok(())
        }
    }
}

/// Removes the values of a multi-valued attribute that match any of the given ones (every
/// member given must match; strings compare case-insensitively). Absent values are no error.
fn remove_values(
    target: &mut Map<String, Value>,
    def: &'static AttrDef,
    value: &Value,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    let given: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut wanted = Vec::with_capacity(given.len());
    for g in given {
        let normalized = match g {
            // A bare string names the `value` sub-attribute.
            Value::String(s) if def.sub("value").is_some() => {
                let mut m = Map::new();
                m.insert("value".into(), Value::String(s.clone()));
                Some(m)
            }
            _ => norm_complex(def, g, notes)?,
        };
        wanted.extend(normalized);
    }
    if let Some(Value::Array(items)) = target.get_mut(def.name) {
        items.retain(|e| !wanted.iter().any(|w| covers(e, w)));
    }
    Ok(())
}

/// Whether `elem` has every member of `wanted` (strings compared case-insensitively).
fn covers(elem: &Value, wanted: &Map<String, Value>) -> bool {
    wanted.iter().all(|(k, w)| match (elem.get(k), w) {
        (Some(Value::String(a)), Value::String(b)) => a.to_lowercase() == b.to_lowercase(),
        (Some(a), b) => a == b,
        (None, _) => false,
    })
}
