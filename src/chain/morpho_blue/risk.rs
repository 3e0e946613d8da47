//! Risk figures of one Morpho Blue position, exact on integers with Morpho's rounding: the
//! health factor, LTV, max borrow, the collateral's liquidation price, the safe collateral
//! withdrawal and the safe borrow to a target health factor, the repayment that reaches it,
//! and while the position can be liquidated, what a liquidator may repay and seize.
//!
//! Every amount is found by evaluating the contract's own arithmetic after the action (shares
//! minted or burnt with the virtual shares, the market's totals moved as the transaction moves
//! them): a binary search over that exact evaluation, so the amount is the largest (or, for a
//! repayment, the smallest) that keeps the health factor at the target, to the unit.

use alloy::primitives::U256;

use super::math::{self, MarketState, WAD};
use super::position::MorphoPosition;
use crate::chain::risk::{Blocked, INTEREST_MARGIN_PPM, Limit, RepayPlan, SafeAmount};

/// Everything computed about one Morpho position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MorphoRisk {
    /// Target HF the safe amounts aim at (wad).
    pub target_health_factor: U256,
    /// What the user owes, loan-token units (rounded up).
    pub borrowed: U256,
    /// What the user lends (supplied loan token), loan-token units (rounded down).
    pub supplied: U256,
    /// The collateral's value in loan-token units (rounded down).
    pub collateral_value: U256,
    /// The most the position may owe: collateral value × LLTV (rounded down).
    pub max_borrow: U256,
    /// Borrowed ÷ collateral value, wad; `None` without collateral.
    pub ltv: Option<U256>,
    /// Max borrow ÷ borrowed, wad; `U256::MAX` without debt.
    pub health_factor: U256,
    /// Morpho's own test: no debt, or max borrow ≥ borrowed.
    pub healthy: bool,
    /// The lowest oracle price (1e36 scale) at which the position stays healthy.
    pub liquidation_price: Option<U256>,
    /// Collateral that can be withdrawn keeping HF ≥ target.
    pub safe_withdraw: Option<SafeAmount>,
    /// Loan token that can be borrowed keeping HF ≥ target.
    pub safe_borrow: SafeAmount,
    /// The repayment that brings HF to the target (when there is debt).
    pub repay_to_target: Option<RepayPlan>,
    /// The market's liquidation incentive factor, wad (1.0438 = 4.38% bonus).
    pub incentive_factor: U256,
    /// While liquidatable: the collateral one liquidation can seize (all of it, or what the
    /// whole debt pays for).
    pub max_seizable_collateral: Option<U256>,
    /// While liquidatable: the debt a liquidator repays for that collateral (loan units).
    pub max_liquidatable_debt: Option<U256>,
}

/// The health factor after the position's collateral, debt shares and the market's borrow
/// totals become these.
fn health_after(
    position: &MorphoPosition,
    collateral: U256,
    borrow_shares: U256,
    market: &MarketState,
) -> Option<U256> {
    let borrowed = math::borrowed(borrow_shares, market)?;
    math::health_factor(collateral, borrowed, position.price, position.facts.lltv)
}

/// The target a safe amount aims at: `target` plus the interest margin.
fn with_margin(target: U256) -> U256 {
    target.saturating_add(target * U256::from(INTEREST_MARGIN_PPM) / U256::from(1_000_000u64))
}

