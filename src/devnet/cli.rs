//! The bodies of `lendesk devnet` commands: run both devnet markets (and Morpho Blue beside the
//! v3.0 one) until Ctrl-C, move a price or liquidate on either (`--market`).
//!
//! The argument parsing lives with the rest of the CLI; these functions take plain values and
//! print for humans.

use std::fmt::Write as _;
use std::path::Path;

use alloy::primitives::{Address, U256};

use super::DevnetOptions;
pub use super::cli_morpho::describe_morpho_reports;
use super::cli_morpho::{describe_oracle_moves, morpho_borrowers, morpho_summary};
use super::error::DevnetError;
use super::manifest::DevnetManifest;
use super::ops::{self, LiquidationReport};
use super::origin::{self, LargestLiquidation, OriginManifest};
use super::pair::{
    DevnetFile, DevnetMarket, DevnetPair, MORPHO_MARKET, V3_0_MARKET, V3_6_MARKET,
    single_devnet_toml, single_market_toml,
};
use super::price::{PRICE_DECIMALS, format_fixed, format_health_factor, format_rounded, parse_usd};
use super::rpc::DevClient;

/// Starts both markets, writes `devnet.json` and `lendesk.toml` into `out_dir`, prints a
/// summary and runs until Ctrl-C, then stops both Anvils.
pub async fn run_devnet(port: u16, fresh: bool, out_dir: &Path) -> Result<(), DevnetError> {
    let pair = DevnetPair::start(DevnetOptions { port, fresh }).await?;
    let written = pair.write_files(out_dir)?;
    let (v3_0, v3_6) = (pair.v3_0(), pair.v3_6());
    let stats = v3_0.stats();
    let how = if stats.from_cache {
        format!(
            "loaded from the state cache in {} ms",
            stats.elapsed.as_millis()
        )
    } else {
        format!(
            "deployed and seeded in {:.1} s ({} transactions)",
            stats.elapsed.as_secs_f64(),
            stats.transactions
        )
    };
    let s36 = v3_6.stats();
    let how36 = if s36.from_cache {
        format!(
            "loaded from the state cache in {} ms",
            s36.chain.as_millis()
        )
    } else {
        format!(
            "compiled in {:.1} s, deployed and seeded in {:.1} s ({} transactions)",
            s36.compile.as_secs_f64(),
            s36.chain.as_secs_f64(),
            s36.transactions
        )
    };
    println!("lendesk devnet: two Aave v3 markets on Anvil, and Morpho Blue beside the first");
    println!("  {V3_0_MARKET:<13} Aave v3.0, {how}");
    println!("  {V3_6_MARKET:<13} Aave v3.6, {how36}");
    if let Some(m) = &v3_0.manifest().morpho {
        println!(
            "  {MORPHO_MARKET:<13} Morpho Blue 1.0.0 on the {V3_0_MARKET} chain, {} markets",
            m.markets.len()
        );
    }
    println!(
        "wrote {} and {} (every market; default {V3_0_MARKET})",
        written.devnet_json.display(),
        written.lendesk_toml.display()
    );
    println!("\n== {V3_0_MARKET} (Aave v3.0) ==");
    let client = DevClient::connect(v3_0.rpc_url())?;
    println!("{}", summary(&client, v3_0.manifest()).await?);
    if let Some(m) = &v3_0.manifest().morpho {
        println!("== {MORPHO_MARKET} (Morpho Blue, same chain) ==");
        println!("{}", morpho_summary(&client, v3_0.manifest(), m).await?);
    }
    println!("== {V3_6_MARKET} (Aave v3.6) ==");
    println!("{}", origin_summary(v3_6.manifest()).await?);
    println!(
        "Move a price: `lendesk devnet price WETH 1800 [--market {V3_6_MARKET}]` (on {V3_0_MARKET}, \
         the Morpho oracles follow). Press Ctrl-C to stop."
    );

    tokio::signal::ctrl_c()
        .await
        .map_err(|e| DevnetError::io("waiting for Ctrl-C", e))?;
    println!("\nstopping anvil…");
    pair.stop();
    Ok(())
}

