//! Group commit of account writes on SQLite: `POST /Users` inserts, and the updates and deletes
//! behind PATCH, PUT, DELETE and reactivation.
//!
//! SQLite has one writer, and every committed transaction appends each page it touched to the
//! WAL: an account write touches the accounts table, its indexes and the activity table, about
//! eight pages, so commits, not SQL, were most of the cost of a write (BENCHMARKS.md; PATCH ran
//! at a quarter of POST's rate while only inserts were batched). Committing concurrent writes
//! together writes each shared page once per batch. One task owns the batching: it takes every
//! write queued while the previous batch was committing (up to [`MAX_BATCH`]) and commits them
//! as one transaction, sent to SQLite as one multi-statement query (one hop to the connection's
//! worker thread): the inserts as two multi-row INSERTs, then each update or delete with its
//! events.
//!
//! Each write keeps its own contract inside the batch. An update or delete names the version
//! it read; it returns its job number only if it found the row at that version, and its events
//! are inserted only then (`changes() = 1`), so a stale write changes nothing and answers
//! `false`. When a batch fails as a whole (typically one userName already taken), it is rolled
//! back and each write is run alone, so every caller gets the answer its own write would have
//! had: all or nothing per request. A write that arrives alone is committed alone, at once:
//! batching adds no wait.
//!
//! A queued write is carried out even if its request is cancelled meanwhile, as if the client
//! had gone away just after the commit.

use std::collections::HashSet;

