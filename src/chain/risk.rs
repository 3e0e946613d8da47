//! Risk math over a [`Position`]: pure functions on `U256`, rounding exactly as Aave v3 does.
//!
//! Owns the health factor and account totals (`GenericLogic.calculateUserAccountData`),
//! liquidation prices, safe withdraw / borrow amounts, repay-to-target, price what-ifs and the
//! 3.0 close factor. Every figure goes through the same totals, which follow the rules of
//! `position.version` ([`super::rules`]). Nothing here performs I/O.

use alloy::primitives::U256;
use serde::Serialize;

use super::math::{WAD, div_ceil, percent_div, percent_div_ceil, unit};
use super::position::{AaveVersion, Position};
use super::rules;

/// Aave's liquidation line: HF below 1.0 (wad) can be liquidated.
pub const HEALTH_FACTOR_LIQUIDATION_THRESHOLD: U256 = WAD;
/// `LiquidationLogic.CLOSE_FACTOR_HF_THRESHOLD`: at or below 0.95 the whole debt can be liquidated.
pub const CLOSE_FACTOR_HF_THRESHOLD: U256 = U256::from_limbs([950_000_000_000_000_000, 0, 0, 0]);
/// The default target health factor for "safe" amounts, as Aave's UI uses: 1.01.
pub const DEFAULT_TARGET_HEALTH_FACTOR: U256 =
    U256::from_limbs([1_010_000_000_000_000_000, 0, 0, 0]);
/// Safe amounts aim this many parts per million above the target, so that interest accrued
/// between our read and the user's transaction (minutes at any sane rate) cannot push the
/// result under the target.
pub const INTEREST_MARGIN_PPM: u64 = 1;

/// One reserve reduced to what the account figures depend on: what [`totals_of`] sums.
#[derive(Debug, Clone, Copy, Default)]
pub struct Leg {
    /// The price as the protocol prices it for this user (base currency).
    pub price: U256,
    /// One whole token (10^decimals).
    pub unit: U256,
    /// The supplied balance, token units.
    pub supplied: U256,
    /// The debt, token units.
    pub debt: U256,
    /// Effective LTV for this user; 0 = zero-LTV collateral.
    pub ltv: u64,
    /// Effective liquidation threshold, bps.
    pub liquidation_threshold: u64,
    /// Counts as collateral under the release's rules.
    pub collateral: bool,
    /// The user's borrowing flag.
    pub borrowing: bool,
}

/// Account totals exactly as `Pool.getUserAccountData` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AccountTotals {
    /// Collateral in base currency (USD, 8 decimals on USD markets).
    pub total_collateral_base: U256,
    /// Debt in base currency.
    pub total_debt_base: U256,
    /// What can still be borrowed at the LTV limit, in base currency.
    pub available_borrows_base: U256,
    /// Collateral-weighted LTV, bps.
    pub ltv: U256,
    /// Collateral-weighted liquidation threshold, bps.
    pub liquidation_threshold: U256,
    /// Health factor, wad; `U256::MAX` when there is no debt.
    pub health_factor: U256,
    /// The user has collateral enabled whose LTV is zero (limits withdrawals).
    pub has_zero_ltv_collateral: bool,
}

/// The price at which one asset's move makes the position liquidatable, others unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "price", rename_all = "snake_case")]
pub enum LiquidationPrice {
    /// No move of this asset's price alone can bring HF under 1.
    None,
    /// HF is already under 1 at current prices.
    AlreadyLiquidatable,
    /// Liquidatable once the price is at or below this (base currency).
    AtOrBelow(U256),
    /// Liquidatable once the price is at or above this (the asset weighs as debt).
    AtOrAbove(U256),
}

/// What bounds a computed amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Nothing more to move: the whole balance or debt.
    Balance,
    /// The target health factor.
    HealthFactor,
    /// The protocol's LTV check on new borrows.
    Ltv,
    /// Tokens available in the pool right now.
    PoolLiquidity,
    /// The reserve's borrow cap.
    BorrowCap,
    /// The isolated collateral's debt ceiling.
    DebtCeiling,
    /// The action is not possible now, see [`Blocked`].
    Blocked(Blocked),
}

/// Why an action is not possible at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Blocked {
    /// The reserve is paused.
    Paused,
    /// The reserve is not active.
    Inactive,
    /// The reserve is frozen (no new borrows).
    Frozen,
    /// Borrowing is disabled on the reserve.
    BorrowingDisabled,
    /// The user's E-Mode category does not let this asset be borrowed: 3.0–3.1, the asset's
    /// category differs from the user's; 3.2+, it is not in the category's borrowable bitmap.
    EModeCategoryMismatch,
    /// In isolation mode only some assets can be borrowed.
    NotBorrowableInIsolation,
    /// Siloed borrowing forbids mixing this asset with the user's other debt.
    SiloedBorrowing,
    /// No collateral (or only zero-LTV collateral) backs a borrow.
    NoCollateral,
    /// HF is already at or under the target.
    HealthFactorBelowTarget,
    /// Zero-LTV collateral must be withdrawn (or disabled) first.
    ZeroLtvCollateralFirst,
}