/// Sets a price on the market `market` of the devnet described by `manifest_path` and shows
/// the effect on that market's accounts.
pub async fn run_price(
    manifest_path: &Path,
    market: &str,
    symbol: &str,
    usd: &str,
) -> Result<(), DevnetError> {
    let file = DevnetFile::read(manifest_path)?;
    if let DevnetMarket::V3_6(v36) = file.select(market)? {
        return run_price_v3_6(v36, symbol, usd).await;
    }
    // The Aave feed and the Morpho oracles of the token move together on the v3.0 chain.
    let manifest = file.v3_0;
    let client = DevClient::connect(&manifest.rpc_url)?;
    let token = manifest.require_token(symbol)?;
    let before = ops::asset_price(&client, &manifest, token.address).await?;
    let moved = ops::set_price_with(&client, &manifest, symbol, usd).await?;
    let after = ops::asset_price(&client, &manifest, token.address).await?;
    println!(
        "{}: ${} → ${} (oracle answer {after})",
        token.symbol,
        format_fixed(before, PRICE_DECIMALS),
        format_fixed(after, PRICE_DECIMALS)
    );
    for account in manifest
        .accounts
        .iter()
        .filter(|a| a.expected_health_factor.is_some())
    {
        let hf = ops::health_factor(&client, &manifest, account.address).await?;
        println!(
            "  #{} {:<9} HF {}{}",
            account.index,
            account.profile.as_str(),
            format_health_factor(hf),
            liquidatable_flag(hf)
        );
    }
    if let Some(morpho) = &manifest.morpho {
        println!("{}", describe_oracle_moves(&manifest, morpho, &moved));
        println!("{}", morpho_borrowers(&client, &manifest, morpho).await?);
    }
    Ok(())
}

async fn run_price_v3_6(m: &OriginManifest, symbol: &str, usd: &str) -> Result<(), DevnetError> {
    let answer = parse_usd(usd).map_err(|reason| DevnetError::InvalidPrice {
        input: usd.to_string(),
        reason,
    })?;
    let before = origin::reserve_price(&m.rpc_url, m, symbol).await?;
    origin::set_price(&m.rpc_url, m, symbol, answer).await?;
    let after = origin::reserve_price(&m.rpc_url, m, symbol).await?;
    println!(
        "{symbol} on {V3_6_MARKET}: ${} → ${} (oracle answer {after})",
        format_fixed(before, PRICE_DECIMALS),
        format_fixed(after, PRICE_DECIMALS)
    );
    for user in &m.users {
        let hf = origin::user_health_factor(&m.rpc_url, m, user.address).await?;
        println!(
            "  {:<16} HF {}{}",
            user.role,
            format_health_factor(hf),
            liquidatable_flag(hf)
        );
    }
    Ok(())
}

fn liquidatable_flag(hf: U256) -> &'static str {
    if hf < U256::from(10u64).pow(U256::from(18u64)) {
        "  ← liquidatable"
    } else {
        ""
    }
}

/// Liquidates `user` on the market `market` of the devnet described by `manifest_path` and
/// prints the report.
pub async fn run_liquidate(
    manifest_path: &Path,
    market: &str,
    user: Address,
) -> Result<(), DevnetError> {
    let file = DevnetFile::read(manifest_path)?;
    let selected = file.select(market)?;
    if let DevnetMarket::V3_6(m) = selected {
        let done = origin::liquidate_largest(&m.rpc_url, m, user).await?;
        println!("{}", describe_v3_6(m, user, done.as_ref()));
        return Ok(());
    }
    let manifest = &file.v3_0;
    if selected == DevnetMarket::V3_0 {
        let report = super::liquidate(&manifest.rpc_url, manifest, user).await?;
        println!("{}", describe_report(manifest, &report));
    }
    if manifest.morpho.is_some() {
        let reports = super::liquidate_morpho(&manifest.rpc_url, manifest, user).await?;
        println!("{}", describe_morpho_reports(manifest, user, &reports));
    }
    Ok(())
}

