//! Tests of `patch`: RFC 7644 §3.5.2 semantics, errors, robustness.

use super::*;

#[test]
fn extension_objects_and_urn_paths() {
    let o = ok(
        &bare(),
        req(
            json!([{"op": "add", "value": {ENT: {"department": "HR", "manager": {"value": "m2"}}}}]),
        ),
    );
    assert_eq!(
        o.attrs[ENT],
        json!({"department": "HR", "manager": {"value": "m2"}})
    );
    assert!(o.dialect.contains(&"urn_objects"));
    let o = ok(
        &base(),
        req(
            json!([{"op": "replace", "path": ENT.to_lowercase(), "value": {"costCenter": "4130"}}]),
        ),
    );
    assert_eq!(
        o.attrs[ENT],
        json!({"department": "Sales", "manager": {"value": "m1"}, "costCenter": "4130"})
    );
    let path = format!("{}:Department", ENT.to_uppercase());
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "path": path, "value": "Ops"}])),
    );
    assert_eq!(o.attrs[ENT]["department"], "Ops");
    let o = ok(&base(), req(json!([{"op": "remove", "path": ENT}])));
    assert!(!o.attrs.contains_key(ENT));
    let o = ok(
        &base(),
        req(
            json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:displayName", "value": "Q"}]),
        ),
    );
    assert_eq!(o.attrs["displayName"], "Q");
}

#[test]
fn multi_valued_add_replace() {
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "path": "emails", "value": [{"value": "only@x.y"}]}])),
    );
    assert_eq!(o.attrs["emails"], json!([{"value": "only@x.y"}]));
    let o = ok(
        &base(),
        req(json!([{"op": "add", "path": "emails", "value": [
            {"value": "babs@home.org", "type": "home"},
            {"value": "third@x.y", "type": "other"}
        ]}])),
    );
    assert_eq!(o.attrs["emails"].as_array().map(Vec::len), Some(3));
    // A lone object is wrapped; a new primary takes over.
    let o = ok(
        &base(),
        req(
            json!([{"op": "add", "path": "emails", "value": {"value": "p@x.y", "primary": "True"}}]),
        ),
    );
    assert_eq!(o.attrs["emails"][0]["primary"], false);
    assert_eq!(
        o.attrs["emails"][2],
        json!({"value": "p@x.y", "primary": true})
    );
    let e = err(
        &base(),
        req(json!([{"op": "replace", "path": "emails", "value": [
            {"value": "a@x.y", "primary": true}, {"value": "b@x.y", "primary": true}
        ]}])),
    );
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
}

#[test]
fn primary_stays_unique_through_filters() {
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}])),
    );
    assert_eq!(o.attrs["emails"][0]["primary"], false);
    assert_eq!(o.attrs["emails"][1]["primary"], true);
    let o = ok(
        &base(),
        req(
            json!([{"op": "add", "path": "emails[type eq \"other\"]", "value": {"value": "o@x.y", "primary": true}}]),
        ),
    );
    assert_eq!(o.attrs["emails"][0]["primary"], false);
    assert_eq!(
        o.attrs["emails"][2],
        json!({"type": "other", "value": "o@x.y", "primary": true})
    );
}

#[test]
fn filtered_replace_merges_and_null_removes() {
    let o = ok(
        &base(),
        req(
            json!([{"op": "replace", "path": "emails[type eq \"work\"]", "value": {"value": "new@x.y"}}]),
        ),
    );
    assert_eq!(
        o.attrs["emails"][0],
        json!({"value": "new@x.y", "type": "work", "primary": true})
    );
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "path": "emails[type eq \"home\"]", "value": null}])),
    );
    assert_eq!(o.attrs["emails"].as_array().map(Vec::len), Some(1));
    let e = err(
        &base(),
        req(
            json!([{"op": "replace", "path": "emails[value co \"nowhere\"].type", "value": "work"}]),
        ),
    );
    assert_eq!(e.scim_type, Some(ScimType::NoTarget));
    let e = err(
        &base(),
        req(json!([{"op": "replace", "path": "emails[type eq \"work\"]", "value": "x"}])),
    );
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
}

