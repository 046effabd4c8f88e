//! Helpers of the school-organization tests (issue 15): a school with a SCIM client at its
//! kind's path, Entra ID's body for a pupil, admin calls.
#![allow(dead_code)]

use abm_scim::domain::OrgKind;
use abm_scim::testing::TestServer;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::send;
use crate::scim_support::Scim;

/// An organization of `kind` with the verified domain `school.example`, and a SCIM client for
/// it at its kind's path.
pub async fn org_of_kind(server: &TestServer, kind: &str, name: &str) -> (String, Scim) {
    let admin = server.admin();
    let org = admin
        .create_org(json!({
            "name": name,
            "kind": kind,
            "domains": [{"name": "school.example", "verified": true}],
        }))
        .await;
    assert_eq!(org["kind"], kind, "{org}");
    let org_id = org["id"].as_str().expect("org id").to_string();
    let token = admin.create_token(&org_id).await;
    let token = token["token"].as_str().expect("token").to_string();
    let kind: OrgKind = kind.parse().expect("a kind");
    (org_id, Scim::at(server.scim_url_for(kind), token))
}

pub async fn school(server: &TestServer) -> (String, Scim) {
    org_of_kind(server, "school", "Springfield Elementary").await
}

/// Entra ID's "Create User" body for a pupil of the school.
pub fn entra_pupil(user_name: &str, external_id: &str) -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": external_id,
        "userName": user_name,
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Lisa Simpson", "familyName": "Simpson", "givenName": "Lisa"},
        "roles": []
    })
}

pub async fn admin_get(server: &TestServer, path: &str) -> Value {
    let (status, body) = send(server.admin().request(Method::GET, path)).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

pub async fn admin_send(
    server: &TestServer,
    method: Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    send(server.admin().request(method, path).json(&body)).await
}

/// An RFC 3339 time of an admin view.
pub fn timestamp(value: &Value) -> chrono::DateTime<chrono::Utc> {
    value
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("a timestamp: {value}"))
}
