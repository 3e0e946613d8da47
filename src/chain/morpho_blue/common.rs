//! A Morpho Blue position in lendesk's common position model, so that the desk, the command
//! line and the alerts show every protocol the same way: [`to_position`] gives a
//! [`Position`] whose two reserves are the market's legs (the collateral, then the loan token;
//! values and prices in the loan token), and [`report`], [`totals_after`] and
//! [`repay_to_target`] give its figures, computed by [`super::risk`] on Morpho's own integers
//! (the common model's prices are floored for display and never feed the math).
//! [`crate::chain::report`] dispatches here for a position whose source is Morpho.

use alloy::primitives::{Address, U256};

use super::math::{self, WAD};
use super::position::{MarketFacts, MorphoPosition, TokenFacts};
use super::risk::{self, MorphoRisk};
use crate::chain::liquidation::LiquidationOption;
use crate::chain::math::unit;
use crate::chain::position::{Position, ReserveConfig, ReserveState, Source};
use crate::chain::report::{HealthBand, RiskReport, STANDARD_DROPS_BPS, Scenario};
use crate::chain::risk::{
    AccountTotals, Blocked, CloseFactor, Limit, LiquidationPrice, PriceMove, RepayPlan, SafeAmount,
};

/// The collateral's reserve index in the common model.
pub const COLLATERAL: usize = 0;
/// The loan token's reserve index in the common model.
pub const LOAN: usize = 1;

/// A wad as basis points (0.86e18 → 8600), rounded down.
fn wad_bps(wad: U256) -> u64 {
    u64::try_from(wad / U256::from(100_000_000_000_000u64)).unwrap_or(u64::MAX)
}

fn is_stable(token: &TokenFacts, stablecoins: &[String]) -> bool {
    stablecoins
        .iter()
        .any(|s| s.eq_ignore_ascii_case(&token.symbol))
}

/// The name a Morpho market goes by in answers and buttons: the configured deployment and the
/// market, "morpho-ethereum WETH/USDC 86%".
pub fn market_name(deployment: &str, facts: &MarketFacts) -> String {
    format!("{deployment} {}", facts.label())
}

/// `position` in the common model. `stablecoins` decides which leg "all volatile prices"
/// moves.
pub fn to_position(position: &MorphoPosition, stablecoins: &[String]) -> Position {
    let facts = &position.facts;
    let lltv_bps = wad_bps(facts.lltv);
    let incentive_bps = math::liquidation_incentive_factor(facts.lltv).map_or(10_000, wad_bps);
    let leg = |token: &TokenFacts, id: u16, price: U256| ReserveState {
        asset: token.address,
        id,
        symbol: token.symbol.clone(),
        decimals: token.decimals,
        price,
        config: ReserveConfig {
            ltv: lltv_bps,
            liquidation_threshold: lltv_bps,
            liquidation_bonus: incentive_bps,
            decimals: token.decimals,
            active: true,
            ..ReserveConfig::default()
        },
        is_stablecoin: is_stable(token, stablecoins),
        supplied: U256::ZERO,
        variable_debt: U256::ZERO,
        stable_debt: U256::ZERO,
        collateral_enabled: false,
        borrowing: false,
        total_supplied: U256::ZERO,
        total_debt: U256::ZERO,
        available_liquidity: U256::ZERO,
        isolation_mode_total_debt: U256::ZERO,
        liquidity_rate: U256::ZERO,
        variable_borrow_rate: U256::ZERO,
    };
    let mut collateral = leg(&facts.collateral, 0, position.unit_price());
    collateral.supplied = position.collateral;
    collateral.collateral_enabled = true;
    let mut loan = leg(&facts.loan, 1, unit(facts.loan.decimals));
    loan.supplied = position.supplied();
    loan.variable_debt = position.borrowed();
    loan.borrowing = !position.borrow_shares.is_zero();
    loan.config.borrowing_enabled = true;
    loan.total_supplied = position.state.total_supply_assets;
    loan.total_debt = position.state.total_borrow_assets;
    loan.available_liquidity = position.liquidity();
    Position {
        market: market_name(&position.market, facts),
        user: position.user,
        block_number: position.block_number,
        block_timestamp: position.block_timestamp,
        base_currency_unit: unit(facts.loan.decimals),
        version: Default::default(),
        pool_revision: 0,
        emode: None,
        reserves: vec![collateral, loan],
        reported: Default::default(),
        quote: Some(facts.loan.symbol.clone()),
        source: Source::MorphoBlue(Box::new(position.clone())),
    }
}

