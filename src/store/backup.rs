//! Backups: every record of every tree as one portable, versioned JSON-lines document (a header
//! with the format and schema versions, one line per record with its tree and hex key and
//! value, and an end line with the record count, so a cut-off file is noticed), and the
//! restore of such a document into a new data directory.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{SCHEMA_VERSION, SledStore, StoreError};

/// The backup format this build writes; a newer one is refused.
pub const BACKUP_FORMAT: u32 = 1;

/// What the header's `kind` says.
const KIND: &str = "lendesk-backup";

/// sled's default tree (lendesk keeps nothing there, but a backup holds every tree).
const DEFAULT_TREE: &[u8] = b"__sled__default";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Header {
        kind: String,
        format: u32,
        schema: u32,
        created_at: u64,
    },
    Record {
        tree: String,
        key: String,
        value: String,
    },
    End {
        records: u64,
    },
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    /// Records restored.
    pub records: u64,
    /// Where the directory that was there before now is (`--force`).
    pub moved_aside: Option<PathBuf>,
}

fn bad(message: String) -> StoreError {
    StoreError::Backup(message)
}

impl SledStore {
    /// Writes every record of every tree to `out`; returns how many records.
    pub fn backup(&self, out: &mut impl Write, now: u64) -> Result<u64, StoreError> {
        let io = |e: std::io::Error| bad(format!("cannot write the backup: {e}"));
        let mut write = |line: &Line| -> Result<(), StoreError> {
            let json = serde_json::to_string(line).map_err(|e| bad(e.to_string()))?;
            writeln!(out, "{json}").map_err(io)
        };
        write(&Line::Header {
            kind: KIND.into(),
            format: BACKUP_FORMAT,
            schema: self.schema_version()?,
            created_at: now,
        })?;
        let mut records = 0;
        for name in self.db.tree_names() {
            let tree: sled::Tree = if name.as_ref() == DEFAULT_TREE {
                (*self.db).clone()
            } else {
                self.db.open_tree(&name)?
            };
            for kv in tree.iter() {
                let (key, value) = kv?;
                write(&Line::Record {
                    tree: String::from_utf8_lossy(&name).into_owned(),
                    key: hex::encode(key),
                    value: hex::encode(value),
                })?;
                records += 1;
            }
        }
        write(&Line::End { records })?;
        out.flush().map_err(io)?;
        Ok(records)
    }

    /// Restores a backup into `dir`, which must be empty or absent unless `force` (then the
    /// directory there is moved aside to `<dir>.before-restore-<now>`, never deleted). The
    /// records go to a staging directory first, so a bad file leaves `dir` as it was. Refuses
    /// a backup of a newer format or schema, and one cut off before its end line.
    pub fn restore(
        dir: &Path,
        input: impl BufRead,
        force: bool,
        now: u64,
    ) -> Result<RestoreSummary, StoreError> {
        let occupied = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
        if occupied && !force {
            return Err(bad(format!(
                "{} is not empty; restore into an empty directory, or pass --force to move it aside first",
                dir.display()
            )));
        }
        let staging = sibling(dir, "restoring")?;
        let io = |what: &str, e: std::io::Error| bad(format!("cannot {what}: {e}"));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .map_err(|e| io("clear an earlier restore's staging directory", e))?;
        }
        let records = match fill(&staging, input) {
            Ok(records) => records,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        let moved_aside = if occupied {
            let aside = sibling(dir, &format!("before-restore-{now}"))?;
            std::fs::rename(dir, &aside).map_err(|e| io("move the old directory aside", e))?;
            Some(aside)
        } else {
            if dir.exists() {
                std::fs::remove_dir(dir).map_err(|e| io("replace the empty directory", e))?;
            }
            None
        };
        std::fs::rename(&staging, dir)
            .map_err(|e| io("move the restored directory in place", e))?;
        // Opening writes the integrity manifest of what was restored.
        drop(SledStore::open(dir)?);
        Ok(RestoreSummary {
            records,
            moved_aside,
        })
    }
}

/// `<dir>.<suffix>`, beside `dir`.
fn sibling(dir: &Path, suffix: &str) -> Result<PathBuf, StoreError> {
    let name = dir
        .file_name()
        .ok_or_else(|| bad(format!("{} is not a directory name", dir.display())))?;
    Ok(dir.with_file_name(format!("{}.{suffix}", name.to_string_lossy())))
}

/// Writes the backup's records into a new sled database at `dir`; how many.
fn fill(dir: &Path, input: impl BufRead) -> Result<u64, StoreError> {
    let db = sled::Config::new().path(dir).open()?;
    let mut lines = input.lines().enumerate();
    let header = lines
        .next()
        .map(|(_, l)| l)
        .transpose()
        .map_err(|e| bad(format!("cannot read the backup: {e}")))?;
    match header.and_then(|l| serde_json::from_str::<Line>(&l).ok()) {
        Some(Line::Header {
            kind,
            format,
            schema,
            ..
        }) if kind == KIND => {
            if format > BACKUP_FORMAT {
                return Err(bad(format!(
                    "the backup has format {format}, this lendesk reads up to {BACKUP_FORMAT}: restore it with a newer lendesk"
                )));
            }
            if schema > SCHEMA_VERSION {
                return Err(StoreError::NewerSchema { found: schema });
            }
        }
        _ => return Err(bad("this is not a lendesk backup (no header line)".into())),
    }
    let mut records = 0;
    for (n, line) in lines {
        let line = line.map_err(|e| bad(format!("cannot read the backup: {e}")))?;
        let at = |what: &str| bad(format!("line {}: {what}", n + 1));
        match serde_json::from_str::<Line>(&line).map_err(|e| at(&e.to_string()))? {
            Line::Record { tree, key, value } => {
                let key = hex::decode(key).map_err(|e| at(&format!("key: {e}")))?;
                let value = hex::decode(value).map_err(|e| at(&format!("value: {e}")))?;
                if tree.as_bytes() == DEFAULT_TREE {
                    db.insert(key, value)?;
                } else {
                    db.open_tree(tree.as_bytes())?.insert(key, value)?;
                }
                records += 1;
            }
            Line::End { records: expected } if expected == records => {
                db.flush()?;
                return Ok(records);
            }
            Line::End { records: expected } => {
                return Err(at(&format!(
                    "the backup says {expected} records, it holds {records}"
                )));
            }
            Line::Header { .. } => return Err(at("a second header")),
        }
    }
    Err(bad(
        "the backup is cut off (no end line): it is incomplete, nothing was restored".into(),
    ))
}
