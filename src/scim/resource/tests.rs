//! Tests of `resource`: real client bodies, error cases, rendering.

use super::*;
use crate::scim::error::{ProtocolError, ScimType};
use crate::scim::schema::{core_attr, AttrType, ABM_SCHEMA, ENTERPRISE_SCHEMA, USER_SCHEMA};
use serde_json::json;

const ENT: &str = ENTERPRISE_SCHEMA;

fn norm(v: Value) -> Map<String, Value> {
    match normalize_user(&v) {
        Ok(m) => m,
        Err(e) => panic!("normalize_user failed: {e:?} for {v}"),
    }
}

fn norm_err(v: Value) -> ProtocolError {
    match normalize_user(&v) {
        Ok(m) => panic!("expected an error, got {m:?}"),
        Err(e) => e,
    }
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn meta() -> Meta {
    Meta {
        created: "2024-01-02T03:04:05Z".into(),
        last_modified: "2024-02-03T04:05:06Z".into(),
        version: "W/\"3\"".into(),
        location: "https://h/scim/v2/Users/u1".into(),
    }
}

#[test]
fn entra_create_body() {
    let m = norm(json!({
        "schemas": [USER_SCHEMA, ENT],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_ab64@testuser.com",
        "active": true,
        "displayName": "Test User",
        "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0e@testuser.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "701984",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager": "boss-id"
    }));
    assert_eq!(
        Value::Object(m),
        json!({
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": "Test_User_ab64@testuser.com",
            "active": true,
            "displayName": "Test User",
            "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0e@testuser.com"}],
            "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
            ENT: {"department": "Sales", "employeeNumber": "701984", "manager": {"value": "boss-id"}}
        })
    );
}

#[test]
fn okta_put_body_with_password_and_read_only_members() {
    let m = norm(json!({
        "schemas": [USER_SCHEMA],
        "id": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
        "userName": "test.user@okta.local",
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": true,
        "meta": {"resourceType": "User", "version": "W/\"1\""}
    }));
    for absent in ["id", "groups", "password", "meta", "schemas"] {
        assert!(!m.contains_key(absent), "{absent}");
    }
    assert_eq!(m["locale"], "en-US");
    assert_eq!(m["externalId"], "00ujl29u0le5T6Aj10h7");
}

#[test]
fn google_and_onelogin_bodies() {
    let g = norm(json!({
        "schemas": [USER_SCHEMA],
        "userName": "jdoe@example.com",
        "name": {"givenName": "Jane", "familyName": "Doe"},
        "emails": [{"value": "jdoe@example.com", "type": "work", "primary": true}],
        "active": true,
        "externalId": "113405234234"
    }));
    assert_eq!(g["name"], json!({"givenName": "Jane", "familyName": "Doe"}));
    let o = norm(json!({
        "schemas": [USER_SCHEMA, ENT],
        "userName": "kim@example.com",
        "name": {"givenName": "Kim", "familyName": "Lee"},
        "title": "Engineer",
        "phoneNumbers": [{"value": "+1 555 0100", "type": "work"}],
        ENT: {"department": "R&D", "employeeNumber": "42", "manager": {"value": "m-7", "displayName": "Boss"}}
    }));
    assert_eq!(
        o[ENT],
        json!({"department": "R&D", "employeeNumber": "42", "manager": {"value": "m-7"}})
    );
    assert_eq!(
        o["phoneNumbers"],
        json!([{"value": "+1 555 0100", "type": "work"}])
    );
}

#[test]
fn names_are_case_insensitive() {
    let m = norm(json!({
        "SCHEMAS": [USER_SCHEMA.to_uppercase(), ENT.to_lowercase()],
        "USERNAME": "a@b.c",
        "Emails": [{"Value": "a@b.c", "TYPE": "work", "Primary": "True"}],
        "NAME": {"GivenName": "A"},
        "Active": "false",
        ENT.to_uppercase(): {"Department": "X"},
        "urn:ietf:params:scim:schemas:core:2.0:user:DisplayName": "Core qualified",
        "name.FAMILYNAME": "Dotted"
    }));
    assert_eq!(
        Value::Object(m),
        json!({
            "userName": "a@b.c",
            "emails": [{"value": "a@b.c", "type": "work", "primary": true}],
            "name": {"givenName": "A", "familyName": "Dotted"},
            "active": false,
            "displayName": "Core qualified",
            ENT: {"department": "X"}
        })
    );
}

