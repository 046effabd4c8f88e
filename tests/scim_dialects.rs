//! Issue 3: the request dialects of real SCIM clients, each replayed with the exact body (and
//! query string) the client sends: Microsoft Entra ID (classic and `aadOptscim062020`), Okta,
//! Google Workspace, OneLogin and JumpCloud. Their userNames lie outside any verified domain, so
//! they run in an organization with `require_verified_domain = false`.

mod common;
mod scim_support;

use common::Engine;
use scim_support::*;
use serde_json::{json, Value};

const MANAGER_PATH: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";

/// Entra ID's "Create User" request, verbatim.
fn entra_create() -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
        "active": true,
        "emails": [{
            "primary": true,
            "type": "work",
            "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
        }],
        "meta": {
            "resourceType": "User"
        },
        "name": {
            "formatted": "givenName familyName",
            "familyName": "familyName",
            "givenName": "givenName"
        },
        "roles": []
    })
}

/// Sends a raw query string exactly as a client encodes it.
async fn get_raw(scim: &Scim, path_and_query: &str) -> Reply {
    scim.get(path_and_query).await
}

async fn entra_provisioning_cycle(engine: Engine) {
    let server = engine.server().await;
    let (org_id, scim) = open_org(&server).await;

    // "Test connection": a filter on a random userName → 200 and an empty ListResponse.
    let probe = get_raw(
        &scim,
        "/Users?filter=userName+eq+%22b5a1d2c4-6a1f-4c55-9d0e-7c1f4e0b9a3e%22",
    )
    .await
    .expect(200);
    assert_eq!(probe.header("content-type"), Some("application/scim+json"));
    assert_eq!(probe.body["schemas"], json!([LIST_SCHEMA]));
    assert_eq!(probe.body["totalResults"], 0);
    assert_eq!(probe.body["Resources"], json!([]));
    let probe = get_raw(&scim, "/Users?filter=userName eq \"non-existent user\"")
        .await
        .expect(200);
    assert_eq!(probe.body["totalResults"], 0);

    // Lookup before create: by userName, then by externalId.
    let user_name = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1";
    let before = scim.filter(&format!("userName eq \"{user_name}\"")).await;
    assert_eq!(before["totalResults"], 0);

    let created = scim.post("/Users", &entra_create()).await.expect(201);
    let id = id_of(&created.body);
    assert_eq!(created.body["userName"], user_name);
    assert_eq!(
        created.body["externalId"],
        "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    );
    assert_eq!(created.body["name"]["familyName"], "familyName");
    assert_eq!(created.body["meta"]["resourceType"], "User");
    assert_eq!(
        created.body["roles"],
        json!([{"value": "Staff"}]),
        "ABM's role, not the client's"
    );

    let found = get_raw(
        &scim,
        "/Users?filter=userName+eq+%22Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1%22",
    )
    .await
    .expect(200);
    assert_eq!(ids(&found.body), vec![id.clone()]);
    let found = scim
        .filter("externalId eq \"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\"")
        .await;
    assert_eq!(ids(&found), vec![id.clone()]);
    // excludedAttributes=members (a Group attribute) is harmless on Users.
    let got = scim
        .get(&format!("/Users/{id}?excludedAttributes=members"))
        .await
        .expect(200)
        .body;
    assert_eq!(got["userName"], user_name);
    assert_eq!(got["emails"], created.body["emails"]);
    let listed = scim
        .list(&[
            ("excludedAttributes", "members"),
            ("filter", &format!("userName eq \"{user_name}\"")),
        ])
        .await;
    assert_eq!(ids(&listed), vec![id.clone()]);
    // Entra also probes groups that way.
    let groups = get_raw(
        &scim,
        "/Groups?excludedAttributes=members&filter=displayName+eq+%22Group1DisplayName%22",
    )
    .await
    .expect(200);
    assert_eq!(groups.body["totalResults"], 0);

    // Update user [multi-valued properties].
    let user = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {
                    "op": "Replace",
                    "path": "emails[type eq \"work\"].value",
                    "value": "updatedEmail@microsoft.com"
                    },
                    {
                    "op": "Replace",
                    "path": "name.familyName",
                    "value": "updatedFamilyName"
                    }
                ]
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        user["emails"],
        json!([{"primary": true, "type": "work", "value": "updatedEmail@microsoft.com"}])
    );
    assert_eq!(user["name"]["familyName"], "updatedFamilyName");
    assert_eq!(user["name"]["givenName"], "givenName");

    // Update user [single-valued properties].
    let user = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{
                    "op": "Replace",
                    "path": "userName",
                    "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
                }]
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        user["userName"],
        "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    );

    // Disable user, with the string boolean the classic Entra sends.
    let user = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {
                        "op": "Replace",
                        "path": "active",
                        "value": "False"
                    }
                ]
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        user["active"], false,
        "a real JSON boolean is stored and served"
    );

    // Deactivated users stay readable, by GET and by filter (Entra's next cycle looks them up).
    let got = scim.user(&id).await;
    assert_eq!(got["active"], false);
    let found = scim
        .filter("userName eq \"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com\"")
        .await;
    assert_eq!(ids(&found), vec![id.clone()]);
    assert_eq!(found["Resources"][0]["active"], false);
    assert_eq!(ids(&scim.filter("active eq false").await), vec![id.clone()]);
    let accounts = server.admin().accounts(&org_id).await.to_string();
    assert!(
        accounts.contains("inactive"),
        "ABM deactivated it: {accounts}"
    );

    // Re-enable with "True", then delete.
    let user = scim
        .patch_ops(
            &id,
            json!([{"op": "Replace", "path": "active", "value": "True"}]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["active"], true);
    scim.delete(&format!("/Users/{id}")).await.expect(204);
    scim.get(&format!("/Users/{id}"))
        .await
        .expect_error(404, None);
    server.stop().await;
}

