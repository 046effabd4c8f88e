//! The clock and the reaper, for tests that drive time.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, Months, Utc};
use serde::Deserialize;

use super::views::{AccountView, ClockRequest, ClockView, ErrorBody, ReaperRunView};
use super::{AdminJson, AdminResult};
use crate::clock::{ClockMode, CLOCK_LIMIT};
use crate::service::{App, ReaperRun, ServiceError};

/// The server's current time and clock mode.
#[utoipa::path(get, path = "/admin/v1/clock", tag = "admin", security(("admin_token" = [])),
    responses((status = 200, body = ClockView)))]
pub async fn get_clock(State(app): State<Arc<App>>) -> AdminResult<Json<ClockView>> {
    Ok(Json(ClockView {
        now: app.clock.now_exact().await?,
        mode: app.clock.mode(),
    }))
}

/// Move the manual clock: `{"advance": "P31D"}` or `{"set": "2027-01-01T00:00:00Z"}`.
#[utoipa::path(post, path = "/admin/v1/clock", tag = "admin", security(("admin_token" = [])), request_body = ClockRequest,
    responses((status = 200, body = ClockView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn move_clock(
    State(app): State<Arc<App>>,
    AdminJson(body): AdminJson<ClockRequest>,
) -> AdminResult<Json<ClockView>> {
    let now = move_clock_by(&app, body.advance.as_deref(), body.set).await?;
    Ok(Json(ClockView {
        now,
        mode: app.clock.mode(),
    }))
}

/// Moves the manual clock by an ISO 8601 duration (`advance`) or to a time (`set`), exactly one
/// of them; shared by the admin API and the console.
pub(crate) async fn move_clock_by(
    app: &App,
    advance_by: Option<&str>,
    set: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, ServiceError> {
    if app.clock.mode() != ClockMode::Manual {
        return Err(ServiceError::Clock(crate::clock::ClockError::NotManual));
    }
    let now = app.clock.now_exact().await?;
    let target = match (advance_by, set) {
        (Some(duration), None) => advance(now, duration)?,
        (None, Some(at)) => at,
        _ => {
            return Err(ServiceError::bad_request(
                "invalid_body",
                "send exactly one of advance (e.g. \"P31D\") or set (an RFC 3339 time)",
            ))
        }
    };
    let limit: DateTime<Utc> = CLOCK_LIMIT
        .parse()
        .expect("CLOCK_LIMIT is an RFC 3339 time");
    if target > limit {
        return Err(ServiceError::conflict(
            "clock_limit",
            format!("the manual clock stops at {CLOCK_LIMIT}: every time derived from it (a token's expiry, a deletion date) must stay a four-digit-year RFC 3339 time"),
        ));
    }
    Ok(app.clock.set(target).await?)
}

fn advance(now: DateTime<Utc>, text: &str) -> Result<DateTime<Utc>, ServiceError> {
    let invalid = || {
        ServiceError::bad_request(
            "invalid_duration",
            format!("{text:?} is not an ISO 8601 duration such as P31D, PT12H or P1Y"),
        )
    };
    let rest = text.trim().strip_prefix(['P', 'p']).ok_or_else(invalid)?;
    if rest.is_empty() {
        return Err(invalid());
    }
    let (date_part, time_part) = match rest.split_once(['T', 't']) {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return Err(invalid()),
        None => (rest, None),
    };
    let mut months: u32 = 0;
    let mut seconds: f64 = 0.0;
    for (number, unit) in components(date_part).ok_or_else(invalid)? {
        match unit {
            'Y' => {
                months = months
                    .checked_add(
                        u32::try_from(number as u64)
                            .map_err(|_| invalid())?
                            .checked_mul(12)
                            .ok_or_else(invalid)?,
                    )
                    .ok_or_else(invalid)?
            }
            'M' => {
                months = months
                    .checked_add(u32::try_from(number as u64).map_err(|_| invalid())?)
                    .ok_or_else(invalid)?
            }
            'W' => seconds += number * 7.0 * 86_400.0,
            'D' => seconds += number * 86_400.0,
            _ => return Err(invalid()),
        }
    }
    for (number, unit) in time_part
        .map(components)
        .unwrap_or(Some(Vec::new()))
        .ok_or_else(invalid)?
    {
        match unit {
            'H' => seconds += number * 3_600.0,
            'M' => seconds += number * 60.0,
            'S' => seconds += number,
            _ => return Err(invalid()),
        }
    }
    if !seconds.is_finite() || seconds > 1e11 {
        return Err(invalid());
    }
    let shifted = now
        .checked_add_months(Months::new(months))
        .ok_or_else(invalid)?;
    shifted
        .checked_add_signed(chrono::Duration::microseconds((seconds * 1e6) as i64))
        .ok_or_else(invalid)
}

/// `12D3H` → [(12, 'D'), (3, 'H')]; `None` on anything else.
fn components(text: &str) -> Option<Vec<(f64, char)>> {
    let mut out = Vec::new();
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            number.push(if c == ',' { '.' } else { c });
        } else {
            let value: f64 = number.parse().ok()?;
            if value < 0.0 {
                return None;
            }
            out.push((value, c.to_ascii_uppercase()));
            number.clear();
        }
    }
    number.is_empty().then_some(out)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReaperQuery {
    /// Only report what would be deleted.
    dry_run: Option<bool>,
}

/// Run one reaper pass now: deletes every account inactive for longer than the retention and
/// answers how many went, listing the first 100 of them (`truncated` when there were more; the
/// activity feed has one `account_deleted` event for each).
#[utoipa::path(post, path = "/admin/v1/reaper/run", tag = "admin", security(("admin_token" = [])), params(ReaperQuery),
    responses((status = 200, body = ReaperRunView), (status = 400, body = ErrorBody)))]
