//! The server behaviours the independent conformance checkers (`.ci/conformance`: scim2-tester,
//! scim-sanity) exercise, pinned here so that a regression shows up in the test suite too.

mod common;

use abm_scim::testing::TestServer;
use common::{send, Engine};
use reqwest::Method;
use serde_json::{json, Value};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ABM: &str = "urn:abm-scim:params:scim:schemas:extension:abm:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async fn create(server: &TestServer, user_name: &str) -> Value {
    let (status, body) = send(server.scim(Method::POST, "/Users").json(&json!({
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "active": true,
    })))
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn patch(server: &TestServer, id: &str, operations: Value) -> (u16, Value) {
    send(
        server
            .scim(Method::PATCH, &format!("/Users/{id}"))
            .json(&json!({"schemas": [PATCH_OP], "Operations": operations})),
    )
    .await
}

async fn state(server: &TestServer, id: &str) -> Value {
    let (status, body) = send(server.admin().request(
        Method::GET,
        &format!("/orgs/{}/accounts/{id}", server.default_org_id()),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    body["state"].clone()
}

/// RFC 7644 §3.5.2.2: a removed attribute "SHALL be considered unassigned". Removing `active`
/// unassigns it in the resource and moves no ABM lifecycle state: only an explicit value does.
async fn removing_active_unassigns_it_and_keeps_the_state(engine: Engine) {
    let server = engine.server().await;
    let user = create(&server, "ann@example.com").await;
    let id = user["id"].as_str().unwrap();
    assert_eq!(
        user["active"], true,
        "a created user shows its status: {user}"
    );

    let (status, patched) = patch(&server, id, json!([{"op": "remove", "path": "active"}])).await;
    assert_eq!(status, 200, "{patched}");
    assert!(patched.get("active").is_none(), "{patched}");
    let (_, got) = send(server.scim(Method::GET, &format!("/Users/{id}"))).await;
    assert!(got.get("active").is_none(), "{got}");
    assert_eq!(state(&server, id).await, "active");

    // An inactive account is not reactivated by the removal.
    let (status, body) = patch(
        &server,
        id,
        json!([{"op": "replace", "path": "active", "value": false}]),
    )
    .await;
    assert_eq!(
        (status, body["active"].clone()),
        (200, json!(false)),
        "{body}"
    );
    assert_eq!(state(&server, id).await, "inactive");
    let (status, body) = patch(&server, id, json!([{"op": "remove", "path": "active"}])).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("active").is_none(), "{body}");
    assert_eq!(state(&server, id).await, "inactive");

    // An explicit value moves the lifecycle again and is shown again.
    let (status, body) = patch(
        &server,
        id,
        json!([{"op": "add", "path": "active", "value": true}]),
    )
    .await;
    assert_eq!(
        (status, body["active"].clone()),
        (200, json!(true)),
        "{body}"
    );
    assert_eq!(state(&server, id).await, "active");
    server.stop().await;
}

/// RFC 7644 §3.4.3: `POST /.search` at the SCIM root searches every resource type; Users are the
/// only one holding resources here.
async fn root_search_finds_users(engine: Engine) {
    let server = engine.server().await;
    create(&server, "bob@example.com").await;
    create(&server, "cy@example.com").await;
    let (status, body) = send(server.scim(Method::POST, "/.search").json(&json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName eq \"bob@example.com\"",
        "attributes": ["userName"],
    })))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 1, "{body}");
    let found = &body["Resources"][0];
    assert_eq!(found["userName"], "bob@example.com");
    assert!(
        found.get("active").is_none(),
        "attributes honoured: {found}"
    );
    let (status, body) = send(server.scim(Method::GET, "/.search")).await;
    assert!(
        status == 404 || status == 405,
        "GET /.search: {status} {body}"
    );
    server.stop().await;
}

/// The ABM extension (`personId`) is neither advertised nor rendered: every advertised
/// extension must be addable, replaceable and removable as a whole, which a server-assigned
/// read-only field cannot be. The Person ID stays visible in the admin API.
async fn abm_extension_is_not_served(engine: Engine) {
    let server = engine.server().await;
    let (status, types) = send(server.scim(Method::GET, "/ResourceTypes/User")).await;
    assert_eq!(status, 200, "{types}");
    assert_eq!(
        types["schemaExtensions"],
        json!([{"schema": ENTERPRISE, "required": false}])
    );
    let (_, schemas) = send(server.scim(Method::GET, "/Schemas")).await;
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, vec![USER_SCHEMA, ENTERPRISE]);
    let (status, _) = send(server.scim(Method::GET, &format!("/Schemas/{ABM}"))).await;
    assert_eq!(status, 404);

    let user = create(&server, "dee@example.com").await;
    let id = user["id"].as_str().unwrap();
    assert!(user.get(ABM).is_none(), "{user}");
    assert!(!user["schemas"].to_string().contains(ABM), "{user}");
    let (_, account) = send(server.admin().request(
        Method::GET,
        &format!("/orgs/{}/accounts/{id}", server.default_org_id()),
    ))
    .await;
    assert!(account["person_id"].is_string(), "{account}");
    server.stop().await;
}

on_both_engines!(
    removing_active_unassigns_it_and_keeps_the_state,
    root_search_finds_users,
    abm_extension_is_not_served,
);
