//! The request journal: every SCIM request and its response, per organization, bounded.
//!
//! Kept in memory (a ring per organization) so recording costs no database write on the request
//! path; it is per process, like the test it serves.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

/// One recorded exchange.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JournalEntry {
    /// Increasing per process; pass the last one as `since`.
    pub seq: u64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub method: String,
    /// Path below the SCIM base, e.g. `/Users/123`.
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    /// Token id of the caller (`Authorization` itself is never recorded).
    pub token_id: Option<String>,
    pub latency_ms: f64,
    pub request_headers: Value,
    pub request_body: Option<Value>,
    pub response_body: Option<Value>,
    /// Client dialect features seen in the request (`capitalised_ops`, `string_booleans`...).
    pub dialect: Vec<String>,
    /// Set when the response was an injected fault.
    pub fault: Option<String>,
}

/// Filters of `GET /orgs/{org}/requests`.
#[derive(Debug, Clone, Default)]
pub struct JournalQuery {
    pub method: Option<String>,
    pub path: Option<String>,
    pub status: Option<u16>,
    pub since: Option<u64>,
}

pub struct Journal {
    capacity: usize,
    inner: Mutex<JournalState>,
}

/// Body text kept per organization at most: besides `--journal-capacity` entries, the oldest
/// entries go once their bodies add up to this. Pages of 100 Users are ~60 KB each, and 10,000
/// of them would otherwise hold 600 MB.
const BODY_BYTES_PER_ORG: usize = 8 * 1024 * 1024;

#[derive(Default)]
struct JournalState {
    next_seq: u64,
    by_org: HashMap<String, Ring>,
}

#[derive(Default)]
struct Ring {
    entries: VecDeque<Stored>,
    body_bytes: usize,
}

/// An entry as kept: bodies as compact JSON text, parsed only when someone reads the journal.
/// A `serde_json::Value` tree takes several times the memory of its text, and 10,000 entries per
/// organization add up.
struct Stored {
    entry: JournalEntry,
    request_body: Option<Box<str>>,
    response_body: Option<Box<str>>,
}

impl Stored {
    fn body_bytes(&self) -> usize {
        self.request_body.as_deref().map_or(0, str::len)
            + self.response_body.as_deref().map_or(0, str::len)
    }

