//! Helpers shared by the SCIM `/Users` integration tests (issue 3): full responses with headers,
//! SCIM error assertions, and organizations that accept any userName domain.
#![allow(dead_code)]

use abm_scim::testing::TestServer;
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const SEARCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// Status, headers and JSON body (Null when empty) of a response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn etag(&self) -> String {
        self.header("etag")
            .unwrap_or_else(|| panic!("no ETag header: {self:?}"))
            .to_string()
    }

    /// Asserts the status, with the body in the failure message.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// Asserts a SCIM error (RFC 7644 §3.12) with this status and `scimType`.
    #[track_caller]
    pub fn expect_error(self, status: u16, scim_type: Option<&str>) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        assert_scim_error(&self.body, status, scim_type);
        assert_eq!(
            self.header("content-type"),
            Some("application/scim+json"),
            "errors are application/scim+json"
        );
        self
    }
}

/// Asserts a SCIM error body: Error schema, `status` as a string, the `scimType`, a detail.
#[track_caller]
pub fn assert_scim_error(body: &Value, status: u16, scim_type: Option<&str>) {
    assert_eq!(body["schemas"], json!([ERROR_SCHEMA]), "{body}");
    assert_eq!(
        body["status"],
        json!(status.to_string()),
        "status is a string: {body}"
    );
    match scim_type {
        Some(t) => assert_eq!(body["scimType"], json!(t), "{body}"),
        None => assert!(
            body.get("scimType").is_none(),
            "no scimType expected: {body}"
        ),
    }
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.len() > 10, "a detail a person can act on: {body}");
}

/// Sends a request and keeps status, headers and body.
pub async fn call(request: RequestBuilder) -> Reply {
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body read");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// A SCIM client bound to one base URL (a mount) and one token.
#[derive(Clone)]
pub struct Scim {
    pub base: String,
    pub token: String,
    client: reqwest::Client,
}

impl Scim {
    /// The default organization on ABM's mount.
    pub fn new(server: &TestServer) -> Self {
        Self::at(server.scim_url(), server.scim_token())
    }

    /// The default organization on the `/scim/v2` alias.
    pub fn v2(server: &TestServer) -> Self {
        Self::at(
            format!("{}/scim/v2", server.base_url()),
            server.scim_token(),
        )
    }

    pub fn at(base: impl Into<String>, token: impl Into<String>) -> Self {
        Scim {
            base: base.into(),
            token: token.into(),
            client: reqwest::Client::new(),
        }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
    }

    pub async fn get(&self, path: &str) -> Reply {
        call(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        call(self.request(Method::POST, path).json(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        call(self.request(Method::PUT, path).json(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        call(self.request(Method::PATCH, path).json(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        call(self.request(Method::DELETE, path)).await
    }

    /// `POST /Users`, expecting 201; returns the created resource.
    pub async fn create(&self, body: Value) -> Value {
        self.post("/Users", &body).await.expect(201).body
    }

    /// `POST /Users` of a minimal user; returns its id.
    pub async fn create_named(&self, user_name: &str) -> String {
        let created = self
            .create(json!({"schemas": [USER_SCHEMA], "userName": user_name}))
            .await;
        id_of(&created)
    }

    /// `GET /Users/{id}`, expecting 200.
    pub async fn user(&self, id: &str) -> Value {
        self.get(&format!("/Users/{id}")).await.expect(200).body
    }

    /// `GET /Users?filter=...` plus other query pairs, expecting 200.
    pub async fn filter(&self, filter: &str) -> Value {
        self.list(&[("filter", filter)]).await
    }

    /// `GET /Users` with query pairs, expecting 200 and a ListResponse.
    pub async fn list(&self, query: &[(&str, &str)]) -> Value {
        let reply = self.list_reply(query).await.expect(200);
        assert_eq!(
            reply.body["schemas"],
            json!([LIST_SCHEMA]),
            "{}",
            reply.body
        );
        reply.body
    }

    pub async fn list_reply(&self, query: &[(&str, &str)]) -> Reply {
        call(self.request(Method::GET, "/Users").query(query)).await
    }

    /// A PatchOp with these operations on `/Users/{id}`.
    pub async fn patch_ops(&self, id: &str, operations: Value) -> Reply {
        self.patch(
            &format!("/Users/{id}"),
            &json!({"schemas": [PATCH_OP], "Operations": operations}),
        )
        .await
    }
}

pub fn id_of(resource: &Value) -> String {
    resource["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a resource with an id: {resource}"))
        .to_string()
}

/// The `userName`s of a ListResponse, in order.
pub fn user_names(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .unwrap_or_else(|| panic!("Resources: {list}"))
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The ids of a ListResponse, in order.
pub fn ids(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .unwrap_or_else(|| panic!("Resources: {list}"))
        .iter()
        .map(id_of)
        .collect()
}

/// Creates an organization whose SCIM userNames need not be in a verified domain (as real IdPs
/// send them in replays) and returns `(org_id, client on ABM's mount)`.
pub async fn open_org(server: &TestServer) -> (String, Scim) {
    let admin = server.admin();
    let org = admin
        .create_org(json!({
            "name": "Open Org",
            "domains": [{"name": "example.com", "verified": true}],
            "require_verified_domain": false,
        }))
        .await;
    let org_id = org["id"].as_str().expect("org id").to_string();
    let token = admin.create_token(&org_id).await;
    let token = token["token"].as_str().expect("token").to_string();
    (org_id, Scim::at(server.scim_url(), token))
}

/// Whether any key anywhere in `value` equals `name` case-insensitively.
pub fn has_key_anywhere(value: &Value, name: &str) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(name) || has_key_anywhere(v, name)),
        Value::Array(items) => items.iter().any(|v| has_key_anywhere(v, name)),
        _ => false,
    }
}

/// Whether `text` occurs in any string anywhere in `value`.
pub fn has_text_anywhere(value: &Value, text: &str) -> bool {
    match value {
        Value::String(s) => s.contains(text),
        Value::Object(map) => map.values().any(|v| has_text_anywhere(v, text)),
        Value::Array(items) => items.iter().any(|v| has_text_anywhere(v, text)),
        _ => false,
    }
}