async fn entra_capitalised_ops_and_pathless_replace_with_dotted_and_urn_keys(engine: Engine) {
    let server = engine.server().await;
    let (_, scim) = open_org(&server).await;
    let id = id_of(&scim.create(entra_create()).await);

    // Classic Entra: "Add"/"Replace"/"Remove", path-less replace with flattened keys.
    let user = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "Add", "path": "nickName", "value": "Babs"},
                    {
                        "op": "Replace",
                        "value": {
                            "name.givenName": "Barbara",
                            "name.familyName": "Jensen",
                            "displayName": "Barbara Jensen",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Tour Operations",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "701984",
                            "active": "False"
                        }
                    },
                    {"op": "Remove", "path": "name.formatted"}
                ]
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["nickName"], "Babs");
    assert_eq!(
        user["name"],
        json!({"givenName": "Barbara", "familyName": "Jensen"})
    );
    assert_eq!(user["displayName"], "Barbara Jensen");
    assert_eq!(user[ENTERPRISE]["department"], "Tour Operations");
    assert_eq!(user[ENTERPRISE]["employeeNumber"], "701984");
    assert_eq!(user["active"], false);
    assert!(
        user.get("name.givenName").is_none(),
        "no flattened keys stored: {user}"
    );
    assert!(
        user.as_object()
            .unwrap()
            .keys()
            .all(|k| !k.contains(":department")),
        "{user}"
    );
    assert_eq!(scim.user(&id).await, user);
    // Ops in other cases, too.
    let user = scim
        .patch_ops(
            &id,
            json!([{"op": "REPLACE", "path": "title", "value": "Tour Guide"},
                   {"op": "remove", "path": "nickName"},
                   {"op": "ADD", "path": "userType", "value": "Member"}]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["title"], "Tour Guide");
    assert_eq!(user["userType"], "Member");
    assert!(user.get("nickName").is_none());
    server.stop().await;
}