use sqlx::sqlite::SqlitePool;
use sqlx::{Row, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use super::sqlite_statements::{
    bind_account, bind_delete, bind_events, bind_update, delete_account_sql, insert_accounts_sql,
    insert_events_sql, insert_events_when_sql, update_account_sql,
};
use super::{Account, NewEvent, StoreError, StoreResult};

/// Writes committed together at most (an insert binds 23 parameters with its one event, an
/// update 23: far below SQLite's 32,766 bound parameters).
const MAX_BATCH: usize = 64;

/// One account write waiting for its commit.
enum Write {
    Insert(Account),
    Update {
        account: Account,
        expected_version: i64,
    },
    Delete {
        org_id: String,
        id: String,
        expected_version: i64,
    },
}

struct Job {
    write: Write,
    events: Vec<NewEvent>,
    /// Whether the write happened (inserts always do when they succeed).
    reply: oneshot::Sender<StoreResult<bool>>,
}

impl Job {
    /// Whether the write, number `n` of a committed batch that found the rows `written`,
    /// happened: an insert that committed always did.
    fn happened(&self, n: usize, written: &HashSet<usize>) -> bool {
        matches!(self.write, Write::Insert(_)) || written.contains(&n)
    }
}

pub struct WriteBatcher {
    jobs: mpsc::Sender<Job>,
}

impl WriteBatcher {
    /// Starts the batching task on the write pool; it ends when the batcher is dropped.
    pub fn start(write: SqlitePool) -> Self {
        let (jobs, queue) = mpsc::channel(1024);
        tokio::spawn(run(write, queue));
        Self { jobs }
    }

    /// Inserts one account with its events.
    pub async fn insert(&self, account: &Account, events: &[NewEvent]) -> StoreResult<()> {
        self.submit(Write::Insert(account.clone()), events)
            .await
            .map(|_| ())
    }

    /// Writes `account` over the row at `expected_version`; `false` when the row is not (or
    /// no longer) at that version.
    pub async fn update(
        &self,
        account: &Account,
        expected_version: i64,
        events: &[NewEvent],
    ) -> StoreResult<bool> {
        let write = Write::Update {
            account: account.clone(),
            expected_version,
        };
        self.submit(write, events).await
    }

    /// Deletes the account if it is still at `expected_version`.
    pub async fn delete(
        &self,
        org_id: &str,
        id: &str,
        expected_version: i64,
        events: &[NewEvent],
    ) -> StoreResult<bool> {
        let write = Write::Delete {
            org_id: org_id.to_string(),
            id: id.to_string(),
            expected_version,
        };
        self.submit(write, events).await
    }

    async fn submit(&self, write: Write, events: &[NewEvent]) -> StoreResult<bool> {
        let stopped = || StoreError::Unavailable("the SQLite writer has stopped".into());
        let (reply, answer) = oneshot::channel();
        let job = Job {
            write,
            events: events.to_vec(),
            reply,
        };
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(write: SqlitePool, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        commit(&write, std::mem::take(&mut batch)).await;
    }
}

async fn commit(write: &SqlitePool, jobs: Vec<Job>) {
    let mut conn = match write.acquire().await {
        Ok(conn) => conn,
        Err(err) => {
            let err = err.to_string();
            for job in jobs {
                let _ = job.reply.send(Err(StoreError::Unavailable(err.clone())));
            }
            return;
        }
    };
    if jobs.len() > 1 {
        match execute(&mut conn, &jobs).await {
            Ok(written) => {
                for (n, job) in jobs.into_iter().enumerate() {
                    let happened = job.happened(n, &written);
                    let _ = job.reply.send(Ok(happened));
                }
                return;
            }
            // Someone's write failed; find out whose, one by one.
            Err(_) => rollback(&mut conn).await,
        }
    }
    for job in jobs {
        let result = execute(&mut conn, std::slice::from_ref(&job)).await;
        if result.is_err() {
            rollback(&mut conn).await;
        }
        let result = result.map(|written| job.happened(0, &written));
        let _ = job.reply.send(result);
    }
}

/// Commits `jobs` as one transaction; returns the numbers (positions in `jobs`) of the updates
/// and deletes that found their row at the expected version.
async fn execute(conn: &mut SqliteConnection, jobs: &[Job]) -> StoreResult<HashSet<usize>> {
    let inserted: Vec<&Job> = jobs
        .iter()
        .filter(|job| matches!(job.write, Write::Insert(_)))
        .collect();
    let mut sql = String::from("BEGIN IMMEDIATE; ");
    if !inserted.is_empty() {
        sql.push_str(&insert_accounts_sql(1, inserted.len()));
        sql.push_str("; ");
        let events: usize = inserted.iter().map(|job| job.events.len()).sum();
        if events > 0 {
            sql.push_str(&insert_events_sql(1, events));
            sql.push_str("; ");
        }
    }
    for (n, job) in jobs.iter().enumerate() {
        // `RETURNING n` tells which writes found their row; their events follow them at
        // once, so `changes()` is still the write's.
        let statement = match &job.write {
            Write::Insert(_) => continue,
            Write::Update { .. } => update_account_sql(1),
            Write::Delete { .. } => delete_account_sql(1),
        };
        sql.push_str(&format!("{statement} RETURNING {n} AS job; "));
        if !job.events.is_empty() {
            sql.push_str(&insert_events_when_sql(
                1,
                job.events.len(),
                "changes() = 1",
            ));
            sql.push_str("; ");
        }
    }
    sql.push_str("COMMIT");

    // Positional `?` parameters bind in order across the statements.
    // Prepared once per batch shape and kept in the connection's statement cache (LRU): a
    // run of PATCHes gives batches of only updates, whose text depends on their number alone;
    // preparing each batch's UPDATEs anew cost a quarter of PATCH's rate.
    let mut query = sqlx::query(&sql);
    for job in &inserted {
        if let Write::Insert(account) = &job.write {
            query = bind_account(query, account)?;
        }
    }
    for job in &inserted {
        query = bind_events(query, &job.events);
    }
    for job in jobs {
        query = match &job.write {
            Write::Insert(_) => continue,
            Write::Update {
                account,
                expected_version,
            } => bind_update(query, account, *expected_version)?,
            Write::Delete {
                org_id,
                id,
                expected_version,
            } => bind_delete(query, org_id, id, *expected_version),
        };
        query = bind_events(query, &job.events);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let n: i64 = row.try_get("job")?;
            usize::try_from(n).map_err(|_| StoreError::Corrupt(format!("job number {n}")))
        })
        .collect()
}

/// Ends the transaction a failed [`execute`] left open (harmless when none is).
async fn rollback(conn: &mut SqliteConnection) {
    let _ = sqlx::query("ROLLBACK").execute(conn).await;
}
