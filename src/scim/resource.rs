//! User resources: client input normalisation into the canonical stored attribute map, and the
//! rendering of that map into the SCIM User served to clients. Projection (`attributes`,
//! `excludedAttributes`) lives in `projection` and is re-exported here.
//!
//! The canonical map holds core attributes under their canonical names (`userName`, `name`,
//! `emails` ...) and Enterprise User attributes in one object under the key [`ENTERPRISE_SCHEMA`].
//! It never holds `id`, `meta`, `schemas`, `password`, `roles` or ABM fields: those are the
//! server's, not the client's.

use super::error::ProtocolError;
use super::schema::{
    AttrDef, AttrType, Mutability, SchemaId, ABM_SCHEMA, ENTERPRISE_SCHEMA, USER_SCHEMA,
};
use serde_json::{json, Map, Value};

pub use super::projection::project;

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

/// Client dialect features observed while interpreting a request (see `patch::PatchOutcome`).
pub(crate) type Notes = Vec<&'static str>;

/// Records a dialect feature once.
pub(crate) fn note(notes: &mut Notes, what: &'static str) {
    if !notes.contains(&what) {
        notes.push(what);
    }
}

/// Case-insensitive member lookup (RFC 7643 §2.1: attribute names are case-insensitive).
pub(crate) fn get_ci<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Shortens client-supplied text before echoing it in an error detail.
pub(crate) fn clip(s: &str) -> String {
    if s.chars().count() <= 120 {
        s.to_string()
    } else {
        let head: String = s.chars().take(120).collect();
        format!("{head}…")
    }
}

/// Whether a client may set this attribute (readOnly ones are server-managed; writeOnly
/// `password` is accepted but never stored).
pub(crate) fn writable(def: &AttrDef) -> bool {
    matches!(
        def.mutability,
        Mutability::ReadWrite | Mutability::Immutable
    )
}

/// Timestamps and version of a stored User, rendered into `meta`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// RFC 3339.
    pub created: String,
    /// RFC 3339.
    pub last_modified: String,
    /// Weak entity tag, e.g. `W/"3"`.
    pub version: String,
    /// Absolute URL of the resource.
    pub location: String,
}

/// ABM-managed data rendered into the resource but never taken from clients. (The Person ID is
/// not part of the SCIM representation: see `schema`'s module documentation.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AbmFields {
    /// ABM role names, rendered as `roles: [{"value": ...}]`.
    pub roles: Vec<String>,
}

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

/// Whether a complex value is worth keeping: non-empty, and for `manager`-like attributes (a
/// single-valued complex with a `value`) the `value` is present.
fn complete(def: &AttrDef, obj: &Map<String, Value>) -> bool {
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
pub(crate) fn norm_element(
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
pub(crate) fn check_primary(def: &AttrDef, values: &[Value]) -> Result<(), ProtocolError> {
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

/// Builds the SCIM User served to clients from the canonical map and server-side data.
/// `active` is rendered as stored: the service stores it on every create, so it is absent only
/// after a PATCH removed it (RFC 7644 §3.5.2.2: the attribute is then unassigned).
pub fn render_user(attrs: &Map<String, Value>, id: &str, meta: &Meta, extra: &AbmFields) -> Value {
    let mut out = Map::new();
    for (k, v) in attrs {
        match SchemaId::from_urn(k) {
            Some(SchemaId::Enterprise) => {
                if v.as_object().is_some_and(|o| !o.is_empty()) {
                    out.insert(ENTERPRISE_SCHEMA.to_string(), v.clone());
                }
            }
            Some(_) => {}
            // Defensive: the canonical map never holds these, but never let stored data
            // override server-owned members.
            None if ["id", "meta", "schemas", "roles", "password"]
                .iter()
                .any(|r| r.eq_ignore_ascii_case(k)) => {}
            None => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let mut schemas = vec![json!(USER_SCHEMA)];
    if out.contains_key(ENTERPRISE_SCHEMA) {
        schemas.push(json!(ENTERPRISE_SCHEMA));
    }
    if !extra.roles.is_empty() {
        let roles: Vec<Value> = extra.roles.iter().map(|r| json!({"value": r})).collect();
        out.insert("roles".into(), Value::Array(roles));
    }
    out.insert("schemas".into(), Value::Array(schemas));
    out.insert("id".into(), json!(id));
    out.insert(
        "meta".into(),
        json!({
            "resourceType": "User",
            "created": meta.created,
            "lastModified": meta.last_modified,
            "version": meta.version,
            "location": meta.location,
        }),
    );
    Value::Object(out)
}

#[cfg(test)]
#[path = "resource_tests.rs"]
mod tests;
