//! Issue 16, `GET /metrics`: the real binary on each engine, its output parsed by a Prometheus
//! text-format parser (`prometheus-parse`), with every series present and consistent with the
//! requests sent; off by default, and never opened by the admin or a SCIM token.

mod common;
mod process_support;

use std::time::{Duration, Instant};

use common::{postgres_server_url, send};
use process_support::{client, free_port, ServerProcess, ADMIN_TOKEN};
use prometheus_parse::{Scrape, Value as Sample};
use serde_json::json;

const METRICS_TOKEN: &str = "metrics-test-token-0123456789";

#[derive(Debug, Clone, Copy)]
enum Engine {
    Sqlite,
    Postgres,
}

/// A database URL of the engine (a SQLite file in `dir`), or `None` when PostgreSQL is not
/// available outside CI.
async fn database(engine: Engine, dir: &tempfile::TempDir) -> Option<String> {
    match engine {
        Engine::Sqlite => Some(format!(
            "sqlite:{}",
            dir.path().join("metrics.db").display()
        )),
        Engine::Postgres => {
            let pg = postgres_server_url()?;
            Some(abm_scim::testing::fresh_postgres_database(&pg).await)
        }
    }
}

fn parse(text: &str) -> Scrape {
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text format")
}

fn number(value: &Sample) -> f64 {
    match value {
        Sample::Counter(v) | Sample::Gauge(v) | Sample::Untyped(v) => *v,
        other => panic!("not a number: {other:?}"),
    }
}

/// The value of the series `name` whose labels include `labels`.
fn find(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| number(&s.value))
}