async fn entra_value_filter_path_creates_missing_values(engine: Engine) {
    let server = engine.server().await;
    let (_, scim) = open_org(&server).await;
    let id = scim.create_named("nomail@contoso.com").await;
    assert!(scim.user(&id).await.get("emails").is_none());
    let user = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "nomail@contoso.com"},
                    {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 425 555 0100"},
                    {"op": "Add", "path": "addresses[type eq \"work\"].streetAddress", "value": "1 Microsoft Way"},
                    {"op": "Add", "path": "addresses[type eq \"work\"].locality", "value": "Redmond"}
                ]
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        user["emails"],
        json!([{"type": "work", "value": "nomail@contoso.com"}])
    );
    assert_eq!(
        user["phoneNumbers"],
        json!([{"type": "mobile", "value": "+1 425 555 0100"}])
    );
    assert_eq!(
        user["addresses"],
        json!([{"type": "work", "streetAddress": "1 Microsoft Way", "locality": "Redmond"}])
    );
    // Replace on the same path now updates that value rather than adding another.
    let user = scim
        .patch_ops(
            &id,
            json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "renamed@contoso.com"}]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        user["emails"],
        json!([{"type": "work", "value": "renamed@contoso.com"}])
    );
    let found = scim
        .filter("emails[type eq \"work\" and value eq \"renamed@contoso.com\"]")
        .await;
    assert_eq!(ids(&found), vec![id]);
    server.stop().await;
}

async fn entra_remove_with_value_array(engine: Engine) {
    let server = engine.server().await;
    let (_, scim) = open_org(&server).await;
    let id = id_of(
        &scim
            .create(json!({
                "schemas": [USER_SCHEMA],
                "userName": "multi@contoso.com",
                "emails": [
                    {"value": "multi@contoso.com", "type": "work", "primary": true},
                    {"value": "multi@home.test", "type": "home"},
                    {"value": "multi@other.test", "type": "other"}
                ]
            }))
            .await,
    );
    let user = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{
                    "op": "Remove",
                    "path": "emails",
                    "value": [{"value": "multi@home.test", "type": "home"}, {"value": "multi@other.test"}]
                }]
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        user["emails"],
        json!([{"value": "multi@contoso.com", "type": "work", "primary": true}])
    );
    assert_eq!(scim.user(&id).await["emails"], user["emails"]);
    server.stop().await;
}

async fn entra_aad_opt_scim_062020_form(engine: Engine) {
    let server = engine.server().await;
    let (_, scim) = open_org(&server).await;
    // The Tenant URL with ?aadOptscim062020: lowercase ops, real booleans, one path-less op.
    let id = id_of(&scim.create(entra_create()).await);
    let user = scim
        .patch(
            &format!("/Users/{id}?aadOptscim062020"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {
                        "op": "replace",
                        "value": {
                            "displayName": "Pvlo",
                            "emails[type eq \"work\"].value": "TestBcwqnm@test.microsoft.com",
                            "name.givenName": "Gtfd",
                            "name.familyName": "Pkqf",
                            "externalId": "Eqpj",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Eqpj",
                            "active": false
                        }
                    }
                ]
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["displayName"], "Pvlo");
    assert_eq!(
        user["emails"],
        json!([{"primary": true, "type": "work", "value": "TestBcwqnm@test.microsoft.com"}])
    );
    assert_eq!(user["name"]["givenName"], "Gtfd");
    assert_eq!(user["name"]["familyName"], "Pkqf");
    assert_eq!(user["externalId"], "Eqpj");
    assert_eq!(user[ENTERPRISE]["employeeNumber"], "Eqpj");
    assert_eq!(user["active"], false);
    let user = scim
        .patch(
            &format!("/Users/{id}?aadOptscim062020"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "add", "path": "nickName", "value": "Babs"},
                    {"op": "replace", "path": "active", "value": true}
                ]
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user["nickName"], "Babs");
    assert_eq!(user["active"], true);
    assert_eq!(
        scim.filter("externalId eq \"Eqpj\"").await["totalResults"],
        1
    );
    server.stop().await;
}

