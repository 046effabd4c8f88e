//! Reading query plans of the store's statements, for the plan tests (`list_plans`,
//! `key_lookup_plans`).
#![allow(dead_code)]

use abm_scim::scim::filter_sql::SqlParam;
use abm_scim::store::AccountQuery;
use abm_scim::testing::TestServer;
use sqlx::{Connection, Row};

use crate::common::Engine;

/// A server on a database whose plans can be read from outside: a SQLite file or a fresh
/// PostgreSQL database. The server creates the schema (migrations) as it does in production.
pub struct PlanDatabase {
    pub server: TestServer,
    pub url: String,
    /// The SQLite file (unused on PostgreSQL).
    pub sqlite_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl PlanDatabase {
    pub async fn start(engine: Engine) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let sqlite_path = dir.path().join("abm.db");
        let url = match engine {
            Engine::Sqlite => format!("sqlite:{}", sqlite_path.display()),
            Engine::Postgres => engine.fresh_database_url().await,
        };
        let server = TestServer::builder().database_url(&url).start().await;
        Self {
            server,
            url,
            sqlite_path,
            _dir: dir,
        }
    }
}

/// SQLite's `EXPLAIN QUERY PLAN` of `sql` on the database file at `path`, one line per step.
/// Unbound parameters are NULL: SQLite's plan does not depend on them.
pub async fn sqlite_plan(path: &std::path::Path, sql: &str) -> String {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("open the test database");
    let rows = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
        .fetch_all(&mut conn)
        .await
        .expect("EXPLAIN QUERY PLAN");
    rows.iter()
        .map(|row| row.get::<String, _>("detail"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// PostgreSQL's `EXPLAIN` of `sql` (one of `query`'s statements) with its parameters bound as
/// the store binds them (organization, condition, then limit and offset when the statement has
/// them, then the key's value when it has one): the custom plan a first execution gets. `setup`
/// runs first on the same connection (planner settings).
pub async fn postgres_plan(url: &str, setup: &[&str], query: &AccountQuery, sql: &str) -> String {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    for statement in setup {
        sqlx::query(statement)
            .execute(&mut conn)
            .await
            .expect(statement);
    }
    let sql = format!("EXPLAIN {sql}");
    let mut explain = sqlx::query(&sql).bind(&query.org_id);
    for param in &query.condition.params {
        explain = match param {
            SqlParam::Text(text) => explain.bind(text.as_str()),
            SqlParam::Bool(b) => explain.bind(*b),
            SqlParam::Int(int) => explain.bind(*int),
            SqlParam::Float(f) => explain.bind(*f),
        };
    }
    if sql.contains(" LIMIT ") {
        explain = explain.bind(query.limit).bind(query.offset);
    }
    if let Some(key) = query.key.as_ref().filter(|key| key.binds_value()) {
        explain = explain.bind(key.value.as_str());
    }
    let rows = explain.fetch_all(&mut conn).await.expect("EXPLAIN");
    rows.iter()
        .map(|row| row.get::<String, _>(0))
        .collect::<Vec<_>>()
        .join("\n")
}