#[test]
fn nested_core_urn_object_and_unknown_members() {
    let m = norm(json!({
        USER_SCHEMA: {"userName": "x", "title": "T"},
        "urn:example:custom:2.0:User:badge": "1",
        "urn:example:custom:2.0:User": {"badge": "1"},
        "favouriteColour": "blue",
        "name": {"givenName": "G", "nickname": "ignored"}
    }));
    assert_eq!(
        Value::Object(m),
        json!({"userName": "x", "title": "T", "name": {"givenName": "G"}})
    );
}

#[test]
fn read_only_members_are_dropped() {
    let m = norm(json!({
        "userName": "x",
        "roles": [{"value": "Staff"}],
        ABM_SCHEMA: {"personId": "p1"},
        "urn:abm-scim:params:scim:schemas:extension:abm:2.0:User:personId": "p2",
        ENT: {"manager": {"value": "m", "displayName": "M", "$ref": "https://h/Users/m"}},
        "meta": {"created": "2020-01-01T00:00:00Z"},
        "id": "forged"
    }));
    assert_eq!(
        Value::Object(m),
        json!({"userName": "x", ENT: {"manager": {"value": "m", "$ref": "https://h/Users/m"}}})
    );
}

#[test]
fn null_and_empty_mean_unset() {
    let m = norm(json!({
        "userName": "x",
        "displayName": null,
        "title": "",
        "emails": [],
        "phoneNumbers": [{"value": ""}],
        "name": {"givenName": "", "familyName": null},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager": {"value": ""},
        ENT: {"department": ""}
    }));
    assert_eq!(Value::Object(m), json!({"userName": "x"}));
    for manager in [
        json!(""),
        json!(null),
        json!({"value": ""}),
        json!({"$ref": "https://h/Users/m"}),
    ] {
        let m = norm(json!({"userName": "x", ENT: {"manager": manager}}));
        assert!(!m.contains_key(ENT), "{manager}");
    }
    let m = norm(json!({"userName": "x", ENT: null}));
    assert!(!m.contains_key(ENT));
}

#[test]
fn lone_object_for_multi_valued_is_wrapped() {
    let m = norm(json!({"userName": "x", "emails": {"value": "a@b.c", "type": "work"}}));
    assert_eq!(m["emails"], json!([{"value": "a@b.c", "type": "work"}]));
}

#[test]
fn schemas_are_checked() {
    let e = norm_err(json!({"schemas": [USER_SCHEMA, "urn:example:bogus"], "userName": "x"}));
    assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax));
    assert!(e.detail.contains("urn:example:bogus"), "{}", e.detail);
    let e = norm_err(json!({"schemas": [crate::scim::schema::PATCH_OP_SCHEMA], "userName": "x"}));
    assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax));
    for bad in [json!(USER_SCHEMA), json!([1]), json!({})] {
        let e = norm_err(json!({"schemas": bad, "userName": "x"}));
        assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax));
    }
    norm(json!({"userName": "no schemas at all"}));
    norm(json!({"schemas": null, "userName": "null schemas"}));
    norm(json!({"schemas": [USER_SCHEMA, ENT, ABM_SCHEMA], "userName": "all known"}));
}

#[test]
fn user_name_is_required() {
    for body in [
        json!({}),
        json!({"userName": ""}),
        json!({"userName": "   "}),
        json!({"userName": null}),
        json!({"displayName": "x"}),
    ] {
        let e = norm_err(body);
        assert_eq!(e.status, 400);
        assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
        assert!(e.detail.contains("userName is required"), "{}", e.detail);
    }
    let e = norm_err(json!({"userName": 42}));
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    assert!(e.detail.contains("userName"));
    let e = norm_err(json!([1, 2]));
    assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax));
}

