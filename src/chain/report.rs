//! A risk report: every figure one answer about a position needs, computed from a [`Position`].
//!
//! Pure data (`U256` throughout) plus a JSON view that carries raw integers as decimal strings
//! beside their display values. Wording for people lives with each adapter.

use alloy::primitives::U256;
use serde_json::{Value, json};

use super::format;
use super::liquidation::{self, LiquidationOption};
use super::math::WAD;
use super::morpho_blue;
use super::position::Position;
use super::risk::{
    self, AccountTotals, CloseFactor, Limit, LiquidationPrice, PriceMove, RepayPlan, SafeAmount,
};

/// Where a health factor sits, in the bands lendesk explains to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthBand {
    /// No debt: nothing can be liquidated.
    NoDebt,
    /// HF ≥ 2.
    Comfortable,
    /// 1.5 ≤ HF < 2.
    Moderate,
    /// 1.1 ≤ HF < 1.5.
    Risky,
    /// 1 ≤ HF < 1.1.
    Danger,
    /// HF < 1: liquidators can act now.
    Liquidatable,
}

impl HealthBand {
    /// The band of a health factor (wad).
    pub fn of(health_factor: U256) -> Self {
        let hundredths = |h: u64| WAD * U256::from(h) / U256::from(100);
        if health_factor == U256::MAX {
            Self::NoDebt
        } else if health_factor >= hundredths(200) {
            Self::Comfortable
        } else if health_factor >= hundredths(150) {
            Self::Moderate
        } else if health_factor >= hundredths(110) {
            Self::Risky
        } else if health_factor >= WAD {
            Self::Danger
        } else {
            Self::Liquidatable
        }
    }
}

/// HF after all volatile prices move by `change_bps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// Relative move in bps (−1000 = −10%).
    pub change_bps: i64,
    /// Account totals after the move.
    pub totals: AccountTotals,
}

/// Per-asset risk figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetRisk {
    /// Index into `Position::reserves`.
    pub index: usize,
    /// The price that liquidates, this asset alone moving.
    pub liquidation_price: LiquidationPrice,
    /// Safe withdraw when the user supplies this asset.
    pub safe_withdraw: Option<SafeAmount>,
    /// Safe extra borrow of this asset.
    pub safe_borrow: SafeAmount,
    /// Repayment reaching the target HF when the user owes this asset.
    pub repay_to_target: Option<RepayPlan>,
    /// While liquidatable: the most of this debt a liquidator may repay in one call, under the
    /// release's close factor, dust rule and the collateral there is to seize (0 when none).
    pub max_liquidatable_debt: Option<U256>,
    /// While liquidatable: the most of this collateral one call may take from the user.
    pub max_seizable_collateral: Option<U256>,
}

/// Everything computed about one position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskReport {
    /// Target HF used for the safe amounts (wad).
    pub target_health_factor: U256,
    /// Totals as the protocol computes them.
    pub totals: AccountTotals,
    /// The HF band.
    pub band: HealthBand,
    /// Close factor while liquidatable: of each debt reserve before 3.3, of the whole
    /// position's debt from 3.3 (see `close_factor_on_position`).
    pub close_factor: Option<CloseFactor>,
    /// The release applies the close factor to the whole position, with the $2,000 and dust
    /// rules (3.3+): adapters show `liquidations` rather than a share of each debt.
    pub close_factor_on_position: bool,
    /// Every liquidation a liquidator may make now, with its real limits.
    pub liquidations: Vec<LiquidationOption>,
    /// Largest fall of all volatile prices together that keeps HF ≥ 1 (bps).
    pub volatile_drop_safe_bps: Option<u64>,
    /// HF when volatile prices fall 10, 20 and 30%.
    pub scenarios: Vec<Scenario>,
    /// One entry per reserve of the market.
    pub assets: Vec<AssetRisk>,
    /// lendesk's recomputed totals match the protocol's `getUserAccountData` (within rounding).
    /// When they do not, `totals` and `band` are the protocol's own, and everything derived
    /// from lendesk's math (safe amounts, liquidation prices, scenarios) is approximate:
    /// adapters leave it out (see [`agrees_with_protocol`]).
    pub agrees_with_protocol: bool,
}

/// The standard what-if moves shown with every position: −10%, −20%, −30%.
pub const STANDARD_DROPS_BPS: [i64; 3] = [-1_000, -2_000, -3_000];