async fn entra_manager_as_string_and_unset(engine: Engine) {
    let server = engine.server().await;
    let (_, scim) = open_org(&server).await;
    let manager = scim.create_named("boss@contoso.com").await;
    let id = id_of(&scim.create(entra_create()).await);
    let set_manager = |value: Value| {
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Add", "path": MANAGER_PATH, "value": value}]
        })
    };
    let user = scim
        .patch(&format!("/Users/{id}"), &set_manager(json!(manager)))
        .await
        .expect(200)
        .body;
    assert_eq!(user[ENTERPRISE]["manager"]["value"], json!(manager));
    let found = scim
        .filter(&format!("{MANAGER_PATH}.value eq \"{manager}\""))
        .await;
    assert_eq!(ids(&found), vec![id.clone()]);

    // {"value": ""} unsets.
    let user = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Replace", "path": MANAGER_PATH, "value": {"value": ""}}]
            }),
        )
        .await
        .expect(200)
        .body;
    assert!(
        user.get(ENTERPRISE)
            .is_none_or(|e| e.get("manager").is_none()),
        "{user}"
    );
    // Set again, then null unsets.
    scim.patch(&format!("/Users/{id}"), &set_manager(json!(manager)))
        .await
        .expect(200);
    let user = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Replace", "path": MANAGER_PATH, "value": null}]
            }),
        )
        .await
        .expect(200)
        .body;
    assert!(
        user.get(ENTERPRISE)
            .is_none_or(|e| e.get("manager").is_none()),
        "{user}"
    );
    // Set again, then an empty string unsets, then Remove (nothing left) is harmless.
    scim.patch(&format!("/Users/{id}"), &set_manager(json!(manager)))
        .await
        .expect(200);
    let user = scim
        .patch(&format!("/Users/{id}"), &set_manager(json!("")))
        .await
        .expect(200)
        .body;
    assert!(
        user.get(ENTERPRISE)
            .is_none_or(|e| e.get("manager").is_none()),
        "{user}"
    );
    scim.patch(&format!("/Users/{id}"), &set_manager(json!(manager)))
        .await
        .expect(200);
    let user = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Remove", "path": MANAGER_PATH}]
            }),
        )
        .await
        .expect(200)
        .body;
    assert!(
        user.get(ENTERPRISE)
            .is_none_or(|e| e.get("manager").is_none()),
        "{user}"
    );
    // In a path-less replace, as a flat URN key.
    let user = scim
        .patch_ops(
            &id,
            json!([{"op": "Replace", "value": {MANAGER_PATH: manager}}]),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(user[ENTERPRISE]["manager"]["value"], json!(manager));
    // In POST/PUT bodies: a string, and null.
    let mut body = entra_create();
    body["userName"] = json!("second@contoso.com");
    body["externalId"] = json!("second");
    body[ENTERPRISE] = json!({"manager": manager, "department": "Sales"});
    let second = scim.create(body.clone()).await;
    assert_eq!(second[ENTERPRISE]["manager"]["value"], json!(manager));
    body[ENTERPRISE] = json!({"manager": null, "department": "Sales"});
    let second = scim
        .put(&format!("/Users/{}", id_of(&second)), &body)
        .await
        .expect(200)
        .body;
    assert_eq!(second[ENTERPRISE], json!({"department": "Sales"}));
    server.stop().await;
}

