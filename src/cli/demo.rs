//! `lendesk demo` (what `cargo run -- demo` runs): a devnet with a real Aave v3 market, the
//! demo accounts, then the console chat over it until /quit; the devnet stops with the chat.
//! Each demo starts with a fresh data directory (`./lendesk-demo-data`), so a ticket from an
//! earlier demo does not follow the new one; its `console.log` holds the log lines.

use std::path::{Path, PathBuf};

use super::{CommandError, reader};
use crate::chain::report;
use crate::config::Config;
use crate::devnet::{Devnet, DevnetOptions, cli::lendesk_toml};

fn other(e: impl std::fmt::Display) -> CommandError {
    CommandError::Other(e.to_string())
}

/// The demo's data directory under `here`, emptied of an earlier demo's users and tickets.
fn fresh_data_dir(here: &Path) -> Result<PathBuf, CommandError> {
    let dir = here.join("lendesk-demo-data");
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(other(format!(
            "cannot clear the demo's data directory {}: {e}",
            dir.display()
        ))),
        _ => Ok(dir),
    }
}

/// Runs the demo on `port` (a busy port falls back to a free one).
pub async fn run(port: u16) -> Result<(), CommandError> {
    let here = std::env::current_dir().map_err(other)?;
    let data_dir = fresh_data_dir(&here)?;
    super::logging::to_file(&super::console::log_file(&data_dir))?;
    let devnet = match Devnet::start(DevnetOptions { port, fresh: false }).await {
        Ok(d) => d,
        Err(e) if port != 0 => {
            eprintln!("port {port} unavailable ({e}); using a free port");
            Devnet::start(DevnetOptions {
                port: 0,
                fresh: false,
            })
            .await
            .map_err(other)?
        }
        Err(e) => return Err(other(e)),
    };
    let manifest = devnet.manifest().clone();
    let toml = lendesk_toml(&manifest);
    manifest.write(&here.join("devnet.json")).map_err(other)?;
    std::fs::write(here.join("lendesk.toml"), &toml).map_err(other)?;
    let mut config = Config::parse(&toml, "lendesk.toml")?;
    config.desk.data_dir = data_dir.display().to_string();
    let market = super::select_market(&config, None)?;
    let reader = reader(&config, market)?;
    let target = config.target_health_factor()?;

    println!(
        "lendesk demo: a real Aave v3 market on Anvil at {}",
        devnet.rpc_url()
    );
    println!(
        "(wrote devnet.json and lendesk.toml here: `lendesk position <address>` works in another terminal;\n this demo's users, tickets and console.log are in {}, fresh for each demo)\n",
        data_dir.display()
    );
    println!("Demo accounts:");
    for account in &manifest.accounts {
        let position = reader.position(account.address).await?;
        let report = report::assess(&position, target);
        let hf = if position.is_empty() {
            "no position".to_string()
        } else {
            format!(
                "HF {}",
                crate::chain::format::health_factor(report.totals.health_factor)
            )
        };
        println!(
            "  {:<10} {}  {hf}",
            account.profile.as_str(),
            account.address.to_checksum(None)
        );
    }
    let warning = manifest
        .account("warning")
        .map(|a| a.address.to_checksum(None))
        .unwrap_or_default();
    let hint = format!(
        "\nYou are now chatting with lendesk as a Telegram user would. Try:\n  \
         /link {warning}\n  what's my health factor?\n  how much can I withdraw safely?\n  \
         what if ETH drops 20%?\n  清算是什么意思？\n  I want to talk to a person\n\
         Buttons show as [1], [2]…: type the number to press one. In another terminal, \
         `cargo run -- devnet price WETH 1500` moves the market. /quit or Ctrl-D ends the chat \
         and stops the devnet.\n"
    );
    super::console::chat(&config, 1, Some(&hint)).await?;
    devnet.stop();
    Ok(())
}
