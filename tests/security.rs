//! Issue 8: security. Forged, foreign, revoked, expired and misplaced tokens get 401/404 and
//! never data; secrets never reach the logs, the journal or error bodies; hostile input on every
//! route is a clear 4xx that stores nothing; body, count and filter limits answer in format.

mod common;

use abm_scim::testing::{TestServer, TEST_ADMIN_TOKEN};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::{scim_with, send, Engine};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

const JWT_SECRET: &str = "security-test-jwt-secret-0123456789abcdef";
const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

async fn server_with_secret(engine: Engine) -> TestServer {
    engine
        .builder()
        .await
        .configure(|args| args.jwt_secret = Some(JWT_SECRET.into()))
        .start()
        .await
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A JWT with any header, HMAC-SHA256-signed with `secret` whatever the header says.
fn hmac_token(header: Value, claims: &Value, secret: &[u8]) -> String {
    let message = format!("{}.{}", b64(&header), b64(claims));
    let signature = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(secret),
        Algorithm::HS256,
    )
    .unwrap();
    format!("{message}.{signature}")
}

/// Asserts a SCIM error with this status whose body carries no user data.
fn assert_scim_refusal(what: &str, status: u16, body: &Value, expected: &[u16], secret_data: &str) {
    assert!(
        expected.contains(&status),
        "{what}: expected {expected:?}, got {status}: {body}"
    );
    assert_eq!(body["schemas"][0], ERROR_SCHEMA, "{what}: {body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{what}: {body}"
    );
    assert!(
        !body.to_string().contains(secret_data),
        "{what}: the refusal leaks data: {body}"
    );
}

fn assert_admin_error(what: &str, status: u16, body: &Value, expected: &[u16]) {
    assert!(
        expected.contains(&status),
        "{what}: expected {expected:?}, got {status}: {body}"
    );
    assert!(body["error"].is_string(), "{what}: {body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{what}: {body}"
    );
}

