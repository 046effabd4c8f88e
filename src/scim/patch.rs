//! The PATCH engine (RFC 7644 §3.5.2), tolerant of the dialects real IdPs speak.
//!
//! Operations apply in order to a copy of the canonical map; the result is normalised again
//! with [`normalize_user`](super::resource::normalize_user), so it always satisfies the schema.
//! Any failure returns an error and no partial result.

use super::error::ProtocolError;
use super::filter::{matches, parse_path};
use super::patch_paths::{
    element_from_filter, resolve, resolve_parts, Resolved, Target, ABM_READ_ONLY,
};
use super::resource::{
    clip, complex_slot, container_mut, get_ci, merge_subs, norm_attr, norm_complex,
    normalize_user_noting, note, set_sub, split_dot, Notes, MAX_VALUES,
};
use super::schema::{AttrDef, SchemaId, ENTERPRISE_SCHEMA, PATCH_OP_SCHEMA};
use serde_json::{Map, Value};

/// Most operations accepted in one PATCH request.
pub const MAX_OPERATIONS: usize = 1000;

/// The result of a successful PATCH.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOutcome {
    /// The new canonical attribute map (normalised).
    pub attrs: Map<String, Value>,
    /// Whether `attrs` differs from the map the PATCH started from.
    pub changed: bool,
    /// Client dialect features observed, each once, in order of first sight:
    /// `capitalised_ops` (`"Replace"`), `operations_key_case` (`"operations"`),
    /// `string_booleans` (`"False"`), `pathless_add`, `pathless_replace`, `dotted_keys`
    /// (`"name.givenName"` as a value key), `urn_keys` (flat URN-qualified value keys),
    /// `urn_objects` (nested extension objects in a value), `value_filter_keys`
    /// (`"emails[type eq \"work\"].value"` as a value key), `value_filter_path_create`
    /// (a filter matched nothing and an element was created), `remove_with_value`,
    /// `manager_string`, `null_unset` (add/replace with null).
    pub dialect: Vec<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Add,
    Replace,
    Remove,
}

/// Applies a PatchOp request to the canonical map `current` (as produced by `normalize_user`).
pub fn apply_patch(
    current: &Map<String, Value>,
    request: &Value,
) -> Result<PatchOutcome, ProtocolError> {
    let req = request.as_object().ok_or_else(|| {
        ProtocolError::invalid_syntax("a PATCH body must be a JSON object (a PatchOp message)")
    })?;
    let mut notes = Notes::new();
    check_schemas(req)?;
    let ops = operations(req, &mut notes)?;
    let mut doc = current.clone();
    for (i, op) in ops.iter().enumerate() {
        apply_op(&mut doc, op, &mut notes).map_err(|mut e| {
            e.detail = format!("Operations[{i}]: {}", e.detail);
            e
        })?;
    }
    let attrs = normalize_user_noting(&Value::Object(doc), &mut Notes::new())?;
    let changed = attrs != *current;
    Ok(PatchOutcome {
        attrs,
        changed,
        dialect: notes,
    })
}

fn check_schemas(req: &Map<String, Value>) -> Result<(), ProtocolError> {
    match get_ci(req, "schemas") {
        Some(Value::Array(list))
            if list.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP_SCHEMA))
            }) =>
        {
            Ok(())
        }
        Some(_) => Err(ProtocolError::invalid_syntax(format!(
            "schemas must be [\"{PATCH_OP_SCHEMA}\"] in a PATCH request"
        ))),
        None => Err(ProtocolError::invalid_syntax(format!(
            "schemas is missing: a PATCH request must have \"schemas\": [\"{PATCH_OP_SCHEMA}\"]"
        ))),
    }
}

fn operations<'a>(
    req: &'a Map<String, Value>,
    notes: &mut Notes,
) -> Result<&'a [Value], ProtocolError> {
    let (key, ops) = req
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("operations"))
        .ok_or_else(|| {
            ProtocolError::invalid_syntax("Operations is missing: give an array of operations")
        })?;
    if key != "Operations" {
        note(notes, "operations_key_case");
    }
    let ops = ops
        .as_array()
        .ok_or_else(|| ProtocolError::invalid_syntax("Operations must be an array"))?;
    if ops.is_empty() {
        return Err(ProtocolError::invalid_syntax(
            "Operations must hold at least one operation",
        ));
    }
    if ops.len() > MAX_OPERATIONS {
        return Err(ProtocolError::invalid_value(format!(
            "a PATCH request may hold at most {MAX_OPERATIONS} operations"
        )));
    }
    Ok(ops)
}

