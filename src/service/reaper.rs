//! The reaper: permanently deletes accounts deactivated longer than the retention (ABM: 30 days).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{App, ServiceResult};
use crate::store::Account;

/// Rows deleted per transaction: small enough that no lock is held for long.
pub const REAPER_BATCH: i64 = 1000;

/// What one pass did (or, dry, would do).
#[derive(Debug, Default)]
pub struct ReaperRun {
    pub deleted: Vec<Account>,
}

impl App {
    /// One reaper pass, in batches until nothing is left.
    pub async fn reap_once(&self, dry_run: bool) -> ServiceResult<ReaperRun> {
        let now = self.now_micros().await?;
        let retention = crate::clock::duration_micros(self.settings.retention);
        let cutoff = now.saturating_sub(retention);
        if dry_run {
            return Ok(ReaperRun {
                deleted: self.store.list_reapable(cutoff, 100_000).await?,
            });
        }
        let mut run = ReaperRun::default();
        loop {
            let batch = self.store.reap_inactive(cutoff, REAPER_BATCH, now).await?;
            let done = (batch.len() as i64) < REAPER_BATCH;
            run.deleted.extend(batch);
            if done {
                break;
            }
            // Let API requests in between batches.
            tokio::task::yield_now().await;
        }
        Ok(run)
    }
}

/// Runs the reaper every `interval` until `stop` turns true.
pub async fn run_reaper(app: Arc<App>, interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
        match app.reap_once(false).await {
            Ok(run) => tracing::info!(deleted = run.deleted.len(), "reaper run"),
            Err(err) => tracing::warn!(error = %err, "reaper run failed"),
        }
        // Token warnings are due at a point in time, not when someone next looks.
        if let Err(err) = app.note_all_token_expiry().await {
            tracing::warn!(error = %err, "token expiry check failed");
        }
    }
}
