//! `lendesk position`: one account's position as a readable report or as JSON.

use std::fmt::Write as _;

use alloy::primitives::U256;

use crate::chain::format;
use crate::chain::position::Position;
use crate::chain::report::{HealthBand, RiskReport};
use crate::chain::risk::{Blocked, Limit, LiquidationPrice};
use crate::desk::position_answer::{BandWording, band_text};
use crate::lang::Lang;

/// Why a limit applies, in a few words.
pub fn limit_text(limit: Limit) -> &'static str {
    match limit {
        Limit::Balance => "all of it",
        Limit::HealthFactor => "keeps HF at the target",
        Limit::Ltv => "max LTV",
        Limit::PoolLiquidity => "pool liquidity",
        Limit::BorrowCap => "borrow cap",
        Limit::DebtCeiling => "isolation debt ceiling",
        Limit::Blocked(b) => match b {
            Blocked::Paused => "reserve paused",
            Blocked::Inactive => "reserve inactive",
            Blocked::Frozen => "reserve frozen",
            Blocked::BorrowingDisabled => "borrowing disabled",
            Blocked::EModeCategoryMismatch => "outside your E-Mode category",
            Blocked::NotBorrowableInIsolation => "not borrowable in isolation mode",
            Blocked::SiloedBorrowing => "siloed borrowing",
            Blocked::NoCollateral => "no collateral",
            Blocked::HealthFactorBelowTarget => "HF already below target",
            Blocked::ZeroLtvCollateralFirst => "withdraw zero-LTV collateral first",
        },
    }
}