/// A deployment where `user` has nothing, read at `block_number` (no reserve: empty).
pub fn nothing(deployment: &str, user: Address, block_number: u64, timestamp: u64) -> Position {
    Position {
        market: deployment.to_string(),
        user,
        block_number,
        block_timestamp: timestamp,
        base_currency_unit: WAD,
        version: Default::default(),
        pool_revision: 0,
        emode: None,
        reserves: Vec::new(),
        reported: Default::default(),
        quote: None,
        source: Source::AaveV3,
    }
}

/// The account totals at oracle price `price`: collateral value and debt in the loan token,
/// room to borrow up to the LLTV, the LLTV as both LTV and threshold, the health factor.
fn totals_at(m: &MorphoPosition, price: U256) -> AccountTotals {
    let lltv = m.facts.lltv;
    let borrowed = m.borrowed();
    let value =
        math::mul_div_down(m.collateral, price, math::ORACLE_PRICE_SCALE).unwrap_or(U256::MAX);
    let max_borrow = math::max_borrow(m.collateral, price, lltv).unwrap_or(U256::MAX);
    let lltv_bps = U256::from(wad_bps(lltv));
    AccountTotals {
        total_collateral_base: value,
        total_debt_base: borrowed,
        available_borrows_base: max_borrow.saturating_sub(borrowed),
        ltv: lltv_bps,
        liquidation_threshold: lltv_bps,
        health_factor: risk::health_at_price(m, price),
        has_zero_ltv_collateral: false,
    }
}

/// The oracle price after `change`: a move of the collateral's price raises it, of the loan
/// token's lowers it; "all volatile prices" moves whichever leg is not a stablecoin (both or
/// neither: the ratio Morpho prices with stays).
fn price_after(position: &Position, m: &MorphoPosition, change: PriceMove) -> U256 {
    let legs = &position.reserves;
    let stable = |i: usize| legs.get(i).is_some_and(|r| r.is_stablecoin);
    let (index, change_bps) = match change {
        PriceMove::Asset { index, change_bps } => (index, change_bps),
        PriceMove::AllVolatile { change_bps } => match (stable(COLLATERAL), stable(LOAN)) {
            (false, true) => (COLLATERAL, change_bps),
            (true, false) => (LOAN, change_bps),
            _ => return m.price,
        },
    };
    match index {
        COLLATERAL => risk::moved_price(m.price, change_bps),
        LOAN => {
            let factor = 10_000i64.saturating_add(change_bps).max(1);
            m.price * U256::from(10_000u64) / U256::from(factor.unsigned_abs())
        }
        _ => m.price,
    }
}

/// The totals after a price move (the desk's what-ifs).
pub fn totals_after(position: &Position, m: &MorphoPosition, change: PriceMove) -> AccountTotals {
    totals_at(m, price_after(position, m, change))
}

/// The totals now.
pub fn totals(m: &MorphoPosition) -> AccountTotals {
    totals_at(m, m.price)
}

/// The repayment of the loan that brings HF to `target` (the loan leg is the only debt).
pub fn repay_to_target(m: &MorphoPosition, index: usize, target: U256) -> RepayPlan {
    match risk::assess(m, target).repay_to_target {
        Some(plan) if index == LOAN => plan,
        _ => RepayPlan {
            amount: U256::ZERO,
            reaches_target: true,
            health_factor_after: risk::health_at_price(m, m.price),
        },
    }
}

/// The collateral to add to reserve `index` (the collateral leg) that brings HF to `target`.
pub fn add_to_target(m: &MorphoPosition, index: usize, target: U256) -> Option<U256> {
    (index == COLLATERAL)
        .then(|| risk::add_to_target(m, target))
        .flatten()
}

/// The price of reserve `index` that liquidates the position, the other leg unchanged (the
/// collateral leg's; the loan leg has none shown).
pub fn liquidation_price(m: &MorphoPosition, index: usize) -> LiquidationPrice {
    if index != COLLATERAL {
        return LiquidationPrice::None;
    }
    let borrowed = m.borrowed();
    match math::liquidation_price(m.collateral, borrowed, m.facts.lltv) {
        None => LiquidationPrice::None,
        Some(_)
            if !math::is_healthy(m.collateral, borrowed, m.price, m.facts.lltv)
                .unwrap_or(false) =>
        {
            LiquidationPrice::AlreadyLiquidatable
        }
        Some(p) => LiquidationPrice::AtOrBelow(m.price_of_unit(p)),
    }
}

