//! The web console over plain HTTP (no browser), on both engines: sessions and their cookie,
//! the cross-site checks on every state change, the security headers, the forms that drive the
//! same rules as the admin API, the downloads and the live stream.

mod common;

use std::time::Duration;

use abm_scim::testing::{TestServer, TEST_ADMIN_TOKEN};
use common::Engine;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{redirect, Client, Method, Response, StatusCode};
use serde_json::{json, Value};

/// A signed-in console user: its cookie and its form token.
struct Console {
    http: Client,
    base: String,
    cookie: String,
}

fn client() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

async fn sign_in(server: &TestServer) -> Console {
    let http = client();
    let response = http
        .post(format!("{}/console/sign-in", server.base_url()))
        .form(&[("token", TEST_ADMIN_TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    Console {
        http,
        base: server.base_url().to_string(),
        cookie: set_cookie.split(';').next().unwrap().to_string(),
    }
}

impl Console {
    async fn get(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    /// A page, following the console's own redirects.
    async fn page(&self, path: &str) -> String {
        let mut response = self.get(path).await;
        while response.status() == StatusCode::SEE_OTHER {
            let location = response.headers()["location"].to_str().unwrap().to_string();
            assert!(location.starts_with("/console"), "{location}");
            response = self.get(&location).await;
        }
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    /// The form token, read from a page as a browser would.
    async fn csrf(&self) -> String {
        let page = self.page("/console/orgs").await;
        let start = page.find("name=\"csrf\" value=\"").expect("a form token") + 19;
        page[start..start + 64].to_string()
    }

    async fn post(&self, path: &str, form: &[(&str, &str)], headers: HeaderMap) -> Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .headers(headers)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// A form post as the console's own page sends it; follows the redirect and returns the page.
    async fn submit(&self, path: &str, form: &[(&str, &str)]) -> String {
        let csrf = self.csrf().await;
        let mut fields = form.to_vec();
        fields.push(("csrf", &csrf));
        let response = self.post(path, &fields, same_origin()).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "POST {path}");
        let location = response.headers()["location"].to_str().unwrap().to_string();
        self.page(&location).await
    }
}

fn same_origin() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
    h
}

async fn live_tokens(server: &TestServer) -> usize {
    let org = server.default_org_id();
    let scim: Value = server
        .admin()
        .request(Method::GET, &format!("/orgs/{org}/scim"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    scim["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "active")
        .count()
}

async fn sessions_and_headers(engine: Engine) {
    let server = engine.server().await;
    let http = client();
    let org = server.default_org_id();
    let base = server.base_url();
    // Nothing without a session: pages go to sign in, changes are refused.
    for path in [
        "/console",
        "/console/orgs",
        &format!("/console/orgs/{org}/accounts"),
        &format!("/console/orgs/{org}/requests/stream"),
    ] {
        let response = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()["location"], "/console/sign-in");
    }
    let refused = http
        .post(format!("{base}/console/orgs/{org}/directory-sync/tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // The sign-in page and the assets carry the strict headers.
    for path in [
        "/console/sign-in",
        "/console/assets/console.js",
        "/console/assets/console.css",
    ] {
        let response = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe"),
            "{csp}"
        );
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "same-origin");
    }
    // A wrong token signs nobody in.
    let wrong = http
        .post(format!("{base}/console/sign-in"))
        .form(&[("token", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("set-cookie").is_none());
    // A session cookie: opaque, HttpOnly, SameSite=Strict, expiring; not Secure over http.
    let response = http
        .post(format!("{base}/console/sign-in"))
        .form(&[("token", TEST_ADMIN_TOKEN)])
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.starts_with("abm_console=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        cookie.contains("Max-Age=28800")
            && !cookie.contains("Secure")
            && !cookie.contains(TEST_ADMIN_TOKEN),
        "{cookie}"
    );
    // A sign-in posted from another site is refused.
    let forged = http
        .post(format!("{base}/console/sign-in"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("token", TEST_ADMIN_TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // Signing out ends the session on the server: the old cookie no longer works.
    let console = sign_in(&server).await;
    let csrf = console.csrf().await;
    let out = console
        .post("/console/sign-out", &[("csrf", &csrf)], same_origin())
        .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(out.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        console.get("/console/orgs").await.headers()["location"],
        "/console/sign-in"
    );
    server.stop().await;

    // Behind an https public URL the cookie is Secure.
    let server = engine
        .builder()
        .await
        .configure(|a| a.public_url = Some("https://abm.example".parse().unwrap()))
        .start()
        .await;
    let response = client()
        .post(format!("{}/console/sign-in", server.base_url()))
        .form(&[("token", TEST_ADMIN_TOKEN)])
        .send()
        .await
        .unwrap();
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("; Secure"));
    server.stop().await;
}

async fn cross_site_changes_are_refused(engine: Engine) {
    let server = engine.server().await;
    let console = sign_in(&server).await;
    let org = server.default_org_id();
    let path = format!("/console/orgs/{org}/directory-sync/tokens");
    let csrf = console.csrf().await;
    let header = |name: &'static str, value: &'static str| {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_static(value));
        h
    };
    let before = live_tokens(&server).await;
    // (form fields, headers, what is wrong)
    type Attempt<'a> = (Vec<(&'a str, &'a str)>, HeaderMap, &'a str);
    let attempts: Vec<Attempt> = vec![
        (vec![], same_origin(), "no form token"),
        (vec![("csrf", "0000")], same_origin(), "a wrong form token"),
        (
            vec![("csrf", &csrf)],
            header("sec-fetch-site", "cross-site"),
            "Sec-Fetch-Site: cross-site",
        ),
        (
            vec![("csrf", &csrf)],
            header("sec-fetch-site", "same-site"),
            "Sec-Fetch-Site: same-site",
        ),
        (
            vec![("csrf", &csrf)],
            header("origin", "http://evil.example"),
            "another Origin",
        ),
        (
            vec![("csrf", &csrf)],
            header("origin", "null"),
            "Origin: null",
        ),
    ];
    for (form, headers, what) in attempts {
        let response = console.post(&path, &form, headers).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{what}");
        assert!(response.text().await.unwrap().contains("refused"), "{what}");
    }
    assert_eq!(live_tokens(&server).await, before, "nothing changed");
    // The console's own post (same origin, its token) goes through.
    let page = console.submit(&path, &[]).await;
    assert!(page.contains("shown only now"));
    assert_eq!(live_tokens(&server).await, before + 1);
    // A third token: refused with ABM's reason, on the page and by the service.
    let page = console
        .page(&format!("/console/orgs/{org}/directory-sync"))
        .await;
    assert!(page.contains("You already have two tokens"));
    let refused = console.submit(&path, &[]).await;
    assert!(
        refused.contains("already has two tokens: revoke one first"),
        "{refused}"
    );
    assert_eq!(live_tokens(&server).await, before + 1);
    server.stop().await;
}

async fn forms_use_the_service_rules(engine: Engine) {
    let server = engine.server().await;
    let console = sign_in(&server).await;
    let org = server.default_org_id();
    for user in ["ann@example.com", "anna@example.com", "bob@example.com"] {
        let created = server
            .scim(Method::POST, "/Users")
            .json(&json!({"userName": user, "externalId": user}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    // Accounts: prefix search, filters, synced accounts take roles only.
    let page = console
        .page(&format!("/console/orgs/{org}/accounts?q=ANN"))
        .await;
    assert!(
        page.contains("ann@example.com")
            && page.contains("anna@example.com")
            && !page.contains("bob@example.com")
    );
    let page = console
        .page(&format!("/console/orgs/{org}/accounts?state=inactive"))
        .await;
    assert!(page.contains("No accounts match."));
    let bad = console
        .get(&format!("/console/orgs/{org}/accounts?state=sleeping"))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let accounts = server.admin().accounts(org).await;
    let bob = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["user_name"] == "bob@example.com")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = console
        .submit(
            &format!("/console/orgs/{org}/accounts/{bob}/roles"),
            &[("role", "Staff"), ("role", "Content Manager")],
        )
        .await;
    assert!(page.contains("Roles saved."), "{page}");
    let refused = console
        .submit(&format!("/console/orgs/{org}/accounts/{bob}/delete"), &[])
        .await;
    assert!(
        refused.contains("Not done:"),
        "a synced account cannot be deleted while SCIM is connected"
    );
    let account: Value = server
        .admin()
        .request(Method::GET, &format!("/orgs/{org}/accounts/{bob}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(account["roles"], json!(["Staff", "Content Manager"]));

    // Harness: a fault rule from the form applies to SCIM and shows in the Requests filters.
    let page = console
        .submit(
            &format!("/console/orgs/{org}/faults"),
            &[
                ("method", "GET"),
                ("path_prefix", "/Users"),
                ("status", "503"),
                ("detail", "maintenance"),
                ("times", "1"),
            ],
        )
        .await;
    assert!(page.contains("Fault rule added."), "{page}");
    let faulted = server.scim(Method::GET, "/Users").send().await.unwrap();
    assert_eq!(faulted.status(), 503);
    let page = console
        .page(&format!("/console/orgs/{org}/requests?fault=yes"))
        .await;
    assert!(
        page.contains("fault:") && page.contains("<td>GET</td>") && !page.contains("<td>POST</td>")
    );
    let page = console
        .page(&format!(
            "/console/orgs/{org}/requests?method=POST&status=201"
        ))
        .await;
    assert_eq!(page.matches("<tr data-seq").count(), 3);
    let bad = console
        .submit(&format!("/console/orgs/{org}/faults"), &[("status", "200")])
        .await;
    assert!(bad.contains("Not done:"), "an error status is 400..599");
    // The HAR download and the entry page with Copy as curl.
    let har: Value = console
        .get(&format!("/console/orgs/{org}/requests.har?method=POST"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(har["log"]["entries"].as_array().unwrap().len(), 3);
    let entry = console
        .page(&format!("/console/orgs/{org}/requests/1"))
        .await;
    assert!(
        entry.contains("curl -X POST")
            && entry.contains("$TOKEN")
            && !entry.contains(server.scim_token())
    );
    // Activity downloads.
    let json: Value = console
        .get(&format!(
            "/console/orgs/{org}/activity.json?kind=account_created"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["events"].as_array().unwrap().len(), 3);
    let csv = console
        .get(&format!("/console/orgs/{org}/activity.csv"))
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("seq,at,kind,actor,account_id,detail\r\n")
            && csv.contains("account_created")
    );
    // The clock, a seed document, a reset.
    let page = console
        .submit(
            "/console/clock",
            &[
                ("back", &format!("/console/orgs/{org}/harness")),
                ("set", "2030-01-01T00:00"),
            ],
        )
        .await;
    assert!(
        page.contains("The clock now reads 2030-01-01 00:00 UTC."),
        "{page}"
    );
    let page = console
        .submit(
            "/console/clock",
            &[("back", "https://evil.example/"), ("advance", "P1D")],
        )
        .await;
    assert!(
        page.contains("2030-01-02"),
        "redirected to the console, not elsewhere"
    );
    let seed = json!({"orgs": [{"id": "seeded", "name": "Seeded Org", "domains": [{"name": "seed.test", "verified": true}]}]}).to_string();
    let page = console
        .submit(
            "/console/seed",
            &[("back", "/console/orgs"), ("document", &seed)],
        )
        .await;
    assert!(
        page.contains("Seed applied: 1 organization(s).") && page.contains("Seeded Org"),
        "{page}"
    );
    let page = console
        .submit(&format!("/console/orgs/{org}/reset"), &[])
        .await;
    assert!(
        page.contains("Reset: 3 account(s) removed, 0 token(s) revoked."),
        "{page}"
    );
    server.stop().await;
}

async fn live_streams_send_what_comes_after(engine: Engine) {
    let server = engine.server().await;
    let console = sign_in(&server).await;
    let org = server.default_org_id();
    let mut requests = console
        .get(&format!(
            "/console/orgs/{org}/requests/stream?since=0&method=POST"
        ))
        .await;
    assert_eq!(requests.headers()["content-type"], "text/event-stream");
    let mut activity = console
        .get(&format!(
            "/console/orgs/{org}/activity/stream?since=0&kind=account_created"
        ))
        .await;
    let created = server
        .scim(Method::POST, "/Users")
        .json(&json!({"userName": "live@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    for (stream, needle) in [
        (&mut requests, "/Users"),
        (&mut activity, "account_created"),
    ] {
        let mut text = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !(text.contains("event: item") && text.contains(needle)) {
            let chunk = tokio::time::timeout_at(deadline, stream.chunk())
                .await
                .expect("an item within 10 s")
                .unwrap()
                .unwrap();
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(text.contains("\nid: "), "{text}");
    }
    server.stop().await;
}

on_both_engines!(
    sessions_and_headers,
    cross_site_changes_are_refused,
    forms_use_the_service_rules,
    live_streams_send_what_comes_after,
);
