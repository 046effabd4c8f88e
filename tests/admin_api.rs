//! Issue 4: the admin API over real HTTP on both engines — auth, organizations, domains, error
//! bodies, the OpenAPI document and isolation between organizations. Tokens are in
//! `admin_tokens.rs`, accounts and activity in `admin_accounts.rs`.

mod admin_support;
mod common;

use admin_support::*;
use common::{scim_with, send, Engine};
use reqwest::Method;
use serde_json::{json, Value};

const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Every admin route of issue 4, with placeholders filled for `org`.
fn admin_routes(org: &str) -> Vec<(Method, String)> {
    [
        (Method::GET, "/orgs".to_string()),
        (Method::POST, "/orgs".to_string()),
        (Method::GET, format!("/orgs/{org}")),
        (Method::PATCH, format!("/orgs/{org}")),
        (Method::DELETE, format!("/orgs/{org}")),
        (Method::POST, format!("/orgs/{org}/domains")),
        (Method::DELETE, format!("/orgs/{org}/domains/acme.test")),
        (Method::GET, format!("/orgs/{org}/scim")),
        (Method::DELETE, format!("/orgs/{org}/scim")),
        (Method::POST, format!("/orgs/{org}/scim/tokens")),
        (Method::POST, format!("/orgs/{org}/scim/tokens/x/renew")),
        (Method::DELETE, format!("/orgs/{org}/scim/tokens/x")),
        (Method::GET, format!("/orgs/{org}/accounts")),
        (Method::POST, format!("/orgs/{org}/accounts")),
        (Method::GET, format!("/orgs/{org}/accounts/x")),
        (Method::PATCH, format!("/orgs/{org}/accounts/x")),
        (Method::DELETE, format!("/orgs/{org}/accounts/x")),
        (Method::GET, format!("/orgs/{org}/activity")),
        (Method::GET, "/clock".to_string()),
        (Method::POST, "/clock".to_string()),
    ]
    .into_iter()
    .collect()
}

async fn admin_and_scim_credentials_never_cross(engine: Engine) {
    let server = engine.server().await;
    let (org, _, scim_token) = connected_org(&server, "Acme", "acme.test").await;
    let base = format!("{}/admin/v1", server.base_url());
    let client = reqwest::Client::new();
    for (method, path) in admin_routes(&org) {
        for auth in [
            None,
            Some("Bearer wrong-token".to_string()),
            Some(format!("Bearer {scim_token}")),
            Some(format!("Bearer {}", server.scim_token())),
            Some(format!("Basic {}", abm_scim::testing::TEST_ADMIN_TOKEN)),
        ] {
            let mut request = client
                .request(method.clone(), format!("{base}{path}"))
                .json(&json!({"name": "x"}));
            if let Some(auth) = &auth {
                request = request.header("authorization", auth);
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response.status().as_u16(),
                401,
                "{method} {path} with {auth:?}"
            );
            assert!(
                response.headers().contains_key("www-authenticate"),
                "{method} {path}"
            );
            let body: Value = response.json().await.unwrap();
            assert_error(401, &body, 401, "unauthorized");
        }
    }
    // Nothing was changed by the refused requests.
    let orgs = get(&server, "/orgs").await;
    assert_eq!(orgs["orgs"].as_array().unwrap().len(), 2, "{orgs}");
    assert_eq!(connection(&server, &org).await["state"], "connected");

    // The admin token is no SCIM token, on either SCIM path.
    for path in [
        format!("{}/Users", server.scim_url()),
        format!("{}/scim/v2/Users", server.base_url()),
        format!("{}/Users/some-id", server.scim_url()),
    ] {
        let (status, body) = send(
            client
                .get(&path)
                .bearer_auth(abm_scim::testing::TEST_ADMIN_TOKEN),
        )
        .await;
        assert_eq!(status, 401, "{path}: {body}");
        assert_eq!(body["schemas"][0], ERROR_SCHEMA, "{body}");
        assert_eq!(body["status"], "401");
    }
    let (status, _) = send(
        client
            .post(format!("{}/Users", server.scim_url()))
            .bearer_auth(abm_scim::testing::TEST_ADMIN_TOKEN)
            .json(&json!({"schemas": [USER_SCHEMA], "userName": "x@acme.test"})),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        get(&server, &format!("/orgs/{org}/accounts")).await["accounts"],
        json!([])
    );
    // And the right credentials work.
    assert_eq!(
        send(scim_with(&server, &scim_token, Method::GET, "/Users"))
            .await
            .0,
        200
    );
    server.stop().await;
}

