//! Query plans of the list statements: `totalResults` counts and the rows a deep `startIndex`
//! page skips must come from the SCIM-visible partial indexes alone (no table visit per row),
//! on both engines. The statements checked are the ones the store runs
//! (`AccountQuery::page_sql` / `count_sql` over `SCIM_VISIBLE_SQL`).

mod common;

use abm_scim::scim::filter_sql::{SqlFragment, SqlParam};
use abm_scim::service::SCIM_VISIBLE_SQL;
use abm_scim::store::AccountQuery;
use abm_scim::testing::TestServer;
use common::Engine;
use sqlx::{Connection, Row};

/// A list query over SCIM-visible accounts with `extra` ANDed to the visibility condition.
fn list_query(
    extra: Option<&str>,
    params: Vec<SqlParam>,
    order_by: &str,
    offset: i64,
) -> AccountQuery {
    let sql = match extra {
        Some(extra) => format!("{SCIM_VISIBLE_SQL} AND ({extra})"),
        None => SCIM_VISIBLE_SQL.to_string(),
    };
    AccountQuery {
        org_id: "org".into(),
        condition: SqlFragment { sql, params },
        order_by: order_by.into(),
        limit: 100,
        offset,
        count_total: true,
    }
}

/// What is explained: the count, or the id subquery of a deep page.
#[derive(Clone, Copy)]
enum Statement {
    Count,
    DeepPageIds,
}

impl Statement {
    fn sql(self, query: &AccountQuery) -> String {
        match self {
            Statement::Count => query.count_sql(),
            Statement::DeepPageIds => {
                let sql = query.page_sql("a.*");
                let start = sql
                    .find("(SELECT a.id")
                    .expect("a page that skips rows selects its ids first");
                let end = sql.rfind(") page").expect("the id subquery is named page");
                sql[start + 1..end].to_string()
            }
        }
    }
}

/// The statements whose plans must be index-only, with the index each must read.
fn statements() -> Vec<(&'static str, AccountQuery, Statement, &'static str)> {
    let by_created = "a.created_at ASC, a.id ASC";
    let by_user_name = "a.user_name_norm DESC, a.id DESC";
    let prefix = Some("a.user_name_norm >= $2 AND a.user_name_norm < $3");
    let prefix_params = || {
        vec![
            SqlParam::Text("grace.".into()),
            SqlParam::Text("grace/".into()),
        ]
    };
    vec![
        (
            "count of every visible account",
            list_query(None, vec![], by_created, 0),
            Statement::Count,
            // Either SCIM-visible index holds every visible account; planners take the smaller.
            "accounts_scim_",
        ),
        (
            "a deep page in the default order",
            list_query(None, vec![], by_created, 899_900),
            Statement::DeepPageIds,
            "accounts_scim_created",
        ),
        (
            "a deep page sorted by userName, descending",
            list_query(None, vec![], by_user_name, 899_900),
            Statement::DeepPageIds,
            "accounts_scim_user_name",
        ),
        (
            "count of a userName prefix",
            list_query(prefix, prefix_params(), by_user_name, 0),
            Statement::Count,
            "accounts_scim_user_name",
        ),
    ]
}

async fn sqlite_plan(path: &std::path::Path, sql: &str) -> String {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("open the test database");
    // Unbound parameters are NULL: the plan does not depend on them.
    let rows = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
        .fetch_all(&mut conn)
        .await
        .expect("EXPLAIN QUERY PLAN");
    rows.iter()
        .map(|row| row.get::<String, _>("detail"))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn postgres_plan(url: &str, query: &AccountQuery, statement: Statement) -> String {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    // A test table is tiny: make the planner show whether the index *can* serve the query
    // (whether the statement implies the partial index's predicate), as it does at 1M rows.
    for set in ["SET enable_seqscan = off", "SET enable_bitmapscan = off"] {
        sqlx::query(set).execute(&mut conn).await.expect(set);
    }
    let sql = format!("EXPLAIN {}", statement.sql(query));
    let mut explain = sqlx::query(&sql).bind(&query.org_id);
    for param in &query.condition.params {
        match param {
            SqlParam::Text(text) => explain = explain.bind(text.as_str()),
            other => panic!("no test binds {other:?}"),
        }
    }
    if let Statement::DeepPageIds = statement {
        explain = explain.bind(query.limit).bind(query.offset);
    }
    let rows = explain.fetch_all(&mut conn).await.expect("EXPLAIN");
    rows.iter()
        .map(|row| row.get::<String, _>(0))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn counts_and_deep_pages_read_only_the_visible_indexes(engine: Engine) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("abm.db");
    let url = match engine {
        Engine::Sqlite => format!("sqlite:{}", db_path.display()),
        Engine::Postgres => engine.fresh_database_url().await,
    };
    // The server creates the schema (migrations) as it does in production.
    let server = TestServer::builder().database_url(&url).start().await;
    for (what, query, statement, index) in statements() {
        let plan = match engine {
            Engine::Sqlite => sqlite_plan(&db_path, &statement.sql(&query)).await,
            Engine::Postgres => postgres_plan(&url, &query, statement).await,
        };
        // SQLite: "SEARCH a USING [COVERING ]INDEX name (...)". A partial index whose
        // predicate the query implies is read without visiting the table even when SQLite does
        // not call it covering: the implied terms are dropped, and the row lookup is deferred
        // until a table column is needed, which for a count or an id list is never.
        // PostgreSQL: "Index Only Scan [Backward] using name on accounts a".
        let index_only = |line: &str| match engine {
            Engine::Sqlite => {
                line.contains(&format!("USING INDEX {index}"))
                    || line.contains(&format!("USING COVERING INDEX {index}"))
            }
            Engine::Postgres => {
                line.contains("Index Only Scan") && line.contains(&format!(" using {index}"))
            }
        };
        assert!(
            plan.lines().any(index_only),
            "{what}: expected an index-only read of {index} in the plan of\n{}\n--- plan ---\n{plan}",
            statement.sql(&query)
        );
    }
    server.stop().await;
}

on_both_engines!(counts_and_deep_pages_read_only_the_visible_indexes);