/// Largest fall of the volatile leg that keeps the position healthy, bps; `None` when no such
/// fall can liquidate it (no debt, or the fall helps, or the ratio does not move).
fn volatile_drop(position: &Position, m: &MorphoPosition, figures: &MorphoRisk) -> Option<u64> {
    let legs = &position.reserves;
    let stable = |i: usize| legs.get(i).is_some_and(|r| r.is_stablecoin);
    // Only a volatile collateral against a stable loan moves with "all volatile prices".
    let moves = stable(LOAN) && !stable(COLLATERAL);
    if figures.borrowed.is_zero() || !moves {
        return None;
    }
    let at = figures.liquidation_price?;
    if !figures.healthy || m.price.is_zero() || at >= m.price {
        return Some(0);
    }
    // The fall to the last healthy price, floored to a basis point.
    let bps = (m.price - at) * U256::from(10_000u64) / m.price;
    Some(u64::try_from(bps).unwrap_or(10_000))
}

/// The whole report of a Morpho position in the common model, safe amounts aimed at `target`.
pub fn report(position: &Position, m: &MorphoPosition, target: U256) -> RiskReport {
    let figures = risk::assess(m, target);
    let totals = totals(m);
    let liquidatable = !figures.healthy;
    let liquidations: Vec<LiquidationOption> = match (
        figures.max_liquidatable_debt,
        figures.max_seizable_collateral,
    ) {
        (Some(max_repay), Some(seized)) => vec![LiquidationOption {
            debt_index: LOAN,
            collateral_index: COLLATERAL,
            max_repay,
            collateral_seized: seized,
            full_close_factor: true,
            writes_off_remaining_debt: seized == m.collateral && max_repay < figures.borrowed,
        }],
        _ => Vec::new(),
    };
    let liquidation_price = liquidation_price(m, COLLATERAL);
    let no_borrow = SafeAmount {
        amount: U256::ZERO,
        limit: Limit::Blocked(Blocked::BorrowingDisabled),
        health_factor_after: figures.health_factor,
    };
    let lent = position
        .reserves
        .get(LOAN)
        .map_or(U256::ZERO, |r| r.supplied);
    let withdraw_lent = (!lent.is_zero()).then(|| {
        let liquidity = m.liquidity();
        SafeAmount {
            amount: lent.min(liquidity),
            limit: if lent <= liquidity {
                Limit::Balance
            } else {
                Limit::PoolLiquidity
            },
            health_factor_after: figures.health_factor,
        }
    });
    let assets = vec![
        crate::chain::report::AssetRisk {
            index: COLLATERAL,
            liquidation_price,
            safe_withdraw: figures.safe_withdraw,
            safe_borrow: no_borrow,
            repay_to_target: None,
            max_liquidatable_debt: None,
            max_seizable_collateral: figures.max_seizable_collateral,
        },
        crate::chain::report::AssetRisk {
            index: LOAN,
            liquidation_price: LiquidationPrice::None,
            safe_withdraw: withdraw_lent,
            safe_borrow: figures.safe_borrow,
            repay_to_target: figures.repay_to_target,
            max_liquidatable_debt: figures.max_liquidatable_debt,
            max_seizable_collateral: None,
        },
    ];
    RiskReport {
        target_health_factor: target,
        totals,
        band: HealthBand::of(totals.health_factor),
        // No close factor on Morpho Blue: one call may repay the whole debt.
        close_factor: liquidatable.then_some(CloseFactor { bps: 10_000 }),
        close_factor_on_position: true,
        liquidations,
        volatile_drop_safe_bps: volatile_drop(position, m, &figures),
        scenarios: STANDARD_DROPS_BPS
            .iter()
            .map(|&change_bps| Scenario {
                change_bps,
                totals: totals_after(position, m, PriceMove::AllVolatile { change_bps }),
            })
            .collect(),
        assets,
        // Computed on Morpho's own integers: nothing to disagree with.
        agrees_with_protocol: true,
    }
}