async fn organizations_crud(engine: Engine) {
    let server = engine.server().await;
    let (status, created) = admin(
        &server,
        Method::POST,
        "/orgs",
        Some(json!({
            "name": "  Acme Corp ",
            "domains": [{"name": "Acme.Test", "verified": true}, {"name": "acme-labs.test", "verified": false}],
            "federated_authentication": true,
            "auto_merge": true,
        })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["name"], "Acme Corp");
    let domains = created["domains"].as_array().unwrap();
    assert_eq!(domains.len(), 2, "{created}");
    assert!(
        domains.contains(&json!({"name": "acme.test", "verified": true})),
        "normalised: {created}"
    );
    assert!(domains.contains(&json!({"name": "acme-labs.test", "verified": false})));
    assert_eq!(created["federated_authentication"], true);
    assert_eq!(created["auto_merge"], true);
    assert_eq!(created["require_verified_domain"], true);
    assert_eq!(created["directory_sync_source"], "none");
    assert_eq!(created["scim_state"], "disconnected");
    assert_eq!(time(&created["created_at"]), now(&server).await);

    // Defaults.
    let (status, minimal) =
        admin(&server, Method::POST, "/orgs", Some(json!({"name": "Min"}))).await;
    assert_eq!(status, 201, "{minimal}");
    assert_eq!(minimal["federated_authentication"], true);
    assert_eq!(minimal["auto_merge"], false);
    assert_eq!(minimal["domains"], json!([]));

    for body in [
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": "x".repeat(201)}),
    ] {
        let (status, err) = admin(&server, Method::POST, "/orgs", Some(body)).await;
        assert_error(status, &err, 400, "invalid_name");
    }
    let (status, err) = admin(
        &server,
        Method::POST,
        "/orgs",
        Some(json!({"name": "Bad", "domains": [{"name": "not a domain", "verified": true}]})),
    )
    .await;
    assert_error(status, &err, 400, "invalid_domain");

    let list = get(&server, "/orgs").await;
    let names: Vec<&str> = list["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.len(),
        3,
        "default org, Acme Corp, Min (not Bad): {names:?}"
    );
    assert!(
        names.contains(&"Example Org") && names.contains(&"Acme Corp") && names.contains(&"Min")
    );

    assert_eq!(get(&server, &format!("/orgs/{id}")).await, created);

    advance(&server, "PT1M").await;
    let (status, patched) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{id}"),
        Some(json!({
            "name": "Acme Inc",
            "auto_merge": false,
            "require_verified_domain": false,
            "directory_sync_source": "oidc_custom",
        })),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["name"], "Acme Inc");
    assert_eq!(patched["auto_merge"], false);
    assert_eq!(patched["require_verified_domain"], false);
    assert_eq!(patched["directory_sync_source"], "oidc_custom");
    assert_eq!(patched["federated_authentication"], true, "untouched");
    assert_eq!(patched["created_at"], created["created_at"]);
    assert!(time(&patched["updated_at"]) > time(&created["updated_at"]));
    assert_eq!(get(&server, &format!("/orgs/{id}")).await, patched);
    let (status, patched) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{id}"),
        Some(json!({"federated_authentication": false, "directory_sync_source": "none"})),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["federated_authentication"], false);
    assert_eq!(patched["directory_sync_source"], "none");
    // An empty PATCH changes nothing.
    let (status, same) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{id}"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(same["name"], "Acme Inc");

    for (body, code) in [
        (
            json!({"directory_sync_source": "ldap"}),
            "invalid_sync_source",
        ),
        (json!({"name": ""}), "invalid_name"),
    ] {
        let (status, err) = admin(&server, Method::PATCH, &format!("/orgs/{id}"), Some(body)).await;
        assert_error(status, &err, 400, code);
    }
    assert_eq!(
        get(&server, &format!("/orgs/{id}")).await["name"],
        "Acme Inc"
    );

    // Delete: the org, its accounts and its tokens are gone.
    let org2 = new_org(&server, "Doomed", "doomed.test").await;
    let (_, secret) = new_token(&server, &org2).await;
    scim_user(&server, &secret, "ann@doomed.test").await;
    let (status, body) = admin(&server, Method::DELETE, &format!("/orgs/{org2}"), None).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(body, Value::Null);
    for (method, path) in [
        (Method::GET, format!("/orgs/{org2}")),
        (Method::DELETE, format!("/orgs/{org2}")),
        (Method::PATCH, format!("/orgs/{org2}")),
        (Method::GET, format!("/orgs/{org2}/accounts")),
        (Method::GET, format!("/orgs/{org2}/activity")),
        (Method::GET, format!("/orgs/{org2}/scim")),
    ] {
        let (status, err) = admin(&server, method.clone(), &path, Some(json!({}))).await;
        assert_error(status, &err, 404, "not_found");
    }
    assert_eq!(
        send(scim_with(&server, &secret, Method::GET, "/Users"))
            .await
            .0,
        401
    );
    assert_eq!(
        get(&server, "/orgs").await["orgs"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    server.stop().await;
}

async fn domains_are_added_and_removed(engine: Engine) {
    let server = engine.server().await;
    let (org, _, token) = connected_org(&server, "Acme", "acme.test").await;
    let (status, body) = scim_create(&server, &token, "ann@extra.test").await;
    assert_eq!(status, 400, "an unverified domain is refused: {body}");

    let (status, domain) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/domains"),
        Some(json!({"name": "Extra.Test.", "verified": true})),
    )
    .await;
    assert_eq!(status, 201, "{domain}");
    assert_eq!(domain, json!({"name": "extra.test", "verified": true}));
    let (status, _) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/domains"),
        Some(json!({"name": "pending.test"})),
    )
    .await;
    assert_eq!(status, 201);
    let view = get(&server, &format!("/orgs/{org}")).await;
    let domains = view["domains"].as_array().unwrap();
    assert_eq!(domains.len(), 3, "{view}");
    assert!(domains.contains(&json!({"name": "extra.test", "verified": true})));
    assert!(domains.contains(&json!({"name": "pending.test", "verified": false})));

    assert_eq!(scim_create(&server, &token, "ann@extra.test").await.0, 201);
    let (status, body) = scim_create(&server, &token, "bob@pending.test").await;
    assert_eq!(status, 400, "unverified: {body}");
    // Verifying it later (same route) lets the user in.
    let (status, _) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/domains"),
        Some(json!({"name": "pending.test", "verified": true})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        scim_create(&server, &token, "bob@pending.test").await.0,
        201
    );

    let (status, body) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/domains/EXTRA.test"),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let view = get(&server, &format!("/orgs/{org}")).await;
    assert!(
        !view["domains"].to_string().contains("extra.test"),
        "{view}"
    );
    assert_eq!(scim_create(&server, &token, "carl@extra.test").await.0, 400);

    let (status, err) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/domains/extra.test"),
        None,
    )
    .await;
    assert_error(status, &err, 404, "not_found");
    for bad in ["", "no-dot", "-bad.test", "a b.test", "x..test"] {
        let (status, err) = admin(
            &server,
            Method::POST,
            &format!("/orgs/{org}/domains"),
            Some(json!({"name": bad, "verified": true})),
        )
        .await;
        assert_error(status, &err, 400, "invalid_domain");
    }
    let (status, err) = admin(
        &server,
        Method::POST,
        "/orgs/nope/domains",
        Some(json!({"name": "ok.test", "verified": true})),
    )
    .await;
    assert_error(status, &err, 404, "not_found");
    let (status, err) = admin(&server, Method::DELETE, "/orgs/nope/domains/ok.test", None).await;
    assert_error(status, &err, 404, "not_found");

    // Without the verified-domain requirement any domain is accepted.
    let (status, _) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(json!({"require_verified_domain": false})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        scim_create(&server, &token, "dan@anywhere.test").await.0,
        201
    );
    server.stop().await;
}

