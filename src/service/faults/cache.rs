//! The fault rules of every organization, as stored, cached per process.
//!
//! Every SCIM request checks the rules, so they are read from memory: an organization's rules
//! are read from the database once, then again after a change through this process, an
//! announcement of a change by another one (PostgreSQL, `service::changes`), or the cache's
//! TTL (`--auth-cache-ttl`: the bound when no announcement arrives). A rule with `times` is
//! taken from the database in one atomic statement each time it fires, so N firings happen in
//! the whole cluster, whatever the caches hold; `probability` is drawn per request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;

use super::{FaultAction, FaultRule};
use crate::service::{ServiceError, ServiceResult};
use crate::store::{FaultRow, Store, StoreError};

/// Organizations whose rules are held at most; beyond, the cache starts over.
const MAX_ORGS: usize = 10_000;

struct Cached {
    /// Position in the list, rule (its `times` as last read), exhausted.
    rules: Vec<(i64, FaultRule)>,
    read_at: Instant,
}

pub struct Faults {
    store: Arc<dyn Store>,
    cache: Mutex<HashMap<String, Cached>>,
    /// `None`: nobody else can change the rules (a private database).
    ttl: Option<Duration>,
}

impl Faults {
    pub fn new(store: Arc<dyn Store>, ttl: Duration) -> Self {
        let ttl = (!store.is_private()).then_some(ttl);
        Self {
            store,
            cache: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces an organization's rules (already validated).
    pub async fn set(&self, org_id: &str, rules: &[FaultRule]) -> ServiceResult<()> {
        let rows = rules
            .iter()
            .enumerate()
            .map(|(position, rule)| {
                Ok(FaultRow {
                    position: position as i64,
                    rule: serde_json::to_string(rule)
                        .map_err(|e| ServiceError::Store(StoreError::Corrupt(e.to_string())))?,
                    remaining: rule.times.map(|t| i64::try_from(t).unwrap_or(i64::MAX)),
                })
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        self.store.put_fault_rules(org_id, &rows).await?;
        self.forget(org_id);
        Ok(())
    }

    /// The rules as stored, with the `times` left.
    pub async fn get(&self, org_id: &str) -> ServiceResult<Vec<FaultRule>> {
        Ok(self
            .read(org_id)
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    }

    pub async fn clear(&self, org_id: &str) -> ServiceResult<()> {
        self.store.put_fault_rules(org_id, &[]).await?;
        self.forget(org_id);
        Ok(())
    }

    /// Drops one organization's cached rules.
    pub fn forget(&self, org_id: &str) {
        self.cache().remove(org_id);
    }

    /// Drops every cached rule (another process changed some).
    pub fn forget_all(&self) {
        self.cache().clear();
    }

    async fn read(&self, org_id: &str) -> ServiceResult<Vec<(i64, FaultRule)>> {
        let rows = self.store.list_fault_rules(org_id).await?;
        rows.into_iter()
            .map(|row| {
                let mut rule: FaultRule = serde_json::from_str(&row.rule).map_err(|e| {
                    ServiceError::Store(StoreError::Corrupt(format!("stored fault rule: {e}")))
                })?;
                rule.times = row.remaining.map(|r| r.max(0) as u64);
                Ok((row.position, rule))
            })
            .collect()
    }

    /// The organization's rules from the cache, read again when missing or stale.
    async fn rules(&self, org_id: &str) -> ServiceResult<Vec<(i64, FaultRule)>> {
        if let Some(cached) = self.cache().get(org_id) {
            if self.ttl.is_none_or(|ttl| cached.read_at.elapsed() < ttl) {
                return Ok(cached.rules.clone());
            }
        }
        let read_at = Instant::now();
        let rules = self.read(org_id).await?;
        let mut cache = self.cache();
        if cache.len() >= MAX_ORGS {
            cache.clear();
        }
        cache.insert(
            org_id.to_string(),
            Cached {
                rules: rules.clone(),
                read_at,
            },
        );
        Ok(rules)
    }

    /// Notes in the cache that a limited rule has none of its `times` left.
    fn exhausted(&self, org_id: &str, position: i64) {
        if let Some(cached) = self.cache().get_mut(org_id) {
            for (at, rule) in cached.rules.iter_mut() {
                if *at == position {
                    rule.times = Some(0);
                }
            }
        }
    }

    /// The action to apply to this request, if a rule fires (taking one of its `times`).
    pub async fn check(
        &self,
        org_id: &str,
        method: &str,
        path: &str,
    ) -> ServiceResult<Option<FaultAction>> {
        for (position, rule) in self.rules(org_id).await? {
            if !rule.matches(method, path) || rule.times == Some(0) {
                continue;
            }
            if let Some(p) = rule.probability {
                if !rand::thread_rng().gen_bool(p) {
                    continue;
                }
            }
            if rule.times.is_some() && !self.store.consume_fault(org_id, position).await? {
                self.exhausted(org_id, position);
                continue;
            }
            return Ok(Some(rule.action));
        }
        Ok(None)
    }
}
