//! Issue 4: the ABM SCIM-token lifecycle over the admin API (create, renew, revoke, disconnect,
//! limits, lifetime, the 4-day window, OIDC conflicts), on both engines.

mod admin_support;
mod common;

use admin_support::*;
use chrono::Months;
use common::{scim_with, send, Engine};
use reqwest::Method;
use serde_json::{json, Value};

async fn scim_status(server: &abm_scim::testing::TestServer, token: &str) -> (u16, Value) {
    send(scim_with(server, token, Method::GET, "/Users")).await
}

async fn create_token_connects_pending_then_connected(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let before = connection(&server, &org).await;
    assert_eq!(before["state"], "disconnected", "{before}");
    assert_eq!(before["tokens"], json!([]));
    assert_eq!(before["base_url"], server.scim_url());
    assert_eq!(
        get(&server, &format!("/orgs/{org}")).await["directory_sync_source"],
        "none"
    );

    let (status, issued) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens"),
        None,
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    let keys: Vec<&str> = issued
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 3, "exactly id, token, expires_at: {issued}");
    let id = issued["id"].as_str().unwrap();
    let secret = issued["token"].as_str().unwrap();
    assert!(secret.len() > 20);
    time(&issued["expires_at"]);

    let pending = connection(&server, &org).await;
    assert_eq!(pending["state"], "pending", "{pending}");
    let token = token_in(&pending, id);
    assert_eq!(token["status"], "active");
    assert_eq!(token["last_used_at"], Value::Null);
    assert_eq!(token["expires_at"], issued["expires_at"]);
    time(&token["created_at"]);
    // The secret is never shown again: not in the connection, the org or the activity.
    for path in [
        format!("/orgs/{org}/scim"),
        format!("/orgs/{org}"),
        "/orgs".to_string(),
        format!("/orgs/{org}/activity"),
    ] {
        let body = get(&server, &path).await.to_string();
        assert!(!body.contains(secret), "{path} leaks the secret: {body}");
        assert!(!body.contains("token_hash"), "{path}: {body}");
    }
    let org_view = get(&server, &format!("/orgs/{org}")).await;
    assert_eq!(org_view["directory_sync_source"], "scim");
    assert_eq!(org_view["scim_state"], "pending");

    let (status, body) = scim_status(&server, secret).await;
    assert_eq!(status, 200, "{body}");
    let connected = connection(&server, &org).await;
    assert_eq!(connected["state"], "connected", "{connected}");
    let used = token_in(&connected, id);
    assert_eq!(time(&used["last_used_at"]), now(&server).await);
    assert_eq!(
        get(&server, &format!("/orgs/{org}")).await["scim_state"],
        "connected"
    );

    let created = events_of(&server, &org, "token_created").await;
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["actor"], "admin");
    assert_eq!(created[0]["detail"]["token_id"], id);
    let connected_events = events_of(&server, &org, "scim_connected").await;
    assert_eq!(connected_events.len(), 1, "{connected_events:?}");
    assert_eq!(connected_events[0]["actor"], format!("scim:{id}"));
    // A second request does not connect again.
    assert_eq!(scim_status(&server, secret).await.0, 200);
    assert_eq!(events_of(&server, &org, "scim_connected").await.len(), 1);
    server.stop().await;
}

