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

/// `--oauth-rotate-refresh-tokens`: each refresh returns a new refresh token (the client
/// replaces its own); presenting a replaced one revokes the whole family.
async fn rotated_refresh_tokens_and_reuse_revokes_the_family(engine: Engine) {
    let server = engine
        .builder()
        .await
        .configure(|args| args.oauth_rotate_refresh_tokens = true)
        .start()
        .await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let session = server.oauth_session(&org).await;
    let first = refresh(&server, &session.client, &session.refresh_token).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let first = first.json();
    let second_refresh = first["refresh_token"]
        .as_str()
        .expect("a new refresh token")
        .to_string();
    assert_ne!(second_refresh, session.refresh_token);
    let access = first["access_token"].as_str().unwrap().to_string();
    assert_eq!(scim_users(&server, &access).await.0, 200);
    // The next refresh uses the new one...
    let second = refresh(&server, &session.client, &second_refresh).await;
    assert_eq!(second.status, 200, "{}", second.text);
    let third_refresh = second.json()["refresh_token"].as_str().unwrap().to_string();
    // ...and the replaced one, presented again, revokes everything of the grant.
    let reused = refresh(&server, &session.client, &session.refresh_token).await;
    assert_oauth_error(&reused, 400, "invalid_grant");
    let (status, body) = scim_users(&server, &access).await;
    assert_eq!(status, 401, "{body}");
    assert_oauth_error(
        &refresh(&server, &session.client, &third_refresh).await,
        400,
        "invalid_grant",
    );
    let revoked = events_of(&server, &org, "oauth_grant_revoked").await;
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(revoked[0]["detail"]["reason"], "refresh_token_reused");
    // A new authorisation starts a new family.
    let code = server
        .admin()
        .approve_oauth(&org, TEST_REDIRECT_URI, None)
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let tokens = server.exchange_oauth_code(&session.client, &code).await;
    assert_eq!(
        scim_users(&server, tokens["access_token"].as_str().unwrap())
            .await
            .0,
        200
    );
    server.stop().await;
}

/// authentik with PKCE: the authorization request carries an S256 challenge; the exchange
/// needs the verifier.
async fn pkce_s256_flow(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let query = [
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("response_type", "code"),
        ("state", "s"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    let page = authorize_page(&server, &query).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains(challenge),
        "the page carries the challenge"
    );
    let mut form = query.to_vec();
    form.extend([
        ("decision", "allow"),
        ("admin_token", abm_scim::testing::TEST_ADMIN_TOKEN),
    ]);
    let allowed = decide(&server, &form).await;
    assert_eq!(allowed.status, 303, "{}", allowed.text);
    let code = allowed.location_param("code").unwrap();
    let exchange = |verifier: Option<&'static str>| {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("client_id", client.client_id.as_str()),
            ("client_secret", client.client_secret.as_str()),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier));
        }
        let server = &server;
        async move { token(server, &form, None).await }
    };
    assert_oauth_error(&exchange(None).await, 400, "invalid_grant");
    assert_oauth_error(
        &exchange(Some("wrong-verifier-wrong-verifier-wrong-verifier-0")).await,
        400,
        "invalid_grant",
    );
    assert_oauth_error(&exchange(Some("short")).await, 400, "invalid_request");
    // Failed attempts did not use the code up.
    let ok = exchange(Some(verifier)).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(
        scim_users(&server, ok.json()["access_token"].as_str().unwrap())
            .await
            .0,
        200
    );

    // `plain`, through the admin API; a verifier sent for a code without challenge is refused.
    let (status, approval) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/oauth-client/authorizations"),
        Some(json!({"redirect_uri": TEST_REDIRECT_URI, "code_challenge": verifier, "code_challenge_method": "plain"})),
    )
    .await;
    assert_eq!(status, 201, "{approval}");
    let plain = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", approval["code"].as_str().unwrap()),
            ("redirect_uri", TEST_REDIRECT_URI),
            ("code_verifier", verifier),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
        ],
        None,
    )
    .await;
    assert_eq!(plain.status, 200, "{}", plain.text);
    let code = server
        .admin()
        .approve_oauth(&org, TEST_REDIRECT_URI, None)
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let extra = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", TEST_REDIRECT_URI),
            ("code_verifier", verifier),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
        ],
        None,
    )
    .await;
    assert_oauth_error(&extra, 400, "invalid_grant");
    server.stop().await;
}

