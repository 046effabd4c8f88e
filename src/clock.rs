//! Time, read through one [`Clock`] so tests can drive expiry, the reaper and `meta` timestamps.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};

use crate::store::{Store, StoreError};

/// Which clock the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// The operating system's clock.
    System,
    /// A clock that stands still until moved through the admin API; kept in the database so
    /// every process sharing it agrees.
    Manual,
}

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
    async fn now(&self) -> Result<DateTime<Utc>, StoreError>;
    fn mode(&self) -> ClockMode;
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

/// A frozen clock whose current time is a row in the `settings` table.
pub struct ManualClock {
    store: Arc<dyn Store>,
}

impl ManualClock {
    /// Starts at the stored time, or at the system time on a fresh database.
    pub async fn open(store: Arc<dyn Store>) -> Result<Self, StoreError> {
        store
            .insert_setting_if_absent(MANUAL_CLOCK_KEY, &to_micros(Utc::now()).to_string())
            .await?;
        Ok(Self { store })
    }
}

#[async_trait]
impl Clock for ManualClock {
    async fn now(&self) -> Result<DateTime<Utc>, StoreError> {
        let stored = self.store.get_setting(MANUAL_CLOCK_KEY).await?;
        let micros = stored
            .and_then(|value| value.parse::<i64>().ok())
            .ok_or_else(|| StoreError::Corrupt("manual clock setting is missing".into()))?;
        Ok(from_micros(micros))
    }

    fn mode(&self) -> ClockMode {
        ClockMode::Manual
    }

    async fn set(&self, to: DateTime<Utc>) -> Result<DateTime<Utc>, ClockError> {
        let now = self.now().await?;
        if to < now {
            return Err(ClockError::Backwards { now, requested: to });
        }
        self.store
            .put_setting(MANUAL_CLOCK_KEY, &to_micros(to).to_string())
            .await?;
        Ok(to)
    }
}

/// Unix epoch microseconds, the unit every stored timestamp uses.
pub fn to_micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

pub fn from_micros(micros: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(micros)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A duration in stored units (microseconds), saturating at `i64::MAX`.
pub fn duration_micros(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

/// RFC 3339 with millisecond precision and a `Z`, as SCIM `meta` timestamps are written.
pub fn rfc3339(micros: i64) -> String {
    from_micros(micros).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
