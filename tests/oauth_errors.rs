//! Issue 14: every refusal of the authorization server, over HTTP on both engines: the
//! authorization endpoint's error page (never a redirect for a wrong client or redirect URI),
//! its redirected errors with `state`, Don't Allow, a wrong admin token; the token endpoint's
//! RFC 6749 §5.2 errors; and secret expiry with the 60-day warning on the manual clock.

mod admin_support;
mod common;
mod oauth_support;

use abm_scim::testing::{OAuthTestClient, TestServer, TEST_ADMIN_TOKEN, TEST_REDIRECT_URI};
use admin_support::*;
use common::Engine;
use oauth_support::*;
use reqwest::Method;
use serde_json::json;

/// A form or query string.
type Form<'a> = Vec<(&'a str, &'a str)>;

async fn acme_client(server: &TestServer) -> (String, OAuthTestClient) {
    let org = new_org(server, "Acme", "acme.test").await;
    let client = server
        .admin()
        .create_oauth_client(&org, TEST_REDIRECT_URI)
        .await;
    (org, client)
}

#[track_caller]
fn assert_error_page(reply: &Reply, status: u16, says: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert!(
        reply.header("location").is_none(),
        "never a redirect: {:?}",
        reply.headers
    );
    assert!(
        reply
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        reply.headers
    );
    assert!(reply.text.contains(says), "{says:?} in {}", reply.text);
}

/// RFC 6749 §4.1.2.1: a missing, unknown or repeated client_id, or a redirect URI that is not
/// exactly registered, is told on a page and never redirected.
async fn a_wrong_client_or_redirect_uri_gets_a_page(engine: Engine) {
    let server = engine.server().await;
    let (_, client) = acme_client(&server).await;
    let id = client.client_id.as_str();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("redirect_uri", TEST_REDIRECT_URI),
                ("response_type", "code"),
            ],
            "no client_id",
        ),
        (
            vec![
                ("client_id", "SCIM.unknown"),
                ("redirect_uri", TEST_REDIRECT_URI),
                ("response_type", "code"),
            ],
            "unknown client_id",
        ),
        (
            vec![("client_id", id), ("response_type", "code"), ("state", "s")],
            "no redirect_uri",
        ),
        (
            vec![
                ("client_id", id),
                ("redirect_uri", "https://evil.example/cb"),
                ("response_type", "code"),
            ],
            "not registered",
        ),
        // Exactly: a trailing slash or another case is another URI.
        (
            vec![
                ("client_id", id),
                ("redirect_uri", "https://idp.example/oauth/callback/"),
                ("response_type", "code"),
            ],
            "not registered",
        ),
        (
            vec![
                ("client_id", id),
                ("redirect_uri", "https://IDP.example/oauth/callback"),
                ("response_type", "code"),
            ],
            "not registered",
        ),
        (
            vec![
                ("client_id", id),
                ("client_id", id),
                ("redirect_uri", TEST_REDIRECT_URI),
                ("response_type", "code"),
            ],
            "once",
        ),
        (
            vec![
                ("client_id", id),
                ("redirect_uri", TEST_REDIRECT_URI),
                ("redirect_uri", "https://evil.example/"),
                ("response_type", "code"),
            ],
            "once",
        ),
    ];
    for (query, says) in cases {
        let page = authorize_page(&server, &query).await;
        assert_error_page(&page, 400, says);
    }
    // The same on the form.
    let posted = decide(
        &server,
        &[
            ("client_id", id),
            ("redirect_uri", "https://evil.example/cb"),
            ("decision", "allow"),
            ("admin_token", TEST_ADMIN_TOKEN),
        ],
    )
    .await;
    assert_error_page(&posted, 400, "not registered");
    let not_a_form = reply(
        browser()
            .post(server.oauth_authorize_url())
            .json(&json!({"client_id": id})),
    )
    .await;
    assert_error_page(&not_a_form, 415, "x-www-form-urlencoded");
    let nul =
        reply(browser().get(format!("{}?client_id=a%00b", server.oauth_authorize_url()))).await;
    assert_eq!(nul.status, 400);
    assert!(nul.header("location").is_none());
    server.stop().await;
}