async fn malformed_bodies_and_unknown_routes_get_admin_errors(engine: Engine) {
    let server = engine.server().await;
    let (org, _, _) = connected_org(&server, "Acme", "acme.test").await;
    let manual = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/accounts"),
        Some(json!({"user_name": "ann@acme.test"})),
    )
    .await
    .1;
    let account = manual["id"].as_str().unwrap();
    let routes = [
        (Method::POST, "/orgs".to_string()),
        (Method::PATCH, format!("/orgs/{org}")),
        (Method::POST, format!("/orgs/{org}/domains")),
        (Method::POST, format!("/orgs/{org}/accounts")),
        (Method::PATCH, format!("/orgs/{org}/accounts/{account}")),
        (
            Method::POST,
            format!("/orgs/{org}/accounts/{account}/resolve"),
        ),
        (Method::POST, "/clock".to_string()),
    ];
    for (method, path) in &routes {
        for (body, content_type) in [
            ("{\"name\": ", "application/json"),
            ("[1, 2", "application/json"),
            ("not json at all", "application/json"),
            ("", "application/json"),
            ("{\"name\": 5, \"user_name\": 5, \"verified\": \"yes\", \"advance\": 3, \"action\": 1}", "application/json"),
            ("{\"name\": \"x\"}", "text/plain"),
        ] {
            let (status, err) = send(
                server
                    .admin()
                    .request(method.clone(), path)
                    .header("content-type", content_type)
                    .body(body),
            )
            .await;
            assert_error(status, &err, 400, "invalid_body");
            assert!(err.get("schemas").is_none(), "admin errors are not SCIM errors: {err}");
        }
    }
    // Nothing changed.
    assert_eq!(
        get(&server, "/orgs").await["orgs"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        get(&server, &format!("/orgs/{org}/accounts/{account}")).await,
        manual
    );

    // Bad query parameters are 400 invalid_query, not axum's plain text.
    for path in [
        format!("/orgs/{org}/accounts?limit=abc"),
        format!("/orgs/{org}/activity?since=abc"),
        format!("/orgs/{org}/activity?limit=-x"),
    ] {
        let (status, err) = admin(&server, Method::GET, &path, None).await;
        assert_error(status, &err, 400, "invalid_query");
    }

    // An unknown admin path or method answers in the admin format too.
    let (status, err) = admin(&server, Method::GET, "/no-such-thing", None).await;
    assert_error(status, &err, 404, "not_found");
    let (status, err) = admin(&server, Method::PUT, "/orgs", Some(json!({}))).await;
    assert_error(status, &err, 405, "method_not_allowed");
    server.stop().await;
}

