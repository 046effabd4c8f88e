//! Turning a client's User body into the canonical map: its `schemas`, flat, dotted and
//! URN-qualified keys, nested extension objects, and the tidying that drops empty values.
//! Each attribute's value is normalised by `values`.

use super::values::{complete, merge_subs, norm_attr, set_sub};
use super::{clip, get_ci, writable, Notes};
use crate::scim::error::ProtocolError;
use crate::scim::schema::{AttrDef, SchemaId, ABM_SCHEMA, ENTERPRISE_SCHEMA, USER_SCHEMA};
use serde_json::{Map, Value};

/// Turns a client POST/PUT body (also the result of a PATCH) into the canonical stored map.
///
/// Lenient where real IdPs differ (name case, flat URN-qualified and dotted keys, string
/// booleans, `manager` as a string, a single object for a multi-valued attribute, unknown and
/// read-only attributes dropped) and strict where data would be wrong (unknown `schemas` URN,
/// wrong value types, more than one primary, over-long values, missing `userName`).
pub fn normalize_user(body: &Value) -> Result<Map<String, Value>, ProtocolError> {
    normalize_user_noting(body, &mut Vec::new())
}

/// [`normalize_user`] that also records dialect features.
pub(crate) fn normalize_user_noting(
    body: &Value,
    notes: &mut Notes,
) -> Result<Map<String, Value>, ProtocolError> {
    let obj = body.as_object().ok_or_else(|| {
        ProtocolError::invalid_syntax("the request body must be a JSON object (a SCIM User)")
    })?;
    check_schemas(obj)?;
    let mut out = Map::new();
    for (key, value) in obj {
        absorb(&mut out, key, value, None, notes)?;
    }
    tidy(&mut out);
    match out.get("userName") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(out),
        _ => Err(ProtocolError::invalid_value(
            "userName is required: give it as a non-empty string",
        )),
    }
}

fn check_schemas(obj: &Map<String, Value>) -> Result<(), ProtocolError> {
    let list = match get_ci(obj, "schemas") {
        None | Some(Value::Null) => return Ok(()), // tolerated: several IdPs omit it
        Some(Value::Array(list)) => list,
        Some(_) => {
            return Err(ProtocolError::invalid_syntax(
                "schemas must be an array of schema URNs",
            ))
        }
    };
    for urn in list {
        let Some(urn) = urn.as_str() else {
            return Err(ProtocolError::invalid_syntax(
                "schemas must be an array of strings",
            ));
        };
        if SchemaId::from_urn(urn).is_none() {
            return Err(ProtocolError::invalid_syntax(format!(
                "unknown schema \"{}\" in schemas; a User may list only {USER_SCHEMA}, \
                 {ENTERPRISE_SCHEMA} and {ABM_SCHEMA}",
                clip(urn)
            )));
        }
    }
    Ok(())
}

/// The object holding `schema`'s attributes inside a canonical map (created on demand);
/// `None` for the read-only ABM extension.
pub(crate) fn container_mut(
    attrs: &mut Map<String, Value>,
    schema: SchemaId,
) -> Option<&mut Map<String, Value>> {
    match schema {
        SchemaId::Core => Some(attrs),
        SchemaId::Enterprise => {
            let slot = attrs
                .entry(ENTERPRISE_SCHEMA)
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            slot.as_object_mut()
        }
        SchemaId::Abm => None,
    }
}

/// Splits `attr.sub` at the first dot.
pub(crate) fn split_dot(name: &str) -> (&str, Option<&str>) {
    match name.split_once('.') {
        Some((a, s)) => (a, Some(s)),
        None => (name, None),
    }
}

/// Takes one member of a User body (or of a nested extension object when `ctx` is set).
fn absorb(
    out: &mut Map<String, Value>,
    key: &str,
    value: &Value,
    ctx: Option<SchemaId>,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    if ctx.is_none() {
        if key.eq_ignore_ascii_case("schemas") {
            return Ok(());
        }
        if let Some(schema) = SchemaId::from_urn(key) {
            return match value {
                _ if schema == SchemaId::Abm => Ok(()), // read-only, copied back from a GET
                Value::Null => Ok(()),
                Value::Object(members) => {
                    for (k, v) in members {
                        absorb(out, k, v, Some(schema), notes)?;
                    }
                    Ok(())
                }
                _ => Err(ProtocolError::invalid_value(format!(
                    "{} must be a JSON object of extension attributes",
                    schema.urn()
                ))),
            };
        }
    }
    let (schema, rest) = match ctx {
        Some(s) => (s, key),
        // Entra sends flat `urn:...:enterprise:2.0:User:department` keys.
        None => SchemaId::strip_prefix(key).unwrap_or((SchemaId::Core, key)),
    };
    let (attr, sub) = split_dot(rest);
    let Some(def) = schema.attr(attr) else {
        return Ok(()); // unknown attributes are ignored (RFC 7644 §3.3 leaves this to us)
    };
    if !writable(def) {
        return Ok(());
    }
    let Some(target) = container_mut(out, schema) else {
        return Ok(());
    };
    match sub {
        None => set_whole(target, def, value, notes),
        Some(sub) => {
            let Some(sub_def) = def.sub(sub).filter(|s| writable(s)) else {
                return Ok(());
            };
            if def.multi_valued {
                return Ok(()); // `emails.value` as a body key has no sensible meaning: ignore
            }
            match complex_slot(target, def) {
                Some(obj) => set_sub(obj, def, sub_def, value, notes),
                None => Ok(()),
            }
        }
    }
}

/// Sets an attribute from a body member; single-valued complex values merge (so `name` and
/// `name.givenName` keys combine in either order).
fn set_whole(
    target: &mut Map<String, Value>,
    def: &'static AttrDef,
    value: &Value,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    if let (false, true, Value::Object(members)) = (def.multi_valued, def.is_complex(), value) {
        return match complex_slot(target, def) {
            Some(obj) => merge_subs(obj, def, members, notes),
            None => Ok(()),
        };
    }
    match norm_attr(def, value, notes)? {
        Some(v) => target.insert(def.name.to_string(), v),
        None => target.remove(def.name),
    };
    Ok(())
}

/// The object of a single-valued complex attribute, created (or reset if malformed) on demand.
/// Always `Some`; an `Option` only to avoid a panic path.
pub(crate) fn complex_slot<'a>(
    target: &'a mut Map<String, Value>,
    def: &AttrDef,
) -> Option<&'a mut Map<String, Value>> {
    let slot = target
        .entry(def.name)
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}

/// Drops complex values that hold nothing meaningful and an empty extension object.
fn tidy(out: &mut Map<String, Value>) {
    for schema in [SchemaId::Core, SchemaId::Enterprise] {
        let Some(target) = (match schema {
            SchemaId::Core => Some(&mut *out),
            _ => out.get_mut(schema.urn()).and_then(Value::as_object_mut),
        }) else {
            continue;
        };
        for def in schema.attributes() {
            if def.is_complex() && !def.multi_valued {
                let keep = match target.get(def.name) {
                    Some(Value::Object(o)) => complete(def, o),
                    _ => true,
                };
                if !keep {
                    target.remove(def.name);
                }
            }
        }
    }
    if out
        .get(ENTERPRISE_SCHEMA)
        .is_some_and(|e| e.as_object().is_none_or(Map::is_empty))
    {
        out.remove(ENTERPRISE_SCHEMA);
    }
}
