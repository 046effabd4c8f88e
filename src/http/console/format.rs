//! How times read on the console: dates in UTC and distances from the emulated clock's "now".

use crate::domain::Timestamp;

/// `2026-12-02 14:05 UTC`
pub fn date_time(at: Timestamp) -> String {
    at.to_datetime().format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `2026-12-02`
pub fn date(at: Timestamp) -> String {
    at.to_datetime().format("%Y-%m-%d").to_string()
}

/// Whole days from `now` to `at`, rounded up (a token expiring in 2 hours expires "in 1 day").
pub fn days_until(at: Timestamp, now: Timestamp) -> i64 {
    let micros = (at.to_datetime() - now.to_datetime())
        .num_microseconds()
        .unwrap_or(i64::MAX);
    let day = 86_400_000_000i64;
    if micros <= 0 {
        micros / day
    } else {
        (micros + day - 1) / day
    }
}

/// `in 3 days`, `today`, `2 days ago`
pub fn relative(at: Timestamp, now: Timestamp) -> String {
    let seconds = (at.to_datetime() - now.to_datetime()).num_seconds();
    let (amount, unit) = match seconds.unsigned_abs() {
        s if s < 60 => return "just now".into(),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    let plural = if amount == 1 { "" } else { "s" };
    if seconds > 0 {
        format!("in {amount} {unit}{plural}")
    } else {
        format!("{amount} {unit}{plural} ago")
    }
}

/// `N day(s)`
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::from(text.parse::<chrono::DateTime<chrono::Utc>>().unwrap())
    }

    #[test]
    fn distances() {
        let now = at("2026-01-01T00:00:00Z");
        assert_eq!(days_until(at("2026-01-31T00:00:00Z"), now), 30);
        assert_eq!(days_until(at("2026-01-01T02:00:00Z"), now), 1);
        assert_eq!(relative(at("2026-01-04T00:00:00Z"), now), "in 3 days");
        assert_eq!(relative(at("2025-12-31T23:00:00Z"), now), "1 hour ago");
        assert_eq!(date(now), "2026-01-01");
    }
}