/// The `lendesk.toml` pointing lendesk at a v3.0 devnet alone: its Aave market (`devnet`) only.
pub fn lendesk_toml(manifest: &DevnetManifest) -> String {
    single_market_toml(manifest)
}

/// The `lendesk.toml` of a v3.0 devnet alone with its Morpho markets: `devnet` (the default),
/// then `devnet-morpho` (`kind = "morpho-blue"`) when the devnet has Morpho.
pub fn lendesk_toml_with_morpho(manifest: &DevnetManifest) -> String {
    single_devnet_toml(manifest)
}

/// A readable summary: endpoint, contracts, tokens and demo accounts with live health factors.
async fn summary(client: &DevClient, manifest: &DevnetManifest) -> Result<String, DevnetError> {
    let c = &manifest.contracts;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "RPC URL   {}  (chain id {}, block {})",
        manifest.rpc_url, manifest.chain_id, manifest.block_number
    );
    let _ = writeln!(out, "\nContracts");
    for (name, address) in [
        ("PoolAddressesProvider", c.pool_addresses_provider),
        ("Pool", c.pool),
        ("PoolConfigurator", c.pool_configurator),
        ("ACLManager", c.acl_manager),
        ("AaveOracle", c.aave_oracle),
        ("ProtocolDataProvider", c.protocol_data_provider),
        ("UiPoolDataProviderV3", c.ui_pool_data_provider),
        ("Multicall3", c.multicall3),
        ("Treasury", c.treasury),
    ] {
        let _ = writeln!(out, "  {name:<22} {address}");
    }
    let _ = writeln!(out, "\nTokens");
    for token in &manifest.tokens {
        let price = ops::asset_price(client, manifest, token.address).await?;
        let _ = writeln!(
            out,
            "  {:<5} {}  {:>2} dp  ${:<10} aToken {}",
            token.symbol,
            token.address,
            token.decimals,
            format_fixed(price, PRICE_DECIMALS),
            token.a_token
        );
    }
    let _ = writeln!(out, "\nDemo accounts (Anvil default mnemonic)");
    for account in &manifest.accounts {
        let hf = ops::health_factor(client, manifest, account.address).await?;
        let _ = writeln!(
            out,
            "  #{} {}  {:<10} HF {:<14} {}",
            account.index,
            account.address,
            account.profile.as_str(),
            format_health_factor(hf),
            account.description
        );
    }
    Ok(out)
}

/// The v3.6 market for humans: endpoint, main contracts, reserves and seeded users.
async fn origin_summary(m: &OriginManifest) -> Result<String, DevnetError> {
    let mut out = String::new();
    let _ = writeln!(out, "RPC URL   {}  (chain id {})", m.rpc_url, m.chain_id);
    let c = &m.contracts;
    let _ = writeln!(
        out,
        "  PoolAddressesProvider  {}",
        c.pool_addresses_provider
    );
    let _ = writeln!(out, "  Pool                   {}", c.pool);
    let _ = writeln!(out, "\nReserves");
    for r in &m.reserves {
        let price = origin::reserve_price(&m.rpc_url, m, &r.symbol).await?;
        let _ = writeln!(
            out,
            "  {:<6} {}  {:>2} dp  ${}",
            r.symbol,
            r.address,
            r.decimals,
            format_fixed(price, PRICE_DECIMALS)
        );
    }
    let _ = writeln!(
        out,
        "\nSeeded accounts (same mnemonic; #1 supplies the liquidity, #5 liquidates)"
    );
    for user in &m.users {
        let hf = origin::user_health_factor(&m.rpc_url, m, user.address).await?;
        let index = origin::spec::USERS
            .iter()
            .find(|u| u.role == user.role)
            .map(|u| format!("#{}", u.account_index))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {index} {}  {:<16} HF {:<14} {}",
            user.address,
            user.role,
            format_health_factor(hf),
            origin_role(&user.role)
        );
    }
    Ok(out)
}

