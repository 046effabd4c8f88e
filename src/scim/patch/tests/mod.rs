//! Tests of `patch`: request bodies as real clients send them, RFC edge cases, errors (the RFC
//! 7644 §3.5.2 semantics are in `rfc`).

use super::*;
use crate::scim::error::ScimType;
use crate::scim::patch_paths::ROLES_READ_ONLY;
use crate::scim::resource::{normalize_user, MAX_VALUES};
use crate::scim::schema::{ABM_SCHEMA, ENTERPRISE_SCHEMA};
use serde_json::json;

const ENT: &str = ENTERPRISE_SCHEMA;

fn user(v: Value) -> Map<String, Value> {
    match normalize_user(&v) {
        Ok(m) => m,
        Err(e) => panic!("bad fixture: {e:?}"),
    }
}

fn base() -> Map<String, Value> {
    user(json!({
        "userName": "bjensen@example.com",
        "externalId": "e1",
        "displayName": "Babs",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@home.org", "type": "home"}
        ],
        "active": true,
        ENT: {"department": "Sales", "manager": {"value": "m1"}}
    }))
}

fn bare() -> Map<String, Value> {
    user(json!({"userName": "new@example.com"}))
}

fn req(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": ops})
}

fn ok(current: &Map<String, Value>, request: Value) -> PatchOutcome {
    match apply_patch(current, &request) {
        Ok(o) => {
            // The outcome is always canonical: normalising it again changes nothing.
            assert_eq!(
                normalize_user(&Value::Object(o.attrs.clone())).as_ref(),
                Ok(&o.attrs)
            );
            o
        }
        Err(e) => panic!("PATCH failed: {e:?} for {request}"),
    }
}

fn err(current: &Map<String, Value>, request: Value) -> ProtocolError {
    match apply_patch(current, &request) {
        Ok(o) => panic!("expected an error, got {:?}", o.attrs),
        Err(e) => e,
    }
}

fn attrs(o: &PatchOutcome) -> Value {
    Value::Object(o.attrs.clone())
}

// ---- Microsoft Entra ID ----

#[test]
fn entra_disable_with_string_boolean() {
    let o = ok(
        &base(),
        req(json!([{"op": "Replace", "path": "active", "value": "False"}])),
    );
    assert_eq!(o.attrs["active"], false);
    assert!(o.changed);
    assert_eq!(o.dialect, vec!["capitalised_ops", "string_booleans"]);
}

#[test]
fn entra_documented_multi_operation_request() {
    let o = ok(
        &base(),
        req(json!([
            {"op": "Replace", "path": "displayName", "value": "Babs Jensen"},
            {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}
        ])),
    );
    let v = attrs(&o);
    assert_eq!(v["displayName"], "Babs Jensen");
    assert_eq!(
        v["emails"][0],
        json!({"value": "updatedEmail@microsoft.com", "type": "work", "primary": true})
    );
    assert_eq!(v["emails"][1]["value"], "babs@home.org");
    assert_eq!(
        v["name"],
        json!({"givenName": "Barbara", "familyName": "updatedFamilyName"})
    );
    assert!(!o.dialect.contains(&"value_filter_path_create"));
}