async fn entra_bodies_with_nulls_and_a_meta_block(engine: Engine) {
    let server = engine.server().await;
    let (_, scim) = open_org(&server).await;
    let created = scim
        .create(json!({
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "externalId": "nulls",
            "userName": "nulls@contoso.com",
            "active": true,
            "displayName": null,
            "title": null,
            "preferredLanguage": null,
            "name": {"givenName": "Null", "familyName": null, "formatted": null},
            "emails": null,
            "phoneNumbers": [],
            "addresses": null,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "department": null, "employeeNumber": "42", "manager": null
            },
            "meta": {"resourceType": "User", "created": "2001-01-01T00:00:00Z", "version": "W/\"77\""},
            "id": "client-chosen-id",
            "roles": []
        }))
        .await;
    let id = id_of(&created);
    assert_ne!(id, "client-chosen-id", "id is the server's");
    assert_ne!(created["meta"]["created"], "2001-01-01T00:00:00Z");
    assert_ne!(created["meta"]["version"], "W/\"77\"");
    assert_eq!(created["name"], json!({"givenName": "Null"}));
    assert_eq!(created[ENTERPRISE], json!({"employeeNumber": "42"}));
    for absent in [
        "displayName",
        "title",
        "preferredLanguage",
        "emails",
        "phoneNumbers",
        "addresses",
    ] {
        assert!(created.get(absent).is_none(), "{absent}: {created}");
    }
    // Nulls in a PUT unset.
    let user = scim
        .put(
            &format!("/Users/{id}"),
            &json!({
                "schemas": [USER_SCHEMA],
                "userName": "nulls@contoso.com",
                "externalId": "nulls",
                "name": null,
                "displayName": "Now Set",
                "meta": {"resourceType": "User"}
            }),
        )
        .await
        .expect(200)
        .body;
    assert!(
        user.get("name").is_none() && user.get(ENTERPRISE).is_none(),
        "{user}"
    );
    assert_eq!(user["displayName"], "Now Set");
    assert_eq!(user["active"], true, "PUT without active keeps the state");
    server.stop().await;
}

async fn okta_lifecycle(engine: Engine) {
    let server = engine.server().await;
    let (_, scim) = open_org(&server).await;

    // Connection test: users page of two, then groups.
    let users = get_raw(&scim, "/Users?startIndex=1&count=2")
        .await
        .expect(200);
    assert_eq!(users.body["schemas"], json!([LIST_SCHEMA]));
    assert_eq!(users.body["startIndex"], 1);
    assert_eq!(users.body["totalResults"], 0);
    let groups = get_raw(&scim, "/Groups?startIndex=1&count=100")
        .await
        .expect(200);
    assert_eq!(groups.body["schemas"], json!([LIST_SCHEMA]));
    assert_eq!(groups.body["totalResults"], 0);
    assert_eq!(groups.body["Resources"], json!([]));

    // Lookup before create, as Okta encodes it.
    let lookup =
        "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100";
    assert_eq!(
        get_raw(&scim, lookup).await.expect(200).body["totalResults"],
        0
    );

    // Create, with a random password.
    let created = scim
        .post(
            "/Users",
            &json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "test.user@okta.local",
                "name": {
                    "givenName": "Test",
                    "familyName": "User"
                },
                "emails": [{
                    "primary": true,
                    "value": "test.user@okta.local",
                    "type": "work"
                }],
                "displayName": "Test User",
                "locale": "en-US",
                "externalId": "00ujl29u0le5T6Aj10h7",
                "groups": [],
                "password": "1mz050nq",
                "active": true
            }),
        )
        .await
        .expect(201);
    let id = id_of(&created.body);
    assert!(!has_key_anywhere(&created.body, "password"));
    assert!(!has_text_anywhere(&created.body, "1mz050nq"));
    assert!(
        created.body.get("groups").is_none(),
        "groups are not served"
    );
    assert_eq!(created.body["locale"], "en-US");

    let found = get_raw(&scim, lookup).await.expect(200).body;
    assert_eq!(ids(&found), vec![id.clone()]);
    assert_eq!(found["startIndex"], 1);
    assert_eq!(found["itemsPerPage"], 1);
    assert!(!has_key_anywhere(&found, "password"));

    // count=1 probes.
    let probe = get_raw(&scim, "/Users?count=1").await.expect(200).body;
    assert_eq!(probe["totalResults"], 1);
    assert_eq!(probe["itemsPerPage"], 1);
    let probe = get_raw(
        &scim,
        "/Users?startIndex=1&count=1&filter=userName%20eq%20%22nobody%40okta.local%22",
    )
    .await
    .expect(200)
    .body;
    assert_eq!(probe["totalResults"], 0);

    // Full-resource PUT (what Okta sends on a profile push), password included.
    let put = scim
        .put(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": id,
                "userName": "test.user@okta.local",
                "name": {
                    "givenName": "Another",
                    "familyName": "User"
                },
                "emails": [{
                    "primary": true,
                    "value": "test.user@okta.local",
                    "type": "work"
                }],
                "displayName": "Another User",
                "locale": "en-US",
                "externalId": "00ujl29u0le5T6Aj10h7",
                "groups": [],
                "password": "1mz050nq",
                "active": true,
                "meta": {
                    "resourceType": "User",
                    "created": "2019-05-07T17:22:09.000Z",
                    "lastModified": "2019-05-07T17:22:09.000Z"
                }
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(put["name"]["givenName"], "Another");
    assert_eq!(put["displayName"], "Another User");
    assert_ne!(put["meta"]["created"], "2019-05-07T17:22:09.000Z");
    assert!(!has_key_anywhere(&put, "password"));

    // Password change through PATCH: accepted, discarded.
    let patched = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "value": {"password": "0ther-Passw0rd"}}]
            }),
        )
        .await
        .expect(200)
        .body;
    assert!(!has_text_anywhere(&patched, "0ther-Passw0rd"));

    // Deactivation.
    let deactivated = scim
        .patch(
            &format!("/Users/{id}"),
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{
                    "op": "replace",
                    "value": {
                        "active": false
                    }
                }]
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(deactivated["active"], false);
    assert_eq!(
        deactivated["name"]["givenName"], "Another",
        "nothing else changed"
    );
    let found = get_raw(&scim, lookup).await.expect(200).body;
    assert_eq!(
        found["Resources"][0]["active"], false,
        "still found by Okta's lookup"
    );

    // Reactivation the same way.
    let reactivated = scim
        .patch_ops(&id, json!([{"op": "replace", "value": {"active": true}}]))
        .await
        .expect(200)
        .body;
    assert_eq!(reactivated["active"], true);

    // A second user with the same userName (Okta retries a create): 409 uniqueness.
    scim.post(
        "/Users",
        &json!({"schemas": [USER_SCHEMA], "userName": "Test.User@okta.local", "password": "x"}),
    )
    .await
    .expect_error(409, Some("uniqueness"));
    server.stop().await;
}

