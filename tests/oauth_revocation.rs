//! Issue 14: what stops an OAuth client's tokens, over HTTP on both engines: revoking a secret
//! (effective on the next request), two-secret rotation without a gap, deleting the client,
//! disconnecting SCIM, the isolation of organizations, `client_credentials` as an emulator
//! setting, and the journal and views never holding a secret.

mod admin_support;
mod common;
mod oauth_support;

use abm_scim::testing::{OAuthTestClient, TestServer, TEST_REDIRECT_URI};
use admin_support::*;
use common::Engine;
use oauth_support::*;
use reqwest::Method;
use serde_json::{json, Value};

/// A second secret of the organization's client; returns (id, secret).
async fn second_secret(server: &TestServer, org: &str) -> (String, String) {
    let (status, body) = admin(
        server,
        Method::POST,
        &format!("/orgs/{org}/scim/oauth-client/secrets"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    (
        body["secret_id"].as_str().unwrap().to_string(),
        body["client_secret"].as_str().unwrap().to_string(),
    )
}

async fn revoke_secret(server: &TestServer, org: &str, id: &str) -> (u16, Value) {
    admin(
        server,
        Method::DELETE,
        &format!("/orgs/{org}/scim/oauth-client/secrets/{id}"),
        None,
    )
    .await
}

fn with_secret(client: &OAuthTestClient, secret: &str) -> OAuthTestClient {
    OAuthTestClient {
        client_secret: secret.to_string(),
        ..client.clone()
    }
}

/// Revoking a secret stops its access tokens on the very next SCIM request, and its refresh
/// tokens and client authentication at once.
async fn revoking_a_secret_takes_effect_on_the_next_request(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let session = server.oauth_session(&org).await;
    let (second_id, second) = second_secret(&server, &org).await;
    // Warm every cache there is.
    for _ in 0..3 {
        assert_eq!(scim_users(&server, &session.access_token).await.0, 200);
    }
    let (status, body) = revoke_secret(&server, &org, &session.client.secret_id).await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = scim_users(&server, &session.access_token).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    // The revoked secret no longer authenticates...
    let refused = refresh(&server, &session.client, &session.refresh_token).await;
    assert_oauth_error(&refused, 401, "invalid_client");
    // ...and its refresh token is dead for the other secret too.
    let other = with_secret(&session.client, &second);
    assert_oauth_error(
        &refresh(&server, &other, &session.refresh_token).await,
        400,
        "invalid_grant",
    );
    let view = connection(&server, &org).await;
    let statuses: Vec<(&str, &str)> = view["oauth_client"]["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert!(
        statuses.contains(&(session.client.secret_id.as_str(), "revoked")),
        "{view}"
    );
    assert!(statuses.contains(&(second_id.as_str(), "active")), "{view}");
    let revoked = events_of(&server, &org, "oauth_secret_revoked").await;
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        revoked[0]["detail"]["secret_id"],
        session.client.secret_id.as_str()
    );
    // Revoking it again changes nothing.
    assert_eq!(
        revoke_secret(&server, &org, &session.client.secret_id)
            .await
            .0,
        204
    );
    server.stop().await;
}

/// ABM's rotation: a second secret is pasted into the IdP, which refreshes with it; the first is
/// then revoked, and sync carries on without a gap or a new authorisation.
async fn two_secret_rotation_without_a_gap(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let session = server.oauth_session(&org).await;
    assert_eq!(scim_users(&server, &session.access_token).await.0, 200);
    advance(&server, "P300D").await;
    let (second_id, second) = second_secret(&server, &org).await;
    let rotated = with_secret(&session.client, &second);
    let reply = refresh(&server, &rotated, &session.refresh_token).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let access = reply.json()["access_token"].as_str().unwrap().to_string();
    // Both secrets work meanwhile.
    assert_eq!(scim_users(&server, &access).await.0, 200);
    assert_eq!(
        refresh(&server, &session.client, &session.refresh_token)
            .await
            .status,
        200
    );
    let reply = refresh(&server, &rotated, &session.refresh_token).await;
    let access = reply.json()["access_token"].as_str().unwrap().to_string();
    let (status, _) = revoke_secret(&server, &org, &session.client.secret_id).await;
    assert_eq!(status, 204);
    // No gap: the access token obtained with the second secret and the refresh token go on.
    assert_eq!(scim_users(&server, &access).await.0, 200);
    let after = refresh(&server, &rotated, &session.refresh_token).await;
    assert_eq!(after.status, 200, "{}", after.text);
    assert_eq!(
        scim_users(&server, after.json()["access_token"].as_str().unwrap())
            .await
            .0,
        200
    );
    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "connected", "{view}");
    let second_view = view["oauth_client"]["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == second_id)
        .unwrap()
        .clone();
    assert_eq!(second_view["status"], "active");
    assert!(second_view["last_used_at"].is_string(), "{second_view}");
    server.stop().await;
}

/// Deleting the client revokes every secret, refresh and access token at once; a new client's
/// credentials do not revive the old refresh token.
async fn deleting_the_client_revokes_everything(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let session = server.oauth_session(&org).await;
    assert_eq!(scim_users(&server, &session.access_token).await.0, 200);
    let (status, body) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/scim/oauth-client"),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(scim_users(&server, &session.access_token).await.0, 401);
    assert_oauth_error(
        &refresh(&server, &session.client, &session.refresh_token).await,
        401,
        "invalid_client",
    );
    let deleted = events_of(&server, &org, "oauth_client_deleted").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        deleted[0]["detail"]["client_id"],
        session.client.client_id.as_str()
    );
    assert_eq!(connection(&server, &org).await["oauth_client"], Value::Null);

    let fresh = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    assert_ne!(fresh.client_id, session.client.client_id);
    assert_oauth_error(
        &refresh(&server, &fresh, &session.refresh_token).await,
        400,
        "invalid_grant",
    );
    server.stop().await;
}