/// Other errors go back to the client with `error` and the `state` given; `scope` is ignored.
async fn other_errors_redirect_with_state(engine: Engine) {
    let server = engine.server().await;
    let (_, client) = acme_client(&server).await;
    let base = [
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", TEST_REDIRECT_URI),
        ("state", "xyz"),
    ];
    let long_challenge = "a".repeat(43);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "invalid_request"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (
            vec![
                ("response_type", "code"),
                ("code_challenge_method", "S512"),
                ("code_challenge", &long_challenge),
            ],
            "invalid_request",
        ),
        (
            vec![("response_type", "code"), ("code_challenge", "too-short")],
            "invalid_request",
        ),
        (
            vec![("response_type", "code"), ("code_challenge_method", "S256")],
            "invalid_request",
        ),
        (
            vec![("response_type", "code"), ("state", "again")],
            "invalid_request",
        ),
    ];
    for (extra, code) in cases {
        let mut query = base.to_vec();
        query.extend(extra.iter().copied());
        let page = authorize_page(&server, &query).await;
        assert_eq!(page.status, 302, "{query:?}: {}", page.text);
        let location = page.header("location").unwrap();
        assert!(location.starts_with(TEST_REDIRECT_URI), "{location}");
        assert_eq!(
            page.location_param("error").as_deref(),
            Some(code),
            "{query:?}"
        );
        assert_eq!(page.location_param("state").as_deref(), Some("xyz"));
        assert!(page.location_param("error_description").is_some());
        assert!(page.location_param("code").is_none());
    }
    // `scope` is accepted and ignored.
    let mut query = base.to_vec();
    query.extend([("response_type", "code"), ("scope", "openid whatever")]);
    assert_eq!(authorize_page(&server, &query).await.status, 200);
    server.stop().await;
}

