//! The one time type of the records: an instant, stored as unix epoch microseconds.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

/// An instant with microsecond precision, as every stored timestamp is kept.
///
/// Arithmetic saturates instead of overflowing: a retention or lifetime of "forever"
/// (`Duration::MAX`) is the end of time, not a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The end of time: what "never expires" compares as.
    pub const MAX: Timestamp = Timestamp(i64::MAX);

    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    /// Unix epoch microseconds, the stored unit.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// Whole unix seconds (rounded down), as JWT claims count time.
    pub const fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// The same time of day `months` calendar months later (clamped to the month's last day),
    /// or the end of time past the calendar's range.
    pub fn add_months(self, months: u32) -> Self {
        self.to_datetime()
            .checked_add_months(chrono::Months::new(months))
            .map_or(Self::MAX, Self::from)
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_micros(self.0)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// RFC 3339 with millisecond precision and a `Z`, as SCIM `meta` timestamps are written.
    pub fn rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    pub fn saturating_add(self, duration: Duration) -> Self {
        Self(self.0.saturating_add(duration_micros(duration)))
    }

    pub fn saturating_sub(self, duration: Duration) -> Self {
        Self(self.0.saturating_sub(duration_micros(duration)))
    }

    /// How long after `earlier` this is; zero when it is not later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_micros(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(time: DateTime<Utc>) -> Self {
        Self(time.timestamp_micros())
    }
}

/// A duration in stored units, saturating at `i64::MAX`.
fn duration_micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_and_reads_as_durations() {
        let t = Timestamp::from_micros(1_000_000);
        assert_eq!(
            t.saturating_add(Duration::from_secs(2)).as_micros(),
            3_000_000
        );
        assert_eq!(t.saturating_add(Duration::MAX).as_micros(), i64::MAX);
        assert_eq!(
            t.saturating_add(Duration::from_secs(2)).since(t),
            Duration::from_secs(2)
        );
        assert_eq!(
            t.since(t.saturating_add(Duration::from_secs(1))),
            Duration::ZERO
        );
        assert_eq!(
            Timestamp::from_micros(0).rfc3339(),
            "1970-01-01T00:00:00.000Z"
        );
        let now = Utc::now();
        assert_eq!(Timestamp::from(now).as_micros(), now.timestamp_micros());
    }
}
