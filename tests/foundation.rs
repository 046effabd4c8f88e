//! Issue 2: first start, restart, SCIM token checks, readiness.

mod common;

use abm_scim::service::NewOrg;
use abm_scim::testing::TestServer;
use common::{scim_with, send, Engine};
use reqwest::Method;
use serde_json::json;

const JWT_SECRET: &str = "a-test-secret-that-is-long-enough-0123456789";

async fn first_start_prints_a_working_token(engine: Engine) {
    let server = engine
        .builder()
        .await
        .configure(|args| args.admin_token = None)
        .start()
        .await;
    let (status, body) = send(server.scim(Method::GET, "/Users")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert_eq!(body["totalResults"], 0);
    // The same handlers answer on the /scim/v2 alias.
    let alias = reqwest::Client::new()
        .get(format!("{}/scim/v2/Users", server.base_url()))
        .bearer_auth(server.scim_token());
    assert_eq!(send(alias).await.0, 200);
    server.stop().await;
}

async fn restart_keeps_data_and_prints_no_new_token(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let url = match engine {
        Engine::Sqlite => format!("sqlite:{}", dir.path().join("abm.db").display()),
        Engine::Postgres => engine.fresh_database_url().await,
    };
    let first = TestServer::builder()
        .database_url(&url)
        .configure(|args| args.jwt_secret = None)
        .start()
        .await;
    let token = first.scim_token().to_string();
    let org_id = first.default_org_id().to_string();
    first.stop().await;

    let second = TestServer::builder()
        .database_url(&url)
        .configure(|args| args.jwt_secret = None)
        .start()
        .await;
    assert!(second.app().store.get_org(&org_id).await.unwrap().is_some());
    let orgs = second.app().store.list_orgs().await.unwrap();
    assert_eq!(orgs.len(), 1, "no second default organization on restart");
    let (status, _) = send(scim_with(&second, &token, Method::GET, "/Users")).await;
    assert_eq!(
        status, 200,
        "the first start's token still works (secret kept in the database)"
    );
    second.stop().await;
}

async fn another_organizations_token_sees_only_its_own_users(engine: Engine) {
    let server = engine.server().await;
    let app = server.app();
    let (other, _) = app
        .create_org(NewOrg::business("Other", vec![("other.test".into(), true)]))
        .await
        .unwrap();
    let other_token = app.create_token(&other.id, None).await.unwrap().token;
    let (status, body) = send(
        server
            .scim(Method::POST, "/Users")
            .json(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ann@example.com"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, mine) = send(server.scim(Method::GET, "/Users")).await;
    assert_eq!(status, 200);
    assert_eq!(mine["totalResults"], 1);
    let (status, theirs) = send(scim_with(&server, &other_token, Method::GET, "/Users")).await;
    assert_eq!(status, 200);
    assert_eq!(theirs["totalResults"], 0, "{theirs}");
    let id = body["id"].as_str().unwrap();
    let (status, _) = send(scim_with(
        &server,
        &other_token,
        Method::GET,
        &format!("/Users/{id}"),
    ))
    .await;
    assert_eq!(status, 404, "another organization's id is not found");
    server.stop().await;
}

fn sign(claims: serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn expired_revoked_and_garbage_tokens_are_refused(engine: Engine) {
    let server = engine
        .builder()
        .await
        .configure(|args| args.jwt_secret = Some(JWT_SECRET.into()))
        .start()
        .await;
    let app = server.app();
    let org_id = server.default_org_id().to_string();
    let tokens = app.store.list_tokens(&org_id).await.unwrap();
    let jti = tokens[0].id.clone();

    // Right signature and row, but `exp` in the past.
    let expired = sign(
        json!({"iss": "abm-scim", "org": org_id, "jti": jti, "iat": 1, "exp": 2}),
        JWT_SECRET,
    );
    let (status, body) = send(scim_with(&server, &expired, Method::GET, "/Users")).await;
    assert_eq!(status, 401);
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );

    // Signed with another secret.
    let forged = sign(
        json!({"iss": "abm-scim", "org": org_id, "jti": jti, "iat": 1, "exp": 9_999_999_999i64}),
        "another-secret-another-secret-another-secret",
    );
    assert_eq!(
        send(scim_with(&server, &forged, Method::GET, "/Users"))
            .await
            .0,
        401
    );

    for garbage in ["garbage", "Bearer", "eyJhbGciOiJub25lIn0.eyJvcmciOiJ4In0."] {
        let request = reqwest::Client::new()
            .get(format!("{}/Users", server.scim_url()))
            .header("Authorization", garbage);
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.headers().get("www-authenticate").is_some());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:Error"
        );
        assert_eq!(body["status"], "401");
    }
    assert_eq!(
        send(reqwest::Client::new().get(format!("{}/Users", server.scim_url())))
            .await
            .0,
        401,
        "no Authorization header"
    );

    // Revoked: mark the row (a second token keeps the organization connected).
    let second = app.create_token(&org_id, None).await.unwrap();
    app.revoke_token(&org_id, &jti).await.unwrap();
    let (status, body) = send(server.scim(Method::GET, "/Users")).await;
    assert_eq!(status, 401);
    assert!(
        body["detail"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    assert_eq!(
        send(scim_with(&server, &second.token, Method::GET, "/Users"))
            .await
            .0,
        200
    );

    // Expired by the clock: a year later the token is refused as expired.
    app.clock
        .set(second.expires_at + chrono::Duration::seconds(1))
        .await
        .unwrap();
    let (status, body) = send(scim_with(&server, &second.token, Method::GET, "/Users")).await;
    assert_eq!(status, 401);
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    server.stop().await;
}

async fn readyz_reports_an_unreachable_database(engine: Engine) {
    let url = engine.fresh_database_url().await;
    let server = TestServer::builder()
        .database_url(&url)
        .configure(|args| args.database.db_acquire_timeout = std::time::Duration::from_millis(500))
        .start()
        .await;
    let client = reqwest::Client::new();
    let ready = client
        .get(format!("{}/readyz", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let health = client
        .get(format!("{}/healthz", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    match engine {
        // Really take the database away: drop it, terminating the server's connections.
        Engine::Postgres => {
            use sqlx::Connection;
            let server_url = common::postgres_server_url().unwrap();
            let name = url.rsplit('/').next().unwrap().to_string();
            let mut conn = sqlx::PgConnection::connect(&server_url).await.unwrap();
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        // An embedded database cannot be stopped from outside; closing the pool is the same
        // condition for the server: no connection can be had.
        Engine::Sqlite => server.app().store.close().await,
    }
    let not_ready = client
        .get(format!("{}/readyz", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(not_ready.status(), 503);
    let body: serde_json::Value = not_ready.json().await.unwrap();
    assert_eq!(body["status"], "not ready");
    let health = client
        .get(format!("{}/healthz", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the process itself is alive");
}

async fn scim_token_is_refused_on_unknown_routes_with_scim_error(engine: Engine) {
    let server = engine.server().await;
    let (status, body) = send(server.scim(Method::GET, "/Nope")).await;
    assert_eq!(status, 404);
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    server.stop().await;
}

on_both_engines!(
    first_start_prints_a_working_token,
    restart_keeps_data_and_prints_no_new_token,
    another_organizations_token_sees_only_its_own_users,
    expired_revoked_and_garbage_tokens_are_refused,
    readyz_reports_an_unreachable_database,
    scim_token_is_refused_on_unknown_routes_with_scim_error,
);