/// The page says what ABM says, escapes every value, works without JavaScript; Don't Allow
/// redirects with `access_denied`; a wrong admin token gives no code.
async fn the_approval_page_allows_and_denies(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme <Corp> & \"Sons\"", "acme.test").await;
    let (status, created) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/oauth-client"),
        Some(json!({"name": "<script>alert(1)</script>", "redirect_uris": [TEST_REDIRECT_URI]})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["client_id"].as_str().unwrap().to_string();
    let state = "a\"><b>";
    let query = [
        ("client_id", id.as_str()),
        ("redirect_uri", TEST_REDIRECT_URI),
        ("response_type", "code"),
        ("state", state),
    ];
    let page = authorize_page(&server, &query).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(
        "Allow &lt;script&gt;alert(1)&lt;/script&gt; to sync users into Acme &lt;Corp&gt; &amp; &quot;Sons&quot; in Apple Business Manager"
    ), "{}", page.text);
    assert!(
        !page.text.contains("<script>"),
        "no script, escaped: {}",
        page.text
    );
    assert!(!page.text.contains(state), "the state is escaped");
    assert!(page.text.contains("type=\"password\""));
    assert!(page.text.contains("Don't Allow"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));

    let mut form = query.to_vec();
    form.push(("decision", "deny"));
    let denied = decide(&server, &form).await;
    assert_eq!(denied.status, 303, "{}", denied.text);
    assert_eq!(
        denied.location_param("error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(denied.location_param("state").as_deref(), Some(state));
    assert_eq!(
        events_of(&server, &org, "oauth_authorization_denied")
            .await
            .len(),
        1
    );

    let mut wrong = query.to_vec();
    wrong.extend([
        ("decision", "allow"),
        ("admin_token", "not-the-admin-token"),
    ]);
    let refused = decide(&server, &wrong).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert!(refused.header("location").is_none());
    assert!(refused.text.contains("not correct"));
    let mut undecided = query.to_vec();
    undecided.push(("admin_token", TEST_ADMIN_TOKEN));
    assert_eq!(decide(&server, &undecided).await.status, 400);
    assert!(events_of(&server, &org, "oauth_authorization_granted")
        .await
        .is_empty());

    let mut allow = query.to_vec();
    allow.extend([("decision", "allow"), ("admin_token", TEST_ADMIN_TOKEN)]);
    let allowed = decide(&server, &allow).await;
    assert_eq!(allowed.status, 303);
    assert!(allowed.location_param("code").is_some());
    assert_eq!(
        events_of(&server, &org, "oauth_authorization_granted")
            .await
            .len(),
        1
    );
    server.stop().await;
}

/// RFC 6749 §5.2 errors of the token endpoint; none changes anything (the code still works).
async fn token_endpoint_errors(engine: Engine) {
    let server = engine.server().await;
    let (org, client) = acme_client(&server).await;
    let code = server
        .admin()
        .approve_oauth(&org, TEST_REDIRECT_URI, None)
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let id = client.client_id.as_str();
    let secret = client.client_secret.as_str();
    let cases: Vec<(Form, u16, &str)> = vec![
        (
            vec![("client_id", id), ("client_secret", secret)],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", TEST_REDIRECT_URI),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", TEST_REDIRECT_URI),
                ("client_id", id),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", TEST_REDIRECT_URI),
                ("client_id", "SCIM.nobody"),
                ("client_secret", secret),
            ],
            401,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("redirect_uri", TEST_REDIRECT_URI),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("code", &code),
                ("redirect_uri", TEST_REDIRECT_URI),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", "garbage"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", &code),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", "x%00y"),
                ("redirect_uri", TEST_REDIRECT_URI),
                ("client_id", id),
                ("client_secret", secret),
            ],
            400,
            "invalid_grant",
        ),
    ];
    for (form, status, code) in cases {
        let reply = token(&server, &form, None).await;
        assert_oauth_error(&reply, status, code);
        assert!(
            !reply.text.contains(secret),
            "no secret in an error: {}",
            reply.text
        );
    }
    // A NUL in the raw body, JSON instead of a form, a GET.
    let nul = reply(
        reqwest::Client::new()
            .post(server.oauth_token_url())
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=refresh_token&refresh_token=a%00b"),
    )
    .await;
    assert_oauth_error(&nul, 400, "invalid_request");
    let json_body = reply(
        reqwest::Client::new()
            .post(server.oauth_token_url())
            .json(&json!({"grant_type": "authorization_code"})),
    )
    .await;
    assert_oauth_error(&json_body, 400, "invalid_request");
    let get = reply(reqwest::Client::new().get(server.oauth_token_url())).await;
    assert_eq!(get.status, 405, "{}", get.text);
    assert_eq!(get.json()["error"], "invalid_request");
    let unknown =
        reply(reqwest::Client::new().get(format!("{}/auth/oauth2/v2/nothing", server.base_url())))
            .await;
    assert_eq!(unknown.status, 404);
    // None of that used the code up.
    let tokens = server.exchange_oauth_code(&client, &code).await;
    assert_eq!(
        scim_users(&server, tokens["access_token"].as_str().unwrap())
            .await
            .0,
        200
    );
    // A SCIM request with a tampered access token.
    let access = tokens["access_token"].as_str().unwrap();
    let tampered = format!("{}x", &access[..access.len() - 1]);
    assert_eq!(scim_users(&server, &tampered).await.0, 401);
    server.stop().await;
}

