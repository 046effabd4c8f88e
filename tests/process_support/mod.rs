//! The real `abm-scim` binary as a child process, for tests that kill, restart or multiply it
//! (crash, outage, several processes on one database).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The admin token every spawned server gets.
pub const ADMIN_TOKEN: &str = "process-test-admin-token";
/// The JWT secret every spawned server gets, so SCIM tokens survive restarts and are valid on
/// every process sharing a database.
pub const JWT_SECRET: &str = "process-test-jwt-secret-0123456789abcdef";

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind an ephemeral port")
        .local_addr()
        .expect("local address")
        .port()
}

/// A running `abm-scim` process. Killed (SIGKILL) when dropped.
pub struct ServerProcess {
    child: Child,
    pub base_url: String,
    pub port: u16,
    /// The SCIM token printed on first start (`SCIM token: ...`), when one was printed.
    pub scim_token: Option<String>,
    lines: mpsc::Receiver<String>,
    /// The process's stderr (its log, at `warn` and above).
    log: tempfile::NamedTempFile,
}

impl ServerProcess {
    /// Starts the binary on `database_url` with the fixed admin token and JWT secret and the
    /// `extra` arguments, on `port` (0 = a free one), and waits until `/healthz` answers. When
    /// `expect_token` is true, also waits for the `SCIM token:` line of the first-start banner.
    pub fn spawn(database_url: &str, port: u16, extra: &[&str], expect_token: bool) -> Self {
        Self::spawn_logging(database_url, port, extra, expect_token, "warn")
    }

    /// [`ServerProcess::spawn`] with the log filter `rust_log` (`RUST_LOG`) instead of `warn`.
    pub fn spawn_logging(
        database_url: &str,
        port: u16,
        extra: &[&str],
        expect_token: bool,
        rust_log: &str,
    ) -> Self {
        let port = if port == 0 { free_port() } else { port };
        let listen = format!("127.0.0.1:{port}");
        let log = tempfile::NamedTempFile::new().expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_abm-scim"))
            .args([
                "--listen",
                &listen,
                "--database-url",
                database_url,
                "--admin-token",
                ADMIN_TOKEN,
                "--jwt-secret",
                JWT_SECRET,
            ])
            .args(extra)
            .env("RUST_LOG", rust_log)
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log.reopen().expect("log file"))
            .spawn()
            .expect("start the abm-scim binary");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = ServerProcess {
            child,
            base_url: format!("http://{listen}"),
            port,
            scim_token: None,
            lines,
            log,
        };
        // The banner is printed once the database is open, before the server accepts requests.
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen_base = false;
        while !(seen_base && (!expect_token || server.scim_token.is_some())) {
            let left = deadline.saturating_duration_since(Instant::now());
            match server.lines.recv_timeout(left) {
                Ok(line) => {
                    if line.starts_with("SCIM base URL:") {
                        seen_base = true;
                    } else if let Some(token) = line.strip_prefix("SCIM token: ") {
                        server.scim_token = Some(token.trim().to_string());
                    }
                }
                Err(_) => {
                    let status = server.child.try_wait().ok().flatten();
                    panic!(
                        "abm-scim on {listen} printed no banner (exit status: {status:?}); log:\n{}",
                        server.log()
                    );
                }
            }
        }
        server.wait_healthy(deadline);
        // The banner is written before the server accepts requests: once it answers, any
        // `SCIM token:` line is in the pipe.
        while let Ok(line) = server.lines.recv_timeout(Duration::from_millis(200)) {
            if let Some(token) = line.strip_prefix("SCIM token: ") {
                server.scim_token = Some(token.trim().to_string());
            }
        }
        server
    }

    fn wait_healthy(&mut self, deadline: Instant) {
        let url = format!("{}/healthz", self.base_url);
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                panic!("abm-scim exited early: {status}; log:\n{}", self.log());
            }
            let ok = std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && blocking_get_status(&url) == Some(200);
            if ok {
                return;
            }
            assert!(Instant::now() < deadline, "abm-scim never became healthy");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the process logged on stderr so far (with `spawn`, `RUST_LOG=warn`: warnings and
    /// errors only).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// The SCIM base URL (`.../feeds/business/scim`).
    pub fn scim_url(&self) -> String {
        format!("{}/feeds/business/scim", self.base_url)
    }

    /// The admin API base URL (`.../admin/v1`).
    pub fn admin_url(&self) -> String {
        format!("{}/admin/v1", self.base_url)
    }

    /// `kill -9`: no graceful shutdown, no flush.
    pub fn kill(mut self) {
        self.kill_now();
    }

    fn kill_now(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill_now();
    }
}

/// A minimal HTTP/1.1 GET without an async runtime (used while waiting for start-up).
fn blocking_get_status(url: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}")))?;
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.split_whitespace().nth(1)?.parse().ok()
}

/// A reqwest client with a per-request timeout, so a hung server fails the test instead of
/// hanging it.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client")
}