fn apply_op(
    doc: &mut Map<String, Value>,
    op: &Value,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    let obj = op
        .as_object()
        .ok_or_else(|| ProtocolError::invalid_syntax("each operation must be a JSON object"))?;
    let raw = get_ci(obj, "op").and_then(Value::as_str).ok_or_else(|| {
        ProtocolError::invalid_syntax("each operation needs \"op\": add, replace or remove")
    })?;
    let kind = match raw.to_ascii_lowercase().as_str() {
        "add" => OpKind::Add,
        "replace" => OpKind::Replace,
        "remove" => OpKind::Remove,
        _ => {
            return Err(ProtocolError::invalid_syntax(format!(
                "unknown op \"{}\": use add, replace or remove",
                clip(raw)
            )))
        }
    };
    if raw.bytes().any(|b| b.is_ascii_uppercase()) {
        note(notes, "capitalised_ops"); // Entra: "Replace", "Add", "Remove"
    }
    let path = match get_ci(obj, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim()),
        Some(_) => return Err(ProtocolError::invalid_syntax("path must be a string")),
    };
    let value = get_ci(obj, "value");
    match (kind, path) {
        (OpKind::Remove, None) => Err(ProtocolError::no_target(
            "remove needs a path naming the attribute or values to remove",
        )),
        (OpKind::Remove, Some(p)) => remove(doc, p, value, notes),
        (_, None) => {
            note(
                notes,
                if kind == OpKind::Add {
                    "pathless_add"
                } else {
                    "pathless_replace"
                },
            );
            match value {
                Some(Value::Object(members)) => apply_pathless(doc, kind, members, None, notes),
                _ => Err(ProtocolError::invalid_syntax(
                    "an add or replace without a path needs a value that is a JSON object of \
                     attributes",
                )),
            }
        }
        (_, Some(p)) => {
            let value = value.ok_or_else(|| {
                ProtocolError::invalid_syntax("add and replace operations need a value")
            })?;
            // A bare extension URN as the path addresses the whole extension object.
            if let Some(schema) = SchemaId::from_urn(p) {
                return set_extension(doc, kind, schema, value, notes);
            }
            let parsed = parse_path(p)?;
            match resolve(&parsed, SchemaId::Core) {
                Resolved::Target(t) => set(doc, kind, &t, value, notes),
                Resolved::Discard => Ok(()),
                Resolved::ReadOnly(e) | Resolved::Unknown(e) => Err(e),
            }
        }
    }
}

fn set_extension(
    doc: &mut Map<String, Value>,
    kind: OpKind,
    schema: SchemaId,
    value: &Value,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    match (schema, value) {
        (SchemaId::Abm, _) => Err(ProtocolError::mutability(ABM_READ_ONLY)),
        (_, Value::Object(members)) => apply_pathless(doc, kind, members, Some(schema), notes),
        (SchemaId::Enterprise, Value::Null) => {
            doc.remove(ENTERPRISE_SCHEMA);
            Ok(())
        }
        _ => Err(ProtocolError::invalid_value(format!(
            "the value for {} must be a JSON object of its attributes",
            schema.urn()
        ))),
    }
}

