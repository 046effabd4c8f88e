//! The PostgreSQL engine.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection as _, Postgres};

use super::open_errors::{self, PostgresTarget};
use super::pg_changes::ChangeFeed;
use super::statement_pool::StatementPool;
use super::PoolOptions;
use crate::scim::filter_sql::Dialect;

/// PostgreSQL store: transactions go through an sqlx pool, single statements through a
/// [`StatementPool`] of their own; together at most `--db-max-connections` connections.
pub struct PgStore {
    statements: StatementPool<Postgres>,
    write: PgPool,
    /// See [`super::Store::auth_generation`]; moved by the change feed too.
    auth_epoch: std::sync::Arc<std::sync::atomic::AtomicU64>,
    changes: ChangeFeed,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl PgStore {
    pub async fn connect(url: &str, options: &PoolOptions) -> anyhow::Result<Self> {
        let connect = PgConnectOptions::from_str(url)
            .map_err(|e| open_errors::invalid_url(url, &e))?
            .application_name("abm-scim");
        let target = PostgresTarget::new(&connect);
        // Migrations run on one connection made directly, which fails at once with its cause
        // (see `PostgresTarget::check`), before the pools open.
        let mut first = target.check(options.acquire_timeout).await?;
        let migrated = MIGRATOR.run(&mut first).await;
        let _ = first.close().await;
        migrated.map_err(|e| open_errors::migration(&target.describe(), &e))?;
        // `--db-max-connections` is the process's whole share of the server's connections: a
        // quarter for transactions, the rest for single statements (most requests).
        let writers = (options.max_connections / 4).max(1);
        let statements = (options.max_connections - writers).max(1);
        let pool = PgPoolOptions::new()
            .max_connections(writers)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect.clone())
            .await
            .map_err(|e| target.pool_failure(&e))?;
        let auth_epoch = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        Ok(Self {
            changes: ChangeFeed::new(connect.clone(), auth_epoch.clone()),
            statements: StatementPool::new(connect, statements, options.acquire_timeout),
            write: pool,
            auth_epoch,
        })
    }
}

impl PgStore {
    /// Inserts are single statements here, committed by PostgreSQL's own group commit.
    fn write_batcher(&self) -> Option<&super::sqlite_batch::WriteBatcher> {
        None
    }

    fn after_close(&self) {
        self.changes.stop();
    }

    fn engine_pool_stats(&self) -> Vec<super::PoolStats> {
        let open = u64::from(self.write.size());
        vec![
            self.statements.stats("statements"),
            super::PoolStats {
                pool: "transactions",
                max: u64::from(self.write.options().get_max_connections()),
                open,
                in_use: open.saturating_sub(self.write.num_idle() as u64),
                waits: None,
                timeouts: None,
            },
        ]
    }

    fn engine_watch_changes(&self) -> Option<tokio::sync::broadcast::Receiver<super::Change>> {
        Some(self.changes.subscribe())
    }

    fn engine_changes_connected(&self) -> Option<bool> {
        Some(self.changes.connected())
    }

    fn private_database(&self) -> bool {
        false
    }
}

// One statement per batch: rows are claimed with SKIP LOCKED (several server processes can reap
// concurrently without waiting on, or double-deleting, each other's rows), deleted by the row
// versions just locked (a TID scan: no second index lookup per row), and their `account_deleted`
// events written from the deleted rows, all inside PostgreSQL; only the first $4 rows come back,
// each with the batch's size. A row updated between the statement's snapshot and its lock is
// left for the next batch. The detail is `{"user_name":"..."}`, as `serde_json` writes it.
const REAP_SQL: &str = concat!(
    "WITH gone AS (DELETE FROM accounts WHERE ctid = ANY(ARRAY(SELECT ctid FROM accounts \
     WHERE org_id = $5 AND state = 'inactive' AND deactivated_at <= $1 \
     ORDER BY deactivated_at LIMIT $2 \
     FOR UPDATE SKIP LOCKED)) RETURNING *), \
     logged AS (INSERT INTO activity (org_id, at, kind, actor, account_id, detail) \
     SELECT org_id, $3, 'account_deleted', 'reaper', id, \
     '{\"user_name\":' || to_json(user_name)::text || '}' FROM gone) \
     SELECT ",
    super::sql::account_columns!(bare, "attrs::text"),
    // Sorted and cut before `attrs` is turned into text: only the rows returned pay for it.
    ", reaped FROM (SELECT *, COUNT(*) OVER () AS reaped FROM gone \
     ORDER BY deactivated_at, id LIMIT $4) AS kept"
);

super::sql::impl_sql_store! {
    store = PgStore,
    db = sqlx::Postgres,
    dialect = Dialect::Postgres,
    statements = postgres_statements,
    attrs_out = "a.attrs::text",
    reap_sql = REAP_SQL,
    refresh_statistics_sql = Some("VACUUM (ANALYZE) accounts"),
    // Any constant: the journal's writers across processes take turns (see `sql::harness`).
    journal_lock = Some("SELECT pg_advisory_xact_lock(1600816)"),
}