/// Computes the report for `position` with safe amounts aimed at `target` (wad), by the rules
/// of the protocol it comes from.
pub fn assess(position: &Position, target: U256) -> RiskReport {
    if let Some(m) = position.morpho() {
        return morpho_blue::common::report(position, m, target);
    }
    let computed = risk::account_totals(position);
    let agrees = agrees_with_protocol(position, &computed);
    if !agrees {
        warn_once_per_market(position, &computed);
    }
    let totals = if agrees {
        computed
    } else {
        protocol_totals(position, &computed)
    };
    let close_factor = risk::close_factor(totals.health_factor);
    let liquidations = if close_factor.is_some() {
        liquidation::liquidation_options(position)
    } else {
        Vec::new()
    };
    let when_liquidatable =
        |figure: Option<U256>| close_factor.map(|_| figure.unwrap_or(U256::ZERO));
    let assets = position
        .reserves
        .iter()
        .enumerate()
        .map(|(index, r)| AssetRisk {
            index,
            liquidation_price: if r.is_involved() {
                risk::liquidation_price(position, index)
            } else {
                LiquidationPrice::None
            },
            safe_withdraw: (!r.supplied.is_zero())
                .then(|| risk::max_safe_withdraw(position, index, target)),
            safe_borrow: risk::max_safe_borrow(position, index, target),
            repay_to_target: (!r.debt().is_zero())
                .then(|| risk::repay_to_target(position, index, target)),
            max_liquidatable_debt: when_liquidatable(liquidation::max_repay(&liquidations, index)),
            max_seizable_collateral: when_liquidatable(liquidation::max_seize(
                &liquidations,
                index,
            )),
        })
        .collect();
    RiskReport {
        target_health_factor: target,
        totals,
        band: HealthBand::of(totals.health_factor),
        close_factor,
        close_factor_on_position: super::rules::close_factor_on_position(position.version),
        liquidations,
        volatile_drop_safe_bps: risk::volatile_drop_to_liquidation(position),
        scenarios: STANDARD_DROPS_BPS
            .iter()
            .map(|&change_bps| Scenario {
                change_bps,
                totals: risk::what_if(position, PriceMove::AllVolatile { change_bps }),
            })
            .collect(),
        assets,
        agrees_with_protocol: agrees,
    }
}

/// The account totals now, by the position's protocol.
pub fn totals(position: &Position) -> risk::AccountTotals {
    match position.morpho() {
        Some(m) => morpho_blue::common::totals(m),
        None => risk::account_totals(position),
    }
}

/// The account totals after `change`, by the position's protocol (the what-ifs).
pub fn what_if(position: &Position, change: PriceMove) -> risk::AccountTotals {
    match position.morpho() {
        Some(m) => morpho_blue::common::totals_after(position, m, change),
        None => risk::what_if(position, change),
    }
}

/// The repayment of reserve `index` that brings HF to `target`, by the position's protocol.
pub fn repay_to_target(position: &Position, index: usize, target: U256) -> RepayPlan {
    match position.morpho() {
        Some(m) => morpho_blue::common::repay_to_target(m, index, target),
        None => risk::repay_to_target(position, index, target),
    }
}

/// The collateral to add to reserve `index` that brings HF to `target`, by the position's
/// protocol.
pub fn add_to_target(position: &Position, index: usize, target: U256) -> Option<U256> {
    match position.morpho() {
        Some(m) => morpho_blue::common::add_to_target(m, index, target),
        None => risk::add_to_target(position, index, target),
    }
}

/// The price of reserve `index` that liquidates the position, the others unchanged, by the
/// position's protocol.
pub fn liquidation_price(position: &Position, index: usize) -> LiquidationPrice {
    match position.morpho() {
        Some(m) => morpho_blue::common::liquidation_price(m, index),
        None => risk::liquidation_price(position, index),
    }
}

/// The guard: lendesk's totals against the protocol's own view from the same batch. Allowed:
/// one base-currency unit of rounding per reserve in collateral, debt and available borrows,
/// one bps in the weighted LTV and threshold, one millionth of the health factor (later
/// versions round the other way). A position without the protocol's view (all zero: a real
/// read never gives that, a debt-free account reports an infinite HF) is not judged.
pub fn agrees_with_protocol(position: &Position, totals: &AccountTotals) -> bool {
    let reported = &position.reported;
    if *reported == Default::default() {
        return true;
    }
    let units = U256::from(position.reserves.len().max(1));
    let near = |a: U256, b: U256, slack: U256| a.abs_diff(b) <= slack;
    let hf_slack = totals.health_factor.max(reported.health_factor) / U256::from(1_000_000u64);
    near(
        totals.total_collateral_base,
        reported.total_collateral_base,
        units,
    ) && near(totals.total_debt_base, reported.total_debt_base, units)
        && near(
            totals.available_borrows_base,
            reported.available_borrows_base,
            units,
        )
        && near(totals.ltv, reported.ltv, U256::from(1))
        && near(
            totals.liquidation_threshold,
            reported.current_liquidation_threshold,
            U256::from(1),
        )
        && (totals.health_factor == reported.health_factor
            || near(totals.health_factor, reported.health_factor, hf_slack))
}

