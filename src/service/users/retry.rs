//! Writers that lost a race for the same account take turns instead of starving each other.

use rand::Rng;

use crate::scim::error::ProtocolError;
use crate::service::ServiceError;

/// Optimistic-concurrency attempts before giving up on a contended account. A writer that lost
/// a race queues behind the others that lost one for the same account ([`before_retry`]), then
/// retries with a random, growing pause, so that many concurrent writers to one account (100
/// PATCHes adding one email each) all get through instead of starving each other.
pub(super) const MAX_WRITE_ATTEMPTS: u32 = 128;
/// Longest pause between two attempts, in milliseconds.
const MAX_BACKOFF_MS: u64 = 32;
/// Longest wait in the queue of writers that lost a race; after it the writer retries anyway.
const MAX_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// The queues of writers that lost a race, per process, striped by account id.
static RETRY_QUEUES: std::sync::LazyLock<Vec<tokio::sync::Mutex<()>>> =
    std::sync::LazyLock::new(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());

/// Before attempt `attempt` of a write: after the first lost race, joins the account's queue of
/// writers that lost one (held until the write ends), so they retry one at a time; later
/// retries (racing new arrivals, or another process) pause randomly up to 1, 2, 4...
/// [`MAX_BACKOFF_MS`] milliseconds. Only a write that reached the database and lost queues, so
/// a database outage never builds a queue.
pub(super) async fn before_retry(
    attempt: u32,
    id: &str,
    queued: &mut Option<tokio::sync::MutexGuard<'static, ()>>,
) {
    if attempt == 1 {
        let stripe = id.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        }) % RETRY_QUEUES.len();
        *queued = tokio::time::timeout(MAX_QUEUE_WAIT, RETRY_QUEUES[stripe].lock())
            .await
            .ok();
    } else if attempt > 1 {
        let cap = (1u64 << attempt.min(16)).min(MAX_BACKOFF_MS);
        let pause = rand::thread_rng().gen_range(0..=cap);
        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
    }
}

pub(super) fn contended(id: &str) -> ServiceError {
    ServiceError::Protocol(ProtocolError::new(
        409,
        None,
        format!("User {id} is being changed concurrently; retry"),
    ))
}
