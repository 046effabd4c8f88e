//! Attribute projection of a rendered resource: the `attributes` and `excludedAttributes`
//! query parameters (RFC 7644 §3.4.2.5 and §3.9). Re-exported by `resource`.

use super::schema::SchemaId;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Members that are `returned: always` (plus `schemas`, which is not an attribute but without
/// which the resource cannot be read): never dropped by projection.
const ALWAYS: [&str; 2] = ["id", "schemas"];

/// A selection tree over lower-cased member names.
#[derive(Debug, Default)]
struct Sel {
    all: bool,
    children: BTreeMap<String, Sel>,
}

impl Sel {
    fn insert(&mut self, segs: &[String]) {
        if self.all {
            return;
        }
        match segs.split_first() {
            None => {
                self.all = true;
                self.children.clear();
            }
            Some((head, rest)) => self.children.entry(head.clone()).or_default().insert(rest),
        }
    }
}

/// What one comma-separated name designates.
enum Name {
    /// The whole core schema (`urn:...:core:2.0:User`).
    WholeCore,
    /// Path segments (lower-cased): `[attr, sub?]` for core, `[urn, attr?, sub?]` for an
    /// extension.
    Segments(Vec<String>),
}

fn parse_name(raw: &str) -> Option<Name> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let lower = |s: &str| s.to_ascii_lowercase();
    if let Some(schema) = SchemaId::from_urn(raw) {
        return Some(match schema {
            SchemaId::Core => Name::WholeCore,
            other => Name::Segments(vec![lower(other.urn())]),
        });
    }
    let (schema, rest) = SchemaId::strip_prefix(raw).unwrap_or((SchemaId::Core, raw));
    let mut segs = Vec::with_capacity(3);
    if schema != SchemaId::Core {
        segs.push(lower(schema.urn()));
    }
    match rest.split_once('.') {
        Some((attr, sub)) => {
            segs.push(lower(attr));
            segs.push(lower(sub));
        }
        None => segs.push(lower(rest)),
    }
    Some(Name::Segments(segs))
}

fn names(list: Option<&str>) -> Vec<Name> {
    list.map(|l| l.split(',').filter_map(parse_name).collect())
        .unwrap_or_default()
}

