//! The journal's write queue: entries wait here, off the request path, until a background
//! task (or a reader) writes them to the database in batches.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::store::{JournalBounds, JournalRow, Store, StoreResult};

/// How the queue is bounded and drained (`--journal-queue`, `--journal-flush-interval`).
#[derive(Debug, Clone, Copy)]
pub struct QueueOptions {
    /// Entries waiting at most; beyond it the oldest are dropped.
    pub capacity: usize,
    /// Entries per write; a full batch is written without waiting for the interval.
    pub batch: usize,
    /// How long an entry waits at most before the writer runs.
    pub interval: Duration,
}

impl Default for QueueOptions {
    fn default() -> Self {
        Self {
            capacity: 10_000,
            batch: 500,
            interval: Duration::from_millis(50),
        }
    }
}

/// An organization's journal is trimmed to its bounds at most this often: trimming reads the
/// organization's whole journal (to sum its bodies), and a busy one is written every batch.
/// Reads never show more than the entry capacity in between.
const TRIM_EVERY: Duration = Duration::from_secs(1);

pub(super) struct WriteQueue {
    store: Arc<dyn Store>,
    bounds: JournalBounds,
    options: QueueOptions,
    state: Mutex<Queued>,
    /// One writer at a time, so a reader's flush waits for the batch being written.
    writing: tokio::sync::Mutex<HashMap<String, Instant>>,
    batch_full: Notify,
    written: AtomicU64,
    dropped: AtomicU64,
}

#[derive(Default)]
struct Queued {
    rows: VecDeque<JournalRow>,
    /// Per organization, entries dropped since its last written entry.
    dropped: HashMap<String, i64>,
}

impl WriteQueue {
    pub(super) fn new(store: Arc<dyn Store>, bounds: JournalBounds, options: QueueOptions) -> Self {
        Self {
            store,
            bounds,
            options: QueueOptions {
                capacity: options.capacity.max(1),
                batch: options.batch.max(1),
                interval: options.interval,
            },
            state: Mutex::new(Queued::default()),
            writing: tokio::sync::Mutex::new(HashMap::new()),
            batch_full: Notify::new(),
            written: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Queued> {
        // Plain data behind the lock: a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn interval(&self) -> Duration {
        self.options.interval
    }

    pub(super) fn counts(&self) -> (u64, u64) {
        (
            self.written.load(Ordering::Relaxed),
            self.dropped.load(Ordering::Relaxed),
        )
    }

    /// Queues a row, dropping the oldest queued one when full.
    pub(super) fn push(&self, row: JournalRow) {
        let mut state = self.state();
        if state.rows.len() >= self.options.capacity {
            if let Some(oldest) = state.rows.pop_front() {
                *state.dropped.entry(oldest.org_id).or_default() += 1 + oldest.dropped_before;
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
        state.rows.push_back(row);
        if state.rows.len() >= self.options.batch {
            self.batch_full.notify_one();
        }
    }

    /// Resolves once a full batch is waiting.
    pub(super) async fn batch_ready(&self) {
        self.batch_full.notified().await;
    }

    /// Forgets what an organization has queued.
    pub(super) fn discard(&self, org_id: &str) {
        let mut state = self.state();
        state.rows.retain(|row| row.org_id != org_id);
        state.dropped.remove(org_id);
    }

    /// Writes everything queued, batch by batch. A batch that cannot be written is lost and
    /// counted as dropped (and marked on the organization's next entry): the queue must not
    /// grow while the database is away.
    pub(super) async fn flush(&self) -> StoreResult<()> {
        let mut last_trim = self.writing.lock().await;
        loop {
            let batch = self.take_batch();
            if batch.is_empty() {
                return Ok(());
            }
            let now = Instant::now();
            let mut trim: Vec<String> = Vec::new();
            for row in &batch {
                let due = last_trim
                    .get(&row.org_id)
                    .is_none_or(|at| now.duration_since(*at) >= TRIM_EVERY);
                if due && !trim.contains(&row.org_id) {
                    trim.push(row.org_id.clone());
                }
            }
            match self.store.append_journal(&batch, &trim, self.bounds).await {
                Ok(()) => {
                    self.written
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                    for org in trim {
                        last_trim.insert(org, now);
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, entries = batch.len(), "journal entries could not be written and are dropped");
                    self.dropped
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                    let mut state = self.state();
                    for row in batch {
                        *state.dropped.entry(row.org_id).or_default() += 1 + row.dropped_before;
                    }
                    return Err(err);
                }
            }
        }
    }

    /// The next batch, each row carrying the drops of its organization before it.
    fn take_batch(&self) -> Vec<JournalRow> {
        let mut state = self.state();
        let take = state.rows.len().min(self.options.batch);
        let mut batch: Vec<JournalRow> = state.rows.drain(..take).collect();
        for row in &mut batch {
            if let Some(lost) = state.dropped.remove(&row.org_id) {
                row.dropped_before += lost;
            }
        }
        batch
    }
}
