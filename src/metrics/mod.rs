//! What `GET /metrics` shows, in the Prometheus text format (`prometheus-client`).
//!
//! A leaf: it knows series, not where their figures come from. The HTTP layer counts requests,
//! the reaper its passes; the figures read from elsewhere (pools, the journal's counts, the
//! accounts and credentials read on an interval) are set by `service::metrics` just before a
//! scrape is encoded. Each server has its own registry (no global recorder), so servers in one
//! test process never mix their series.

use std::sync::atomic::AtomicU64;
use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The matched route template (`/feeds/business/scim/Users/:id`), never the raw path.
    pub route: String,
    pub method: String,
    /// `2xx`, `4xx`...
    pub status: String,
    /// The identity provider the client looks like (`okta`, `entra`, `google`, `other`...).
    pub dialect: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
    pub method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    pub pool: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AccountLabels {
    pub org: String,
    pub state: String,
    pub source: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CredentialLabels {
    pub org: String,
    /// `scim_token` or `oauth_secret`.
    pub credential: String,
}

/// One pool's figures at a scrape.
#[derive(Debug, Clone)]
pub struct PoolFigures {
    pub pool: String,
    pub max: i64,
    pub open: i64,
    pub in_use: i64,
    pub waits: Option<u64>,
    pub timeouts: Option<u64>,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    pool_max: Family<PoolLabels, Gauge>,
    pool_open: Family<PoolLabels, Gauge>,
    pool_in_use: Family<PoolLabels, Gauge>,
    pool_waits: Family<PoolLabels, Counter>,
    pool_timeouts: Family<PoolLabels, Counter>,
    reaper_passes: Counter,
    reaper_deleted: Counter,
    journal_written: Counter,
    journal_dropped: Counter,
    accounts: Family<AccountLabels, Gauge>,
    credential_expiry: Family<CredentialLabels, Gauge<f64, AtomicU64>>,
    credentials_expiring: Family<CredentialLabels, Gauge>,
    change_feed: Gauge,
    /// Scrapes are encoded one at a time (families are replaced while being set).
    scrape: Mutex<()>,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("abm_scim");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let metrics = Metrics {
            requests,
            latency,
            pool_max: Family::default(),
            pool_open: Family::default(),
            pool_in_use: Family::default(),
            pool_waits: Family::default(),
            pool_timeouts: Family::default(),
            reaper_passes: Counter::default(),
            reaper_deleted: Counter::default(),
            journal_written: Counter::default(),
            journal_dropped: Counter::default(),
            accounts: Family::default(),
            credential_expiry: Family::default(),
            credentials_expiring: Family::default(),
            change_feed: Gauge::default(),
            scrape: Mutex::new(()),
            registry: Registry::default(),
        };
        let m = &metrics;
        registry.register(
            "http_requests",
            "HTTP requests answered, by route, method, status class and client dialect",
            m.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            m.latency.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "Connections a database pool may open",
            m.pool_max.clone(),
        );
        registry.register(
            "db_pool_open_connections",
            "Connections a database pool holds open",
            m.pool_open.clone(),
        );
        registry.register(
            "db_pool_in_use_connections",
            "Connections of a database pool in use",
            m.pool_in_use.clone(),
        );
        registry.register(
            "db_pool_waits",
            "Acquisitions that found every connection of the pool busy",
            m.pool_waits.clone(),
        );
        registry.register(
            "db_pool_timeouts",
            "Acquisitions that gave up after --db-acquire-timeout",
            m.pool_timeouts.clone(),
        );
        registry.register(
            "reaper_passes",
            "Passes of the reaper over expired inactive accounts",
            m.reaper_passes.clone(),
        );
        registry.register(
            "reaper_accounts_deleted",
            "Accounts the reaper deleted",
            m.reaper_deleted.clone(),
        );
        registry.register(
            "journal_entries_written",
            "Request-journal entries written to the database",
            m.journal_written.clone(),
        );
        registry.register("journal_entries_dropped", "Request-journal entries dropped because the write queue was full or the database failed", m.journal_dropped.clone());
        registry.register(
            "accounts",
            "Accounts per organization, state and source (read every --metrics-refresh)",
            m.accounts.clone(),
        );
        registry.register("credential_expiry_seconds", "Seconds until the earliest live SCIM token or OAuth client secret of the organization expires", m.credential_expiry.clone());
        registry.register(
            "credentials_expiring",
            "Live SCIM tokens or OAuth client secrets of the organization in their last 60 days",
            m.credentials_expiring.clone(),
        );
        registry.register(
            "change_feed_connected",
            "1 while listening for changes by other processes (PostgreSQL), 0 otherwise",
            m.change_feed.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    /// Counts one answered request.
    pub fn observe_request(&self, labels: RequestLabels, seconds: f64) {
        self.latency
            .get_or_create(&RouteLabels {
                route: labels.route.clone(),
                method: labels.method.clone(),
            })
            .observe(seconds);
        self.requests.get_or_create(&labels).inc();
    }

    pub fn reaper_pass(&self, deleted: u64) {
        self.reaper_passes.inc();
        self.reaper_deleted.inc_by(deleted);
    }

    pub fn set_journal_counts(&self, written: u64, dropped: u64) {
        raise(&self.journal_written, written);
        raise(&self.journal_dropped, dropped);
    }

    pub fn set_pools(&self, pools: &[PoolFigures]) {
        for pool in pools {
            let labels = PoolLabels {
                pool: pool.pool.clone(),
            };
            self.pool_max.get_or_create(&labels).set(pool.max);
            self.pool_open.get_or_create(&labels).set(pool.open);
            self.pool_in_use.get_or_create(&labels).set(pool.in_use);
            if let Some(waits) = pool.waits {
                raise(&self.pool_waits.get_or_create(&labels), waits);
            }
            if let Some(timeouts) = pool.timeouts {
                raise(&self.pool_timeouts.get_or_create(&labels), timeouts);
            }
        }
    }

    /// Replaces the accounts gauge (organizations gone since the last read disappear).
    pub fn set_accounts(&self, counts: impl IntoIterator<Item = (AccountLabels, i64)>) {
        self.accounts.clear();
        for (labels, count) in counts {
            self.accounts.get_or_create(&labels).set(count);
        }
    }

    /// Replaces the credential gauges: seconds to the earliest expiry, and how many expire
    /// within 60 days, per organization and kind.
    pub fn set_credentials(&self, figures: impl IntoIterator<Item = (CredentialLabels, f64, i64)>) {
        self.credential_expiry.clear();
        self.credentials_expiring.clear();
        for (labels, seconds, expiring) in figures {
            self.credential_expiry.get_or_create(&labels).set(seconds);
            self.credentials_expiring
                .get_or_create(&labels)
                .set(expiring);
        }
    }

    pub fn set_change_feed(&self, connected: bool) {
        self.change_feed.set(i64::from(connected));
    }

    /// Runs `update` (which sets the scrape-time figures), then encodes every series.
    pub fn render(&self, update: impl FnOnce(&Metrics)) -> String {
        let _one_at_a_time = self.scrape.lock().unwrap_or_else(|e| e.into_inner());
        update(self);
        let mut text = String::new();
        // Encoding into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// Moves a counter up to a total counted elsewhere.
fn raise(counter: &Counter, total: u64) {
    counter.inc_by(total.saturating_sub(counter.get()));
}