/// client_secret_basic works for both grants; both methods at once is invalid_request;
/// invalid_client is a 401, with `WWW-Authenticate: Basic` only when Basic was used.
async fn basic_authentication(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    let code = server
        .admin()
        .approve_oauth(&org, TEST_REDIRECT_URI, Some("x"))
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let basic = Some((client.client_id.as_str(), client.client_secret.as_str()));
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", TEST_REDIRECT_URI),
    ];
    // Both at once.
    let mut both = exchange.to_vec();
    both.push(("client_secret", &client.client_secret));
    assert_oauth_error(&token(&server, &both, basic).await, 400, "invalid_request");
    // Wrong Basic secret: 401 with the Basic challenge.
    let wrong = token(
        &server,
        &exchange,
        Some((&client.client_id, "abm_cs_wrong")),
    )
    .await;
    assert_oauth_error(&wrong, 401, "invalid_client");
    assert!(
        wrong
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Basic")),
        "{:?}",
        wrong.headers
    );
    // Wrong body secret: 401 without it.
    let mut wrong_body = exchange.to_vec();
    wrong_body.extend([
        ("client_id", client.client_id.as_str()),
        ("client_secret", "abm_cs_wrong"),
    ]);
    let wrong = token(&server, &wrong_body, None).await;
    assert_oauth_error(&wrong, 401, "invalid_client");
    assert!(
        wrong.header("www-authenticate").is_none(),
        "{:?}",
        wrong.headers
    );
    // A Basic header that is not base64 of id:secret.
    let garbled = reply(
        reqwest::Client::new()
            .post(server.oauth_token_url())
            .header("authorization", "Basic !!!")
            .form(&exchange),
    )
    .await;
    assert_oauth_error(&garbled, 401, "invalid_client");
    // A client_id in the body that is not Basic's.
    let mut other_id = exchange.to_vec();
    other_id.push(("client_id", "SCIM.someone-else"));
    assert_oauth_error(
        &token(&server, &other_id, basic).await,
        400,
        "invalid_request",
    );

    let ok = token(&server, &exchange, basic).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let refresh_token = ok.json()["refresh_token"].as_str().unwrap().to_string();
    let refreshed = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            ("scope", "anything"),
        ],
        basic,
    )
    .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(
        scim_users(&server, refreshed.json()["access_token"].as_str().unwrap())
            .await
            .0,
        200
    );
    // Refusals of a known client (the two wrong secrets) are in its activity, without the
    // secret; requests that named no known client cannot be attributed.
    let refused = events_of(&server, &org, "oauth_grant_refused").await;
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused
        .iter()
        .all(|e| e["detail"]["error"] == "invalid_client"));
    assert!(refused
        .iter()
        .all(|e| e["actor"] == format!("oauth:{}", client.client_id)));
    let activity = serde_json::to_string(&events(&server, &org).await).unwrap();
    assert!(!activity.contains(&client.client_secret));
    server.stop().await;
}

/// The code exchange of `client` for `code` (body credentials), as a reply.
async fn exchange(
    server: &abm_scim::testing::TestServer,
    client: &abm_scim::testing::OAuthTestClient,
    code: &str,
    redirect_uri: &str,
) -> Reply {
    token(
        server,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
        ],
        None,
    )
    .await
}

async fn approved_code(server: &abm_scim::testing::TestServer, org: &str) -> String {
    server
        .admin()
        .approve_oauth(org, TEST_REDIRECT_URI, None)
        .await["code"]
        .as_str()
        .unwrap()
        .to_string()
}

/// RFC 6749 §4.1.2: a code is single use; a second use is refused and revokes the tokens
/// issued from it.
async fn a_reused_code_revokes_its_tokens(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    let code = approved_code(&server, &org).await;
    let first = exchange(&server, &client, &code, TEST_REDIRECT_URI).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let tokens = first.json();
    let access = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(scim_users(&server, access).await.0, 200);

    let second = exchange(&server, &client, &code, TEST_REDIRECT_URI).await;
    assert_oauth_error(&second, 400, "invalid_grant");
    // Revoked on the next request.
    let (status, body) = scim_users(&server, access).await;
    assert_eq!(status, 401, "{body}");
    assert_oauth_error(
        &refresh(&server, &client, refresh_token).await,
        400,
        "invalid_grant",
    );
    let revoked = events_of(&server, &org, "oauth_grant_revoked").await;
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(revoked[0]["detail"]["reason"], "code_reused");
    // The client itself is fine: a new approval works.
    let fresh = exchange(
        &server,
        &client,
        &approved_code(&server, &org).await,
        TEST_REDIRECT_URI,
    )
    .await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    server.stop().await;
}

