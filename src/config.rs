//! Command line and environment configuration (clap). Every option has a `--long` flag and an
//! environment variable; bad values stop the process at start with clap's message.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::clock::ClockMode;
use crate::domain::OrgKind;

#[derive(Debug, Parser)]
#[command(
    name = "abm-scim",
    version,
    about = "A SCIM 2.0 server that emulates the Apple Business Manager directory",
    long_about = "A SCIM 2.0 service provider that behaves like Apple Business Manager's directory sync: \
point an identity provider (Entra ID, Okta, Google Workspace...) at the printed SCIM base URL with the printed \
bearer token. Runs on an embedded SQLite file by default, or on PostgreSQL with --database-url.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, the default command.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default when no command is given).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Generate N realistic SCIM accounts in an organization, deterministically (load tests).
    Seed(SeedArgs),
    /// Print the version and exit.
    Version,
}

#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// How many accounts to create.
    #[arg(long, env = "ABM_SCIM_SEED_USERS", value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub users: u64,
    /// Organization id or exact name (default: the only organization, e.g. the first-start one).
    #[arg(long, env = "ABM_SCIM_SEED_ORG")]
    pub org: Option<String>,
    /// Domain of the generated userNames (default: the organization's first verified domain).
    #[arg(long, env = "ABM_SCIM_SEED_DOMAIN")]
    pub domain: Option<String>,
    /// Seed of the generator: the same number gives the same accounts.
    #[arg(long, env = "ABM_SCIM_SEED_NUMBER", default_value_t = 1)]
    pub seed_number: u64,
    /// Index of the first generated account (to add more accounts to an earlier run).
    #[arg(long, default_value_t = 0)]
    pub start: u64,
    /// Accounts per transaction.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub batch: u64,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database: `sqlite:PATH` (created if missing), `sqlite::memory:` (throwaway), or
    /// `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite:abm-scim.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// Largest number of pooled database connections (PostgreSQL: in all, a quarter of them for
    /// transactions; SQLite: readers, at most 8, besides the single writer).
    #[arg(long, env = "ABM_SCIM_DB_MAX_CONNECTIONS", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_max_connections: u32,
    /// How long a request waits for a database connection before failing with 503 (e.g. `3s`).
    #[arg(long, env = "ABM_SCIM_DB_ACQUIRE_TIMEOUT", default_value = "3s", value_parser = humantime::parse_duration)]
    pub db_acquire_timeout: Duration,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ABM_SCIM_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Bearer token for the admin API. Generated, stored hashed and printed once when absent.
    #[arg(long, env = "ABM_SCIM_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// HS256 secret that signs SCIM tokens (at least 32 bytes). Generated and stored in the
    /// database when absent.
    #[arg(long, env = "ABM_SCIM_JWT_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub jwt_secret: Option<String>,
    /// Public base URL of this server, used in `Location`, `meta.location` and printed URLs
    /// (default: http://LISTEN).
    #[arg(long, env = "ABM_SCIM_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<url::Url>,
    /// `system`, or `manual` for a clock moved only through `POST /admin/v1/clock`.
    #[arg(long, env = "ABM_SCIM_CLOCK", value_enum, default_value = "system")]
    pub clock: ClockMode,
    /// How often the reaper deletes accounts deactivated longer than the retention (e.g. `60s`).
    #[arg(long, env = "ABM_SCIM_REAPER_INTERVAL", default_value = "60s", value_parser = parse_positive_duration)]
    pub reaper_interval: Duration,
    /// How long a deactivated account of a business organization is kept before the reaper
    /// deletes it (ABM: 30 days), unless the organization sets its own `retention_days`.
    #[arg(long, env = "ABM_SCIM_RETENTION", default_value = "30days", value_parser = parse_positive_duration)]
    pub retention: Duration,
    /// The same for school (Apple School Manager) organizations. Apple deletes deactivated SIS
    /// and SFTP accounts after 120 days and does not say which window SCIM accounts get: 120
    /// days is the emulator's choice.
    #[arg(long, env = "ABM_SCIM_SCHOOL_RETENTION", default_value = "120days", value_parser = parse_positive_duration)]
    pub school_retention: Duration,
    /// Log format.
    #[arg(long, env = "ABM_SCIM_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Largest `count` a list request may ask for; larger values are capped.
    #[arg(long, env = "ABM_SCIM_MAX_RESULTS", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_results: u32,
    /// Largest accepted request body in bytes (larger → 413).
    #[arg(long, env = "ABM_SCIM_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Open connections served at once; more are answered 503 (SCIM error) and closed.
    #[arg(long, env = "ABM_SCIM_MAX_CONNECTIONS", default_value_t = 1024, value_parser = parse_connection_count)]
    pub max_connections: usize,
    /// A client must send its request headers within this time, or the connection is closed.
    #[arg(long, env = "ABM_SCIM_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_positive_duration)]
    pub header_read_timeout: Duration,
    /// Honour `X-Forwarded-Proto` / `X-Forwarded-Host` when building absolute URLs (only behind a
    /// trusted proxy).
    #[arg(long, env = "ABM_SCIM_TRUST_FORWARDED", default_value_t = false)]
    pub trust_forwarded_headers: bool,
    /// Lifetime of new SCIM tokens (ABM: one calendar year). Shorter values help tests.
    #[arg(long, env = "ABM_SCIM_TOKEN_LIFETIME", value_parser = parse_positive_duration)]
    pub token_lifetime: Option<Duration>,
    /// How long an authorised SCIM token is trusted without reading it from the database again
    /// (e.g. `1s`; `0s` reads it on every request). Changes made through this process (revoke,
    /// renew, disconnect, organization changes) take effect on the next request regardless;
    /// this bounds how long a change made by another process sharing the database takes.
    #[arg(long, env = "ABM_SCIM_AUTH_CACHE_TTL", default_value = "1s", value_parser = humantime::parse_duration)]
    pub auth_cache_ttl: Duration,
    /// How long an OAuth authorization code can be exchanged at the token endpoint (e.g. `5m`).
    #[arg(long, env = "ABM_SCIM_OAUTH_CODE_LIFETIME", default_value = "5m", value_parser = parse_positive_duration)]
    pub oauth_code_lifetime: Duration,
    /// Lifetime (`expires_in`) of OAuth access tokens (Apple's servers: 3600 s).
    #[arg(long, env = "ABM_SCIM_OAUTH_ACCESS_TOKEN_LIFETIME", default_value = "3600s", value_parser = parse_access_token_lifetime)]
    pub oauth_access_token_lifetime: Duration,
    /// Issue a new refresh token on every refresh (a reused old one then revokes the whole
    /// grant). Off by default: Apple's servers return no new refresh token.
    #[arg(
        long,
        env = "ABM_SCIM_OAUTH_ROTATE_REFRESH_TOKENS",
        default_value_t = false
    )]
    pub oauth_rotate_refresh_tokens: bool,
    /// Request-journal entries kept per organization (0 turns the journal off).
    #[arg(long, env = "ABM_SCIM_JOURNAL_CAPACITY", default_value_t = 10_000)]
    pub journal_capacity: usize,
    /// Journal entries waiting to be written to the database at most; when full, the oldest
    /// waiting entries are dropped (counted, and marked on the journal) rather than slow a
    /// request.
    #[arg(long, env = "ABM_SCIM_JOURNAL_QUEUE", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub journal_queue: u64,
    /// How long a journal entry waits at most before it is written (500 waiting are written
    /// at once). Reading the journal writes this process's waiting entries first.
    #[arg(long, env = "ABM_SCIM_JOURNAL_FLUSH_INTERVAL", default_value = "50ms", value_parser = parse_positive_duration)]
    pub journal_flush_interval: Duration,
    /// Serve `GET /metrics` (Prometheus text format) on this separate address, e.g.
    /// `0.0.0.0:9464`. Off unless this or `--metrics-token` is given.
    #[arg(long, env = "ABM_SCIM_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Require `Authorization: Bearer <this>` on `GET /metrics`; alone, serves it on the main
    /// address. Never the admin or a SCIM token (at least 16 characters).
    #[arg(long, env = "ABM_SCIM_METRICS_TOKEN", hide_env_values = true, value_parser = parse_metrics_token)]
    pub metrics_token: Option<String>,
    /// How often `/metrics` reads the accounts per organization and the credentials' expiry
    /// from the database (one GROUP BY each, whatever the scrape rate).
    #[arg(long, env = "ABM_SCIM_METRICS_REFRESH", default_value = "30s", value_parser = parse_positive_duration)]
    pub metrics_refresh: Duration,
    /// A seed file (JSON) of organizations, domains, tokens with fixed secrets and accounts,
    /// applied idempotently at start. See examples/seed.json.
    #[arg(long, env = "ABM_SCIM_SEED")]
    pub seed: Option<std::path::PathBuf>,
    /// Do not create the default organization and token on first start.
    #[arg(long, env = "ABM_SCIM_NO_BOOTSTRAP", default_value_t = false)]
    pub no_bootstrap: bool,
    /// Kind of the default organization created on first start: `business` ("Example Org",
    /// served at /feeds/business/scim) or `school` ("Example School", at /feeds/school/scim).
    #[arg(long, env = "ABM_SCIM_BOOTSTRAP_KIND", default_value = "business", value_parser = parse_org_kind)]
    pub bootstrap_kind: OrgKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