#[test]
fn complex_add_merges() {
    let o = ok(
        &base(),
        req(
            json!([{"op": "add", "path": "name", "value": {"middleName": "Jane", "GIVENNAME": "B."}}]),
        ),
    );
    assert_eq!(
        o.attrs["name"],
        json!({"givenName": "B.", "familyName": "Jensen", "middleName": "Jane"})
    );
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "path": "name", "value": {"givenName": ""}}])),
    );
    assert_eq!(o.attrs["name"], json!({"familyName": "Jensen"}));
    let o = ok(
        &bare(),
        req(json!([{"op": "add", "path": "name.givenName", "value": "G"}])),
    );
    assert_eq!(o.attrs["name"], json!({"givenName": "G"}));
    let o = ok(
        &bare(),
        req(json!([{"op": "add", "path": "emails.value", "value": "first@x.y"}])),
    );
    assert_eq!(o.attrs["emails"], json!([{"value": "first@x.y"}]));
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "path": "emails.type", "value": "other"}])),
    );
    assert_eq!(
        (
            o.attrs["emails"][0]["type"].as_str(),
            o.attrs["emails"][1]["type"].as_str()
        ),
        (Some("other"), Some("other"))
    );
}

#[test]
fn removals() {
    let o = ok(
        &base(),
        req(
            json!([{"op": "remove", "path": "name.givenName"}, {"op": "remove", "path": "displayName"}]),
        ),
    );
    assert_eq!(o.attrs["name"], json!({"familyName": "Jensen"}));
    assert!(!o.attrs.contains_key("displayName"));
    let o = ok(
        &base(),
        req(json!([{"op": "remove", "path": "name"}, {"op": "remove", "path": "emails"}])),
    );
    assert!(!o.attrs.contains_key("name") && !o.attrs.contains_key("emails"));
    let o = ok(
        &base(),
        req(json!([{"op": "remove", "path": "emails[type eq \"home\"]"}])),
    );
    assert_eq!(o.attrs["emails"].as_array().map(Vec::len), Some(1));
    let o = ok(
        &base(),
        req(
            json!([{"op": "remove", "path": "emails[type eq \"work\" and primary eq true].value"}]),
        ),
    );
    assert_eq!(
        o.attrs["emails"][0],
        json!({"type": "work", "primary": true})
    );
    let o = ok(
        &base(),
        req(json!([{"op": "remove", "path": "emails.primary"}])),
    );
    assert!(o.attrs["emails"][0].get("primary").is_none());
    // Removing what is not there is no error (idempotent) ...
    let o = ok(
        &bare(),
        req(json!([{"op": "remove", "path": "title"}, {"op": "remove", "path": "name.givenName"}])),
    );
    assert!(!o.changed);
    // ... unless a value filter selects nothing.
    let e = err(
        &base(),
        req(json!([{"op": "remove", "path": "emails[type eq \"other\"]"}])),
    );
    assert_eq!(e.scim_type, Some(ScimType::NoTarget));
    let e = err(
        &bare(),
        req(json!([{"op": "remove", "path": "emails[type eq \"work\"].value"}])),
    );
    assert_eq!(e.scim_type, Some(ScimType::NoTarget));
    let o = ok(&base(), req(json!([{"op": "remove", "path": "active"}])));
    assert!(!o.attrs.contains_key("active"));
}

#[test]
fn remove_errors() {
    let e = err(&base(), req(json!([{"op": "remove"}])));
    assert_eq!(e.scim_type, Some(ScimType::NoTarget));
    let e = err(&base(), req(json!([{"op": "remove", "path": "userName"}])));
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    let e = err(
        &base(),
        req(json!([{"op": "replace", "path": "userName", "value": ""}])),
    );
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    assert!(e.detail.contains("userName is required"));
    let e = err(
        &base(),
        req(json!([{"op": "remove", "path": USER_SCHEMA_URN}])),
    );
    assert_eq!(e.scim_type, Some(ScimType::InvalidPath));
}

