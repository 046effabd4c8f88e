//! The storage contract of what the test harness and the operator share across processes
//! (issue 16): the request journal, the fault rules, the figures `/metrics` reads, and the
//! feed of changes other processes made. A part of [`super::Store`] (its supertrait).

use async_trait::async_trait;

use super::{StoreResult, Timestamp};

/// One journaled request as stored: bodies and headers as JSON text.
#[derive(Debug, Clone)]
pub struct JournalRow {
    /// Assigned by the database on insert (ignored when writing).
    pub seq: i64,
    pub org_id: String,
    pub at: Timestamp,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: i32,
    pub token_id: Option<String>,
    pub latency_ms: f64,
    pub request_headers: String,
    pub request_body: Option<String>,
    pub response_body: Option<String>,
    /// JSON array of dialect feature names.
    pub dialect: String,
    pub fault: Option<String>,
    /// Entries of the organization lost just before this one (the write queue was full).
    pub dropped_before: i64,
}

impl JournalRow {
    pub fn body_bytes(&self) -> i64 {
        (self.request_body.as_deref().map_or(0, str::len)
            + self.response_body.as_deref().map_or(0, str::len)) as i64
    }
}

/// Which entries of an organization to read: the newest `limit` matching, oldest first.
#[derive(Debug, Clone, Default)]
pub struct JournalFilter {
    /// Case-insensitive.
    pub method: Option<String>,
    pub path_prefix: Option<String>,
    pub status: Option<i32>,
    /// Only entries with a greater `seq` (0: all).
    pub since: i64,
    pub limit: i64,
}

/// The bounds an organization's journal is trimmed to.
#[derive(Debug, Clone, Copy)]
pub struct JournalBounds {
    pub entries: i64,
    pub body_bytes: i64,
}

/// A fault rule as stored: its place in the list, the rule as JSON, and its `times` left.
#[derive(Debug, Clone)]
pub struct FaultRow {
    pub position: i64,
    pub rule: String,
    pub remaining: Option<i64>,
}

/// How many accounts an organization has in a state from a source.
#[derive(Debug, Clone)]
pub struct AccountCensus {
    pub org_id: String,
    pub state: String,
    pub source: String,
    pub count: i64,
}

/// The live credentials of one kind (`scim_token`, `oauth_secret`) of an organization.
#[derive(Debug, Clone)]
pub struct CredentialExpiry {
    pub org_id: String,
    pub kind: String,
    /// When the first of them expires.
    pub earliest: Timestamp,
    /// How many of them expire before the `soon` time asked for.
    pub expiring: i64,
}

/// A connection pool's state, for `/metrics`.
#[derive(Debug, Clone)]
pub struct PoolStats {
    /// `statements` (reads and single statements) or `transactions`.
    pub pool: &'static str,
    pub max: u64,
    pub open: u64,
    pub in_use: u64,
    /// Acquisitions that found no free connection (counted when known).
    pub waits: Option<u64>,
    /// Acquisitions that gave up after the acquire timeout (counted when known).
    pub timeouts: Option<u64>,
}

/// A change another process committed, as announced by the database (PostgreSQL NOTIFY).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Organizations, SCIM tokens or OAuth credentials (the store's auth generation has moved).
    Auth,
    /// Settings: the manual clock.
    Clock,
    /// Fault rules.
    Faults,
    /// The feed was (re)connected: changes may have been missed, read everything again.
    Resync,
}

#[async_trait]
pub trait HarnessStore: Send + Sync {
    /// Inserts journal rows (in order, one transaction) and trims the journals of `trim`
    /// organizations to `bounds`, oldest first.
    async fn append_journal(
        &self,
        rows: &[JournalRow],
        trim: &[String],
        bounds: JournalBounds,
    ) -> StoreResult<()>;
    async fn list_journal(
        &self,
        org_id: &str,
        filter: &JournalFilter,
    ) -> StoreResult<Vec<JournalRow>>;
    /// The greatest `seq` of an organization's journal (0 when empty): a cheap "anything new
    /// after S?" for pollers.
    async fn latest_journal_seq(&self, org_id: &str) -> StoreResult<i64>;
    async fn clear_journal(&self, org_id: &str) -> StoreResult<()>;

    /// Replaces an organization's fault rules.
    async fn put_fault_rules(&self, org_id: &str, rules: &[FaultRow]) -> StoreResult<()>;
    async fn list_fault_rules(&self, org_id: &str) -> StoreResult<Vec<FaultRow>>;
    /// Takes one of a limited rule's `times`, atomically; `false` when none was left (or the
    /// rule is gone).
    async fn consume_fault(&self, org_id: &str, position: i64) -> StoreResult<bool>;

    /// Accounts per organization, state and source: one GROUP BY over an index.
    async fn account_census(&self) -> StoreResult<Vec<AccountCensus>>;
    /// Per organization and kind, the earliest expiry of the credentials live at `now`, and
    /// how many of them expire before `soon`.
    async fn credential_expiries(
        &self,
        now: Timestamp,
        soon: Timestamp,
    ) -> StoreResult<Vec<CredentialExpiry>>;
    fn pool_stats(&self) -> Vec<PoolStats>;
    /// Changes committed by other processes, as they commit; `None` when no other process
    /// can share the database this way (SQLite). Starts listening on first call.
    fn watch_changes(&self) -> Option<tokio::sync::broadcast::Receiver<Change>>;
    /// Whether the change feed is connected now (`None`: there is none).
    fn changes_connected(&self) -> Option<bool>;
}
