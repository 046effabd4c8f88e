//! add and replace (RFC 7644 §3.5.2.1, §3.5.2.3) at a resolved target: whole attributes,
//! sub-attributes, value-filtered elements of multi-valued attributes, whole extension objects
//! and path-less values; `primary: true` is kept unique.

use super::OpKind;
use crate::scim::ast::Filter;
use crate::scim::error::ProtocolError;
use crate::scim::filter::{matches, parse_path};
use crate::scim::patch_paths::{
    element_from_filter, resolve, resolve_parts, Resolved, Target, ABM_READ_ONLY,
};
use crate::scim::resource::{
    complex_slot, container_mut, merge_subs, norm_attr, note, set_sub, split_dot, Notes, MAX_VALUES,
};
use crate::scim::schema::{AttrDef, SchemaId, ENTERPRISE_SCHEMA};
use serde_json::{Map, Value};

/// add/replace of a whole extension object (a bare extension URN as the path, or as a key
/// of a path-less value).
pub(super) fn set_extension(
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
pub(super) fn apply_pathless(
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
pub(super) fn set(
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
    filter: &Filter,
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
