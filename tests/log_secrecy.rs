//! Issue 14: no credential ever reaches a log line or the request journal. The real binary runs
//! with every log at `trace` while an identity provider goes through ABM's OAuth flow (client
//! secret in the body and by Basic, code, access token, refresh, a wrong secret) and a SCIM
//! call; then its whole log and the organization's journal are searched for each secret.

mod common;
mod process_support;

use base64::Engine as _;
use common::Engine;
use process_support::{client, ServerProcess, ADMIN_TOKEN, JWT_SECRET};
use serde_json::{json, Value};

const CALLBACK: &str = "https://idp.example.com/oauth/callback";

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn no_credential_reaches_the_log_or_the_journal(engine: Engine) {
    let url = engine.fresh_database_url().await;
    let server = ServerProcess::spawn_logging(&url, 0, &[], true, "trace");
    let http = client();
    let admin = |request: reqwest::RequestBuilder| request.bearer_auth(ADMIN_TOKEN);
    let base = &server.base_url;
    let token_url = format!("{base}/auth/oauth2/v2/token");

    let (_, orgs) = json_of(
        admin(http.get(format!("{}/orgs", server.admin_url())))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let org = orgs["orgs"][0]["id"]
        .as_str()
        .expect("the default org")
        .to_string();
    let (status, created) = json_of(
        admin(http.post(format!(
            "{}/orgs/{org}/scim/oauth-client",
            server.admin_url()
        )))
        .json(&json!({ "name": "Log IdP", "redirect_uris": [CALLBACK] }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let client_id = created["client_id"].as_str().unwrap().to_string();
    let secret = created["client_secret"].as_str().unwrap().to_string();

    // The administrator's approval through the page's form (the admin token in a field).
    // Not followed: the IdP's callback is not a server of this test.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let approval = no_redirects
        .post(format!("{base}/auth/oauth2/v2/authorize"))
        .form(&[
            ("client_id", client_id.as_str()),
            ("redirect_uri", CALLBACK),
            ("response_type", "code"),
            ("state", "s1"),
            ("admin_token", ADMIN_TOKEN),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    let location = approval
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("Allow redirects: {}", approval.status()))
        .to_str()
        .unwrap()
        .to_string();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("a code in {location}"));

    let (status, tokens) = json_of(
        http.post(&token_url)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", CALLBACK),
                ("client_id", client_id.as_str()),
                ("client_secret", secret.as_str()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();

    let users = http
        .get(format!("{}/Users", server.scim_url()))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 200);

    // A refresh with Basic authentication, and one with a wrong secret.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let (status, refreshed) = json_of(
        http.post(&token_url)
            .header("authorization", format!("Basic {basic}"))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_str()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    let refreshed_access = refreshed["access_token"].as_str().unwrap().to_string();
    let wrong_secret = format!("{secret}-but-wrong");
    let (status, refused) = json_of(
        http.post(&token_url)
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_str()),
                ("client_id", client_id.as_str()),
                ("client_secret", wrong_secret.as_str()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "{refused}");
    assert_eq!(refused["error"], "invalid_client");

    let (_, journal) = json_of(
        admin(http.get(format!("{}/orgs/{org}/requests", server.admin_url())))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let journal = journal.to_string();
    assert!(
        journal.contains("/auth/oauth2/v2/token"),
        "the journal records the token calls: {journal}"
    );

    let log = server.log();
    assert!(
        log.lines().count() > 20,
        "a trace log of the whole flow:\n{log}"
    );
    let secrets = [
        ("the client secret", secret.as_str()),
        ("the wrong secret", wrong_secret.as_str()),
        ("the code", code.as_str()),
        ("the access token", access.as_str()),
        ("the refreshed access token", refreshed_access.as_str()),
        ("the refresh token", refresh.as_str()),
        ("the Basic credentials", basic.as_str()),
        ("the admin token", ADMIN_TOKEN),
        ("the JWT secret", JWT_SECRET),
    ];
    for (what, value) in secrets {
        assert!(!log.contains(value), "{what} is in the server log");
        assert!(!journal.contains(value), "{what} is in the request journal");
    }
}

on_both_engines!(no_credential_reaches_the_log_or_the_journal);
