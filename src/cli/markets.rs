//! `lendesk markets`: the market presets of the Aave address book, the configured ones marked;
//! and `lendesk position ADDRESS` over every configured market.

use std::fmt::Write as _;

use alloy::primitives::Address;
use serde_json::{Value, json};

use super::CommandError;
use crate::chain::markets::{Lookup, MarketAnswer, Markets};
use crate::chain::presets::{self, ADDRESS_BOOK_VERSION, PRESETS};
use crate::chain::report;
use crate::config::{Config, MarketConfig};

/// The configured market that is `preset`, if any.
fn configured_as<'c>(config: &'c Config, preset: &presets::Preset) -> Option<&'c MarketConfig> {
    config
        .markets
        .iter()
        .find(|m| m.preset().is_some_and(|p| p.name == preset.name))
}

/// `lendesk markets [--json]`.
pub fn list(config: &Config, json: bool) -> Result<String, CommandError> {
    let forks: Vec<&MarketConfig> = config
        .markets
        .iter()
        .filter(|m| m.preset().is_none())
        .collect();
    if json {
        let presets: Vec<Value> = PRESETS
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "library": p.library,
                    "chain": p.chain,
                    "chain_id": p.chain_id,
                    "testnet": p.testnet,
                    "pool_addresses_provider": p.pool_addresses_provider.to_checksum(None),
                    "pool": p.pool.to_checksum(None),
                    "configured_as": configured_as(config, p).map(|m| m.name.clone()),
                })
            })
            .collect();
        let others: Vec<Value> = forks
            .iter()
            .map(|m| {
                json!({
                    "name": m.name,
                    "chain_id": m.chain_id,
                    "kind": m.kind().label(),
                    "contract": m.root_contract().to_checksum(None),
                })
            })
            .collect();
        let value = json!({
            "address_book": ADDRESS_BOOK_VERSION,
            "presets": presets,
            "other_configured": others,
        });
        return serde_json::to_string_pretty(&value)
            .map_err(|e| CommandError::Other(e.to_string()));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Aave v3 market presets (address book {ADDRESS_BOOK_VERSION}); * = configured"
    );
    let width = PRESETS.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let chain_width = PRESETS.iter().map(|p| p.chain.len()).max().unwrap_or(0);
    for p in PRESETS {
        let mark = match configured_as(config, p) {
            Some(m) if m.name != p.name => format!("* (as {})", m.name),
            Some(_) => "*".to_string(),
            None => String::new(),
        };
        let testnet = if p.testnet { " testnet" } else { "" };
        let _ = writeln!(
            out,
            "{:<width$}  {:<chain_width$}  {:>9}  {}{testnet} {mark}",
            p.name,
            p.chain,
            p.chain_id,
            p.pool_addresses_provider.to_checksum(None),
        );
    }
    if !forks.is_empty() {
        let _ = writeln!(out, "\nConfigured markets not in the address book:");
        for m in forks {
            let _ = writeln!(
                out,
                "{}  chain {}  {}  {}",
                m.name,
                m.chain_id,
                m.kind().label(),
                m.root_contract().to_checksum(None)
            );
        }
    }
    let _ = write!(
        out,
        "\nUse one in lendesk.toml: markets = [\"aave-v3-ethereum\"] with [rpc.urls] ethereum = \"https://…\""
    );
    Ok(out
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n"))
}

/// `lendesk position ADDRESS` without `--market` when several markets are configured: every
/// market at once. Exit code 3 only when no market could be read; a partial failure prints the
/// markets that answered and a note (exit 0).
pub async fn position_everywhere(
    config: &Config,
    user: Address,
    json: bool,
) -> Result<String, CommandError> {
    let target = config.target_health_factor()?;
    let markets = Markets::from_config(config).map_err(CommandError::from)?;
    let lookup = markets.lookup(user).await;
    if lookup.all_failed() {
        let detail: Vec<String> = lookup
            .failures()
            .map(|(r, e)| format!("{}: {e}", r.market))
            .collect();
        return Err(CommandError::AllMarketsFailed(format!(
            "no market could be read: {}",
            detail.join("; ")
        )));
    }
    if json {
        return render_json(&lookup, target);
    }
    Ok(render_text(&lookup, user, target))
}

fn render_json(lookup: &Lookup, target: alloy::primitives::U256) -> Result<String, CommandError> {
    let items: Vec<Value> = lookup
        .reads
        .iter()
        .map(|r| match &r.answer {
            MarketAnswer::Position(p) => json!({
                "market": r.market,
                "chain_id": r.chain_id,
                "status": "position",
                "position": report::to_json(p, &report::assess(p, target)),
            }),
            MarketAnswer::NoPosition(p) => json!({
                "market": r.market,
                "chain_id": r.chain_id,
                "status": "no_position",
                "block_number": p.block_number,
            }),
            MarketAnswer::Failed(e) => json!({
                "market": r.market,
                "chain_id": r.chain_id,
                "status": "failed",
                "error": e.to_string(),
            }),
        })
        .collect();
    serde_json::to_string_pretty(&Value::Array(items))
        .map_err(|e| CommandError::Other(e.to_string()))
}

fn render_text(lookup: &Lookup, user: Address, target: alloy::primitives::U256) -> String {
    let mut sections = Vec::new();
    for (read, position) in lookup.positions() {
        let report = report::assess(position, target);
        sections.push(format!(
            "== {} ==\n{}",
            read.market,
            super::position::render_text(position, &report).trim_end()
        ));
    }
    if sections.is_empty() {
        sections.push(format!(
            "Account {} has no position in any market that answered.",
            user.to_checksum(None)
        ));
    }
    let mut tail = Vec::new();
    for read in &lookup.reads {
        match &read.answer {
            MarketAnswer::NoPosition(p) => tail.push(format!(
                "{}: no position (block {})",
                read.market, p.block_number
            )),
            MarketAnswer::Failed(e) => {
                tail.push(format!("{}: could not be read: {e}", read.market))
            }
            MarketAnswer::Position(_) => {}
        }
    }
    let failed = lookup.failures().count();
    if failed > 0 {
        tail.push(format!(
            "Note: {failed} of {} markets could not be read; the figures above cover the others.",
            lookup.reads.len()
        ));
    }
    if !tail.is_empty() {
        sections.push(tail.join("\n"));
    }
    sections.join("\n\n")
}