/// Disconnecting SCIM revokes the OAuth credentials with the tokens; synced accounts become
/// manual. A new secret connects again.
async fn disconnecting_revokes_oauth_credentials(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let session = server.oauth_session(&org).await;
    scim_user(&server, &session.access_token, "ada@acme.test").await;
    let (status, _) = admin(&server, Method::DELETE, &format!("/orgs/{org}/scim"), None).await;
    assert_eq!(status, 204);
    assert_eq!(scim_users(&server, &session.access_token).await.0, 401);
    assert_oauth_error(
        &refresh(&server, &session.client, &session.refresh_token).await,
        401,
        "invalid_client",
    );
    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "disconnected", "{view}");
    assert_eq!(view["oauth_client"]["secrets"][0]["status"], "revoked");
    let disconnected = events_of(&server, &org, "scim_disconnected").await;
    assert_eq!(disconnected[0]["detail"]["oauth_secrets_revoked"], 1);
    assert_eq!(
        server.admin().accounts(&org).await["accounts"][0]["source"],
        "manual"
    );

    // The client stays; a new secret reconnects (pending until used).
    let (_, secret) = second_secret(&server, &org).await;
    assert_eq!(connection(&server, &org).await["state"], "pending");
    let client = with_secret(&session.client, &secret);
    let code = server
        .admin()
        .approve_oauth(&org, TEST_REDIRECT_URI, None)
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let tokens = server.exchange_oauth_code(&client, &code).await;
    assert_eq!(
        scim_users(&server, tokens["access_token"].as_str().unwrap())
            .await
            .0,
        200
    );
    assert_eq!(connection(&server, &org).await["state"], "connected");
    server.stop().await;
}

/// The bearer token selects the organization: an organization's tokens never reach another's
/// accounts, and its codes and refresh tokens are refused to another's client.
async fn tokens_of_one_organization_never_reach_another(engine: Engine) {
    let server = engine.server().await;
    let acme = new_org(&server, "Acme", "acme.test").await;
    let globex = new_org(&server, "Globex", "globex.test").await;
    let a = server.oauth_session(&acme).await;
    let g = server.oauth_session(&globex).await;
    scim_user(&server, &a.access_token, "ada@acme.test").await;
    scim_user(&server, &g.access_token, "gil@globex.test").await;
    let (_, users) = scim_users(&server, &a.access_token).await;
    assert_eq!(users["totalResults"], 1, "{users}");
    assert_eq!(users["Resources"][0]["userName"], "ada@acme.test");
    // Acme's token cannot create in Globex's domain (it is Acme's directory).
    let (status, _) = scim_create(&server, &a.access_token, "eve@globex.test").await;
    assert_eq!(status, 400);
    // Acme's refresh token and a fresh Acme code with Globex's client.
    assert_oauth_error(
        &refresh(&server, &g.client, &a.refresh_token).await,
        400,
        "invalid_grant",
    );
    let code = server
        .admin()
        .approve_oauth(&acme, TEST_REDIRECT_URI, None)
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let stolen = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", TEST_REDIRECT_URI),
            ("client_id", &g.client.client_id),
            ("client_secret", &g.client.client_secret),
        ],
        None,
    )
    .await;
    assert_oauth_error(&stolen, 400, "invalid_grant");
    // Acme's client id with Globex's secret.
    let mixed = with_secret(&a.client, &g.client.client_secret);
    assert_oauth_error(
        &refresh(&server, &mixed, &a.refresh_token).await,
        401,
        "invalid_client",
    );
    // Revoking in one organization leaves the other alone.
    let (status, _) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{globex}/scim/oauth-client"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(scim_users(&server, &a.access_token).await.0, 200);
    server.stop().await;
}

