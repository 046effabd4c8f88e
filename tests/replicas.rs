//! Issue 16, one directory across replicas: two real server processes on one PostgreSQL
//! database share the request journal and the fault rules, and see each other's revocations
//! and clock moves at once (LISTEN/NOTIFY), not after the auth cache's TTL. Both run with a
//! 30 s TTL, so only the change feed can explain a change seen within a second.

mod common;
mod process_support;

use std::time::{Duration, Instant};

use common::{postgres_server_url, send};
use process_support::{client, ServerProcess, ADMIN_TOKEN};
use serde_json::{json, Value};

/// Longer than any wait below: a change seen sooner was announced, not re-read.
const TTL: &str = "30s";

struct Pair {
    a: ServerProcess,
    b: ServerProcess,
    token: String,
    org: String,
    http: reqwest::Client,
}

async fn pair(extra: &[&str]) -> Option<Pair> {
    let pg = postgres_server_url()?;
    let url = abm_scim::testing::fresh_postgres_database(&pg).await;
    let mut args = vec!["--clock", "manual", "--auth-cache-ttl", TTL];
    args.extend_from_slice(extra);
    let a = ServerProcess::spawn(&url, 0, &args, true);
    let b = ServerProcess::spawn(&url, 0, &args, false);
    let token = a.scim_token.clone().expect("the first process bootstraps");
    let http = client();
    let (status, orgs) = send(
        http.get(format!("{}/orgs", a.admin_url()))
            .bearer_auth(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(status, 200, "{orgs}");
    let org = orgs["orgs"][0]["id"].as_str().expect("an org").to_string();
    Some(Pair {
        a,
        b,
        token,
        org,
        http,
    })
}

impl Pair {
    fn admin(
        &self,
        server: &ServerProcess,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", server.admin_url()))
            .bearer_auth(ADMIN_TOKEN)
    }

    fn scim(
        &self,
        server: &ServerProcess,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", server.scim_url()))
            .bearer_auth(&self.token)
    }

    async fn put_faults(&self, server: &ServerProcess, rules: Value) {
        let path = format!("/orgs/{}/faults", self.org);
        let (status, body) =
            send(self.admin(server, reqwest::Method::PUT, &path).json(&rules)).await;
        assert_eq!(status, 200, "{body}");
    }
}

fn user(name: &str) -> Value {
    json!({"userName": name, "name": {"givenName": "Rep", "familyName": "Lica"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_and_fault_rules_are_shared_by_every_process() {
    let Some(p) = pair(&[]).await else { return };
    // A request to A is in the journal read through B, at once (A's queue is written within
    // its flush interval; B's read cannot flush A's queue, so it waits for it).
    let (status, created) = send(
        p.scim(&p.a, reqwest::Method::POST, "/Users")
            .header("user-agent", "Okta SCIM Client")
            .json(&user("journal@example.com")),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let deadline = Instant::now() + Duration::from_secs(2);
    let entry = loop {
        let (status, journal) = send(p.admin(
            &p.b,
            reqwest::Method::GET,
            &format!("/orgs/{}/requests?method=POST", p.org),
        ))
        .await;
        assert_eq!(status, 200, "{journal}");
        if let Some(entry) = journal["requests"]
            .as_array()
            .and_then(|r| r.first())
            .cloned()
        {
            break entry;
        }
        assert!(
            Instant::now() < deadline,
            "A's request never reached the journal read through B"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(entry["path"], "/Users");
    assert_eq!(entry["status"], 201);
    assert_eq!(entry["request_body"]["userName"], "journal@example.com");
    // The HAR export through B holds it too.
    let (status, har) = send(p.admin(
        &p.b,
        reqwest::Method::GET,
        &format!("/orgs/{}/requests.har", p.org),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(har["log"]["entries"].as_array().unwrap().len(), 1, "{har}");

    // A rule set through B fires on A.
    p.put_faults(
        &p.b,
        json!([{"match": {"method": "GET"}, "action": {"status": 503, "detail": "set through B"}}]),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let (status, body) = send(p.scim(&p.a, reqwest::Method::GET, "/Users")).await;
        if status == 503 {
            assert_eq!(body["detail"], "set through B");
            break;
        }
        assert_eq!(status, 200, "{body}");
        assert!(
            Instant::now() < deadline,
            "a rule set through B never fired on A"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // `times: 3` under 50 concurrent requests spread over both: exactly 3 faults.
    p.put_faults(&p.a, json!([{"match": {"method": "GET", "path_prefix": "/Users"}, "action": {"status": 503, "detail": "three"}, "times": 3}])).await;
    // Let B hear of the new rules (it is not needed for the count, which the database keeps).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let server = if i % 2 == 0 { &p.a } else { &p.b };
        tasks.push(tokio::spawn(send(p.scim(
            server,
            reqwest::Method::GET,
            "/Users",
        ))));
    }
    let mut faulted = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            503 => {
                assert_eq!(body["detail"], "three");
                faulted += 1;
            }
            200 => {}
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(
        faulted, 3,
        "a times: 3 rule fires exactly 3 times in the cluster"
    );
    let (_, rules) = send(p.admin(
        &p.b,
        reqwest::Method::GET,
        &format!("/orgs/{}/faults", p.org),
    ))
    .await;
    assert_eq!(rules["rules"][0]["times"], 0, "{rules}");
    // Read through either process, the journal holds the three faulted requests (A's queue
    // reaches the database within its flush interval).
    for server in [&p.a, &p.b] {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let (_, journal) = send(p.admin(
                server,
                reqwest::Method::GET,
                &format!("/orgs/{}/requests?status=503", p.org),
            ))
            .await;
            let three = journal["requests"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["response_body"]["detail"] == "three" && e["fault"] == "error 503")
                .count();
            if three == 3 {
                break;
            }
            assert!(three < 3 && Instant::now() < deadline, "{journal}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn median_and_worst(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], *times.last().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_through_one_process_is_refused_by_the_other_within_100_ms() {
    let Some(p) = pair(&[]).await else { return };
    let mut times = Vec::new();
    for _ in 0..20 {
        let (status, issued) = send(p.admin(
            &p.a,
            reqwest::Method::POST,
            &format!("/orgs/{}/scim/tokens", p.org),
        ))
        .await;
        assert_eq!(status, 201, "{issued}");
        let id = issued["id"].as_str().unwrap().to_string();
        let secret = issued["token"].as_str().unwrap().to_string();
        let on_b = || {
            p.http
                .get(format!("{}/Users?count=1", p.b.scim_url()))
                .bearer_auth(&secret)
        };
        // B authorises it, and caches that for the 30 s TTL.
        assert_eq!(send(on_b()).await.0, 200);
        assert_eq!(send(on_b()).await.0, 200);
        let (status, body) = send(p.admin(
            &p.a,
            reqwest::Method::DELETE,
            &format!("/orgs/{}/scim/tokens/{id}", p.org),
        ))
        .await;
        assert_eq!(status, 204, "{body}");
        let revoked = Instant::now();
        loop {
            let (status, body) = send(on_b()).await;
            if status == 401 {
                break;
            }
            assert_eq!(status, 200, "{body}");
            assert!(
                revoked.elapsed() < Duration::from_secs(5),
                "B kept accepting a token revoked through A"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        times.push(revoked.elapsed());
    }
    let (median, worst) = median_and_worst(times);
    eprintln!("revocation through A refused by B: median {median:?}, worst {worst:?} (20 tries)");
    assert!(median <= Duration::from_millis(100), "median {median:?}");
    // The worst of 20 on a shared 2-core machine: far below the 30 s TTL either way.
    assert!(worst <= Duration::from_secs(1), "worst {worst:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_moved_through_one_process_is_seen_by_the_other_at_once() {
    let Some(p) = pair(&[]).await else { return };
    let created_on_b = |name: &str| {
        let request = p
            .scim(&p.b, reqwest::Method::POST, "/Users")
            .json(&user(name));
        async move {
            let (status, body) = send(request).await;
            assert_eq!(status, 201, "{body}");
            chrono::DateTime::parse_from_rfc3339(body["meta"]["created"].as_str().unwrap()).unwrap()
        }
    };
    let before = created_on_b("before@example.com").await;
    let (status, moved) = send(
        p.admin(&p.a, reqwest::Method::POST, "/clock")
            .json(&json!({"advance": "P10D"})),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    let moved_at = Instant::now();
    let mut i = 0;
    loop {
        i += 1;
        let created = created_on_b(&format!("after-{i}@example.com")).await;
        if created - before >= chrono::Duration::days(10) {
            break;
        }
        assert!(
            moved_at.elapsed() < Duration::from_secs(1),
            "B still on the old time after {:?}",
            moved_at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eprintln!(
        "clock moved through A seen by B after {:?} ({i} requests)",
        moved_at.elapsed()
    );
}

/// The listening connection of B is cut (as by a PostgreSQL restart or a network blip): B
/// falls back to the TTL, then listens again and reads everything again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_that_loses_its_listening_connection_falls_back_to_the_ttl_and_recovers() {
    let Some(pg) = postgres_server_url() else {
        return;
    };
    let url = abm_scim::testing::fresh_postgres_database(&pg).await;
    let metrics_port = process_support::free_port();
    let metrics_listen = format!("127.0.0.1:{metrics_port}");
    let args = ["--auth-cache-ttl", TTL, "--metrics-listen", &metrics_listen];
    let a = ServerProcess::spawn(&url, 0, &args[..2], true);
    let b = ServerProcess::spawn(&url, 0, &args, false);
    let token = a.scim_token.clone().unwrap();
    let http = client();
    let feed = || async {
        let text = http
            .get(format!("http://{metrics_listen}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find(|l| l.starts_with("abm_scim_change_feed_connected "))
            .map(|l| l.ends_with(" 1"))
    };
    let wait_for = |want: bool| async move {
        let deadline = Instant::now() + Duration::from_secs(10);
        while feed().await != Some(want) {
            assert!(
                Instant::now() < deadline,
                "change feed never became connected={want}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    wait_for(true).await;
    // Cut B's listening connection from the server side.
    let database = url.rsplit('/').next().unwrap().to_string();
    let admin_db = maintenance_pool(&pg).await;
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = 'abm-scim-listener' AND datname = $1",
    )
    .bind(&database)
    .execute(&admin_db)
    .await
    .unwrap();
    // It comes back (seen disconnected or not, depending on how fast), and revocations are
    // announced again: with a 30 s TTL nothing else refuses the token within 2 s.
    wait_for(true).await;
    let (_, orgs) = send(
        http.get(format!("{}/orgs", a.admin_url()))
            .bearer_auth(ADMIN_TOKEN),
    )
    .await;
    let org = orgs["orgs"][0]["id"].as_str().unwrap().to_string();
    let (_, issued) = send(
        http.post(format!("{}/orgs/{org}/scim/tokens", a.admin_url()))
            .bearer_auth(ADMIN_TOKEN),
    )
    .await;
    let secret = issued["token"].as_str().unwrap().to_string();
    let id = issued["id"].as_str().unwrap().to_string();
    let on_b = || {
        http.get(format!("{}/Users?count=1", b.scim_url()))
            .bearer_auth(&secret)
    };
    assert_eq!(send(on_b()).await.0, 200);
    let (status, _) = send(
        http.delete(format!("{}/orgs/{org}/scim/tokens/{id}", a.admin_url()))
            .bearer_auth(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(status, 204);
    let revoked = Instant::now();
    while send(on_b()).await.0 != 401 {
        assert!(
            revoked.elapsed() < Duration::from_secs(2),
            "B never refused the revoked token"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(token);
}

/// A plain pool on the server's maintenance database (terminating backends needs no more).
async fn maintenance_pool(pg: &str) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(pg)
        .await
        .expect("connect to the test PostgreSQL server")
}

/// An OAuth client secret revoked through A: the access token it gave is refused by B at once
/// (the access-token cache is retired by the same announcement as SCIM tokens).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth_secret_revoked_through_one_process_is_refused_by_the_other_at_once() {
    let Some(p) = pair(&[]).await else { return };
    let org_path = format!("/orgs/{}", p.org);
    let (status, body) = send(
        p.admin(&p.a, reqwest::Method::PATCH, &org_path)
            .json(&json!({"oauth_client_credentials": true})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, client) = send(
        p.admin(
            &p.a,
            reqwest::Method::POST,
            &format!("{org_path}/scim/oauth-client"),
        )
        .json(
            &json!({"name": "Replica IdP", "redirect_uris": ["https://idp.example.com/callback"]}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{client}");
    // The token comes from B, is used on B, and its secret is revoked through A.
    let (status, tokens) = send(
        p.http
            .post(format!("{}/auth/oauth2/v2/token", p.b.base_url))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client["client_id"].as_str().unwrap()),
                ("client_secret", client["client_secret"].as_str().unwrap()),
            ]),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let on_b = || {
        p.http
            .get(format!("{}/Users?count=1", p.b.scim_url()))
            .bearer_auth(&access)
    };
    assert_eq!(send(on_b()).await.0, 200);
    assert_eq!(send(on_b()).await.0, 200);
    // ABM keeps one live secret at least: a second one first, then the first revoked.
    let (status, second) = send(
        p.admin(
            &p.a,
            reqwest::Method::POST,
            &format!("{org_path}/scim/oauth-client/secrets"),
        )
        .json(&json!({})),
    )
    .await;
    assert_eq!(status, 201, "{second}");
    let secret_id = client["secret_id"].as_str().unwrap();
    let (status, body) = send(p.admin(
        &p.a,
        reqwest::Method::DELETE,
        &format!("{org_path}/scim/oauth-client/secrets/{secret_id}"),
    ))
    .await;
    assert!(status == 204 || status == 200, "{status}: {body}");
    let revoked = Instant::now();
    loop {
        let (status, body) = send(on_b()).await;
        if status == 401 {
            break;
        }
        assert_eq!(status, 200, "{body}");
        assert!(
            revoked.elapsed() < Duration::from_secs(1),
            "B kept accepting an access token whose secret was revoked through A"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    eprintln!(
        "OAuth secret revoked through A refused by B after {:?}",
        revoked.elapsed()
    );
}
