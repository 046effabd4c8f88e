//! Issue 14: no credential ever reaches a log line or the request journal. The real binary runs
//! with every log at `trace` while an identity provider goes through ABM's OAuth flow (client
//! secret in the body and by Basic, code, access token, refresh, a wrong secret) and a SCIM
//! call; then its whole log and the organization's journal are searched for each secret.

mod common;
mod oauth_support;
mod process_support;

use base64::Engine as _;
use common::Engine;
use oauth_support::{browser, reply, Reply};
use process_support::{ServerProcess, ADMIN_TOKEN, JWT_SECRET};
use serde_json::json;

const CALLBACK: &str = "https://idp.example.com/oauth/callback";

/// A call that must succeed with `status`; its JSON body.
fn ok(reply: Reply, status: u16) -> serde_json::Value {
    assert_eq!(reply.status, status, "{}", reply.text);
    reply.json()
}

async fn no_credential_reaches_the_log_or_the_journal(engine: Engine) {
    let url = engine.fresh_database_url().await;
    let server = ServerProcess::spawn_logging(&url, 0, &[], true, "trace");
    // Not following redirects: the IdP's callback is not a server of this test.
    let http = browser();
    let admin = |request: reqwest::RequestBuilder| request.bearer_auth(ADMIN_TOKEN);
    let base = &server.base_url;
    let token_url = format!("{base}/auth/oauth2/v2/token");

    let orgs = ok(
        reply(admin(http.get(format!("{}/orgs", server.admin_url())))).await,
        200,
    );
    let org = orgs["orgs"][0]["id"]
        .as_str()
        .expect("the default org")
        .to_string();
    let created = ok(
        reply(
            admin(http.post(format!(
                "{}/orgs/{org}/scim/oauth-client",
                server.admin_url()
            )))
            .json(&json!({ "name": "Log IdP", "redirect_uris": [CALLBACK] })),
        )
        .await,
        201,
    );
    let client_id = created["client_id"].as_str().unwrap().to_string();
    let secret = created["client_secret"].as_str().unwrap().to_string();

    // The administrator's approval through the page's form (the admin token in a field).
    let approval = reply(
        http.post(format!("{base}/auth/oauth2/v2/authorize"))
            .form(&[
                ("client_id", client_id.as_str()),
                ("redirect_uri", CALLBACK),
                ("response_type", "code"),
                ("state", "s1"),
                ("admin_token", ADMIN_TOKEN),
                ("decision", "allow"),
            ]),
    )
    .await;
    let code = approval
        .location_param("code")
        .unwrap_or_else(|| panic!("Allow redirects with a code: {}", approval.status));

    let tokens = ok(
        reply(http.post(&token_url).form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("client_id", client_id.as_str()),
            ("client_secret", secret.as_str()),
        ]))
        .await,
        200,
    );
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();

    ok(
        reply(
            http.get(format!("{}/Users", server.scim_url()))
                .bearer_auth(&access),
        )
        .await,
        200,
    );

    // A refresh with Basic authentication, and one with a wrong secret.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let refreshed = ok(
        reply(
            http.post(&token_url)
                .header("authorization", format!("Basic {basic}"))
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh.as_str()),
                ]),
        )
        .await,
        200,
    );
    let refreshed_access = refreshed["access_token"].as_str().unwrap().to_string();
    let wrong_secret = format!("{secret}-but-wrong");
    let refused = reply(http.post(&token_url).form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("client_id", client_id.as_str()),
        ("client_secret", wrong_secret.as_str()),
    ]))
    .await;
    oauth_support::assert_oauth_error(&refused, 401, "invalid_client");

    let journal = reply(admin(
        http.get(format!("{}/orgs/{org}/requests", server.admin_url())),
    ))
    .await
    .text;
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
