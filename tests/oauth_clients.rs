//! Issue 14: the OAuth client routes of the admin API, on both engines: create (secret shown
//! once), read, change, delete; ABM's rules for secrets (two live at most, the only live one
//! cannot be revoked); validation; the connection state and the OIDC exclusion; the 4-day
//! window; approvals without a browser; the routes in /openapi.json.

mod admin_support;
mod common;
mod oauth_support;

use abm_scim::testing::TEST_REDIRECT_URI;
use admin_support::*;
use common::Engine;
use oauth_support::*;
use reqwest::Method;
use serde_json::{json, Value};

fn client_path(org: &str) -> String {
    format!("/orgs/{org}/scim/oauth-client")
}

async fn create(server: &abm_scim::testing::TestServer, org: &str, body: Value) -> (u16, Value) {
    admin(server, Method::POST, &client_path(org), Some(body)).await
}

fn valid() -> Value {
    json!({"name": "Okta", "redirect_uris": [TEST_REDIRECT_URI, "http://127.0.0.1:9000/cb"]})
}

async fn creating_the_client_shows_the_secret_once_and_connects(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    assert_eq!(connection(&server, &org).await["oauth_client"], Value::Null);
    let (status, created) = create(&server, &org, valid()).await;
    assert_eq!(status, 201, "{created}");
    let mut keys: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "client_id",
            "client_secret",
            "redirect_uris",
            "secret_expires_at",
            "secret_id"
        ]
    );
    let client_id = created["client_id"].as_str().unwrap();
    let secret = created["client_secret"].as_str().unwrap();
    let secret_id = created["secret_id"].as_str().unwrap();
    assert!(client_id.starts_with("SCIM."));
    assert!(secret.len() >= 40, "{secret}");
    assert_eq!(created["redirect_uris"], valid()["redirect_uris"]);
    assert_eq!(
        time(&created["secret_expires_at"]),
        now(&server)
            .await
            .checked_add_months(chrono::Months::new(12))
            .unwrap(),
        "12 months by default"
    );

    let read = get(&server, &client_path(&org)).await;
    assert_eq!(read["client_id"], client_id);
    assert_eq!(read["name"], "Okta");
    assert_eq!(read["redirect_uris"], valid()["redirect_uris"]);
    assert_eq!(read["secrets"].as_array().unwrap().len(), 1);
    assert_eq!(read["secrets"][0]["id"], secret_id);
    assert_eq!(read["secrets"][0]["status"], "active");
    assert_eq!(read["secrets"][0]["last_used_at"], Value::Null);
    assert_eq!(
        read["secrets"][0]["expires_at"],
        created["secret_expires_at"]
    );

    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "pending", "{view}");
    assert_eq!(view["oauth_client"]["client_id"], client_id);
    assert_eq!(view["tokens"], json!([]));
    let org_view = get(&server, &format!("/orgs/{org}")).await;
    assert_eq!(org_view["directory_sync_source"], "scim");
    assert_eq!(org_view["scim_state"], "pending");
    for path in [
        client_path(&org),
        format!("/orgs/{org}/scim"),
        format!("/orgs/{org}"),
        format!("/orgs/{org}/activity"),
    ] {
        let body = get(&server, &path).await.to_string();
        assert!(!body.contains(secret), "{path} shows the secret");
        assert!(!body.contains("secret_hash"), "{path}");
    }
    let created_events = events_of(&server, &org, "oauth_client_created").await;
    assert_eq!(created_events.len(), 1);
    assert_eq!(created_events[0]["detail"]["client_id"], client_id);
    assert_eq!(
        events_of(&server, &org, "oauth_secret_created").await.len(),
        1
    );

    // One client per organization.
    let (status, body) = create(&server, &org, valid()).await;
    assert_error(status, &body, 409, "oauth_client_exists");
    assert_eq!(
        get(&server, &client_path(&org)).await["client_id"],
        client_id
    );
    server.stop().await;
}