async fn at_most_two_live_tokens(engine: Engine) {
    let server = engine.server().await;
    let (org, first, _) = connected_org(&server, "Acme", "acme.test").await;
    let (second, _) = new_token(&server, &org).await;
    let (status, body) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens"),
        None,
    )
    .await;
    assert_error(status, &body, 409, "token_limit");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("revoke one first"),
        "{body}"
    );
    let (status, body) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens/{first}/renew"),
        None,
    )
    .await;
    assert_error(status, &body, 409, "token_limit");
    assert_eq!(
        connection(&server, &org).await["tokens"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let (status, body) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/scim/tokens/{second}"),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(body, Value::Null);
    // A revoked token no longer counts.
    let (third, third_secret) = new_token(&server, &org).await;
    assert_eq!(scim_status(&server, &third_secret).await.0, 200);
    let view = connection(&server, &org).await;
    assert_eq!(token_in(&view, &second)["status"], "revoked");
    assert_eq!(token_in(&view, &third)["status"], "active");
    assert_eq!(token_in(&view, &first)["status"], "active");
    server.stop().await;
}

async fn renewal_keeps_the_old_token_working(engine: Engine) {
    let server = engine.server().await;
    let (org, old, old_secret) = connected_org(&server, "Acme", "acme.test").await;
    advance(&server, "P10D").await;
    let (status, renewed) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens/{old}/renew"),
        None,
    )
    .await;
    assert_eq!(status, 201, "{renewed}");
    let new_id = renewed["id"].as_str().unwrap().to_string();
    let new_secret = renewed["token"].as_str().unwrap().to_string();
    assert_ne!(new_id, old);
    assert_ne!(new_secret, old_secret);
    assert!(
        time(&renewed["expires_at"])
            > time(&token_in(&connection(&server, &org).await, &old)["expires_at"])
    );

    // Both work, so the IdP can be switched without a gap.
    assert_eq!(scim_status(&server, &old_secret).await.0, 200);
    assert_eq!(scim_status(&server, &new_secret).await.0, 200);
    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "connected");
    assert_eq!(token_in(&view, &new_id)["renewed_from"], old.as_str());
    let renewed_events = events_of(&server, &org, "token_renewed").await;
    assert_eq!(renewed_events.len(), 1, "{renewed_events:?}");
    assert_eq!(renewed_events[0]["actor"], "admin");
    assert_eq!(renewed_events[0]["detail"]["token_id"], new_id.as_str());

    // Then the old one is revoked: the new one carries on.
    let (status, _) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/scim/tokens/{old}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(scim_status(&server, &old_secret).await.0, 401);
    assert_eq!(scim_status(&server, &new_secret).await.0, 200);

    // Renewing a revoked or unknown token fails clearly.
    let (status, body) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens/{old}/renew"),
        None,
    )
    .await;
    assert_error(status, &body, 409, "token_revoked");
    let (status, body) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens/no-such-token/renew"),
        None,
    )
    .await;
    assert_error(status, &body, 404, "not_found");
    server.stop().await;
}

/// The ABM renewal flow where the old token is revoked before the IdP first uses the new one,
/// long after the connection was made: the connection stays connected and the new token works.
async fn renewed_token_works_after_the_old_one_is_revoked(engine: Engine) {
    let server = engine.server().await;
    let (org, old, _) = connected_org(&server, "Acme", "acme.test").await;
    advance(&server, "P310D").await;
    let (status, renewed) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens/{old}/renew"),
        None,
    )
    .await;
    assert_eq!(status, 201, "{renewed}");
    let (status, body) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/scim/tokens/{old}"),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(connection(&server, &org).await["state"], "connected");
    advance(&server, "PT40M").await;
    let (status, body) = scim_status(&server, renewed["token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "the renewed token works: {body}");
    assert_eq!(connection(&server, &org).await["state"], "connected");
    assert_eq!(
        events_of(&server, &org, "scim_connected").await.len(),
        1,
        "switching tokens is not a new connection"
    );
    server.stop().await;
}

async fn revocation_takes_effect_on_the_next_request(engine: Engine) {
    let server = engine.server().await;
    let (org, first, first_secret) = connected_org(&server, "Acme", "acme.test").await;
    let (second, second_secret) = new_token(&server, &org).await;
    // Revoking the only live token is refused.
    let (other_org, only, only_secret) = connected_org(&server, "Other", "other.test").await;
    let (status, body) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{other_org}/scim/tokens/{only}"),
        None,
    )
    .await;
    assert_error(status, &body, 409, "last_token");
    assert!(
        body["detail"].as_str().unwrap().contains("disconnect"),
        "{body}"
    );
    assert_eq!(scim_status(&server, &only_secret).await.0, 200);

    // Many requests in a row, then revoke: the very next one is refused.
    for _ in 0..5 {
        assert_eq!(scim_status(&server, &first_secret).await.0, 200);
    }
    let (status, _) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/scim/tokens/{first}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = scim_status(&server, &first_secret).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(scim_status(&server, &second_secret).await.0, 200);
    // Revoking again is harmless; the second is now the only one.
    let (status, _) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/scim/tokens/{first}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = admin(
        &server,
        Method::DELETE,
        &format!("/orgs/{org}/scim/tokens/{second}"),
        None,
    )
    .await;
    assert_error(status, &body, 409, "last_token");
    let revoked = events_of(&server, &org, "token_revoked").await;
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(revoked[0]["actor"], "admin");
    assert_eq!(revoked[0]["detail"]["token_id"], first.as_str());
    // Unknown token, and another organization's token id → 404.
    for path in [
        format!("/orgs/{org}/scim/tokens/nope"),
        format!("/orgs/{org}/scim/tokens/{only}"),
    ] {
        let (status, body) = admin(&server, Method::DELETE, &path, None).await;
        assert_error(status, &body, 404, "not_found");
    }
    assert_eq!(scim_status(&server, &only_secret).await.0, 200);
    server.stop().await;
}