async fn metrics_text(http: &reqwest::Client, url: &str, token: Option<&str>) -> (u16, String) {
    let mut request = http.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn series_match_the_requests_sent(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(engine, &dir).await else {
        return;
    };
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let server = ServerProcess::spawn(
        &url,
        0,
        &[
            "--clock",
            "manual",
            "--reaper-interval",
            "200ms",
            "--metrics-listen",
            &listen,
            "--metrics-token",
            METRICS_TOKEN,
            "--metrics-refresh",
            "100ms",
        ],
        true,
    );
    let token = server.scim_token.clone().unwrap();
    let http = client();
    let metrics_url = format!("http://{listen}/metrics");

    // Never on the main address; on its own only with the metrics token.
    assert_eq!(
        metrics_text(
            &http,
            &format!("{}/metrics", server.base_url),
            Some(METRICS_TOKEN)
        )
        .await
        .0,
        404
    );
    for wrong in [
        None,
        Some(ADMIN_TOKEN),
        Some(token.as_str()),
        Some("metrics-test-token-wrong"),
    ] {
        let (status, body) = metrics_text(&http, &metrics_url, wrong).await;
        assert_eq!(status, 401, "{wrong:?}: {body}");
        assert!(!body.contains("abm_scim_"), "no figures without the token");
        assert!(body.contains("metrics token"), "{body}");
    }

    // 4 accounts created by "Okta", read 3 times by "Entra"; one deactivated and reaped.
    let mut ids = Vec::new();
    for i in 0..4 {
        let (status, body) = send(
            http.post(format!("{}/Users", server.scim_url()))
                .bearer_auth(&token)
                .header("user-agent", "Okta SCIM Client 1.0")
                .json(&json!({"userName": format!("m{i}@example.com"), "name": {"givenName": "M", "familyName": "X"}})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    for _ in 0..3 {
        let (status, _) = send(
            http.get(format!("{}/Users/{}", server.scim_url(), ids[0]))
                .bearer_auth(&token)
                .header("user-agent", "Azure AD SCIM Provisioning"),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, body) = send(
        http.patch(format!("{}/Users/{}", server.scim_url(), ids[3]))
            .bearer_auth(&token)
            .header("user-agent", "Okta SCIM Client 1.0")
            .json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": false}]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // 31 days on: the reaper deletes it; 320 days on, the token is in its last 60 days.
    let admin = |method: reqwest::Method, path: &str| {
        http.request(method, format!("{}{path}", server.admin_url()))
            .bearer_auth(ADMIN_TOKEN)
    };
    let (status, body) =
        send(admin(reqwest::Method::POST, "/clock").json(&json!({"advance": "P320D"}))).await;
    assert_eq!(status, 200, "{body}");
    let (_, orgs) = send(admin(reqwest::Method::GET, "/orgs")).await;
    let org = orgs["orgs"][0]["id"].as_str().unwrap().to_string();
    // Reading the journal writes this process's queue: the written count is then exact.
    let (_, journal) = send(admin(
        reqwest::Method::GET,
        &format!("/orgs/{org}/requests"),
    ))
    .await;
    let journaled = journal["requests"].as_array().unwrap().len();
    assert_eq!(journaled, 8, "{journal}");

    let deadline = Instant::now() + Duration::from_secs(10);
    let scrape = loop {
        let (status, text) = metrics_text(&http, &metrics_url, Some(METRICS_TOKEN)).await;
        assert_eq!(status, 200, "{text}");
        let scrape = parse(&text);
        let reaped = find(&scrape, "abm_scim_reaper_accounts_deleted_total", &[]).unwrap_or(0.0);
        let active = find(
            &scrape,
            "abm_scim_accounts",
            &[("org", &org), ("state", "active"), ("source", "scim")],
        );
        let expiring = find(
            &scrape,
            "abm_scim_credentials_expiring",
            &[("org", &org), ("credential", "scim_token")],
        );
        if reaped >= 1.0 && active == Some(3.0) && expiring == Some(1.0) {
            break scrape;
        }
        assert!(Instant::now() < deadline, "figures never settled:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    let requests = |route: &str, method: &str, status: &str, dialect: &str| {
        find(
            &scrape,
            "abm_scim_http_requests_total",
            &[
                ("route", route),
                ("method", method),
                ("status", status),
                ("dialect", dialect),
            ],
        )
    };
    assert_eq!(
        requests("/feeds/business/scim/Users", "POST", "2xx", "okta"),
        Some(4.0)
    );
    assert_eq!(
        requests("/feeds/business/scim/Users/:id", "GET", "2xx", "entra"),
        Some(3.0)
    );
    assert_eq!(
        requests("/feeds/business/scim/Users/:id", "PATCH", "2xx", "okta"),
        Some(1.0)
    );
    // The latency histogram counted the same requests.
    let count = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "abm_scim_http_request_duration_seconds"
                && s.labels.get("route") == Some("/feeds/business/scim/Users")
                && s.labels.get("method") == Some("POST")
        })
        .map(|s| match &s.value {
            Sample::Histogram(buckets) => buckets.iter().map(|b| b.count).fold(0.0, f64::max),
            other => number(other),
        });
    assert_eq!(count, Some(4.0), "the +Inf bucket holds every POST");
    for pool in ["statements", "transactions"] {
        let max = find(
            &scrape,
            "abm_scim_db_pool_max_connections",
            &[("pool", pool)],
        )
        .unwrap();
        let open = find(
            &scrape,
            "abm_scim_db_pool_open_connections",
            &[("pool", pool)],
        )
        .unwrap();
        let in_use = find(
            &scrape,
            "abm_scim_db_pool_in_use_connections",
            &[("pool", pool)],
        )
        .unwrap();
        assert!(
            max >= 1.0 && open <= max && in_use <= open,
            "{pool}: {max} {open} {in_use}"
        );
    }
    assert!(find(
        &scrape,
        "abm_scim_db_pool_waits_total",
        &[("pool", "statements")]
    )
    .is_some());
    assert_eq!(
        find(
            &scrape,
            "abm_scim_db_pool_timeouts_total",
            &[("pool", "statements")]
        ),
        Some(0.0)
    );
    assert!(find(&scrape, "abm_scim_reaper_passes_total", &[]).unwrap() >= 1.0);
    assert_eq!(
        find(&scrape, "abm_scim_reaper_accounts_deleted_total", &[]),
        Some(1.0)
    );
    assert_eq!(
        find(&scrape, "abm_scim_journal_entries_written_total", &[]),
        Some(journaled as f64)
    );
    assert_eq!(
        find(&scrape, "abm_scim_journal_entries_dropped_total", &[]),
        Some(0.0)
    );
    // A year's token, 320 days on: 45 days left (± the time the test took).
    let left = find(
        &scrape,
        "abm_scim_credential_expiry_seconds",
        &[("org", &org), ("credential", "scim_token")],
    )
    .unwrap();
    let days = left / 86_400.0;
    assert!((44.0..=46.0).contains(&days), "{days} days left");
    match engine {
        Engine::Postgres => assert_eq!(
            find(&scrape, "abm_scim_change_feed_connected", &[]),
            Some(1.0)
        ),
        Engine::Sqlite => assert_eq!(
            find(&scrape, "abm_scim_change_feed_connected", &[]),
            Some(0.0)
        ),
    }
}

/// `--metrics-token` alone serves `/metrics` on the main address, behind the token; without
/// either flag there is no `/metrics` at all.
async fn token_only_and_off_by_default(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database(engine, &dir).await else {
        return;
    };
    let http = client();
    {
        let server = ServerProcess::spawn(&url, 0, &["--metrics-token", METRICS_TOKEN], true);
        let token = server.scim_token.clone().unwrap();
        let metrics_url = format!("{}/metrics", server.base_url);
        assert_eq!(metrics_text(&http, &metrics_url, Some(&token)).await.0, 401);
        assert_eq!(
            metrics_text(&http, &metrics_url, Some(ADMIN_TOKEN)).await.0,
            401
        );
        let (status, text) = metrics_text(&http, &metrics_url, Some(METRICS_TOKEN)).await;
        assert_eq!(status, 200);
        let scrape = parse(&text);
        assert!(
            find(&scrape, "abm_scim_journal_entries_written_total", &[]).is_some(),
            "{text}"
        );
    }
    let server = ServerProcess::spawn(&url, 0, &[], false);
    let (status, _) = metrics_text(
        &http,
        &format!("{}/metrics", server.base_url),
        Some(METRICS_TOKEN),
    )
    .await;
    assert_eq!(status, 404, "off by default");
}

#[test]
fn the_metrics_token_must_differ_from_the_admin_token() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_abm-scim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "sqlite::memory:",
            "--admin-token",
            "same-token-for-both-0123",
            "--metrics-token",
            "same-token-for-both-0123",
        ])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--metrics-token must differ from --admin-token"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("same-token-for-both"),
        "the token is never echoed: {stderr}"
    );
}

/// Bad values of the new flags stop the server at start, naming the flag.
#[test]
fn bad_metrics_and_journal_flags_are_refused_at_start() {
    let port = free_port();
    let busy = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let busy_address = format!("127.0.0.1:{port}");
    for (args, expected) in [
        (vec!["--metrics-token", "short"], "at least 16 characters"),
        (
            vec!["--metrics-token", "has a space in it, sixteen+"],
            "without spaces",
        ),
        (vec!["--journal-queue", "0"], "--journal-queue"),
        (vec!["--journal-flush-interval", "0s"], "greater than zero"),
        (
            vec!["--metrics-listen", "not-an-address"],
            "--metrics-listen",
        ),
        (
            vec!["--metrics-listen", busy_address.as_str()],
            "address already in use",
        ),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_abm-scim"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                "sqlite::memory:",
            ])
            .args(&args)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    drop(busy);
}

macro_rules! both {
    ($($test:ident),*) => {
        mod sqlite { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() { super::$test(super::Engine::Sqlite).await }
        )* }
        mod postgres { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() { super::$test(super::Engine::Postgres).await }
        )* }
    };
}
both!(
    series_match_the_requests_sent,
    token_only_and_off_by_default
);