/// The largest `x` in `[0, hi]` with `ok(x)`, given `ok(0)`; `ok` is monotone (true then
/// false).
fn largest(hi: U256, ok: impl Fn(U256) -> bool) -> U256 {
    if ok(hi) {
        return hi;
    }
    let (mut lo, mut hi) = (U256::ZERO, hi);
    while hi - lo > U256::from(1) {
        let mid = lo + (hi - lo) / U256::from(2);
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The smallest `x` in `[0, hi]` with `ok(x)`, given `ok(hi)`; `ok` is monotone (false then
/// true).
fn smallest(hi: U256, ok: impl Fn(U256) -> bool) -> U256 {
    if ok(U256::ZERO) {
        return U256::ZERO;
    }
    let (mut lo, mut hi) = (U256::ZERO, hi);
    while hi - lo > U256::from(1) {
        let mid = lo + (hi - lo) / U256::from(2);
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The market and the user's borrow shares after borrowing `assets`, as `Morpho.borrow`
/// leaves them.
pub fn after_borrow(position: &MorphoPosition, assets: U256) -> Option<(U256, MarketState)> {
    let m = &position.state;
    let shares = math::to_shares_up(assets, m.total_borrow_assets, m.total_borrow_shares)?;
    let mut after = *m;
    after.total_borrow_assets = m.total_borrow_assets.checked_add(assets)?;
    after.total_borrow_shares = m.total_borrow_shares.checked_add(shares)?;
    Some((position.borrow_shares.checked_add(shares)?, after))
}

/// The market and the user's borrow shares after repaying `assets`, as `Morpho.repay` leaves
/// them; `None` where it would revert (more shares than owed).
pub fn after_repay(position: &MorphoPosition, assets: U256) -> Option<(U256, MarketState)> {
    let m = &position.state;
    let shares = math::to_shares_down(assets, m.total_borrow_assets, m.total_borrow_shares)?;
    let mut after = *m;
    after.total_borrow_assets = m.total_borrow_assets.saturating_sub(assets);
    after.total_borrow_shares = m.total_borrow_shares.checked_sub(shares)?;
    Some((position.borrow_shares.checked_sub(shares)?, after))
}

/// The collateral to add (collateral-token units) that brings HF to `target`; `None` without
/// debt or when no amount within 2^200 does.
pub fn add_to_target(position: &MorphoPosition, target: U256) -> Option<U256> {
    let borrowed = position.borrowed();
    if borrowed.is_zero() || position.price.is_zero() {
        return None;
    }
    let aim = with_margin(target);
    let hf_with = |extra: U256| {
        position
            .collateral
            .checked_add(extra)
            .and_then(|c| math::health_factor(c, borrowed, position.price, position.facts.lltv))
            .unwrap_or(U256::ZERO)
    };
    let ceiling = U256::from(1) << 200;
    let mut hi = U256::from(1);
    while hf_with(hi) < aim {
        if hi >= ceiling {
            return None;
        }
        hi *= U256::from(2);
    }
    Some(smallest(hi, |x| hf_with(x) >= aim))
}

/// The health factor after the oracle price becomes `price`, everything else unchanged.
pub fn health_at_price(position: &MorphoPosition, price: U256) -> U256 {
    math::health_factor(
        position.collateral,
        position.borrowed(),
        price,
        position.facts.lltv,
    )
    .unwrap_or(U256::ZERO)
}

/// The oracle price after a relative move of `change_bps` (−1000 = −10%).
pub fn moved_price(price: U256, change_bps: i64) -> U256 {
    let factor = 10_000i64.saturating_add(change_bps).max(0);
    price * U256::from(factor.unsigned_abs()) / U256::from(10_000u64)
}

fn safe_withdraw(position: &MorphoPosition, target: U256, hf: U256) -> SafeAmount {
    let all = position.collateral;
    let borrowed = position.borrowed();
    if borrowed.is_zero() {
        return SafeAmount {
            amount: all,
            limit: Limit::Balance,
            health_factor_after: U256::MAX,
        };
    }
    let aim = with_margin(target);
    if hf < aim {
        return SafeAmount {
            amount: U256::ZERO,
            limit: Limit::Blocked(Blocked::HealthFactorBelowTarget),
            health_factor_after: hf,
        };
    }
    let hf_with = |left: U256| {
        math::health_factor(left, borrowed, position.price, position.facts.lltv)
            .unwrap_or(U256::ZERO)
    };
    let amount = largest(all, |w| hf_with(all - w) >= aim);
    SafeAmount {
        amount,
        limit: Limit::HealthFactor,
        health_factor_after: hf_with(all - amount),
    }
}

fn safe_borrow(position: &MorphoPosition, target: U256, hf: U256) -> SafeAmount {
    let liquidity = position.liquidity();
    let hf_after = |assets: U256| {
        after_borrow(position, assets)
            .and_then(|(shares, market)| {
                health_after(position, position.collateral, shares, &market)
            })
            .unwrap_or(U256::ZERO)
    };
    let blocked = |why: Blocked| SafeAmount {
        amount: U256::ZERO,
        limit: Limit::Blocked(why),
        health_factor_after: hf,
    };
    if position.collateral.is_zero() || position.collateral_value().is_zero() {
        return blocked(Blocked::NoCollateral);
    }
    let aim = with_margin(target);
    if hf < aim {
        return blocked(Blocked::HealthFactorBelowTarget);
    }
    // Bounded by what the target allows and by the market's liquidity, whichever is lower.
    let max_by_value = position.collateral_value();
    let by_target = largest(max_by_value, |b| hf_after(b) >= aim);
    let (amount, limit) = if liquidity < by_target {
        (liquidity, Limit::PoolLiquidity)
    } else {
        (by_target, Limit::HealthFactor)
    };
    SafeAmount {
        amount,
        limit,
        health_factor_after: hf_after(amount),
    }
}

fn repay_to_target(position: &MorphoPosition, target: U256, hf: U256) -> RepayPlan {
    let borrowed = position.borrowed();
    let aim = with_margin(target);
    let hf_after = |assets: U256| match after_repay(position, assets) {
        Some((shares, market)) => {
            health_after(position, position.collateral, shares, &market).unwrap_or(U256::ZERO)
        }
        None => U256::MAX,
    };
    if hf >= aim {
        return RepayPlan {
            amount: U256::ZERO,
            reaches_target: true,
            health_factor_after: hf,
        };
    }
    if hf_after(borrowed) < aim {
        return RepayPlan {
            amount: borrowed,
            reaches_target: false,
            health_factor_after: hf_after(borrowed),
        };
    }
    let amount = smallest(borrowed, |r| hf_after(r) >= aim);
    RepayPlan {
        amount,
        reaches_target: true,
        health_factor_after: hf_after(amount),
    }
}

/// What one liquidation may take while the position is unhealthy: (collateral seized, debt
/// repaid in loan units). The most collateral `liquidate(seizedAssets)` accepts: no more than
/// the position holds, and no more than the debt shares it owes pay for (Morpho rounds the
/// shares to repay up, and a call that would repay more shares than owed reverts).
fn liquidation(position: &MorphoPosition) -> Option<(U256, U256)> {
    let (m, price, lltv) = (&position.state, position.price, position.facts.lltv);
    let repaid_for = |seized: U256| math::repaid_shares_for_seized(seized, m, price, lltv);
    let fits = |seized: U256| repaid_for(seized).is_some_and(|s| s <= position.borrow_shares);
    let seized = largest(position.collateral, fits);
    let repaid_shares = repaid_for(seized)?;
    let repaid = math::to_assets_up(repaid_shares, m.total_borrow_assets, m.total_borrow_shares)?;
    Some((seized, repaid))
}

/// Computes every figure of `position`, safe amounts aimed at `target` (wad).
pub fn assess(position: &MorphoPosition, target: U256) -> MorphoRisk {
    let lltv = position.facts.lltv;
    let borrowed = position.borrowed();
    let collateral_value = position.collateral_value();
    let max_borrow =
        math::max_borrow(position.collateral, position.price, lltv).unwrap_or(U256::MAX);
    let health_factor = math::health_factor(position.collateral, borrowed, position.price, lltv)
        .unwrap_or(U256::ZERO);
    let healthy =
        math::is_healthy(position.collateral, borrowed, position.price, lltv).unwrap_or(false);
    let liquidation = if healthy { None } else { liquidation(position) };
    MorphoRisk {
        target_health_factor: target,
        borrowed,
        supplied: position.supplied(),
        collateral_value,
        max_borrow,
        ltv: (!collateral_value.is_zero())
            .then(|| math::mul_div_up(borrowed, WAD, collateral_value))
            .flatten(),
        health_factor,
        healthy,
        liquidation_price: math::liquidation_price(position.collateral, borrowed, lltv),
        safe_withdraw: (!position.collateral.is_zero())
            .then(|| safe_withdraw(position, target, health_factor)),
        safe_borrow: safe_borrow(position, target, health_factor),
        repay_to_target: (!borrowed.is_zero())
            .then(|| repay_to_target(position, target, health_factor)),
        incentive_factor: math::liquidation_incentive_factor(lltv).unwrap_or(WAD),
        max_seizable_collateral: liquidation.map(|(seized, _)| seized),
        max_liquidatable_debt: liquidation.map(|(_, repaid)| repaid),
    }
}