async fn openapi_document_lists_the_admin_api(engine: Engine) {
    let server = engine.server().await;
    let (status, doc) =
        send(reqwest::Client::new().get(format!("{}/openapi.json", server.base_url()))).await;
    assert_eq!(status, 200, "{doc}");
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].as_str().is_some());
    let paths = doc["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/admin/v1/orgs", &["get", "post"][..]),
        ("/admin/v1/orgs/{org}", &["get", "patch", "delete"]),
        ("/admin/v1/orgs/{org}/domains", &["post"]),
        ("/admin/v1/orgs/{org}/domains/{name}", &["delete"]),
        ("/admin/v1/orgs/{org}/scim", &["get", "delete"]),
        ("/admin/v1/orgs/{org}/scim/tokens", &["post"]),
        ("/admin/v1/orgs/{org}/scim/tokens/{id}", &["delete"]),
        ("/admin/v1/orgs/{org}/scim/tokens/{id}/renew", &["post"]),
        ("/admin/v1/orgs/{org}/accounts", &["get", "post"]),
        (
            "/admin/v1/orgs/{org}/accounts/{id}",
            &["get", "patch", "delete"],
        ),
        ("/admin/v1/orgs/{org}/activity", &["get"]),
    ] {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} documented; have {:?}", paths.keys()));
        for method in methods {
            assert!(item.get(*method).is_some(), "{method} {path}");
        }
    }
    let schemes = &doc["components"]["securitySchemes"]["admin_token"];
    assert_eq!(schemes["type"], "http");
    assert_eq!(schemes["scheme"], "bearer");
    // The token response documents the one-time secret; the connection never has one.
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["IssuedTokenView"]["properties"]
        .get("token")
        .is_some());
    assert!(schemas["TokenView"]["properties"].get("token").is_none());
    server.stop().await;
}

