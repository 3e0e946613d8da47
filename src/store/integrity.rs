//! Damage detection. sled 0.34 can open a damaged `db` file without an error and with records
//! gone, so a small manifest beside sled's files records what must exist: ticket, audit and
//! broadcast numbers issued, and how many users, tickets, audit lines and broadcasts there were
//! at the last acknowledged (flushed) write. At open sled must hold at least that much, or the
//! store refuses to start. It does not repair anything: that is `lendesk store restore`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::StoreError;

/// The manifest's file name in the data directory.
pub const MANIFEST_FILE: &str = "lendesk-manifest.json";

/// The manifest format this build writes.
const MANIFEST_FORMAT: u32 = 1;

/// What must exist: high-water marks of the numbers issued and counts of records that are only
/// ever added (users leave only through `/forget`, which rewrites the manifest).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Ticket numbers issued (the last one).
    pub tickets_issued: u64,
    /// Ticket records.
    pub tickets: u64,
    /// User records.
    pub users: u64,
    /// Audit numbers issued.
    pub audit_issued: u64,
    /// Audit lines.
    pub audit: u64,
    /// Broadcast numbers issued.
    pub broadcasts_issued: u64,
    /// Broadcast records.
    pub broadcasts: u64,
}

impl Tally {
    /// Each field where `self` (what sled holds) has less than `recorded` (the manifest).
    fn shortfalls(&self, recorded: &Tally) -> Vec<String> {
        let fields = [
            (
                "ticket numbers issued",
                self.tickets_issued,
                recorded.tickets_issued,
            ),
            ("tickets", self.tickets, recorded.tickets),
            ("users", self.users, recorded.users),
            (
                "audit numbers issued",
                self.audit_issued,
                recorded.audit_issued,
            ),
            ("audit lines", self.audit, recorded.audit),
            (
                "broadcast numbers issued",
                self.broadcasts_issued,
                recorded.broadcasts_issued,
            ),
            ("broadcasts", self.broadcasts, recorded.broadcasts),
        ];
        fields
            .iter()
            .filter(|(_, found, expected)| found < expected)
            .map(|(what, found, expected)| format!("{what}: {expected} recorded, {found} found"))
            .collect()
    }

    fn checksum(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        alloy::primitives::keccak256(bytes).to_string()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    tally: Tally,
    /// keccak256 of the tally's JSON: a damaged manifest is noticed, not trusted.
    checksum: String,
}

/// Record counts kept in memory, always at most what the trees hold: a count goes up after its
/// insert and down before its removal, so a snapshot taken before a flush is on disk after it.
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) users: AtomicU64,
    pub(super) tickets: AtomicU64,
    pub(super) audit: AtomicU64,
    pub(super) broadcasts: AtomicU64,
}

impl Counters {
    pub(super) fn set(&self, tally: &Tally) {
        self.users.store(tally.users, Ordering::SeqCst);
        self.tickets.store(tally.tickets, Ordering::SeqCst);
        self.audit.store(tally.audit, Ordering::SeqCst);
        self.broadcasts.store(tally.broadcasts, Ordering::SeqCst);
    }
}

/// The manifest of one data directory.
#[derive(Debug)]
pub(super) struct Integrity {
    dir: PathBuf,
    /// The tally last written (`None` before the first write).
    written: Mutex<Option<Tally>>,
}

impl Integrity {
    /// Compares what sled holds (`found`) with the manifest in `dir`, then records `found`.
    /// No manifest: a new directory or one written before manifests existed; it starts now.
    pub(super) fn verify(dir: &Path, found: Tally) -> Result<Self, StoreError> {
        let damaged = |detail: String| StoreError::Damaged {
            dir: dir.to_path_buf(),
            detail,
        };
        let path = dir.join(MANIFEST_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let manifest: Manifest = serde_json::from_slice(&bytes)
                    .map_err(|e| damaged(format!("{MANIFEST_FILE} is unreadable ({e})")))?;
                if manifest.format > MANIFEST_FORMAT {
                    return Err(damaged(format!(
                        "{MANIFEST_FILE} has format {}, this lendesk understands up to {MANIFEST_FORMAT}",
                        manifest.format
                    )));
                }
                if manifest.checksum != manifest.tally.checksum() {
                    return Err(damaged(format!("{MANIFEST_FILE} fails its checksum")));
                }
                let short = found.shortfalls(&manifest.tally);
                if !short.is_empty() {
                    return Err(damaged(format!(
                        "records are missing ({})",
                        short.join("; ")
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(damaged(format!("{MANIFEST_FILE} cannot be read ({e})"))),
        }
        let integrity = Self {
            dir: dir.to_path_buf(),
            written: Mutex::new(None),
        };
        integrity.record(found)?;
        Ok(integrity)
    }

    /// Writes `tally` when it differs from the last one written: to a temporary file, synced,
    /// then renamed over the manifest and the directory synced, so a crash leaves the old or
    /// the new manifest, never half of one.
    pub(super) fn record(&self, tally: Tally) -> Result<(), StoreError> {
        let mut written = match self.written.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if *written == Some(tally) {
            return Ok(());
        }
        let manifest = Manifest {
            format: MANIFEST_FORMAT,
            tally,
            checksum: tally.checksum(),
        };
        let io = |e: std::io::Error| StoreError::Manifest {
            dir: self.dir.clone(),
            message: e.to_string(),
        };
        let bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        let tmp = self.dir.join(format!("{MANIFEST_FILE}.tmp"));
        {
            let mut file = std::fs::File::create(&tmp).map_err(io)?;
            file.write_all(&bytes).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, self.dir.join(MANIFEST_FILE)).map_err(io)?;
        std::fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
        *written = Some(tally);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shortfall_names_each_missing_kind() {
        let recorded = Tally {
            tickets_issued: 3,
            tickets: 3,
            users: 2,
            ..Tally::default()
        };
        let found = Tally {
            users: 2,
            ..Tally::default()
        };
        assert_eq!(
            found.shortfalls(&recorded),
            [
                "ticket numbers issued: 3 recorded, 0 found",
                "tickets: 3 recorded, 0 found"
            ]
        );
        assert!(recorded.shortfalls(&recorded).is_empty());
    }

    #[test]
    fn a_manifest_that_fails_its_checksum_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let tally = Tally {
            tickets: 3,
            ..Tally::default()
        };
        Integrity::verify(dir.path(), tally).unwrap();
        let path = dir.path().join(MANIFEST_FILE);
        let edited = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"tickets\": 3", "\"tickets\": 0");
        std::fs::write(&path, edited).unwrap();
        let err = Integrity::verify(dir.path(), tally).unwrap_err();
        assert!(err.to_string().contains("fails its checksum"), "{err}");
    }
}
