//! Issue 14: the OAuth 2 flow of custom identity providers, over HTTP on both engines: the exact
//! requests of the open-source clients that sync into ABM (credentials in the body, no scope, no
//! PKCE; refresh with and without a new refresh token), PKCE S256, Basic authentication, access
//! tokens on SCIM, revocation and expiry, isolation between organizations, rotation.

mod admin_support;
mod common;
mod oauth_support;

use abm_scim::testing::TEST_REDIRECT_URI;
use admin_support::*;
use common::Engine;
use oauth_support::*;
use reqwest::Method;
use serde_json::{json, Value};

/// One secret of the connection view's OAuth client.
fn secret_in(connection: &Value, id: &str) -> Value {
    connection["oauth_client"]["secrets"]
        .as_array()
        .unwrap_or_else(|| panic!("an OAuth client: {connection}"))
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("secret {id} listed: {connection}"))
}

/// The authentik→ABM sync tool and authentik's SCIM provider, step by step: browser approval
/// with exactly client_id, redirect_uri, response_type and state; the code exchanged with the
/// credentials in the body; SCIM with the access token; a refresh that returns no new refresh
/// token, after which the old one keeps working.
async fn abm_clients_flow_with_body_credentials(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    assert!(
        client.client_id.starts_with("SCIM."),
        "{}",
        client.client_id
    );
    uuid::Uuid::parse_str(&client.client_id["SCIM.".len()..]).expect("SCIM.<uuid>");
    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "pending", "{view}");

    let code = allow_in_browser(&server, &client, "st4te").await;
    let reply = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &client.redirect_uri),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
        ],
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let tokens = reply.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_string();
    let keys: Vec<&String> = tokens.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "{tokens}");

    let (status, body) = scim_users(&server, &access).await;
    assert_eq!(status, 200, "{body}");
    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "connected", "{view}");
    let secret = secret_in(&view, &client.secret_id);
    assert_eq!(secret["status"], "active");
    assert_eq!(time(&secret["last_used_at"]), now(&server).await);
    let connected = events_of(&server, &org, "scim_connected").await;
    assert_eq!(connected.len(), 1, "{connected:?}");
    assert_eq!(connected[0]["actor"], format!("scim:{}", client.secret_id));
    // A user created with the access token.
    let id = scim_user(&server, &access, "ada@acme.test").await;
    assert!(!id.is_empty());

    // The refresh returns no refresh token: the client keeps its own, which keeps working.
    advance(&server, "PT50M").await;
    let reply = refresh(&server, &client, &refresh_token).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let refreshed = reply.json();
    assert!(refreshed.get("refresh_token").is_none(), "{refreshed}");
    assert_eq!(refreshed["expires_in"], 3600);
    let access2 = refreshed["access_token"].as_str().unwrap().to_string();
    assert_ne!(access2, access);
    assert_eq!(scim_users(&server, &access2).await.0, 200);
    let again = refresh(&server, &client, &refresh_token).await;
    assert_eq!(
        again.status, 200,
        "the old refresh token still works: {}",
        again.text
    );
    assert_eq!(
        events_of(&server, &org, "oauth_authorization_granted")
            .await
            .len(),
        1
    );
    assert_eq!(
        events_of(&server, &org, "oauth_code_exchanged").await.len(),
        1
    );
    server.stop().await;
}

on_both_engines!(abm_clients_flow_with_body_credentials);
