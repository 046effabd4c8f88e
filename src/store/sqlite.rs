//! The embedded SQLite engine.
//!
//! SQLite allows one writer at a time, so writes go through a single-connection pool (no
//! `SQLITE_BUSY` storms) while reads use a pool of their own under WAL. `synchronous=NORMAL`
//! with WAL keeps every committed transaction across a process crash (`kill -9`); only an OS
//! crash or power loss can drop the last transactions (see README, "Durability").

use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::open_errors;
use super::sqlite_batch::WriteBatcher;
use super::sqlite_private::PrivateDatabase;
use super::statement_pool::StatementPool;
use super::PoolOptions;
use crate::scim::filter_sql::Dialect;

pub struct SqliteStore {
    statements: StatementPool<sqlx::Sqlite>,
    write: SqlitePool,
    /// Group commit of account writes (inserts, updates, deletes) on the write pool.
    writes: WriteBatcher,
    /// See [`super::Store::auth_generation`].
    auth_epoch: std::sync::atomic::AtomicU64,
    /// The file behind `sqlite::memory:`, removed when the store closes.
    private: Option<std::sync::Mutex<PrivateDatabase>>,
}

/// SQLite reads run on the server's own cores (no network wait), so more reader connections
/// than this add threads and page caches, not throughput.
const MAX_READERS: u32 = 8;

/// The writer's page cache for a bulk load (see [`PoolOptions::bulk_load`]): 256 MiB, given
/// in KiB as SQLite's negative `cache_size` means.
const BULK_LOAD_CACHE: &str = "-262144";

/// How much of the in-memory database each connection maps (bytes): the file is in RAM
/// already (tmpfs), and mapped pages are read in place instead of copied out by a `read` per
/// page, which every commit makes the read connections repeat (it empties their page caches).
const MEMORY_MMAP_SIZE: &str = "4294967296";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl SqliteStore {
    fn engine_pool_stats(&self) -> Vec<super::PoolStats> {
        vec![
            self.statements.stats("statements"),
            super::PoolStats {
                pool: "transactions",
                max: 1,
                open: u64::from(self.write.size()),
                in_use: u64::from(self.write.size()).saturating_sub(self.write.num_idle() as u64),
                waits: None,
                timeouts: None,
            },
        ]
    }

    /// SQLite has no change feed: it serves one process (see README, "Scaling out").
    fn engine_watch_changes(&self) -> Option<tokio::sync::broadcast::Receiver<super::Change>> {
        None
    }

    fn engine_changes_connected(&self) -> Option<bool> {
        None
    }

    pub async fn connect(url: &str, options: &PoolOptions) -> anyhow::Result<Self> {
        if is_in_memory(url) {
            return Self::connect_in_memory(options).await;
        }
        // WAL with `synchronous=NORMAL` keeps every committed transaction across a process
        // crash (see the module comment).
        let connect = SqliteConnectOptions::from_str(url)
            .map_err(|e| open_errors::invalid_url(url, &e))?
            .synchronous(SqliteSynchronous::Normal);
        Self::open(connect, options, None).await
    }

    /// `sqlite::memory:`: a private database file that lives exactly as long as the store
    /// (see `sqlite_private`), with no durability to pay for: it is gone at exit anyway.
    async fn connect_in_memory(options: &PoolOptions) -> anyhow::Result<Self> {
        let private = PrivateDatabase::create().map_err(|err| {
            open_errors::failure(format!(
                "cannot create the private file of sqlite::memory: {err} — check that /dev/shm or the temporary directory (TMPDIR) is writable"
            ))
        })?;
        let connect = SqliteConnectOptions::new()
            .filename(private.path())
            .synchronous(SqliteSynchronous::Off);
        // Read in place (see MEMORY_MMAP_SIZE): GET by id 11.8–13.5k -> 14.8k req/s at 50k
        // accounts, ahead of the SQLite file.
        let connect = connect.pragma("mmap_size", MEMORY_MMAP_SIZE);
        tracing::debug!(path = %private.path().display(), "in-memory database file");
        Self::open(connect, options, Some(private)).await
    }

    async fn open(
        connect: SqliteConnectOptions,
        options: &PoolOptions,
        private: Option<PrivateDatabase>,
    ) -> anyhow::Result<Self> {
        let connect = connect
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(options.acquire_timeout)
            .foreign_keys(true);
        let writer = if options.bulk_load {
            connect.clone().pragma("cache_size", BULK_LOAD_CACHE)
        } else {
            connect.clone()
        };
        let opened = std::sync::atomic::AtomicU64::new(0);
        // No ping before each acquire: a local file connection does not go stale like a
        // network one, and a ping cut off by a cancelled request made sqlx close the
        // connection (harmless on a file, but a reconnection each time).
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |_, _| {
                note_writer_connection(&opened);
                Box::pin(async { Ok(()) })
            })
            .connect_with(writer)
            .await
            .map_err(|e| open_errors::sqlite_open(connect.get_filename(), &e))?;
        MIGRATOR.run(&write).await.map_err(|e| {
            let database = format!("SQLite database {}", connect.get_filename().display());
            open_errors::migration(&database, &e)
        })?;
        // A smaller page cache per read connection than SQLite's 2 MiB default: 16 of them
        // would hold 32 MiB of copies of the same pages, which the OS page cache holds anyway.
        // SQLite's statement pool is read-only: writes go through the single writer.
        let statements = StatementPool::new(
            connect.read_only(true).pragma("cache_size", "-1024"),
            options.max_connections.min(MAX_READERS),
            options.acquire_timeout,
        );
        Ok(Self {
            statements,
            writes: WriteBatcher::start(write.clone()),
            write,
            auth_epoch: Default::default(),
            private: private.map(std::sync::Mutex::new),
        })
    }
}