/// An amount of one asset with the constraint that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SafeAmount {
    /// Token units (the asset's smallest unit).
    pub amount: U256,
    /// What bounds it.
    pub limit: Limit,
    /// HF after moving `amount`, wad.
    pub health_factor_after: U256,
}

/// How much of a debt to repay to reach a target HF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RepayPlan {
    /// Token units to repay.
    pub amount: U256,
    /// False when even repaying all of this debt does not reach the target.
    pub reaches_target: bool,
    /// HF after repaying `amount`, wad.
    pub health_factor_after: U256,
}

/// A hypothetical price move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceMove {
    /// One reserve's price changes by `change_bps` (−1000 = −10%).
    Asset {
        /// Reserve index in the position.
        index: usize,
        /// Relative change in bps.
        change_bps: i64,
    },
    /// Every non-stablecoin price changes by `change_bps`.
    AllVolatile {
        /// Relative change in bps.
        change_bps: i64,
    },
}

/// How much of one debt a liquidator may repay in one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CloseFactor {
    /// 5000 (50%) while 0.95 < HF < 1, 10000 (100%) at HF ≤ 0.95.
    pub bps: u64,
}

fn legs(position: &Position) -> Vec<Leg> {
    position
        .reserves
        .iter()
        .map(|r| {
            let rules = rules::reserve_rules(position, r);
            Leg {
                price: r.price,
                unit: unit(r.decimals),
                supplied: r.supplied,
                debt: r.debt(),
                ltv: rules.ltv,
                liquidation_threshold: rules.liquidation_threshold,
                collateral: rules.counts_as_collateral,
                borrowing: r.borrowing,
            }
        })
        .collect()
}

/// `GenericLogic.calculateUserAccountData` followed by `calculateAvailableBorrows`, with the
/// rounding of `version`. Legs that are neither collateral nor borrowed add nothing, so a
/// caller may pass only the user's involved reserves.
pub fn totals_of(version: AaveVersion, legs: &[Leg]) -> AccountTotals {
    let mut collateral = U256::ZERO;
    let mut debt = U256::ZERO;
    let mut weighted_ltv = U256::ZERO;
    let mut weighted_lt = U256::ZERO;
    let mut has_zero_ltv_collateral = false;
    for leg in legs {
        if leg.collateral {
            let value = rules::collateral_value(leg.supplied, leg.price, leg.unit);
            collateral += value;
            if leg.ltv != 0 {
                weighted_ltv += value * U256::from(leg.ltv);
            } else {
                has_zero_ltv_collateral = true;
            }
            weighted_lt += value * U256::from(leg.liquidation_threshold);
        }
        if leg.borrowing {
            debt += rules::debt_value(version, leg.debt, leg.price, leg.unit);
        }
    }
    let (ltv, liquidation_threshold) = if collateral.is_zero() {
        (U256::ZERO, U256::ZERO)
    } else {
        (weighted_ltv / collateral, weighted_lt / collateral)
    };
    let health_factor = if debt.is_zero() {
        U256::MAX
    } else {
        rules::health_factor(version, collateral, weighted_lt, debt)
    };
    AccountTotals {
        total_collateral_base: collateral,
        total_debt_base: debt,
        available_borrows_base: rules::available_borrows(version, collateral, debt, low_u64(ltv)),
        ltv,
        liquidation_threshold,
        health_factor,
        has_zero_ltv_collateral,
    }
}

