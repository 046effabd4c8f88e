//! The reaper: permanently deletes accounts deactivated longer than their organization's
//! retention (Business Manager: 30 days; school organizations: 120 by default).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{App, ServiceResult};
use crate::domain::Timestamp;
use crate::scim::filter_sql::Dialect;
use crate::store::Account;

/// Accounts deleted per transaction (each with its event). SQLite writes every page a
/// transaction changes to its WAL and again at the next checkpoint, and any batch of expired
/// accounts changes pages all over the account indexes (the userName one above all): 10,000-row
/// batches write less than a third of what 1,000-row ones did (0.7 vs 2.2 GB for 100,000
/// accounts, 1.6 vs 2.7 s), and that I/O slows concurrent reads as much as the CPU does. A batch
/// still holds the single writer for a fraction of a second only. PostgreSQL's cost is per row,
/// not per page: smaller batches keep its row locks short.
fn batch_size(dialect: Dialect) -> i64 {
    match dialect {
        Dialect::Sqlite => 10_000,
        Dialect::Postgres => 2_000,
    }
}

/// How many of the deleted accounts a pass reports in full (the first ones it deleted); the
/// others are only counted.
pub const REAPER_LISTED: usize = 100;

/// What one pass did (or, dry, would do).
#[derive(Debug, Default)]
pub struct ReaperRun {
    /// How many accounts were (or would be) deleted.
    pub deleted: u64,
    /// The first [`REAPER_LISTED`] of them, oldest deactivation first.
    pub accounts: Vec<Account>,
}

impl ReaperRun {
    /// Whether more accounts went than [`ReaperRun::accounts`] lists.
    pub fn truncated(&self) -> bool {
        self.deleted > self.accounts.len() as u64
    }
}

impl App {
    /// One reaper pass over every organization, each by its own retention, in batches until
    /// nothing is left. The accounts listed are the oldest deactivations of the pass.
    pub async fn reap_once(&self, dry_run: bool) -> ServiceResult<ReaperRun> {
        let now = self.now().await?;
        let mut run = ReaperRun::default();
        for org in self.store.list_orgs().await? {
            let cutoff = now.saturating_sub(self.retention_of(&org));
            let org_run = if dry_run {
                self.reapable(&org.id, cutoff).await?
            } else {
                self.reap_org(&org.id, cutoff, now).await?
            };
            run.deleted += org_run.deleted;
            run.accounts.extend(org_run.accounts);
        }
        run.accounts
            .sort_by(|a, b| (a.deactivated_at, &a.id).cmp(&(b.deactivated_at, &b.id)));
        run.accounts.truncate(REAPER_LISTED);
        Ok(run)
    }

    /// What a pass would delete in one organization.
    async fn reapable(&self, org_id: &str, cutoff: Timestamp) -> ServiceResult<ReaperRun> {
        let accounts = self
            .store
            .list_reapable(org_id, cutoff, REAPER_LISTED as i64)
            .await?;
        let deleted = self.store.count_reapable(org_id, cutoff).await?;
        Ok(ReaperRun {
            deleted: deleted.max(accounts.len() as u64),
            accounts,
        })
    }

    /// Deletes one organization's accounts deactivated at `cutoff` or earlier.
    async fn reap_org(
        &self,
        org_id: &str,
        cutoff: Timestamp,
        now: Timestamp,
    ) -> ServiceResult<ReaperRun> {
        let mut run = ReaperRun::default();
        let batch_size = batch_size(self.store.dialect());
        loop {
            let keep = REAPER_LISTED - run.accounts.len();
            let batch = self
                .store
                .reap_inactive(org_id, cutoff, batch_size, now, keep)
                .await?;
            run.deleted += batch.count;
            run.accounts.extend(batch.accounts);
            if batch.count < batch_size as u64 {
                break;
            }
            // Let API requests in between batches.
            tokio::task::yield_now().await;
        }
        self.metrics.reaper_pass(run.deleted);
        Ok(run)
    }
}

/// Runs the reaper every `interval` until `stop` turns true.
pub async fn run_reaper(app: Arc<App>, interval: Duration, mut stop: watch::Receiver<bool>) {
    // The first pass comes one interval after start, not at once: a pass racing the first
    // requests of a test harness (which moves a manual clock, then asks for a pass itself)
    // would take the accounts it expects its own pass to report.
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
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
            Ok(run) => tracing::info!(deleted = run.deleted, "reaper run"),
            Err(err) => tracing::warn!(error = %err, "reaper run failed"),
        }
        // Token warnings are due at a point in time, not when someone next looks.
        if let Err(err) = app.note_all_token_expiry().await {
            tracing::warn!(error = %err, "token expiry check failed");
        }
    }
}
