//! The bodies of `lendesk devnet` commands: run a devnet until Ctrl-C, move a price, liquidate.
//!
//! The argument parsing lives with the rest of the CLI; these functions take plain values and
//! print for humans.

use std::fmt::Write as _;
use std::path::Path;

use alloy::primitives::{Address, U256};

use super::error::DevnetError;
use super::manifest::DevnetManifest;
use super::ops::{self, LiquidationReport};
use super::price::{PRICE_DECIMALS, format_fixed, format_health_factor, format_rounded};
use super::rpc::DevClient;
use super::{Devnet, DevnetOptions};

/// Starts a devnet, writes `devnet.json` and `lendesk.toml` into `out_dir`, prints a summary
/// and runs until Ctrl-C, then stops Anvil.
pub async fn run_devnet(port: u16, fresh: bool, out_dir: &Path) -> Result<(), DevnetError> {
    let devnet = Devnet::start(DevnetOptions { port, fresh }).await?;
    std::fs::create_dir_all(out_dir)
        .map_err(|e| DevnetError::io(format!("creating {}", out_dir.display()), e))?;
    let manifest_path = out_dir.join("devnet.json");
    devnet.manifest().write(&manifest_path)?;
    let config_path = out_dir.join("lendesk.toml");
    std::fs::write(&config_path, lendesk_toml(devnet.manifest()))
        .map_err(|e| DevnetError::io(format!("writing {}", config_path.display()), e))?;

    let stats = devnet.stats();
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
    println!("lendesk devnet: Aave v3 on Anvil, {how}");
    println!(
        "wrote {} and {}",
        manifest_path.display(),
        config_path.display()
    );
    println!();
    let client = DevClient::connect(devnet.rpc_url())?;
    println!("{}", summary(&client, devnet.manifest()).await?);
    println!("Press Ctrl-C to stop.");

    tokio::signal::ctrl_c()
        .await
        .map_err(|e| DevnetError::io("waiting for Ctrl-C", e))?;
    println!("\nstopping anvil…");
    devnet.stop();
    Ok(())
}

/// Sets a price on the devnet described by `manifest_path` and shows the effect on the demo
/// accounts.
pub async fn run_price(manifest_path: &Path, symbol: &str, usd: &str) -> Result<(), DevnetError> {
    let manifest = DevnetManifest::read(manifest_path)?;
    let client = DevClient::connect(&manifest.rpc_url)?;
    let token = manifest.require_token(symbol)?;
    let before = ops::asset_price(&client, &manifest, token.address).await?;
    ops::set_price_with(&client, &manifest, symbol, usd).await?;
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
        let flag = if hf < U256::from(10u64).pow(U256::from(18u64)) {
            "  ← liquidatable"
        } else {
            ""
        };
        println!(
            "  #{} {:<9} HF {}{flag}",
            account.index,
            account.profile.as_str(),
            format_health_factor(hf)
        );
    }
    Ok(())
}

/// Liquidates `user` on the devnet described by `manifest_path` and prints the report.
pub async fn run_liquidate(manifest_path: &Path, user: Address) -> Result<(), DevnetError> {
    let manifest = DevnetManifest::read(manifest_path)?;
    let report = super::liquidate(&manifest.rpc_url, &manifest, user).await?;
    println!("{}", describe_report(&manifest, &report));
    Ok(())
}

/// The `lendesk.toml` pointing lendesk at this devnet.
pub fn lendesk_toml(manifest: &DevnetManifest) -> String {
    format!(
        "# Written by `lendesk devnet`: points lendesk at the local devnet.\n\
         default_market = \"devnet\"\n\
         \n\
         [[markets]]\n\
         name = \"devnet\"\n\
         chain_id = {}\n\
         rpc_url = \"{}\"\n\
         kind = \"aave-v3\"\n\
         pool_addresses_provider = \"{}\"\n",
        manifest.chain_id, manifest.rpc_url, manifest.contracts.pool_addresses_provider
    )
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
    use crate::devnet::manifest::{ArtifactVersions, Contracts};
    use std::collections::BTreeMap;

    fn manifest() -> DevnetManifest {
        let a = Address::repeat_byte(1);
        DevnetManifest {
            chain_id: 31337,
            rpc_url: "http://127.0.0.1:8545".into(),
            block_number: 1,
            contracts: Contracts {
                pool_addresses_provider: Address::repeat_byte(0xab),
                pool: a,
                pool_configurator: a,
                acl_manager: a,
                aave_oracle: a,
                protocol_data_provider: a,
                ui_pool_data_provider: a,
                multicall3: a,
                treasury: a,
                libraries: BTreeMap::new(),
                interest_rate_strategies: BTreeMap::new(),
            },
            tokens: vec![],
            accounts: vec![],
            artifacts: ArtifactVersions {
                core: "1.19.3".into(),
                periphery: "3.0.1".into(),
                anvil: "1.7.1".into(),
            },
        }
    }

    #[test]
    fn lendesk_toml_parses_and_points_at_the_devnet() {
        let text = lendesk_toml(&manifest());
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
