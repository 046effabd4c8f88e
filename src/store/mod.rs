//! Persistence: one [`Store`] contract, two engines (PostgreSQL and SQLite) over sqlx.
//!
//! The store knows rows, not rules: Apple Business Manager semantics live in `service`. Every write
//! that changes an account takes the activity events describing it, so both land in one
//! transaction. Read-modify-write is optimistic: [`Store::update_account`] only succeeds if the
//! row still has the version the caller read.

mod harness;
mod oauth;
mod open_errors;
mod pg_changes;
mod postgres;
mod postgres_statements;
mod records;
mod sql;
mod sqlite;
mod sqlite_batch;
mod sqlite_private;
mod sqlite_statements;
mod statement_pool;

use async_trait::async_trait;

pub use harness::*;
pub use oauth::OAuthStore;
pub use records::*;

pub use crate::domain::Timestamp;
use crate::scim::filter_sql::{Dialect, SqlFragment};

/// Storage failures. Constraint violations are turned into domain errors by the caller.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint was hit (e.g. `userName` already taken in the organization).
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    /// The database could not be reached in time (pool timeout, connection refused...).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A stored value could not be decoded: a bug or a corrupted row.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(String),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or("unique").to_string())
            }
            // The server is going away or refusing connections (PostgreSQL SQLSTATE class 08,
            // 57P01-57P03 shutdown/crash/starting up, 53300 too many connections).
            sqlx::Error::Database(db)
                if db.code().is_some_and(|code| {
                    code.starts_with("08")
                        || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300")
                }) =>
            {
                StoreError::Unavailable(err.to_string())
            }
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(err.to_string()),
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                StoreError::Corrupt(err.to_string())
            }
            _ => StoreError::Database(err.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> Self {
        StoreError::Corrupt(err.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

pub use crate::scim::filter_key::KeyLookup;

/// Read by the SQLite statements (the PostgreSQL CTE names no index).
impl KeyLookup {
    /// The SQLite index led by the organization and the key (migration 0001; a `TEXT PRIMARY
    /// KEY` gets SQLite's automatic index).
    fn sqlite_index(&self) -> &'static str {
        match self.column {
            "id" => "sqlite_autoindex_accounts_1",
            "user_name_norm" => "accounts_org_user_name",
            _ => "accounts_org_external_id",
        }
    }
}

/// A page of accounts selected by SQL built elsewhere (filters compile to bound parameters).
#[derive(Debug, Clone)]
pub struct AccountQuery {
    pub org_id: String,
    /// Extra conditions ANDed after `a.org_id = $1`; its placeholders start at `$2`.
    pub condition: SqlFragment,
    /// A complete ORDER BY list (must end with a unique key such as `a.id` for stable pages).
    pub order_by: String,
    pub limit: i64,
    pub offset: i64,
    /// Whether to run the `COUNT(*)` for `totalResults`.
    pub count_total: bool,
    /// A key the condition pins, whose index then selects the rows (see [`KeyLookup`]).
    pub key: Option<KeyLookup>,
}

impl AccountQuery {
    fn condition_sql(&self) -> &str {
        if self.condition.sql.is_empty() {
            "TRUE"
        } else {
            &self.condition.sql
        }
    }

    /// The statement selecting the page's rows as `columns` (over alias `a`), with the limit
    /// and offset bound after the condition's parameters (and the key's value after them).
    ///
    /// A page that skips rows selects the page's ids first ([`Self::page_ids_sql`]) and joins
    /// back to the table: the skipped rows are then read from an index alone (the SCIM-visible
    /// partial indexes hold the list orders) rather than fetched one by one, which
    /// PostgreSQL's plain index scan does for every row it skips. A key lookup has no rows
    /// worth skipping that way.
    pub fn page_sql(&self, columns: &str) -> String {
        if self.offset > 0 && self.key.is_none() {
            format!(
                "SELECT {columns} FROM accounts a JOIN ({}) page ON a.id = page.page_id ORDER BY {}",
                self.page_ids_sql(),
                self.order_by
            )
        } else {
            self.select_page(columns)
        }
    }

    /// The ids of the page's rows (as `page_id`), in order: the part of a page that walks past
    /// the skipped rows.
    pub fn page_ids_sql(&self) -> String {
        self.select_page("a.id AS page_id")
    }

    fn select_page(&self, columns: &str) -> String {
        let limit = self.condition.params.len() + 2;
        let (with, from) = self.source(limit + 2);
        format!(
            "{with}SELECT {columns} FROM {from} WHERE a.org_id = $1 AND ({}) ORDER BY {} LIMIT ${limit} OFFSET ${}",
            self.condition_sql(),
            self.order_by,
            limit + 1
        )
    }

    /// The statement counting every row the condition selects (`totalResults`), the key's
    /// value (if any) bound after the condition's parameters.
    pub fn count_sql(&self) -> String {
        let (with, from) = self.source(self.condition.params.len() + 2);
        format!(
            "{with}SELECT COUNT(*) AS n FROM {from} WHERE a.org_id = $1 AND ({})",
            self.condition_sql()
        )
    }

    /// What the statement reads, aliased `a`: the table, read through the key's index when
    /// there is one (see [`KeyLookup`]; PostgreSQL's CTE binds the value as `$key_param`).
    fn source(&self, key_param: usize) -> (String, String) {
        match &self.key {
            None => (String::new(), "accounts a".into()),
            Some(key) if key.dialect == Dialect::Sqlite => (
                String::new(),
                format!("accounts a INDEXED BY {}", key.sqlite_index()),
            ),
            Some(key) => (
                format!(
                    "WITH keyed AS MATERIALIZED (SELECT * FROM accounts WHERE org_id = $1 AND {} = ${key_param}) ",
                    key.column
                ),
                "keyed a".into(),
            ),
        }
    }
}

/// What one [`Store::reap_inactive`] batch deleted.
#[derive(Debug, Clone, Default)]
pub struct Reaped {
    /// How many accounts were deleted.
    pub count: u64,
    /// The first `keep` of them (in deletion order), as they were.
    pub accounts: Vec<Account>,
}

/// The storage contract shared by both engines (OAuth clients: [`OAuthStore`]).
#[async_trait]
pub trait Store: OAuthStore + HarnessStore + Send + Sync + 'static {
    /// Which SQL dialect filters must be compiled to.
    fn dialect(&self) -> Dialect;
    /// Whether no other process can share this database (`sqlite::memory:`): nothing can
    /// change it behind this process's back.
    fn is_private(&self) -> bool;
    /// Checks that the database answers (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;
    /// A counter of the writes to organizations and SCIM tokens committed through this store,
    /// so that cached authorisations can tell they may be stale (see `service::auth_cache`).
    fn auth_generation(&self) -> u64;
    /// Closes every pooled connection (graceful shutdown).
    async fn close(&self);

    async fn get_setting(&self, key: &str) -> StoreResult<Option<String>>;
    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()>;
    /// Inserts only if absent; returns whether this call inserted it (first-start races).
    async fn insert_setting_if_absent(&self, key: &str, value: &str) -> StoreResult<bool>;

    async fn insert_org(
        &self,
        org: &Org,
        domains: &[Domain],
        events: &[NewEvent],
    ) -> StoreResult<()>;
    async fn get_org(&self, id: &str) -> StoreResult<Option<Org>>;
    async fn list_orgs(&self) -> StoreResult<Vec<Org>>;
    async fn update_org(&self, org: &Org, events: &[NewEvent]) -> StoreResult<()>;
    /// [`Store::update_org`], and in the same transaction every deactivated account of the
    /// organization gets `delete_after` = its deactivation + `retention` (its retention changed).
    async fn update_org_restamping(
        &self,
        org: &Org,
        events: &[NewEvent],
        retention: std::time::Duration,
    ) -> StoreResult<()>;
    async fn delete_org(&self, id: &str) -> StoreResult<bool>;

    async fn list_domains(&self, org_id: &str) -> StoreResult<Vec<Domain>>;
    async fn upsert_domain(&self, domain: &Domain) -> StoreResult<()>;
    async fn delete_domain(&self, org_id: &str, name: &str) -> StoreResult<bool>;

    async fn insert_token(&self, token: &TokenRecord, events: &[NewEvent]) -> StoreResult<()>;
    async fn get_token(&self, id: &str) -> StoreResult<Option<TokenRecord>>;
    /// A token with its organization, in one round trip (every SCIM request needs both). The
    /// token is found by id or, when `by_hash` is true, by the SHA-256 (hex) of its secret.
    async fn get_token_with_org(
        &self,
        key: &str,
        by_hash: bool,
    ) -> StoreResult<Option<(TokenRecord, Org)>>;
    /// Records a token's use without touching anything else about it (a concurrent revocation
    /// must never be overwritten by a request that read the token just before).
    async fn touch_token(
        &self,
        id: &str,
        last_used_at: Timestamp,
        events: &[NewEvent],
    ) -> StoreResult<()>;
    /// Finds a token by the SHA-256 (hex) of its secret (opaque tokens from seed files).
    async fn get_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>>;
    async fn list_tokens(&self, org_id: &str) -> StoreResult<Vec<TokenRecord>>;
    async fn update_token(&self, token: &TokenRecord, events: &[NewEvent]) -> StoreResult<()>;

    /// Fails with [`StoreError::Conflict`] when the userName is taken in the organization.
    async fn insert_account(&self, account: &Account, events: &[NewEvent]) -> StoreResult<()>;
    async fn get_account(&self, org_id: &str, id: &str) -> StoreResult<Option<Account>>;
    /// Looks up by the lower-cased userName.
    async fn find_account_by_user_name(
        &self,
        org_id: &str,
        user_name_norm: &str,
    ) -> StoreResult<Option<Account>>;
    /// Writes `account` (whose `version` is already the new one) only if the stored row still has
    /// `expected_version`; returns `false` when someone else changed it first.
    async fn update_account(
        &self,
        account: &Account,
        expected_version: i64,
        events: &[NewEvent],
    ) -> StoreResult<bool>;
    /// Deletes the account if it still has `expected_version`.
    async fn delete_account(
        &self,
        org_id: &str,
        id: &str,
        expected_version: i64,
        events: &[NewEvent],
    ) -> StoreResult<bool>;
    /// Applies the same change to many accounts at once (disconnect, federation off).
    /// Inserts many accounts in one transaction (seeding); fails on any conflict.
    async fn bulk_insert_accounts(&self, accounts: &[Account]) -> StoreResult<()>;
    /// Brings the query planner up to date after a bulk load. On PostgreSQL this is a
    /// `VACUUM (ANALYZE)`, which also marks the loaded pages all-visible: counts and deep pages
    /// are then index-only scans at once instead of after autovacuum's next visit.
    async fn refresh_statistics(&self) -> StoreResult<()>;
    /// Deletes up to `batch` accounts of an organization; returns how many went.
    async fn delete_accounts_batch(&self, org_id: &str, batch: i64) -> StoreResult<u64>;
    /// Deletes an organization's activity log.
    async fn delete_events(&self, org_id: &str) -> StoreResult<u64>;
    async fn convert_scim_accounts_to_manual(
        &self,
        org_id: &str,
        now: Timestamp,
    ) -> StoreResult<u64>;
    async fn query_accounts(&self, query: &AccountQuery) -> StoreResult<AccountPage>;

    /// Deletes up to `batch` accounts of `org_id` inactive since `deactivated_before` or earlier, oldest
    /// deactivation first, with one `account_deleted` event each (actor `reaper`, detail
    /// `{"user_name": ...}`), all in one transaction and set-based in SQL (no row travels to the
    /// server and back). Returns how many went and the first `keep` of them in full. Safe with
    /// several processes sharing one database: a row is claimed by exactly one caller.
    async fn reap_inactive(
        &self,
        org_id: &str,
        deactivated_before: Timestamp,
        batch: i64,
        now: Timestamp,
        keep: usize,
    ) -> StoreResult<Reaped>;
    /// The first `limit` accounts [`Store::reap_inactive`] would delete, without deleting.
    async fn list_reapable(
        &self,
        org_id: &str,
        deactivated_before: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Account>>;
    /// How many accounts [`Store::reap_inactive`] would delete.
    async fn count_reapable(&self, org_id: &str, deactivated_before: Timestamp)
        -> StoreResult<u64>;

    async fn append_events(&self, events: &[NewEvent]) -> StoreResult<()>;
    async fn list_events(
        &self,
        org_id: &str,
        since: i64,
        kind: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Event>>;
}

/// Opens the store named by a database URL (`sqlite:...` or `postgres://...`) and runs migrations.
/// A failure is one line naming the database, the cause and what to do (see `open_errors`).
pub async fn connect(
    database_url: &str,
    options: &PoolOptions,
) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(
            postgres::PgStore::connect(database_url, options).await?,
        ))
    } else if database_url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(
            sqlite::SqliteStore::connect(database_url, options).await?,
        ))
    } else {
        Err(open_errors::unsupported_url(database_url))
    }
}

