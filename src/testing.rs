//! An in-process server for integration tests (feature `testing`).
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use abm_scim::testing::TestServer;
//!
//! let server = TestServer::start().await;
//! let users: serde_json::Value = reqwest::Client::new()
//!     .get(format!("{}/Users", server.scim_url()))
//!     .bearer_auth(server.scim_token())
//!     .send().await.unwrap()
//!     .json().await.unwrap();
//! assert_eq!(users["totalResults"], 0);
//! server.stop().await;
//! # });
//! ```

use std::sync::Arc;

use clap::Parser;
use reqwest::{Client, Method, RequestBuilder};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::ClockMode;
use crate::config::{Cli, ServeArgs};
use crate::domain::OrgKind;
use crate::service::App;
use crate::Application;

mod oauth;
pub use oauth::{OAuthSession, OAuthTestClient, TEST_REDIRECT_URI};

/// The admin token every [`TestServer`] uses.
pub const TEST_ADMIN_TOKEN: &str = "test-admin-token";

/// A running server on a random loopback port.
pub struct TestServer {
    base_url: String,
    scim_token: Option<String>,
    default_org_id: Option<String>,
    default_org_kind: OrgKind,
    app: Arc<App>,
    client: Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Configures a [`TestServer`] before it starts.
pub struct TestServerBuilder {
    args: ServeArgs,
}

impl TestServerBuilder {
    /// `sqlite::memory:` by default; a `sqlite:PATH` or `postgres://...` URL otherwise.
    pub fn database_url(mut self, url: impl Into<String>) -> Self {
        self.args.database.database_url = url.into();
        self
    }

    /// The manual clock is the default; use [`ClockMode::System`] for wall time.
    pub fn clock(mut self, mode: ClockMode) -> Self {
        self.args.clock = mode;
        self
    }

    /// The kind of the default organization: business ("Example Org", the default) or school
    /// ("Example School", served at `/feeds/school/scim`, Student by default, 120-day
    /// retention).
    pub fn kind(mut self, kind: OrgKind) -> Self {
        self.args.bootstrap_kind = kind;
        self
    }

    /// Any other option.
    pub fn configure(mut self, change: impl FnOnce(&mut ServeArgs)) -> Self {
        change(&mut self.args);
        self
    }

    pub async fn start(self) -> TestServer {
        TestServer::start_with(self.args).await
    }
}

impl TestServer {
    /// In-memory SQLite, manual clock, default organization with a SCIM token.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    pub fn builder() -> TestServerBuilder {
        let mut args = Cli::try_parse_from(["abm-scim"])
            .expect("default arguments parse")
            .serve;
        args.listen = ([127, 0, 0, 1], 0).into();
        args.database.database_url = "sqlite::memory:".into();
        args.clock = ClockMode::Manual;
        args.admin_token = Some(TEST_ADMIN_TOKEN.into());
        args.public_url = None;
        TestServerBuilder { args }
    }

    async fn start_with(args: ServeArgs) -> Self {
        let server = Application::build(&args).await.expect("test server starts");
        let base_url = format!("http://{}", server.local_addr());
        let app = server.app();
        let scim_token = server.first_start().scim_token.clone();
        let default_org_id = server.first_start().default_org_id.clone();
        let default_org_kind = server.first_start().default_org_kind;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run_until(async move {
            let _ = rx.await;
        }));
        TestServer {
            base_url,
            scim_token,
            default_org_id,
            default_org_kind,
            app,
            client: Client::new(),
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The SCIM base URL an IdP is given for the default organization (its kind's path).
    pub fn scim_url(&self) -> String {
        self.scim_url_for(self.default_org_kind)
    }

    /// The SCIM base URL of organizations of `kind`: `.../feeds/business/scim` or
    /// `.../feeds/school/scim`.
    pub fn scim_url_for(&self, kind: OrgKind) -> String {
        format!("{}{}", self.base_url, kind.scim_path())
    }

    /// The default organization's SCIM token (created on first start).
    pub fn scim_token(&self) -> &str {
        self.scim_token
            .as_deref()
            .expect("the server bootstrapped a default organization")
    }

    /// The default organization's id.
    pub fn default_org_id(&self) -> &str {
        self.default_org_id
            .as_deref()
            .expect("the server bootstrapped a default organization")
    }

    /// Direct access to the rules layer, for assertions a black box cannot make.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// An admin API client authenticated with [`TEST_ADMIN_TOKEN`].
    pub fn admin(&self) -> AdminClient {
        AdminClient {
            base: format!("{}/admin/v1", self.base_url),
            client: self.client.clone(),
        }
    }

    /// A SCIM request with the default organization's token.
    pub fn scim(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.scim_url(), path))
            .bearer_auth(self.scim_token())
    }

    /// Stops the server and waits until it has shut down.
    pub async fn stop(mut self) {
        self.shutdown_inner().await;
    }

    async fn shutdown_inner(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A thin client for the admin API.
#[derive(Clone)]
pub struct AdminClient {
    base: String,
    client: Client,
}

impl AdminClient {
    /// A request to `/admin/v1{path}` with the admin token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(TEST_ADMIN_TOKEN)
    }

    async fn json(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.request(method.clone(), path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("admin request sent");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "{method} {path} answered {status}: {text}"
        );
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("admin response is JSON")
        }
    }

    /// Moves the manual clock forward by an ISO 8601 duration such as `P31D`.
    pub async fn advance_clock(&self, duration: &str) -> Value {
        self.json(
            Method::POST,
            "/clock",
            Some(serde_json::json!({ "advance": duration })),
        )
        .await
    }

    /// Runs one reaper pass now; returns `{deleted, accounts}`.
    pub async fn run_reaper(&self) -> Value {
        self.json(Method::POST, "/reaper/run", None).await
    }

    /// The accounts of an organization (first page).
    pub async fn accounts(&self, org_id: &str) -> Value {
        self.json(Method::GET, &format!("/orgs/{org_id}/accounts"), None)
            .await
    }

    /// The request journal of an organization.
    pub async fn requests(&self, org_id: &str) -> Value {
        self.json(Method::GET, &format!("/orgs/{org_id}/requests"), None)
            .await
    }

    /// Creates an organization and returns it.
    pub async fn create_org(&self, body: Value) -> Value {
        self.json(Method::POST, "/orgs", Some(body)).await
    }

    /// Creates a SCIM token for an organization; returns `{id, token, expires_at}`.
    pub async fn create_token(&self, org_id: &str) -> Value {
        self.json(Method::POST, &format!("/orgs/{org_id}/scim/tokens"), None)
            .await
    }
}

/// Creates a fresh, uniquely named PostgreSQL database from a server URL (any database on it)
/// and returns its URL, so each test gets an empty schema.
pub async fn fresh_postgres_database(server_url: &str) -> String {
    use sqlx::Connection;
    let mut url = url::Url::parse(server_url).expect("a postgres:// URL");
    let name = format!("abm_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(server_url)
        .await
        .expect("connect to the PostgreSQL server for tests");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let _ = conn.close().await;
    url.set_path(&name);
    url.to_string()
}
