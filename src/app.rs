//! Startup and shutdown: bind, open the store, bootstrap, serve, run background tasks, stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::clock::{Clock, ClockMode, ManualClock, SystemClock};
use crate::config::ServeArgs;
use crate::http::{metrics_router, router, ConnectionLimits, HttpLimits};
use crate::service::{App, FirstStart, Settings};
use crate::store::{self, PoolOptions};

/// A bound, ready-to-serve server.
pub struct Application {
    listener: TcpListener,
    app: Arc<App>,
    first_start: FirstStart,
    limits: HttpLimits,
    reaper_interval: std::time::Duration,
    connection_limits: ConnectionLimits,
    /// `--metrics-listen`, bound.
    metrics_listener: Option<TcpListener>,
}

impl Application {
    /// Binds the listener (port 0 picks a free port), opens and migrates the store, creates the
    /// first-start secrets and organization.
    pub async fn build(args: &ServeArgs) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(args.listen)
            .await
            .map_err(|e| listen_failure(args.listen, &e))?;
        let bound = listener.local_addr()?;
        if let (Some(metrics), Some(admin)) = (&args.metrics_token, &args.admin_token) {
            if metrics == admin {
                anyhow::bail!(
                    "--metrics-token must differ from --admin-token: whoever scrapes metrics must not hold the admin token"
                );
            }
        }
        let metrics_listener = match args.metrics_listen {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .map_err(|e| listen_failure(address, &e))?,
            ),
            None => None,
        };
        let pool = PoolOptions {
            max_connections: args.database.db_max_connections,
            acquire_timeout: args.database.db_acquire_timeout,
            bulk_load: false,
        };
        // Its errors name the database (never with a password) and what to do.
        let store = store::connect(&args.database.database_url, &pool).await?;
        let clock: Arc<dyn Clock> = match args.clock {
            ClockMode::System => Arc::new(SystemClock),
            ClockMode::Manual => {
                Arc::new(ManualClock::open(store.clone(), args.auth_cache_ttl).await?)
            }
        };
        let settings = Settings {
            public_base: args.public_base(bound),
            retention: args.retention,
            school_retention: args.school_retention,
            token_lifetime: args.token_lifetime,
            max_results: args.max_results,
            trust_forwarded_headers: args.trust_forwarded_headers,
            journal_capacity: args.journal_capacity,
            journal_queue: crate::service::journal::QueueOptions {
                capacity: usize::try_from(args.journal_queue).unwrap_or(usize::MAX),
                batch: 500,
                interval: args.journal_flush_interval,
            },
            metrics: crate::service::MetricsSettings {
                enabled: args.metrics_listen.is_some() || args.metrics_token.is_some(),
                separate_listener: args.metrics_listen.is_some(),
                token_hash: args
                    .metrics_token
                    .as_deref()
                    .map(crate::service::hash_secret),
                refresh: args.metrics_refresh,
            },
            max_body_bytes: args.max_body_bytes,
            auth_cache_ttl: args.auth_cache_ttl,
            oauth: crate::service::oauth::OAuthSettings {
                code_lifetime: args.oauth_code_lifetime,
                access_token_lifetime: args.oauth_access_token_lifetime,
                rotate_refresh_tokens: args.oauth_rotate_refresh_tokens,
            },
        };
        let (app, first_start) = App::open(
            store,
            clock,
            settings,
            args.jwt_secret.as_deref(),
            args.admin_token.as_deref(),
            (!args.no_bootstrap).then_some(args.bootstrap_kind),
        )
        .await?;
        if let Some(path) = &args.seed {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read seed file {}: {e}", path.display()))?;
            let document: crate::service::seed::SeedDocument = serde_json::from_str(&text)
                .map_err(|e| {
                    anyhow::anyhow!(
                        "seed file {} is not a valid seed document: {e}",
                        path.display()
                    )
                })?;
            let summary = app
                .apply_seed(&document)
                .await
                .map_err(|e| anyhow::anyhow!("seed file {}: {e}", path.display()))?;
            tracing::info!(orgs = summary.orgs.len(), file = %path.display(), "seed applied");
        }
        Ok(Self {
            listener,
            app: Arc::new(app),
            first_start,
            limits: HttpLimits {
                max_body_bytes: args.max_body_bytes,
                ..HttpLimits::default()
            },
            reaper_interval: args.reaper_interval,
            metrics_listener,
            connection_limits: ConnectionLimits {
                max_connections: args.max_connections,
                header_read_timeout: args.header_read_timeout,
                ..ConnectionLimits::default()
            },
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Where `--metrics-listen` serves `/metrics`.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|listener| listener.local_addr().ok())
    }

    pub fn app(&self) -> Arc<App> {
        self.app.clone()
    }

    /// Secrets created on this start (shown once).
    pub fn first_start(&self) -> &FirstStart {
        &self.first_start
    }

    /// The block printed on first start: plain `Key: value` lines a script can parse.
    pub fn banner(&self) -> String {
        let mut lines = vec![format!(
            "SCIM base URL: {}",
            self.app.scim_base_url(self.first_start.default_org_kind)
        )];
        if let Some(address) = self.metrics_address() {
            lines.push(format!("Metrics URL: http://{address}/metrics"));
        }
        if let Some(token) = &self.first_start.scim_token {
            lines.push(format!("SCIM token: {token}"));
        }
        if let Some(token) = &self.first_start.admin_token {
            lines.push(format!("Admin token: {token}"));
        }
        lines.join("\n")
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish, stops background
    /// tasks and closes the pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let reaper = tokio::spawn(crate::service::run_reaper(
            self.app.clone(),
            self.reaper_interval,
            stop_rx.clone(),
        ));
        let mut tasks = vec![
            reaper,
            tokio::spawn(crate::service::follow_changes(
                self.app.clone(),
                stop_rx.clone(),
            )),
            tokio::spawn(journal_writer(self.app.clone(), stop_rx.clone())),
        ];
        if self.app.settings.metrics.enabled {
            tasks.push(tokio::spawn(crate::service::run_figures(
                self.app.clone(),
                self.app.settings.metrics.refresh,
                stop_rx.clone(),
            )));
        }
        if let Some(listener) = self.metrics_listener {
            let mut stop = stop_rx.clone();
            let app = self.app.clone();
            tasks.push(tokio::spawn(async move {
                let stopped = async move {
                    let _ = stop.changed().await;
                };
                let served = crate::http::serve(
                    listener,
                    metrics_router(app),
                    ConnectionLimits::default(),
                    stopped,
                )
                .await;
                if let Err(err) = served {
                    tracing::warn!(error = %err, "the metrics listener stopped");
                }
            }));
        }
        // Told when shutdown starts, so that endless answers (the console's live streams) end and
        // the graceful shutdown does not wait for them.
        let (stopping_tx, stopping_rx) = watch::channel(false);
        let routes = router(self.app.clone(), &self.limits, stopping_rx);
        let shutdown = async move {
            shutdown.await;
            let _ = stopping_tx.send(true);
        };
        crate::http::serve(
            self.listener,
            routes,
            self.connection_limits.clone(),
            shutdown,
        )
        .await?;
        let _ = stop_tx.send(true);
        for task in tasks {
            let _ = task.await;
        }
        self.app.store.close().await;
        tracing::info!("server stopped");
        Ok(())
    }
}

/// Writes the journal's queue in the background; the last entries are written at shutdown.
async fn journal_writer(app: Arc<App>, stop: watch::Receiver<bool>) {
    app.journal.run_writer(stop).await;
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

/// The line for a listen address that cannot be bound: the cause, and what to do.
fn listen_failure(address: SocketAddr, err: &std::io::Error) -> anyhow::Error {
    use std::io::ErrorKind;
    let cause = match err.kind() {
        ErrorKind::AddrInUse => "address already in use — stop the process listening there \
                                 (another abm-scim?) or choose another address"
            .to_string(),
        ErrorKind::PermissionDenied => {
            "permission denied — ports below 1024 need privileges: choose another address".into()
        }
        ErrorKind::AddrNotAvailable => {
            "no interface of this machine has that address — choose another address".into()
        }
        _ => format!("{err} — choose another address"),
    };
    anyhow::anyhow!("cannot listen on {address}: {cause} (set --listen / ABM_SCIM_LISTEN)")
}