#[test]
fn type_errors_name_the_attribute() {
    let cases = [
        (json!({"userName": "x", "displayName": 5}), "displayName"),
        (json!({"userName": "x", "title": {"a": 1}}), "title"),
        (json!({"userName": "x", "active": "yes"}), "active"),
        (json!({"userName": "x", "active": 1}), "active"),
        (json!({"userName": "x", "name": "Jane Doe"}), "name"),
        (
            json!({"userName": "x", "name": {"givenName": ["A"]}}),
            "name.givenName",
        ),
        (json!({"userName": "x", "emails": "a@b.c"}), "emails"),
        (json!({"userName": "x", "emails": ["a@b.c"]}), "emails"),
        (
            json!({"userName": "x", "emails": [{"value": 7}]}),
            "emails.value",
        ),
        (
            json!({"userName": "x", "emails": [{"value": {"nested": "x"}}]}),
            "emails.value",
        ),
        (
            json!({"userName": "x", "emails": [{"primary": "maybe"}]}),
            "emails.primary",
        ),
        (json!({"userName": "x", ENT: "Sales"}), ENT),
        (
            json!({"userName": "x", ENT: {"department": 3}}),
            "department",
        ),
        (json!({"userName": "x", ENT: {"manager": 3}}), "manager"),
        (
            json!({"userName": "x", ENT: {"manager": {"value": 3}}}),
            "manager.value",
        ),
    ];
    for (body, attr) in cases {
        let e = norm_err(body.clone());
        assert_eq!(e.scim_type, Some(ScimType::InvalidValue), "{body}");
        assert!(e.detail.contains(attr), "{body}: {}", e.detail);
    }
}

#[test]
fn at_most_one_primary() {
    let e = norm_err(json!({"userName": "x", "emails": [
        {"value": "a@b.c", "primary": true},
        {"value": "d@e.f", "primary": "TRUE"}
    ]}));
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    assert!(e.detail.contains("emails"));
    norm(json!({"userName": "x", "emails": [
        {"value": "a@b.c", "primary": true},
        {"value": "d@e.f", "primary": false}
    ]}));
}

#[test]
fn lengths_and_counts_are_bounded() {
    norm(json!({"userName": "é".repeat(MAX_USER_NAME_CHARS)}));
    let e = norm_err(json!({"userName": "a".repeat(MAX_USER_NAME_CHARS + 1)}));
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    norm(json!({"userName": "x", "displayName": "d".repeat(MAX_STRING_CHARS)}));
    let e = norm_err(json!({"userName": "x", "displayName": "d".repeat(MAX_STRING_CHARS + 1)}));
    assert!(e.detail.contains("displayName"));
    let cert = "A".repeat(MAX_STRING_CHARS * 2);
    norm(json!({"userName": "x", "x509Certificates": [{"value": cert}]}));
    let many: Vec<Value> = (0..=MAX_VALUES)
        .map(|i| json!({"value": format!("{i}@x.y")}))
        .collect();
    let e = norm_err(json!({"userName": "x", "emails": many}));
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    assert!(e.detail.contains("at most 1000"), "{}", e.detail);
}

#[test]
fn simple_type_checks() {
    let mut notes = Notes::new();
    let meta_def = core_attr("meta").expect("meta");
    let created = meta_def.sub("created").expect("created");
    assert!(norm_simple(created, "c", &json!("2024-01-02T03:04:05Z"), &mut notes).is_ok());
    assert!(norm_simple(created, "c", &json!("yesterday"), &mut notes).is_err());
    let int = AttrDef {
        attr_type: AttrType::Integer,
        ..*created
    };
    assert_eq!(
        norm_simple(&int, "i", &json!(3), &mut notes),
        Ok(Some(json!(3)))
    );
    assert!(norm_simple(&int, "i", &json!(3.5), &mut notes).is_err());
    let dec = AttrDef {
        attr_type: AttrType::Decimal,
        ..*created
    };
    assert_eq!(
        norm_simple(&dec, "d", &json!(3.5), &mut notes),
        Ok(Some(json!(3.5)))
    );
    assert!(norm_simple(&dec, "d", &json!("3.5"), &mut notes).is_err());
    assert!(notes.is_empty());
    let active = core_attr("active").expect("active");
    assert_eq!(
        norm_simple(active, "active", &json!(" False "), &mut notes),
        Ok(Some(json!(false)))
    );
    assert_eq!(notes, vec!["string_booleans"]);
}