    fn expand(&self) -> JournalEntry {
        let parse = |text: &Option<Box<str>>| {
            text.as_deref()
                .map(|t| serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string())))
        };
        JournalEntry {
            request_body: parse(&self.request_body),
            response_body: parse(&self.response_body),
            ..self.entry.clone()
        }
    }
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Journal {
            capacity,
            inner: Mutex::new(JournalState::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, JournalState> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records an entry (its `seq` is assigned here), dropping the oldest beyond capacity. The
    /// bodies are JSON text (already redacted); `entry`'s own body fields are ignored.
    pub fn record(
        &self,
        org_id: &str,
        mut entry: JournalEntry,
        request_body: Option<String>,
        response_body: Option<String>,
    ) {
        if self.capacity == 0 {
            return;
        }
        entry.request_body = None;
        entry.response_body = None;
        let stored = Stored {
            entry,
            request_body: request_body.map(String::into_boxed_str),
            response_body: response_body.map(String::into_boxed_str),
        };
        let mut state = self.state();
        state.next_seq += 1;
        let seq = state.next_seq;
        let ring = state.by_org.entry(org_id.to_string()).or_default();
        let bytes = stored.body_bytes();
        while !ring.entries.is_empty()
            && (ring.entries.len() >= self.capacity || ring.body_bytes + bytes > BODY_BYTES_PER_ORG)
        {
            if let Some(oldest) = ring.entries.pop_front() {
                ring.body_bytes -= oldest.body_bytes();
            }
        }
        let mut stored = stored;
        stored.entry.seq = seq;
        ring.body_bytes += bytes;
        ring.entries.push_back(stored);
    }

    /// Entries of an organization matching the query, oldest first.
    pub fn list(&self, org_id: &str, query: &JournalQuery) -> Vec<JournalEntry> {
        let state = self.state();
        let Some(ring) = state.by_org.get(org_id) else {
            return Vec::new();
        };
        ring.entries
            .iter()
            .filter(|stored| {
                let e = &stored.entry;
                query.since.is_none_or(|since| e.seq > since)
                    && query
                        .method
                        .as_deref()
                        .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
                    && query.path.as_deref().is_none_or(|p| e.path.starts_with(p))
                    && query.status.is_none_or(|s| e.status == s)
            })
            .map(Stored::expand)
            .collect()
    }

    pub fn clear(&self, org_id: &str) {
        self.state().by_org.remove(org_id);
    }
}

/// Whether an attribute name or PATCH path names a secret: `password`, `token` or `secret`,
/// bare or URN-qualified (`urn:...:User:password`).
fn names_secret(name: &str) -> bool {
    let last = name.rsplit(':').next().unwrap_or(name).trim();
    ["password", "token", "secret"]
        .iter()
        .any(|secret| last.eq_ignore_ascii_case(secret))
}

/// Replaces secrets in a recorded body (a `password` sent by Okta, say) with `"[redacted]"`:
/// values under a secret key, and the `value` of a PATCH operation whose `path` is a secret.
pub fn redact_body(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let secret_path = map.iter().any(|(key, item)| {
                key.eq_ignore_ascii_case("path") && item.as_str().is_some_and(names_secret)
            });
            for (key, item) in map.iter_mut() {
                if names_secret(key) || (secret_path && key.eq_ignore_ascii_case("value")) {
                    *item = Value::String("[redacted]".into());
                } else {
                    redact_body(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_body),
        _ => {}
    }
}

/// Dialect features of a SCIM request body, for the journal: what real clients do that the RFC
/// does not ask for.
pub fn dialect_features(body: &Value) -> Vec<String> {
    let mut found: Vec<&'static str> = Vec::new();
    let mut note = |feature: &'static str| {
        if !found.contains(&feature) {
            found.push(feature);
        }
    };
    if let Some(ops) = body
        .get("Operations")
        .or_else(|| body.get("operations"))
        .and_then(Value::as_array)
    {
        for op in ops {
            if let Some(name) = op.get("op").and_then(Value::as_str) {
                if name.chars().next().is_some_and(char::is_uppercase) {
                    note("capitalised_ops");
                }
            }
            let value = op.get("value");
            if op.get("path").is_none() {
                note("pathless_op");
                if let Some(Value::Object(map)) = value {
                    if map
                        .keys()
                        .any(|k| k.contains('.') && !k.to_ascii_lowercase().starts_with("urn:"))
                    {
                        note("dotted_keys");
                    }
                    if map
                        .keys()
                        .any(|k| k.to_ascii_lowercase().starts_with("urn:") && k.contains(":User:"))
                    {
                        note("urn_keys");
                    }
                }
            }
            if op
                .get("op")
                .and_then(Value::as_str)
                .is_some_and(|o| o.eq_ignore_ascii_case("remove"))
                && value.is_some()
            {
                note("remove_with_value");
            }
            if op
                .get("path")
                .and_then(Value::as_str)
                .is_some_and(|p| p.contains('['))
            {
                note("value_filter_path");
            }
        }
    }
    if has_string_booleans(body) {
        note("string_booleans");
    }
    found.into_iter().map(str::to_string).collect()
}

fn has_string_booleans(value: &Value) -> bool {
    match value {
        Value::String(s) => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
        Value::Object(map) => map.values().any(has_string_booleans),
        Value::Array(items) => items.iter().any(has_string_booleans),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> JournalEntry {
        JournalEntry {
            seq: 0,
            at: chrono::Utc::now(),
            method: "GET".into(),
            path: path.into(),
            query: None,
            status: 200,
            token_id: None,
            latency_ms: 0.0,
            request_headers: Value::Null,
            request_body: None,
            response_body: None,
            dialect: Vec::new(),
            fault: None,
        }
    }

    #[test]
    fn large_bodies_evict_the_oldest_entries_within_the_byte_budget() {
        let journal = Journal::new(10_000);
        let body = format!("\"{}\"", "x".repeat(1024 * 1024));
        for i in 0..40 {
            journal.record(
                "org",
                entry(&format!("/Users/{i}")),
                None,
                Some(body.clone()),
            );
        }
        let kept = journal.list("org", &JournalQuery::default());
        assert!(kept.len() < 40 && kept.len() >= 4, "kept {}", kept.len());
        assert!(kept.len() * body.len() <= BODY_BYTES_PER_ORG);
        assert_eq!(kept.last().unwrap().path, "/Users/39", "the newest stays");
        // Small entries are bounded by the capacity alone.
        let small = Journal::new(5);
        for i in 0..8 {
            small.record(
                "org",
                entry(&format!("/Users/{i}")),
                None,
                Some("{}".into()),
            );
        }
        let kept = small.list("org", &JournalQuery::default());
        assert_eq!(kept.len(), 5);
        assert_eq!(kept[0].path, "/Users/3");
    }
}
