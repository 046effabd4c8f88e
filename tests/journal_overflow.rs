//! Issue 16, the journal's write queue overflowing under load: entries are dropped (counted in
//! `/metrics`, and marked on the journal as `dropped_before`), and requests are not slowed —
//! their p99 stays within 2× of a server with the journal off. The real binary on each engine.
//!
//! Bounded for a shared 2-core machine: 20 warm-up requests, then 4 rounds of 100 requests at
//! 4 at a time, alternating between the two servers so that a burst of load elsewhere hits
//! both alike; a few milliseconds of slack on top of the 2× bound absorb scheduler noise on
//! sub-millisecond requests.

mod common;
mod process_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{postgres_server_url, send};
use process_support::{client, ServerProcess, ADMIN_TOKEN};
use serde_json::json;

const METRICS_TOKEN: &str = "overflow-metrics-token-0123";
const WARM_UP: usize = 20;
const ROUNDS: usize = 4;
const PER_ROUND: usize = 100;
const CONCURRENCY: usize = 4;

#[derive(Debug, Clone, Copy)]
enum Engine {
    Sqlite,
    Postgres,
}

async fn database(engine: Engine, dir: &tempfile::TempDir, name: &str) -> Option<String> {
    match engine {
        Engine::Sqlite => Some(format!("sqlite:{}", dir.path().join(name).display())),
        Engine::Postgres => {
            let pg = postgres_server_url()?;
            Some(abm_scim::testing::fresh_postgres_database(&pg).await)
        }
    }
}

struct Target {
    server: ServerProcess,
    token: String,
    user_url: String,
}

async fn target(url: &str, extra: &[&str]) -> Target {
    let server = ServerProcess::spawn(url, 0, extra, true);
    let token = server.scim_token.clone().unwrap();
    let (status, body) = send(
        client()
            .post(format!("{}/Users", server.scim_url()))
            .bearer_auth(&token)
            .json(&json!({"userName": "load@example.com", "name": {"givenName": "L", "familyName": "O"}})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let user_url = format!(
        "{}/Users/{}",
        server.scim_url(),
        body["id"].as_str().unwrap()
    );
    Target {
        server,
        token,
        user_url,
    }
}

/// `count` GETs of the same account, `CONCURRENCY` at a time; their latencies.
async fn load(http: &reqwest::Client, target: &Target, count: usize) -> Vec<Duration> {
    let http = Arc::new(http.clone());
    let mut workers = Vec::new();
    for worker in 0..CONCURRENCY {
        let http = http.clone();
        let url = target.user_url.clone();
        let token = target.token.clone();
        let share = count / CONCURRENCY + usize::from(worker < count % CONCURRENCY);
        workers.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(share);
            for _ in 0..share {
                let started = Instant::now();
                let response = http.get(&url).bearer_auth(&token).send().await.unwrap();
                assert_eq!(response.status(), 200);
                let _ = response.bytes().await.unwrap();
                times.push(started.elapsed());
            }
            times
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    all
}

fn p99(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[(times.len() * 99).div_ceil(100) - 1]
}

async fn overflow_drops_entries_without_slowing_requests(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let Some(off_url) = database(engine, &dir, "off.db").await else {
        return;
    };
    let full_url = database(engine, &dir, "full.db").await.unwrap();
    let off = target(&off_url, &["--journal-capacity", "0"]).await;
    // A queue of 8 written once a second: under this load it overflows at once.
    let full = target(
        &full_url,
        &[
            "--journal-queue",
            "8",
            "--journal-flush-interval",
            "1s",
            "--metrics-token",
            METRICS_TOKEN,
        ],
    )
    .await;
    let http = client();
    load(&http, &off, WARM_UP).await;
    load(&http, &full, WARM_UP).await;
    let (mut off_times, mut full_times) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        off_times.extend(load(&http, &off, PER_ROUND).await);
        full_times.extend(load(&http, &full, PER_ROUND).await);
    }
    let (off_p99, full_p99) = (p99(off_times), p99(full_times));
    eprintln!(
        "{engine:?}: p99 with the journal off {off_p99:?}, with its queue overflowing {full_p99:?}"
    );
    assert!(
        full_p99 <= off_p99 * 2 + Duration::from_millis(5),
        "an overflowing journal slowed requests: p99 {full_p99:?} against {off_p99:?} without a journal"
    );

    // Every entry was either written or dropped, and the journal says where entries went.
    let admin = |path: String| {
        http.get(format!("{}{path}", full.server.admin_url()))
            .bearer_auth(ADMIN_TOKEN)
    };
    let (_, orgs) = send(admin("/orgs".into())).await;
    let org = orgs["orgs"][0]["id"].as_str().unwrap().to_string();
    let (status, journal) = send(admin(format!("/orgs/{org}/requests"))).await;
    assert_eq!(status, 200);
    let entries = journal["requests"].as_array().unwrap();
    let marked: u64 = entries
        .iter()
        .filter_map(|e| e["dropped_before"].as_u64())
        .sum();
    let sent = 1 + WARM_UP + ROUNDS * PER_ROUND;
    let text = http
        .get(format!("{}/metrics", full.server.base_url))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap();
    let counter = |name: &str| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name)
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) => {
                    v as u64
                }
                ref other => panic!("{other:?}"),
            })
            .unwrap()
    };
    let (written, dropped) = (
        counter("abm_scim_journal_entries_written_total"),
        counter("abm_scim_journal_entries_dropped_total"),
    );
    assert!(dropped > 0, "the queue of 8 never overflowed");
    assert_eq!(
        written + dropped,
        sent as u64,
        "written {written} + dropped {dropped}"
    );
    assert_eq!(written, entries.len() as u64);
    assert_eq!(
        marked, dropped,
        "each dropped entry is counted on the next entry of its organization"
    );
    assert!(entries
        .iter()
        .any(|e| e["dropped_before"].as_u64().is_some_and(|n| n > 0)));
    // The HAR export says so too, on the same entries.
    let (status, har) = send(admin(format!("/orgs/{org}/requests.har"))).await;
    assert_eq!(status, 200);
    let gaps = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["comment"]
                .as_str()
                .is_some_and(|c| c.contains("dropped just before"))
        })
        .count();
    let marked_entries = entries
        .iter()
        .filter(|e| e["dropped_before"].is_u64())
        .count();
    assert_eq!(gaps, marked_entries);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_overflow_drops_entries_without_slowing_requests() {
    overflow_drops_entries_without_slowing_requests(Engine::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_overflow_drops_entries_without_slowing_requests() {
    overflow_drops_entries_without_slowing_requests(Engine::Postgres).await
}