/// The writer pool holds one connection; sqlx replaces it when it finds it broken on release
/// (its own WARN, `sqlx::pool`, gives the cause). The replacement is said out loud too: it is
/// harmless on a file, but it is never silent. Called as each writer connection opens.
fn note_writer_connection(opened: &std::sync::atomic::AtomicU64) {
    let earlier = opened.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if earlier > 0 {
        tracing::warn!(
            reconnections = earlier,
            "the SQLite writer's connection was replaced: sqlx closed the previous one (a \
             statement cut off when its client went away, or a failed check on release; see \
             the sqlx::pool warning before this one); no data is lost"
        );
    }
}

impl SqliteStore {
    fn write_batcher(&self) -> Option<&WriteBatcher> {
        Some(&self.writes)
    }

    fn private_database(&self) -> bool {
        self.private.is_some()
    }

    /// Once the pools are closed: the private file of `sqlite::memory:` goes.
    fn after_close(&self) {
        if let Some(private) = &self.private {
            private.lock().unwrap_or_else(|e| e.into_inner()).remove();
        }
    }
}

fn is_in_memory(url: &str) -> bool {
    url == "sqlite::memory:" || url.contains(":memory:") || url.contains("mode=memory")
}

// SQLite has a single writer, so the claim needs no row locks: three statements in one
// transaction (sqlx runs them in turn with the same parameters) claim the same batch, the first
// `$2` expired accounts of organization `$5` in `accounts_org_reaper` index order (no sort), because nothing else can write
// in between. The first records the `account_deleted` events (detail `{"user_name":"..."}`, as
// `serde_json` writes it), the second returns the first `$4` rows with the batch's size (sorted
// by rowid alone, then joined to their columns), the last deletes them.
macro_rules! reap_claim {
    () => {
        "SELECT rowid FROM accounts WHERE org_id = $5 AND state = 'inactive' \
         AND deactivated_at <= $1 ORDER BY deactivated_at, rowid LIMIT $2"
    };
}
const REAP_SQL: &str = concat!(
    "INSERT INTO activity (org_id, at, kind, actor, account_id, detail) \
     SELECT org_id, $3, 'account_deleted', 'reaper', id, json_object('user_name', user_name) \
     FROM accounts WHERE rowid IN (",
    reap_claim!(),
    ") ORDER BY deactivated_at, rowid; SELECT ",
    super::sql::account_columns!(bare, "attrs"),
    ", kept.reaped FROM (SELECT rowid AS kept_rowid, deactivated_at AS kept_at, \
     COUNT(*) OVER () AS reaped FROM accounts WHERE rowid IN (",
    reap_claim!(),
    ") ORDER BY deactivated_at, rowid LIMIT $4) AS kept \
     JOIN accounts ON accounts.rowid = kept.kept_rowid ORDER BY kept.kept_at, kept.kept_rowid; \
     DELETE FROM accounts WHERE rowid IN (",
    reap_claim!(),
    ")"
);

super::sql::impl_sql_store! {
    store = SqliteStore,
    db = sqlx::Sqlite,
    dialect = Dialect::Sqlite,
    statements = sqlite_statements,
    attrs_out = "a.attrs",
    reap_sql = REAP_SQL,
    // SQLite plans these queries well without statistics, and ANALYZE's would be one more
    // thing that could move a plan.
    refresh_statistics_sql = None,
    journal_lock = None::<&str>,
}
