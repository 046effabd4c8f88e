//! Start-up failures of the real binary: one line on stderr naming the cause and what to do, a
//! non-zero exit at once, and no backtrace even with `RUST_BACKTRACE=1` (the debug form only
//! when `RUST_LOG` asks for debug logging).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How the binary ended: exit code, stderr, and how long it ran.
struct Ended {
    code: Option<i32>,
    stderr: String,
    took: Duration,
}

impl Ended {
    /// The single line printed, after checking that it is one line, without a backtrace, and
    /// that the process exited with status 1.
    fn one_line(&self) -> &str {
        assert_eq!(self.code, Some(1), "exit status; stderr: {}", self.stderr);
        let stderr = self.stderr.trim_end();
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            !stderr.to_lowercase().contains("backtrace"),
            "no backtrace: {stderr}"
        );
        assert!(stderr.starts_with("abm-scim: "), "{stderr}");
        stderr
    }
}

/// Runs `abm-scim` with `args` (and `RUST_BACKTRACE=1`, as on many developer machines) until it
/// exits, which must be within 30 s.
fn run(args: &[&str], env: &[(&str, &str)]) -> Ended {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_abm-scim"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .env_remove("RUST_LOG")
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the abm-scim binary");
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("abm-scim {args:?} did not exit within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    Ended {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        took: started.elapsed(),
    }
}

/// A loopback port nothing listens on: bound, then closed.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    port
}

#[test]
fn an_unreachable_postgresql_is_named_at_once() {
    let port = closed_port();
    let url = format!("postgres://abm:s3cret-pw@127.0.0.1:{port}/abm");
    // A long acquire timeout: the pool used to retry the refused connection until it ran out,
    // then say only "pool timed out while waiting for an open connection".
    let args = [
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        &url,
        "--db-acquire-timeout",
        "20s",
    ];
    let ended = run(&args, &[]);
    let line = ended.one_line();
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
    assert!(line.contains("refused"), "{line}");
    assert!(line.contains("DATABASE_URL"), "says what to set: {line}");
    assert!(!line.contains("s3cret-pw"), "never the password: {line}");
    assert!(
        ended.took < Duration::from_secs(10),
        "at once, not after the acquire timeout: {:?}",
        ended.took
    );

    // The same from `migrate`, through DATABASE_URL.
    let migrate = run(&["migrate"], &[("DATABASE_URL", &url)]);
    assert!(migrate.one_line().contains("refused"), "{}", migrate.stderr);

    // Debug logging asked for: the debug form (causes, backtrace) follows the line.
    let debug = run(&args, &[("RUST_LOG", "debug")]);
    assert_eq!(debug.code, Some(1));
    assert!(debug.stderr.lines().count() > 1, "{}", debug.stderr);
    assert!(
        debug.stderr.contains("abm-scim: cannot connect"),
        "{}",
        debug.stderr
    );
}

#[test]
fn a_listen_address_in_use_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = taken.local_addr().expect("address").to_string();
    let ended = run(
        &["--listen", &address, "--database-url", "sqlite::memory:"],
        &[],
    );
    let line = ended.one_line();
    assert!(line.contains(&address), "{line}");
    assert!(line.contains("address already in use"), "{line}");
    assert!(line.contains("--listen"), "says what to set: {line}");
}

#[test]
fn an_unusable_sqlite_path_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let serve = |path: &std::path::Path| {
        let url = format!("sqlite:{}", path.display());
        run(&["--listen", "127.0.0.1:0", "--database-url", &url], &[])
    };

    let missing = dir.path().join("missing");
    let ended = serve(&missing.join("abm.db"));
    let line = ended.one_line();
    assert!(
        line.contains(&format!("directory {} does not exist", missing.display())),
        "{line}"
    );

    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").expect("write");
    let ended = serve(&file.join("abm.db"));
    let line = ended.one_line();
    assert!(
        line.contains(&format!("{} is not a directory", file.display())),
        "{line}"
    );

    // A read-only directory stops only a process without root's privileges.
    let read_only = dir.path().join("read-only");
    std::fs::create_dir(&read_only).expect("mkdir");
    let mut permissions = std::fs::metadata(&read_only).expect("stat").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o555);
    std::fs::set_permissions(&read_only, permissions).expect("chmod");
    if std::fs::write(read_only.join("probe"), "").is_err() {
        let ended = serve(&read_only.join("abm.db"));
        let line = ended.one_line();
        assert!(line.contains("is not writable"), "{line}");
    }
}

#[test]
fn a_failed_migration_and_a_bad_url_scheme_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("abm.db");
    let url = format!("sqlite:{}", path.display());
    let migrated = run(&["migrate", "--database-url", &url], &[]);
    assert_eq!(migrated.code, Some(0), "{}", migrated.stderr);
    // A migration this build does not have: the database of a newer version.
    rusqlite::Connection::open(&path)
        .expect("open")
        .execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99999, 'from the future', TRUE, x'00', 1)",
            [],
        )
        .expect("insert");
    let ended = run(&["--listen", "127.0.0.1:0", "--database-url", &url], &[]);
    let line = ended.one_line();
    assert!(line.contains("cannot apply the migrations"), "{line}");
    assert!(line.contains("newer abm-scim"), "{line}");

    let ended = run(
        &[
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "mysql://abm:s3cret-pw@db/abm",
        ],
        &[],
    );
    let line = ended.one_line();
    assert!(line.contains("unsupported database URL"), "{line}");
    assert!(!line.contains("s3cret-pw"), "never the password: {line}");
}