/// Path-less add/replace: each member of the value is an attribute (plain, dotted,
/// URN-qualified, a nested extension object, or even a value-filter path). Read-only and
/// unknown members are dropped, as in PUT bodies.
fn apply_pathless(
    doc: &mut Map<String, Value>,
    kind: OpKind,
    members: &Map<String, Value>,
    ctx: Option<SchemaId>,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    for (key, value) in members {
        if ctx.is_none() {
            if key.eq_ignore_ascii_case("schemas") {
                continue;
            }
            if let Some(schema) = SchemaId::from_urn(key) {
                note(notes, "urn_objects");
                match schema {
                    SchemaId::Abm => {}
                    _ => set_extension(doc, kind, schema, value, notes)?,
                }
                continue;
            }
        }
        let default_schema = ctx.unwrap_or(SchemaId::Core);
        let resolved = if key.contains('[') {
            note(notes, "value_filter_keys");
            match parse_path(key) {
                Ok(p) => resolve(&p, default_schema),
                Err(_) => continue,
            }
        } else {
            let (schema, rest) = match (ctx, SchemaId::strip_prefix(key)) {
                (None, Some(split)) => {
                    note(notes, "urn_keys");
                    split
                }
                _ => (default_schema, key.as_str()),
            };
            let (attr, sub) = split_dot(rest);
            if sub.is_some() {
                note(notes, "dotted_keys");
            }
            resolve_parts(schema, attr, sub, None)
        };
        if let Resolved::Target(t) = resolved {
            set(doc, kind, &t, value, notes)?;
        }
    }
    Ok(())
}

/// add/replace at a resolved target.
fn set(
    doc: &mut Map<String, Value>,
    kind: OpKind,
    t: &Target,
    value: &Value,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    if value.is_null() {
        note(notes, "null_unset");
    }
    let Some(target) = container_mut(doc, t.schema) else {
        return Err(ProtocolError::mutability(ABM_READ_ONLY));
    };
    let def = t.def;
    if let Some(filter) = &t.filter {
        return set_filtered(target, def, filter, t.sub, value, notes);
    }
    match (def.multi_valued, def.is_complex(), t.sub) {
        (true, _, None) => set_multi(target, def, kind, value, notes),
        (true, _, Some(sub)) => {
            // `emails.value` without a filter: every value (RFC 7644 §3.5.2.3), or a new one.
            let Some(arr) = array_slot(target, def) else {
                return Ok(());
            };
            if arr.is_empty() {
                let mut elem = Map::new();
                set_sub(&mut elem, def, sub, value, notes)?;
                if !elem.is_empty() {
                    arr.push(Value::Object(elem));
                }
            } else {
                for elem in arr.iter_mut().filter_map(Value::as_object_mut) {
                    set_sub(elem, def, sub, value, notes)?;
                }
            }
            let all: Vec<usize> = (0..arr.len()).collect();
            fix_primary(arr, &all);
            Ok(())
        }
        // add and replace both merge into a complex value (RFC 7644 §3.5.2.1, §3.5.2.3).
        (false, true, None) => match value {
            Value::Object(members) => match complex_slot(target, def) {
                Some(obj) => merge_subs(obj, def, members, notes),
                None => Ok(()),
            },
            _ => put(target, def, value, notes),
        },
        (false, true, Some(sub)) => match complex_slot(target, def) {
            Some(obj) => set_sub(obj, def, sub, value, notes),
            None => Ok(()),
        },
        (false, false, _) => put(target, def, value, notes),
    }
}

/// Sets a whole attribute, or removes it when the value means "unset".
fn put(
    target: &mut Map<String, Value>,
    def: &'static AttrDef,
    value: &Value,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    match norm_attr(def, value, notes)? {
        Some(v) => target.insert(def.name.to_string(), v),
        None => target.remove(def.name),
    };
    Ok(())
}

/// The array of a multi-valued attribute, created (or reset if malformed) on demand.
/// Always `Some`; an `Option` only to avoid a panic path.
fn array_slot<'a>(target: &'a mut Map<String, Value>, def: &AttrDef) -> Option<&'a mut Vec<Value>> {
    let slot = target
        .entry(def.name)
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut()
}

/// add appends (skipping values already present); replace swaps the whole array.
fn set_multi(
    target: &mut Map<String, Value>,
    def: &'static AttrDef,
    kind: OpKind,
    value: &Value,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    if kind == OpKind::Replace {
        return put(target, def, value, notes);
    }
    let Some(Value::Array(new_items)) = norm_attr(def, value, notes)? else {
        return Ok(());
    };
    let Some(arr) = array_slot(target, def) else {
        return Ok(());
    };
    let mut touched = Vec::with_capacity(new_items.len());
    for item in new_items {
        match arr.iter().position(|e| *e == item) {
            Some(i) => touched.push(i),
            None => {
                arr.push(item);
                touched.push(arr.len() - 1);
            }
        }
    }
    fix_primary(arr, &touched);
    bounded(def, arr)
}

