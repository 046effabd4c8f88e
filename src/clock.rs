//! Time, read through one [`Clock`] so tests can drive expiry, the reaper and `meta` timestamps.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::Timestamp;

use crate::store::{Store, StoreError};

/// Which clock the server runs on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// The operating system's clock.
    System,
    /// A clock that stands still until moved through the admin API; kept in the database so
    /// every process sharing it agrees.
    Manual,
}

/// The manual clock stops here, so that every time derived from it (a token's expiry a year
/// later, a deletion date after the retention) is still a four-digit-year RFC 3339 time.
pub const CLOCK_LIMIT: &str = "9001-01-01T00:00:00Z";

#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    #[error("the server runs on the system clock; start it with --clock manual to move time")]
    NotManual,
    #[error("the clock never goes backwards: it is {now}, which is after {requested}")]
    Backwards {
        now: DateTime<Utc>,
        requested: DateTime<Utc>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait Clock: Send + Sync + 'static {
    /// The current time; a manual clock may answer from memory (see [`ManualClock`]).
    async fn now(&self) -> Result<DateTime<Utc>, StoreError>;
    /// The current time as stored, never from memory: what the admin API shows and compares
    /// against, so a clock moved by another process is seen at once there.
    async fn now_exact(&self) -> Result<DateTime<Utc>, StoreError> {
        self.now().await
    }
    fn mode(&self) -> ClockMode;
    /// Drops what the clock holds in memory, so the next [`Clock::now`] reads the stored
    /// time (another process moved it).
    fn forget(&self) {}
    /// Moves a manual clock forward to `to`.
    async fn set(&self, to: DateTime<Utc>) -> Result<DateTime<Utc>, ClockError>;
}

pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    async fn now(&self) -> Result<DateTime<Utc>, StoreError> {
        Ok(Utc::now())
    }

    fn mode(&self) -> ClockMode {
        ClockMode::System
    }

    async fn set(&self, _to: DateTime<Utc>) -> Result<DateTime<Utc>, ClockError> {
        Err(ClockError::NotManual)
    }
}

const MANUAL_CLOCK_KEY: &str = "manual_clock_now";

/// A frozen clock whose current time is a row in the `settings` table, held in memory.
///
/// Reading the row on every request cost a database round trip per request (GET by id: 6.3k
/// req/s against 9.8k on the system clock). The time only changes when someone moves it: moves
/// through this process update the memory at once; moves by another process sharing the
/// database are picked up when the memory is older than `staleness` (the auth cache's TTL: the
/// same bound on how long another process's change takes), or at once by [`Clock::now_exact`].
/// A private database (`sqlite::memory:`) has no other process: it is read once.
pub struct ManualClock {
    store: Arc<dyn Store>,
    held: std::sync::Mutex<Held>,
    /// `None`: nobody else can move it.
    staleness: Option<std::time::Duration>,
    /// How many times [`Clock::forget`] was called.
    forgets: std::sync::atomic::AtomicU64,
}

#[derive(Clone, Copy)]
struct Held {
    at: Timestamp,
    read_at: std::time::Instant,
    /// The value of `ManualClock::forgets` when `at` was read: a [`Clock::forget`] since
    /// then means read the stored time at the next [`Clock::now`] (a read that started before
    /// the forget does not count).
    forgets: u64,
}

impl ManualClock {
    /// Starts at the stored time, or at the system time on a fresh database. `staleness`: see
    /// the type's documentation.
    pub async fn open(
        store: Arc<dyn Store>,
        staleness: std::time::Duration,
    ) -> Result<Self, StoreError> {
        store
            .insert_setting_if_absent(MANUAL_CLOCK_KEY, &stored_text(Utc::now()))
            .await?;
        let at = read_stored(store.as_ref()).await?;
        let staleness = (!store.is_private()).then_some(staleness);
        Ok(Self {
            store,
            held: std::sync::Mutex::new(Held {
                at,
                read_at: std::time::Instant::now(),
                forgets: 0,
            }),
            forgets: std::sync::atomic::AtomicU64::new(0),
            staleness,
        })
    }

    fn held(&self) -> Held {
        *self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers a time read from or written to the database, and answers the time now
    /// held. The clock never goes backwards, so a read that raced with a newer move never
    /// replaces it.
    fn hold(&self, at: Timestamp, forgets: u64) -> Timestamp {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.at = held.at.max(at);
        held.read_at = std::time::Instant::now();
        held.forgets = held.forgets.max(forgets);
        held.at
    }
}

/// The setting's text: unix epoch microseconds, like every stored time.
fn stored_text(time: DateTime<Utc>) -> String {
    Timestamp::from(time).as_micros().to_string()
}

async fn read_stored(store: &dyn Store) -> Result<Timestamp, StoreError> {
    store
        .get_setting(MANUAL_CLOCK_KEY)
        .await?
        .and_then(|value| value.parse::<i64>().ok())
        .map(Timestamp::from_micros)
        .ok_or_else(|| StoreError::Corrupt("manual clock setting is missing".into()))
}

#[async_trait]
impl Clock for ManualClock {
    async fn now(&self) -> Result<DateTime<Utc>, StoreError> {
        let held = self.held();
        match self.staleness {
            Some(staleness)
                if held.forgets != self.forgets.load(std::sync::atomic::Ordering::Acquire)
                    || held.read_at.elapsed() >= staleness =>
            {
                self.now_exact().await
            }
            _ => Ok(held.at.to_datetime()),
        }
    }

    async fn now_exact(&self) -> Result<DateTime<Utc>, StoreError> {
        let forgets = self.forgets.load(std::sync::atomic::Ordering::Acquire);
        let at = read_stored(self.store.as_ref()).await?;
        Ok(self.hold(at, forgets).to_datetime())
    }

    fn mode(&self) -> ClockMode {
        ClockMode::Manual
    }

    fn forget(&self) {
        self.forgets
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    async fn set(&self, to: DateTime<Utc>) -> Result<DateTime<Utc>, ClockError> {
        let now = self.now_exact().await?;
        if to < now {
            return Err(ClockError::Backwards { now, requested: to });
        }
        self.store
            .put_setting(MANUAL_CLOCK_KEY, &stored_text(to))
            .await?;
        // Whatever announcement this move makes is about this very value.
        self.hold(
            Timestamp::from(to),
            self.forgets.load(std::sync::atomic::Ordering::Acquire),
        );
        Ok(to)
    }
}
