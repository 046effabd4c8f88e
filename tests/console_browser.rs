//! The web console in a real browser (Debian's chromium through chromedriver), against a
//! `TestServer` on both engines: sign in, create an organization, Directory Sync's tokens with
//! ABM's limits and reasons, a SCIM client connecting, accounts with the deletion countdown and
//! the reaper, the live Requests tail and Copy as curl, Activity appearing live, a forged
//! cross-site POST refused, and sign-out. Every page is checked for CSP violations and console
//! errors, and photographed into target/console-screenshots/.

mod common;
mod console_support;

use abm_scim::testing::{TestServer, TEST_ADMIN_TOKEN};
use common::Engine;
use console_support::Browser;
use reqwest::Method;
use serde_json::json;

async fn scim_post(server: &TestServer, token: &str, user: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{}/Users", server.scim_url()))
        .bearer_auth(token)
        .json(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user, "externalId": user,
                      "name": {"givenName": "Ann", "familyName": "Browser"}, "active": true}))
        .send()
        .await
        .unwrap()
        .status()
}

/// A page on another site (`localhost` is not `127.0.0.1`'s site) posting a form to the console.
async fn attacker_site(target: String) -> String {
    let page = format!(
        "<!doctype html><title>Win a prize</title><form method=post action=\"{target}\">\
         <input type=hidden name=csrf value=guess><button id=forge type=submit>Claim</button></form>"
    );
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(page) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://localhost:{port}/")
}