/// The human report for a terminal.
pub fn render_text(position: &Position, report: &RiskReport) -> String {
    let t = &report.totals;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Account {} on {} (block {})",
        position.user.to_checksum(None),
        position.market,
        position.block_number
    );
    if position.is_empty() {
        let _ = writeln!(out, "  No supply and no debt in this market.");
        return out;
    }
    let _ = writeln!(
        out,
        "  Health factor {}: {}",
        format::health_factor(t.health_factor),
        band_text(Lang::En, report.band, BandWording::Report)
    );
    let _ = writeln!(
        out,
        "  Collateral {}   Debt {}   Can still borrow {}",
        position.money(t.total_collateral_base),
        position.money(t.total_debt_base),
        position.money(t.available_borrows_base)
    );
    let _ = writeln!(
        out,
        "  Weighted LTV {}   Liquidation threshold {}",
        format::bps(u64::try_from(t.ltv).unwrap_or(0)),
        format::bps(u64::try_from(t.liquidation_threshold).unwrap_or(0))
    );
    if let Some(cat) = &position.emode {
        let _ = writeln!(
            out,
            "  E-Mode: {} (LTV {}, liquidation threshold {})",
            cat.label,
            format::bps(cat.ltv),
            format::bps(cat.liquidation_threshold)
        );
    }
    if let Some(i) = position.isolation_collateral() {
        let _ = writeln!(
            out,
            "  Isolation mode: {} is your only collateral; only some stablecoins can be borrowed.",
            position.reserves[i].symbol
        );
    }
    if !report.agrees_with_protocol {
        let _ = writeln!(
            out,
            "  These are the protocol's own figures (getUserAccountData): lendesk's recomputation disagrees on this market, so per-asset figures (liquidation prices, safe amounts, what-ifs) are left out; `--json` marks them approximate."
        );
        return out;
    }
    if let Some(cf) = report.close_factor {
        if report.close_factor_on_position {
            let _ = writeln!(
                out,
                "  Close factor {} of the whole position (100% on debts or collaterals under $2,000); one call may now repay:",
                format::bps(cf.bps)
            );
            for o in &report.liquidations {
                let (d, c) = (
                    &position.reserves[o.debt_index],
                    &position.reserves[o.collateral_index],
                );
                let _ = writeln!(
                    out,
                    "    {} {} for {} {}{}",
                    format::token(o.max_repay, d.decimals),
                    d.symbol,
                    format::token(o.collateral_seized, c.decimals),
                    c.symbol,
                    if o.writes_off_remaining_debt {
                        " (the last collateral: the debt left is written off)"
                    } else {
                        ""
                    }
                );
            }
        } else {
            let _ = writeln!(
                out,
                "  Close factor {}: a liquidator may repay up to that share of each debt now.",
                format::bps(cf.bps)
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<6} {:>18} {:>14} {:>18} {:>14} {:>5} {:>12}",
        "asset", "supplied", "value", "debt", "value", "coll", "price"
    );
    for r in position.reserves.iter().filter(|r| r.is_involved()) {
        let _ = writeln!(
            out,
            "  {:<6} {:>18} {:>14} {:>18} {:>14} {:>5} {:>12}",
            r.symbol,
            format::token(r.supplied, r.decimals),
            position.money(r.supplied_base()),
            format::token(r.debt(), r.decimals),
            position.money(r.debt_base()),
            if r.collateral_enabled && !r.supplied.is_zero() {
                "yes"
            } else {
                "-"
            },
            position.price_text(r.price),
        );
    }
    let _ = writeln!(out);
    let target = format::health_factor(report.target_health_factor);
    for a in &report.assets {
        let r = &position.reserves[a.index];
        if !r.is_involved() {
            continue;
        }
        match a.liquidation_price {
            LiquidationPrice::AtOrBelow(p) => {
                let _ = writeln!(
                    out,
                    "  {} liquidation price: {} ({} below now), other prices unchanged",
                    r.symbol,
                    position.price_text(p),
                    drop_text(r.price, p)
                );
            }
            LiquidationPrice::AtOrAbove(p) => {
                let _ = writeln!(
                    out,
                    "  {} liquidates you if it rises to {}, other prices unchanged",
                    r.symbol,
                    position.price_text(p)
                );
            }
            LiquidationPrice::AlreadyLiquidatable => {
                let _ = writeln!(
                    out,
                    "  {}: already liquidatable at current prices",
                    r.symbol
                );
            }
            LiquidationPrice::None => {}
        }
        if let Some(w) = a.safe_withdraw {
            let _ = writeln!(
                out,
                "  {} safe to withdraw: {} {} ({}; HF after ≥ {target})",
                r.symbol,
                format::token(w.amount, r.decimals),
                r.symbol,
                limit_text(w.limit)
            );
        }
        if let Some(plan) = a.repay_to_target {
            if plan.amount.is_zero() {
                continue;
            }
            let reach = if plan.reaches_target {
                format!("brings HF to {target}")
            } else {
                format!(
                    "all of it, HF becomes {}",
                    format::health_factor(plan.health_factor_after)
                )
            };
            let _ = writeln!(
                out,
                "  {} repay {} {} ({reach})",
                r.symbol,
                format::token(plan.amount, r.decimals),
                r.symbol
            );
        }
    }
    let borrowable: Vec<String> = report
        .assets
        .iter()
        .filter(|a| !a.safe_borrow.amount.is_zero())
        .map(|a| {
            let r = &position.reserves[a.index];
            format!(
                "{} {} ({})",
                format::token(a.safe_borrow.amount, r.decimals),
                r.symbol,
                limit_text(a.safe_borrow.limit)
            )
        })
        .collect();
    if !borrowable.is_empty() {
        let _ = writeln!(out, "  Safe to borrow (one of): {}", borrowable.join(", "));
    }
    match report.volatile_drop_safe_bps {
        Some(0) if report.band == HealthBand::Liquidatable => {
            let _ = writeln!(out, "  Already liquidatable at current prices.");
        }
        Some(0) => {
            let _ = writeln!(
                out,
                "  At the limit: any fall in non-stablecoin prices makes it liquidatable."
            );
        }
        Some(drop) => {
            let _ = writeln!(
                out,
                "  All non-stablecoin prices can fall {} together before liquidation.",
                format::bps(drop)
            );
        }
        None => {}
    }
    let scen: Vec<String> = report
        .scenarios
        .iter()
        .map(|s| {
            format!(
                "{}% → HF {}",
                s.change_bps / 100,
                format::health_factor(s.totals.health_factor)
            )
        })
        .collect();
    if !t.total_debt_base.is_zero() {
        let _ = writeln!(out, "  What if volatile prices fall: {}", scen.join(", "));
    }
    out
}

fn drop_text(now: U256, at: U256) -> String {
    if now.is_zero() || at >= now {
        return "0%".into();
    }
    let bps = (now - at) * U256::from(10_000u64) / now;
    format::bps(u64::try_from(bps).unwrap_or(10_000))
}