/// `client_credentials` is refused (ABM's flow is interactive) unless the organization turns on
/// `oauth_client_credentials`; its tokens have no refresh token and die with their secret.
async fn client_credentials_is_an_emulator_setting(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client.client_id.as_str()),
        ("client_secret", client.client_secret.as_str()),
    ];
    assert_oauth_error(
        &token(&server, &form, None).await,
        400,
        "unsupported_grant_type",
    );
    assert_eq!(
        get(&server, &format!("/orgs/{org}")).await["oauth_client_credentials"],
        false
    );
    let (status, body) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(json!({"oauth_client_credentials": true})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["oauth_client_credentials"], true);
    let reply = token(&server, &form, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let tokens = reply.json();
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_string();
    assert_eq!(scim_users(&server, &access).await.0, 200);
    assert_eq!(connection(&server, &org).await["state"], "connected");
    let (second_id, _) = second_secret(&server, &org).await;
    assert!(!second_id.is_empty());
    revoke_secret(&server, &org, &client.secret_id).await;
    assert_eq!(scim_users(&server, &access).await.0, 401);
    server.stop().await;
}

/// The journal records the token endpoint's calls (grant type, client id, status), and no
/// secret, code, refresh or access token appears in the journal, the activity or any view.
async fn the_journal_records_token_calls_without_secrets(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let session = server.oauth_session(&org).await;
    let refreshed = refresh(&server, &session.client, &session.refresh_token)
        .await
        .json();
    let wrong = with_secret(&session.client, "abm_cs_not_the_secret");
    assert_eq!(
        refresh(&server, &wrong, &session.refresh_token)
            .await
            .status,
        401
    );
    scim_user(&server, &session.access_token, "ada@acme.test").await;

    let journal = server.admin().requests(&org).await;
    let entries = journal["requests"]
        .as_array()
        .unwrap_or_else(|| panic!("{journal}"));
    let token_calls: Vec<&Value> = entries
        .iter()
        .filter(|e| e["path"] == "/auth/oauth2/v2/token")
        .collect();
    assert_eq!(token_calls.len(), 3, "{journal}");
    let seen: Vec<(Value, Value, Value)> = token_calls
        .iter()
        .map(|e| {
            (
                e["request_body"]["grant_type"].clone(),
                e["request_body"]["client_id"].clone(),
                e["status"].clone(),
            )
        })
        .collect();
    let id = json!(session.client.client_id);
    assert_eq!(
        seen,
        [
            (json!("authorization_code"), id.clone(), json!(200)),
            (json!("refresh_token"), id.clone(), json!(200)),
            (json!("refresh_token"), id.clone(), json!(401)),
        ]
    );
    assert_eq!(
        token_calls[0]["token_id"],
        session.client.secret_id.as_str()
    );
    assert_eq!(
        token_calls[0]["response_body"]["access_token"],
        "[redacted]"
    );
    assert_eq!(token_calls[2]["response_body"]["error"], "invalid_client");
    // The SCIM call with the access token is journaled under the secret.
    assert!(entries.iter().any(|e| e["path"] == "/Users"
        && e["method"] == "POST"
        && e["token_id"] == session.client.secret_id.as_str()));

    let mut everything = serde_json::to_string(&journal).unwrap();
    for path in [
        format!("/orgs/{org}/scim"),
        format!("/orgs/{org}/scim/oauth-client"),
        format!("/orgs/{org}"),
        format!("/orgs/{org}/activity?limit=1000"),
    ] {
        everything.push_str(&get(&server, &path).await.to_string());
    }
    let har = reply(
        server
            .admin()
            .request(Method::GET, &format!("/orgs/{org}/requests.har")),
    )
    .await;
    everything.push_str(&har.text);
    for secret in [
        session.client.client_secret.as_str(),
        session.access_token.as_str(),
        session.refresh_token.as_str(),
        refreshed["access_token"].as_str().unwrap(),
    ] {
        assert!(!everything.contains(secret), "a secret leaked: {secret}");
    }
    assert!(!everything.contains("abm_ac_"), "no code");
    assert!(!everything.contains("abm_rt_"), "no refresh token");
    server.stop().await;
}

on_both_engines!(
    revoking_a_secret_takes_effect_on_the_next_request,
    two_secret_rotation_without_a_gap,
    deleting_the_client_revokes_everything,
    disconnecting_revokes_oauth_credentials,
    tokens_of_one_organization_never_reach_another,
    client_credentials_is_an_emulator_setting,
    the_journal_records_token_calls_without_secrets,
);
