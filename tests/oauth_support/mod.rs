//! Helpers shared by the OAuth tests (`oauth_clients.rs`, `oauth_flow.rs`, `oauth_errors.rs`).
#![allow(dead_code)]

use abm_scim::testing::{OAuthTestClient, TestServer, TEST_ADMIN_TOKEN};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

use crate::common::{scim_with, send};

/// A client that does not follow redirects (the tests read `Location`).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A reply: status, headers and body text.
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The query parameters of the `Location` header.
    pub fn location_params(&self) -> Vec<(String, String)> {
        let location = self
            .header("location")
            .unwrap_or_else(|| panic!("a Location: {}", self.status));
        url::Url::parse(location)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub fn location_param(&self, name: &str) -> Option<String> {
        self.location_params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

pub async fn reply(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request sent");
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap_or_default(),
    }
}

/// `GET /auth/oauth2/v2/authorize` with these query parameters.
pub async fn authorize_page(server: &TestServer, query: &[(&str, &str)]) -> Reply {
    reply(browser().get(server.oauth_authorize_url()).query(query)).await
}

/// What the approval page's form posts (hidden fields of a valid request, plus the decision).
pub async fn decide(server: &TestServer, form: &[(&str, &str)]) -> Reply {
    reply(browser().post(server.oauth_authorize_url()).form(form)).await
}

/// An administrator opening the authorization URL and pressing Allow; returns the redirect's
/// `code` (and checks `state` came back).
pub async fn allow_in_browser(
    server: &TestServer,
    client: &OAuthTestClient,
    state: &str,
) -> String {
    let page = authorize_page(
        server,
        &[
            ("client_id", &client.client_id),
            ("redirect_uri", &client.redirect_uri),
            ("response_type", "code"),
            ("state", state),
        ],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let allowed = decide(
        server,
        &[
            ("client_id", &client.client_id),
            ("redirect_uri", &client.redirect_uri),
            ("response_type", "code"),
            ("state", state),
            ("decision", "allow"),
            ("admin_token", TEST_ADMIN_TOKEN),
        ],
    )
    .await;
    assert_eq!(allowed.status, 303, "{}", allowed.text);
    let location = allowed.header("location").unwrap();
    assert!(location.starts_with(&client.redirect_uri), "{location}");
    assert_eq!(allowed.location_param("state").as_deref(), Some(state));
    allowed.location_param("code").expect("a code")
}

/// `POST /auth/oauth2/v2/token` with a form and optional Basic credentials.
pub async fn token(
    server: &TestServer,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> Reply {
    let mut request = reqwest::Client::new()
        .post(server.oauth_token_url())
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    reply(request).await
}

/// A refresh as ABM's clients send it (credentials in the body).
pub async fn refresh(server: &TestServer, client: &OAuthTestClient, refresh_token: &str) -> Reply {
    token(
        server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
        ],
        None,
    )
    .await
}

/// Asserts an RFC 6749 §5.2 error: status, `error` code, a description, no caching.
#[track_caller]
pub fn assert_oauth_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

/// GET /Users with a bearer token: status and body.
pub async fn scim_users(server: &TestServer, token: &str) -> (u16, Value) {
    send(scim_with(server, token, Method::GET, "/Users")).await
}
