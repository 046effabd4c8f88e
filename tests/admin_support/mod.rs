//! Helpers shared by the admin API tests (`admin_api.rs`, `admin_tokens.rs`).
#![allow(dead_code)]

use abm_scim::testing::TestServer;
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{scim_with, send};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// An admin request with an optional JSON body; returns status and JSON body.
pub async fn admin(
    server: &TestServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = server.admin().request(method, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    send(request).await
}

pub async fn get(server: &TestServer, path: &str) -> Value {
    let (status, body) = admin(server, Method::GET, path, None).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// Asserts an admin error: status, `{"error": code, "detail": non-empty}`.
#[track_caller]
pub fn assert_error(status: u16, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], want_code, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "an error carries a detail sentence: {body}"
    );
}

/// Creates an organization through the admin API; returns its id.
/// Domain `domain` is verified; `require_verified_domain` stays on.
pub async fn new_org(server: &TestServer, name: &str, domain: &str) -> String {
    let (status, body) = admin(
        server,
        Method::POST,
        "/orgs",
        Some(json!({
            "name": name,
            "domains": [{"name": domain, "verified": true}],
            "federated_authentication": true,
            "auto_merge": false,
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("org id").to_string()
}

/// Creates a token; returns `(id, secret)`.
pub async fn new_token(server: &TestServer, org: &str) -> (String, String) {
    let (status, body) = admin(
        server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens"),
        None,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (
        body["id"].as_str().unwrap().to_string(),
        body["token"].as_str().unwrap().to_string(),
    )
}

/// An organization with a connected SCIM token (already used once): `(org, token id, secret)`.
pub async fn connected_org(
    server: &TestServer,
    name: &str,
    domain: &str,
) -> (String, String, String) {
    let org = new_org(server, name, domain).await;
    let (id, secret) = new_token(server, &org).await;
    let (status, body) = send(scim_with(server, &secret, Method::GET, "/Users")).await;
    assert_eq!(status, 200, "{body}");
    (org, id, secret)
}

/// POST /Users with `token`; returns status and body.
pub async fn scim_create(server: &TestServer, token: &str, user_name: &str) -> (u16, Value) {
    send(
        scim_with(server, token, Method::POST, "/Users").json(&json!({
            "schemas": [USER_SCHEMA],
            "userName": user_name,
            "externalId": format!("ext-{user_name}"),
            "name": {"givenName": "Given", "familyName": "Family"},
            "active": true,
        })),
    )
    .await
}

/// POST /Users that must succeed; returns the new id.
pub async fn scim_user(server: &TestServer, token: &str, user_name: &str) -> String {
    let (status, body) = scim_create(server, token, user_name).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_string()
}

/// The connection view of an organization.
pub async fn connection(server: &TestServer, org: &str) -> Value {
    get(server, &format!("/orgs/{org}/scim")).await
}

/// One token of the connection view.
pub fn token_in(connection: &Value, id: &str) -> Value {
    connection["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("token {id} listed: {connection}"))
}

/// Every event of an organization (all pages).
pub async fn events(server: &TestServer, org: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut since = 0;
    loop {
        let page = get(
            server,
            &format!("/orgs/{org}/activity?since={since}&limit=1000"),
        )
        .await;
        let events = page["events"].as_array().unwrap().clone();
        if events.is_empty() {
            return all;
        }
        since = page["next_since"].as_i64().unwrap();
        all.extend(events);
    }
}

/// Events of one kind.
pub async fn events_of(server: &TestServer, org: &str, kind: &str) -> Vec<Value> {
    events(server, org)
        .await
        .into_iter()
        .filter(|e| e["kind"] == kind)
        .collect()
}

pub fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a time: {value}"))
        .parse()
        .unwrap_or_else(|e| panic!("{value} is RFC 3339: {e}"))
}

/// The server's manual clock now.
pub async fn now(server: &TestServer) -> DateTime<Utc> {
    time(&get(server, "/clock").await["now"])
}

pub async fn advance(server: &TestServer, duration: &str) {
    server.admin().advance_clock(duration).await;
}