fn keep(value: &Value, sel: &Sel) -> Option<Value> {
    if sel.all {
        return Some(value.clone());
    }
    match value {
        Value::Object(members) => {
            let mut out = Map::new();
            for (k, v) in members {
                if let Some(kept) = sel
                    .children
                    .get(&k.to_ascii_lowercase())
                    .and_then(|child| keep(v, child))
                {
                    out.insert(k.clone(), kept);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        // A sub-attribute selection applies to each value of a multi-valued attribute.
        Value::Array(items) => {
            let kept: Vec<Value> = items.iter().filter_map(|e| keep(e, sel)).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        _ => None,
    }
}

fn is_empty_container(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn remove(value: &mut Value, segs: &[String], top: bool) {
    let Some((head, rest)) = segs.split_first() else {
        return;
    };
    match value {
        Value::Object(members) => {
            if top && rest.is_empty() && ALWAYS.contains(&head.as_str()) {
                return;
            }
            let keys: Vec<String> = members
                .keys()
                .filter(|k| k.eq_ignore_ascii_case(head))
                .cloned()
                .collect();
            for k in keys {
                if rest.is_empty() {
                    members.remove(&k);
                } else if let Some(child) = members.get_mut(&k) {
                    remove(child, rest, false);
                    if is_empty_container(child) {
                        members.remove(&k);
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                remove(item, segs, false);
            }
            items.retain(|i| !is_empty_container(i));
        }
        _ => {}
    }
}

/// Applies `attributes` / `excludedAttributes` (comma-separated, case-insensitive; names may be
/// URN-qualified, e.g. `urn:...:enterprise:2.0:User:department`, or name sub-attributes such as
/// `name.givenName` and `emails.value`; an extension URN alone selects the whole extension).
///
/// With `attributes`, only the named attributes plus `id` and `schemas` are kept (`meta` only
/// when asked for). `excludedAttributes` then removes names, never `id` or `schemas`; unknown
/// names are harmless. A non-object `resource` is returned unchanged.
pub fn project(resource: &Value, attributes: Option<&str>, excluded: Option<&str>) -> Value {
    if !resource.is_object() {
        return resource.clone();
    }
    let wanted = names(attributes);
    let mut out = if wanted.is_empty() || wanted.iter().any(|n| matches!(n, Name::WholeCore)) {
        resource.clone()
    } else {
        let mut root = Sel::default();
        for always in ALWAYS {
            root.insert(&[always.to_string()]);
        }
        for name in &wanted {
            if let Name::Segments(segs) = name {
                root.insert(segs);
            }
        }
        keep(resource, &root).unwrap_or_else(|| Value::Object(Map::new()))
    };
    for name in names(excluded) {
        if let Name::Segments(segs) = name {
            remove(&mut out, &segs, true);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::{ABM_SCHEMA, ENTERPRISE_SCHEMA, USER_SCHEMA};
    use serde_json::json;

    fn user() -> Value {
        json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA, ABM_SCHEMA],
            "id": "u1",
            "userName": "bjensen",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [
                {"value": "b@example.com", "type": "work", "primary": true},
                {"value": "babs@home.org", "type": "home"}
            ],
            "active": true,
            ENTERPRISE_SCHEMA: {"department": "Sales", "manager": {"value": "m1"}},
            ABM_SCHEMA: {"personId": "p1"},
            "meta": {"resourceType": "User", "version": "W/\"1\""}
        })
    }

    #[test]
    fn no_parameters_is_identity() {
        assert_eq!(project(&user(), None, None), user());
        assert_eq!(project(&user(), Some(" , "), Some("")), user());
    }

    #[test]
    fn attributes_keep_always_returned() {
        let v = project(&user(), Some("userName"), None);
        assert_eq!(
            v,
            json!({"schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA, ABM_SCHEMA], "id": "u1", "userName": "bjensen"})
        );
        let v = project(&user(), Some("USERNAME,meta"), None);
        assert_eq!(v["meta"]["version"], "W/\"1\"");
        assert!(v.get("name").is_none());
    }

    #[test]
    fn sub_attributes() {
        let v = project(&user(), Some("name.givenName,emails.value"), None);
        assert_eq!(v["name"], json!({"givenName": "Barbara"}));
        assert_eq!(
            v["emails"],
            json!([{"value": "b@example.com"}, {"value": "babs@home.org"}])
        );
        let v = project(&user(), Some("emails.type,emails.VALUE"), None);
        assert_eq!(
            v["emails"][1],
            json!({"value": "babs@home.org", "type": "home"})
        );
    }

    #[test]
    fn enterprise_by_urn() {
        let attr = format!("{ENTERPRISE_SCHEMA}:department");
        let v = project(&user(), Some(&attr), None);
        assert_eq!(v[ENTERPRISE_SCHEMA], json!({"department": "Sales"}));
        let attr = format!("{}:manager.value", ENTERPRISE_SCHEMA.to_uppercase());
        let v = project(&user(), Some(&attr), None);
        assert_eq!(v[ENTERPRISE_SCHEMA], json!({"manager": {"value": "m1"}}));
        let v = project(&user(), Some(ENTERPRISE_SCHEMA), None);
        assert_eq!(v[ENTERPRISE_SCHEMA], user()[ENTERPRISE_SCHEMA]);
        let attr = format!("{USER_SCHEMA}:userName");
        assert_eq!(project(&user(), Some(&attr), None)["userName"], "bjensen");
        assert_eq!(project(&user(), Some(USER_SCHEMA), None), user());
    }

    #[test]
    fn excluded_attributes() {
        let v = project(
            &user(),
            None,
            Some("emails,id,schemas,members,name.familyName"),
        );
        assert!(v.get("emails").is_none());
        assert_eq!(v["id"], "u1");
        assert!(v["schemas"].is_array());
        assert_eq!(v["name"], json!({"givenName": "Barbara"}));
        let ex = format!("{ENTERPRISE_SCHEMA}:department,emails.primary");
        let v = project(&user(), None, Some(&ex));
        assert_eq!(v[ENTERPRISE_SCHEMA], json!({"manager": {"value": "m1"}}));
        assert!(v["emails"][0].get("primary").is_none());
        let v = project(
            &user(),
            None,
            Some(&format!("{ENTERPRISE_SCHEMA}:manager.value")),
        );
        assert_eq!(v[ENTERPRISE_SCHEMA], json!({"department": "Sales"}));
        let v = project(&user(), None, Some(ENTERPRISE_SCHEMA));
        assert!(v.get(ENTERPRISE_SCHEMA).is_none());
    }

    #[test]
    fn both_parameters_and_odd_input() {
        let v = project(&user(), Some("name,emails"), Some("name.givenName"));
        assert_eq!(v["name"], json!({"familyName": "Jensen"}));
        assert!(v.get("userName").is_none());
        assert_eq!(project(&json!([1]), Some("id"), None), json!([1]));
        let v = project(
            &user(),
            Some("userName.x,urn:x:y:z,..,emails..value"),
            Some("."),
        );
        assert_eq!(v["id"], "u1");
        assert!(v.get("userName").is_none());
    }
}
