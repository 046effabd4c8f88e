//! The pool that serves single statements: every read, and on PostgreSQL the inserts that are
//! one autocommit statement (`POST /Users`). Transactions use sqlx's pool (`write`).
//!
//! sqlx's `Pool` pings every connection as it is returned: one extra round trip to PostgreSQL
//! and one extra hop to SQLite's worker thread per statement. On the hottest requests (a token
//! lookup, a `GET /Users/{id}`) that doubled the database cost of a request (see BENCHMARKS.md).
//! These connections run single statements outside any transaction, so nothing needs flushing
//! when they are returned: the ping is only a health check, and this pool replaces it by
//! watching the statements' own errors. A connection whose statement failed at the
//! connection level (I/O, protocol, server shutting down) is dropped, not reused, and a new one
//! is opened on demand. A statement cancelled half-way (the client went away) leaves the
//! connection to be drained by the driver before its next statement, as sqlx does for every
//! statement.
//!
//! A dropped connection is logged at WARN with the error that condemned it: a pool that
//! replaces connections is never silent.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use sqlx::{Connection, Database};
use tokio::sync::{Semaphore, SemaphorePermit};

type ConnectOptions<DB> = <<DB as Database>::Connection as Connection>::Options;

pub struct StatementPool<DB: Database> {
    idle: Mutex<Vec<DB::Connection>>,
    /// One permit per connection that may be open at once.
    permits: Semaphore,
    connect: ConnectOptions<DB>,
    acquire_timeout: Duration,
    size: u32,
    /// Acquisitions that found every connection busy, and those of them that timed out
    /// (`/metrics`).
    waits: AtomicU64,
    timeouts: AtomicU64,
}

impl<DB: Database> StatementPool<DB> {
    /// A pool of at most `size` connections opened with `connect` (lazily, on first need).
    pub fn new(connect: ConnectOptions<DB>, size: u32, acquire_timeout: Duration) -> Self {
        Self {
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(size.max(1) as usize),
            connect,
            acquire_timeout,
            size: size.max(1),
            waits: AtomicU64::new(0),
            timeouts: AtomicU64::new(0),
        }
    }

    /// The pool's state now, named `pool`.
    pub fn stats(&self, pool: &'static str) -> super::PoolStats {
        let in_use = u64::from(self.size).saturating_sub(self.permits.available_permits() as u64);
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).len() as u64;
        super::PoolStats {
            pool,
            max: u64::from(self.size),
            open: in_use + idle,
            in_use,
            waits: Some(self.waits.load(Ordering::Relaxed)),
            timeouts: Some(self.timeouts.load(Ordering::Relaxed)),
        }
    }

    /// A connection, waiting at most the acquire timeout for one to be free or to open.
    pub async fn acquire(&self) -> Result<StatementConnection<'_, DB>, sqlx::Error> {
        let deadline = tokio::time::Instant::now() + self.acquire_timeout;
        let permit = match self.permits.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                self.waits.fetch_add(1, Ordering::Relaxed);
                tokio::time::timeout_at(deadline, self.permits.acquire())
                    .await
                    .map_err(|_| {
                        self.timeouts.fetch_add(1, Ordering::Relaxed);
                        sqlx::Error::PoolTimedOut
                    })?
                    .map_err(|_| sqlx::Error::PoolClosed)?
            }
        };
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => tokio::time::timeout_at(deadline, DB::Connection::connect_with(&self.connect))
                .await
                .map_err(|_| sqlx::Error::PoolTimedOut)??,
        };
        Ok(StatementConnection {
            connection: Some(connection),
            idle: &self.idle,
            _permit: permit,
        })
    }

    /// Closes idle connections and refuses new acquisitions.
    pub async fn close(&self) {
        self.permits.close();
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|e| e.into_inner()));
        for connection in idle {
            let _ = connection.close().await;
        }
    }
}

/// A pooled connection; it goes back to its pool when dropped.
pub struct StatementConnection<'p, DB: Database> {
    /// `None` only once the connection was found broken and dropped.
    connection: Option<DB::Connection>,
    idle: &'p Mutex<Vec<DB::Connection>>,
    _permit: SemaphorePermit<'p>,
}

impl<DB: Database> StatementConnection<'_, DB> {
    /// Passes a statement's result through; a connection-level failure drops the connection
    /// so that the next statement opens a fresh one instead of failing again.
    pub fn check<T>(mut self, result: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        if let Err(err) = &result {
            if is_connection_failure(err) {
                tracing::warn!(error = %err, "a database connection failed and is replaced by a new one");
                self.connection.take();
            }
        }
        result
    }
}

/// Errors after which the connection cannot be trusted with another statement.
fn is_connection_failure(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, crash).
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

impl<DB: Database> Deref for StatementConnection<'_, DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &Self::Target {
        self.connection
            .as_ref()
            .expect("a dropped connection is never used again")
    }
}

impl<DB: Database> DerefMut for StatementConnection<'_, DB> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.connection
            .as_mut()
            .expect("a dropped connection is never used again")
    }
}

impl<DB: Database> Drop for StatementConnection<'_, DB> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            self.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(connection);
        }
    }
}

/// Runs one statement: `statement!(self, query, fetch_optional)` is
/// `query.fetch_optional(conn).await?` on a connection of `self.statements`.
macro_rules! statement {
    ($store:expr, $query:expr, $fetch:ident) => {{
        let mut connection = $store.statements.acquire().await?;
        let result = $query.$fetch(&mut *connection).await;
        connection.check(result)?
    }};
}
pub(crate) use statement;
