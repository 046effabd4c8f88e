//! The private database file behind `sqlite::memory:`.
//!
//! A true SQLite in-memory database lives inside one connection: when the pool replaced that
//! connection (after a statement cancelled by a client that went away, a failed health check on
//! release...), the replacement opened a new, empty database, and every account vanished
//! without a word (`no such table: settings` on every request after). One connection for
//! everything also serialised every read behind every write.
//!
//! So `sqlite::memory:` is served by an ordinary SQLite database in a private temporary
//! directory, on tmpfs (`/dev/shm`) where there is room, so that it still costs no disk I/O.
//! Any connection to it sees the same data, however often the pool reconnects; reads run on
//! their own connections beside the writer, as on a file. The directory lives as long as the
//! store: it is removed when the store closes or is dropped, and a directory left behind by a
//! process that died (`kill -9`) is removed by the next start.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// Names the directories this module makes: `abm-scim-memory-<pid>-<random>`.
const PREFIX: &str = "abm-scim-memory-";

/// `/dev/shm` is used only with at least this much free space: containers often give it 64 MiB,
/// which a harness of 100k accounts outgrows, and a full database fails every write.
const MIN_SHM_FREE: u64 = 1 << 30;

/// The database file's name inside its directory.
const FILE_NAME: &str = "memory.sqlite";

/// A private database directory, removed with this value.
pub struct PrivateDatabase {
    dir: Option<TempDir>,
    path: PathBuf,
}

impl PrivateDatabase {
    /// Makes a fresh private directory (after removing those of dead processes).
    pub fn create() -> std::io::Result<Self> {
        let base = base_dir();
        remove_stale(&base);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{PREFIX}{}-", std::process::id()))
            .tempdir_in(&base)?;
        let path = dir.path().join(FILE_NAME);
        Ok(Self {
            dir: Some(dir),
            path,
        })
    }

    /// The database file (it does not exist until SQLite creates it).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the directory now (the store closed); later calls do nothing.
    pub fn remove(&mut self) {
        if let Some(dir) = self.dir.take() {
            if let Err(err) = dir.close() {
                tracing::warn!(error = %err, "could not remove the in-memory database's directory");
            }
        }
    }
}

/// tmpfs when it has room, the system's temporary directory (`TMPDIR`) otherwise.
fn base_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let roomy = rustix::fs::statvfs(shm)
        .map(|stat| stat.f_bavail.saturating_mul(stat.f_frsize) >= MIN_SHM_FREE)
        .unwrap_or(false);
    if roomy && rustix::fs::access(shm, rustix::fs::Access::WRITE_OK).is_ok() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Removes the directories of processes that no longer run (they died before removing their
/// own). Where `/proc` cannot tell (not Linux), nothing is removed.
fn remove_stale(base: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            match std::fs::remove_dir_all(entry.path()) {
                Ok(()) => {
                    tracing::info!(path = %entry.path().display(), "removed the in-memory database of a process that is gone")
                }
                Err(err) => {
                    tracing::debug!(path = %entry.path().display(), error = %err, "could not remove a stale in-memory database")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_goes_with_the_value_and_stale_ones_with_the_next_start() {
        let mut db = PrivateDatabase::create().unwrap();
        let dir = db.path().parent().unwrap().to_path_buf();
        assert!(dir.is_dir());
        db.remove();
        assert!(!dir.exists());

        // A directory named after a pid that cannot be running (above the kernel's limit).
        let stale = base_dir().join(format!("{PREFIX}4294967294-test"));
        std::fs::create_dir_all(&stale).unwrap();
        let db = PrivateDatabase::create().unwrap();
        assert!(!stale.exists(), "a dead process's directory is removed");
        let dir = db.path().parent().unwrap().to_path_buf();
        drop(db);
        assert!(!dir.exists());
    }
}
