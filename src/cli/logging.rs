//! Where log lines go: stderr for one-shot commands and the bot (colour codes only when stderr
//! is a terminal), a file for the console chat, so that no log line lands inside the
//! conversation. `LENDESK_LOG` sets the filter (default `warn`).

use std::fs::OpenOptions;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use super::CommandError;

fn filter() -> EnvFilter {
    EnvFilter::try_from_env("LENDESK_LOG").unwrap_or_else(|_| EnvFilter::new("warn"))
}

/// Logs to stderr.
pub fn to_stderr() {
    // A second initialisation (tests calling commands in one process) keeps the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// Logs to `path` (appended, no colour codes), creating its folder.
pub fn to_file(path: &Path) -> Result<(), CommandError> {
    let cannot = |e: std::io::Error| {
        CommandError::Other(format!("cannot open the log file {}: {e}", path.display()))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(cannot)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(cannot)?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
    Ok(())
}