async fn disconnect_revokes_everything_and_makes_accounts_manual(engine: Engine) {
    let server = engine.server().await;
    let (org, first, first_secret) = connected_org(&server, "Acme", "acme.test").await;
    let (second, second_secret) = new_token(&server, &org).await;
    let ann = scim_user(&server, &first_secret, "ann@acme.test").await;
    let bob = scim_user(&server, &second_secret, "bob@acme.test").await;
    let manual = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/accounts"),
        Some(json!({"user_name": "carl@acme.test"})),
    )
    .await;
    assert_eq!(manual.0, 201, "{}", manual.1);

    let (status, body) = admin(&server, Method::DELETE, &format!("/orgs/{org}/scim"), None).await;
    assert_eq!(status, 204, "{body}");
    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "disconnected", "{view}");
    assert_eq!(token_in(&view, &first)["status"], "revoked");
    assert_eq!(token_in(&view, &second)["status"], "revoked");
    assert_eq!(
        get(&server, &format!("/orgs/{org}")).await["directory_sync_source"],
        "none"
    );
    for secret in [&first_secret, &second_secret] {
        assert_eq!(scim_status(&server, secret).await.0, 401);
    }
    for id in [&ann, &bob] {
        let account = get(&server, &format!("/orgs/{org}/accounts/{id}")).await;
        assert_eq!(account["source"], "manual", "{account}");
        assert_eq!(account["state"], "active");
    }
    let scim_accounts = get(&server, &format!("/orgs/{org}/accounts?source=scim")).await;
    assert_eq!(scim_accounts["accounts"], json!([]));
    let disconnected = events_of(&server, &org, "scim_disconnected").await;
    assert_eq!(disconnected.len(), 1, "{disconnected:?}");
    assert_eq!(disconnected[0]["actor"], "admin");
    assert_eq!(disconnected[0]["detail"]["accounts_converted_to_manual"], 2);

    // Disconnecting again is a harmless no-op.
    let (status, _) = admin(&server, Method::DELETE, &format!("/orgs/{org}/scim"), None).await;
    assert_eq!(status, 204);
    assert_eq!(events_of(&server, &org, "scim_disconnected").await.len(), 1);

    // Connecting again starts a new pending connection.
    let (_, secret) = new_token(&server, &org).await;
    assert_eq!(connection(&server, &org).await["state"], "pending");
    assert_eq!(scim_status(&server, &secret).await.0, 200);
    assert_eq!(connection(&server, &org).await["state"], "connected");
    server.stop().await;
}