/// The protocol's figures as totals (what lendesk shows when its own disagree).
fn protocol_totals(position: &Position, computed: &AccountTotals) -> AccountTotals {
    let r = &position.reported;
    AccountTotals {
        total_collateral_base: r.total_collateral_base,
        total_debt_base: r.total_debt_base,
        available_borrows_base: r.available_borrows_base,
        ltv: r.ltv,
        liquidation_threshold: r.current_liquidation_threshold,
        health_factor: r.health_factor,
        has_zero_ltv_collateral: computed.has_zero_ltv_collateral,
    }
}

/// One warning per market for the operator: the market runs rules lendesk does not follow.
fn warn_once_per_market(position: &Position, computed: &AccountTotals) {
    static WARNED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if warned.contains(&position.market) {
        return;
    }
    warned.push(position.market.clone());
    tracing::warn!(
        market = %position.market,
        user = %position.user,
        block = position.block_number,
        computed_hf = %computed.health_factor,
        protocol_hf = %position.reported.health_factor,
        "lendesk's figures disagree with the protocol's getUserAccountData on this market; showing the protocol's and leaving out derived figures (further cases not logged)"
    );
}

fn raw(value: U256) -> Value {
    Value::String(value.to_string())
}

fn hf_raw(value: U256) -> Value {
    if value == U256::MAX {
        Value::Null
    } else {
        raw(value)
    }
}

fn limit_name(limit: Limit) -> Value {
    serde_json::to_value(limit).unwrap_or(Value::Null)
}