async fn google_onelogin_jumpcloud_full_put_and_primary_email_filters(engine: Engine) {
    let server = engine.server().await;
    let (_, scim) = open_org(&server).await;

    // JumpCloud's connection test reads the groups first.
    let groups = get_raw(&scim, "/Groups").await.expect(200);
    assert_eq!(groups.body["totalResults"], 0);

    // JumpCloud / OneLogin create with the enterprise extension.
    let body = json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "userName": "jdoe@acme.test",
        "externalId": "5f1b7c2e9a0d4b0012345678",
        "name": {"givenName": "John", "familyName": "Doe", "formatted": "John Doe"},
        "displayName": "John Doe",
        "title": "Engineer",
        "active": true,
        "emails": [{"value": "jdoe@acme.test", "type": "work", "primary": true}],
        "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
        "addresses": [{
            "type": "work", "streetAddress": "100 Main St", "locality": "Boulder",
            "region": "CO", "postalCode": "80302", "country": "US", "primary": true
        }],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "1001",
            "costCenter": "Engineering",
            "organization": "Acme",
            "division": "R&D",
            "department": "Platform",
            "manager": {"value": "5f1b7c2e9a0d4b0087654321", "displayName": "Jane Boss"}
        }
    });
    let created = scim.create(body.clone()).await;
    let id = id_of(&created);
    assert_eq!(
        created[ENTERPRISE]["manager"]["value"],
        "5f1b7c2e9a0d4b0087654321"
    );
    assert_eq!(created["addresses"][0]["postalCode"], "80302");

    // Google Workspace: lookup by userName, and by primary email.
    let found = scim
        .filter("emails[primary eq true and value eq \"jdoe@acme.test\"]")
        .await;
    assert_eq!(ids(&found), vec![id.clone()]);
    let found = scim.filter("emails[primary eq true]").await;
    assert_eq!(ids(&found), vec![id.clone()]);
    let found = scim
        .filter("emails[type eq \"work\" and primary eq true] and userName eq \"JDOE@acme.test\"")
        .await;
    assert_eq!(ids(&found), vec![id.clone()]);
    let found = get_raw(
        &scim,
        "/Users?filter=emails%5Bprimary%20eq%20true%20and%20value%20eq%20%22JDOE%40acme.test%22%5D",
    )
    .await
    .expect(200)
    .body;
    assert_eq!(ids(&found), vec![id.clone()]);

    // Full-resource PUT: the whole body again with changes; dropped attributes go away.
    let mut put = body.clone();
    put["id"] = json!(id);
    put["title"] = json!("Senior Engineer");
    put["emails"] = json!([
        {"value": "john.doe@acme.test", "type": "work", "primary": true},
        {"value": "jdoe@acme.test", "type": "other"}
    ]);
    put.as_object_mut().unwrap().remove("phoneNumbers");
    put[ENTERPRISE]["department"] = json!("Infrastructure");
    let user = scim
        .put(&format!("/Users/{id}"), &put)
        .await
        .expect(200)
        .body;
    assert_eq!(user["title"], "Senior Engineer");
    assert!(user.get("phoneNumbers").is_none());
    assert_eq!(user[ENTERPRISE]["department"], "Infrastructure");
    assert_eq!(user["emails"].as_array().unwrap().len(), 2);
    let found = scim
        .filter("emails[primary eq true and value eq \"jdoe@acme.test\"]")
        .await;
    assert_eq!(found["totalResults"], 0, "jdoe@ is no longer primary");
    let found = scim
        .filter("emails[primary eq true and value eq \"john.doe@acme.test\"]")
        .await;
    assert_eq!(ids(&found), vec![id.clone()]);

    // Deactivation by full PUT (OneLogin, Google), then reactivation.
    put["active"] = json!(false);
    let user = scim
        .put(&format!("/Users/{id}"), &put)
        .await
        .expect(200)
        .body;
    assert_eq!(user["active"], false);
    assert_eq!(scim.user(&id).await["active"], false);
    put["active"] = json!(true);
    let user = scim
        .put(&format!("/Users/{id}"), &put)
        .await
        .expect(200)
        .body;
    assert_eq!(user["active"], true);

    // OneLogin pages with count and sorts by userName through .search as well.
    scim.create_named("asmith@acme.test").await;
    let page = scim
        .post(
            "/Users/.search",
            &json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "filter": "userName ew \"@acme.test\"",
                "sortBy": "userName",
                "startIndex": 1,
                "count": 1
            }),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(page["totalResults"], 2);
    assert_eq!(user_names(&page), vec!["asmith@acme.test"]);
    server.stop().await;
}

