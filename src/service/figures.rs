//! The figures `/metrics` reads from the database and the process: accounts and credentials
//! on an interval (one GROUP BY each, however many accounts; never per scrape), pools and the
//! journal's counts at each scrape.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{App, ServiceError, ServiceResult};
use crate::domain::Timestamp;
use crate::metrics::{AccountLabels, CredentialLabels, PoolFigures};
use crate::store::CredentialExpiry;

/// ABM warns about expiring credentials 60 days ahead; so does `credentials_expiring`.
const EXPIRING_WINDOW: Duration = Duration::from_secs(60 * 86_400);

/// The credentials read at the last refresh, turned into "seconds until" at each scrape.
#[derive(Default)]
pub struct CredentialFigures {
    read: std::sync::Mutex<Vec<CredentialExpiry>>,
}

impl App {
    /// Checks the `--metrics-token` (when one is set) in constant time; the admin and SCIM
    /// tokens are never accepted here.
    pub fn authorize_metrics(&self, presented: Option<&str>) -> ServiceResult<()> {
        use subtle::ConstantTimeEq;
        let Some(expected) = self.settings.metrics.token_hash else {
            return Ok(());
        };
        let presented = presented.ok_or_else(|| {
            ServiceError::Unauthorized(
                "missing bearer token: send Authorization: Bearer <metrics token> (--metrics-token)".into(),
            )
        })?;
        if bool::from(super::hash_secret(presented).ct_eq(&expected)) {
            Ok(())
        } else {
            Err(ServiceError::Unauthorized(
                "wrong metrics token: /metrics takes the --metrics-token, not the admin or a SCIM token".into(),
            ))
        }
    }

    /// Reads the accounts per organization, state and source and the live credentials' expiry.
    pub async fn refresh_figures(&self) -> ServiceResult<()> {
        let census = self.store.account_census().await?;
        self.metrics.set_accounts(census.into_iter().map(|row| {
            (
                AccountLabels {
                    org: row.org_id,
                    state: row.state,
                    source: row.source,
                },
                row.count,
            )
        }));
        let now = self.now().await?;
        let soon = now.saturating_add(EXPIRING_WINDOW);
        let expiries = self.store.credential_expiries(now, soon).await?;
        *self
            .credentials
            .read
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = expiries;
        Ok(())
    }

    /// The Prometheus text of every series, with the scrape-time figures set.
    pub async fn render_metrics(&self) -> String {
        let now = self.now().await.ok();
        let pools: Vec<PoolFigures> = self
            .store
            .pool_stats()
            .into_iter()
            .map(|p| PoolFigures {
                pool: p.pool.to_string(),
                max: p.max as i64,
                open: p.open as i64,
                in_use: p.in_use as i64,
                waits: p.waits,
                timeouts: p.timeouts,
            })
            .collect();
        let (written, dropped) = self.journal.counts();
        let credentials: Vec<(CredentialLabels, f64, i64)> = self
            .credentials
            .read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|c| {
                let seconds = now.map_or(0.0, |now| seconds_between(now, c.earliest));
                (
                    CredentialLabels {
                        org: c.org_id.clone(),
                        credential: c.kind.clone(),
                    },
                    seconds,
                    c.expiring,
                )
            })
            .collect();
        let feed = self.store.changes_connected();
        self.metrics.render(|metrics| {
            metrics.set_pools(&pools);
            metrics.set_journal_counts(written, dropped);
            metrics.set_credentials(credentials);
            if let Some(connected) = feed {
                metrics.set_change_feed(connected);
            }
        })
    }
}

fn seconds_between(from: Timestamp, to: Timestamp) -> f64 {
    (to.as_micros() - from.as_micros()) as f64 / 1e6
}

/// Refreshes the figures every `interval` (at once first) until `stop`.
pub async fn run_figures(app: Arc<App>, interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stop.changed() => break,
        }
        if let Err(err) = app.refresh_figures().await {
            tracing::warn!(error = %err, "reading the /metrics figures failed");
        }
    }
}