async fn admin_routes_never_reach_another_organizations_accounts(engine: Engine) {
    let server = engine.server().await;
    let (org_a, _, token_a) = connected_org(&server, "A", "a.test").await;
    let (org_b, token_b_id, token_b) = connected_org(&server, "B", "b.test").await;
    let mine = scim_user(&server, &token_a, "ann@a.test").await;
    let synced_b = scim_user(&server, &token_b, "bob@b.test").await;
    let (status, manual_b) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org_b}/accounts"),
        Some(json!({"user_name": "carl@b.test"})),
    )
    .await;
    assert_eq!(status, 201);
    let manual_b = manual_b["id"].as_str().unwrap().to_string();
    let before: Vec<Value> = [
        get(&server, &format!("/orgs/{org_b}/accounts/{synced_b}")).await,
        get(&server, &format!("/orgs/{org_b}/accounts/{manual_b}")).await,
    ]
    .into();
    let b_events = events(&server, &org_b).await.len();

    for id in [&synced_b, &manual_b] {
        for (method, path, body) in [
            (Method::GET, format!("/orgs/{org_a}/accounts/{id}"), None),
            (
                Method::PATCH,
                format!("/orgs/{org_a}/accounts/{id}"),
                Some(json!({"roles": ["Administrator"]})),
            ),
            (
                Method::PATCH,
                format!("/orgs/{org_a}/accounts/{id}"),
                Some(json!({"person_id": "stolen"})),
            ),
            (Method::DELETE, format!("/orgs/{org_a}/accounts/{id}"), None),
            (
                Method::POST,
                format!("/orgs/{org_a}/accounts/{id}/resolve"),
                Some(json!({"action": "make_manual"})),
            ),
        ] {
            let (status, err) = admin(&server, method.clone(), &path, body).await;
            assert_error(status, &err, 404, "not_found");
        }
    }
    for (method, path) in [
        (
            Method::DELETE,
            format!("/orgs/{org_a}/scim/tokens/{token_b_id}"),
        ),
        (
            Method::POST,
            format!("/orgs/{org_a}/scim/tokens/{token_b_id}/renew"),
        ),
    ] {
        let (status, err) = admin(&server, method, &path, None).await;
        assert_error(status, &err, 404, "not_found");
    }
    let after: Vec<Value> = [
        get(&server, &format!("/orgs/{org_b}/accounts/{synced_b}")).await,
        get(&server, &format!("/orgs/{org_b}/accounts/{manual_b}")).await,
    ]
    .into();
    assert_eq!(before, after, "B's accounts are untouched");
    assert_eq!(
        events(&server, &org_b).await.len(),
        b_events,
        "nothing happened in B"
    );
    assert_eq!(
        send(scim_with(&server, &token_b, Method::GET, "/Users"))
            .await
            .0,
        200
    );

    // Lists and the activity only show the organization's own.
    let list_a = get(&server, &format!("/orgs/{org_a}/accounts")).await;
    let ids: Vec<&str> = list_a["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![mine.as_str()]);
    for filter in [
        "user_name=bob@b.test",
        "user_name=carl@b.test",
        "source=manual",
    ] {
        let page = get(&server, &format!("/orgs/{org_a}/accounts?{filter}")).await;
        assert_eq!(page["accounts"], json!([]), "{filter}");
    }
    for event in events(&server, &org_a).await {
        let id = event["account_id"].as_str().unwrap_or_default();
        assert!(id != synced_b && id != manual_b, "{event}");
    }
    server.stop().await;
}