async fn bad_bodies_are_refused_and_change_nothing(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let cases = [
        (
            json!({"name": "", "redirect_uris": [TEST_REDIRECT_URI]}),
            "invalid_name",
        ),
        (
            json!({"name": "x".repeat(201), "redirect_uris": [TEST_REDIRECT_URI]}),
            "invalid_name",
        ),
        (
            json!({"name": "IdP", "redirect_uris": []}),
            "invalid_redirect_uri",
        ),
        (
            json!({"name": "IdP", "redirect_uris": ["/relative"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"name": "IdP", "redirect_uris": ["https://idp.example/cb#x"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"name": "IdP", "redirect_uris": [TEST_REDIRECT_URI], "secret_lifetime_months": 3}),
            "invalid_lifetime",
        ),
        (
            json!({"name": "IdP", "redirect_uris": [TEST_REDIRECT_URI], "secret_lifetime_months": -6}),
            "invalid_body",
        ),
        (json!({"name": "IdP"}), "invalid_body"),
        (
            json!({"name": "IdP", "redirect_uris": "https://idp.example/cb"}),
            "invalid_body",
        ),
        (
            json!({"name": "I\u{0}P", "redirect_uris": [TEST_REDIRECT_URI]}),
            "invalid_body",
        ),
    ];
    for (body, code) in cases {
        let (status, reply) = create(&server, &org, body.clone()).await;
        assert_error(status, &reply, 400, code);
    }
    let (status, reply) = send_text(&server, &client_path(&org), "not json").await;
    assert_error(status, &reply, 400, "invalid_body");
    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "disconnected", "nothing changed: {view}");
    assert_eq!(view["oauth_client"], Value::Null);
    assert!(events(&server, &org).await.is_empty());

    let (status, _) = create(&server, &org, valid()).await;
    assert_eq!(status, 201);
    for (body, code) in [
        (json!({"name": " "}), "invalid_name"),
        (json!({"redirect_uris": []}), "invalid_redirect_uri"),
        (json!({"redirect_uris": ["nope"]}), "invalid_redirect_uri"),
    ] {
        let (status, reply) = admin(&server, Method::PATCH, &client_path(&org), Some(body)).await;
        assert_error(status, &reply, 400, code);
    }
    for body in [
        json!({"lifetime_months": 7}),
        json!({"lifetime_months": "12"}),
    ] {
        let (status, reply) = admin(
            &server,
            Method::POST,
            &format!("{}/secrets", client_path(&org)),
            Some(body),
        )
        .await;
        assert_eq!(status, 400, "{reply}");
    }
    assert_eq!(get(&server, &client_path(&org)).await["name"], "Okta");
    server.stop().await;
}

async fn send_text(server: &abm_scim::testing::TestServer, path: &str, text: &str) -> (u16, Value) {
    common::send(
        server
            .admin()
            .request(Method::POST, path)
            .header("content-type", "application/json")
            .body(text.to_string()),
    )
    .await
}

/// ABM's rules for tokens, for secrets: at most two live; the only live one cannot be revoked.
async fn at_most_two_live_secrets_and_never_none(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let session = server.oauth_session(&org).await;
    assert_eq!(scim_users(&server, &session.access_token).await.0, 200);
    let secrets = format!("{}/secrets", client_path(&org));
    let (status, body) = admin(
        &server,
        Method::DELETE,
        &format!("{secrets}/{}", session.client.secret_id),
        None,
    )
    .await;
    assert_error(status, &body, 409, "last_secret");
    assert!(
        body["detail"].as_str().unwrap().contains("disconnect"),
        "{body}"
    );
    let (status, second) = admin(
        &server,
        Method::POST,
        &secrets,
        Some(json!({"lifetime_months": 6})),
    )
    .await;
    assert_eq!(status, 201, "{second}");
    let mut keys: Vec<&str> = second
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "client_id",
            "client_secret",
            "secret_expires_at",
            "secret_id"
        ]
    );
    assert_ne!(
        second["client_secret"],
        session.client.client_secret.as_str()
    );
    let (status, body) = admin(&server, Method::POST, &secrets, Some(json!({}))).await;
    assert_error(status, &body, 409, "secret_limit");
    assert_eq!(
        get(&server, &client_path(&org)).await["secrets"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // With two, one can go; then a new one can come.
    let (status, _) = admin(
        &server,
        Method::DELETE,
        &format!("{secrets}/{}", session.client.secret_id),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = admin(
        &server,
        Method::POST,
        &secrets,
        Some(json!({"lifetime_months": 12})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = admin(&server, Method::DELETE, &format!("{secrets}/nope"), None).await;
    assert_error(status, &body, 404, "not_found");
    assert_eq!(connection(&server, &org).await["state"], "connected");
    server.stop().await;
}

async fn changing_and_deleting_the_client(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    let (status, changed) = admin(
        &server,
        Method::PATCH,
        &client_path(&org),
        Some(json!({"name": "Okta prod", "redirect_uris": ["https://okta.example/cb"]})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["name"], "Okta prod");
    assert_eq!(changed["redirect_uris"], json!(["https://okta.example/cb"]));
    assert_eq!(changed["client_id"], client.client_id.as_str());
    assert_eq!(
        events_of(&server, &org, "oauth_client_updated").await.len(),
        1
    );
    // The old redirect URI is no longer accepted; the new one is.
    let old = authorize_page(
        &server,
        &[
            ("client_id", &client.client_id),
            ("redirect_uri", TEST_REDIRECT_URI),
            ("response_type", "code"),
        ],
    )
    .await;
    assert_eq!(old.status, 400);
    let new = authorize_page(
        &server,
        &[
            ("client_id", &client.client_id),
            ("redirect_uri", "https://okta.example/cb"),
            ("response_type", "code"),
        ],
    )
    .await;
    assert_eq!(new.status, 200, "{}", new.text);
    assert!(new.text.contains("Allow Okta prod to sync users into Acme"));
    let (status, body) = admin(&server, Method::PATCH, &client_path(&org), Some(json!({}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Okta prod");

    let (status, _) = admin(&server, Method::DELETE, &client_path(&org), None).await;
    assert_eq!(status, 204);
    for method in [Method::GET, Method::DELETE] {
        let (status, body) = admin(&server, method, &client_path(&org), None).await;
        assert_error(status, &body, 404, "not_found");
    }
    let (status, body) = admin(
        &server,
        Method::PATCH,
        &client_path(&org),
        Some(json!({"name": "x"})),
    )
    .await;
    assert_error(status, &body, 404, "not_found");
    let (status, _) = create(&server, &org, valid()).await;
    assert_eq!(status, 201, "a new client after deletion");
    server.stop().await;
}

async fn routes_of_unknown_orgs_or_without_a_client_are_404(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    for (method, path, body) in [
        (
            Method::POST,
            "/orgs/nope/scim/oauth-client".to_string(),
            Some(valid()),
        ),
        (
            Method::GET,
            "/orgs/nope/scim/oauth-client".to_string(),
            None,
        ),
        (
            Method::DELETE,
            "/orgs/nope/scim/oauth-client/secrets/x".to_string(),
            None,
        ),
        (
            Method::POST,
            "/orgs/nope/scim/oauth-client/authorizations".to_string(),
            Some(json!({"redirect_uri": TEST_REDIRECT_URI})),
        ),
        (Method::GET, client_path(&org), None),
        (
            Method::POST,
            format!("{}/secrets", client_path(&org)),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("{}/authorizations", client_path(&org)),
            Some(json!({"redirect_uri": TEST_REDIRECT_URI})),
        ),
    ] {
        let (status, reply) = admin(&server, method.clone(), &path, body).await;
        assert_error(status, &reply, 404, "not_found");
    }
    // The admin token is required, and a client secret is not one.
    let session = server.oauth_session(&org).await;
    let (status, _) = common::send(
        reqwest::Client::new()
            .get(format!(
                "{}/admin/v1{}",
                server.base_url(),
                client_path(&org)
            ))
            .bearer_auth(&session.access_token),
    )
    .await;
    assert_eq!(status, 401);
    server.stop().await;
}

/// One directory-sync source at a time: no client while the organization syncs with OIDC, and
/// a connected client blocks the switch to OIDC.
async fn oidc_and_the_oauth_client_exclude_each_other(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let patch = |source: &str| json!({"directory_sync_source": source});
    let (status, _) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(patch("oidc_custom")),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = create(&server, &org, valid()).await;
    assert_error(status, &body, 409, "sync_source_conflict");
    assert_eq!(connection(&server, &org).await["oauth_client"], Value::Null);
    let (status, _) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(patch("none")),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = create(&server, &org, valid()).await;
    assert_eq!(status, 201);
    let (status, body) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(patch("oidc_google")),
    )
    .await;
    assert_error(status, &body, 409, "sync_source_conflict");
    server.stop().await;
}

/// The 4-day window: an OAuth client never used on SCIM expires the connection; a new secret
/// starts it again (the old one void).
async fn an_unused_client_connection_expires_after_four_days(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let session = server.oauth_session(&org).await;
    advance(&server, "P4DT1H").await;
    assert_eq!(connection(&server, &org).await["state"], "expired");
    let fresh = refresh(&server, &session.client, &session.refresh_token).await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    let (status, body) = scim_users(&server, fresh.json()["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("4 days"),
        "{body}"
    );
    let (status, body) = admin(
        &server,
        Method::POST,
        &format!("{}/secrets", client_path(&org)),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "pending", "{view}");
    let statuses: Vec<&str> = view["oauth_client"]["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["revoked", "active"], "{view}");
    server.stop().await;
}

/// `POST .../authorizations`: the approval a harness needs without a browser, checked like the
/// authorization endpoint.
async fn approvals_without_a_browser(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    let path = format!("{}/authorizations", client_path(&org));
    let (status, approval) = admin(
        &server,
        Method::POST,
        &path,
        Some(json!({"redirect_uri": TEST_REDIRECT_URI, "state": "abc"})),
    )
    .await;
    assert_eq!(status, 201, "{approval}");
    let redirect = approval["redirect"].as_str().unwrap();
    let code = approval["code"].as_str().unwrap();
    let parsed = url::Url::parse(redirect).unwrap();
    let params: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert!(params.contains(&("code".into(), code.into())), "{redirect}");
    assert!(
        params.contains(&("state".into(), "abc".into())),
        "{redirect}"
    );
    assert_eq!(
        server.exchange_oauth_code(&client, code).await["token_type"],
        "Bearer"
    );
    for (body, status, error) in [
        (
            json!({"redirect_uri": "https://evil.example/"}),
            400,
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uri": TEST_REDIRECT_URI, "code_challenge": "short"}),
            400,
            "invalid_request",
        ),
        (
            json!({"redirect_uri": TEST_REDIRECT_URI, "code_challenge_method": "S256"}),
            400,
            "invalid_request",
        ),
        (
            json!({"redirect_uri": TEST_REDIRECT_URI, "code_challenge_method": "S512"}),
            400,
            "invalid_body",
        ),
        (json!({}), 400, "invalid_body"),
    ] {
        let (got, reply) = admin(&server, Method::POST, &path, Some(body)).await;
        assert_error(got, &reply, status, error);
    }
    assert_eq!(
        events_of(&server, &org, "oauth_authorization_granted")
            .await
            .len(),
        1
    );
    server.stop().await;
}

/// The new routes are in the OpenAPI document with their bodies and error answers.
async fn the_routes_are_in_openapi(engine: Engine) {
    let server = engine.server().await;
    let doc: Value = reqwest::get(format!("{}/openapi.json", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &doc["paths"];
    let client = &paths["/admin/v1/orgs/{org}/scim/oauth-client"];
    for method in ["get", "post", "patch", "delete"] {
        assert!(client[method].is_object(), "{method} documented");
        assert!(client[method]["responses"]["401"].is_object());
        assert!(client[method]["responses"]["404"].is_object());
    }
    assert_eq!(
        client["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CreateOAuthClientRequest"
    );
    assert_eq!(
        client["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/IssuedClientView"
    );
    assert!(client["post"]["responses"]["409"].is_object());
    let secrets = &paths["/admin/v1/orgs/{org}/scim/oauth-client/secrets"]["post"];
    assert!(secrets["responses"]["409"].is_object());
    assert!(
        paths["/admin/v1/orgs/{org}/scim/oauth-client/secrets/{id}"]["delete"]["responses"]["409"]
            .is_object()
    );
    let approvals = &paths["/admin/v1/orgs/{org}/scim/oauth-client/authorizations"]["post"];
    assert!(approvals["responses"]["201"].is_object());
    assert!(approvals["responses"]["400"].is_object());
    let schemas = &doc["components"]["schemas"];
    for schema in [
        "OAuthClientView",
        "SecretView",
        "SecretStatus",
        "IssuedSecretView",
        "Approval",
        "AuthorizationRequestBody",
    ] {
        assert!(schemas[schema].is_object(), "{schema}");
    }
    assert!(schemas["ScimConnectionView"]["properties"]["oauth_client"].is_object());
    server.stop().await;
}

on_both_engines!(
    creating_the_client_shows_the_secret_once_and_connects,
    bad_bodies_are_refused_and_change_nothing,
    at_most_two_live_secrets_and_never_none,
    changing_and_deleting_the_client,
    routes_of_unknown_orgs_or_without_a_client_are_404,
    oidc_and_the_oauth_client_exclude_each_other,
    an_unused_client_connection_expires_after_four_days,
    approvals_without_a_browser,
    the_routes_are_in_openapi,
);
