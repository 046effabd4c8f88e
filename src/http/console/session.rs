//! Console sessions: signing in with the admin token gives an opaque random id in an `HttpOnly`,
//! `SameSite=Strict` cookie (`Secure` when the public URL is https). Sessions are kept here, in
//! memory, per process: a restart signs everyone out, and behind several replicas a session
//! works on the replica that issued it only (the README says so).
//!
//! Expiry is wall time, not the emulated clock: moving a manual clock a year ahead must not sign
//! the person who moved it out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::RngCore;
use subtle::ConstantTimeEq;

/// How long a session lives without use.
pub const IDLE_LIFETIME: Duration = Duration::from_secs(8 * 3600);
/// Sessions kept at most; the oldest go first (a bound on memory, not a security control).
const MAX_SESSIONS: usize = 10_000;
pub const COOKIE: &str = "abm_console";

/// A message shown once, on the next page.
#[derive(Debug, Clone)]
pub enum Flash {
    Done(String),
    Failed(String),
    /// A secret shown once (a new SCIM token): its label and value.
    Secret {
        label: String,
        value: String,
    },
    /// Lines of a result worth listing (a reaper pass).
    List {
        title: String,
        lines: Vec<String>,
    },
}

struct Session {
    csrf: String,
    last_seen: Instant,
    flashes: Vec<Flash>,
}

/// What a handler learns about the signed-in person.
#[derive(Debug, Clone)]
pub struct Signed {
    pub id: String,
    pub csrf: String,
}

#[derive(Default)]
pub struct Sessions {
    inner: Mutex<HashMap<String, Session>>,
}

fn random_id() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session; returns its id (the cookie value).
    pub fn create(&self) -> String {
        let id = random_id();
        let mut sessions = self.lock();
        let now = Instant::now();
        sessions.retain(|_, s| now.duration_since(s.last_seen) < IDLE_LIFETIME);
        if sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(k, _)| k.clone())
            {
                sessions.remove(&oldest);
            }
        }
        sessions.insert(
            id.clone(),
            Session {
                csrf: random_id(),
                last_seen: now,
                flashes: Vec::new(),
            },
        );
        id
    }

    /// The live session with this id, its idle time renewed.
    pub fn get(&self, id: &str) -> Option<Signed> {
        let mut sessions = self.lock();
        let now = Instant::now();
        let session = sessions.get_mut(id)?;
        if now.duration_since(session.last_seen) >= IDLE_LIFETIME {
            sessions.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(Signed {
            id: id.to_string(),
            csrf: session.csrf.clone(),
        })
    }

    pub fn end(&self, id: &str) {
        self.lock().remove(id);
    }

    pub fn flash(&self, id: &str, flash: Flash) {
        if let Some(session) = self.lock().get_mut(id) {
            session.flashes.push(flash);
        }
    }

    /// The messages queued for the next page, removed (a secret is shown once).
    pub fn take_flashes(&self, id: &str) -> Vec<Flash> {
        self.lock()
            .get_mut(id)
            .map(|s| std::mem::take(&mut s.flashes))
            .unwrap_or_default()
    }
}

/// Whether a submitted form token is this session's (constant time).
pub fn csrf_matches(signed: &Signed, presented: &str) -> bool {
    bool::from(signed.csrf.as_bytes().ct_eq(presented.as_bytes()))
}

/// The session cookie's value in a `Cookie` header.
pub fn cookie_value(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

/// `Set-Cookie` for a session (`value` empty and `Max-Age=0` to remove it).
pub fn set_cookie(value: &str, secure: bool) -> String {
    let max_age = if value.is_empty() {
        0
    } else {
        IDLE_LIFETIME.as_secs()
    };
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_found_until_it_ends_and_flashes_show_once() {
        let sessions = Sessions::default();
        let id = sessions.create();
        assert_eq!(id.len(), 64);
        let signed = sessions.get(&id).unwrap();
        assert!(csrf_matches(&signed, &signed.csrf));
        assert!(!csrf_matches(&signed, "forged"));
        sessions.flash(&id, Flash::Done("ok".into()));
        assert_eq!(sessions.take_flashes(&id).len(), 1);
        assert!(sessions.take_flashes(&id).is_empty());
        sessions.end(&id);
        assert!(sessions.get(&id).is_none());
    }

    #[test]
    fn cookies() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("cookie", "a=1; abm_console=xyz; b=2".parse().unwrap());
        assert_eq!(cookie_value(&headers).as_deref(), Some("xyz"));
        assert!(set_cookie("v", true).ends_with("; Secure"));
        assert!(set_cookie("", false).contains("Max-Age=0"));
    }
}
