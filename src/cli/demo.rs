//! `lendesk demo` (what `cargo run -- demo` runs): the devnet's two real Aave v3 markets (3.0
//! and 3.6), the demo accounts on both, worst health first, then the console chat over both
//! until /quit; the devnets stop with the chat.
//! Each demo starts with a fresh data directory (`./lendesk-demo-data`), so a ticket from an
//! earlier demo does not follow the new one; its `console.log` holds the log lines.

use std::path::{Path, PathBuf};

use super::CommandError;
use crate::chain::markets::{Lookup, MarketAnswer, Markets};
use crate::chain::risk::DEFAULT_TARGET_HEALTH_FACTOR;
use crate::chain::{format, report};
use crate::config::Config;
use crate::devnet::{DevnetOptions, DevnetPair, V3_0_MARKET, V3_6_MARKET};

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

/// Runs the demo with the v3.0 market on `port` and the v3.6 one on `port + 1` (a busy port
/// falls back to free ones).
pub async fn run(port: u16) -> Result<(), CommandError> {
    let here = std::env::current_dir().map_err(other)?;
    let data_dir = fresh_data_dir(&here)?;
    super::logging::to_file(&super::console::log_file(&data_dir))?;
    let devnets = match DevnetPair::start(DevnetOptions { port, fresh: false }).await {
        Ok(d) => d,
        Err(e) if port != 0 => {
            eprintln!(
                "port {port} or {} unavailable ({e}); using free ports",
                port.saturating_add(1)
            );
            DevnetPair::start(DevnetOptions {
                port: 0,
                fresh: false,
            })
            .await
            .map_err(other)?
        }
        Err(e) => return Err(other(e)),
    };
    let written = devnets.write_files(&here).map_err(other)?;
    let toml = devnets.file().lendesk_toml();
    let mut config = Config::parse(&toml, &written.lendesk_toml.display().to_string())?;
    config.desk.data_dir = data_dir.display().to_string();
    let markets = Markets::from_config(&config).map_err(CommandError::from)?;

    println!("lendesk demo: two real Aave v3 markets on Anvil");
    println!(
        "  {V3_0_MARKET:<12} Aave v3.0  {}  (chain {})",
        devnets.v3_0().rpc_url(),
        devnets.v3_0().manifest().chain_id
    );
    println!(
        "  {V3_6_MARKET:<12} Aave v3.6  {}  (chain {})",
        devnets.v3_6().rpc_url(),
        devnets.v3_6().manifest().chain_id
    );
    println!(
        "(wrote devnet.json and lendesk.toml here: `lendesk position <address>` works in another terminal;\n this demo's users, tickets and console.log are in {}, fresh for each demo)\n",
        data_dir.display()
    );
    println!(
        "Demo accounts (role on {V3_0_MARKET} / on {V3_6_MARKET}), each market's health, worst first:"
    );
    let manifest = devnets.v3_0().manifest();
    let v36 = devnets.v3_6().manifest();
    for account in &manifest.accounts {
        let lookup = markets.lookup(account.address).await;
        let mut role = format!("#{} {}", account.index, account.profile.as_str());
        if let Some(user) = v36.users.iter().find(|u| u.address == account.address) {
            role = format!("{role} / {}", user.role);
        } else if v36.liquidator == account.address {
            role.push_str(" / liquidator");
        }
        println!(
            "  {role:<27} {}  {}",
            account.address.to_checksum(None),
            standings(&lookup)
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
         `cargo run -- devnet price WETH 1500` moves the v3.0 market (add `--market {V3_6_MARKET}` \
         for the v3.6 one). /quit or Ctrl-D ends the chat and stops the devnet.\n"
    );
    super::console::chat(&config, 1, Some(&hint)).await?;
    devnets.stop();
    Ok(())
}

/// One line per account: each market's health factor, in the lookup's order (worst first).
fn standings(lookup: &Lookup) -> String {
    let parts: Vec<String> = lookup
        .reads
        .iter()
        .filter_map(|read| {
            let what = match &read.answer {
                MarketAnswer::Position(p) => {
                    let totals = report::assess(p, DEFAULT_TARGET_HEALTH_FACTOR).totals;
                    if totals.total_debt_base.is_zero() {
                        "no debt".to_string()
                    } else {
                        format!("HF {}", format::health_factor(totals.health_factor))
                    }
                }
                MarketAnswer::NoPosition(_) => return None,
                MarketAnswer::Failed(_) => "unavailable".to_string(),
            };
            Some(format!("{} {what}", read.market))
        })
        .collect();
    if parts.is_empty() {
        "no position".to_string()
    } else {
        parts.join(" · ")
    }
}
