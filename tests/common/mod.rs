//! Shared test support: every integration test runs on both engines against a real server on a
//! random loopback port.
#![allow(dead_code)]

use abm_scim::testing::{fresh_postgres_database, TestServer, TestServerBuilder};
use reqwest::{Method, Response};
use serde_json::Value;

/// Where the PostgreSQL tests create their databases (any database on the server works).
pub const POSTGRES_URL_VAR: &str = "TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// A server builder on a fresh, empty database of this engine.
    pub async fn builder(self) -> TestServerBuilder {
        TestServer::builder().database_url(self.fresh_database_url().await)
    }

    /// A fresh database URL: in-memory SQLite, or a new PostgreSQL database.
    pub async fn fresh_database_url(self) -> String {
        match self {
            Engine::Sqlite => "sqlite::memory:".to_string(),
            Engine::Postgres => {
                fresh_postgres_database(&postgres_server_url().expect("checked by the caller"))
                    .await
            }
        }
    }

    /// A running server on a fresh database.
    pub async fn server(self) -> TestServer {
        self.builder().await.start().await
    }
}

/// The PostgreSQL server for tests. In CI (`CI=true`) its absence fails the test loudly; on a
/// developer machine without PostgreSQL the PostgreSQL half of the suite is skipped with a note.
pub fn postgres_server_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("{POSTGRES_URL_VAR} is not set: CI must run every test against PostgreSQL too (see .ci/run)")
        }
        _ => {
            eprintln!("note: {POSTGRES_URL_VAR} not set; skipping the PostgreSQL run of this test");
            None
        }
    }
}

/// Generates `sqlite::name` and `postgres::name` tests calling `name(Engine)`.
#[macro_export]
macro_rules! on_both_engines {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test($crate::common::Engine::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    if $crate::common::postgres_server_url().is_some() {
                        super::$test($crate::common::Engine::Postgres).await
                    }
                }
            )*
        }
    };
}

/// Sends a request and returns status and JSON body (Null when empty).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response: Response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body read");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// A SCIM request with an explicit token.
pub fn scim_with(
    server: &TestServer,
    token: &str,
    method: Method,
    path: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{}{}", server.scim_url(), path))
        .bearer_auth(token)
}