fn parse_secret(value: &str) -> Result<String, String> {
    if value.len() < 32 {
        return Err("the JWT secret must be at least 32 bytes long".into());
    }
    Ok(value.to_string())
}

fn parse_metrics_token(value: &str) -> Result<String, String> {
    if value.len() < 16 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the metrics token must be at least 16 characters, without spaces".into());
    }
    Ok(value.to_string())
}

fn parse_public_url(value: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(value).map_err(|e| format!("not an absolute URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the public URL must start with http:// or https://".into());
    }
    Ok(url)
}

fn parse_connection_count(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err("must be a whole number from 1 to 1000000".into()),
    }
}

/// Whole seconds (`expires_in` counts seconds), at least one.
fn parse_access_token_lifetime(value: &str) -> Result<Duration, String> {
    let duration = parse_positive_duration(value)?;
    if duration.subsec_nanos() != 0 || duration.as_secs() > 366 * 86_400 {
        return Err("must be whole seconds, at most a year (examples: 3600s, 1h)".into());
    }
    Ok(duration)
}

fn parse_positive_duration(value: &str) -> Result<Duration, String> {
    let duration =
        humantime::parse_duration(value).map_err(|e| format!("{e} (examples: 60s, 5m, 30days)"))?;
    if duration.is_zero() {
        return Err("must be greater than zero".into());
    }
    Ok(duration)
}

impl ServeArgs {
    /// The public base URL, without a trailing slash.
    pub fn public_base(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.as_str().trim_end_matches('/').to_string(),
            None => format!("http://{bound}"),
        }
    }
}

impl Cli {
    /// Parses the process arguments (serve args given without a subcommand mean `serve`).
    pub fn command(self) -> Command {
        self.command.unwrap_or(Command::Serve(Box::new(self.serve)))
    }
}

/// Where the database file lives, for messages.
pub fn describe_database(url: &str) -> String {
    crate::store::redact_url(url)
}

/// `business` or `school`.
fn parse_org_kind(raw: &str) -> Result<OrgKind, String> {
    raw.parse()
        .map_err(|_| format!("must be one of {}", crate::domain::names::<OrgKind>()))
}
