//! Issue 6: isolation, reset, seed files, request journal, fault injection, long-poll.

mod common;

use abm_scim::testing::TestServer;
use common::{scim_with, send, Engine};
use reqwest::Method;
use serde_json::{json, Value};

const SEED: &str = include_str!("../examples/seed.json");
const ACME_SECRET: &str = "acme-ci-secret-0123456789abcdef";

fn user(user_name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name})
}

/// A new organization (domain `<name>.test`) and a token for it.
async fn org_with_token(server: &TestServer, name: &str) -> (String, String) {
    let admin = server.admin();
    let org = admin
        .create_org(
            json!({"name": name, "domains": [{"name": format!("{name}.test"), "verified": true}]}),
        )
        .await;
    let id = org["id"].as_str().unwrap().to_string();
    let token = admin.create_token(&id).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    (id, token)
}

async fn organizations_are_isolated(engine: Engine) {
    let server = engine.server().await;
    let (a, token_a) = org_with_token(&server, "alpha").await;
    let (_b, token_b) = org_with_token(&server, "beta").await;
    let (status, created) =
        send(scim_with(&server, &token_a, Method::POST, "/Users").json(&user("ann@alpha.test")))
            .await;
    assert_eq!(status, 201, "{created}");
    let (_, seen_by_b) = send(scim_with(&server, &token_b, Method::GET, "/Users")).await;
    assert_eq!(seen_by_b["totalResults"], 0);
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        send(scim_with(
            &server,
            &token_b,
            Method::GET,
            &format!("/Users/{id}")
        ))
        .await
        .0,
        404
    );
    let accounts = server.admin().accounts(&a).await;
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 1);
    server.stop().await;
}

