//! Issue 8: concurrency. Many clients at once on one resource: uniqueness holds, `If-Match`
//! admits exactly one writer, updates without `If-Match` are never lost, and reaper passes
//! racing each other and reactivations leave every account consistent. On both engines.

mod common;

use std::collections::{HashMap, HashSet};

use abm_scim::testing::TestServer;
use common::{send, Engine};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::task::JoinSet;

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// Creates a user and returns its id.
async fn create_user(server: &TestServer, user_name: &str) -> String {
    let (status, body) = send(
        server
            .scim(Method::POST, "/Users")
            .json(&json!({"schemas": [USER_SCHEMA], "userName": user_name})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_string()
}

fn patch_body(ops: Value) -> Value {
    json!({"schemas": [PATCH_SCHEMA], "Operations": ops})
}

/// Counts statuses.
fn tally(statuses: &[u16]) -> HashMap<u16, usize> {
    let mut counts = HashMap::new();
    for s in statuses {
        *counts.entry(*s).or_insert(0) += 1;
    }
    counts
}

async fn fifty_concurrent_creates_of_one_user_name_make_one_account(engine: Engine) {
    let server = engine.server().await;
    let mut tasks = JoinSet::new();
    for i in 0..50 {
        let request = server.scim(Method::POST, "/Users").json(&json!({
            "schemas": [USER_SCHEMA],
            "userName": "race@example.com",
            "externalId": format!("ext-{i}"),
        }));
        tasks.spawn(send(request));
    }
    let mut statuses = Vec::new();
    while let Some(result) = tasks.join_next().await {
        let (status, body) = result.expect("task");
        if status == 409 {
            assert_eq!(body["scimType"], "uniqueness", "{body}");
        }
        statuses.push(status);
    }
    let counts = tally(&statuses);
    assert_eq!(
        counts.get(&201),
        Some(&1),
        "exactly one create wins: {counts:?}"
    );
    assert_eq!(
        counts.get(&409),
        Some(&49),
        "every other one is 409: {counts:?}"
    );
    let (status, list) = send(
        server
            .scim(Method::GET, "/Users")
            .query(&[("filter", "userName eq \"race@example.com\"")]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["totalResults"], 1, "{list}");
    let accounts = server.admin().accounts(server.default_org_id()).await;
    assert_eq!(
        accounts["accounts"].as_array().unwrap().len(),
        1,
        "{accounts}"
    );
    server.stop().await;
}

async fn concurrent_patches_with_one_if_match_admit_exactly_one(engine: Engine) {
    let server = engine.server().await;
    let id = create_user(&server, "etag@example.com").await;
    let (status, user) = send(server.scim(Method::GET, &format!("/Users/{id}"))).await;
    assert_eq!(status, 200);
    let etag = user["meta"]["version"]
        .as_str()
        .expect("meta.version")
        .to_string();
    let mut tasks = JoinSet::new();
    for i in 0..30 {
        let request = server
            .scim(Method::PATCH, &format!("/Users/{id}"))
            .header("If-Match", etag.clone())
            .json(&patch_body(
                json!([{"op": "replace", "path": "displayName", "value": format!("Writer {i}")}]),
            ));
        tasks.spawn(async move { (i, send(request).await) });
    }
    let mut statuses = Vec::new();
    let mut winner = None;
    while let Some(result) = tasks.join_next().await {
        let (i, (status, body)) = result.expect("task");
        match status {
            200 => winner = Some(i),
            412 => assert!(
                body["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("If-Match")),
                "{body}"
            ),
            _ => {}
        }
        statuses.push(status);
    }
    let counts = tally(&statuses);
    assert_eq!(counts.get(&200), Some(&1), "one writer wins: {counts:?}");
    assert_eq!(counts.get(&412), Some(&29), "the rest are 412: {counts:?}");
    let (_, user) = send(server.scim(Method::GET, &format!("/Users/{id}"))).await;
    assert_eq!(
        user["displayName"],
        format!("Writer {}", winner.unwrap()),
        "the stored value is the winner's"
    );
    assert_ne!(user["meta"]["version"], etag.as_str());
    server.stop().await;
}

/// The user starts with one email and 100 distinct ones are added concurrently: every add
/// lands (the cap on multi-valued attributes, 1,000 values, is far above what this needs).
async fn hundred_concurrent_email_adds_lose_nothing(engine: Engine) {
    const ADDS: usize = 100;
    let server = engine.server().await;
    let (status, body) = send(server.scim(Method::POST, "/Users").json(&json!({
        "schemas": [USER_SCHEMA],
        "userName": "many@example.com",
        "emails": [{"value": "first@example.com", "type": "work", "primary": true}],
    })))
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_string();
    let mut tasks = JoinSet::new();
    for i in 0..ADDS {
        let request = server
            .scim(Method::PATCH, &format!("/Users/{id}"))
            .json(&patch_body(json!([{
                "op": "add",
                "path": "emails",
                "value": [{"value": format!("mail{i}@example.com"), "type": "work"}],
            }])));
        tasks.spawn(send(request));
    }
    let mut failures = Vec::new();
    while let Some(result) = tasks.join_next().await {
        let (status, body) = result.expect("task");
        if status != 200 {
            failures.push((status, body));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ADDS} PATCHes failed, e.g. {:?}",
        failures.len(),
        failures.first()
    );
    let (status, user) = send(server.scim(Method::GET, &format!("/Users/{id}"))).await;
    assert_eq!(status, 200);
    let stored: HashSet<String> = user["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .map(|e| e["value"].as_str().unwrap().to_string())
        .collect();
    let expected: HashSet<String> = (0..ADDS)
        .map(|i| format!("mail{i}@example.com"))
        .chain(["first@example.com".to_string()])
        .collect();
    assert_eq!(stored, expected, "every acknowledged add is present");
    assert_eq!(
        user["meta"]["version"],
        format!("W/\"{}\"", ADDS + 1),
        "one version per add"
    );
    server.stop().await;
}

/// Activity events of one kind, by account id.
async fn events_by_account(server: &TestServer, kind: &str) -> HashMap<String, usize> {
    let (status, body) = send(server.admin().request(
        Method::GET,
        &format!(
            "/orgs/{}/activity?kind={kind}&limit=1000",
            server.default_org_id()
        ),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    let mut counts = HashMap::new();
    for event in body["events"].as_array().unwrap() {
        let id = event["account_id"].as_str().unwrap().to_string();
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

async fn reaper_passes_and_reactivations_race_without_corruption(engine: Engine) {
    const USERS: usize = 24;
    const REAPERS: usize = 4;
    let server = engine.server().await;
    let mut ids = Vec::new();
    for i in 0..USERS {
        let id = create_user(&server, &format!("reap{i}@example.com")).await;
        let (status, body) = send(server.scim(Method::PATCH, &format!("/Users/{id}")).json(
            &patch_body(json!([{"op": "replace", "path": "active", "value": false}])),
        ))
        .await;
        assert_eq!(status, 200, "{body}");
        ids.push(id);
    }
    server.admin().advance_clock("P31D").await;

    // Even-numbered users are reactivated while the reapers run; odd ones are left to them.
    let mut reapers = JoinSet::new();
    for _ in 0..REAPERS {
        reapers.spawn(send(server.admin().request(Method::POST, "/reaper/run")));
    }
    let mut patches = JoinSet::new();
    for id in ids.iter().step_by(2) {
        let request = server
            .scim(Method::PATCH, &format!("/Users/{id}"))
            .json(&patch_body(
                json!([{"op": "replace", "path": "active", "value": true}]),
            ));
        let id = id.clone();
        patches.spawn(async move { (id, send(request).await) });
    }
    let mut reaped = 0;
    while let Some(result) = reapers.join_next().await {
        let (status, body) = result.expect("task");
        assert_eq!(status, 200, "reaper run: {body}");
        reaped += body["deleted"].as_u64().unwrap() as usize;
    }
    let mut patch_status = HashMap::new();
    while let Some(result) = patches.join_next().await {
        let (id, (status, body)) = result.expect("task");
        assert!(
            status == 200 || status == 404,
            "a reactivation answers 200 (won) or 404 (reaped first), not {status}: {body}"
        );
        if status == 200 {
            assert_eq!(body["active"], true, "{body}");
        }
        patch_status.insert(id, status);
    }

    let deleted_events = events_by_account(&server, "account_deleted").await;
    assert_eq!(
        deleted_events.values().sum::<usize>(),
        reaped,
        "one account_deleted event per deletion reported by the reapers"
    );
    let org = server.default_org_id().to_string();
    for (i, id) in ids.iter().enumerate() {
        let (status, account) = send(
            server
                .admin()
                .request(Method::GET, &format!("/orgs/{org}/accounts/{id}")),
        )
        .await;
        let events = deleted_events.get(id).copied().unwrap_or(0);
        match status {
            404 => {
                assert_eq!(
                    events, 1,
                    "deleted account {id} has exactly one account_deleted event"
                );
                if let Some(patch) = patch_status.get(id) {
                    assert_eq!(*patch, 404, "a reactivation that answered 200 was not lost");
                }
            }
            200 => {
                assert_eq!(
                    events, 0,
                    "a surviving account {id} was never reported deleted"
                );
                assert_eq!(account["state"], "active", "{account}");
                assert_eq!(account["active"], true, "{account}");
                assert!(account["deactivated_at"].is_null(), "{account}");
                assert!(account["delete_after"].is_null(), "{account}");
                assert_eq!(
                    patch_status.get(id),
                    Some(&200),
                    "only a reactivated account survives: {account}"
                );
            }
            other => panic!("GET account {id} answered {other}: {account}"),
        }
        if i % 2 == 1 {
            assert_eq!(status, 404, "untouched account {id} is reaped");
        }
    }
    // A further pass finds nothing left to do.
    let again = server.admin().run_reaper().await;
    assert_eq!(again["deleted"], 0, "{again}");
    server.stop().await;
}
/// Creates of new and of already-taken userNames at once: on SQLite they are committed in
/// batches (group commit), and a batch holding a conflict must still give every request the
/// answer it would have had alone, with exactly one `account_created` event per account.
async fn concurrent_creates_mixing_new_and_taken_names_answer_each_alone(engine: Engine) {
    let server = engine.server().await;
    for i in 0..10 {
        create_user(&server, &format!("taken-{i}@example.com")).await;
    }
    let mut tasks = JoinSet::new();
    for i in 0..80 {
        // Even requests create new names, odd ones retry a taken one.
        let user_name = if i % 2 == 0 {
            format!("new-{i}@example.com")
        } else {
            format!("taken-{}@example.com", i % 10)
        };
        let request = server.scim(Method::POST, "/Users").json(&json!({
            "schemas": [USER_SCHEMA],
            "userName": user_name,
        }));
        tasks.spawn(async move { (user_name, send(request).await) });
    }
    let mut created = HashSet::new();
    while let Some(result) = tasks.join_next().await {
        let (user_name, (status, body)) = result.expect("task");
        if user_name.starts_with("new-") {
            assert_eq!(status, 201, "{user_name}: {body}");
            assert_eq!(body["userName"], user_name.as_str(), "{body}");
            created.insert(body["id"].as_str().expect("id").to_string());
        } else {
            assert_eq!(status, 409, "{user_name}: {body}");
            assert_eq!(body["scimType"], "uniqueness", "{body}");
        }
    }
    assert_eq!(created.len(), 40);
    for id in &created {
        let (status, body) = send(server.scim(Method::GET, &format!("/Users/{id}"))).await;
        assert_eq!(status, 200, "{body}");
    }
    let events = events_by_account(&server, "account_created").await;
    assert_eq!(
        events.len(),
        50,
        "10 + 40 accounts, one event each: {events:?}"
    );
    assert!(events.values().all(|n| *n == 1), "{events:?}");
    let (status, list) = send(server.scim(Method::GET, "/Users").query(&[("count", "0")])).await;
    assert_eq!(status, 200);
    assert_eq!(list["totalResults"], 50, "{list}");
    server.stop().await;
}

on_both_engines!(
    concurrent_creates_mixing_new_and_taken_names_answer_each_alone,
    fifty_concurrent_creates_of_one_user_name_make_one_account,
    concurrent_patches_with_one_if_match_admit_exactly_one,
    hundred_concurrent_email_adds_lose_nothing,
    reaper_passes_and_reactivations_race_without_corruption,
);
