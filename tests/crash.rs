//! Issue 8, crash survival: `kill -9` the real server binary during a bounded POST load, restart
//! it on the same database, and check that every user acknowledged with 201 is there, intact.
//! Both engines: SQLite on a file, PostgreSQL on a fresh database.

mod common;
mod process_support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{postgres_server_url, send};
use process_support::{client, ServerProcess};
use serde_json::{json, Value};

/// Concurrent clients of the load.
const CLIENTS: usize = 8;
/// Upper bound on POSTs sent in one run.
const MAX_REQUESTS: usize = 2000;
/// Upper bound on how long the load runs before the kill.
const MAX_LOAD: Duration = Duration::from_secs(2);
/// The kill comes after this many acknowledged creates (or at `MAX_LOAD`), mid-load.
const KILL_AFTER_ACKS: usize = 150;

#[derive(Debug, Clone)]
struct Acked {
    id: String,
    user_name: String,
    external_id: String,
}

async fn kill_during_load_then_restart(database_url: &str) {
    let server = ServerProcess::spawn(database_url, 0, &[], true);
    let token = server
        .scim_token
        .clone()
        .expect("first start prints a SCIM token");
    let users_url = format!("{}/Users", server.scim_url());

    let acked = Arc::new(Mutex::new(Vec::<Acked>::new()));
    let unexpected = Arc::new(Mutex::new(Vec::<String>::new()));
    let sent = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (acked, unexpected, sent, killed) = (
            acked.clone(),
            unexpected.clone(),
            sent.clone(),
            killed.clone(),
        );
        let (url, token, http) = (users_url.clone(), token.clone(), client());
        clients.push(tokio::spawn(async move {
            for i in 0.. {
                if sent.fetch_add(1, Ordering::SeqCst) >= MAX_REQUESTS
                    || started.elapsed() > MAX_LOAD + Duration::from_secs(1)
                {
                    break;
                }
                let user_name = format!("crash-{c}-{i}@example.com");
                let external_id = format!("ext-{c}-{i}");
                let body = json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": user_name,
                    "externalId": external_id,
                    "name": {"givenName": format!("C{c}"), "familyName": format!("N{i}")},
                    "emails": [{"value": user_name, "type": "work", "primary": true}],
                    "active": true,
                });
                match http.post(&url).bearer_auth(&token).json(&body).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let text = response.text().await;
                        match (status, text) {
                            (201, Ok(text)) => {
                                let created: Value =
                                    serde_json::from_str(&text).unwrap_or_else(|e| {
                                        panic!("201 with a bad body ({e}): {text}")
                                    });
                                acked.lock().unwrap().push(Acked {
                                    id: created["id"].as_str().expect("id").to_string(),
                                    user_name,
                                    external_id,
                                });
                            }
                            // The body was cut off by the kill: not acknowledged.
                            (201, Err(_)) => break,
                            (status, text) => {
                                unexpected
                                    .lock()
                                    .unwrap()
                                    .push(format!("{status}: {text:?}"));
                            }
                        }
                    }
                    // Connection refused or reset: the server is gone.
                    Err(e) => {
                        assert!(
                            killed.load(Ordering::SeqCst),
                            "request failed before the kill: {e}"
                        );
                        break;
                    }
                }
            }
        }));
    }

    // Kill mid-load: once enough creates were acknowledged, or at the time bound.
    while acked.lock().unwrap().len() < KILL_AFTER_ACKS && started.elapsed() < MAX_LOAD {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    killed.store(true, Ordering::SeqCst);
    let sent_before_kill = sent.load(Ordering::SeqCst);
    server.kill();
    for c in clients {
        c.await.expect("load client");
    }
    let acked = acked.lock().unwrap().clone();
    let unexpected = unexpected.lock().unwrap().clone();
    assert!(
        unexpected.is_empty(),
        "non-201 answers under load: {unexpected:?}"
    );
    assert!(
        acked.len() >= 20,
        "the load should get some creates acknowledged before the kill, got {}",
        acked.len()
    );
    assert!(
        sent_before_kill < MAX_REQUESTS,
        "the kill came after the load ended ({sent_before_kill} requests sent)"
    );

    // Restart on the same database: no first-start banner token, same data.
    let restarted = ServerProcess::spawn(database_url, 0, &[], false);
    assert_eq!(
        restarted.scim_token, None,
        "a restart creates no new default token"
    );
    let http = client();
    for user in &acked {
        let (status, body) = send(
            http.get(format!("{}/Users/{}", restarted.scim_url(), user.id))
                .bearer_auth(&token),
        )
        .await;
        assert_eq!(
            status, 200,
            "acknowledged user {user:?} lost after kill -9: {body}"
        );
        assert_eq!(body["userName"], user.user_name, "{body}");
        assert_eq!(body["externalId"], user.external_id, "{body}");
        assert_eq!(body["emails"][0]["value"], user.user_name, "{body}");
        assert_eq!(body["active"], true, "{body}");
    }
    // Requests in flight at the kill may or may not have committed, but never half: every
    // stored user is whole, and userName lookups agree with ids.
    let (status, list) = send(
        http.get(format!(
            "{}/Users?count=1000&startIndex=1",
            restarted.scim_url()
        ))
        .bearer_auth(&token),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let total = list["totalResults"].as_u64().expect("totalResults") as usize;
    assert!(
        total >= acked.len(),
        "{total} stored < {} acknowledged",
        acked.len()
    );
    assert!(
        total <= sent_before_kill + CLIENTS,
        "more users than requests: {total}"
    );
    eprintln!(
        "crash: {} creates acknowledged, {sent_before_kill} sent before kill -9, {total} stored",
        acked.len()
    );
    for user in list["Resources"].as_array().expect("Resources") {
        let name = user["userName"].as_str().expect("userName");
        let (c, i) = name
            .strip_prefix("crash-")
            .and_then(|s| s.strip_suffix("@example.com"))
            .and_then(|s| s.split_once('-'))
            .unwrap_or_else(|| panic!("unexpected user {user}"));
        assert_eq!(user["externalId"], format!("ext-{c}-{i}"), "{user}");
        assert_eq!(user["name"]["familyName"], format!("N{i}"), "{user}");
    }
    // And the restarted server takes new writes.
    let (status, body) = send(
        http.post(format!("{}/Users", restarted.scim_url()))
            .bearer_auth(&token)
            .json(&json!({"userName": "after-restart@example.com"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    restarted.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_kill_9_loses_no_acknowledged_user() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("crash.db").display());
    kill_during_load_then_restart(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_kill_9_loses_no_acknowledged_user() {
    let Some(server) = postgres_server_url() else {
        return;
    };
    let url = abm_scim::testing::fresh_postgres_database(&server).await;
    kill_during_load_then_restart(&url).await;
}