/// A secret lives its 6, 9 or 12 calendar months: `expiring` in its last 60 days (one
/// `oauth_secret_expiring` event), `expired` after (one `oauth_secret_expired`), when the token
/// endpoint refuses it and its access tokens stop.
async fn secrets_expire_with_a_sixty_day_warning(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let (status, created) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/oauth-client"),
        Some(json!({"name": "IdP", "redirect_uris": [TEST_REDIRECT_URI], "secret_lifetime_months": 6})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let expires = time(&created["secret_expires_at"]);
    assert_eq!(
        expires,
        now(&server)
            .await
            .checked_add_months(chrono::Months::new(6))
            .unwrap()
    );
    let client = OAuthTestClient {
        org_id: org.clone(),
        client_id: created["client_id"].as_str().unwrap().into(),
        client_secret: created["client_secret"].as_str().unwrap().into(),
        secret_id: created["secret_id"].as_str().unwrap().into(),
        redirect_uri: TEST_REDIRECT_URI.into(),
    };
    let code = server
        .admin()
        .approve_oauth(&org, TEST_REDIRECT_URI, None)
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let tokens = server.exchange_oauth_code(&client, &code).await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(
        scim_users(&server, tokens["access_token"].as_str().unwrap())
            .await
            .0,
        200
    );
    let status_of = |view: &serde_json::Value| view["oauth_client"]["secrets"][0]["status"].clone();

    let set = |at: chrono::DateTime<chrono::Utc>| {
        let server = &server;
        async move {
            let (status, body) = admin(
                server,
                Method::POST,
                "/clock",
                Some(json!({"set": at.to_rfc3339()})),
            )
            .await;
            assert_eq!(status, 200, "{body}");
        }
    };
    set(expires - chrono::Duration::days(61)).await;
    assert_eq!(status_of(&connection(&server, &org).await), "active");
    assert!(events_of(&server, &org, "oauth_secret_expiring")
        .await
        .is_empty());
    set(expires - chrono::Duration::days(59)).await;
    let expiring = events_of(&server, &org, "oauth_secret_expiring").await;
    assert_eq!(expiring.len(), 1, "{expiring:?}");
    assert_eq!(
        expiring[0]["detail"]["secret_id"],
        client.secret_id.as_str()
    );
    assert_eq!(expiring[0]["actor"], "system");
    assert_eq!(status_of(&connection(&server, &org).await), "expiring");
    let fresh = refresh(&server, &client, &refresh_token).await;
    assert_eq!(
        fresh.status, 200,
        "an expiring secret works: {}",
        fresh.text
    );
    let access = fresh.json()["access_token"].as_str().unwrap().to_string();
    connection(&server, &org).await;
    assert_eq!(
        events_of(&server, &org, "oauth_secret_expiring")
            .await
            .len(),
        1,
        "one warning"
    );

    assert_eq!(scim_users(&server, &access).await.0, 200);
    set(expires - chrono::Duration::seconds(1)).await;
    let last = refresh(&server, &client, &refresh_token).await;
    assert_eq!(last.status, 200, "a second before expiry: {}", last.text);
    let access = last.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(scim_users(&server, &access).await.0, 200);
    advance(&server, "PT1S").await;
    let (status, body) = scim_users(&server, &access).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    let refused = refresh(&server, &client, &refresh_token).await;
    assert_oauth_error(&refused, 401, "invalid_client");
    assert!(refused.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("expired"));
    let view = connection(&server, &org).await;
    assert_eq!(status_of(&view), "expired");
    assert_eq!(view["state"], "expired");
    connection(&server, &org).await;
    assert_eq!(
        events_of(&server, &org, "oauth_secret_expired").await.len(),
        1
    );
    assert_eq!(
        events_of(&server, &org, "oauth_secret_expiring")
            .await
            .len(),
        1
    );
    // A new secret starts again.
    let (status, body) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/oauth-client/secrets"),
        Some(json!({"lifetime_months": 9})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        time(&body["secret_expires_at"]),
        now(&server)
            .await
            .checked_add_months(chrono::Months::new(9))
            .unwrap()
    );
    server.stop().await;
}

on_both_engines!(
    a_wrong_client_or_redirect_uri_gets_a_page,
    other_errors_redirect_with_state,
    the_approval_page_allows_and_denies,
    token_endpoint_errors,
    secrets_expire_with_a_sixty_day_warning,
);
