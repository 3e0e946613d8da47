//! What `lendesk devnet` prints about the Morpho markets on the v3.0 chain: their summary, the
//! demo borrowers' health, the oracles a price move carried along, and liquidation reports.

use std::fmt::Write as _;

use alloy::primitives::{Address, U256};
use alloy::sol_types::SolCall;

use super::error::DevnetError;
use super::manifest::{DevnetManifest, MorphoManifest, MorphoMarketInfo};
use super::morpho_ops::{self, MorphoLiquidationReport, MorphoOracleMove};
use super::pair::MORPHO_MARKET;
use super::price::{format_health_factor, format_rounded};
use super::rpc::DevClient;
use crate::chain::bindings::morpho::OracleMock;

/// The Morpho oracles a price move carried along, for humans.
pub(super) fn describe_oracle_moves(
    manifest: &DevnetManifest,
    morpho: &MorphoManifest,
    moved: &[MorphoOracleMove],
) -> String {
    let mut out = String::new();
    if moved.is_empty() {
        let _ = write!(out, "{MORPHO_MARKET}: no Morpho market uses this token");
        return out;
    }
    let _ = writeln!(
        out,
        "{MORPHO_MARKET} oracles (from both tokens' USD prices):"
    );
    for m in moved {
        let Some(market) = morpho.market(&m.market) else {
            continue;
        };
        let _ = writeln!(
            out,
            "  {:<15} {} → {} (price {})",
            m.market,
            morpho_price_text(manifest, market, m.before),
            morpho_price_text(manifest, market, m.after),
            m.after
        );
    }
    out.trim_end().to_string()
}

/// `1 WETH = 2000.00 USDC`: a Morpho oracle price (loan units per collateral unit × 1e36) per
/// whole collateral token.
fn morpho_price_text(manifest: &DevnetManifest, market: &MorphoMarketInfo, price: U256) -> String {
    let (Some(collateral), Some(loan)) = (
        manifest.token(&market.collateral_symbol),
        manifest.token(&market.loan_symbol),
    ) else {
        return price.to_string();
    };
    let scale = U256::from(10u64).pow(U256::from(36u64));
    let per_token = price
        .checked_mul(U256::from(10u64).pow(U256::from(collateral.decimals)))
        .map(|v| v / scale);
    match per_token {
        Some(v) => format!(
            "1 {} = {} {}",
            collateral.symbol,
            format_rounded(v, loan.decimals, 2),
            loan.symbol
        ),
        None => price.to_string(),
    }
}

/// Every Morpho demo borrower's positions with live health factors, one line per position.
pub(super) async fn morpho_borrowers(
    client: &DevClient,
    manifest: &DevnetManifest,
    morpho: &MorphoManifest,
) -> Result<String, DevnetError> {
    let mut out = String::new();
    let _ = writeln!(out, "{MORPHO_MARKET} demo borrowers:");
    for account in &morpho.accounts {
        for p in morpho_ops::positions(client, morpho, account.address).await? {
            let target = account
                .positions
                .iter()
                .find(|seeded| seeded.market_id == p.market_id)
                .map(|seeded| format!(" (seeded at {})", seeded.expected_health_factor))
                .unwrap_or_default();
            let debt = morpho
                .market(&p.market)
                .and_then(|m| manifest.token(&m.loan_symbol))
                .map(|t| format!("{} {}", format_rounded(p.borrowed, t.decimals, 2), t.symbol))
                .unwrap_or_else(|| p.borrowed.to_string());
            let _ = writeln!(
                out,
                "  #{:<2} {:<8} {:<15} HF {}{target}, owes {debt}{}",
                account.index,
                account.profile,
                p.market,
                format_health_factor(p.health_factor),
                liquidatable_flag(p.health_factor)
            );
        }
    }
    Ok(out.trim_end().to_string())
}

