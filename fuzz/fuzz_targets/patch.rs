//! The PATCH engine on a realistic normalised user with arbitrary request bodies.
//!
//! The input is parsed as JSON; a bare array is wrapped as the `Operations` of a PatchOp message
//! and a bare object without `schemas` as a single operation, so the fuzzer spends its time in
//! the operations rather than the envelope. Invariants: nothing panics; a successful outcome is
//! canonical (normalising it again changes nothing) and `changed` is true exactly when the map
//! differs.
#![no_main]

use abm_scim::scim::patch::apply_patch;
use abm_scim::scim::resource::normalize_user;
use abm_scim::scim::schema::PATCH_OP_SCHEMA;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let request = match body {
        Value::Array(ops) => json!({"schemas": [PATCH_OP_SCHEMA], "Operations": ops}),
        Value::Object(ref m) if !m.contains_key("schemas") && m.contains_key("op") => {
            json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [body]})
        }
        other => other,
    };
    let current = normalize_user(&json!({
        "userName": "bjensen@example.com",
        "externalId": "e1",
        "displayName": "Babs",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@home.org", "type": "home"}
        ],
        "phoneNumbers": [{"value": "+1 555 0100", "type": "work"}],
        "addresses": [{"streetAddress": "1 Main St", "locality": "Springfield", "type": "work"}],
        "active": true,
        ENT: {"department": "Sales", "employeeNumber": "42", "manager": {"value": "m1"}}
    }))
    .expect("the fixture user is valid");
    if let Ok(outcome) = apply_patch(&current, &request) {
        let again = normalize_user(&Value::Object(outcome.attrs.clone()))
            .expect("a PATCH outcome is a valid user");
        assert_eq!(again, outcome.attrs, "PATCH outcome is not canonical");
        assert_eq!(outcome.changed, outcome.attrs != current);
    }
});
