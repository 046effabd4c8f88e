//! Following the changes other processes commit (PostgreSQL's change feed, see
//! `store::pg_changes`): the manual clock and the fault rules are read again at once. Tokens,
//! OAuth credentials and organizations need nothing here: the store's auth generation moved
//! with the announcement, which already retires every cached authorisation.

use std::sync::Arc;

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use super::App;
use crate::store::Change;

/// Applies announced changes until `stop`; returns at once when the store has no feed.
pub async fn follow_changes(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    let Some(mut changes) = app.store.watch_changes() else {
        return;
    };
    loop {
        let change = tokio::select! {
            change = changes.recv() => change,
            _ = stop.changed() => break,
        };
        match change {
            Ok(Change::Auth) => {}
            Ok(Change::Clock) => app.clock.forget(),
            Ok(Change::Faults) => app.faults.forget_all(),
            // Reconnected, or fell behind: whatever was missed is read again.
            Ok(Change::Resync) | Err(RecvError::Lagged(_)) => {
                app.clock.forget();
                app.faults.forget_all();
            }
            Err(RecvError::Closed) => break,
        }
    }
}