async fn deactivated_then_deleted_then_created_again(engine: Engine) {
    let server = engine.server().await;
    let (_, scim) = open_org(&server).await;
    // Entra: soft-delete (active=false), later DELETE; the same user assigned again → POST.
    let id = id_of(&scim.create(entra_create()).await);
    scim.patch_ops(
        &id,
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
    )
    .await
    .expect(200);
    scim.delete(&format!("/Users/{id}")).await.expect(204);
    let gone = scim
        .filter("userName eq \"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1\"")
        .await;
    assert_eq!(gone["totalResults"], 0);
    let again = scim.post("/Users", &entra_create()).await.expect(201);
    assert_eq!(again.body["active"], true);
    assert_eq!(
        id_of(&again.body),
        id,
        "the same externalId synced again within 30 days reactivates the ABM account"
    );
    assert_eq!(scim.user(&id).await["active"], true);
    server.stop().await;
}

on_both_engines!(
    entra_provisioning_cycle,
    entra_capitalised_ops_and_pathless_replace_with_dotted_and_urn_keys,
    entra_value_filter_path_creates_missing_values,
    entra_remove_with_value_array,
    entra_aad_opt_scim_062020_form,
    entra_manager_as_string_and_unset,
    entra_bodies_with_nulls_and_a_meta_block,
    okta_lifecycle,
    google_onelogin_jumpcloud_full_put_and_primary_email_filters,
    deactivated_then_deleted_then_created_again,
);