/// Weighted percentages are at most 1e4, so they fit a u64.
fn low_u64(value: U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// The account's totals and health factor, equal to `Pool.getUserAccountData` at the same block.
pub fn account_totals(position: &Position) -> AccountTotals {
    totals_of(position.version, &legs(position))
}

/// Largest x in [0, hi] with `ok(x)`, for a predicate that holds up to a point and then fails.
fn max_satisfying(hi: U256, ok: impl Fn(U256) -> bool) -> U256 {
    if ok(hi) {
        return hi;
    }
    let (mut lo, mut hi) = (U256::ZERO, hi); // ok(lo) assumed by callers, !ok(hi)
    while hi - lo > U256::from(1) {
        let mid = lo + (hi - lo) / U256::from(2);
        if ok(mid) { lo = mid } else { hi = mid }
    }
    lo
}

/// Smallest x in [0, hi] with `ok(x)`, for a predicate that fails up to a point and then holds.
fn min_satisfying(hi: U256, ok: impl Fn(U256) -> bool) -> Option<U256> {
    if ok(U256::ZERO) {
        return Some(U256::ZERO);
    }
    if !ok(hi) {
        return None;
    }
    let (mut lo, mut hi) = (U256::ZERO, hi); // !ok(lo), ok(hi)
    while hi - lo > U256::from(1) {
        let mid = lo + (hi - lo) / U256::from(2);
        if ok(mid) { hi = mid } else { lo = mid }
    }
    Some(hi)
}

/// `value` plus [`INTEREST_MARGIN_PPM`], rounded up.
fn ppm_above(value: U256) -> U256 {
    value
        + div_ceil(
            value * U256::from(INTEREST_MARGIN_PPM),
            U256::from(1_000_000u64),
        )
}

fn with_margin(target: U256) -> U256 {
    ppm_above(target.max(HEALTH_FACTOR_LIQUIDATION_THRESHOLD))
}

fn totals_with(
    version: AaveVersion,
    legs: &[Leg],
    index: usize,
    change: impl FnOnce(&mut Leg),
) -> AccountTotals {
    let mut changed = legs.to_vec();
    change(&mut changed[index]);
    totals_of(version, &changed)
}

fn hf_with(
    version: AaveVersion,
    legs: &[Leg],
    index: usize,
    change: impl FnOnce(&mut Leg),
) -> U256 {
    totals_with(version, legs, index, change).health_factor
}

/// The price of reserve `index` at which HF crosses 1, all other prices unchanged.
///
/// HF(p) = (A + a·p) / (B + b·p) with a = supplied × LT and b = debt of this asset, so HF < 1
/// exactly on one side of (B − A)/(a − b): below it when the asset weighs more as collateral,
/// above it when it weighs more as debt. The crossing is then found on Aave's exact formula.
pub fn liquidation_price(position: &Position, index: usize) -> LiquidationPrice {
    let legs = legs(position);
    let Some(leg) = legs.get(index).copied() else {
        return LiquidationPrice::None;
    };
    let totals = totals_of(position.version, &legs);
    if totals.total_debt_base.is_zero() {
        return LiquidationPrice::None;
    }
    if totals.health_factor < HEALTH_FACTOR_LIQUIDATION_THRESHOLD {
        return LiquidationPrice::AlreadyLiquidatable;
    }
    let liquidatable = |price: U256| {
        hf_with(position.version, &legs, index, |l| l.price = price)
            < HEALTH_FACTOR_LIQUIDATION_THRESHOLD
    };
    let collateral_weight = if leg.collateral {
        leg.supplied * U256::from(leg.liquidation_threshold)
    } else {
        U256::ZERO
    };
    let debt_weight = if leg.borrowing {
        leg.debt * U256::from(10_000u64)
    } else {
        U256::ZERO
    };
    if collateral_weight > debt_weight {
        if !liquidatable(U256::ZERO) {
            return LiquidationPrice::None;
        }
        // Largest price that is still liquidatable: the first one under the current price.
        let highest = max_satisfying(leg.price, liquidatable);
        LiquidationPrice::AtOrBelow(highest)
    } else if debt_weight > collateral_weight {
        // Search upwards, doubling, for a price that liquidates.
        let ceiling = U256::from(1) << 200;
        let mut hi = leg.price.max(U256::from(1));
        while !liquidatable(hi) {
            if hi >= ceiling {
                return LiquidationPrice::None;
            }
            hi *= U256::from(2);
        }
        match min_satisfying(hi, liquidatable) {
            Some(price) => LiquidationPrice::AtOrAbove(price),
            None => LiquidationPrice::None,
        }
    } else {
        LiquidationPrice::None
    }
}

/// Largest amount of reserve `index` the user can withdraw keeping HF ≥ `target` (wad).
pub fn max_safe_withdraw(position: &Position, index: usize, target: U256) -> SafeAmount {
    let legs = legs(position);
    let Some(reserve) = position.reserves.get(index) else {
        return blocked(Blocked::Inactive, U256::ZERO);
    };
    let totals = totals_of(position.version, &legs);
    if !reserve.config.active {
        return blocked(Blocked::Inactive, totals.health_factor);
    }
    if reserve.config.paused {
        return blocked(Blocked::Paused, totals.health_factor);
    }
    let leg = legs[index];
    let counts = leg.collateral;
    if counts && !totals.total_debt_base.is_zero() {
        // ValidationLogic.validateHFAndLtv: with zero-LTV collateral only that may leave first.
        if totals.has_zero_ltv_collateral && leg.ltv != 0 {
            return blocked(Blocked::ZeroLtvCollateralFirst, totals.health_factor);
        }
    }
    let goal = with_margin(target);
    let hf_after = |x: U256| hf_with(position.version, &legs, index, |l| l.supplied -= x);
    let (mut amount, mut limit) = if !counts || totals.total_debt_base.is_zero() {
        (reserve.supplied, Limit::Balance)
    } else if totals.health_factor < goal {
        return blocked(Blocked::HealthFactorBelowTarget, totals.health_factor);
    } else {
        let amount = max_satisfying(reserve.supplied, |x| hf_after(x) >= goal);
        let limit = if amount == reserve.supplied {
            Limit::Balance
        } else {
            Limit::HealthFactor
        };
        (amount, limit)
    };
    if amount > reserve.available_liquidity {
        amount = reserve.available_liquidity;
        limit = Limit::PoolLiquidity;
    }
    SafeAmount {
        amount,
        limit,
        health_factor_after: hf_after(amount),
    }
}

fn blocked(reason: Blocked, health_factor: U256) -> SafeAmount {
    SafeAmount {
        amount: U256::ZERO,
        limit: Limit::Blocked(reason),
        health_factor_after: health_factor,
    }
}

fn borrow_block(position: &Position, index: usize, totals: &AccountTotals) -> Option<Blocked> {
    let reserve = &position.reserves[index];
    let cfg = &reserve.config;
    if !cfg.active {
        return Some(Blocked::Inactive);
    }
    if cfg.paused {
        return Some(Blocked::Paused);
    }
    if cfg.frozen {
        return Some(Blocked::Frozen);
    }
    let version = position.version;
    let in_emode_borrowable = rules::emode_borrowable(position, reserve);
    // 3.6 validateBorrow: in E-Mode only the borrowable bitmap counts, else borrowingEnabled.
    if !cfg.borrowing_enabled
        && (in_emode_borrowable.is_none() || rules::emode_needs_borrowing_enabled(version))
    {
        return Some(Blocked::BorrowingDisabled);
    }
    let isolation_and_silo = rules::has_isolation_and_siloed_borrowing(version);
    if isolation_and_silo
        && position.isolation_collateral().is_some()
        && !cfg.borrowable_in_isolation
    {
        return Some(Blocked::NotBorrowableInIsolation);
    }
    if in_emode_borrowable == Some(false) {
        return Some(Blocked::EModeCategoryMismatch);
    }
    if !isolation_and_silo {
        return no_collateral(totals);
    }
    let borrowed: Vec<usize> = (0..position.reserves.len())
        .filter(|&i| position.reserves[i].borrowing)
        .collect();
    if !borrowed.is_empty() {
        // ValidationLogic: a siloed debt allows only itself; a siloed asset joins no other debt.
        let siloed_debt =
            borrowed.len() == 1 && position.reserves[borrowed[0]].config.siloed_borrowing;
        if (siloed_debt && borrowed[0] != index) || (!siloed_debt && cfg.siloed_borrowing) {
            return Some(Blocked::SiloedBorrowing);
        }
    }
    no_collateral(totals)
}

fn no_collateral(totals: &AccountTotals) -> Option<Blocked> {
    (totals.total_collateral_base.is_zero() || totals.ltv.is_zero())
        .then_some(Blocked::NoCollateral)
}

/// Largest extra borrow of reserve `index` that the protocol accepts and that keeps HF ≥ `target`.
pub fn max_safe_borrow(position: &Position, index: usize, target: U256) -> SafeAmount {
    let legs = legs(position);
    let totals = totals_of(position.version, &legs);
    if index >= legs.len() {
        return blocked(Blocked::Inactive, totals.health_factor);
    }
    if let Some(reason) = borrow_block(position, index, &totals) {
        return blocked(reason, totals.health_factor);
    }
    let goal = with_margin(target);
    if totals.health_factor < goal {
        return blocked(Blocked::HealthFactorBelowTarget, totals.health_factor);
    }
    let reserve = &position.reserves[index];
    let leg = legs[index];
    if leg.price.is_zero() {
        return blocked(Blocked::NoCollateral, totals.health_factor);
    }
    let hf_after = |x: U256| {
        hf_with(position.version, &legs, index, |l| {
            l.debt += x;
            l.borrowing = true;
        })
    };
    // The LTV check, with the same interest margin on the debt as the HF target gets.
    // Before 3.5, ValidationLogic.validateBorrow: (debt + amount × price / unit).percentDiv(ltv)
    // ≤ collateral. From 3.5, validateHFAndLtv after the borrow: collateral ≥
    // debtAfter.percentDivCeil(ltv), the debt valued per reserve and rounded up.
    let ltv = low_u64(totals.ltv);
    let margin = ppm_above(totals.total_debt_base) - totals.total_debt_base;
    let version = position.version;
    let ltv_ok = |x: U256| {
        if version >= AaveVersion::V3_5 {
            let after = totals_with(version, &legs, index, |l| {
                l.debt += x;
                l.borrowing = true;
            });
            percent_div_ceil(after.total_debt_base + margin, ltv) <= totals.total_collateral_base
        } else {
            let amount_base = leg.price * x / leg.unit;
            percent_div(totals.total_debt_base + margin + amount_base, ltv)
                <= totals.total_collateral_base
        }
    };
    // No borrow can exceed the whole collateral's value at this price.
    let bound = totals.total_collateral_base * leg.unit / leg.price + U256::from(1);
    let mut candidates = vec![
        (max_satisfying(bound, ltv_ok), Limit::Ltv),
        (
            max_satisfying(bound, |x| hf_after(x) >= goal),
            Limit::HealthFactor,
        ),
        (reserve.available_liquidity, Limit::PoolLiquidity),
    ];
    if !reserve.config.borrow_cap.is_zero() {
        let cap = reserve.config.borrow_cap * leg.unit;
        candidates.push((
            cap.saturating_sub(ppm_above(reserve.total_debt)),
            Limit::BorrowCap,
        ));
    }
    if let Some(collateral) = position
        .isolation_collateral()
        .filter(|_| rules::has_isolation_and_siloed_borrowing(version))
    {
        let iso = &position.reserves[collateral];
        // The ceiling counts debt in USD with 2 decimals: amount / 10^(decimals − 2), floored.
        let step = unit(reserve.decimals.saturating_sub(2));
        let room = iso
            .config
            .debt_ceiling
            .saturating_sub(iso.isolation_mode_total_debt);
        candidates.push((
            (room + U256::from(1)) * step - U256::from(1),
            Limit::DebtCeiling,
        ));
    }
    // The first binding constraint wins; ties go to the earlier (more fundamental) one.
    let (amount, limit) = candidates
        .into_iter()
        .fold(None, |best: Option<(U256, Limit)>, c| match best {
            Some(b) if b.0 <= c.0 => Some(b),
            _ => Some(c),
        })
        .unwrap_or((U256::ZERO, Limit::Ltv));
    SafeAmount {
        amount,
        limit,
        health_factor_after: hf_after(amount),
    }
}

/// Smallest repayment of reserve `index` that brings HF to at least `target`.
pub fn repay_to_target(position: &Position, index: usize, target: U256) -> RepayPlan {
    let legs = legs(position);
    let Some(leg) = legs.get(index).copied() else {
        return RepayPlan {
            amount: U256::ZERO,
            reaches_target: false,
            health_factor_after: account_totals(position).health_factor,
        };
    };
    let goal = with_margin(target);
    let hf_after = |r: U256| hf_with(position.version, &legs, index, |l| l.debt -= r);
    let debt = if leg.borrowing { leg.debt } else { U256::ZERO };
    match min_satisfying(debt, |r| hf_after(r) >= goal) {
        Some(amount) => RepayPlan {
            amount,
            reaches_target: true,
            health_factor_after: hf_after(amount),
        },
        None => RepayPlan {
            amount: debt,
            reaches_target: false,
            health_factor_after: hf_after(debt),
        },
    }
}

/// Smallest supply of reserve `index` (as collateral) that brings HF to at least `target`;
/// None when the reserve does not count as collateral for this user or has no price.
pub fn add_to_target(position: &Position, index: usize, target: U256) -> Option<U256> {
    let legs = legs(position);
    let leg = legs.get(index).copied()?;
    if !leg.collateral && !position.reserves.get(index)?.collateral_enabled {
        return None;
    }
    if leg.price.is_zero() || leg.liquidation_threshold == 0 {
        return None;
    }
    let goal = with_margin(target);
    let hf_after = |x: U256| {
        hf_with(position.version, &legs, index, |l| {
            l.supplied += x;
            l.collateral = true;
        })
    };
    let ceiling = U256::from(1) << 200;
    let mut hi = leg.unit;
    while hf_after(hi) < goal {
        if hi >= ceiling {
            return None;
        }
        hi *= U256::from(2);
    }
    min_satisfying(hi, |x| hf_after(x) >= goal)
}

fn moved(price: U256, change_bps: i64) -> U256 {
    let factor = 10_000i64.saturating_add(change_bps).max(0);
    price * U256::from(factor as u64) / U256::from(10_000u64)
}

/// Account totals after a hypothetical price move.
pub fn what_if(position: &Position, price_move: PriceMove) -> AccountTotals {
    let mut legs = legs(position);
    match price_move {
        PriceMove::Asset { index, change_bps } => {
            if let Some(leg) = legs.get_mut(index) {
                leg.price = moved(leg.price, change_bps);
            }
        }
        PriceMove::AllVolatile { change_bps } => {
            for (leg, reserve) in legs.iter_mut().zip(&position.reserves) {
                if !reserve.is_stablecoin {
                    leg.price = moved(leg.price, change_bps);
                }
            }
        }
    }
    totals_of(position.version, &legs)
}

/// The share of a debt a liquidator may repay now; `None` while HF ≥ 1.
pub fn close_factor(health_factor: U256) -> Option<CloseFactor> {
    if health_factor >= HEALTH_FACTOR_LIQUIDATION_THRESHOLD {
        return None;
    }
    let bps = if health_factor > CLOSE_FACTOR_HF_THRESHOLD {
        5_000
    } else {
        10_000
    };
    Some(CloseFactor { bps })
}

/// The largest fall of all non-stablecoin prices together, in bps, that still keeps HF ≥ 1;
/// `None` when even a fall to zero leaves HF ≥ 1 or there is no debt.
pub fn volatile_drop_to_liquidation(position: &Position) -> Option<u64> {
    let totals = account_totals(position);
    if totals.total_debt_base.is_zero() {
        return None;
    }
    if totals.health_factor < HEALTH_FACTOR_LIQUIDATION_THRESHOLD {
        return Some(0);
    }
    let liquidatable = |bps: u64| {
        let change = -i64::try_from(bps).unwrap_or(10_000);
        what_if(position, PriceMove::AllVolatile { change_bps: change }).health_factor
            < HEALTH_FACTOR_LIQUIDATION_THRESHOLD
    };
    if !liquidatable(10_000) {
        return None;
    }
    let safe = max_satisfying(U256::from(10_000u64), |b| !liquidatable(low_u64(b)));
    Some(low_u64(safe))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::position::{EModeMembership, ReserveState};
    use crate::chain::test_fixtures::{self, bitmaps, stablecoin_category};
    use alloy::primitives::Address;

    fn e(decimals: u8) -> U256 {
        unit(decimals)
    }

    fn reserve(symbol: &str, decimals: u8, price_usd: u64, ltv: u64, lt: u64) -> ReserveState {
        let mut r = test_fixtures::reserve(0, symbol, decimals, price_usd, ltv, lt);
        r.asset = Address::repeat_byte(symbol.len() as u8);
        r.available_liquidity = U256::from(1_000_000_000u64) * e(decimals);
        r
    }

    /// 10 WETH at $2,000 (LT 82.5%) against `usdc_debt` USDC.
    fn weth_vs_usdc(usdc_debt: u64) -> Position {
        let mut weth = reserve("WETH", 18, 2_000, 8_000, 8_250);
        weth.supplied = U256::from(10) * e(18);
        weth.collateral_enabled = true;
        let mut usdc = reserve("USDC", 6, 1, 7_700, 8_000);
        usdc.variable_debt = U256::from(usdc_debt) * e(6);
        usdc.borrowing = usdc_debt > 0;
        test_fixtures::position(Default::default(), None, vec![weth, usdc])
    }

    fn hf(x: &str) -> U256 {
        let (int, frac) = x.split_once('.').unwrap_or((x, ""));
        let frac = format!("{frac:0<18}");
        U256::from_str_radix(int, 10).unwrap() * WAD + U256::from_str_radix(&frac, 10).unwrap()
    }

    #[test]
    fn health_factor_is_weighted_collateral_over_debt() {
        // 20,000 × 0.825 / 6,600 = 2.5
        let t = account_totals(&weth_vs_usdc(6_600));
        assert_eq!(t.total_collateral_base, U256::from(20_000) * e(8));
        assert_eq!(t.total_debt_base, U256::from(6_600) * e(8));
        assert_eq!(t.health_factor, hf("2.5"));
        assert_eq!(t.liquidation_threshold, U256::from(8_250));
        assert_eq!(t.available_borrows_base, U256::from(16_000 - 6_600) * e(8));
    }

    #[test]
    fn no_debt_means_infinite_health_and_no_liquidation_price() {
        let p = weth_vs_usdc(0);
        assert_eq!(account_totals(&p).health_factor, U256::MAX);
        assert_eq!(liquidation_price(&p, 0), LiquidationPrice::None);
        assert_eq!(
            max_safe_withdraw(&p, 0, DEFAULT_TARGET_HEALTH_FACTOR).limit,
            Limit::Balance
        );
    }

    #[test]
    fn liquidation_price_is_where_collateral_times_lt_meets_debt() {
        // 10 × p × 0.825 = 6,600 → p = $800.
        let p = weth_vs_usdc(6_600);
        let LiquidationPrice::AtOrBelow(price) = liquidation_price(&p, 0) else {
            panic!("expected a price below which WETH liquidates");
        };
        assert!(price < U256::from(800) * e(8));
        assert!(price > U256::from(79_999_999_900u64));
        let mut at = p.clone();
        at.reserves[0].price = price;
        assert!(account_totals(&at).health_factor < WAD);
        at.reserves[0].price = price + U256::from(1);
        assert!(account_totals(&at).health_factor >= WAD);
    }

    #[test]
    fn a_debt_asset_liquidates_when_its_price_rises() {
        let p = weth_vs_usdc(6_600);
        let LiquidationPrice::AtOrAbove(price) = liquidation_price(&p, 1) else {
            panic!("expected a rising price for the debt asset");
        };
        // 16,500 / 6,600 = 2.5 → USDC at $2.50.
        assert!(price > U256::from(249_999_999u64) && price <= U256::from(250_000_001u64));
    }

    #[test]
    fn safe_withdraw_keeps_the_target_and_one_more_wei_does_not() {
        let p = weth_vs_usdc(6_600);
        let target = DEFAULT_TARGET_HEALTH_FACTOR;
        let safe = max_safe_withdraw(&p, 0, target);
        assert_eq!(safe.limit, Limit::HealthFactor);
        assert!(safe.health_factor_after >= target);
        let mut after = p.clone();
        after.reserves[0].supplied -= safe.amount;
        assert!(account_totals(&after).health_factor >= with_margin(target));
        after.reserves[0].supplied -= U256::from(10u64).pow(U256::from(12));
        assert!(account_totals(&after).health_factor < with_margin(target));
        // 10 − 6,600 × 1.01 / (0.825 × 2,000) ≈ 5.96 WETH
        assert!(safe.amount > U256::from(595) * e(16) && safe.amount < U256::from(597) * e(16));
    }

    #[test]
    fn safe_borrow_is_bounded_by_ltv_before_health() {
        let p = weth_vs_usdc(6_600);
        let safe = max_safe_borrow(&p, 1, DEFAULT_TARGET_HEALTH_FACTOR);
        // LTV room: 16,000 − 6,600 = 9,400 USDC; HF 1.01 room: 16,500/1.01 − 6,600 ≈ 9,736.
        // The debt carries a 1 ppm interest margin: 6,600 × 1e-6 = 0.0066 USDC less.
        assert_eq!(safe.limit, Limit::Ltv);
        assert_eq!(safe.amount, U256::from(9_400) * e(6) - U256::from(6_600u64));
    }

    #[test]
    fn repay_to_target_is_the_smallest_sufficient_repayment() {
        let p = weth_vs_usdc(15_000); // HF 1.1
        let target = hf("1.5");
        let plan = repay_to_target(&p, 1, target);
        assert!(plan.reaches_target);
        assert!(plan.health_factor_after >= target);
        // 16,500 / 1.5 = 11,000 → repay ≈ 4,000 USDC
        assert!(plan.amount > U256::from(4_000) * e(6) && plan.amount < U256::from(4_001) * e(6));
        let mut less = p.clone();
        less.reserves[1].variable_debt -= plan.amount - U256::from(1);
        assert!(account_totals(&less).health_factor < with_margin(target));
    }

    #[test]
    fn what_if_moves_only_volatile_prices() {
        let p = weth_vs_usdc(6_600);
        let down = what_if(&p, PriceMove::AllVolatile { change_bps: -2_000 });
        assert_eq!(down.health_factor, hf("2"));
        let one = what_if(
            &p,
            PriceMove::Asset {
                index: 1,
                change_bps: 10_000,
            },
        );
        assert_eq!(one.health_factor, hf("1.25"));
        // 1 − 1/2.5 = 60% fall to liquidation
        assert_eq!(volatile_drop_to_liquidation(&p), Some(6_000));
    }

    #[test]
    fn close_factor_doubles_at_095() {
        assert_eq!(close_factor(WAD), None);
        assert_eq!(close_factor(hf("0.99")), Some(CloseFactor { bps: 5_000 }));
        assert_eq!(close_factor(hf("0.95")), Some(CloseFactor { bps: 10_000 }));
    }

    #[test]
    fn emode_replaces_ltv_and_threshold_inside_the_category() {
        let mut p = weth_vs_usdc(0);
        p.reserves[1].supplied = U256::from(10_000) * e(6);
        p.reserves[1].collateral_enabled = true;
        p.reserves[1].config.emode_category = 1;
        p.reserves[0].supplied = U256::ZERO;
        let mut dai = reserve("DAI", 18, 1, 7_500, 8_000);
        dai.config.emode_category = 1;
        dai.variable_debt = U256::from(9_000) * e(18);
        dai.borrowing = true;
        p.reserves.push(dai);
        assert_eq!(account_totals(&p).health_factor, hf("0.888888888888888889"));
        p.emode = Some(stablecoin_category(EModeMembership::ReserveCategory));
        assert_eq!(account_totals(&p).health_factor, hf("1.055555555555555556"));
        // In E-Mode, WETH (category 0) cannot be borrowed.
        assert_eq!(
            max_safe_borrow(&p, 0, DEFAULT_TARGET_HEALTH_FACTOR).limit,
            Limit::Blocked(Blocked::EModeCategoryMismatch)
        );
    }

    #[test]
    fn isolation_ceiling_bounds_borrows() {
        let mut p = weth_vs_usdc(0);
        p.reserves[0].config.debt_ceiling = U256::from(100_000u64); // $1,000.00 (2 decimals)
        p.reserves[0].isolation_mode_total_debt = U256::from(40_000u64);
        p.reserves[1].config.borrowable_in_isolation = true;
        let safe = max_safe_borrow(&p, 1, DEFAULT_TARGET_HEALTH_FACTOR);
        assert_eq!(safe.limit, Limit::DebtCeiling);
        assert_eq!(safe.amount, U256::from(600_009_999u64));
        p.reserves[1].config.borrowable_in_isolation = false;
        assert_eq!(
            max_safe_borrow(&p, 1, DEFAULT_TARGET_HEALTH_FACTOR).limit,
            Limit::Blocked(Blocked::NotBorrowableInIsolation)
        );
    }

    fn stable_emode(version: AaveVersion, membership: EModeMembership) -> Position {
        // USDC (id 1) 10,000 supplied; DAI (id 2) 9,000 borrowed; WETH (id 0) unused.
        let mut p = weth_vs_usdc(0);
        p.version = version;
        p.reserves[0].supplied = U256::ZERO;
        p.reserves[1].id = 1;
        p.reserves[1].supplied = U256::from(10_000) * e(6);
        p.reserves[1].collateral_enabled = true;
        let mut dai = reserve("DAI", 18, 1, 7_500, 8_000);
        dai.id = 2;
        dai.variable_debt = U256::from(9_000) * e(18);
        dai.borrowing = true;
        p.reserves.push(dai);
        p.emode = Some(stablecoin_category(membership));
        p
    }

    #[test]
    fn v32_emode_parameters_follow_the_collateral_bitmap() {
        // USDC in the bitmap (bit 1): 10,000 × 95% / 9,000 = 1.0555…6 (wadDiv half up).
        let inside = stable_emode(AaveVersion::V3_2, bitmaps(0b010, 0b110, 0));
        assert_eq!(
            account_totals(&inside).health_factor,
            hf("1.055555555555555556")
        );
        // USDC outside (bitmap has only DAI): its own LT 80% → 8,000 / 9,000 = 0.888…9.
        let outside = stable_emode(AaveVersion::V3_2, bitmaps(0b100, 0b110, 0));
        assert_eq!(
            account_totals(&outside).health_factor,
            hf("0.888888888888888889")
        );
    }

    #[test]
    fn v32_borrowing_outside_the_borrowable_bitmap_is_blocked() {
        // WETH (bit 0) is not borrowable in the category; USDC (bit 1) is.
        let p = stable_emode(AaveVersion::V3_2, bitmaps(0b010, 0b110, 0));
        assert_eq!(
            max_safe_borrow(&p, 0, DEFAULT_TARGET_HEALTH_FACTOR).limit,
            Limit::Blocked(Blocked::EModeCategoryMismatch)
        );
        let usdc = max_safe_borrow(&p, 1, DEFAULT_TARGET_HEALTH_FACTOR).limit;
        assert!(!matches!(usdc, Limit::Blocked(_)), "{usdc:?}");
        // With WETH's bit set it is no longer blocked by the category.
        let p = stable_emode(AaveVersion::V3_2, bitmaps(0b010, 0b111, 0));
        let weth = max_safe_borrow(&p, 0, DEFAULT_TARGET_HEALTH_FACTOR).limit;
        assert_ne!(weth, Limit::Blocked(Blocked::EModeCategoryMismatch));
    }

    #[test]
    fn v36_ltv_zero_bitmap_removes_borrowing_power_inside_the_category() {
        // USDC in the collateral and the ltv-zero bitmaps: LT stays 95%, LTV 0.
        let p = stable_emode(AaveVersion::V3_6, bitmaps(0b010, 0b110, 0b010));
        let t = account_totals(&p);
        assert_eq!(t.ltv, U256::ZERO);
        assert!(t.has_zero_ltv_collateral);
        assert_eq!(t.available_borrows_base, U256::ZERO);
        // 3.6 formula: Σ = 10,000e8 × 9500 = 9.5e15; wadDiv(9.5e15, 9,000e8) / 1e4
        // = 10,555.…6e18 / 1e4 → 1.055555555555555555 (the last digit floored).
        assert_eq!(t.health_factor, hf("1.055555555555555555"));
        // Without the bit: LTV 93%; available = ⌊10,000e8 × 9300 / 1e4⌋ − 9,000e8 = 300e8.
        let p = stable_emode(AaveVersion::V3_6, bitmaps(0b010, 0b110, 0));
        assert_eq!(
            account_totals(&p).available_borrows_base,
            U256::from(300) * e(8)
        );
    }

    #[test]
    fn v35_values_debt_up_and_collateral_down() {
        // 10 WETH against 6,600 USDC plus 1 wei of DAI at $1: 1e8 / 1e18 → floor 0, ceil 1.
        let mut p = weth_vs_usdc(6_600);
        let mut dai = reserve("DAI", 18, 1, 7_500, 8_000);
        dai.variable_debt = U256::from(1);
        dai.borrowing = true;
        p.reserves.push(dai);
        p.version = AaveVersion::V3_4;
        let before = account_totals(&p);
        assert_eq!(before.total_debt_base, U256::from(6_600) * e(8));
        assert_eq!(before.health_factor, hf("2.5"));
        p.version = AaveVersion::V3_5;
        let after = account_totals(&p);
        assert_eq!(
            after.total_debt_base,
            U256::from(6_600) * e(8) + U256::from(1)
        );
        // Σ = 20,000e8 × 8250 = 1.65e16; wadDiv(1.65e16, 660,000,000,001) =
        // 24,999.99999996212…e18 → / 1e4 = 2.499999999996212121 (floored).
        assert_eq!(after.health_factor, hf("2.499999999996212121"));
    }

    #[test]
    fn v37_has_no_isolation_mode_or_siloed_borrowing() {
        let mut p = weth_vs_usdc(0);
        p.reserves[0].config.debt_ceiling = U256::from(100_000u64);
        p.reserves[0].isolation_mode_total_debt = U256::from(40_000u64);
        p.reserves[1].config.borrowable_in_isolation = false;
        p.version = AaveVersion::V3_6;
        assert_eq!(
            max_safe_borrow(&p, 1, DEFAULT_TARGET_HEALTH_FACTOR).limit,
            Limit::Blocked(Blocked::NotBorrowableInIsolation)
        );
        p.version = AaveVersion::V3_7;
        // LTV room: 16,000 USDC less nothing borrowed.
        let safe = max_safe_borrow(&p, 1, DEFAULT_TARGET_HEALTH_FACTOR);
        assert_eq!(safe.limit, Limit::Ltv);
        assert_eq!(safe.amount, U256::from(16_000) * e(6));
        // Siloed: a siloed asset joins no other debt before 3.7 only.
        let mut s = weth_vs_usdc(1_000);
        s.reserves[0].supplied = U256::from(10) * e(18);
        let mut dai = reserve("DAI", 18, 1, 7_500, 8_000);
        dai.config.siloed_borrowing = true;
        s.reserves.push(dai);
        s.version = AaveVersion::V3_6;
        assert_eq!(
            max_safe_borrow(&s, 2, DEFAULT_TARGET_HEALTH_FACTOR).limit,
            Limit::Blocked(Blocked::SiloedBorrowing)
        );
        s.version = AaveVersion::V3_7;
        assert!(!matches!(
            max_safe_borrow(&s, 2, DEFAULT_TARGET_HEALTH_FACTOR).limit,
            Limit::Blocked(_)
        ));
    }
}
