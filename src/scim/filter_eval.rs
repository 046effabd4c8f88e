//! In-memory evaluation of SCIM filters against JSON values: PATCH uses it to select elements
//! of multi-valued attributes (`emails[type eq "work"]`), and tests use it as a reference.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use crate::scim::ast::{AttrPath, CompValue, CompareOp, Filter};

const CORE_SCHEMA_PREFIX: &str = "urn:ietf:params:scim:schemas:core:";

/// Evaluates `filter` against one JSON value (a resource, or one element of a multi-valued
/// attribute for PATCH value filters).
///
/// Attribute names match case-insensitively; strings compare case-insensitively (caseExact is
/// false for the attributes PATCH filters select on); a multi-valued attribute matches if any
/// element does, and `emails eq "x"` means `emails.value eq "x"`. `ne` is the negation of `eq`,
/// so it is true when the attribute is absent; `eq null` means "absent or null".
pub fn matches(filter: &Filter, element: &Value) -> bool {
    match filter {
        Filter::And(l, r) => matches(l, element) && matches(r, element),
        Filter::Or(l, r) => matches(l, element) || matches(r, element),
        Filter::Not(x) => !matches(x, element),
        Filter::Present(path) => resolve(element, path).into_iter().any(is_present),
        Filter::Compare { path, op, value } => {
            let found = resolve(element, path);
            match (op, value) {
                (CompareOp::Eq, CompValue::Null) => found.iter().all(|v| v.is_null()),
                (CompareOp::Ne, CompValue::Null) => found.iter().any(|v| !v.is_null()),
                (_, CompValue::Null) => false,
                (CompareOp::Ne, _) => !found.into_iter().any(|v| compare(v, CompareOp::Eq, value)),
                _ => found.into_iter().any(|v| compare(v, *op, value)),
            }
        }
        Filter::ValuePath { attr, filter } => resolve(element, attr)
            .into_iter()
            .any(|v| v.is_object() && matches(filter, v)),
    }
}

fn get_ci<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Pushes `v`, or its elements if it is an array.
fn push_flat<'v>(out: &mut Vec<&'v Value>, v: &'v Value) {
    match v {
        Value::Array(items) => out.extend(items.iter()),
        v => out.push(v),
    }
}

/// The values `path` addresses inside `element`, with multi-valued attributes flattened.
fn resolve<'v>(element: &'v Value, path: &AttrPath) -> Vec<&'v Value> {
    let Value::Object(root) = element else {
        return Vec::new();
    };
    // Extension attributes live under their schema URN; core ones at the top level.
    let base = match &path.uri {
        None => Some(root),
        Some(uri) => match get_ci(root, uri) {
            Some(Value::Object(ext)) => Some(ext),
            Some(_) => None,
            None => {
                let core = uri
                    .get(..CORE_SCHEMA_PREFIX.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(CORE_SCHEMA_PREFIX));
                core.then_some(root)
            }
        },
    };
    let mut out = Vec::new();
    let Some(value) = base.and_then(|b| get_ci(b, &path.attr)) else {
        return out;
    };
    match &path.sub_attr {
        None => push_flat(&mut out, value),
        Some(sub) => {
            let mut parents = Vec::new();
            push_flat(&mut parents, value);
            for parent in parents {
                if let Some(v) = parent.as_object().and_then(|m| get_ci(m, sub)) {
                    push_flat(&mut out, v);
                }
            }
        }
    }
    out
}

fn is_present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn ordering_matches(ord: Option<Ordering>, op: CompareOp) -> bool {
    match (ord, op) {
        (None, _) => false,
        (Some(o), CompareOp::Eq) => o == Ordering::Equal,
        (Some(o), CompareOp::Gt) => o == Ordering::Greater,
        (Some(o), CompareOp::Ge) => o != Ordering::Less,
        (Some(o), CompareOp::Lt) => o == Ordering::Less,
        (Some(o), CompareOp::Le) => o != Ordering::Greater,
        (Some(_), _) => false,
    }
}

fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

fn compare_strings(data: &str, literal: &str, op: CompareOp) -> bool {
    // Date-times compare as instants, whatever their offset or precision.
    if !matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) {
        if let (Ok(a), Ok(b)) = (
            chrono::DateTime::parse_from_rfc3339(data),
            chrono::DateTime::parse_from_rfc3339(literal),
        ) {
            return ordering_matches(Some(a.cmp(&b)), op);
        }
    }
    let (data, literal) = (data.to_lowercase(), literal.to_lowercase());
    match op {
        CompareOp::Co => data.contains(&literal),
        CompareOp::Sw => data.starts_with(&literal),
        CompareOp::Ew => data.ends_with(&literal),
        op => ordering_matches(Some(data.cmp(&literal)), op),
    }
}

/// One data value against one literal, for every operator except `ne` (the negation of `eq`).
fn compare(data: &Value, op: CompareOp, literal: &CompValue) -> bool {
    // `emails eq "x"` compares the elements' `value` sub-attribute.
    let data = match data {
        Value::Object(m) => match get_ci(m, "value") {
            Some(v) => v,
            None => return false,
        },
        v => v,
    };
    match (data, literal) {
        (Value::String(s), CompValue::Str(l)) => compare_strings(s, l, op),
        (Value::Bool(b), CompValue::Bool(l)) => op == CompareOp::Eq && b == l,
        (Value::String(s), CompValue::Bool(l)) => op == CompareOp::Eq && parse_bool(s) == Some(*l),
        (Value::Bool(b), CompValue::Str(l)) => op == CompareOp::Eq && parse_bool(l) == Some(*b),
        (Value::Number(n), CompValue::Num(l)) => ordering_matches(compare_numbers(n, l), op),
        (Value::String(s), CompValue::Num(l)) => {
            let ord = s
                .trim()
                .parse::<f64>()
                .ok()
                .zip(l.as_f64())
                .and_then(|(a, b)| a.partial_cmp(&b));
            ordering_matches(ord, op)
        }
        _ => false,
    }
}
