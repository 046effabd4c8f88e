//! Discovery documents (RFC 7643 §5–7, RFC 7644 §4) built from the static tables in `schema`.
//! Re-exported by `schema`, so callers use `schema::schemas_list_response` etc.
//!
//! `base` is the absolute base URL of the SCIM API (e.g. `https://host/scim/v2`); a trailing `/`
//! is ignored.

use super::{
    AttrDef, AttrType, SchemaId, LIST_RESPONSE_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA,
    SERVICE_PROVIDER_CONFIG_SCHEMA, USER_SCHEMA,
};
use serde_json::{json, Map, Value};

fn trim(base: &str) -> &str {
    base.trim_end_matches('/')
}

fn list_response(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": resources.len(),
        "itemsPerPage": resources.len(),
        "startIndex": 1,
        "Resources": resources,
    })
}

/// One attribute as an RFC 7643 §7 attribute definition object.
pub fn attribute_json(def: &AttrDef) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(def.name));
    m.insert("type".into(), json!(def.attr_type.as_str()));
    m.insert("multiValued".into(), json!(def.multi_valued));
    m.insert("description".into(), json!(def.description));
    m.insert("required".into(), json!(def.required));
    // caseExact is meaningful for string-like types only (RFC 7643 §7).
    if matches!(
        def.attr_type,
        AttrType::String | AttrType::Reference | AttrType::Binary
    ) {
        m.insert("caseExact".into(), json!(def.case_exact));
    }
    m.insert("mutability".into(), json!(def.mutability.as_str()));
    m.insert("returned".into(), json!(def.returned.as_str()));
    if !def.is_complex() {
        m.insert("uniqueness".into(), json!(def.uniqueness.as_str()));
    }
    if !def.canonical_values.is_empty() {
        m.insert("canonicalValues".into(), json!(def.canonical_values));
    }
    if def.attr_type == AttrType::Reference {
        m.insert("referenceTypes".into(), json!(def.reference_types));
    }
    if def.is_complex() {
        let subs: Vec<Value> = def.sub_attributes.iter().map(attribute_json).collect();
        m.insert("subAttributes".into(), Value::Array(subs));
    }
    Value::Object(m)
}

fn schema_names(s: SchemaId) -> (&'static str, &'static str) {
    match s {
        SchemaId::Core => ("User", "User Account"),
        SchemaId::Enterprise => ("EnterpriseUser", "Enterprise User extension"),
        SchemaId::Abm => (
            "AbmUser",
            "Apple Business Manager fields of a User, assigned by ABM (this emulator's own \
             extension, not an Apple-defined schema)",
        ),
    }
}

fn schema_json(s: SchemaId, base: &str) -> Value {
    let (name, description) = schema_names(s);
    let attributes: Vec<Value> = s.attributes().iter().map(attribute_json).collect();
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": s.urn(),
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {
            "resourceType": "Schema",
            "location": format!("{}/Schemas/{}", trim(base), s.urn()),
        },
    })
}

/// `GET /Schemas`: a ListResponse of the User and Enterprise User schemas.
pub fn schemas_list_response(base: &str) -> Value {
    list_response(
        SchemaId::SERVED
            .iter()
            .map(|s| schema_json(*s, base))
            .collect(),
    )
}

/// `GET /Schemas/{urn}` (case-insensitive URN); `None` for a schema that is not served.
pub fn schema_document(urn: &str, base: &str) -> Option<Value> {
    SchemaId::from_urn(urn)
        .filter(|s| SchemaId::SERVED.contains(s))
        .map(|s| schema_json(s, base))
}

fn user_resource_type(base: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": USER_SCHEMA,
        "schemaExtensions": [
            {"schema": SchemaId::Enterprise.urn(), "required": false},
        ],
        "meta": {
            "resourceType": "ResourceType",
            "location": format!("{}/ResourceTypes/User", trim(base)),
        },
    })
}

/// `GET /ResourceTypes`: a ListResponse holding the User resource type only.
pub fn resource_types_list_response(base: &str) -> Value {
    list_response(vec![user_resource_type(base)])
}

/// `GET /ResourceTypes/{name}` (case-insensitive); `None` for anything but `User`.
pub fn resource_type_document(name: &str, base: &str) -> Option<Value> {
    name.eq_ignore_ascii_case("User")
        .then(|| user_resource_type(base))
}

