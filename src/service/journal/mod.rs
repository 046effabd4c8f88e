//! The request journal: every SCIM request and its response, per organization, bounded, kept
//! in the database so that every process sharing it records into and reads one journal.
//!
//! Recording costs the request no database write: [`Journal::record`] puts the entry on a
//! bounded in-process queue that a background task writes in batches (see `queue`). When the
//! queue is full the oldest queued entries are dropped, counted, and the next entry of their
//! organization says how many went before it (`dropped_before`): a request never waits for the
//! journal. Reading through a process first writes what that process has queued, so a client
//! reading right after its own request sees it.

mod queue;
mod redact;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

pub use queue::QueueOptions;
pub use redact::{dialect_features, redact_body};

use super::{ServiceError, ServiceResult};
use crate::domain::Timestamp;
use crate::store::{JournalBounds, JournalFilter, JournalRow, Store};

/// One recorded exchange.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JournalEntry {
    /// Increasing across the whole journal (every organization and process sharing the
    /// database); pass the last one seen as `since`.
    pub seq: u64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub method: String,
    /// Path below the SCIM base, e.g. `/Users/123`.
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    /// Token id of the caller (`Authorization` itself is never recorded).
    pub token_id: Option<String>,
    pub latency_ms: f64,
    pub request_headers: Value,
    pub request_body: Option<Value>,
    pub response_body: Option<Value>,
    /// Client dialect features seen in the request (`capitalised_ops`, `string_booleans`...).
    pub dialect: Vec<String>,
    /// Set when the response was an injected fault.
    pub fault: Option<String>,
    /// How many entries of this organization were lost just before this one, because the
    /// journal's write queue was full (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped_before: Option<u64>,
}

/// Filters of `GET /orgs/{org}/requests`.
#[derive(Debug, Clone, Default)]
pub struct JournalQuery {
    pub method: Option<String>,
    pub path: Option<String>,
    pub status: Option<u16>,
    pub since: Option<u64>,
}

/// Body text kept per organization at most: besides `--journal-capacity` entries, the oldest
/// entries go once their bodies add up to this. Pages of 100 Users are ~60 KB each, and 10,000
/// of them would otherwise hold 600 MB.
const BODY_BYTES_PER_ORG: i64 = 8 * 1024 * 1024;

pub struct Journal {
    store: Arc<dyn Store>,
    capacity: usize,
    queue: queue::WriteQueue,
}

impl Journal {
    pub fn new(store: Arc<dyn Store>, capacity: usize, options: QueueOptions) -> Self {
        let bounds = JournalBounds {
            entries: capacity as i64,
            body_bytes: BODY_BYTES_PER_ORG,
        };
        Journal {
            queue: queue::WriteQueue::new(store.clone(), bounds, options),
            store,
            capacity,
        }
    }

    /// Whether entries are kept at all (`--journal-capacity 0` turns the journal off).
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// Queues an entry; never waits. The bodies are JSON text (already redacted); `entry`'s
    /// own body fields and `seq` are ignored (the database numbers entries).
    pub fn record(
        &self,
        org_id: &str,
        entry: JournalEntry,
        request_body: Option<String>,
        response_body: Option<String>,
    ) {
        if !self.enabled() {
            return;
        }
        self.queue.push(JournalRow {
            seq: 0,
            org_id: org_id.to_string(),
            at: Timestamp::from(entry.at),
            method: entry.method,
            path: entry.path,
            query: entry.query,
            status: i32::from(entry.status),
            token_id: entry.token_id,
            latency_ms: entry.latency_ms,
            request_headers: entry.request_headers.to_string(),
            request_body,
            response_body,
            dialect: serde_json::to_string(&entry.dialect).unwrap_or_else(|_| "[]".into()),
            fault: entry.fault,
            dropped_before: 0,
        });
    }

    /// Entries of an organization matching the query, oldest first (the newest
    /// `--journal-capacity` of them), after writing what this process has queued.
    pub async fn list(
        &self,
        org_id: &str,
        query: &JournalQuery,
    ) -> ServiceResult<Vec<JournalEntry>> {
        self.flush().await?;
        let filter = JournalFilter {
            method: query.method.clone(),
            path_prefix: query.path.clone(),
            status: query.status.map(i32::from),
            since: query
                .since
                .map_or(0, |s| i64::try_from(s).unwrap_or(i64::MAX)),
            limit: self.capacity as i64,
        };
        let rows = self.store.list_journal(org_id, &filter).await?;
        Ok(rows.into_iter().map(expand).collect())
    }

    /// The `seq` of the organization's newest entry (0: none), after writing what this
    /// process has queued: a poller asks this, then [`Journal::list`] with `since` only when
    /// it moved.
    pub async fn latest_seq(&self, org_id: &str) -> ServiceResult<u64> {
        self.flush().await?;
        Ok(self.store.latest_journal_seq(org_id).await?.max(0) as u64)
    }

    /// Forgets an organization's journal, queued entries included.
    pub async fn clear(&self, org_id: &str) -> ServiceResult<()> {
        self.queue.discard(org_id);
        self.flush().await?;
        self.store.clear_journal(org_id).await?;
        Ok(())
    }

    /// Writes every queued entry now.
    pub async fn flush(&self) -> ServiceResult<()> {
        self.queue.flush().await.map_err(ServiceError::from)
    }

    /// Writes queued entries every `interval`, or sooner once a batch is full, until `stop`;
    /// then writes the rest.
    pub async fn run_writer(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let interval = self.queue.interval();
        loop {
            tokio::select! {
                _ = self.queue.batch_ready() => {}
                _ = tokio::time::sleep(interval) => {}
                _ = stop.changed() => break,
            }
            // A failure is logged and counted as dropped entries by the queue.
            let _ = self.queue.flush().await;
        }
        let _ = self.queue.flush().await;
    }

    /// Entries written to the database, and dropped, by this process since it started.
    pub fn counts(&self) -> (u64, u64) {
        self.queue.counts()
    }

    /// How long entries may wait on the queue.
    pub fn flush_interval(&self) -> Duration {
        self.queue.interval()
    }
}

/// A stored row as the API shows it: bodies parsed back to JSON.
fn expand(row: JournalRow) -> JournalEntry {
    let parse =
        |text: Option<String>| text.map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t)));
    JournalEntry {
        seq: row.seq.max(0) as u64,
        at: row.at.to_datetime(),
        method: row.method,
        path: row.path,
        query: row.query,
        status: u16::try_from(row.status).unwrap_or(0),
        token_id: row.token_id,
        latency_ms: row.latency_ms,
        request_headers: serde_json::from_str(&row.request_headers).unwrap_or(Value::Null),
        request_body: parse(row.request_body),
        response_body: parse(row.response_body),
        dialect: serde_json::from_str(&row.dialect).unwrap_or_default(),
        fault: row.fault,
        dropped_before: (row.dropped_before > 0).then_some(row.dropped_before as u64),
    }
}