/// A code is bound to its client and redirect URI and lives 5 minutes (`--oauth-code-lifetime`)
/// on the manual clock; a refused exchange does not use it up.
async fn codes_are_bound_and_expire(engine: Engine) {
    let server = engine.server().await;
    let acme = new_org(&server, "Acme", "acme.test").await;
    let other = new_org(&server, "Other", "other.test").await;
    let client = server
        .admin()
        .create_oauth_client(&acme, TEST_REDIRECT_URI)
        .await;
    let other_client = server
        .admin()
        .create_oauth_client(&other, TEST_REDIRECT_URI)
        .await;
    let code = approved_code(&server, &acme).await;
    assert_oauth_error(
        &exchange(&server, &other_client, &code, TEST_REDIRECT_URI).await,
        400,
        "invalid_grant",
    );
    assert_oauth_error(
        &exchange(
            &server,
            &client,
            &code,
            "https://idp.example/oauth/callback/",
        )
        .await,
        400,
        "invalid_grant",
    );
    assert_oauth_error(
        &exchange(&server, &client, "abm_ac_nonsense", TEST_REDIRECT_URI).await,
        400,
        "invalid_grant",
    );
    // A forged code with a real id but the wrong random part.
    let forged = format!("{}.{}", &code[..code.find('.').unwrap()], "0".repeat(64));
    assert_oauth_error(
        &exchange(&server, &client, &forged, TEST_REDIRECT_URI).await,
        400,
        "invalid_grant",
    );
    advance(&server, "PT4M59S").await;
    let ok = exchange(&server, &client, &code, TEST_REDIRECT_URI).await;
    assert_eq!(
        ok.status, 200,
        "refused attempts did not use the code: {}",
        ok.text
    );

    let late = approved_code(&server, &acme).await;
    advance(&server, "PT5M").await;
    let expired = exchange(&server, &client, &late, TEST_REDIRECT_URI).await;
    assert_oauth_error(&expired, 400, "invalid_grant");
    assert!(expired.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("expired"));
    server.stop().await;

    // The lifetime is configurable.
    let server = engine
        .builder()
        .await
        .configure(|args| args.oauth_code_lifetime = std::time::Duration::from_secs(30))
        .start()
        .await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    let code = approved_code(&server, &org).await;
    advance(&server, "PT31S").await;
    assert_oauth_error(
        &exchange(&server, &client, &code, TEST_REDIRECT_URI).await,
        400,
        "invalid_grant",
    );
    server.stop().await;
}

/// Access tokens live `expires_in` = 3600 s on the manual clock; an expired one is a SCIM 401
/// with `WWW-Authenticate: Bearer error="invalid_token"` saying to refresh.
async fn access_tokens_expire_after_an_hour(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let session = server.oauth_session(&org).await;
    advance(&server, "PT59M59S").await;
    assert_eq!(scim_users(&server, &session.access_token).await.0, 200);
    advance(&server, "PT1S").await;
    let expired = reply(
        reqwest::Client::new()
            .get(format!("{}/Users", server.scim_url()))
            .bearer_auth(&session.access_token),
    )
    .await;
    assert_eq!(expired.status, 401, "{}", expired.text);
    let challenge = expired.header("www-authenticate").unwrap();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    let body = expired.json();
    assert_eq!(body["status"], "401");
    assert!(
        body["detail"].as_str().unwrap().contains("refresh"),
        "{body}"
    );
    assert_eq!(
        expired.header("content-type"),
        Some("application/scim+json")
    );
    // A refresh gives a working one.
    let fresh = refresh(&server, &session.client, &session.refresh_token)
        .await
        .json();
    assert_eq!(
        scim_users(&server, fresh["access_token"].as_str().unwrap())
            .await
            .0,
        200
    );
    // The same token on the /scim/v2 alias.
    let (status, _) = common::send(
        reqwest::Client::new()
            .get(format!("{}/scim/v2/Users", server.base_url()))
            .bearer_auth(fresh["access_token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200);
    server.stop().await;

    let server = engine
        .builder()
        .await
        .configure(|args| args.oauth_access_token_lifetime = std::time::Duration::from_secs(120))
        .start()
        .await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    let tokens = server
        .exchange_oauth_code(&client, &approved_code(&server, &org).await)
        .await;
    assert_eq!(tokens["expires_in"], 120);
    advance(&server, "PT2M").await;
    assert_eq!(
        scim_users(&server, tokens["access_token"].as_str().unwrap())
            .await
            .0,
        401
    );
    server.stop().await;
}

/// Two exchanges of one code at once: exactly one gets tokens (the code is claimed and its grant
/// created in one transaction), and the loser's refusal revokes them.
async fn a_code_raced_twice_is_redeemed_once(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    for _ in 0..3 {
        let code = approved_code(&server, &org).await;
        let (a, b) = tokio::join!(
            exchange(&server, &client, &code, TEST_REDIRECT_URI),
            exchange(&server, &client, &code, TEST_REDIRECT_URI)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 400], "{} / {}", a.text, b.text);
        let winner = if a.status == 200 { &a } else { &b };
        let access = winner.json()["access_token"].as_str().unwrap().to_string();
        assert_eq!(
            scim_users(&server, &access).await.0,
            401,
            "revoked by the replay"
        );
    }
    server.stop().await;
}

on_both_engines!(
    a_code_raced_twice_is_redeemed_once,
    abm_clients_flow_with_body_credentials,
    rotated_refresh_tokens_and_reuse_revokes_the_family,
    pkce_s256_flow,
    basic_authentication,
    a_reused_code_revokes_its_tokens,
    codes_are_bound_and_expire,
    access_tokens_expire_after_an_hour,
);
