//! Issue 8, several processes on one PostgreSQL database: two real server processes on
//! different ports share a fresh database, each with its own reaper every 200 ms, under a
//! bounded load through both. No 5xx, no lost writes, the manual clock agrees, and every
//! expired account is deleted exactly once. Both start at once on the empty database.

mod common;
mod process_support;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use common::{postgres_server_url, send};
use process_support::{client, ServerProcess, ADMIN_TOKEN};
use serde_json::{json, Value};

const ACCOUNTS: usize = 60;
/// Accounts deactivated (every one whose index is not a multiple of 3).
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

fn deactivated(i: usize) -> bool {
    i % 3 != 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_one_postgres_database() {
    let Some(pg) = postgres_server_url() else {
        return;
    };
    let url = abm_scim::testing::fresh_postgres_database(&pg).await;
    // Two identical replicas started at the same moment on an empty database, as behind a
    // load balancer: migrations and the first-start bootstrap run once, and exactly one of
    // them prints the default organization's token.
    let args = ["--clock", "manual", "--reaper-interval", "200ms"];
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || ServerProcess::spawn(&url, 0, &args, false))
        })
        .collect();
    let mut started: Vec<ServerProcess> = starts.into_iter().map(|t| t.join().unwrap()).collect();
    let tokens: Vec<String> = started
        .iter()
        .filter_map(|s| s.scim_token.clone())
        .collect();
    assert_eq!(
        tokens.len(),
        1,
        "exactly one replica bootstraps: {tokens:?}"
    );
    let token = tokens[0].clone();
    let b = started.pop().unwrap();
    let a = started.pop().unwrap();
    let servers = [&a, &b];
    let http = client();

    // Create through both processes at once.
    let mut tasks = Vec::new();
    for i in 0..ACCOUNTS {
        let request = http
            .post(format!("{}/Users", servers[i % 2].scim_url()))
            .bearer_auth(&token)
            .json(&json!({
                "userName": format!("mp-{i}@example.com"),
                "externalId": format!("mp-ext-{i}"),
                "name": {"givenName": "Multi", "familyName": format!("P{i}")},
            }));
        tasks.push(tokio::spawn(send(request)));
    }
    let mut ids = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 201, "create {i}: {body}");
        ids.push(body["id"].as_str().expect("id").to_string());
    }

    // Deactivate two thirds, each through the process that did not create it, while reads run
    // on both.
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let server = servers[(i + 1) % 2];
        let request = if deactivated(i) {
            http.patch(format!("{}/Users/{id}", server.scim_url()))
                .json(&json!({"schemas": [PATCH_OP],
                    "Operations": [{"op": "replace", "path": "active", "value": false}]}))
        } else {
            http.get(format!("{}/Users/{id}", server.scim_url()))
        };
        tasks.push(tokio::spawn(send(request.bearer_auth(&token))));
    }
    for (i, task) in tasks.into_iter().enumerate() {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 200, "deactivate/read {i}: {body}");
        assert_eq!(body["active"], !deactivated(i), "{body}");
    }

    // No lost writes: both processes see every account in its final state.
    for server in servers {
        for (i, id) in ids.iter().enumerate() {
            let (status, body) = send(
                http.get(format!("{}/Users/{id}", server.scim_url()))
                    .bearer_auth(&token),
            )
            .await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["userName"], format!("mp-{i}@example.com"));
            assert_eq!(body["externalId"], format!("mp-ext-{i}"));
            assert_eq!(body["active"], !deactivated(i), "{body}");
        }
    }

    // One manual clock, kept in the database: moved through A, read through B.
    let clock = |s: &ServerProcess| format!("{}/clock", s.admin_url());
    let (status, before_a) = send(http.get(clock(&a)).bearer_auth(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{before_a}");
    let (_, before_b) = send(http.get(clock(&b)).bearer_auth(ADMIN_TOKEN)).await;
    assert_eq!(before_a, before_b, "both processes read one clock");
    assert_eq!(before_a["mode"], "manual");
    let (status, moved) = send(
        http.post(clock(&a))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"advance": "P31D"})),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_ne!(moved["now"], before_a["now"]);
    let (status, seen_by_b) = send(http.get(clock(&b)).bearer_auth(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{seen_by_b}");
    assert_eq!(seen_by_b["now"], moved["now"], "B sees the time A set");

    // Both reapers are now due; also run both on demand, concurrently, several times.
    let mut runs = Vec::new();
    for round in 0..3 {
        for server in servers {
            let request = http
                .post(format!("{}/reaper/run", server.admin_url()))
                .bearer_auth(ADMIN_TOKEN);
            runs.push((round, tokio::spawn(send(request))));
        }
    }
    let mut deleted_by_runs = Vec::new();
    for (round, run) in runs {
        let (status, body) = run.await.unwrap();
        assert_eq!(status, 200, "reaper run {round}: {body}");
        for account in body["accounts"].as_array().expect("accounts") {
            deleted_by_runs.push(account["id"].as_str().unwrap().to_string());
        }
    }
    let unique: HashSet<&String> = deleted_by_runs.iter().collect();
    assert_eq!(
        unique.len(),
        deleted_by_runs.len(),
        "an account was deleted twice by the on-demand runs"
    );

    // Wait (bounded) until everything due is gone, as seen by both processes.
    let expected: HashSet<String> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| deactivated(*i))
        .map(|(_, id)| id.clone())
        .collect();
    let org = org_id(&http, &a).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let events = loop {
        let events = deleted_events(&http, &b, &org).await;
        if events.len() >= expected.len() || Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Let the background reapers run a few more times: they must find nothing more to delete.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let events_later = deleted_events(&http, &a, &org).await;
    assert_eq!(
        events_later.len(),
        events.len(),
        "late reaper runs deleted more"
    );

    let mut per_account: HashMap<String, usize> = HashMap::new();
    for event in &events_later {
        let id = event["account_id"]
            .as_str()
            .expect("account_id")
            .to_string();
        *per_account.entry(id).or_default() += 1;
    }
    let doubles: Vec<_> = per_account.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubles.is_empty(), "double deletes: {doubles:?}");
    let deleted: HashSet<String> = per_account.into_keys().collect();
    assert_eq!(
        deleted, expected,
        "exactly the expired accounts are deleted, each once"
    );

    for server in servers {
        for (i, id) in ids.iter().enumerate() {
            let (status, body) = send(
                http.get(format!("{}/Users/{id}", server.scim_url()))
                    .bearer_auth(&token),
            )
            .await;
            let want = if deactivated(i) { 404 } else { 200 };
            assert_eq!(status, want, "account {i} on {}: {body}", server.base_url);
        }
    }

    // A token revoked through A stops working on B too: B may trust its cached authorisation
    // for at most --auth-cache-ttl (1 s by default); A refuses it at once.
    let org = org_id(&http, &a).await;
    let (status, issued) = send(
        http.post(format!("{}/orgs/{org}/scim/tokens", a.admin_url()))
            .bearer_auth(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    let second = issued["token"].as_str().expect("token").to_string();
    let users = |s: &ServerProcess| format!("{}/Users?count=1", s.scim_url());
    for server in servers {
        let (status, body) = send(http.get(users(server)).bearer_auth(&second)).await;
        assert_eq!(
            status, 200,
            "the new token works on {}: {body}",
            server.base_url
        );
    }
    let (status, body) = send(
        http.delete(format!(
            "{}/orgs/{org}/scim/tokens/{}",
            a.admin_url(),
            issued["id"].as_str().unwrap()
        ))
        .bearer_auth(ADMIN_TOKEN),
    )
    .await;
    assert!(status == 200 || status == 204, "revoked: {status} {body}");
    let (status, body) = send(http.get(users(&a)).bearer_auth(&second)).await;
    assert_eq!(
        status, 401,
        "refused at once by the process that revoked it: {body}"
    );
    let revoked_at = std::time::Instant::now();
    let mut refused_by_b = None;
    while revoked_at.elapsed() < std::time::Duration::from_secs(10) {
        let (status, _) = send(http.get(users(&b)).bearer_auth(&second)).await;
        if status == 401 {
            refused_by_b = Some(revoked_at.elapsed());
            break;
        }
        assert_eq!(status, 200);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let refused_by_b = refused_by_b.expect("the other process refuses the revoked token");
    assert!(
        refused_by_b < std::time::Duration::from_secs(3),
        "within the 1 s cache TTL (plus scheduling): {refused_by_b:?}"
    );

    // No 5xx anywhere, and neither background reaper failed.
    for server in servers {
        let log = server.log();
        assert!(
            !log.contains("reaper run failed") && !log.contains("ERROR"),
            "{} logged errors:\n{log}",
            server.base_url
        );
    }
    drop(a);
    drop(b);
}

async fn org_id(http: &reqwest::Client, server: &ServerProcess) -> String {
    let (status, body) = send(
        http.get(format!("{}/orgs", server.admin_url()))
            .bearer_auth(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let list = body
        .as_array()
        .or_else(|| body["orgs"].as_array())
        .expect("a list of organizations");
    assert_eq!(
        list.len(),
        1,
        "one default organization, not one per process: {body}"
    );
    list[0]["id"].as_str().expect("org id").to_string()
}

async fn deleted_events(http: &reqwest::Client, server: &ServerProcess, org: &str) -> Vec<Value> {
    let (status, body) = send(
        http.get(format!(
            "{}/orgs/{org}/activity?kind=account_deleted&limit=1000",
            server.admin_url()
        ))
        .bearer_auth(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["events"].as_array().expect("events").clone()
}