const USER_SCHEMA_URN: &str = crate::scim::schema::USER_SCHEMA;

#[test]
fn read_only_targets() {
    let person = format!("{ABM_SCHEMA}:personId");
    let manager_name = format!("{ENT}:manager.displayName");
    for (op, path) in [
        ("replace", "id"),
        ("replace", "meta"),
        ("remove", "meta.lastModified"),
        ("Replace", "roles"),
        ("remove", "roles"),
        ("add", person.as_str()),
        ("add", ABM_SCHEMA),
        ("remove", ABM_SCHEMA),
        ("add", "groups"),
        ("replace", manager_name.as_str()),
    ] {
        let e = err(
            &base(),
            req(json!([{"op": op, "path": path, "value": "x"}])),
        );
        assert_eq!(
            (e.status, e.scim_type),
            (400, Some(ScimType::Mutability)),
            "{op} {path}"
        );
    }
    // In path-less values they are dropped, as in PUT bodies.
    let o = ok(
        &base(),
        req(
            json!([{"op": "add", "value": {"roles": [{"value": "Admin"}], ABM_SCHEMA: {"personId": "p"}, "groups": []}}]),
        ),
    );
    assert!(!o.changed);
}

#[test]
fn bad_paths() {
    for path in [
        "nope",
        "name.nope",
        "urn:example:x:2.0:User:title",
        "userName[value eq \"x\"]",
        "emails[type eq]",
        "emails[type eq \"work\"]x",
    ] {
        let e = err(
            &base(),
            req(json!([{"op": "replace", "path": path, "value": "x"}])),
        );
        assert_eq!(e.scim_type, Some(ScimType::InvalidPath), "{path}");
    }
    let e = err(
        &base(),
        req(json!([{"op": "replace", "path": 7, "value": "x"}])),
    );
    assert_eq!(e.scim_type, Some(ScimType::InvalidSyntax));
}

#[test]
fn message_errors() {
    let cases = [
        json!({"Operations": [{"op": "add", "path": "title", "value": "x"}]}),
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "Operations": [{"op": "add", "path": "title", "value": "x"}]}),
        json!({"schemas": PATCH_OP_SCHEMA, "Operations": []}),
        req(json!([])),
        req(json!({"op": "add"})),
        json!({"schemas": [PATCH_OP_SCHEMA]}),
        req(json!([{"op": "upsert", "path": "title", "value": "x"}])),
        req(json!([{"path": "title", "value": "x"}])),
        req(json!([{"op": 1, "path": "title", "value": "x"}])),
        req(json!(["add"])),
        req(json!([{"op": "add", "path": "title"}])),
        req(json!([{"op": "replace", "value": "x"}])),
        req(json!([{"op": "replace"}])),
        json!([1]),
    ];
    for c in cases {
        let e = err(&base(), c.clone());
        assert_eq!(
            (e.status, e.scim_type),
            (400, Some(ScimType::InvalidSyntax)),
            "{c}"
        );
    }
    let many: Vec<Value> = (0..=MAX_OPERATIONS)
        .map(|_| json!({"op": "add", "path": "title", "value": "x"}))
        .collect();
    let e = err(&base(), req(Value::Array(many)));
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    let most: Vec<Value> = (0..MAX_OPERATIONS)
        .map(|i| json!({"op": "add", "path": "title", "value": format!("t{i}")}))
        .collect();
    assert_eq!(ok(&base(), req(Value::Array(most))).attrs["title"], "t999");
}

#[test]
fn lenient_message_spellings() {
    let o = ok(
        &base(),
        json!({"SCHEMAS": [PATCH_OP_SCHEMA.to_lowercase()], "operations": [{"OP": "add", "PATH": "title", "VALUE": "x"}]}),
    );
    assert_eq!(o.attrs["title"], "x");
    assert_eq!(o.dialect, vec!["operations_key_case"]);
}

