//! Recently authorised SCIM tokens, so that most requests cost no token lookup.
//!
//! Every SCIM request used to read its token row and organization before doing its own work:
//! half of the database round trips of a `GET /Users/{id}`. An entry here is that row and
//! organization, keyed by the SHA-256 of the presented token (which was fully verified when the
//! entry was made) and tagged with the store's auth generation at the time of reading. Every
//! write to organizations or tokens through this process moves the generation on, so an entry
//! read before a revocation, a renewal, a disconnection or an organization change is never used
//! after it. Writes by another process sharing the database are seen once the entry is older
//! than the TTL (`--auth-cache-ttl`, 1 s by default; 0 turns the cache off).
//!
//! The checks that depend on the time (token expiry, the 60-second `last_used_at` refresh)
//! still run on every request, against the cached values. OAuth access tokens have a cache of
//! their own (`oauth::access`), of the same kind.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store::{Org, TokenRecord};

/// More entries than this means many live tokens; the cache starts over rather than grow.
const MAX_ENTRIES: usize = 10_000;

/// A token as found in the database.
#[derive(Debug, Clone)]
pub(super) struct FoundToken {
    pub record: TokenRecord,
    pub org: Org,
    /// Expiry written in the token itself (`Timestamp::MAX` for opaque seeded tokens).
    pub claims_expire_at: crate::domain::Timestamp,
}

struct Entry<T> {
    found: T,
    generation: u64,
    stored: Instant,
}

/// Credentials as found in the database (`T`), keyed by the hash of the presented token.
pub(super) struct AuthCache<T = FoundToken> {
    entries: Mutex<HashMap<[u8; 32], Entry<T>>>,
    ttl: Duration,
}

impl<T: Clone> AuthCache<T> {
    pub(super) fn new(ttl: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    /// The token found under `key`, if it was read at `generation` less than a TTL ago.
    pub(super) fn get(&self, key: &[u8; 32], generation: u64) -> Option<T> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.stored.elapsed() < self.ttl)
            .then(|| entry.found.clone())
    }

    /// Remembers a token read at `generation` (taken before the read).
    pub(super) fn put(&self, key: [u8; 32], found: T, generation: u64) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                found,
                generation,
                stored: Instant::now(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;

    fn found(id: &str) -> FoundToken {
        FoundToken {
            record: TokenRecord {
                id: id.into(),
                org_id: "org".into(),
                token_hash: "hash".into(),
                created_at: Timestamp::from_micros(0),
                expires_at: Timestamp::from_micros(10),
                last_used_at: None,
                revoked_at: None,
                expiring_notified: false,
                renewed_from: None,
            },
            org: Org {
                id: "org".into(),
                name: "Org".into(),
                federated_authentication: false,
                auto_merge: false,
                require_verified_domain: false,
                directory_sync_source: crate::domain::SyncSource::Scim,
                scim_connected_at: None,
                oauth_client_credentials: false,
                kind: crate::domain::OrgKind::Business,
                sis_connected: false,
                retention_days: None,
                created_at: Timestamp::from_micros(0),
                updated_at: Timestamp::from_micros(0),
            },
            claims_expire_at: Timestamp::MAX,
        }
    }

    #[test]
    fn an_entry_serves_only_its_generation() {
        let cache: AuthCache = AuthCache::new(Duration::from_secs(60));
        cache.put([1; 32], found("t1"), 7);
        assert_eq!(cache.get(&[1; 32], 7).unwrap().record.id, "t1");
        assert!(
            cache.get(&[1; 32], 8).is_none(),
            "a later write makes it stale"
        );
        assert!(cache.get(&[2; 32], 7).is_none(), "another token");
    }

    #[test]
    fn an_entry_expires_after_the_ttl_and_a_zero_ttl_caches_nothing() {
        let cache: AuthCache = AuthCache::new(Duration::from_millis(20));
        cache.put([1; 32], found("t1"), 0);
        assert!(cache.get(&[1; 32], 0).is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get(&[1; 32], 0).is_none());

        let off: AuthCache = AuthCache::new(Duration::ZERO);
        off.put([1; 32], found("t1"), 0);
        assert!(off.get(&[1; 32], 0).is_none());
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache: AuthCache = AuthCache::new(Duration::from_secs(60));
        for i in 0..=MAX_ENTRIES {
            let mut key = [0; 32];
            key[..8].copy_from_slice(&(i as u64).to_le_bytes());
            cache.put(key, found("t"), 0);
        }
        assert!(cache.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
