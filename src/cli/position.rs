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
    let unit_base = position.base_currency_unit;
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
        format::usd(t.total_collateral_base, unit_base),
        format::usd(t.total_debt_base, unit_base),
        format::usd(t.available_borrows_base, unit_base)
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
        "asset", "supplied", "USD", "debt", "USD", "coll", "price"
    );
    for r in position.reserves.iter().filter(|r| r.is_involved()) {
        let _ = writeln!(
            out,
            "  {:<6} {:>18} {:>14} {:>18} {:>14} {:>5} {:>12}",
            r.symbol,
            format::token(r.supplied, r.decimals),
            format::usd(r.supplied_base(), unit_base),
            format::token(r.debt(), r.decimals),
            format::usd(r.debt_base(), unit_base),
            if r.collateral_enabled && !r.supplied.is_zero() {
                "yes"
            } else {
                "-"
            },
            format::price(r.price, unit_base),
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
                    format::price(p, unit_base),
                    drop_text(r.price, p)
                );
            }
            LiquidationPrice::AtOrAbove(p) => {
                let _ = writeln!(
                    out,
                    "  {} liquidates you if it rises to {}, other prices unchanged",
                    r.symbol,
                    format::price(p, unit_base)
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

/// The human report of one Morpho Blue position (amounts in their tokens, values and prices in
/// the loan token).
pub fn render_morpho_text(
    position: &crate::chain::morpho_blue::MorphoPosition,
    risk: &crate::chain::morpho_blue::MorphoRisk,
) -> String {
    let facts = &position.facts;
    let (loan, coll) = (&facts.loan, &facts.collateral);
    let in_loan = |v: U256| format!("{} {}", format::token(v, loan.decimals), loan.symbol);
    let in_coll = |v: U256| format!("{} {}", format::token(v, coll.decimals), coll.symbol);
    let per_unit = |p: U256| {
        format!(
            "{} {} per {}",
            format::token(position.price_of_unit(p), loan.decimals),
            loan.symbol,
            coll.symbol
        )
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Account {} on {} · Morpho market {} (id {}, block {})",
        position.user.to_checksum(None),
        position.market,
        facts.label(),
        facts.short_id(),
        position.block_number
    );
    let band = HealthBand::of(risk.health_factor);
    let _ = writeln!(
        out,
        "  Health factor {}: {}",
        format::health_factor(risk.health_factor),
        band_text(Lang::En, band, BandWording::Report)
    );
    let _ = writeln!(
        out,
        "  Collateral {} ≈ {}   Borrowed {}   Max borrow {} (LLTV {}, fixed for this market)",
        in_coll(position.collateral),
        in_loan(risk.collateral_value),
        in_loan(risk.borrowed),
        in_loan(risk.max_borrow),
        crate::chain::morpho_blue::position::wad_percent(facts.lltv)
    );
    if !risk.supplied.is_zero() {
        let _ = writeln!(
            out,
            "  Lending {} in this market (earns interest; not collateral)",
            in_loan(risk.supplied)
        );
    }
    let _ = writeln!(out, "  Oracle price {}", per_unit(position.price));
    if let Some(p) = risk.liquidation_price {
        let _ = writeln!(
            out,
            "  {} liquidation price: {} ({} below now); the collateral earns no interest, the debt accrues it",
            coll.symbol,
            per_unit(p),
            drop_text(position.price, p)
        );
    }
    let target = format::health_factor(risk.target_health_factor);
    if let Some(w) = risk.safe_withdraw {
        let _ = writeln!(
            out,
            "  Safe to withdraw: {} ({}; HF after ≥ {target})",
            in_coll(w.amount),
            limit_text(w.limit)
        );
    }
    if !risk.safe_borrow.amount.is_zero() {
        let _ = writeln!(
            out,
            "  Safe to borrow: {} ({})",
            in_loan(risk.safe_borrow.amount),
            limit_text(risk.safe_borrow.limit)
        );
    }
    if let Some(plan) = risk.repay_to_target
        && !plan.amount.is_zero()
    {
        let reach = if plan.reaches_target {
            format!("brings HF to {target}")
        } else {
            format!(
                "all of it, HF becomes {}",
                format::health_factor(plan.health_factor_after)
            )
        };
        let _ = writeln!(out, "  Repay {} ({reach})", in_loan(plan.amount));
    }
    if let (Some(seized), Some(repaid)) = (risk.max_seizable_collateral, risk.max_liquidatable_debt)
    {
        let _ = writeln!(
            out,
            "  Liquidatable now: one call may repay {} and seize {} (no close factor on Morpho Blue)",
            in_loan(repaid),
            in_coll(seized)
        );
    }
    out
}