#[test]
fn value_type_errors_and_all_or_nothing() {
    let e = err(
        &base(),
        req(json!([{"op": "replace", "path": "displayName", "value": 5}])),
    );
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    assert!(e.detail.contains("displayName"));
    let e = err(
        &base(),
        req(json!([
            {"op": "replace", "path": "displayName", "value": "ok"},
            {"op": "replace", "path": "active", "value": "perhaps"}
        ])),
    );
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    assert!(e.detail.starts_with("Operations[1]: "), "{}", e.detail);
    let e = err(
        &base(),
        req(json!([{"op": "add", "path": "name", "value": "Jane"}])),
    );
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
}

#[test]
fn changed_flag() {
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "path": "displayName", "value": "Babs"}])),
    );
    assert!(!o.changed);
    let o = ok(
        &base(),
        req(
            json!([{"op": "add", "path": "emails", "value": [{"value": "babs@home.org", "type": "home"}]}]),
        ),
    );
    assert!(!o.changed);
    let o = ok(
        &base(),
        req(
            json!([{"op": "replace", "path": "displayName", "value": "X"}, {"op": "replace", "path": "displayName", "value": "Babs"}]),
        ),
    );
    assert!(!o.changed);
    let o = ok(
        &base(),
        req(json!([{"op": "replace", "path": "DISPLAYNAME", "value": "Y"}])),
    );
    assert!(o.changed);
    assert_eq!(o.attrs["displayName"], "Y");
}

#[test]
fn never_panics_on_odd_input() {
    let values = [
        json!(null),
        json!(true),
        json!("False"),
        json!(""),
        json!(3),
        json!([]),
        json!({}),
        json!([null, 1, "a", {"value": "v", "primary": true}, {"primary": "true"}]),
        json!({"value": "v", "type": "work", "primary": "TRUE", "x": {}}),
        json!({ENT: 1, "name.givenName": [], "emails[type eq \"work\"].value": {}, "emails[": 1}),
    ];
    let paths = [
        json!(null),
        json!(""),
        json!("emails"),
        json!("emails.value"),
        json!("emails[type eq \"work\"]"),
        json!("emails[type eq \"work\"].primary"),
        json!("name"),
        json!("name.givenName"),
        json!("active"),
        json!(format!("{ENT}:manager")),
        json!(ENT),
        json!("x509Certificates[value pr]"),
        json!("[]"),
        json!("emails[not (type eq \"work\")]"),
        json!("userName"),
        json!("externalId"),
    ];
    for op in ["add", "replace", "remove", "Remove"] {
        for path in &paths {
            for value in &values {
                for current in [base(), bare()] {
                    let _ = apply_patch(
                        &current,
                        &req(json!([{"op": op, "path": path, "value": value}])),
                    );
                }
            }
        }
    }
}

#[test]
fn growth_is_bounded_early() {
    let ops: Vec<Value> = (0..=MAX_VALUES)
        .map(|i| json!({"op": "add", "path": "emails", "value": [{"value": format!("{i}@x.y")}]}))
        .collect();
    let e = err(&bare(), req(Value::Array(ops)));
    assert_eq!(e.scim_type, Some(ScimType::InvalidValue));
    assert!(e.detail.contains("at most 1000"), "{}", e.detail);
}

#[test]
fn filters_compare_case_insensitively_and_schemas_may_list_more() {
    let current = user(json!({"userName": "x", "emails": [{"value": "a@x.y", "type": "Work"}]}));
    let o = ok(
        &current,
        json!({
            "schemas": [PATCH_OP_SCHEMA, "urn:example:other"],
            "Operations": [{"op": "Replace", "path": "emails[TYPE eq \"work\"].value", "value": "b@x.y"}]
        }),
    );
    assert_eq!(
        o.attrs["emails"],
        json!([{"value": "b@x.y", "type": "Work"}])
    );
}
