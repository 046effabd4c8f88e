//! Why a store could not be opened, in one line: what failed, the cause, and what to do.
//!
//! These lines end a start (`abm-scim`, `migrate`, `seed`): sqlx's own errors name neither the
//! server nor the file, and a PostgreSQL that refuses connections reads as a pool timeout (see
//! [`PostgresTarget::check`]). The raw error is logged at debug level. No line ever carries a
//! password: PostgreSQL is named by host and port, and URLs go through [`super::redact_url`].

use std::io::ErrorKind;
use std::path::Path;
use std::time::Duration;

use sqlx::migrate::MigrateError;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::Connection as _;

/// Where the database is chosen, for the lines that end with what to do.
const SET_URL: &str = "(set --database-url / DATABASE_URL)";

/// A failure to open a store, as the line to print.
pub(super) fn failure(line: String) -> anyhow::Error {
    anyhow::Error::msg(line)
}

/// A database URL no engine takes.
pub(super) fn unsupported_url(url: &str) -> anyhow::Error {
    failure(format!(
        "unsupported database URL {:?}: use sqlite:PATH, sqlite::memory: or postgres://USER:PASSWORD@HOST/DB {SET_URL}",
        super::redact_url(url)
    ))
}

/// A database URL its engine could not parse.
pub(super) fn invalid_url(url: &str, err: &sqlx::Error) -> anyhow::Error {
    failure(format!(
        "invalid database URL {:?}: {err} {SET_URL}",
        super::redact_url(url)
    ))
}

/// The PostgreSQL server a store connects to, as messages name it.
pub(super) struct PostgresTarget<'a> {
    connect: &'a PgConnectOptions,
}

impl<'a> PostgresTarget<'a> {
    pub(super) fn new(connect: &'a PgConnectOptions) -> Self {
        Self { connect }
    }

    /// `host:port` (`[host]:port` for an IPv6 address, which a URL gives in brackets already), or
    /// the socket's path.
    fn at(&self) -> String {
        let connect = self.connect;
        match connect.get_socket() {
            Some(socket) => socket.display().to_string(),
            None if connect.get_host().contains(':') && !connect.get_host().starts_with('[') => {
                format!("[{}]:{}", connect.get_host(), connect.get_port())
            }
            None => format!("{}:{}", connect.get_host(), connect.get_port()),
        }
    }

    fn database(&self) -> &str {
        self.connect
            .get_database()
            .unwrap_or(self.connect.get_username())
    }

    /// `database abm on PostgreSQL at 127.0.0.1:5432`.
    pub(super) fn describe(&self) -> String {
        format!(
            "database {} on PostgreSQL at {}",
            self.database(),
            self.at()
        )
    }

    /// One connection made directly, waiting at most `timeout`: sqlx's pool retries a refused
    /// connection until its acquire timeout and then only says that it timed out, while this
    /// says at once why the server cannot be used.
    pub(super) async fn check(&self, timeout: Duration) -> anyhow::Result<PgConnection> {
        match tokio::time::timeout(timeout, PgConnection::connect_with(self.connect)).await {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(err)) => {
                tracing::debug!(error = ?err, "connecting to PostgreSQL failed");
                Err(failure(self.connect_failure(&err)))
            }
            Err(_) => Err(failure(format!(
                "cannot connect to PostgreSQL at {}: no answer within {} — is the host reachable? {SET_URL}",
                self.at(),
                humantime::format_duration(timeout)
            ))),
        }
    }

    /// The line for a failed connection.
    fn connect_failure(&self, err: &sqlx::Error) -> String {
        let at = self.at();
        match err {
            sqlx::Error::Io(io) if io.kind() == ErrorKind::ConnectionRefused => format!(
                "cannot connect to PostgreSQL at {at}: connection refused — is the server running? {SET_URL}"
            ),
            sqlx::Error::Io(io) => format!(
                "cannot connect to PostgreSQL at {at}: {io} — check the host and port {SET_URL}"
            ),
            sqlx::Error::Tls(tls) => format!(
                "cannot connect to PostgreSQL at {at}: TLS failed: {tls} — check the sslmode of the URL {SET_URL}"
            ),
            sqlx::Error::Database(db) => {
                let user = self.connect.get_username();
                match db.code().as_deref() {
                    // invalid_password, invalid_authorization_specification
                    Some("28P01" | "28000") => format!(
                        "PostgreSQL at {at} refused user {user:?}: {} — check the user and password {SET_URL}",
                        db.message()
                    ),
                    // invalid_catalog_name
                    Some("3D000") => format!(
                        "PostgreSQL at {at} has no database {:?} — create it (createdb {}) or name another {SET_URL}",
                        self.database(),
                        self.database()
                    ),
                    // too_many_connections
                    Some("53300") => format!(
                        "PostgreSQL at {at} refused the connection: {} — close other connections or raise the server's max_connections",
                        db.message()
                    ),
                    _ => format!(
                        "PostgreSQL at {at} refused the connection: {} {SET_URL}",
                        db.message()
                    ),
                }
            }
            other => format!("cannot connect to PostgreSQL at {at}: {other} {SET_URL}"),
        }
    }

    /// The line for a pool that could not be opened once a first connection worked.
    pub(super) fn pool_failure(&self, err: &sqlx::Error) -> anyhow::Error {
        tracing::debug!(error = ?err, "opening the PostgreSQL pool failed");
        failure(format!(
            "cannot open connections to PostgreSQL at {}: {err}",
            self.at()
        ))
    }
}

