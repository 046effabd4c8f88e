//! Live updates: server-sent events that poll the service layer for what came after a `seq`.
//!
//! Polling (every 250 ms) instead of an in-process broadcast keeps working when the journal and
//! the activity live in the database and the writes happen on another replica; the two
//! `*_after` functions are the only places a stream reads, so moving the journal changes them
//! alone.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};

use crate::service::journal::{JournalEntry, JournalQuery};
use crate::service::{App, ServiceResult};
use crate::store::Event as ActivityEvent;

pub const POLL_EVERY: Duration = Duration::from_millis(250);
/// Items one poll sends at most (a burst is sent over several polls).
const BATCH: usize = 200;

/// Journal entries of an organization after `since` that match `query`, oldest first. The
/// newest `seq` is asked first (one indexed read): most polls find nothing new.
pub async fn journal_after(
    app: &App,
    org: &str,
    query: &JournalQuery,
    since: u64,
) -> ServiceResult<Vec<JournalEntry>> {
    if app.journal.latest_seq(org).await? <= since {
        return Ok(Vec::new());
    }
    let query = JournalQuery {
        since: Some(since),
        ..query.clone()
    };
    let mut entries = app.journal.list(org, &query).await?;
    entries.truncate(BATCH);
    Ok(entries)
}

/// Activity events of an organization after `since` (of one kind if given), oldest first.
pub async fn events_after(
    app: &App,
    org: &str,
    kind: Option<&str>,
    since: i64,
) -> ServiceResult<Vec<ActivityEvent>> {
    Ok(app
        .store
        .list_events(org, since, kind, BATCH as i64)
        .await?)
}

/// Where a stream starts: the browser's `Last-Event-ID` on a reconnect, else `since`.
pub fn start(headers: &HeaderMap, since: Option<i64>) -> i64 {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .or(since)
        .unwrap_or(0)
}

/// A stream of `item` events (`{"seq", "html"}`) from `fetch(since)`, polled every
/// [`POLL_EVERY`]; each event's id is its `seq`, so a reconnecting browser resumes after it.
/// The stream ends when `stopping` turns true (the server shutting down).
pub fn sse<F, Fut>(
    since: i64,
    mut stopping: tokio::sync::watch::Receiver<bool>,
    fetch: F,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
where
    F: FnMut(i64) -> Fut + Send + 'static,
    Fut: Future<Output = Vec<(i64, String)>> + Send,
{
    let polls = stream::unfold(
        (since, fetch, true),
        |(since, mut fetch, first)| async move {
            if !first {
                tokio::time::sleep(POLL_EVERY).await;
            }
            let items = fetch(since).await;
            let next = items.last().map(|(seq, _)| *seq).unwrap_or(since);
            let events: Vec<Result<Event, Infallible>> = items
                .into_iter()
                .map(|(seq, html)| {
                    let data = serde_json::json!({ "seq": seq, "html": html }).to_string();
                    Ok(Event::default()
                        .event("item")
                        .id(seq.to_string())
                        .data(data))
                })
                .collect();
            Some((stream::iter(events), (next, fetch, false)))
        },
    )
    .flatten();
    // A first comment at once, so the browser knows the stream is open before anything happens.
    let opened = stream::once(async { Ok(Event::default().comment("open")) });
    let stopped = async move {
        let _ = stopping.wait_for(|stopping| *stopping).await;
    };
    Sse::new(opened.chain(polls).take_until(stopped)).keep_alive(KeepAlive::default())
}
