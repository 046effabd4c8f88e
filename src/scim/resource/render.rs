//! Rendering: the SCIM User served to clients, built from the canonical map and the data the
//! server owns (`id`, `meta`, ABM roles).

use crate::scim::schema::{SchemaId, ENTERPRISE_SCHEMA, USER_SCHEMA};
use serde_json::{json, Map, Value};

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