/// The line for a SQLite database file that could not be opened: the path's own problem when
/// it has one (SQLite says only "unable to open database file"), else SQLite's message.
pub(super) fn sqlite_open(path: &Path, err: &sqlx::Error) -> anyhow::Error {
    tracing::debug!(error = ?err, path = %path.display(), "opening the SQLite database failed");
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let cause = match std::fs::metadata(dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            format!(
                "directory {} does not exist — create it, or choose another path",
                dir.display()
            )
        }
        Err(e) => format!("directory {}: {e} — choose another path", dir.display()),
        Ok(meta) if !meta.is_dir() => {
            format!("{} is not a directory — choose another path", dir.display())
        }
        // SQLite writes its WAL and shared-memory files beside the database.
        Ok(_) if rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_err() => format!(
            "directory {} is not writable — make it writable, or choose another path",
            dir.display()
        ),
        Ok(_)
            if path.exists() && rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_err() =>
        {
            "the file is not writable — make it writable, or choose another path".to_string()
        }
        Ok(_) => {
            let message = match err {
                sqlx::Error::Database(db) => db.message().to_string(),
                other => other.to_string(),
            };
            format!("{message} — check the file, or choose another path")
        }
    };
    failure(format!(
        "cannot open SQLite database {}: {cause} {SET_URL}",
        path.display()
    ))
}

/// The line for migrations that failed on `database` (see [`PostgresTarget::describe`]).
pub(super) fn migration(database: &str, err: &MigrateError) -> anyhow::Error {
    tracing::debug!(error = ?err, "migrations failed");
    let hint = match err {
        MigrateError::VersionMissing(_) | MigrateError::VersionTooNew(..) => {
            "the database was migrated by a newer abm-scim: run that version, or use another database"
        }
        MigrateError::VersionMismatch(_) => {
            "the database was migrated by a different build of abm-scim: run that build, or use another database"
        }
        MigrateError::Dirty(_) => {
            "an earlier migration was interrupted: restore the database from a backup, or use another database"
        }
        _ => "check that the database user may create tables, or use another database",
    };
    failure(format!(
        "cannot apply the migrations to {database}: {err} — {hint}"
    ))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn target_line(url: &str, err: sqlx::Error) -> String {
        let connect = PgConnectOptions::from_str(url).unwrap();
        PostgresTarget::new(&connect).connect_failure(&err)
    }

    #[test]
    fn a_refused_connection_names_the_server_and_never_the_password() {
        let refused = std::io::Error::from(ErrorKind::ConnectionRefused);
        let line = target_line("postgres://abm:secret@127.0.0.1:5999/abm", refused.into());
        assert_eq!(
            line,
            "cannot connect to PostgreSQL at 127.0.0.1:5999: connection refused — is the server \
             running? (set --database-url / DATABASE_URL)"
        );
        let refused = || std::io::Error::from(ErrorKind::ConnectionRefused).into();
        let ipv6 = target_line("postgres://abm:secret@[::1]:5999/abm", refused());
        assert!(ipv6.contains("at [::1]:5999:"), "{ipv6}");
        let bare = PgConnectOptions::new().host("::1").port(5999);
        let ipv6 = PostgresTarget::new(&bare).connect_failure(&refused());
        assert!(ipv6.contains("at [::1]:5999:"), "{ipv6}");
    }

    #[test]
    fn an_unparsable_url_loses_its_password_too() {
        let err = sqlx::Error::Configuration("invalid port number".into());
        let line = invalid_url("postgres://abm:s3cret@h:99999/abm", &err).to_string();
        assert!(
            line.starts_with("invalid database URL \"postgres://***@h:99999/abm\""),
            "{line}"
        );
    }

    #[test]
    fn a_missing_directory_is_named() {
        let err = sqlx::Error::Protocol("unable to open database file".into());
        let line = sqlite_open(Path::new("/nonexistent-abm-dir/x.db"), &err).to_string();
        assert!(
            line.starts_with(
                "cannot open SQLite database /nonexistent-abm-dir/x.db: directory \
                 /nonexistent-abm-dir does not exist"
            ),
            "{line}"
        );
    }

    #[test]
    fn a_migration_from_a_newer_version_says_so() {
        let line = migration("SQLite database x.db", &MigrateError::VersionMissing(99)).to_string();
        assert!(line.contains("migrated by a newer abm-scim"), "{line}");
    }
}
