//! The PATCH engine (RFC 7644 §3.5.2), tolerant of the dialects real IdPs speak.
//!
//! Operations apply in order to a copy of the canonical map; the result is normalised again
//! with [`normalize_user`](super::resource::normalize_user), so it always satisfies the schema.
//! Any failure returns an error and no partial result.
//!
//! This file reads the PatchOp message and each operation's `op`, `path` and `value`;
//! applying them is `add_replace`'s and `remove`'s job.

mod add_replace;
mod remove;

use super::error::ProtocolError;
use super::filter::parse_path;
use super::patch_paths::{resolve, Resolved};
use super::resource::{clip, get_ci, normalize_user_noting, note, Notes};
use super::schema::{SchemaId, PATCH_OP_SCHEMA};
use add_replace::{apply_pathless, set, set_extension};
use remove::remove;
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

#[cfg(test)]
mod tests;
