//! [`TestServer`] helpers for the OAuth flow of custom identity providers (issue 14): create the
//! client, approve it without a browser, exchange the code, as ABM's clients do.

use reqwest::Method;
use serde_json::{json, Value};

use super::{AdminClient, TestServer};

/// The redirect URI [`TestServer::oauth_session`] registers.
pub const TEST_REDIRECT_URI: &str = "https://idp.example/oauth/callback";

/// An organization's OAuth client as an identity provider is configured with it.
#[derive(Debug, Clone)]
pub struct OAuthTestClient {
    pub org_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub secret_id: String,
    pub redirect_uri: String,
}

/// What the whole flow gives an identity provider.
#[derive(Debug, Clone)]
pub struct OAuthSession {
    pub client: OAuthTestClient,
    pub access_token: String,
    pub refresh_token: String,
}

impl AdminClient {
    /// Creates the organization's OAuth client with one redirect URI (named "Test IdP").
    pub async fn create_oauth_client(&self, org_id: &str, redirect_uri: &str) -> OAuthTestClient {
        let body = self
            .json(
                Method::POST,
                &format!("/orgs/{org_id}/scim/oauth-client"),
                Some(json!({ "name": "Test IdP", "redirect_uris": [redirect_uri] })),
            )
            .await;
        let field = |name: &str| {
            body[name]
                .as_str()
                .unwrap_or_else(|| panic!("{name} in {body}"))
                .to_string()
        };
        OAuthTestClient {
            org_id: org_id.to_string(),
            client_id: field("client_id"),
            client_secret: field("client_secret"),
            secret_id: field("secret_id"),
            redirect_uri: redirect_uri.to_string(),
        }
    }

    /// Approves the organization's client without a browser (what "Allow" does); returns
    /// `{code, redirect}`.
    pub async fn approve_oauth(
        &self,
        org_id: &str,
        redirect_uri: &str,
        state: Option<&str>,
    ) -> Value {
        self.json(
            Method::POST,
            &format!("/orgs/{org_id}/scim/oauth-client/authorizations"),
            Some(json!({ "redirect_uri": redirect_uri, "state": state })),
        )
        .await
    }
}

impl TestServer {
    /// `http://127.0.0.1:PORT/auth/oauth2/v2/token`
    pub fn oauth_token_url(&self) -> String {
        format!("{}/auth/oauth2/v2/token", self.base_url)
    }

    /// `http://127.0.0.1:PORT/auth/oauth2/v2/authorize`
    pub fn oauth_authorize_url(&self) -> String {
        format!("{}/auth/oauth2/v2/authorize", self.base_url)
    }

    /// A token request with the given form; returns status and JSON body.
    pub async fn oauth_token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .client
            .post(self.oauth_token_url())
            .form(form)
            .send()
            .await
            .expect("token request sent");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Exchanges a code as ABM's clients do (credentials in the body, no PKCE); asserts
    /// success and returns the token response.
    pub async fn exchange_oauth_code(&self, client: &OAuthTestClient, code: &str) -> Value {
        let (status, body) = self
            .oauth_token(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &client.redirect_uri),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
            ])
            .await;
        assert_eq!(status, 200, "code exchange: {body}");
        body
    }

    /// The whole flow for an organization: client created (redirect URI
    /// [`TEST_REDIRECT_URI`]), approved, code exchanged.
    pub async fn oauth_session(&self, org_id: &str) -> OAuthSession {
        let client = self
            .admin()
            .create_oauth_client(org_id, TEST_REDIRECT_URI)
            .await;
        let approval = self
            .admin()
            .approve_oauth(org_id, &client.redirect_uri, Some("test-state"))
            .await;
        let code = approval["code"].as_str().expect("a code").to_string();
        let tokens = self.exchange_oauth_code(&client, &code).await;
        OAuthSession {
            access_token: tokens["access_token"]
                .as_str()
                .expect("access_token")
                .to_string(),
            refresh_token: tokens["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_string(),
            client,
        }
    }
}
