//! PostgreSQL's change feed: one connection per process LISTENs on `abm_scim_changes`, where
//! migration 0008's triggers announce every committed change to what processes cache
//! (credentials and organizations, the manual clock, fault rules).
//!
//! An `auth` announcement moves the store's auth generation at once, so every cached
//! authorisation read before it is dropped: a token revoked through another process is refused
//! here within the time the announcement takes to arrive. The others are passed on to the
//! service (see `service::changes`). When the connection is lost, caches fall back to their
//! TTL; when it is back, everything is read again (`Change::Resync`), since announcements made
//! meanwhile are lost.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use tokio::sync::broadcast;

use super::Change;

/// The channel migration 0008's triggers notify.
const CHANNEL: &str = "abm_scim_changes";
/// Announcements a slow subscriber may fall behind by before it must read everything again.
const BACKLOG: usize = 256;
const RETRY_MAX: Duration = Duration::from_secs(5);

pub(super) struct ChangeFeed {
    sender: broadcast::Sender<Change>,
    connected: Arc<AtomicBool>,
    task: std::sync::OnceLock<tokio::task::JoinHandle<()>>,
    connect: PgConnectOptions,
    epoch: Arc<AtomicU64>,
}

impl ChangeFeed {
    pub(super) fn new(connect: PgConnectOptions, epoch: Arc<AtomicU64>) -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
            connected: Arc::new(AtomicBool::new(false)),
            task: std::sync::OnceLock::new(),
            connect: connect.application_name("abm-scim-listener"),
            epoch,
        }
    }

    /// A subscription; the listening task starts with the first one.
    pub(super) fn subscribe(&self) -> broadcast::Receiver<Change> {
        let receiver = self.sender.subscribe();
        self.task.get_or_init(|| {
            tokio::spawn(listen(
                self.connect.clone(),
                self.epoch.clone(),
                self.sender.clone(),
                self.connected.clone(),
            ))
        });
        receiver
    }

    pub(super) fn connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }

    pub(super) fn stop(&self) {
        if let Some(task) = self.task.get() {
            task.abort();
        }
        self.connected.store(false, Ordering::Release);
    }
}

async fn listen(
    connect: PgConnectOptions,
    epoch: Arc<AtomicU64>,
    sender: broadcast::Sender<Change>,
    connected: Arc<AtomicBool>,
) {
    // A pool of one, so that sqlx opens (and re-opens) the listening connection itself.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(connect);
    let mut retry = Duration::from_millis(100);
    let mut was_lost = false;
    loop {
        match open(&pool).await {
            Ok(mut listener) => {
                retry = Duration::from_millis(100);
                connected.store(true, Ordering::Release);
                // Whatever was announced while nobody listened is unknown: read it all again.
                epoch.fetch_add(1, Ordering::AcqRel);
                let _ = sender.send(Change::Resync);
                if was_lost {
                    tracing::info!("listening for changes by other processes again");
                }
                // `Ok(None)`: the connection was lost; a new listener is opened below.
                while let Ok(Some(notification)) = listener.try_recv().await {
                    let change = match notification.payload() {
                        "auth" => Change::Auth,
                        "clock" => Change::Clock,
                        "faults" => Change::Faults,
                        _ => Change::Resync,
                    };
                    if matches!(change, Change::Auth | Change::Resync) {
                        epoch.fetch_add(1, Ordering::AcqRel);
                    }
                    let _ = sender.send(change);
                }
                connected.store(false, Ordering::Release);
                was_lost = true;
                tracing::warn!(
                    "lost the connection listening for changes by other processes: caches \
                     fall back to --auth-cache-ttl until it is back"
                );
            }
            Err(err) => {
                tracing::warn!(error = %err, retry_in = ?retry, "cannot listen for changes by other processes");
            }
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(RETRY_MAX);
    }
}

async fn open(pool: &sqlx::PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