async fn scim_tokens_never_reach_another_organizations_accounts(engine: Engine) {
    let server = engine.server().await;
    let (org_a, _, token_a) = connected_org(&server, "A", "a.test").await;
    let (org_b, _, token_b) = connected_org(&server, "B", "b.test").await;
    let b_id = scim_user(&server, &token_b, "bob@b.test").await;
    let b_account = get(&server, &format!("/orgs/{org_b}/accounts/{b_id}")).await;
    let (_, b_resource) = send(scim_with(
        &server,
        &token_b,
        Method::GET,
        &format!("/Users/{b_id}"),
    ))
    .await;

    let path = format!("/Users/{b_id}");
    let put = json!({
        "schemas": [USER_SCHEMA],
        "userName": "bob@b.test",
        "name": {"givenName": "Stolen", "familyName": "Stolen"},
        "active": false,
    });
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": false}],
    });
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(put)),
        (Method::PATCH, Some(patch)),
        (Method::DELETE, None),
    ] {
        let mut request = scim_with(&server, &token_a, method.clone(), &path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let (status, err) = send(request).await;
        assert_eq!(status, 404, "{method} {path} with A's token: {err}");
        assert_eq!(err["schemas"][0], ERROR_SCHEMA);
    }
    let (status, list) = send(scim_with(
        &server,
        &token_a,
        Method::GET,
        "/Users?filter=userName%20eq%20%22bob@b.test%22",
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["totalResults"], 0, "{list}");
    let (status, list) = send(scim_with(&server, &token_a, Method::GET, "/Users")).await;
    assert_eq!(status, 200);
    assert_eq!(list["totalResults"], 0, "{list}");

    // Even a user of the same name created through A is A's own account.
    let (status, _) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org_a}"),
        Some(json!({"require_verified_domain": false})),
    )
    .await;
    assert_eq!(status, 200);
    let a_id = scim_user(&server, &token_a, "bob@b.test").await;
    assert_ne!(a_id, b_id);
    get(&server, &format!("/orgs/{org_a}/accounts/{a_id}")).await;

    assert_eq!(
        get(&server, &format!("/orgs/{org_b}/accounts/{b_id}")).await,
        b_account,
        "B's account unchanged"
    );
    let (status, b_again) = send(scim_with(
        &server,
        &token_b,
        Method::GET,
        &format!("/Users/{b_id}"),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(b_again, b_resource);
    let (_, b_list) = send(scim_with(&server, &token_b, Method::GET, "/Users")).await;
    assert_eq!(b_list["totalResults"], 1, "{b_list}");
    server.stop().await;
}

on_both_engines!(
    admin_and_scim_credentials_never_cross,
    organizations_crud,
    domains_are_added_and_removed,
    malformed_bodies_and_unknown_routes_get_admin_errors,
    openapi_document_lists_the_admin_api,
    admin_routes_never_reach_another_organizations_accounts,
    scim_tokens_never_reach_another_organizations_accounts,
);
