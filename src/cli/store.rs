//! `lendesk store check|backup|restore|migrate`: the operator's tools for the data directory.
//! They open the store like the bot does (so a damaged directory is reported the same way), and
//! print what they did; a damaged store or a failed check exits non-zero. `migrate` copies a
//! data directory into an empty PostgreSQL database.

use std::io::{BufReader, BufWriter};
use std::path::Path;
use std::time::{Duration, Instant};

use super::CommandError;
use crate::clock::unix_now as now;
use crate::config::Config;
use crate::store::pg::PgStore;
use crate::store::{CheckReport, MigrateSummary, SledStore, Store, StoreError};

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

/// `lendesk store migrate --from DIR --to URL`: copies the sled store in `DIR` into the empty
/// PostgreSQL database at `URL` (one transaction, verified by counts) and prints the counts per
/// kind and the time it took. The URL is never printed: it may carry a password. A missing
/// directory, a URL that is not PostgreSQL's and a database that is not empty are bad input.
pub async fn migrate(from: &Path, to: &str) -> Result<String, CommandError> {
    let started = Instant::now();
    let source = migration_source(from)?;
    let target = migration_target(to).await?;
    let summary = crate::store::migrate(&source, &target)
        .await
        .map_err(|e| match e {
            e @ StoreError::TargetNotEmpty { .. } => CommandError::BadInput(e.to_string()),
            other => failed(other),
        })?;
    Ok(render_migration(from, &summary, started.elapsed()))
}

/// The data directory to migrate: it must exist and hold a sled database (opening would
/// create one).
fn migration_source(dir: &Path) -> Result<SledStore, CommandError> {
    if !dir.is_dir() {
        return Err(CommandError::BadInput(format!(
            "there is no data directory at {}",
            dir.display()
        )));
    }
    if !dir.join("conf").is_file() {
        return Err(CommandError::BadInput(format!(
            "{} is not a lendesk data directory (no sled database in it)",
            dir.display()
        )));
    }
    SledStore::open(dir).map_err(failed)
}

/// The target database, its schema brought up to date. Only a `postgres://` or
/// `postgresql://` URL is taken; what is wrong with one is said without repeating it.
async fn migration_target(url: &str) -> Result<PgStore, CommandError> {
    let scheme = url.starts_with("postgres://") || url.starts_with("postgresql://");
    if !scheme || url.parse::<tokio_postgres::Config>().is_err() {
        return Err(CommandError::BadInput(
            "--to must be a PostgreSQL URL: postgres://user[:password]@host[:port]/database".into(),
        ));
    }
    PgStore::connect(url).await.map_err(failed)
}

fn render_migration(from: &Path, summary: &MigrateSummary, took: Duration) -> String {
    let mut text = format!(
        "migrated {} into PostgreSQL in {:.2} s (one transaction)\n",
        from.display(),
        took.as_secs_f64()
    );
    for (kind, count) in &summary.counts {
        text.push_str(&format!("  {kind}: {count}\n"));
    }
    text.push_str("verified: every kind counts the same in PostgreSQL as in sled");
    if !summary.left_behind.is_empty() {
        text.push_str(
            "\nnot carried over as sled had it (index entries `lendesk store check` reports):",
        );
        for note in &summary.left_behind {
            text.push_str(&format!("\n  - {note}"));
        }
    }
    text
}