async fn console_end_to_end(engine: Engine) {
    let server = engine.server().await;
    let Some(b) = Browser::start(server.base_url()).await else {
        return;
    };
    let admin = server.admin();

    // Sign in: nothing is reachable without a session; a wrong token is refused.
    b.goto("/console").await;
    assert_eq!(b.path().await, "/console/sign-in");
    b.assert_clean().await;
    b.screenshot("sign-in").await;
    b.fill("#token", "not-the-token").await;
    b.click("button[type=submit]").await;
    b.wait_text("[role=alert]", "not the admin token").await;
    b.fill("#token", TEST_ADMIN_TOKEN).await;
    b.click("button[type=submit]").await;
    b.wait_text("h1", "Directory Sync").await;
    b.assert_clean().await;
    let cookies = b.client.get_all_cookies().await.unwrap();
    let session = cookies
        .iter()
        .find(|c| c.name() == "abm_console")
        .expect("a session cookie");
    assert_eq!(session.http_only(), Some(true));
    assert_eq!(format!("{:?}", session.same_site()), "Some(Strict)");

    // Create an organization.
    b.goto("/console/orgs").await;
    b.fill("#org-name", "Browser Org").await;
    b.fill("#org-domains", "browser.example").await;
    b.assert_clean().await;
    b.screenshot("organizations").await;
    b.click("#create-org-form button[type=submit]").await;
    b.wait_text("[role=status]", "Organization Browser Org created.")
        .await;
    let org_path = b.path().await;
    let org = org_path.split('/').nth(3).unwrap().to_string();
    assert_eq!(org_path, format!("/console/orgs/{org}/directory-sync"));
    b.wait_text("#connection-state", "Disconnected").await;

    // Generate a token: shown once, with Copy.
    b.click("#generate-token").await;
    let token = b.text("#new-secret").await;
    assert!(token.len() > 40, "{token}");
    b.click("[data-copy=new-secret]").await;
    b.assert_clean().await;
    b.client.refresh().await.unwrap();
    assert!(!b.exists("#new-secret").await, "the token is shown once");
    b.wait_text("#connection-state", "4-day window ends").await;
    assert!(
        b.text("#token-table").await.contains("in 365 days")
            || b.text("#token-table").await.contains("in 366 days")
    );

    // Revoke is refused, with ABM's reason, for the only token; the service refuses it too.
    b.wait_text("#token-table", "only active token, so it cannot be revoked")
        .await;
    let token_id = b
        .js("return document.querySelector('#token-table tbody tr').dataset.tokenId")
        .await;
    let token_id = token_id.as_str().unwrap().to_string();
    b.goto(&format!("{org_path}/tokens/{token_id}/revoke"))
        .await;
    b.wait_text(
        "#revoke-warning",
        "SCIM updates from your identity provider pause",
    )
    .await;
    b.click("#confirm-revoke").await;
    b.wait_text("[role=alert]", "only active token").await;

    // The IdP connects with the token: connected, and the account appears.
    assert_eq!(scim_post(&server, &token, "ann@browser.example").await, 201);
    b.goto(&org_path).await;
    b.wait_text("#connection-state", "Connected").await;
    b.goto(&format!("/console/orgs/{org}/accounts")).await;
    b.wait_text("#account-table", "ann@browser.example").await;
    assert!(b.text("#account-table").await.contains("Directory sync"));

    // A second token, then the third is refused with ABM's reason.
    b.goto(&org_path).await;
    b.click("#generate-token").await;
    b.find("#new-secret").await;
    b.goto(&org_path).await;
    let generate = b.find("#generate-token").await;
    assert_eq!(
        generate.attr("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    b.wait_text("#token-limit", "two tokens").await;
    b.assert_clean().await;
    b.screenshot("directory-sync").await;

    // Requests: a SCIM request appears live, without reload; Copy as curl replays it.
    b.goto(&format!("/console/orgs/{org}/requests")).await;
    b.wait_text("#live-indicator", "Live").await;
    b.js("window.__notReloaded = true; return null;").await;
    let filter = "/Users?filter=userName%20eq%20%22ann%40browser.example%22";
    let listed = reqwest::Client::new()
        .get(format!("{}{filter}", server.scim_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    let expected: serde_json::Value = listed.json().await.unwrap();
    b.wait_text("#request-rows tr:first-child", "filter=userName")
        .await;
    assert_eq!(
        b.js("return window.__notReloaded === true").await,
        json!(true),
        "the row arrived without a reload"
    );
    b.assert_clean().await;
    b.screenshot("requests").await;
    // Paused, nothing arrives; resumed, it catches up.
    b.click("#live-toggle").await;
    b.wait_text("#live-indicator", "Paused").await;
    let count_rows = "return document.querySelectorAll('#request-rows tr').length";
    let rows = b.js(count_rows).await;
    let again = reqwest::Client::new()
        .get(format!("{}/Users?count=1", server.scim_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(b.js(count_rows).await, rows, "nothing arrives while paused");
    b.click("#live-toggle").await;
    b.wait_text("#request-rows tr:first-child", "count=1").await;
    b.wait_text("#live-indicator", "Live").await;
    b.click("#request-rows tr:nth-child(2) a").await;
    let curl = b.text("#curl").await;
    assert!(curl.contains("$TOKEN") && !curl.contains(&token), "{curl}");
    b.click("[data-copy=curl]").await;
    b.wait_text("#curl-h ~ .copy-status", "C").await;
    b.assert_clean().await;
    b.screenshot("request").await;
    let replay = std::process::Command::new("bash")
        .arg("-c")
        .arg(&curl)
        .env("TOKEN", &token)
        .output()
        .expect("curl runs");
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    let replayed: serde_json::Value =
        serde_json::from_slice(&replay.stdout).expect("curl printed JSON");
    assert_eq!(
        replayed["Resources"][0]["id"],
        expected["Resources"][0]["id"]
    );

    // Activity: a new event appears without reload.
    b.goto(&format!("/console/orgs/{org}/activity")).await;
    b.wait_text("#live-indicator", "Live").await;
    assert_eq!(scim_post(&server, &token, "bob@browser.example").await, 201);
    b.wait_text("#activity-rows", "account_created").await;
    b.assert_clean().await;
    b.screenshot("activity").await;

    // SCIM DELETE, the countdown, the clock moved 31 days, the reaper.
    let ann = admin
        .request(
            Method::GET,
            &format!("/orgs/{org}/accounts?user_name=ann@browser.example"),
        )
        .send()
        .await
        .unwrap();
    let ann: serde_json::Value = ann.json().await.unwrap();
    let ann_id = ann["accounts"][0]["id"].as_str().unwrap().to_string();
    let deleted = reqwest::Client::new()
        .delete(format!("{}/Users/{ann_id}", server.scim_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    b.goto(&format!("/console/orgs/{org}/accounts")).await;
    b.wait_text("#account-table", "deleted in 30 days").await;
    b.screenshot("accounts").await;
    b.goto(&format!("/console/orgs/{org}/harness")).await;
    b.click("button[data-advance=P31D]").await;
    b.wait_text("[role=status]", "The clock now reads").await;
    b.goto(&format!("/console/orgs/{org}/accounts?state=inactive"))
        .await;
    b.wait_text("#account-table", "deleted at the next reaper run")
        .await;
    b.goto(&format!("/console/orgs/{org}/harness")).await;
    b.click("#reaper-dry-run").await;
    b.wait_text("[role=status]", "would delete 1 account").await;
    b.click("#reaper-run").await;
    b.wait_text("[role=status]", "deleted 1 account").await;
    assert!(b.text("#result-list").await.contains("ann@browser.example"));
    b.assert_clean().await;
    b.screenshot("harness").await;
    b.goto(&format!("/console/orgs/{org}/accounts")).await;
    let table = b.text("#account-table").await;
    assert!(
        !table.contains("ann@browser.example") && table.contains("bob@browser.example"),
        "{table}"
    );
    b.click("#account-table a").await;
    b.wait_text("#scim-resource", "bob@browser.example").await;
    b.assert_clean().await;
    b.screenshot("account").await;

    // A forged cross-site POST is refused and changes nothing.
    let before = admin
        .request(Method::GET, &format!("/orgs/{org}/scim"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let evil = attacker_site(format!(
        "{}{org_path}/tokens/{token_id}/revoke",
        server.base_url()
    ))
    .await;
    b.client.goto(&evil).await.unwrap();
    b.click("#forge").await;
    b.wait_text("body", "refused").await;
    let after = admin
        .request(Method::GET, &format!("/orgs/{org}/scim"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        before["tokens"], after["tokens"],
        "the forged revoke changed nothing"
    );

    // Sign out ends the session.
    b.goto(&org_path).await;
    b.click("#sign-out").await;
    b.wait_text("[role=status]", "You are signed out.").await;
    b.goto(&org_path).await;
    assert_eq!(b.path().await, "/console/sign-in");
    b.assert_clean().await;
    b.close().await;
    server.stop().await;
}

on_both_engines!(console_end_to_end);