/// The JSON view: every figure, raw integers as decimal strings beside display strings (a
/// Morpho position's own view, [`morpho_blue::json`], for a Morpho position).
pub fn to_json(position: &Position, report: &RiskReport) -> Value {
    if let Some(m) = position.morpho() {
        return morpho_blue::json::to_json(
            m,
            &morpho_blue::risk::assess(m, report.target_health_factor),
        );
    }
    let unit = position.base_currency_unit;
    let t = &report.totals;
    let assets: Vec<Value> = report
        .assets
        .iter()
        .map(|a| {
            let r = &position.reserves[a.index];
            let amount = |v: U256| json!({ "raw": raw(v), "display": format::token(v, r.decimals) });
            let (lp_kind, lp_price) = match a.liquidation_price {
                LiquidationPrice::None => ("none", None),
                LiquidationPrice::AlreadyLiquidatable => ("already_liquidatable", None),
                LiquidationPrice::AtOrBelow(p) => ("at_or_below", Some(p)),
                LiquidationPrice::AtOrAbove(p) => ("at_or_above", Some(p)),
            };
            json!({
                "symbol": r.symbol,
                "asset": r.asset.to_checksum(None),
                "decimals": r.decimals,
                "price": { "raw": raw(r.price), "display": format::price(r.price, unit) },
                "supplied": amount(r.supplied),
                "supplied_usd": format::usd(r.supplied_base(), unit),
                "variable_debt": amount(r.variable_debt),
                "stable_debt": amount(r.stable_debt),
                "debt_usd": format::usd(r.debt_base(), unit),
                "collateral_enabled": r.collateral_enabled,
                "is_stablecoin": r.is_stablecoin,
                "ltv_bps": r.config.ltv,
                "liquidation_threshold_bps": r.config.liquidation_threshold,
                "liquidation_bonus_bps": r.config.liquidation_bonus,
                "emode_category": r.config.emode_category,
                "frozen": r.config.frozen,
                "paused": r.config.paused,
                "borrowing_enabled": r.config.borrowing_enabled,
                "supply_cap": raw(r.config.supply_cap),
                "borrow_cap": raw(r.config.borrow_cap),
                "debt_ceiling": raw(r.config.debt_ceiling),
                "available_liquidity": amount(r.available_liquidity),
                "supply_apr": format::ray_rate(r.liquidity_rate),
                "variable_borrow_apr": format::ray_rate(r.variable_borrow_rate),
                // Derived from lendesk's math: approximate when it disagrees with the protocol.
                "approximate": !report.agrees_with_protocol,
                "liquidation_price": {
                    "kind": lp_kind,
                    "raw": lp_price.map(raw),
                    "display": lp_price.map(|p| format::price(p, unit)),
                },
                "safe_withdraw": a.safe_withdraw.map(|s| json!({
                    "amount": amount(s.amount), "limit": limit_name(s.limit),
                    "health_factor_after": hf_raw(s.health_factor_after),
                })),
                "safe_borrow": json!({
                    "amount": amount(a.safe_borrow.amount), "limit": limit_name(a.safe_borrow.limit),
                    "health_factor_after": hf_raw(a.safe_borrow.health_factor_after),
                }),
                "repay_to_target": a.repay_to_target.map(|p| json!({
                    "amount": amount(p.amount), "reaches_target": p.reaches_target,
                    "health_factor_after": hf_raw(p.health_factor_after),
                })),
                "max_liquidatable_debt": a.max_liquidatable_debt.map(amount),
                "max_seizable_collateral": a.max_seizable_collateral.map(amount),
            })
        })
        .collect();
    json!({
        "market": position.market,
        "user": position.user.to_checksum(None),
        "block_number": position.block_number,
        "block_timestamp": position.block_timestamp,
        "base_currency_unit": raw(unit),
        "emode": position.emode.as_ref().map(|c| json!({
            "id": c.id, "label": c.label, "ltv_bps": c.ltv,
            "liquidation_threshold_bps": c.liquidation_threshold,
        })),
        "isolation_collateral": position.isolation_collateral().map(|i| position.reserves[i].symbol.clone()),
        "summary": {
            "health_factor": { "raw": hf_raw(t.health_factor), "display": format::health_factor(t.health_factor) },
            "band": report.band,
            "total_collateral_base": { "raw": raw(t.total_collateral_base), "display": format::usd(t.total_collateral_base, unit) },
            "total_debt_base": { "raw": raw(t.total_debt_base), "display": format::usd(t.total_debt_base, unit) },
            "available_borrows_base": { "raw": raw(t.available_borrows_base), "display": format::usd(t.available_borrows_base, unit) },
            "ltv_bps": raw(t.ltv),
            "liquidation_threshold_bps": raw(t.liquidation_threshold),
            "target_health_factor": raw(report.target_health_factor),
            "close_factor_bps": report.close_factor.map(|c| c.bps),
            "close_factor_on_position": report.close_factor_on_position,
            "volatile_drop_to_liquidation_bps": report.volatile_drop_safe_bps,
            "protocol_health_factor": hf_raw(position.reported.health_factor),
            "agrees_with_protocol": report.agrees_with_protocol,
        },
        "scenarios": report.scenarios.iter().map(|s| json!({
            "volatile_change_bps": s.change_bps,
            "health_factor": { "raw": hf_raw(s.totals.health_factor), "display": format::health_factor(s.totals.health_factor) },
            "liquidatable": s.totals.health_factor < WAD,
        })).collect::<Vec<_>>(),
        "assets": assets,
        "aave_version": position.version.label(),
        "liquidations": report.liquidations.iter().map(|o| {
            let debt = &position.reserves[o.debt_index];
            let coll = &position.reserves[o.collateral_index];
            json!({
                "debt": debt.symbol,
                "collateral": coll.symbol,
                "max_repay": { "raw": raw(o.max_repay), "display": format::token(o.max_repay, debt.decimals) },
                "collateral_seized": { "raw": raw(o.collateral_seized), "display": format::token(o.collateral_seized, coll.decimals) },
                "full_close_factor": o.full_close_factor,
                "writes_off_remaining_debt": o.writes_off_remaining_debt,
            })
        }).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_documented_thresholds() {
        let h = |x: u64| WAD * U256::from(x) / U256::from(100);
        assert_eq!(HealthBand::of(U256::MAX), HealthBand::NoDebt);
        assert_eq!(HealthBand::of(h(250)), HealthBand::Comfortable);
        assert_eq!(HealthBand::of(h(199)), HealthBand::Moderate);
        assert_eq!(HealthBand::of(h(130)), HealthBand::Risky);
        assert_eq!(HealthBand::of(h(105)), HealthBand::Danger);
        assert_eq!(HealthBand::of(h(99)), HealthBand::Liquidatable);
    }
}