/// `GET /ServiceProviderConfig`. `max_results` is both `filter.maxResults` and the RFC 9865
/// `pagination.maxPageSize`; it is also advertised as `defaultPageSize` because a list request
/// without `count` gets up to `max_results` resources.
pub fn service_provider_config(base: &str, max_results: usize) -> Value {
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": max_results},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with an OAuth 2.0 bearer token (RFC 6750) in the \
                            Authorization header.",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true,
        }],
        "pagination": {
            "cursor": true,
            "index": true,
            "defaultPageSize": max_results,
            "maxPageSize": max_results,
            "cursorTimeout": 3600,
        },
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", trim(base)),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::{ABM_SCHEMA, ENTERPRISE_SCHEMA};

    const BASE: &str = "https://scim.example.com/scim/v2/";

    fn attr<'a>(schema: &'a Value, name: &str) -> &'a Value {
        schema["attributes"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["name"] == name))
            .unwrap_or(&Value::Null)
    }

    #[test]
    fn schemas_list_shape() {
        let v = schemas_list_response(BASE);
        assert_eq!(v["schemas"], json!([LIST_RESPONSE_SCHEMA]));
        assert_eq!(v["totalResults"], 2);
        assert_eq!(v["itemsPerPage"], 2);
        assert_eq!(v["startIndex"], 1);
        let ids: Vec<&str> = v["Resources"]
            .as_array()
            .map(|a| a.iter().filter_map(|r| r["id"].as_str()).collect())
            .unwrap_or_default();
        // The ABM extension is recognised in requests but not served (see `schema`).
        assert_eq!(ids, vec![USER_SCHEMA, ENTERPRISE_SCHEMA]);
    }

    #[test]
    fn user_schema_document() {
        let v = schema_document(&USER_SCHEMA.to_lowercase(), BASE).expect("user schema");
        assert_eq!(v["schemas"], json!([SCHEMA_SCHEMA]));
        assert_eq!(v["id"], USER_SCHEMA);
        assert_eq!(v["name"], "User");
        assert_eq!(v["meta"]["resourceType"], "Schema");
        assert_eq!(
            v["meta"]["location"],
            format!("https://scim.example.com/scim/v2/Schemas/{USER_SCHEMA}")
        );
        let user_name = attr(&v, "userName");
        assert_eq!(user_name["required"], true);
        assert_eq!(user_name["uniqueness"], "server");
        assert_eq!(user_name["caseExact"], false);
        assert_eq!(user_name["type"], "string");
        let password = attr(&v, "password");
        assert_eq!(password["mutability"], "writeOnly");
        assert_eq!(password["returned"], "never");
        let emails = attr(&v, "emails");
        assert_eq!(emails["multiValued"], true);
        assert_eq!(emails["type"], "complex");
        assert!(emails.get("uniqueness").is_none());
        let subs = emails["subAttributes"].as_array().expect("subs");
        assert_eq!(subs.len(), 4);
        assert_eq!(subs[2]["canonicalValues"], json!(["work", "home", "other"]));
        assert_eq!(
            attr(&v, "profileUrl")["referenceTypes"],
            json!(["external"])
        );
        assert_eq!(attr(&v, "roles")["mutability"], "readOnly");
        assert_eq!(attr(&v, "active")["type"], "boolean");
        assert!(attr(&v, "active").get("caseExact").is_none());
        // Common attributes and unsupported ones are not in the schema document.
        for absent in ["id", "meta", "externalId", "groups", "entitlements"] {
            assert!(attr(&v, absent).is_null(), "{absent}");
        }
    }

    #[test]
    fn extension_schema_documents() {
        let ent = schema_document(ENTERPRISE_SCHEMA, BASE).expect("enterprise");
        let manager = attr(&ent, "manager");
        let subs = manager["subAttributes"].as_array().expect("subs");
        let names: Vec<&str> = subs.iter().filter_map(|s| s["name"].as_str()).collect();
        assert_eq!(names, vec!["value", "$ref", "displayName"]);
        assert_eq!(subs[1]["referenceTypes"], json!(["User"]));
        assert_eq!(subs[2]["mutability"], "readOnly");
        assert_eq!(attr(&ent, "department")["mutability"], "readWrite");
        assert!(schema_document(ABM_SCHEMA, BASE).is_none());
        assert!(schema_document("urn:ietf:params:scim:schemas:core:2.0:Group", BASE).is_none());
    }

    #[test]
    fn resource_types() {
        let v = resource_types_list_response(BASE);
        assert_eq!(v["totalResults"], 1);
        let rt = &v["Resources"][0];
        assert_eq!(rt["schemas"], json!([RESOURCE_TYPE_SCHEMA]));
        assert_eq!(rt["id"], "User");
        assert_eq!(rt["endpoint"], "/Users");
        assert_eq!(rt["schema"], USER_SCHEMA);
        assert_eq!(
            rt["schemaExtensions"],
            json!([{"schema": ENTERPRISE_SCHEMA, "required": false}])
        );
        assert_eq!(rt["meta"]["resourceType"], "ResourceType");
        assert_eq!(
            rt["meta"]["location"],
            "https://scim.example.com/scim/v2/ResourceTypes/User"
        );
        assert_eq!(resource_type_document("user", BASE).as_ref(), Some(rt));
        assert!(resource_type_document("Group", BASE).is_none());
    }

    #[test]
    fn service_provider_config_shape() {
        let v = service_provider_config("https://h/scim/v2", 200);
        assert_eq!(v["schemas"], json!([SERVICE_PROVIDER_CONFIG_SCHEMA]));
        assert_eq!(v["patch"]["supported"], true);
        assert_eq!(
            v["bulk"],
            json!({"supported": false, "maxOperations": 0, "maxPayloadSize": 0})
        );
        assert_eq!(v["filter"], json!({"supported": true, "maxResults": 200}));
        assert_eq!(v["changePassword"]["supported"], false);
        assert_eq!(v["sort"]["supported"], true);
        assert_eq!(v["etag"]["supported"], true);
        let auth = &v["authenticationSchemes"][0];
        assert_eq!(auth["type"], "oauthbearertoken");
        assert_eq!(auth["primary"], true);
        for k in ["name", "description", "specUri"] {
            assert!(auth[k].is_string(), "{k}");
        }
        assert_eq!(v["pagination"]["cursor"], true);
        assert_eq!(v["pagination"]["index"], true);
        assert_eq!(v["pagination"]["maxPageSize"], 200);
        assert_eq!(v["pagination"]["cursorTimeout"], 3600);
        assert_eq!(v["meta"]["resourceType"], "ServiceProviderConfig");
        assert_eq!(
            v["meta"]["location"],
            "https://h/scim/v2/ServiceProviderConfig"
        );
    }
}