/// What each seeded v3.6 user shows (see `origin::spec::USERS`).
fn origin_role(role: &str) -> &'static str {
    match role {
        "emode" => {
            "E-Mode 1: wstETH inside the category's collateral bitmap (95%), USDC outside (78%)"
        }
        "near_liquidation" => "5 WETH against 7,850 DAI: WETH at $1,800 makes it liquidatable",
        "small" => "under $2,000: the 3.3 dust rules apply to its liquidation",
        "two_debts" => "DAI and USDC debts: the 3.3 rules cap them differently",
        _ => "",
    }
}

/// A v3.6 liquidation for humans.
fn describe_v3_6(m: &OriginManifest, user: Address, done: Option<&LargestLiquidation>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Liquidation on {V3_6_MARKET} of {user} by {}",
        m.liquidator
    );
    let Some(done) = done else {
        let _ = writeln!(
            out,
            "  not executed: the user has no debt, or nothing supplied to seize"
        );
        return out.trim_end().to_string();
    };
    let amount = |raw: U256, symbol: &str| match m.reserve(symbol) {
        Some(r) => format!(
            "{} {symbol} (raw {raw})",
            format_rounded(raw, r.decimals, 6)
        ),
        None => raw.to_string(),
    };
    let o = &done.outcome;
    let _ = writeln!(
        out,
        "  health factor before: {}",
        format_health_factor(o.health_factor_before)
    );
    if !o.executed {
        let _ = writeln!(
            out,
            "  not executed: {}",
            o.reason.as_deref().unwrap_or("unknown reason")
        );
        return out.trim_end().to_string();
    }
    let _ = writeln!(
        out,
        "  debt repaid:        {}",
        amount(o.debt_repaid, &done.debt)
    );
    let _ = writeln!(
        out,
        "  collateral seized:  {}",
        amount(o.collateral_seized, &done.collateral)
    );
    if !o.deficit.is_zero() {
        let _ = writeln!(out, "  written off as deficit: {} (raw)", o.deficit);
    }
    let _ = writeln!(
        out,
        "  health factor after: {}",
        format_health_factor(o.health_factor_after)
    );
    out.trim_end().to_string()
}

/// A liquidation report for humans.
pub fn describe_report(manifest: &DevnetManifest, report: &LiquidationReport) -> String {
    let amount = |raw: U256, symbol: &Option<String>| -> String {
        match symbol.as_deref().and_then(|s| manifest.token(s)) {
            Some(token) => format!(
                "{} {} (raw {raw})",
                format_rounded(raw, token.decimals, 6),
                token.symbol
            ),
            None => raw.to_string(),
        }
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Liquidation of {} by {}",
        report.user, report.liquidator
    );
    let _ = writeln!(
        out,
        "  health factor before: {}",
        format_health_factor(report.health_factor_before)
    );
    if report.executed {
        let _ = writeln!(
            out,
            "  executed in tx {}",
            report.tx_hash.map(|h| h.to_string()).unwrap_or_default()
        );
        let _ = writeln!(
            out,
            "  debt repaid:        {}",
            amount(report.debt_repaid, &report.debt_symbol)
        );
        let _ = writeln!(
            out,
            "  collateral seized:  {}",
            amount(report.collateral_seized, &report.collateral_symbol)
        );
        if let Some(after) = report.health_factor_after {
            let _ = writeln!(
                out,
                "  health factor after: {}",
                format_health_factor(after)
            );
        }
    } else {
        let _ = writeln!(
            out,
            "  not executed: {}",
            report.reason.as_deref().unwrap_or("unknown reason")
        );
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devnet::manifest::sample;

    #[test]
    fn lendesk_toml_parses_and_points_at_the_devnet() {
        let text = lendesk_toml(&sample(false));
        let value: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(value["default_market"].as_str(), Some("devnet"));
        let market = &value["markets"][0];
        assert_eq!(market["chain_id"].as_integer(), Some(31337));
        assert_eq!(market["rpc_url"].as_str(), Some("http://127.0.0.1:8545"));
        assert_eq!(market["kind"].as_str(), Some("aave-v3"));
        let provider: Address = market["pool_addresses_provider"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(provider, Address::repeat_byte(0xab));
    }
}