async fn reset_empties_one_organization_only(engine: Engine) {
    let server = engine.server().await;
    let (a, token_a) = org_with_token(&server, "alpha").await;
    let (b, token_b) = org_with_token(&server, "beta").await;
    for i in 0..3 {
        send(
            scim_with(&server, &token_a, Method::POST, "/Users")
                .json(&user(&format!("u{i}@alpha.test"))),
        )
        .await;
        send(
            scim_with(&server, &token_b, Method::POST, "/Users")
                .json(&user(&format!("u{i}@beta.test"))),
        )
        .await;
    }
    let admin = server.admin();
    let (status, reset) = send(admin.request(Method::POST, &format!("/orgs/{a}/reset"))).await;
    assert_eq!(status, 200, "{reset}");
    assert_eq!(reset["deleted_accounts"], 3);
    assert_eq!(
        admin.accounts(&a).await["accounts"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        admin.requests(&a).await["requests"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "journal cleared"
    );
    let (_, activity) = send(admin.request(Method::GET, &format!("/orgs/{a}/activity"))).await;
    assert_eq!(
        activity["events"].as_array().unwrap().len(),
        0,
        "activity cleared"
    );
    // Settings and tokens stay.
    assert_eq!(
        send(scim_with(&server, &token_a, Method::GET, "/Users"))
            .await
            .0,
        200
    );
    // The other organization is untouched.
    assert_eq!(
        admin.accounts(&b).await["accounts"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        admin.requests(&b).await["requests"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let (status, reset) =
        send(admin.request(Method::POST, &format!("/orgs/{a}/reset?tokens=true"))).await;
    assert_eq!(status, 200);
    assert_eq!(reset["revoked_tokens"], 1);
    assert_eq!(
        send(scim_with(&server, &token_a, Method::GET, "/Users"))
            .await
            .0,
        401
    );
    assert_eq!(
        send(scim_with(&server, &token_b, Method::GET, "/Users"))
            .await
            .0,
        200
    );
    server.stop().await;
}

async fn seed_file_is_idempotent_and_gives_known_credentials(engine: Engine) {
    let server = engine.server().await;
    let admin = server.admin();
    let document: Value = serde_json::from_str(SEED).unwrap();
    let (status, first) = send(admin.request(Method::POST, "/seed").json(&document)).await;
    assert_eq!(status, 200, "{first}");
    let accounts_once = admin.accounts("acme").await;
    let (status, _) = send(admin.request(Method::POST, "/seed").json(&document)).await;
    assert_eq!(status, 200);
    let accounts_twice = admin.accounts("acme").await;
    assert_eq!(
        accounts_once, accounts_twice,
        "a second application changes nothing"
    );
    let accounts = accounts_twice["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3);

    // The fixed secret works as a SCIM bearer token.
    let (status, list) = send(scim_with(&server, ACME_SECRET, Method::GET, "/Users")).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        list["totalResults"], 2,
        "the two synced accounts; the manual one is not SCIM's"
    );

    // "inactive for 29 days": deleted by the reaper once one more day has passed.
    let grace = accounts
        .iter()
        .find(|a| a["user_name"] == "grace@acme.test")
        .unwrap();
    assert_eq!(grace["state"], "inactive");
    admin.advance_clock("PT23H").await;
    assert_eq!(admin.run_reaper().await["deleted"], 0);
    admin.advance_clock("PT2H").await;
    let run = admin.run_reaper().await;
    assert_eq!(run["deleted"], 1, "{run}");
    assert_eq!(run["accounts"][0]["user_name"], "grace@acme.test");
    server.stop().await;
}

async fn seed_flag_applies_the_file_at_start(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.json");
    std::fs::write(&path, SEED).unwrap();
    let server = engine
        .builder()
        .await
        .configure(|args| args.seed = Some(path.clone()))
        .start()
        .await;
    let (status, list) = send(scim_with(
        &server,
        ACME_SECRET,
        Method::GET,
        "/Users?filter=userName%20eq%20%22ada@acme.test%22",
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["totalResults"], 1);
    assert_eq!(
        list["Resources"][0]["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
            ["department"],
        "Engineering"
    );
    server.stop().await;
}

async fn journal_records_requests_without_secrets(engine: Engine) {
    let server = engine.server().await;
    let token = server.scim_token().to_string();
    let org = server.default_org_id().to_string();
    let (status, created) = send(
        server
            .scim(Method::POST, "/Users")
            .json(&json!({"userName": "bo@example.com", "password": "hunter2-secret"})),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap();
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}]});
    assert_eq!(
        send(
            server
                .scim(Method::PATCH, &format!("/Users/{id}"))
                .json(&patch)
        )
        .await
        .0,
        200
    );
    send(server.scim(
        Method::GET,
        "/Users?filter=userName%20eq%20%22nobody@example.com%22",
    ))
    .await;

    let admin = server.admin();
    let all = admin.requests(&org).await;
    let entries = all["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["method"], "POST");
    assert_eq!(entries[0]["path"], "/Users");
    assert_eq!(entries[0]["status"], 201);
    assert_eq!(entries[0]["request_body"]["password"], "[redacted]");
    assert_eq!(entries[1]["method"], "PATCH");
    let dialect: Vec<&str> = entries[1]["dialect"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        dialect.contains(&"capitalised_ops") && dialect.contains(&"string_booleans"),
        "{dialect:?}"
    );
    assert_eq!(
        entries[2]["query"],
        "filter=userName%20eq%20%22nobody@example.com%22"
    );

    let text = all.to_string();
    assert!(
        !text.contains(&token),
        "the bearer token never appears in the journal"
    );
    assert!(!text.contains("hunter2-secret"), "passwords are redacted");

    let (_, patches) =
        send(admin.request(Method::GET, &format!("/orgs/{org}/requests?method=PATCH"))).await;
    assert_eq!(patches["requests"].as_array().unwrap().len(), 1);
    let (_, created_only) =
        send(admin.request(Method::GET, &format!("/orgs/{org}/requests?status=201"))).await;
    assert_eq!(created_only["requests"].as_array().unwrap().len(), 1);
    let since = entries[1]["seq"].as_u64().unwrap();
    let (_, later) =
        send(admin.request(Method::GET, &format!("/orgs/{org}/requests?since={since}"))).await;
    assert_eq!(later["requests"].as_array().unwrap().len(), 1);

    let (status, har) =
        send(admin.request(Method::GET, &format!("/orgs/{org}/requests.har"))).await;
    assert_eq!(status, 200);
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["entries"].as_array().unwrap().len(), 3);
    assert_eq!(har["log"]["entries"][0]["request"]["method"], "POST");
    assert_eq!(har["log"]["entries"][0]["response"]["status"], 201);
    assert!(!har.to_string().contains(&token));
    server.stop().await;
}

async fn journal_is_bounded(engine: Engine) {
    let server = engine
        .builder()
        .await
        .configure(|args| args.journal_capacity = 5)
        .start()
        .await;
    for _ in 0..8 {
        send(server.scim(Method::GET, "/Users")).await;
    }
    let all = server.admin().requests(server.default_org_id()).await;
    let entries = all["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 5, "only the newest 5 are kept");
    assert_eq!(entries[0]["seq"], 4);
    server.stop().await;
}

async fn injected_faults_change_nothing(engine: Engine) {
    let server = engine.server().await;
    let org = server.default_org_id().to_string();
    let admin = server.admin();
    let rules = json!({"rules": [
        {"match": {"method": "POST", "path_prefix": "/Users"}, "action": {"status": 503, "detail": "maintenance"}, "times": 1},
        {"match": {"method": "GET"}, "action": {"rate_limit": {"retry_after_s": 3}}, "times": 1}
    ]});
    let (status, body) = send(
        admin
            .request(Method::PUT, &format!("/orgs/{org}/faults"))
            .json(&rules),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = send(
        server
            .scim(Method::POST, "/Users")
            .json(&user("cy@example.com")),
    )
    .await;
    assert_eq!(status, 503);
    assert_eq!(body["detail"], "maintenance");
    let response = server.scim(Method::GET, "/Users").send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "3");

    // The 503 left nothing behind; both rules are used up.
    let (status, list) = send(server.scim(Method::GET, "/Users")).await;
    assert_eq!(status, 200);
    assert_eq!(list["totalResults"], 0);
    let journal = admin.requests(&org).await;
    let faults: Vec<&Value> = journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["fault"].is_null())
        .collect();
    assert_eq!(faults.len(), 2, "injected faults are marked in the journal");

    // Delay, then clearing.
    let rules = json!([{"match": {"path_prefix": "/Users"}, "action": {"delay_ms": 200}}]);
    assert_eq!(
        send(
            admin
                .request(Method::PUT, &format!("/orgs/{org}/faults"))
                .json(&rules)
        )
        .await
        .0,
        200
    );
    let started = std::time::Instant::now();
    assert_eq!(send(server.scim(Method::GET, "/Users")).await.0, 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    assert_eq!(
        send(admin.request(Method::DELETE, &format!("/orgs/{org}/faults")))
            .await
            .0,
        204
    );
    let (_, rules) = send(admin.request(Method::GET, &format!("/orgs/{org}/faults"))).await;
    assert_eq!(rules["rules"].as_array().unwrap().len(), 0);

    let bad = json!([{"action": {"status": 200}}]);
    let (status, body) = send(
        admin
            .request(Method::PUT, &format!("/orgs/{org}/faults"))
            .json(&bad),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    server.stop().await;
}

async fn activity_long_poll_returns_when_an_event_arrives(engine: Engine) {
    let server = engine.server().await;
    let org = server.default_org_id().to_string();
    let admin = server.admin();
    let (_, current) = send(admin.request(Method::GET, &format!("/orgs/{org}/activity"))).await;
    let since = current["next_since"].as_i64().unwrap();
    let waiting = admin.request(
        Method::GET,
        &format!("/orgs/{org}/activity?wait=10s&since={since}&kind=account_created"),
    );
    let poll = tokio::spawn(async move { send(waiting).await });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        send(
            server
                .scim(Method::POST, "/Users")
                .json(&user("di@example.com"))
        )
        .await
        .0,
        201
    );
    let (status, events) = poll.await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(events["events"][0]["kind"], "account_created");
    // Nothing new: the wait is bounded and answers empty.
    let next = events["next_since"].as_i64().unwrap();
    let (status, empty) = send(admin.request(
        Method::GET,
        &format!("/orgs/{org}/activity?wait=100ms&since={next}"),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(empty["events"].as_array().unwrap().len(), 0);
    server.stop().await;
}

on_both_engines!(
    organizations_are_isolated,
    reset_empties_one_organization_only,
    seed_file_is_idempotent_and_gives_known_credentials,
    seed_flag_applies_the_file_at_start,
    journal_records_requests_without_secrets,
    journal_is_bounded,
    injected_faults_change_nothing,
    activity_long_poll_returns_when_an_event_arrives,
);