/// The Morpho markets for humans: the contract, each market with its oracle's price and
/// totals, and the demo borrowers with live health factors.
pub(super) async fn morpho_summary(
    client: &DevClient,
    manifest: &DevnetManifest,
    morpho: &MorphoManifest,
) -> Result<String, DevnetError> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Morpho     {}  (owner {}, IRM {} (APR = utilization))",
        morpho.morpho, morpho.owner, morpho.irm
    );
    let _ = writeln!(out, "\nMarkets (liquidity from #6)");
    for market in &morpho.markets {
        let price = client
            .read(market.oracle, &OracleMock::priceCall::new(()))
            .await?;
        let state = morpho_ops::accrued_state(client, morpho.morpho, market).await?;
        let loan = manifest.token(&market.loan_symbol);
        let amount = |raw: U256| match loan {
            Some(t) => format!("{} {}", format_rounded(raw, t.decimals, 0), t.symbol),
            None => raw.to_string(),
        };
        let _ = writeln!(
            out,
            "  {:<15} {}  {}; supplied {}, borrowed {}",
            market.name,
            market.id,
            morpho_price_text(manifest, market, price),
            amount(state.total_supply_assets),
            amount(state.total_borrow_assets)
        );
    }
    let _ = writeln!(out, "\nDemo borrowers (same mnemonic)");
    for account in &morpho.accounts {
        let health = morpho_ops::positions(client, morpho, account.address).await?;
        let figures: Vec<String> = health
            .iter()
            .map(|p| format!("{} HF {}", p.market, format_health_factor(p.health_factor)))
            .collect();
        let _ = writeln!(
            out,
            "  #{:<2} {}  {:<8} {}",
            account.index,
            account.address,
            account.profile,
            figures.join("; ")
        );
        let _ = writeln!(out, "       {}", account.description);
    }
    Ok(out)
}

/// Morpho liquidations of one user for humans: per market what was repaid and seized, or
/// Morpho's refusal.
pub fn describe_morpho_reports(
    manifest: &DevnetManifest,
    user: Address,
    reports: &[MorphoLiquidationReport],
) -> String {
    let mut out = String::new();
    let Some(first) = reports.first() else {
        let _ = write!(
            out,
            "{MORPHO_MARKET}: {user} owes nothing on Morpho, nothing to liquidate"
        );
        return out;
    };
    let _ = writeln!(
        out,
        "Liquidation on {MORPHO_MARKET} of {user} by {}",
        first.liquidator
    );
    let symbols = |r: &MorphoLiquidationReport| {
        manifest
            .morpho
            .as_ref()
            .and_then(|m| m.market(&r.market))
            .map(|m| (m.loan_symbol.clone(), m.collateral_symbol.clone()))
    };
    let amount = |raw: U256, symbol: Option<&str>| match symbol.and_then(|s| manifest.token(s)) {
        Some(t) => format!(
            "{} {} (raw {raw})",
            format_rounded(raw, t.decimals, 6),
            t.symbol
        ),
        None => raw.to_string(),
    };
    for r in reports {
        let (loan, collateral) = symbols(r).unzip();
        let _ = writeln!(
            out,
            "  {}: health factor before {}",
            r.market,
            format_health_factor(r.health_factor_before)
        );
        if !r.executed {
            let _ = writeln!(
                out,
                "    not executed: Morpho refused: {}",
                r.reason.as_deref().unwrap_or("unknown reason")
            );
            continue;
        }
        let _ = writeln!(
            out,
            "    executed in tx {}",
            r.tx_hash.map(|h| h.to_string()).unwrap_or_default()
        );
        let _ = writeln!(
            out,
            "    debt repaid:        {} ({} shares)",
            amount(r.repaid_assets, loan.as_deref()),
            r.repaid_shares
        );
        let _ = writeln!(
            out,
            "    collateral seized:  {}",
            amount(r.seized_assets, collateral.as_deref())
        );
        if !r.bad_debt_assets.is_zero() {
            let _ = writeln!(
                out,
                "    bad debt written off: {}",
                amount(r.bad_debt_assets, loan.as_deref())
            );
        }
        if let Some(left) = r.collateral_after {
            let _ = writeln!(
                out,
                "    collateral left:    {}",
                amount(left, collateral.as_deref())
            );
        }
        if let Some(after) = r.health_factor_after {
            let _ = writeln!(
                out,
                "    health factor after: {}",
                format_health_factor(after)
            );
        }
    }
    out.trim_end().to_string()
}

/// `  ← liquidatable` below 1.0.
fn liquidatable_flag(hf: U256) -> &'static str {
    if hf < U256::from(10u64).pow(U256::from(18u64)) {
        "  ← liquidatable"
    } else {
        ""
    }
}
