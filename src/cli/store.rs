//! `lendesk store check|backup|restore`: the operator's tools for the data directory. They
//! open the store like the bot does (so a damaged directory is reported the same way), and
//! print what they did; a damaged store or a failed check exits non-zero.

use std::io::{BufReader, BufWriter};
use std::path::Path;

use super::CommandError;
use crate::clock::unix_now as now;
use crate::config::Config;
use crate::store::{CheckReport, SledStore, Store};

fn failed(e: impl std::fmt::Display) -> CommandError {
    CommandError::Other(e.to_string())
}

fn data_dir(config: &Config) -> &Path {
    Path::new(&config.desk.data_dir)
}

/// The data directory, which must exist for `check` and `backup` (opening would create it).
fn existing_data_dir(config: &Config) -> Result<&Path, CommandError> {
    let dir = data_dir(config);
    if !dir.exists() {
        return Err(CommandError::BadInput(format!(
            "there is no data directory at {}",
            dir.display()
        )));
    }
    Ok(dir)
}

fn render(dir: &Path, report: &CheckReport) -> String {
    let mut text = format!("store {}\n", dir.display());
    for (kind, count) in &report.counts {
        text.push_str(&format!("  {kind}: {count}\n"));
    }
    if report.problems.is_empty() {
        text.push_str("ok: every record decodes and every index matches its records");
    } else {
        text.push_str(&format!("{} problem(s):", report.problems.len()));
        for problem in &report.problems {
            text.push_str(&format!("\n  - {problem}"));
        }
    }
    text
}

/// The store the config names: PostgreSQL at `store.url` (its schema brought up to date), or
/// sled in `desk.data_dir`.
pub async fn open(config: &Config) -> Result<Store, CommandError> {
    match &config.store.url {
        Some(url) => Store::connect(url).await.map_err(failed),
        None => Store::open(Path::new(&config.desk.data_dir)).map_err(failed),
    }
}

/// `lendesk store check`: counts per kind; an error (exit 1) when anything is wrong.
pub fn check(config: &Config) -> Result<String, CommandError> {
    let dir = existing_data_dir(config)?;
    let store = SledStore::open(dir).map_err(failed)?;
    let report = store.check().map_err(failed)?;
    let text = render(dir, &report);
    if report.problems.is_empty() {
        Ok(text)
    } else {
        Err(CommandError::Other(text))
    }
}

/// `lendesk store backup FILE`: every record into one file (written whole, then renamed).
pub fn backup(config: &Config, file: &Path) -> Result<String, CommandError> {
    let dir = existing_data_dir(config)?;
    let store = SledStore::open(dir).map_err(failed)?;
    let tmp = file.with_extension("partial");
    let records = {
        let out = std::fs::File::create(&tmp)
            .map_err(|e| failed(format!("cannot create {}: {e}", tmp.display())))?;
        let mut out = BufWriter::new(out);
        let records = store.backup(&mut out, now()).map_err(failed)?;
        out.into_inner()
            .map_err(|e| failed(e.error()))?
            .sync_all()
            .map_err(failed)?;
        records
    };
    std::fs::rename(&tmp, file).map_err(failed)?;
    Ok(format!(
        "backed up {records} records of {} to {}",
        dir.display(),
        file.display()
    ))
}

/// `lendesk store restore FILE [--force]`.
pub fn restore(config: &Config, file: &Path, force: bool) -> Result<String, CommandError> {
    let dir = data_dir(config);
    let input = std::fs::File::open(file)
        .map_err(|e| CommandError::BadInput(format!("cannot read {}: {e}", file.display())))?;
    let summary =
        SledStore::restore(dir, BufReader::new(input), force, now()).map_err(|e| match e {
            crate::store::StoreError::Backup(m) => CommandError::BadInput(m),
            other => failed(other),
        })?;
    let mut text = format!(
        "restored {} records from {} into {}",
        summary.records,
        file.display(),
        dir.display()
    );
    if let Some(aside) = summary.moved_aside {
        text.push_str(&format!(
            "\nthe directory that was there is now {}",
            aside.display()
        ));
    }
    Ok(text)
}