#[test]
fn never_panics_on_odd_input() {
    let odd = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1e300),
        json!(""),
        json!("x"),
        json!([]),
        json!([null, 1, "a", [], {}]),
        json!({}),
        json!({"value": null, "primary": [], "type": {}}),
        json!([{"value": "a", "primary": true}, {"value": "b", "primary": true}]),
    ];
    let mut keys: Vec<String> = [
        "userName",
        "name",
        "emails",
        "active",
        "schemas",
        "name.givenName",
        "emails.value",
        "manager",
        "urn:",
        ":",
        ".",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    keys.push(ENT.into());
    keys.push(format!("{ENT}:manager"));
    keys.push(format!("{ENT}:manager.value"));
    keys.push(ABM_SCHEMA.into());
    for key in &keys {
        for v in &odd {
            let _ = normalize_user(&json!({"userName": "x", key.as_str(): v}));
            let _ = normalize_user(&json!({ENT: {key.as_str(): v}}));
        }
    }
    for v in &odd {
        let _ = normalize_user(v);
    }
}

#[test]
fn render_full_user() {
    let attrs = norm(json!({
        "userName": "bjensen",
        "name": {"givenName": "Barbara"},
        "active": true,
        ENT: {"department": "Sales"}
    }));
    let extra = AbmFields {
        roles: vec!["Staff".into(), "Manager".into()],
    };
    let v = render_user(&attrs, "u1", &meta(), &extra);
    assert_eq!(
        v,
        json!({
            "schemas": [USER_SCHEMA, ENT],
            "id": "u1",
            "userName": "bjensen",
            "name": {"givenName": "Barbara"},
            "active": true,
            ENT: {"department": "Sales"},
            "roles": [{"value": "Staff"}, {"value": "Manager"}],
            "meta": {
                "resourceType": "User",
                "created": "2024-01-02T03:04:05Z",
                "lastModified": "2024-02-03T04:05:06Z",
                "version": "W/\"3\"",
                "location": "https://h/scim/v2/Users/u1"
            }
        })
    );
}

#[test]
fn render_minimal_user_and_defensive_keys() {
    let attrs = obj(json!({
        "userName": "x",
        "active": false,
        "id": "forged",
        "roles": ["forged"],
        "password": "secret",
        ENT: {}
    }));
    let v = render_user(&attrs, "u2", &meta(), &AbmFields::default());
    assert_eq!(v["schemas"], json!([USER_SCHEMA]));
    assert_eq!(v["id"], "u2");
    assert_eq!(v["active"], false);
    for absent in ["roles", "password", ENT, ABM_SCHEMA] {
        assert!(v.get(absent).is_none(), "{absent}");
    }
}

#[test]
fn render_leaves_a_removed_active_unassigned() {
    // RFC 7644 §3.5.2.2: after `remove active` the attribute is unassigned, so not rendered.
    let v = render_user(
        &obj(json!({"userName": "x"})),
        "u3",
        &meta(),
        &AbmFields::default(),
    );
    assert!(v.get("active").is_none(), "{v}");
    assert_eq!(v["userName"], "x");
}

#[test]
fn copying_a_get_back_is_stable() {
    // Clients PUT back what they GET: read-only members must vanish, the rest round-trip.
    let attrs = norm(json!({
        "userName": "bjensen",
        "externalId": "e1",
        "name": {"givenName": "B", "familyName": "J"},
        "emails": [{"value": "b@x.y", "type": "work", "primary": true}],
        "addresses": [{"streetAddress": "1 Main St", "type": "work"}],
        "x509Certificates": [{"value": "TUlJQw=="}],
        "profileUrl": "https://x.y/b",
        "active": false,
        ENT: {"manager": {"value": "m1"}, "costCenter": "4130"}
    }));
    let extra = AbmFields {
        roles: vec!["Staff".into()],
    };
    let rendered = render_user(&attrs, "u1", &meta(), &extra);
    assert_eq!(norm(rendered), attrs);
}
