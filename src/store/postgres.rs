//! The PostgreSQL engine.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Postgres;

use super::read_pool::ReadPool;
use super::PoolOptions;
use crate::scim::filter_sql::Dialect;

/// PostgreSQL store: transactions go through an sqlx pool, single statements through a
/// [`ReadPool`] of their own; together at most `--db-max-connections` connections.
pub struct PgStore {
    read: ReadPool<Postgres>,
    write: PgPool,
    /// See [`super::Store::auth_generation`].
    auth_epoch: std::sync::atomic::AtomicU64,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl PgStore {
    pub async fn connect(url: &str, options: &PoolOptions) -> anyhow::Result<Self> {
        let connect = PgConnectOptions::from_str(url)?.application_name("abm-scim");
        // `--db-max-connections` is the process's whole share of the server's connections: a
        // quarter for transactions, the rest for single statements (most requests).
        let writers = (options.max_connections / 4).max(1);
        let statements = (options.max_connections - writers).max(1);
        let pool = PgPoolOptions::new()
            .max_connections(writers)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect.clone())
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            read: ReadPool::new(connect, statements, options.acquire_timeout),
            write: pool,
            auth_epoch: Default::default(),
        })
    }
}

impl PgStore {
    /// Inserts are single statements here, committed by PostgreSQL's own group commit.
    fn insert_batcher(&self) -> Option<&super::sqlite_batch::InsertBatcher> {
        None
    }
}

// Rows are claimed with SKIP LOCKED so several server processes can reap concurrently without
// waiting on, or double-deleting, each other's rows.
const REAP_SQL: &str = concat!(
    "DELETE FROM accounts WHERE id IN (SELECT id FROM accounts WHERE state = 'inactive' \
     AND deactivated_at <= $1 ORDER BY deactivated_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING ",
    super::sql::account_columns!(bare, "attrs::text")
);

super::sql::impl_sql_store! {
    store = PgStore,
    db = sqlx::Postgres,
    dialect = Dialect::Postgres,
    attrs_in = ("CAST(", " AS JSONB)"),
    attrs_out = "a.attrs::text",
    reap_sql = REAP_SQL,
}