pub async fn run_reaper(
    State(app): State<Arc<App>>,
    query: Result<Query<ReaperQuery>, axum::extract::rejection::QueryRejection>,
) -> AdminResult<Json<ReaperRunView>> {
    let Query(query) =
        query.map_err(|e| ServiceError::bad_request("invalid_query", e.body_text()))?;
    let dry_run = query.dry_run.unwrap_or(false);
    let run = reaper_pass(&app, dry_run).await?;
    Ok(Json(ReaperRunView {
        deleted: run.deleted,
        dry_run,
        truncated: run.truncated(),
        accounts: run.accounts.iter().map(AccountView::from).collect(),
    }))
}

/// One reaper pass on request (admin API and console).
pub(crate) async fn reaper_pass(app: &App, dry_run: bool) -> Result<ReaperRun, ServiceError> {
    let run = app.reap_once(dry_run).await?;
    if !dry_run {
        app.note_all_token_expiry().await?;
        tracing::info!(deleted = run.deleted, "reaper run (requested)");
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every duration the document allows moves the clock (the limit aside).
    #[test]
    fn every_documented_duration_parses() {
        let doc = super::super::document();
        let schema = &doc["components"]["schemas"]["ClockRequest"]["oneOf"][0];
        let pattern = schema["properties"]["advance"]["pattern"].as_str().unwrap();
        let start: DateTime<Utc> = "2026-01-31T00:00:00Z".parse().unwrap();
        let re = regex::Regex::new(pattern).unwrap();
        for text in super::super::openapi::tests::samples(pattern, 500) {
            assert!(re.is_match(&text), "{text}");
            assert!(advance(start, &text).is_ok(), "{text:?} matches {pattern}");
        }
        for bad in ["", "P", "PT", "P1DT", "31D", "P-1D", "P1.D", "p1d", "P1D "] {
            assert!(!re.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn iso_durations() {
        let start: DateTime<Utc> = "2026-01-31T00:00:00Z".parse().unwrap();
        assert_eq!(
            advance(start, "P31D").unwrap(),
            "2026-03-03T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            advance(start, "PT1H30M").unwrap(),
            "2026-01-31T01:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            advance(start, "P1Y").unwrap(),
            "2027-01-31T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            advance(start, "P1W").unwrap(),
            "2026-02-07T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        for bad in [
            "",
            "P",
            "31D",
            "PT",
            "P-1D",
            "PXD",
            "P1DT",
            "P99999999999999Y",
        ] {
            assert!(advance(start, bad).is_err(), "{bad}");
        }
    }
}
