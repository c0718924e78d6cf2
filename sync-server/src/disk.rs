//! Disk health: whether the server may take new data.
//!
//! Two things stop the server from accepting changes, while it keeps serving what it has:
//! the free space of the data directory's file system falling below a floor
//! (`--min-free-disk-mb`), and a write of samod's that failed and is being retried. samod
//! deletes the chunks a snapshot supersedes as soon as the snapshot's `put` returns, so a put
//! that returned after a failure would make it delete a document's only copy: the put is
//! retried until it succeeds instead ([`crate::sync::ChunkStore`]), and new data waits.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The default free-space floor: room for SQLite's write-ahead log to checkpoint and for a
/// large store's compaction, with a margin.
pub const DEFAULT_MIN_FREE_MB: u64 = 64;

/// Why the server does not take new data now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Free space is below the floor.
    DiskFull,
    /// A write of a document failed and is being retried.
    WritesFailing,
}

/// The data directory's disk, as the sync pump and `/health` see it.
#[derive(Debug)]
pub struct DiskHealth {
    data_dir: PathBuf,
    min_free_bytes: u64,
    /// Free bytes at the last look (`u64::MAX` before the first).
    free_bytes: AtomicU64,
    /// samod writes being retried now.
    failing_writes: AtomicUsize,
    /// Writes (puts and deletes) that failed since the start.
    failed_writes: AtomicU64,
    last_error: Mutex<Option<String>>,
}

/// What `/health` reports about the disk.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DiskReport {
    pub free_bytes: Option<u64>,
    pub min_free_bytes: u64,
    pub failing_writes: usize,
    pub failed_writes: u64,
    pub last_error: Option<String>,
    pub accepting_new_data: bool,
}

impl DiskHealth {
    pub fn new(data_dir: PathBuf, min_free_bytes: u64) -> Self {
        DiskHealth {
            data_dir,
            min_free_bytes,
            free_bytes: AtomicU64::new(u64::MAX),
            failing_writes: AtomicUsize::new(0),
            failed_writes: AtomicU64::new(0),
            last_error: Mutex::new(None),
        }
    }

    /// Looks at the free space now (one `statvfs`, a few microseconds) and returns it.
    pub fn refresh(&self) -> Option<u64> {
        match rustix::fs::statvfs(&self.data_dir) {
            Ok(s) => {
                let free = s.f_bavail.saturating_mul(s.f_frsize);
                self.free_bytes.store(free, Ordering::Relaxed);
                Some(free)
            }
            Err(e) => {
                // Unknown free space is not a reason to stop selling: the writes themselves
                // report a full disk.
                eprintln!("pos-sync-server: cannot read free disk space: {e}");
                None
            }
        }
    }

    /// Whether new data may be stored now, looking at the disk afresh.
    pub fn refusal(&self) -> Option<Refusal> {
        if self.failing_writes.load(Ordering::SeqCst) > 0 {
            return Some(Refusal::WritesFailing);
        }
        match self.refresh() {
            Some(free) if free < self.min_free_bytes => Some(Refusal::DiskFull),
            _ => None,
        }
    }

    /// A write failed (it may be retried).
    pub fn write_failed(&self, what: String) {
        self.failed_writes.fetch_add(1, Ordering::Relaxed);
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(what);
    }

    /// A write that must succeed failed and is now being retried; new data waits until
    /// [`DiskHealth::retry_ended`].
    pub fn retry_started(&self) {
        self.failing_writes.fetch_add(1, Ordering::SeqCst);
    }

    pub fn retry_ended(&self) {
        self.failing_writes.fetch_sub(1, Ordering::SeqCst);
    }

    pub fn report(&self) -> DiskReport {
        let refusal = self.refusal();
        let free = self.free_bytes.load(Ordering::Relaxed);
        DiskReport {
            free_bytes: (free != u64::MAX).then_some(free),
            min_free_bytes: self.min_free_bytes,
            failing_writes: self.failing_writes.load(Ordering::SeqCst),
            failed_writes: self.failed_writes.load(Ordering::Relaxed),
            last_error: self
                .last_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            accepting_new_data: refusal.is_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_floor_above_the_free_space_refuses_new_data() {
        let tmp = tempfile::tempdir().unwrap();
        let roomy = DiskHealth::new(tmp.path().to_path_buf(), 0);
        assert_eq!(roomy.refusal(), None);
        assert!(roomy.report().free_bytes.is_some());
        let full = DiskHealth::new(tmp.path().to_path_buf(), u64::MAX);
        assert_eq!(full.refusal(), Some(Refusal::DiskFull));
        assert!(!full.report().accepting_new_data);
    }

    #[test]
    fn a_retried_write_refuses_new_data_until_it_ends() {
        let tmp = tempfile::tempdir().unwrap();
        let disk = DiskHealth::new(tmp.path().to_path_buf(), 0);
        disk.write_failed("put: disk I/O error".into());
        disk.retry_started();
        assert_eq!(disk.refusal(), Some(Refusal::WritesFailing));
        disk.retry_ended();
        assert_eq!(disk.refusal(), None);
        let report = disk.report();
        assert_eq!(report.failed_writes, 1);
        assert_eq!(report.last_error.as_deref(), Some("put: disk I/O error"));
    }
}
