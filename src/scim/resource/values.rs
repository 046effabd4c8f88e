//! Normalisation of one attribute's value against its definition: types and lengths of simple
//! values, sub-attributes of complex ones, the elements of multi-valued ones and their single
//! `primary`. Shared by body normalisation and the PATCH engine.

use super::{note, writable, Notes};
use crate::scim::error::ProtocolError;
use crate::scim::schema::{AttrDef, AttrType};
use serde_json::{Map, Value};

/// Longest accepted `userName`, in characters.
pub const MAX_USER_NAME_CHARS: usize = 256;
/// Longest accepted string value, in characters (other than `userName` and binary values).
pub const MAX_STRING_CHARS: usize = 2048;
/// Longest accepted binary (base64) value, e.g. an X.509 certificate, in characters.
pub const MAX_BINARY_CHARS: usize = 16384;
/// Most values accepted in one multi-valued attribute: far above what any IdP sends (and above
/// the 100 concurrent adds the reliability contract promises to land on one user), low enough
/// that a 10,000-element array is refused before it costs anything.
pub const MAX_VALUES: usize = 1000;

/// Sets or (for null/empty) removes one sub-attribute of a complex value.
pub(crate) fn set_sub(
    obj: &mut Map<String, Value>,
    def: &AttrDef,
    sub: &AttrDef,
    value: &Value,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    let label = format!("{}.{}", def.name, sub.name);
    match norm_simple(sub, &label, value, notes)? {
        Some(v) => obj.insert(sub.name.to_string(), v),
        None => obj.remove(sub.name),
    };
    Ok(())
}

/// Merges the members of `value` into a complex value: known writable sub-attributes are set,
/// null/empty ones removed, others ignored.
pub(crate) fn merge_subs(
    obj: &mut Map<String, Value>,
    def: &AttrDef,
    value: &Map<String, Value>,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    for (k, v) in value {
        if let Some(sub) = def.sub(k).filter(|s| writable(s)) {
            set_sub(obj, def, sub, v, notes)?;
        }
    }
    Ok(())
}

/// Whether a complex value is worth keeping: non-empty, and for `manager`-like attributes (a
/// single-valued complex with a `value`) the `value` is present.
pub(super) fn complete(def: &AttrDef, obj: &Map<String, Value>) -> bool {
    !obj.is_empty() && (def.multi_valued || def.sub("value").is_none() || obj.contains_key("value"))
}

/// Normalises a whole attribute value; `None` means unset (null, empty string, empty array).
pub(crate) fn norm_attr(
    def: &'static AttrDef,
    value: &Value,
    notes: &mut Notes,
) -> Result<Option<Value>, ProtocolError> {
    if value.is_null() || value.as_str() == Some("") {
        return Ok(None);
    }
    if !def.multi_valued {
        return if def.is_complex() {
            Ok(norm_complex(def, value, notes)?.map(Value::Object))
        } else {
            norm_simple(def, def.name, value, notes)
        };
    }
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![value], // lenient: a lone object for a multi-valued attribute
        _ if !def.is_complex() => vec![value],
        _ => {
            return Err(ProtocolError::invalid_value(format!(
                "{} must be an array of objects",
                def.name
            )))
        }
    };
    if items.len() > MAX_VALUES {
        return Err(ProtocolError::invalid_value(format!(
            "{} may hold at most {MAX_VALUES} values",
            def.name
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if let Some(v) = norm_element(def, item, notes)? {
            out.push(v);
        }
    }
    check_primary(def, &out)?;
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

/// Normalises one value of a multi-valued attribute.
fn norm_element(
    def: &'static AttrDef,
    value: &Value,
    notes: &mut Notes,
) -> Result<Option<Value>, ProtocolError> {
    if def.is_complex() {
        Ok(norm_complex(def, value, notes)?.map(Value::Object))
    } else {
        norm_simple(def, def.name, value, notes)
    }
}

/// RFC 7643 §2.4: `primary: true` at most once per multi-valued attribute.
fn check_primary(def: &AttrDef, values: &[Value]) -> Result<(), ProtocolError> {
    let primaries = values
        .iter()
        .filter(|v| v.get("primary") == Some(&Value::Bool(true)))
        .count();
    if primaries > 1 {
        return Err(ProtocolError::invalid_value(format!(
            "at most one value of {} may have \"primary\": true ({primaries} do)",
            def.name
        )));
    }
    Ok(())
}

/// Normalises a complex value (a single-valued one or one element of a multi-valued one).
pub(crate) fn norm_complex(
    def: &'static AttrDef,
    value: &Value,
    notes: &mut Notes,
) -> Result<Option<Map<String, Value>>, ProtocolError> {
    let mut obj = Map::new();
    match value {
        Value::Null => return Ok(None),
        // Entra sends `manager` as the manager's id string.
        Value::String(s) if !def.multi_valued && def.sub("value").is_some() => {
            note(notes, "manager_string");
            if let Some(sub) = def.sub("value") {
                set_sub(&mut obj, def, sub, &Value::String(s.clone()), notes)?;
            }
        }
        Value::Object(members) => merge_subs(&mut obj, def, members, notes)?,
        _ => {
            let what = if def.multi_valued {
                format!("each value of {} must be a JSON object", def.name)
            } else {
                format!("{} must be a JSON object", def.name)
            };
            return Err(ProtocolError::invalid_value(what));
        }
    }
    Ok(complete(def, &obj).then_some(obj))
}

/// Normalises a simple value; `None` means unset. `label` names the attribute in errors.
pub(crate) fn norm_simple(
    def: &AttrDef,
    label: &str,
    value: &Value,
    notes: &mut Notes,
) -> Result<Option<Value>, ProtocolError> {
    let wrong = || {
        ProtocolError::invalid_value(format!(
            "{label} must be a {}",
            match def.attr_type {
                AttrType::DateTime => "string holding an RFC 3339 date-time",
                AttrType::Integer => "integer",
                AttrType::Decimal => "number",
                AttrType::Boolean => "boolean",
                AttrType::Complex => "JSON object",
                _ => "string",
            }
        ))
    };
    match (def.attr_type, value) {
        (_, Value::Null) => Ok(None),
        (_, Value::String(s)) if s.is_empty() => Ok(None),
        (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(s)) => {
            let max = match def.attr_type {
                AttrType::Binary => MAX_BINARY_CHARS,
                _ if def.name == "userName" => MAX_USER_NAME_CHARS,
                _ => MAX_STRING_CHARS,
            };
            if s.chars().count() > max {
                return Err(ProtocolError::invalid_value(format!(
                    "{label} is longer than {max} characters"
                )));
            }
            Ok(Some(value.clone()))
        }
        (AttrType::Boolean, Value::Bool(_)) => Ok(Some(value.clone())),
        // Entra (and others) send "True"/"False".
        (AttrType::Boolean, Value::String(s)) => {
            let b = if s.trim().eq_ignore_ascii_case("true") {
                true
            } else if s.trim().eq_ignore_ascii_case("false") {
                false
            } else {
                return Err(wrong());
            };
            note(notes, "string_booleans");
            Ok(Some(Value::Bool(b)))
        }
        (AttrType::DateTime, Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|_| Some(value.clone()))
            .map_err(|_| wrong()),
        (AttrType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => {
            Ok(Some(value.clone()))
        }
        (AttrType::Decimal, Value::Number(_)) => Ok(Some(value.clone())),
        _ => Err(wrong()),
    }
}