/// Stops runaway growth early (the final normalisation enforces the same limit), so a long
/// request cannot make each later operation slower.
fn bounded(def: &AttrDef, arr: &[Value]) -> Result<(), ProtocolError> {
    if arr.len() > MAX_VALUES {
        return Err(ProtocolError::invalid_value(format!(
            "{} may hold at most {MAX_VALUES} values",
            def.name
        )));
    }
    Ok(())
}

/// add/replace at `attr[filter]` or `attr[filter].sub`.
fn set_filtered(
    target: &mut Map<String, Value>,
    def: &'static AttrDef,
    filter: &super::ast::Filter,
    sub: Option<&'static AttrDef>,
    value: &Value,
    notes: &mut Notes,
) -> Result<(), ProtocolError> {
    let Some(arr) = array_slot(target, def) else {
        return Ok(());
    };
    let matched: Vec<usize> = (0..arr.len())
        .filter(|&i| arr.get(i).is_some_and(|e| matches(filter, e)))
        .collect();
    if matched.is_empty() {
        let Some(base) = element_from_filter(def, filter, notes) else {
            return Err(ProtocolError::no_target(format!(
                "no value of {} matches the filter in the path",
                def.name
            )));
        };
        let mut elem = base.clone();
        match (sub, value) {
            (Some(s), _) => set_sub(&mut elem, def, s, value, notes)?,
            (None, Value::Object(members)) => merge_subs(&mut elem, def, members, notes)?,
            (None, Value::Null) => {}
            (None, _) => return Err(element_not_object(def)),
        }
        if elem == base {
            return Ok(()); // nothing to set: don't create an element from the filter alone
        }
        note(notes, "value_filter_path_create");
        arr.push(Value::Object(elem));
        let last = arr.len() - 1;
        fix_primary(arr, &[last]);
        return bounded(def, arr);
    }
    if sub.is_none() && value.is_null() {
        // replace emails[type eq "work"] with null: those values go.
        let mut idx = 0;
        arr.retain(|_| {
            let keep = !matched.contains(&idx);
            idx += 1;
            keep
        });
        return Ok(());
    }
    for &i in &matched {
        let Some(elem) = arr.get_mut(i).and_then(Value::as_object_mut) else {
            continue;
        };
        match (sub, value) {
            (Some(s), _) => set_sub(elem, def, s, value, notes)?,
            (None, Value::Object(members)) => merge_subs(elem, def, members, notes)?,
            (None, _) => return Err(element_not_object(def)),
        }
    }
    fix_primary(arr, &matched);
    arr.retain(|e| e.as_object().is_none_or(|o| !o.is_empty()));
    Ok(())
}

fn element_not_object(def: &AttrDef) -> ProtocolError {
    ProtocolError::invalid_value(format!(
        "the value for a filtered {} path without a sub-attribute must be a JSON object",
        def.name
    ))
}

/// Keeps `primary: true` unique: when the operation made one of `touched` primary, the other
/// values lose it.
fn fix_primary(arr: &mut [Value], touched: &[usize]) {
    let is_primary = |v: &Value| v.get("primary") == Some(&Value::Bool(true));
    if !touched.iter().any(|&i| arr.get(i).is_some_and(is_primary)) {
        return;
    }
    for (i, elem) in arr.iter_mut().enumerate() {
        if !touched.contains(&i) && is_primary(elem) {
            if let Some(o) = elem.as_object_mut() {
                o.insert("primary".into(), Value::Bool(false));
            }
        }
    }
}

fn remove(
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

fn covers(elem: &Value, wanted: &Map<String, Value>) -> bool {
    wanted.iter().all(|(k, w)| match (elem.get(k), w) {
        (Some(Value::String(a)), Value::String(b)) => a.to_lowercase() == b.to_lowercase(),
        (Some(a), b) => a == b,
        (None, _) => false,
    })
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