/// Pool settings shared by both engines.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_connections: u32,
    /// How long a request waits for a connection before failing with 503.
    pub acquire_timeout: std::time::Duration,
    /// The connection is for a bulk load (`abm-scim seed`): SQLite's writer then gets a large
    /// page cache. Seeded rows land at random places in the userName indexes, and with the
    /// default 2 MiB cache most of those index pages were read back from the OS at every
    /// insert once the database outgrew it. The server keeps the default (its RSS target).
    pub bulk_load: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: std::time::Duration::from_secs(3),
            bulk_load: false,
        }
    }
}

/// Removes a password from a database URL so it can be logged.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        // Unparsable: what lies between `scheme://` and the last `@` may hold a password.
        Err(_) => match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if scheme + 3 < at => {
                format!("{}***{}", &url[..scheme + 3], &url[at..])
            }
            _ => url.to_string(),
        },
    }
}

#[cfg(test)]
mod error_tests {
    use super::StoreError;
    use std::borrow::Cow;

    /// A database error with a given SQLSTATE.
    #[derive(Debug)]
    struct Sqlstate(&'static str);

    impl std::fmt::Display for Sqlstate {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    impl std::error::Error for Sqlstate {}

    impl sqlx::error::DatabaseError for Sqlstate {
        fn message(&self) -> &str {
            "terminating connection due to administrator command"
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn classify(code: &'static str) -> StoreError {
        StoreError::from(sqlx::Error::Database(Box::new(Sqlstate(code))))
    }

    /// A PostgreSQL shutting down or refusing connections is an outage (503), not a bug (500).
    #[test]
    fn server_shutdown_and_connection_errors_are_unavailable() {
        for code in ["57P01", "57P02", "57P03", "53300", "08006", "08001"] {
            assert!(
                matches!(classify(code), StoreError::Unavailable(_)),
                "{code}"
            );
        }
        for code in ["42601", "22001", "2067"] {
            assert!(matches!(classify(code), StoreError::Database(_)), "{code}");
        }
    }
}