async fn tokens_last_one_calendar_year_and_warn_for_60_days(engine: Engine) {
    let server = engine.server().await;
    let (org, id, secret) = connected_org(&server, "Acme", "acme.test").await;
    let view = connection(&server, &org).await;
    let token = token_in(&view, &id);
    let created = time(&token["created_at"]);
    assert_eq!(created, now(&server).await);
    assert_eq!(
        time(&token["expires_at"]),
        created.checked_add_months(Months::new(12)).unwrap(),
        "one calendar year"
    );
    let expires = time(&token["expires_at"]);

    advance(&server, "P300D").await;
    let view = connection(&server, &org).await;
    assert_eq!(token_in(&view, &id)["status"], "active", "{view}");
    assert!(events_of(&server, &org, "token_expiring").await.is_empty());

    // Move to 59 days before expiry.
    let target = expires - chrono::Duration::days(59);
    let (status, body) = admin(
        &server,
        Method::POST,
        "/clock",
        Some(json!({"set": target.to_rfc3339()})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // The warning is in the activity even before anyone looks at the connection.
    let expiring = events_of(&server, &org, "token_expiring").await;
    assert_eq!(expiring.len(), 1, "{expiring:?}");
    assert_eq!(expiring[0]["detail"]["token_id"], id.as_str());
    let view = connection(&server, &org).await;
    assert_eq!(token_in(&view, &id)["status"], "expiring", "{view}");
    assert_eq!(view["state"], "connected");
    assert_eq!(
        scim_status(&server, &secret).await.0,
        200,
        "expiring still works"
    );
    advance(&server, "P1D").await;
    connection(&server, &org).await;
    assert_eq!(
        events_of(&server, &org, "token_expiring").await.len(),
        1,
        "one warning per token"
    );

    // One second before expiry it still works; at expiry it does not.
    let (status, _) = admin(
        &server,
        Method::POST,
        "/clock",
        Some(json!({"set": (expires - chrono::Duration::seconds(1)).to_rfc3339()})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(scim_status(&server, &secret).await.0, 200);
    advance(&server, "PT1S").await;
    let (status, body) = scim_status(&server, &secret).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("token expired"),
        "{body}"
    );
    let view = connection(&server, &org).await;
    assert_eq!(token_in(&view, &id)["status"], "expired", "{view}");
    assert_eq!(view["state"], "expired");
    let expired = events_of(&server, &org, "token_expired").await;
    assert_eq!(expired.len(), 1, "one token_expired event: {expired:?}");
    assert_eq!(expired[0]["detail"]["token_id"], id.as_str());
    connection(&server, &org).await;
    assert_eq!(events_of(&server, &org, "token_expired").await.len(), 1);
    assert_eq!(events_of(&server, &org, "token_expiring").await.len(), 1);

    // An expired token does not count against the limit; a new one works.
    let (_, fresh) = new_token(&server, &org).await;
    let (_, fresh2) = new_token(&server, &org).await;
    assert_eq!(scim_status(&server, &fresh).await.0, 200);
    assert_eq!(scim_status(&server, &fresh2).await.0, 200);
    assert_eq!(connection(&server, &org).await["state"], "connected");
    server.stop().await;
}

async fn token_lifetime_is_configurable(engine: Engine) {
    let server = engine
        .builder()
        .await
        .configure(|args| args.token_lifetime = Some(std::time::Duration::from_secs(86_400 * 90)))
        .start()
        .await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let (status, issued) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens"),
        None,
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        time(&issued["expires_at"]),
        now(&server).await + chrono::Duration::days(90)
    );
    // 90-day tokens are expiring after 30 days.
    advance(&server, "P31D").await;
    let view = connection(&server, &org).await;
    assert_eq!(
        token_in(&view, issued["id"].as_str().unwrap())["status"],
        "expiring"
    );
    server.stop().await;
}

async fn unused_pending_connection_expires_after_four_days(engine: Engine) {
    let server = engine.server().await;
    let used_org = new_org(&server, "Used", "used.test").await;
    let idle_org = new_org(&server, "Idle", "idle.test").await;
    let (_, used_secret) = new_token(&server, &used_org).await;
    let (idle_id, idle_secret) = new_token(&server, &idle_org).await;
    advance(&server, "P3DT23H").await;
    assert_eq!(connection(&server, &idle_org).await["state"], "pending");
    assert_eq!(
        scim_status(&server, &used_secret).await.0,
        200,
        "within 4 days"
    );
    advance(&server, "PT2H").await;
    assert_eq!(connection(&server, &used_org).await["state"], "connected");
    let idle = connection(&server, &idle_org).await;
    assert_eq!(idle["state"], "expired", "{idle}");
    assert_eq!(
        get(&server, &format!("/orgs/{idle_org}")).await["scim_state"],
        "expired"
    );
    let (status, body) = scim_status(&server, &idle_secret).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("create a new token"),
        "{body}"
    );
    assert_eq!(scim_status(&server, &used_secret).await.0, 200);

    // A new token starts the connection again; the void one stays void.
    let (new_id, new_secret) = new_token(&server, &idle_org).await;
    let view = connection(&server, &idle_org).await;
    assert_eq!(view["state"], "pending", "{view}");
    assert_eq!(token_in(&view, &idle_id)["status"], "revoked");
    assert_eq!(token_in(&view, &new_id)["status"], "active");
    assert_eq!(scim_status(&server, &new_secret).await.0, 200);
    assert_eq!(scim_status(&server, &idle_secret).await.0, 401);
    assert_eq!(connection(&server, &idle_org).await["state"], "connected");
    // Once connected, idle time does not expire the connection.
    advance(&server, "P30D").await;
    assert_eq!(connection(&server, &idle_org).await["state"], "connected");
    assert_eq!(scim_status(&server, &new_secret).await.0, 200);
    server.stop().await;
}

async fn oidc_source_and_scim_exclude_each_other(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let (status, body) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(json!({"directory_sync_source": "oidc_google"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["directory_sync_source"], "oidc_google");
    let (status, body) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens"),
        None,
    )
    .await;
    assert_error(status, &body, 409, "sync_source_conflict");
    let view = connection(&server, &org).await;
    assert_eq!(view["state"], "disconnected");
    assert_eq!(view["tokens"], json!([]));

    // Back to none: SCIM can connect, and sets the source to scim.
    let (status, _) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(json!({"directory_sync_source": "none"})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, secret) = new_token(&server, &org).await;
    assert_eq!(
        get(&server, &format!("/orgs/{org}")).await["directory_sync_source"],
        "scim"
    );
    // Pending and connected both block a switch to OIDC.
    for source in ["oidc_entra", "oidc_custom", "oidc_google"] {
        let (status, body) = admin(
            &server,
            Method::PATCH,
            &format!("/orgs/{org}"),
            Some(json!({"directory_sync_source": source})),
        )
        .await;
        assert_error(status, &body, 409, "sync_source_conflict");
    }
    assert_eq!(scim_status(&server, &secret).await.0, 200);
    let (status, body) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(json!({"directory_sync_source": "oidc_entra", "name": "Renamed"})),
    )
    .await;
    assert_error(status, &body, 409, "sync_source_conflict");
    let org_view = get(&server, &format!("/orgs/{org}")).await;
    assert_eq!(org_view["directory_sync_source"], "scim");
    assert_eq!(org_view["name"], "Acme", "a refused change changes nothing");
    assert_eq!(scim_status(&server, &secret).await.0, 200);

    // After disconnecting, OIDC is allowed and SCIM tokens are refused.
    let (status, _) = admin(&server, Method::DELETE, &format!("/orgs/{org}/scim"), None).await;
    assert_eq!(status, 204);
    let (status, body) = admin(
        &server,
        Method::PATCH,
        &format!("/orgs/{org}"),
        Some(json!({"directory_sync_source": "oidc_entra"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(scim_status(&server, &secret).await.0, 401);
    let (status, body) = admin(
        &server,
        Method::POST,
        &format!("/orgs/{org}/scim/tokens"),
        None,
    )
    .await;
    assert_error(status, &body, 409, "sync_source_conflict");
    server.stop().await;
}

async fn last_used_at_is_kept_at_minute_resolution(engine: Engine) {
    let server = engine.server().await;
    let org = new_org(&server, "Acme", "acme.test").await;
    let (id, secret) = new_token(&server, &org).await;
    assert_eq!(
        token_in(&connection(&server, &org).await, &id)["last_used_at"],
        Value::Null
    );
    let first_use = now(&server).await;
    assert_eq!(scim_status(&server, &secret).await.0, 200);
    assert_eq!(
        time(&token_in(&connection(&server, &org).await, &id)["last_used_at"]),
        first_use
    );
    // Within a minute: no write.
    advance(&server, "PT30S").await;
    assert_eq!(scim_status(&server, &secret).await.0, 200);
    assert_eq!(
        time(&token_in(&connection(&server, &org).await, &id)["last_used_at"]),
        first_use
    );
    // After a minute: refreshed.
    advance(&server, "PT31S").await;
    let later = now(&server).await;
    assert_eq!(scim_status(&server, &secret).await.0, 200);
    assert_eq!(
        time(&token_in(&connection(&server, &org).await, &id)["last_used_at"]),
        later
    );
    server.stop().await;
}

async fn token_routes_of_unknown_orgs_are_404(engine: Engine) {
    let server = engine.server().await;
    for (method, path) in [
        (Method::GET, "/orgs/nope/scim"),
        (Method::DELETE, "/orgs/nope/scim"),
        (Method::POST, "/orgs/nope/scim/tokens"),
        (Method::POST, "/orgs/nope/scim/tokens/x/renew"),
        (Method::DELETE, "/orgs/nope/scim/tokens/x"),
    ] {
        let (status, body) = admin(&server, method.clone(), path, None).await;
        assert_error(status, &body, 404, "not_found");
    }
    server.stop().await;
}

/// The reaper's run records the warnings too, without anyone reading the connection.
async fn reaper_run_records_token_warnings(engine: Engine) {
    let server = engine.server().await;
    let (org, id, _) = connected_org(&server, "Acme", "acme.test").await;
    advance(&server, "P310D").await;
    let stored = |kind: &'static str| {
        let app = server.app().clone();
        let org = org.clone();
        async move {
            app.store
                .list_events(&org, 0, Some(kind), 100)
                .await
                .unwrap()
        }
    };
    assert!(stored("token_expiring").await.is_empty());
    server.admin().run_reaper().await;
    let expiring = stored("token_expiring").await;
    assert_eq!(expiring.len(), 1);
    assert_eq!(expiring[0].detail["token_id"], id.as_str());
    assert_eq!(expiring[0].actor, "system");
    advance(&server, "P60D").await;
    server.admin().run_reaper().await;
    server.admin().run_reaper().await;
    assert_eq!(stored("token_expired").await.len(), 1);
    assert_eq!(stored("token_expiring").await.len(), 1);
    server.stop().await;
}

on_both_engines!(
    reaper_run_records_token_warnings,
    create_token_connects_pending_then_connected,
    at_most_two_live_tokens,
    renewal_keeps_the_old_token_working,
    renewed_token_works_after_the_old_one_is_revoked,
    revocation_takes_effect_on_the_next_request,
    disconnect_revokes_everything_and_makes_accounts_manual,
    tokens_last_one_calendar_year_and_warn_for_60_days,
    token_lifetime_is_configurable,
    unused_pending_connection_expires_after_four_days,
    oidc_source_and_scim_exclude_each_other,
    last_used_at_is_kept_at_minute_resolution,
    token_routes_of_unknown_orgs_are_404,
);