#[test]
fn entra_creates_missing_filtered_values() {
    let o = ok(
        &bare(),
        req(json!([
            {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "w@example.com"},
            {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0100"},
            {"op": "Replace", "path": "addresses[type eq \"work\"].streetAddress", "value": "1 Main St"},
            {"op": "Add", "path": "addresses[type eq \"work\"].locality", "value": "Springfield"},
            {"op": "Add", "path": "emails[type eq \"home\" and primary eq true].value", "value": "h@example.com"}
        ])),
    );
    let v = attrs(&o);
    assert_eq!(
        v["emails"],
        json!([
            {"type": "work", "value": "w@example.com"},
            {"type": "home", "primary": true, "value": "h@example.com"}
        ])
    );
    assert_eq!(
        v["phoneNumbers"],
        json!([{"type": "mobile", "value": "+1 555 0100"}])
    );
    assert_eq!(
        v["addresses"],
        json!([{"type": "work", "streetAddress": "1 Main St", "locality": "Springfield"}])
    );
    assert!(o.dialect.contains(&"value_filter_path_create"));
    // Setting nothing creates nothing.
    let o = ok(
        &bare(),
        req(json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": ""}])),
    );
    assert!(!o.changed);
}

#[test]
fn entra_manager_forms() {
    let path = format!("{ENT}:manager");
    let o = ok(
        &bare(),
        req(json!([{"op": "Add", "path": path, "value": "boss-id"}])),
    );
    assert_eq!(o.attrs[ENT], json!({"manager": {"value": "boss-id"}}));
    assert!(o.dialect.contains(&"manager_string"));
    let o = ok(
        &bare(),
        req(json!([{"op": "Replace", "path": path, "value": {"value": "b2"}}])),
    );
    assert_eq!(o.attrs[ENT], json!({"manager": {"value": "b2"}}));
    for clear in [json!(""), json!(null), json!({"value": ""})] {
        let o = ok(
            &base(),
            req(json!([{"op": "Replace", "path": path, "value": clear}])),
        );
        assert_eq!(o.attrs[ENT], json!({"department": "Sales"}), "{clear}");
    }
    let o = ok(&base(), req(json!([{"op": "Remove", "path": path}])));
    assert_eq!(o.attrs[ENT], json!({"department": "Sales"}));
    let o = ok(
        &base(),
        req(json!([{"op": "Replace", "path": format!("{ENT}:manager.value"), "value": "m9"}])),
    );
    assert_eq!(o.attrs[ENT]["manager"], json!({"value": "m9"}));
}

#[test]
fn entra_remove_with_value_array() {
    let o = ok(
        &base(),
        req(json!([{"op": "Remove", "path": "emails", "value": [{"value": "BABS@home.org"}]}])),
    );
    assert_eq!(
        o.attrs["emails"],
        json!([{"value": "bjensen@example.com", "type": "work", "primary": true}])
    );
    assert_eq!(o.dialect, vec!["capitalised_ops", "remove_with_value"]);
    // Unknown values are no error; a string names the `value`.
    let o = ok(
        &base(),
        req(json!([{"op": "remove", "path": "emails", "value": "nobody@x.y"}])),
    );
    assert!(!o.changed);
    let o = ok(
        &base(),
        req(
            json!([{"op": "remove", "path": "emails", "value": ["bjensen@example.com", {"value": "babs@home.org", "type": "home"}]}]),
        ),
    );
    assert!(!o.attrs.contains_key("emails"));
}

#[test]
fn entra_aad_opt_scim_062020_pathless_ops() {
    let o = ok(
        &base(),
        json!({
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": [
                {"op": "replace", "value": {
                    "active": false,
                    "displayName": "New Name",
                    "name.givenName": "Barb",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Engineering",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager": "boss",
                    "emails[type eq \"work\"].value": "barb@example.com"
                }},
                {"op": "add", "value": {"nickName": "Babs", "title": "CTO"}}
            ]
        }),
    );
    let v = attrs(&o);
    assert_eq!(v["active"], false);
    assert_eq!(v["displayName"], "New Name");
    assert_eq!(v["name"]["givenName"], "Barb");
    assert_eq!(v["name"]["familyName"], "Jensen");
    assert_eq!(
        v[ENT],
        json!({"department": "Engineering", "manager": {"value": "boss"}})
    );
    assert_eq!(v["emails"][0]["value"], "barb@example.com");
    assert_eq!(
        (v["nickName"].as_str(), v["title"].as_str()),
        (Some("Babs"), Some("CTO"))
    );
    for d in [
        "pathless_replace",
        "dotted_keys",
        "urn_keys",
        "value_filter_keys",
        "pathless_add",
    ] {
        assert!(o.dialect.contains(&d), "{d}: {:?}", o.dialect);
    }
    assert!(!o.dialect.contains(&"capitalised_ops"));
}

#[test]
fn entra_role_assignment_is_refused() {
    let e = err(
        &base(),
        req(
            json!([{"op": "Add", "path": "roles", "value": [{"value": "Admin", "primary": "True"}]}]),
        ),
    );
    assert_eq!((e.status, e.scim_type), (400, Some(ScimType::Mutability)));
    assert!(e.detail.contains(ROLES_READ_ONLY), "{}", e.detail);
}

// ---- Okta, Google Workspace, OneLogin ----

#[test]
fn okta_deactivate_and_reactivate() {
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "value": {"active": false}}])),
    );
    assert_eq!(o.attrs["active"], false);
    assert!(o.changed);
    assert_eq!(o.dialect, vec!["pathless_replace"]);
    let again = ok(
        &o.attrs,
        req(json!([{"op": "replace", "value": {"active": false}}])),
    );
    assert!(!again.changed);
    // Okta also sends id and password in path-less values: ignored, not an error.
    let o = ok(
        &base(),
        req(
            json!([{"op": "replace", "value": {"id": "x", "password": "p@ss", "active": true, "meta": {}}}]),
        ),
    );
    assert!(!o.changed);
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "path": "password", "value": "s3cret"}])),
    );
    assert!(!o.changed);
}

#[test]
fn google_and_onelogin_style_requests() {
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "value": {
            "name": {"givenName": "Barbara", "familyName": "Jensen-Smith"},
            "emails": [{"value": "bjs@example.com", "type": "work", "primary": true}],
            "externalId": "g-42"
        }}])),
    );
    let v = attrs(&o);
    assert_eq!(v["name"]["familyName"], "Jensen-Smith");
    assert_eq!(
        v["emails"],
        json!([{"value": "bjs@example.com", "type": "work", "primary": true}])
    );
    assert_eq!(v["externalId"], "g-42");
    let o = ok(
        &base(),
        req(
            json!([{"op": "replace", "path": "active", "value": false}, {"op": "replace", "path": "title", "value": "Eng"}]),
        ),
    );
    assert_eq!(
        (o.attrs["active"].as_bool(), o.attrs["title"].as_str()),
        (Some(false), Some("Eng"))
    );
}

mod rfc;