async fn create_user(server: &TestServer, token: &str, user_name: &str) -> Value {
    let (status, body) = send(
        scim_with(server, token, Method::POST, "/Users")
            .json(&json!({"schemas": [USER_SCHEMA], "userName": user_name})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// An organization without the verified-domain rule, and a SCIM token for it.
async fn other_org(server: &TestServer, name: &str) -> (String, String) {
    let org = server
        .admin()
        .create_org(json!({"name": name, "require_verified_domain": false}))
        .await;
    let org_id = org["id"].as_str().unwrap().to_string();
    let token = server.admin().create_token(&org_id).await;
    (org_id, token["token"].as_str().unwrap().to_string())
}

async fn account_count(server: &TestServer, org_id: &str) -> usize {
    let (status, body) = send(
        server
            .admin()
            .request(Method::GET, &format!("/orgs/{org_id}/accounts?limit=1000")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["accounts"].as_array().unwrap().len()
}

async fn org_count(server: &TestServer) -> usize {
    let (status, body) = send(server.admin().request(Method::GET, "/orgs")).await;
    assert_eq!(status, 200, "{body}");
    body["orgs"]
        .as_array()
        .or_else(|| body.as_array())
        .unwrap_or_else(|| panic!("an organization list: {body}"))
        .len()
}

/// Sends a forged token to reading and writing SCIM routes: 401, SCIM error, no data.
async fn refused_everywhere(server: &TestServer, what: &str, authorization: &str, user_id: &str) {
    let client = reqwest::Client::new();
    let requests = [
        (Method::GET, "/Users".to_string(), None),
        (Method::GET, format!("/Users/{user_id}"), None),
        (
            Method::GET,
            "/Users?filter=userName%20sw%20%22v%22".to_string(),
            None,
        ),
        (
            Method::POST,
            "/Users".to_string(),
            Some(json!({"schemas": [USER_SCHEMA], "userName": "intruder@example.com"})),
        ),
        (
            Method::PATCH,
            format!("/Users/{user_id}"),
            Some(
                json!({"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "path": "active", "value": false}]}),
            ),
        ),
        (Method::DELETE, format!("/Users/{user_id}"), None),
    ];
    for (method, path, body) in requests {
        let mut request = client
            .request(method.clone(), format!("{}{path}", server.scim_url()))
            .header("Authorization", authorization);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        assert!(
            response.headers().get("www-authenticate").is_some(),
            "{what} {method} {path}: 401 names the scheme"
        );
        let body: Value = response.json().await.unwrap();
        assert_scim_refusal(
            &format!("{what} {method} {path}"),
            status,
            &body,
            &[401],
            "victim",
        );
    }
}

async fn forged_tokens_are_refused_without_data(engine: Engine) {
    let server = server_with_secret(engine).await;
    let victim = create_user(&server, server.scim_token(), "victim@example.com").await;
    let victim_id = victim["id"].as_str().unwrap().to_string();
    let org_id = server.default_org_id().to_string();
    let jti = server.app().store.list_tokens(&org_id).await.unwrap()[0]
        .id
        .clone();
    let claims =
        json!({"iss": "abm-scim", "org": org_id, "jti": jti, "iat": 1, "exp": 9_999_999_999i64});
    let real = server.scim_token().to_string();
    let (real_head, rest) = real.split_once('.').unwrap();
    let (_real_payload, real_sig) = rest.split_once('.').unwrap();

    let mut forgeries: Vec<(&str, String)> = Vec::new();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = json!({"alg": alg, "typ": "JWT"});
        forgeries.push(("alg none", format!("{}.{}.", b64(&header), b64(&claims))));
        forgeries.push((
            "alg none with a signature",
            format!("{}.{}.{real_sig}", b64(&header), b64(&claims)),
        ));
    }
    // HS/RS confusion: an RS256 header over an HMAC made with the secret bytes (what a server
    // that takes the key's algorithm from the token would accept), or over garbage.
    for alg in ["RS256", "ES256", "PS256"] {
        forgeries.push((
            "asymmetric alg, HMAC signature",
            hmac_token(
                json!({"alg": alg, "typ": "JWT"}),
                &claims,
                JWT_SECRET.as_bytes(),
            ),
        ));
        forgeries.push((
            "asymmetric alg, garbage signature",
            format!(
                "{}.{}.{}",
                b64(&json!({"alg": alg, "typ": "JWT"})),
                b64(&claims),
                URL_SAFE_NO_PAD.encode([7u8; 256])
            ),
        ));
    }
    // Another HMAC size with the right secret is still not HS256.
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        forgeries.push((
            "HS384/HS512 with the real secret",
            jsonwebtoken::encode(
                &Header::new(alg),
                &claims,
                &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
            )
            .unwrap(),
        ));
    }
    forgeries.push((
        "HS256 with another secret",
        hmac_token(
            json!({"alg": "HS256", "typ": "JWT"}),
            &claims,
            b"another-secret-another-secret-another-secret",
        ),
    ));
    // Even with the real secret, a token the server did not issue does not match the stored hash.
    forgeries.push((
        "HS256 with the real secret but never issued",
        hmac_token(
            json!({"alg": "HS256", "typ": "JWT"}),
            &claims,
            JWT_SECRET.as_bytes(),
        ),
    ));
    // The real token with its payload swapped for another organization's, or stripped.
    let (other_id, _) = other_org(&server, "Other").await;
    let tampered =
        json!({"iss": "abm-scim", "org": other_id, "jti": jti, "iat": 1, "exp": 9_999_999_999i64});
    forgeries.push((
        "tampered payload",
        format!("{real_head}.{}.{real_sig}", b64(&tampered)),
    ));
    forgeries.push((
        "signature stripped",
        format!("{real_head}.{}.", b64(&claims)),
    ));
    forgeries.push(("truncated", real[..real.len() - 3].to_string()));
    forgeries.push(("extra character", format!("{real}x")));
    forgeries.push(("empty segments", "..".to_string()));
    forgeries.push(("not base64", "@@@.###.$$$".to_string()));

    for (what, token) in &forgeries {
        refused_everywhere(&server, what, &format!("Bearer {token}"), &victim_id).await;
    }
    for (what, authorization) in [
        ("the admin token", format!("Bearer {TEST_ADMIN_TOKEN}")),
        (
            "Basic credentials",
            format!("Basic {}", URL_SAFE_NO_PAD.encode(format!("x:{real}"))),
        ),
        ("no scheme", real.clone()),
        ("empty bearer", "Bearer ".to_string()),
        ("bearer only", "Bearer".to_string()),
    ] {
        refused_everywhere(&server, what, &authorization, &victim_id).await;
    }
    // Nothing was created, changed or deleted.
    assert_eq!(account_count(&server, &org_id).await, 1);
    let (status, user) = send(server.scim(Method::GET, &format!("/Users/{victim_id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(user["active"], true);
    assert_eq!(user["meta"]["version"], victim["meta"]["version"]);
    server.stop().await;
}

async fn deleted_organizations_token_is_refused(engine: Engine) {
    let server = engine.server().await;
    let (org_id, token) = other_org(&server, "Doomed").await;
    let user = create_user(&server, &token, "victim@doomed.test").await;
    let id = user["id"].as_str().unwrap().to_string();
    let (status, _) = send(
        server
            .admin()
            .request(Method::DELETE, &format!("/orgs/{org_id}")),
    )
    .await;
    assert_eq!(status, 204);
    refused_everywhere(
        &server,
        "deleted org token",
        &format!("Bearer {token}"),
        &id,
    )
    .await;
    let (status, body) = send(
        server
            .admin()
            .request(Method::GET, &format!("/orgs/{org_id}/accounts")),
    )
    .await;
    assert_admin_error("accounts of a deleted org", status, &body, &[404]);
    // A new organization does not inherit anything from the deleted one.
    let (_, fresh) = other_org(&server, "Fresh").await;
    let (status, list) = send(scim_with(&server, &fresh, Method::GET, "/Users")).await;
    assert_eq!(status, 200);
    assert_eq!(list["totalResults"], 0, "{list}");
    server.stop().await;
}

async fn revoked_and_expired_tokens_are_refused(engine: Engine) {
    let server = engine.server().await;
    let org_id = server.default_org_id().to_string();
    let victim = create_user(&server, server.scim_token(), "victim@example.com").await;
    let id = victim["id"].as_str().unwrap().to_string();
    let second = server.admin().create_token(&org_id).await;
    let second_token = second["token"].as_str().unwrap().to_string();
    let (status, _) = send(scim_with(&server, &second_token, Method::GET, "/Users")).await;
    assert_eq!(status, 200, "the second token works before it is revoked");
    let (status, body) = send(server.admin().request(
        Method::DELETE,
        &format!(
            "/orgs/{org_id}/scim/tokens/{}",
            second["id"].as_str().unwrap()
        ),
    ))
    .await;
    assert!(status == 204 || status == 200, "{status} {body}");
    refused_everywhere(
        &server,
        "revoked token",
        &format!("Bearer {second_token}"),
        &id,
    )
    .await;
    let (_, body) = send(scim_with(&server, &second_token, Method::GET, "/Users")).await;
    assert!(
        body["detail"].as_str().unwrap().contains("revoked"),
        "{body}"
    );

    // A year and a day later the first token has expired.
    server.admin().advance_clock("P366D").await;
    refused_everywhere(
        &server,
        "expired token",
        &format!("Bearer {}", server.scim_token()),
        &id,
    )
    .await;
    let (_, body) = send(server.scim(Method::GET, "/Users")).await;
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    assert_eq!(account_count(&server, &org_id).await, 1);
    server.stop().await;
}

async fn tokens_never_reach_another_organizations_users(engine: Engine) {
    let server = engine.server().await;
    let a_token = server.scim_token().to_string();
    let a_org = server.default_org_id().to_string();
    let (b_org, b_token) = other_org(&server, "Bravo").await;
    let a_user = create_user(&server, &a_token, "alpha@example.com").await;
    let b_user = create_user(&server, &b_token, "bravo@bravo.test").await;
    for (token, foreign, secret) in [
        (&a_token, &b_user, "bravo@bravo.test"),
        (&b_token, &a_user, "alpha@example.com"),
    ] {
        let id = foreign["id"].as_str().unwrap();
        let attempts = [
            (Method::GET, format!("/Users/{id}"), None),
            (
                Method::PUT,
                format!("/Users/{id}"),
                Some(
                    json!({"schemas": [USER_SCHEMA], "userName": secret, "displayName": "taken over"}),
                ),
            ),
            (
                Method::PATCH,
                format!("/Users/{id}"),
                Some(
                    json!({"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "path": "displayName", "value": "taken over"}]}),
                ),
            ),
            (Method::DELETE, format!("/Users/{id}"), None),
        ];
        for (method, path, body) in attempts {
            let mut request = scim_with(&server, token, method.clone(), &path);
            if let Some(body) = body {
                request = request.json(&body);
            }
            let (status, body) = send(request).await;
            assert_scim_refusal(&format!("{method} {path}"), status, &body, &[404], secret);
        }
        for filter in [
            format!("id eq \"{id}\""),
            format!("userName eq \"{secret}\""),
        ] {
            let (status, list) = send(
                scim_with(&server, token, Method::GET, "/Users").query(&[("filter", &filter)]),
            )
            .await;
            assert_eq!(status, 200, "{list}");
            assert_eq!(list["totalResults"], 0, "{filter}: {list}");
            let (status, list) = send(
                scim_with(&server, token, Method::POST, "/Users/.search")
                    .json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": filter})),
            )
            .await;
            assert_eq!(status, 200, "{list}");
            assert_eq!(list["totalResults"], 0, "{filter}: {list}");
        }
    }
    // Admin paths check that the account belongs to the organization in the path.
    let (status, body) = send(server.admin().request(
        Method::GET,
        &format!("/orgs/{b_org}/accounts/{}", a_user["id"].as_str().unwrap()),
    ))
    .await;
    assert_admin_error("account of another org", status, &body, &[404]);
    // Both users are untouched.
    for (token, user) in [(&a_token, &a_user), (&b_token, &b_user)] {
        let (status, now) = send(scim_with(
            &server,
            token,
            Method::GET,
            &format!("/Users/{}", user["id"].as_str().unwrap()),
        ))
        .await;
        assert_eq!(status, 200);
        assert_eq!(now["meta"]["version"], user["meta"]["version"], "{now}");
        assert!(now.get("displayName").is_none(), "{now}");
        assert_eq!(now["active"], true);
    }
    assert_eq!(account_count(&server, &a_org).await, 1);
    assert_eq!(account_count(&server, &b_org).await, 1);
    server.stop().await;
}

async fn admin_and_scim_tokens_are_not_interchangeable(engine: Engine) {
    let server = engine.server().await;
    let org_id = server.default_org_id().to_string();
    let orgs_before = org_count(&server).await;
    let scim_token = server.scim_token().to_string();
    let client = reqwest::Client::new();
    let admin_routes = [
        (Method::GET, "/orgs".to_string(), None),
        (
            Method::POST,
            "/orgs".to_string(),
            Some(json!({"name": "Intruder"})),
        ),
        (Method::GET, format!("/orgs/{org_id}"), None),
        (Method::GET, format!("/orgs/{org_id}/accounts"), None),
        (Method::POST, format!("/orgs/{org_id}/scim/tokens"), None),
        (Method::GET, format!("/orgs/{org_id}/requests"), None),
        (Method::GET, format!("/orgs/{org_id}/activity"), None),
        (
            Method::POST,
            "/clock".to_string(),
            Some(json!({"advance": "P400D"})),
        ),
        (Method::POST, "/reaper/run".to_string(), None),
        (Method::DELETE, format!("/orgs/{org_id}"), None),
    ];
    for authorization in [
        Some(format!("Bearer {scim_token}")),
        Some(format!("Bearer {TEST_ADMIN_TOKEN}x")),
        Some(format!(
            "Bearer {}",
            &TEST_ADMIN_TOKEN[..TEST_ADMIN_TOKEN.len() - 1]
        )),
        Some(format!("Basic {TEST_ADMIN_TOKEN}")),
        Some("Bearer ".to_string()),
        None,
    ] {
        for (method, path, body) in &admin_routes {
            let mut request = client.request(
                method.clone(),
                format!("{}/admin/v1{path}", server.base_url()),
            );
            if let Some(authorization) = &authorization {
                request = request.header("Authorization", authorization);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let (status, body) = send(request).await;
            assert_admin_error(
                &format!("{authorization:?} {method} {path}"),
                status,
                &body,
                &[401],
            );
            assert!(!body.to_string().contains(&scim_token));
        }
    }
    // Nothing happened: same organizations, same token count, clock not moved.
    assert_eq!(org_count(&server).await, orgs_before);
    let tokens = server.app().store.list_tokens(&org_id).await.unwrap();
    assert_eq!(tokens.len(), 1);
    let (status, _) = send(server.scim(Method::GET, "/Users")).await;
    assert_eq!(
        status, 200,
        "the SCIM token still works: the clock did not move"
    );
    server.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Secrets in logs: the real binary, its output captured.

const PASSWORD: &str = "Pa55word-never-logged-7f3a";
const PASSWORD2: &str = "Second-pa55word-never-logged-91c2";
const PASSWORD3: &str = "Third-pa55word-never-logged-03be";
const PASSWORD4: &str = "Fourth-pa55word-never-logged-aa07";
const LONG_PASSWORD_PREFIX: &str = "Long-pa55word-never-logged-";
const BIN_ADMIN_TOKEN: &str = "bin-admin-token-never-logged-5d1e";
const GARBAGE_CREDENTIAL: &str = "garbage-credential-never-logged-4412";

struct Child {
    process: tokio::process::Child,
    stdout: tokio::task::JoinHandle<String>,
    stderr: tokio::task::JoinHandle<String>,
    base_url: String,
    scim_token: String,
    stdout_head: String,
}

async fn start_binary(database_url: &str) -> Child {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
    let mut process = tokio::process::Command::new(env!("CARGO_BIN_EXE_abm-scim"))
        .env_clear()
        .env("RUST_LOG", "debug")
        .args([
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database_url,
            "--admin-token",
            BIN_ADMIN_TOKEN,
            "--jwt-secret",
            JWT_SECRET,
            "--clock",
            "manual",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the abm-scim binary starts");
    let mut stderr = process.stderr.take().unwrap();
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    // The banner comes first on stdout: base URL and the first start's token.
    let mut lines = BufReader::new(process.stdout.take().unwrap()).lines();
    let mut head = String::new();
    let (mut base_url, mut scim_token) = (None, None);
    let deadline = std::time::Duration::from_secs(60);
    while base_url.is_none() || scim_token.is_none() {
        let line = tokio::time::timeout(deadline, lines.next_line())
            .await
            .expect("the banner within a minute")
            .unwrap()
            .unwrap_or_else(|| panic!("stdout closed before the banner: {head}"));
        head.push_str(&line);
        head.push('\n');
        if let Some(url) = line.strip_prefix("SCIM base URL: ") {
            base_url = Some(
                url.trim()
                    .trim_end_matches("/feeds/business/scim")
                    .to_string(),
            );
        }
        if let Some(token) = line.strip_prefix("SCIM token: ") {
            scim_token = Some(token.trim().to_string());
        }
    }
    let stdout = tokio::spawn(async move {
        let mut rest = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            rest.push_str(&line);
            rest.push('\n');
        }
        rest
    });
    Child {
        process,
        stdout,
        stderr,
        base_url: base_url.unwrap(),
        scim_token: scim_token.unwrap(),
        stdout_head: head,
    }
}

async fn secrets_never_reach_logs_journal_or_error_bodies(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = match engine {
        Engine::Sqlite => format!("sqlite:{}", dir.path().join("abm.db").display()),
        Engine::Postgres => engine.fresh_database_url().await,
    };
    let mut child = start_binary(&database_url).await;
    let base = child.base_url.clone();
    let scim = format!("{base}/feeds/business/scim");
    let admin = format!("{base}/admin/v1");
    let token = child.scim_token.clone();
    let client = reqwest::Client::new();
    let long_password = format!("{LONG_PASSWORD_PREFIX}{}", "x".repeat(5000));
    let mut bodies: Vec<String> = Vec::new();
    let exchange = |request: reqwest::RequestBuilder| {
        let request = request.header("X-Test", "1");
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };
    fn record(bodies: &mut Vec<String>, status: u16, text: String, expected: u16, what: &str) {
        assert_eq!(status, expected, "{what}: {text}");
        bodies.push(text);
    }

    let (s, t) = exchange(client.get(format!("{scim}/Users")).bearer_auth(&token)).await;
    record(&mut bodies, s, t, 200, "good token");
    let bad = format!("{}AAAA", &token[..token.len() - 4]);
    let (s, t) = exchange(client.get(format!("{scim}/Users")).bearer_auth(&bad)).await;
    record(&mut bodies, s, t, 401, "bad token");
    let (s, t) = exchange(
        client
            .get(format!("{scim}/Users"))
            .bearer_auth(BIN_ADMIN_TOKEN),
    )
    .await;
    record(&mut bodies, s, t, 401, "admin token on SCIM");
    for url in [format!("{scim}/Users"), format!("{admin}/orgs")] {
        let (s, t) = exchange(client.get(url).bearer_auth(GARBAGE_CREDENTIAL)).await;
        record(&mut bodies, s, t, 401, "garbage credential");
    }
    let (s, t) = exchange(client.get(format!("{admin}/orgs")).bearer_auth(&token)).await;
    record(&mut bodies, s, t, 401, "SCIM token on admin");
    let (s, t) = exchange(
        client
            .get(format!("{admin}/orgs"))
            .bearer_auth(format!("{BIN_ADMIN_TOKEN}-wrong")),
    )
    .await;
    record(&mut bodies, s, t, 401, "wrong admin token");
    let (s, t) = exchange(
        client
            .get(format!("{admin}/orgs"))
            .bearer_auth(BIN_ADMIN_TOKEN),
    )
    .await;
    let orgs: Value = serde_json::from_str(&t).unwrap();
    record(&mut bodies, s, t, 200, "admin token");
    let org_id = orgs["orgs"]
        .as_array()
        .or_else(|| orgs.as_array())
        .and_then(|list| list.first())
        .and_then(|org| org["id"].as_str())
        .unwrap_or_else(|| panic!("{orgs}"))
        .to_string();

    let (s, t) = exchange(
        client
            .post(format!("{scim}/Users"))
            .bearer_auth(&token)
            .json(&json!({"schemas": [USER_SCHEMA], "userName": "pw@example.com", "password": PASSWORD})),
    )
    .await;
    let created: Value = serde_json::from_str(&t).unwrap();
    record(&mut bodies, s, t, 201, "POST with a password");
    let id = created["id"].as_str().unwrap().to_string();
    let (s, t) = exchange(
        client
            .patch(format!("{scim}/Users/{id}"))
            .bearer_auth(&token)
            .json(&json!({"schemas": [PATCH_SCHEMA], "Operations": [
                {"op": "replace", "path": "password", "value": PASSWORD2},
                {"op": "replace", "value": {"password": PASSWORD3}},
                {"op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:User:password", "value": PASSWORD4},
                {"op": "add", "value": {"urn:ietf:params:scim:schemas:core:2.0:User:password": PASSWORD4}},
            ]})),
    )
    .await;
    record(&mut bodies, s, t, 200, "PATCH password");
    let (s, t) = exchange(
        client
            .post(format!("{scim}/Users"))
            .bearer_auth(&token)
            .json(&json!({"schemas": [USER_SCHEMA], "userName": 5, "password": PASSWORD})),
    )
    .await;
    record(&mut bodies, s, t, 400, "bad POST with a password");
    let (s, t) = exchange(
        client
            .post(format!("{scim}/Users"))
            .bearer_auth(&token)
            .json(&json!({"schemas": [USER_SCHEMA], "userName": "long@example.com", "password": long_password})),
    )
    .await;
    assert!(s == 201 || s == 400, "over-long password: {s} {t}");
    bodies.push(t);
    let (s, t) = exchange(
        client
            .put(format!("{scim}/Users/{id}"))
            .bearer_auth(&token)
            .json(&json!({"schemas": [USER_SCHEMA], "userName": "pw@example.com", "password": {"nested": PASSWORD}})),
    )
    .await;
    assert!(s == 200 || s == 400, "password of a wrong type: {s} {t}");
    bodies.push(t);

    // A token created through the admin API is shown once, in that response only.
    let (s, t) = exchange(
        client
            .post(format!("{admin}/orgs/{org_id}/scim/tokens"))
            .bearer_auth(BIN_ADMIN_TOKEN),
    )
    .await;
    assert_eq!(s, 201, "{t}");
    let issued: Value = serde_json::from_str(&t).unwrap();
    let new_token = issued["token"].as_str().unwrap().to_string();
    let (s, t) = exchange(client.get(format!("{scim}/Users")).bearer_auth(&new_token)).await;
    record(&mut bodies, s, t, 200, "new token");

    // The journal and its HAR export.
    for path in ["requests", "requests.har"] {
        let (s, t) = exchange(
            client
                .get(format!("{admin}/orgs/{org_id}/{path}"))
                .bearer_auth(BIN_ADMIN_TOKEN),
        )
        .await;
        assert!(
            t.contains("pw@example.com"),
            "the journal recorded the POST: {t}"
        );
        record(&mut bodies, s, t, 200, path);
    }

    // Stop it gracefully and collect everything it wrote.
    let pid = child.process.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = tokio::time::timeout(std::time::Duration::from_secs(30), child.process.wait())
        .await
        .expect("the server stops on SIGTERM")
        .unwrap();
    assert!(exit.success(), "clean exit: {exit:?}");
    let stderr = child.stderr.await.unwrap();
    let stdout = format!("{}{}", child.stdout_head, child.stdout.await.unwrap());

    assert!(
        stderr.contains("abm-scim listening"),
        "logs captured: {stderr}"
    );
    assert!(
        stderr.matches("request finished").count() + stderr.matches("request refused").count()
            >= 12,
        "every request was logged: {stderr}"
    );
    assert!(stderr.contains("DEBUG"), "debug logging was on");
    let secrets = [
        ("the SCIM token", token.as_str()),
        ("the new SCIM token", new_token.as_str()),
        ("the admin token", BIN_ADMIN_TOKEN),
        ("the JWT secret", JWT_SECRET),
        ("a password", PASSWORD),
        ("a password", PASSWORD2),
        ("a password", PASSWORD3),
        ("a password", PASSWORD4),
        ("a password", LONG_PASSWORD_PREFIX),
    ];
    // (The response that issued the new token is the one place it may appear: not in `bodies`.)
    for (what, secret) in secrets {
        assert!(!stderr.contains(secret), "{what} is in the logs");
        for body in &bodies {
            assert!(
                !body.contains(secret),
                "{what} is in a response body: {body}"
            );
        }
    }
    assert!(
        !stderr.contains(GARBAGE_CREDENTIAL),
        "no Authorization header is logged, not even a wrong one"
    );
    // stdout holds the banner and nothing else; the token appears there once.
    for line in stdout.lines() {
        assert!(
            line.starts_with("SCIM base URL: ")
                || line.starts_with("SCIM token: ")
                || line.starts_with("Admin token: "),
            "stdout holds only the banner: {line:?}"
        );
    }
    assert_eq!(stdout.matches(token.as_str()).count(), 1, "{stdout}");
    for (what, secret) in secrets.iter().skip(1) {
        assert!(!stdout.contains(secret), "{what} is on stdout");
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile input on every route.

/// Bodies no route accepts, as raw bytes.
fn hostile_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let zeros = vec!["0"; 10_000].join(",");
    let mut invalid_utf8 = br#"{"userName":"bad-"#.to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    invalid_utf8.extend_from_slice(br#"@example.com"}"#);
    vec![
        ("empty", Vec::new()),
        ("malformed", br#"{"userName": "a@example.com","#.to_vec()),
        (
            "trailing garbage",
            br#"{"userName": "a@example.com"} x"#.to_vec(),
        ),
        ("not JSON", b"userName=a@example.com".to_vec()),
        ("array", b"[]".to_vec()),
        ("string", br#""a@example.com""#.to_vec()),
        ("null", b"null".to_vec()),
        ("number 1e400", b"1e400".to_vec()),
        ("deep array", deep.into_bytes()),
        ("deep object", deep_object.into_bytes()),
        ("invalid UTF-8", invalid_utf8),
        ("huge array", format!("[{zeros}]").into_bytes()),
    ]
}

fn assert_scim_400ish(what: &str, status: u16, body: &Value) {
    assert!(
        (400..500).contains(&status),
        "{what}: expected a 4xx, got {status}: {body}"
    );
    assert_eq!(body["schemas"][0], ERROR_SCHEMA, "{what}: {body}");
    assert_eq!(body["status"], status.to_string(), "{what}: {body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.len() >= 10, "{what}: a clear detail: {body}");
    assert!(!detail.contains("internal"), "{what}: {body}");
}

async fn hostile_bodies_on_scim_routes_are_clear_400s_storing_nothing(engine: Engine) {
    let server = engine.server().await;
    let org_id = server.default_org_id().to_string();
    let user = create_user(&server, server.scim_token(), "target@example.com").await;
    let id = user["id"].as_str().unwrap().to_string();
    let zeros = vec!["0"; 10_000].join(",");
    let emails = (0..10_000)
        .map(|i| format!(r#"{{"value":"e{i}@example.com"}}"#))
        .collect::<Vec<_>>()
        .join(",");
    let ops = vec![r#"{"op":"replace","path":"displayName","value":"x"}"#; 10_000].join(",");
    // Well-formed JSON a User or PatchOp must still refuse.
    let semantic: Vec<(&str, String)> = vec![
        ("userName a number", r#"{"userName": 5}"#.into()),
        (
            "userName 2^70",
            r#"{"userName": 1180591620717411303424}"#.into(),
        ),
        (
            "active 1e400",
            r#"{"userName": "n@example.com", "active": 1e400}"#.into(),
        ),
        (
            "active 2^70",
            r#"{"userName": "n@example.com", "active": 1180591620717411303424}"#.into(),
        ),
        (
            "NUL in userName",
            r#"{"userName": "nul\u0000@example.com"}"#.into(),
        ),
        (
            "NUL in displayName",
            r#"{"userName": "n@example.com", "displayName": "a\u0000b"}"#.into(),
        ),
        (
            "NUL in an email",
            r#"{"userName": "n@example.com", "emails": [{"value": "a\u0000@example.com"}]}"#.into(),
        ),
        (
            "10k emails",
            format!(r#"{{"userName": "n@example.com", "emails": [{emails}]}}"#),
        ),
        (
            "10k numbers as emails",
            format!(r#"{{"userName": "n@example.com", "emails": [{zeros}]}}"#),
        ),
        (
            "name is an array",
            r#"{"userName": "n@example.com", "name": [1, 2]}"#.into(),
        ),
        (
            "emails is a number",
            r#"{"userName": "n@example.com", "emails": 12}"#.into(),
        ),
        (
            "schemas is a string",
            r#"{"schemas": "urn:x", "userName": "n@example.com"}"#.into(),
        ),
        (
            "unknown schema",
            r#"{"schemas": ["urn:evil"], "userName": "n@example.com"}"#.into(),
        ),
    ];
    let patch_semantic: Vec<(&str, String)> = vec![
        (
            "Operations not an array",
            format!(r#"{{"schemas": ["{PATCH_SCHEMA}"], "Operations": 5}}"#),
        ),
        (
            "no schemas",
            r#"{"Operations": [{"op": "replace", "path": "displayName", "value": "x"}]}"#.into(),
        ),
        (
            "op a number",
            format!(r#"{{"schemas": ["{PATCH_SCHEMA}"], "Operations": [{{"op": 1e400}}]}}"#),
        ),
        (
            "path a number",
            format!(
                r#"{{"schemas": ["{PATCH_SCHEMA}"], "Operations": [{{"op": "add", "path": 1180591620717411303424, "value": 1}}]}}"#
            ),
        ),
        (
            "10k operations",
            format!(r#"{{"schemas": ["{PATCH_SCHEMA}"], "Operations": [{ops}]}}"#),
        ),
        (
            "NUL value",
            format!(
                r#"{{"schemas": ["{PATCH_SCHEMA}"], "Operations": [{{"op": "replace", "path": "displayName", "value": "a\u0000"}}]}}"#
            ),
        ),
        (
            "NUL in path",
            format!(
                r#"{{"schemas": ["{PATCH_SCHEMA}"], "Operations": [{{"op": "replace", "path": "display\u0000Name", "value": "a"}}]}}"#
            ),
        ),
        (
            "active 2^70",
            format!(
                r#"{{"schemas": ["{PATCH_SCHEMA}"], "Operations": [{{"op": "replace", "path": "active", "value": 1180591620717411303424}}]}}"#
            ),
        ),
        (
            "over-long path",
            format!(
                r#"{{"schemas": ["{PATCH_SCHEMA}"], "Operations": [{{"op": "replace", "path": "{}", "value": "a"}}]}}"#,
                "a".repeat(5000)
            ),
        ),
        (
            "deep value filter",
            format!(
                r#"{{"schemas": ["{PATCH_SCHEMA}"], "Operations": [{{"op": "remove", "path": "emails[{}value eq \"x\"{}]"}}]}}"#,
                "(".repeat(100),
                ")".repeat(100)
            ),
        ),
        (
            "10k emails",
            format!(
                r#"{{"schemas": ["{PATCH_SCHEMA}"], "Operations": [{{"op": "add", "path": "emails", "value": [{emails}]}}]}}"#
            ),
        ),
    ];
    let search_semantic: Vec<(&str, String)> = vec![
        ("count 2^70", r#"{"count": 1180591620717411303424}"#.into()),
        ("count 1e400", r#"{"count": 1e400}"#.into()),
        ("startIndex an object", r#"{"startIndex": {}}"#.into()),
        ("filter a number", r#"{"filter": 5}"#.into()),
        (
            "over-long filter",
            format!(r#"{{"filter": "userName eq \"{}\""}}"#, "a".repeat(5000)),
        ),
        (
            "deep filter",
            format!(
                r#"{{"filter": "{}userName pr{}"}}"#,
                "(".repeat(100),
                ")".repeat(100)
            ),
        ),
        (
            "NUL in filter",
            r#"{"filter": "userName eq \"a\u0000\""}"#.into(),
        ),
    ];
    let user_path = format!("/Users/{id}");
    type Cases = Vec<(&'static str, String)>;
    let routes: [(Method, &str, &Cases); 5] = [
        (Method::POST, "/Users", &semantic),
        (Method::PUT, &user_path, &semantic),
        (Method::PATCH, &user_path, &patch_semantic),
        (Method::POST, "/Users/.search", &search_semantic),
        (Method::POST, "/.search", &search_semantic),
    ];
    for (method, path, specific) in routes {
        let mut cases: Vec<(String, Vec<u8>)> = hostile_bodies()
            .into_iter()
            .map(|(what, bytes)| (what.to_string(), bytes))
            .collect();
        cases.extend(
            specific
                .iter()
                .map(|(what, text)| (what.to_string(), text.clone().into_bytes())),
        );
        for (what, bytes) in cases {
            let (status, body) = send(
                server
                    .scim(method.clone(), path)
                    .header("Content-Type", "application/scim+json")
                    .body(bytes),
            )
            .await;
            assert_scim_400ish(&format!("{method} {path} {what}"), status, &body);
        }
    }
    // Nothing stored: one account, unchanged.
    assert_eq!(account_count(&server, &org_id).await, 1);
    let (status, now) = send(server.scim(Method::GET, &user_path)).await;
    assert_eq!(status, 200);
    assert_eq!(now["meta"]["version"], user["meta"]["version"], "{now}");
    server.stop().await;
}

async fn hostile_urls_and_queries_are_clear_4xx(engine: Engine) {
    let server = engine.server().await;
    let long_filter = format!("userName eq \"{}\"", "a".repeat(5000));
    let deep_filter = format!("{}userName pr{}", "(".repeat(40), ")".repeat(40));
    let not_deep = format!("{}userName pr{}", "(".repeat(30), ")".repeat(30));
    let (status, body) = send(
        server
            .scim(Method::GET, "/Users")
            .query(&[("filter", &not_deep)]),
    )
    .await;
    assert_eq!(status, 200, "30 levels are fine: {body}");
    for (what, query) in [
        ("over-long filter", vec![("filter", long_filter.as_str())]),
        ("deep filter", vec![("filter", deep_filter.as_str())]),
        ("NUL in filter", vec![("filter", "userName eq \"a\0b\"")]),
        ("NUL filter", vec![("filter", "\0")]),
        ("count 2^70", vec![("count", "1180591620717411303424")]),
        ("count 1e400", vec![("count", "1e400")]),
        ("startIndex a word", vec![("startIndex", "first")]),
        ("unknown attribute sort", vec![("sortBy", "no\0pe")]),
    ] {
        let (status, body) = send(server.scim(Method::GET, "/Users").query(&query)).await;
        assert_scim_400ish(&format!("GET /Users {what}"), status, &body);
        if what.contains("filter") {
            assert_eq!(body["scimType"], "invalidFilter", "{what}: {body}");
        }
    }
    // Odd ids: never found, never an error 5xx.
    for path in [
        "/Users/%00",
        "/Users/a%00b",
        "/Users/%FF%FE",
        "/Users/%C3%28",
        &format!("/Users/{}", "a".repeat(5000)),
        "/Users/..%2F..%2Fadmin",
        "/Users/'%20OR%201=1--",
    ] {
        for method in [Method::GET, Method::DELETE] {
            let (status, body) = send(server.scim(method.clone(), path)).await;
            let what = format!("{method} {path}");
            assert!(
                status == 404 || status == 400,
                "{what}: expected 404 or 400, got {status}: {body}"
            );
            assert_eq!(body["schemas"][0], ERROR_SCHEMA, "{what}: {body}");
        }
    }
    for path in [
        "/orgs/%00",
        "/orgs/%FF",
        "/orgs/%00/accounts",
        "/orgs/x/accounts/%00",
    ] {
        let (status, body) = send(server.admin().request(Method::GET, path)).await;
        assert_admin_error(&format!("GET {path}"), status, &body, &[400, 404]);
    }
    let org = server.default_org_id();
    for query in [
        "limit=1180591620717411303424",
        "limit=1e400",
        "limit=abc",
        "cursor=%00",
        "cursor=%FF",
        "state=%00",
        "user_name=%00",
    ] {
        let path = format!("/orgs/{org}/accounts?{query}");
        let (status, body) = send(server.admin().request(Method::GET, &path)).await;
        assert!(status < 500, "GET {path}: {status} {body}");
        if status != 200 {
            assert_admin_error(&format!("GET {path}"), status, &body, &[400]);
        }
    }
    for query in [
        "since=1e400",
        "since=1180591620717411303424",
        "kind=%00",
        "wait=forever",
    ] {
        let path = format!("/orgs/{org}/activity?{query}");
        let (status, body) = send(server.admin().request(Method::GET, &path)).await;
        assert!(status < 500, "GET {path}: {status} {body}");
        if status != 200 {
            assert_admin_error(&format!("GET {path}"), status, &body, &[400]);
        }
    }
    server.stop().await;
}

async fn hostile_bodies_on_admin_routes_are_clear_4xx_storing_nothing(engine: Engine) {
    let server = engine.server().await;
    let org = server.default_org_id().to_string();
    let account = server
        .admin()
        .request(Method::POST, &format!("/orgs/{org}/accounts"))
        .json(&json!({"user_name": "manual@example.com"}));
    let (status, created) = send(account).await;
    assert_eq!(status, 201, "{created}");
    let account_id = created["id"].as_str().unwrap().to_string();
    let orgs_before = org_count(&server).await;
    let accounts_before = account_count(&server, &org).await;
    let zeros = vec!["0"; 10_000].join(",");
    // A wrong value for a field each route reads: wrong type, out-of-range number, NUL inside,
    // a 10k-element array.
    let wrong_values: Vec<(&str, String)> = vec![
        ("a number", "5".into()),
        ("2^70", "1180591620717411303424".into()),
        ("1e400", "1e400".into()),
        ("-1e400", "-1e400".into()),
        ("a NUL string", r#""a\u0000b""#.into()),
        ("a 10k-element array", format!("[{zeros}]")),
        ("an object", r#"{"x": 1}"#.into()),
    ];
    let routes = [
        (Method::POST, "/orgs".to_string(), "name"),
        (Method::PATCH, format!("/orgs/{org}"), "name"),
        (Method::POST, format!("/orgs/{org}/domains"), "name"),
        (Method::POST, format!("/orgs/{org}/accounts"), "user_name"),
        (
            Method::PATCH,
            format!("/orgs/{org}/accounts/{account_id}"),
            "user_name",
        ),
        (
            Method::POST,
            format!("/orgs/{org}/accounts/{account_id}/resolve"),
            "action",
        ),
        (Method::PUT, format!("/orgs/{org}/faults"), "rules"),
        (Method::POST, "/seed".to_string(), "orgs"),
        (Method::POST, "/clock".to_string(), "advance"),
    ];
    for (method, path, field) in &routes {
        // (`[]` is a valid body for some admin routes: an empty fault list, an empty seed.)
        let mut cases: Vec<(String, Vec<u8>)> = hostile_bodies()
            .into_iter()
            .filter(|(what, _)| *what != "array")
            .map(|(what, bytes)| (what.to_string(), bytes))
            .collect();
        cases.extend(wrong_values.iter().map(|(what, value)| {
            (
                format!("{field} {what}"),
                format!(r#"{{"{field}": {value}}}"#).into_bytes(),
            )
        }));
        for (what, bytes) in cases {
            let (status, body) = send(
                server
                    .admin()
                    .request(method.clone(), path)
                    .header("Content-Type", "application/json")
                    .body(bytes),
            )
            .await;
            let what = format!("{method} {path} {what}");
            assert!(
                (400..500).contains(&status),
                "{what}: expected a 4xx, got {status}: {body}"
            );
            assert_admin_error(&what, status, &body, &[status]);
            assert!(
                !body["detail"].as_str().unwrap().contains("internal"),
                "{what}: {body}"
            );
        }
    }
    assert_eq!(org_count(&server).await, orgs_before);
    assert_eq!(account_count(&server, &org).await, accounts_before);
    let (status, account) = send(
        server
            .admin()
            .request(Method::GET, &format!("/orgs/{org}/accounts/{account_id}")),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(account["user_name"], "manual@example.com", "{account}");
    let (status, clock) = send(server.admin().request(Method::GET, "/clock")).await;
    assert_eq!(status, 200, "{clock}");
    let (status, list) = send(server.scim(Method::GET, "/Users")).await;
    assert_eq!(
        status, 200,
        "the clock did not jump past the token's expiry: {list}"
    );
    server.stop().await;
}

async fn limits_answer_in_format(engine: Engine) {
    let server = engine
        .builder()
        .await
        .configure(|args| args.max_results = 3)
        .start()
        .await;
    let org = server.default_org_id().to_string();
    for i in 0..5 {
        create_user(&server, server.scim_token(), &format!("u{i}@example.com")).await;
    }
    // Body over 1 MiB: 413 in SCIM format on SCIM routes, admin format on admin routes.
    let big = json!({
        "schemas": [USER_SCHEMA],
        "userName": "big@example.com",
        "displayName": "x".repeat(1024 * 1024 + 10),
    })
    .to_string();
    let user_path = "/Users".to_string();
    for (method, path) in [
        (Method::POST, user_path.as_str()),
        (Method::POST, "/Users/.search"),
        (Method::PATCH, "/Users/anything"),
    ] {
        let (status, body) = send(
            server
                .scim(method.clone(), path)
                .header("Content-Type", "application/scim+json")
                .body(big.clone()),
        )
        .await;
        assert_eq!(status, 413, "{method} {path}: {body}");
        assert_eq!(body["schemas"][0], ERROR_SCHEMA, "{body}");
        assert_eq!(body["status"], "413", "{body}");
    }
    let (status, body) = send(
        server
            .admin()
            .request(Method::POST, "/orgs")
            .header("Content-Type", "application/json")
            .body(json!({"name": "x".repeat(1024 * 1024 + 10)}).to_string()),
    )
    .await;
    assert_admin_error("admin body over 1 MiB", status, &body, &[413]);
    // A body just under the limit is read (and refused for its content, not its size).
    let under = json!({
        "schemas": [USER_SCHEMA],
        "userName": "big@example.com",
        "displayName": "x".repeat(1000 * 1000),
    });
    let (status, body) = send(server.scim(Method::POST, "/Users").json(&under)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(account_count(&server, &org).await, 5);

    // count is capped at max_results; negative counts give no resources (RFC 7644 §3.4.2.4).
    for (count, expected) in [("1000", 3), ("3", 3), ("2", 2), ("0", 0), ("-5", 0)] {
        let (status, list) = send(
            server
                .scim(Method::GET, "/Users")
                .query(&[("count", count)]),
        )
        .await;
        assert_eq!(status, 200, "count={count}: {list}");
        assert_eq!(list["totalResults"], 5, "count={count}: {list}");
        assert_eq!(
            list["Resources"].as_array().map_or(0, Vec::len),
            expected,
            "count={count}: {list}"
        );
        assert_eq!(list["itemsPerPage"], expected, "count={count}: {list}");
    }
    // Filter length and depth.
    let exactly = format!("userName eq \"{}\"", "a".repeat(4096 - 14));
    assert_eq!(exactly.len(), 4096);
    let (status, body) = send(
        server
            .scim(Method::GET, "/Users")
            .query(&[("filter", &exactly)]),
    )
    .await;
    assert_eq!(status, 200, "4096 bytes are allowed: {body}");
    let over = format!("{exactly} ");
    let (status, body) = send(
        server
            .scim(Method::GET, "/Users")
            .query(&[("filter", &over)]),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["scimType"], "invalidFilter");
    assert!(body["detail"].as_str().unwrap().contains("4096"), "{body}");
    let deep = format!("{}userName pr{}", "not (".repeat(33), ")".repeat(33));
    let (status, body) = send(
        server
            .scim(Method::GET, "/Users")
            .query(&[("filter", &deep)]),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["scimType"], "invalidFilter");
    assert!(
        body["detail"].as_str().unwrap().contains("deeper"),
        "{body}"
    );
    server.stop().await;
}

on_both_engines!(
    forged_tokens_are_refused_without_data,
    deleted_organizations_token_is_refused,
    revoked_and_expired_tokens_are_refused,
    tokens_never_reach_another_organizations_users,
    admin_and_scim_tokens_are_not_interchangeable,
    secrets_never_reach_logs_journal_or_error_bodies,
    hostile_bodies_on_scim_routes_are_clear_400s_storing_nothing,
    hostile_urls_and_queries_are_clear_4xx,
    hostile_bodies_on_admin_routes_are_clear_4xx_storing_nothing,
    limits_answer_in_format,
);
