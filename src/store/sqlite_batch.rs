//! Group commit of account inserts (`POST /Users`) on SQLite.
//!
//! SQLite has one writer, and every committed transaction appends each page it touched to the
//! WAL: an account insert touches the accounts table, its four indexes and the activity table,
//! about eight pages, so commits, not SQL, were most of the cost of a POST (BENCHMARKS.md).
//! Committing concurrent inserts together writes each shared page once per batch. One task
//! owns the batching: it takes every insert queued while the previous batch was committing (up
//! to [`MAX_BATCH`]) and commits them as one transaction of two multi-row INSERTs. When a batch
//! fails (typically one userName already taken), it is rolled back and each insert is run
//! alone, so every caller gets the answer its own insert would have had. An insert that arrives
//! alone is committed alone, at once: batching adds no wait.
//!
//! A queued insert is carried out even if its request is cancelled meanwhile, as if the client
//! had gone away just after the commit.

use sqlx::sqlite::SqlitePool;
use sqlx::SqliteConnection;
use tokio::sync::{mpsc, oneshot};

use super::sqlite::{
    bind_account, bind_events, insert_accounts_sql, insert_events_sql, ACCOUNT_PARAMS,
};
use super::{Account, NewEvent, StoreError, StoreResult};

/// Inserts committed together at most (23 parameters each with one event: far below SQLite's
/// 32,766 bound parameters).
const MAX_BATCH: usize = 64;

struct InsertJob {
    account: Account,
    events: Vec<NewEvent>,
    reply: oneshot::Sender<StoreResult<()>>,
}

pub struct InsertBatcher {
    jobs: mpsc::Sender<InsertJob>,
}

impl InsertBatcher {
    /// Starts the batching task on the write pool; it ends when the batcher is dropped.
    pub fn start(write: SqlitePool) -> Self {
        let (jobs, queue) = mpsc::channel(1024);
        tokio::spawn(run(write, queue));
        Self { jobs }
    }

    /// Inserts one account with its events, committed alone or with others queued meanwhile.
    pub async fn insert(&self, account: &Account, events: &[NewEvent]) -> StoreResult<()> {
        let stopped = || StoreError::Unavailable("the SQLite writer has stopped".into());
        let (reply, answer) = oneshot::channel();
        let job = InsertJob {
            account: account.clone(),
            events: events.to_vec(),
            reply,
        };
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(write: SqlitePool, mut queue: mpsc::Receiver<InsertJob>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        commit(&write, std::mem::take(&mut batch)).await;
    }
}

async fn commit(write: &SqlitePool, jobs: Vec<InsertJob>) {
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
            Ok(()) => {
                for job in jobs {
                    let _ = job.reply.send(Ok(()));
                }
                return;
            }
            // Someone's insert failed; find out whose, one by one.
            Err(_) => rollback(&mut conn).await,
        }
    }
    for job in jobs {
        let result = execute(&mut conn, std::slice::from_ref(&job)).await;
        if result.is_err() {
            rollback(&mut conn).await;
        }
        let _ = job.reply.send(result);
    }
}

/// `BEGIN IMMEDIATE; INSERT accounts ...; INSERT activity ...; COMMIT` as one query: one hop
/// to the connection's worker thread.
async fn execute(conn: &mut SqliteConnection, jobs: &[InsertJob]) -> StoreResult<()> {
    let events: usize = jobs.iter().map(|job| job.events.len()).sum();
    let mut sql = String::from("BEGIN IMMEDIATE; ");
    sql.push_str(&insert_accounts_sql(1, jobs.len()));
    if events > 0 {
        sql.push_str("; ");
        sql.push_str(&insert_events_sql(1 + jobs.len() * ACCOUNT_PARAMS, events));
    }
    sql.push_str("; COMMIT");

    let mut query = sqlx::query(&sql).persistent(false);
    for job in jobs {
        query = bind_account(query, &job.account)?;
    }
    for job in jobs {
        query = bind_events(query, &job.events);
    }
    query.execute(conn).await?;
    Ok(())
}

/// Ends the transaction a failed [`execute`] left open (harmless when none is).
async fn rollback(conn: &mut SqliteConnection) {
    let _ = sqlx::query("ROLLBACK").execute(conn).await;
}
