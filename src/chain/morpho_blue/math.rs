//! Morpho Blue's math on integers, as `Morpho.sol` 1.0.0 does it: `MathLib` (`mulDivDown`,
//! `mulDivUp`, `wMulDown`, `wDivDown`, `wDivUp`, `wTaylorCompounded`), `SharesMathLib` (shares
//! ↔ assets with 1e6 virtual shares and 1 virtual asset), `_accrueInterest` (interest and the
//! fee's shares), `_isHealthy`, and the liquidation's incentive factor and seized/repaid
//! amounts; then what lendesk derives from them: the health factor and the collateral price at
//! which a position becomes liquidatable.
//!
//! Every function that mirrors the contract returns `None` where the contract's arithmetic
//! would revert (overflow, division by zero), so a figure is either the contract's or absent.

use alloy::primitives::{U256, U512};

/// 1e18.
pub const WAD: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// The oracle's price scale, 1e36.
pub const ORACLE_PRICE_SCALE: U256 =
    U256::from_limbs([12_919_594_847_110_692_864, 54_210_108_624_275_221, 0, 0]);
/// Shares added to every market's total (inflation protection).
pub const VIRTUAL_SHARES: U256 = U256::from_limbs([1_000_000, 0, 0, 0]);
/// Assets added to every market's total.
pub const VIRTUAL_ASSETS: U256 = U256::from_limbs([1, 0, 0, 0]);
/// 0.3e18: how much of (1 − LLTV) the liquidation incentive takes.
pub const LIQUIDATION_CURSOR: U256 = U256::from_limbs([300_000_000_000_000_000, 0, 0, 0]);
/// 1.15e18: the incentive factor's cap.
pub const MAX_LIQUIDATION_INCENTIVE_FACTOR: U256 =
    U256::from_limbs([1_150_000_000_000_000_000, 0, 0, 0]);

/// `(x * y) / d`.
pub fn mul_div_down(x: U256, y: U256, d: U256) -> Option<U256> {
    x.checked_mul(y)?.checked_div(d)
}

/// `(x * y + (d - 1)) / d`.
pub fn mul_div_up(x: U256, y: U256, d: U256) -> Option<U256> {
    x.checked_mul(y)?
        .checked_add(d.checked_sub(U256::from(1))?)?
        .checked_div(d)
}

/// `x * y / WAD`, rounded down.
pub fn w_mul_down(x: U256, y: U256) -> Option<U256> {
    mul_div_down(x, y, WAD)
}

/// `x * WAD / y`, rounded down.
pub fn w_div_down(x: U256, y: U256) -> Option<U256> {
    mul_div_down(x, WAD, y)
}

/// `x * WAD / y`, rounded up.
pub fn w_div_up(x: U256, y: U256) -> Option<U256> {
    mul_div_up(x, WAD, y)
}

/// `e^(x·n) − 1` by its first three Taylor terms, as Morpho compounds a per-second rate `x`
/// over `n` seconds.
pub fn w_taylor_compounded(x: U256, n: U256) -> Option<U256> {
    let first = x.checked_mul(n)?;
    let second = mul_div_down(first, first, WAD.checked_mul(U256::from(2))?)?;
    let third = mul_div_down(second, first, WAD.checked_mul(U256::from(3))?)?;
    first.checked_add(second)?.checked_add(third)
}

/// Assets → shares, rounded down.
pub fn to_shares_down(assets: U256, total_assets: U256, total_shares: U256) -> Option<U256> {
    mul_div_down(
        assets,
        total_shares.checked_add(VIRTUAL_SHARES)?,
        total_assets.checked_add(VIRTUAL_ASSETS)?,
    )
}

/// Shares → assets, rounded down.
pub fn to_assets_down(shares: U256, total_assets: U256, total_shares: U256) -> Option<U256> {
    mul_div_down(
        shares,
        total_assets.checked_add(VIRTUAL_ASSETS)?,
        total_shares.checked_add(VIRTUAL_SHARES)?,
    )
}

/// Assets → shares, rounded up.
pub fn to_shares_up(assets: U256, total_assets: U256, total_shares: U256) -> Option<U256> {
    mul_div_up(
        assets,
        total_shares.checked_add(VIRTUAL_SHARES)?,
        total_assets.checked_add(VIRTUAL_ASSETS)?,
    )
}

/// Shares → assets, rounded up.
pub fn to_assets_up(shares: U256, total_assets: U256, total_shares: U256) -> Option<U256> {
    mul_div_up(
        shares,
        total_assets.checked_add(VIRTUAL_ASSETS)?,
        total_shares.checked_add(VIRTUAL_SHARES)?,
    )
}

/// A market's totals as `Morpho.market(id)` gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarketState {
    /// Assets supplied, interest included.
    pub total_supply_assets: U256,
    /// Supply shares.
    pub total_supply_shares: U256,
    /// Assets borrowed, interest included.
    pub total_borrow_assets: U256,
    /// Borrow shares.
    pub total_borrow_shares: U256,
    /// When interest was last accrued (unix seconds).
    pub last_update: u64,
    /// The protocol's share of interest, wad.
    pub fee: U256,
}

/// What accruing interest did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accrued {
    /// The market after.
    pub market: MarketState,
    /// Interest added to both totals.
    pub interest: U256,
    /// Supply shares minted to the fee recipient.
    pub fee_shares: U256,
}

/// `_accrueInterest` at `now` with the IRM's `borrow_rate` (per second, wad): the market as a
/// transaction at that time would see it.
pub fn accrue(market: &MarketState, borrow_rate: U256, now: u64) -> Option<Accrued> {
    let elapsed = now.checked_sub(market.last_update)?;
    let mut after = *market;
    if elapsed == 0 {
        return Some(Accrued {
            market: after,
            interest: U256::ZERO,
            fee_shares: U256::ZERO,
        });
    }
    let growth = w_taylor_compounded(borrow_rate, U256::from(elapsed))?;
    let interest = w_mul_down(market.total_borrow_assets, growth)?;
    after.total_borrow_assets = after.total_borrow_assets.checked_add(interest)?;
    after.total_supply_assets = after.total_supply_assets.checked_add(interest)?;
    let mut fee_shares = U256::ZERO;
    if !market.fee.is_zero() {
        let fee_amount = w_mul_down(interest, market.fee)?;
        fee_shares = to_shares_down(
            fee_amount,
            after.total_supply_assets.checked_sub(fee_amount)?,
            after.total_supply_shares,
        )?;
        after.total_supply_shares = after.total_supply_shares.checked_add(fee_shares)?;
    }
    after.last_update = now;
    Some(Accrued {
        market: after,
        interest,
        fee_shares,
    })
}

/// What a borrower owes: borrow shares → assets, rounded up (as `_isHealthy`).
pub fn borrowed(borrow_shares: U256, market: &MarketState) -> Option<U256> {
    to_assets_up(
        borrow_shares,
        market.total_borrow_assets,
        market.total_borrow_shares,
    )
}

/// The most a position may owe: `collateral × price / 1e36 × LLTV`, rounded down twice.
pub fn max_borrow(collateral: U256, price: U256, lltv: U256) -> Option<U256> {
    w_mul_down(mul_div_down(collateral, price, ORACLE_PRICE_SCALE)?, lltv)
}

/// `_isHealthy`: no debt, or max borrow ≥ borrowed.
pub fn is_healthy(collateral: U256, borrowed: U256, price: U256, lltv: U256) -> Option<bool> {
    if borrowed.is_zero() {
        return Some(true);
    }
    Some(max_borrow(collateral, price, lltv)? >= borrowed)
}

/// Max borrow ÷ borrowed, wad, rounded down; `U256::MAX` without debt. Below 1.0 the position
/// can be liquidated (the contract's own test is [`is_healthy`]).
pub fn health_factor(collateral: U256, borrowed: U256, price: U256, lltv: U256) -> Option<U256> {
    if borrowed.is_zero() {
        return Some(U256::MAX);
    }
    w_div_down(max_borrow(collateral, price, lltv)?, borrowed)
}

/// The lowest oracle price (1e36 scale) at which the position is still healthy: at any lower
/// price it can be liquidated. `None` without debt, or without collateral.
pub fn liquidation_price(collateral: U256, borrowed: U256, lltv: U256) -> Option<U256> {
    if borrowed.is_zero() || collateral.is_zero() || lltv.is_zero() {
        return None;
    }
    // healthy ⇔ ⌊⌊c·p / 1e36⌋ · lltv / 1e18⌋ ≥ b ⇔ ⌊c·p / 1e36⌋ ≥ ⌈b·1e18 / lltv⌉ =: q
    //         ⇔ c·p ≥ q·1e36 ⇔ p ≥ ⌈q·1e36 / c⌉ (exact, in 512 bits).
    let quoted = w_div_up(borrowed, lltv)?;
    let wide = U512::from(quoted) * U512::from(ORACLE_PRICE_SCALE);
    let c = U512::from(collateral);
    let price = wide.div_ceil(c);
    U256::checked_from_limbs_slice(price.as_limbs())
}

/// The liquidation incentive factor of a market: min(1.15, 1 / (1 − 0.3 × (1 − LLTV))), wad.
pub fn liquidation_incentive_factor(lltv: U256) -> Option<U256> {
    let discount = w_mul_down(LIQUIDATION_CURSOR, WAD.checked_sub(lltv)?)?;
    let factor = w_div_down(WAD, WAD.checked_sub(discount)?)?;
    Some(factor.min(MAX_LIQUIDATION_INCENTIVE_FACTOR))
}

/// Collateral a liquidator seizes for `repaid_shares` of debt at `price`, as `liquidate` does.
pub fn seized_for_repaid_shares(
    repaid_shares: U256,
    market: &MarketState,
    price: U256,
    lltv: U256,
) -> Option<U256> {
    let repaid = to_assets_down(
        repaid_shares,
        market.total_borrow_assets,
        market.total_borrow_shares,
    )?;
    let value = w_mul_down(repaid, liquidation_incentive_factor(lltv)?)?;
    mul_div_down(value, ORACLE_PRICE_SCALE, price)
}

/// Debt shares repaid for seizing `seized` collateral at `price`, as `liquidate` does.
pub fn repaid_shares_for_seized(
    seized: U256,
    market: &MarketState,
    price: U256,
    lltv: U256,
) -> Option<U256> {
    let quoted = mul_div_up(seized, price, ORACLE_PRICE_SCALE)?;
    to_shares_up(
        w_div_up(quoted, liquidation_incentive_factor(lltv)?)?,
        market.total_borrow_assets,
        market.total_borrow_shares,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> U256 {
        s.parse().expect("a number")
    }

    #[test]
    fn constants_are_morphos() {
        assert_eq!(WAD, u("1000000000000000000"));
        assert_eq!(
            ORACLE_PRICE_SCALE,
            u("1000000000000000000000000000000000000")
        );
        assert_eq!(LIQUIDATION_CURSOR, u("300000000000000000"));
        assert_eq!(MAX_LIQUIDATION_INCENTIVE_FACTOR, u("1150000000000000000"));
    }

    #[test]
    fn rounding_goes_the_way_the_contract_rounds() {
        let (x, y, d) = (U256::from(7), U256::from(3), U256::from(2));
        assert_eq!(mul_div_down(x, y, d), Some(U256::from(10)));
        assert_eq!(mul_div_up(x, y, d), Some(U256::from(11)));
        assert_eq!(mul_div_down(x, y, U256::ZERO), None, "reverts");
        assert_eq!(
            mul_div_down(U256::MAX, U256::from(2), d),
            None,
            "overflow reverts"
        );
        // Virtual shares: the first share of an empty market is worth 1e-6 of an asset unit.
        assert_eq!(
            to_assets_down(U256::from(1_000_000), U256::ZERO, U256::ZERO),
            Some(U256::from(1))
        );
        assert_eq!(
            to_shares_down(U256::from(1), U256::ZERO, U256::ZERO),
            Some(U256::from(1_000_000))
        );
        assert_eq!(
            to_assets_up(U256::from(1), U256::ZERO, U256::ZERO),
            Some(U256::from(1))
        );
        assert_eq!(
            to_assets_down(U256::from(1), U256::ZERO, U256::ZERO),
            Some(U256::ZERO)
        );
    }

    #[test]
    fn taylor_compounding_and_accrual_match_hand_computed_values() {
        // 10% a year as Morpho's per-second rate, over one year.
        let rate = u("100000000000000000") / U256::from(31_536_000u64);
        let growth = w_taylor_compounded(rate, U256::from(31_536_000u64)).expect("growth");
        // first = 99999999986496000 (the rate was floored), then x²/2 and x³/6 floored:
        // computed apart from this code with Python's integers.
        assert_eq!(growth, u("105166666653548106"));
        let market = MarketState {
            total_supply_assets: u("1000000000000"),
            total_supply_shares: u("1000000000000000000"),
            total_borrow_assets: u("500000000000"),
            total_borrow_shares: u("500000000000000000"),
            last_update: 1_000,
            fee: u("100000000000000000"),
        };
        let accrued = accrue(&market, rate, 1_000 + 31_536_000).expect("accrued");
        // interest = ⌊500000000000 × growth / 1e18⌋; the fee is 10% of it, in shares at the new
        // supply less the fee.
        assert_eq!(accrued.interest, u("52583333326"));
        assert_eq!(accrued.market.total_borrow_assets, u("552583333326"));
        assert_eq!(accrued.market.total_supply_assets, u("1052583333326"));
        assert_eq!(accrued.fee_shares, u("5020727407471760"));
        assert_eq!(accrued.market.last_update, 1_000 + 31_536_000);
        // Nothing elapsed: nothing changes; time going back reverts.
        assert_eq!(accrue(&market, rate, 1_000).map(|a| a.market), Some(market));
        assert_eq!(accrue(&market, rate, 999), None);
    }

    #[test]
    fn the_incentive_factor_is_capped() {
        let lif = |lltv: &str| liquidation_incentive_factor(u(lltv)).expect("lif");
        // 1 / (1 − 0.3 × 0.14) = 1 / 0.958, floored.
        assert_eq!(lif("860000000000000000"), u("1043841336116910229"));
        // 1 / (1 − 0.3 × 0.055) = 1 / 0.9835.
        assert_eq!(lif("945000000000000000"), u("1016776817488561260"));
        // 1 / 0.85 = 1.176… is capped at 1.15.
        assert_eq!(lif("500000000000000000"), MAX_LIQUIDATION_INCENTIVE_FACTOR);
    }

    #[test]
    fn health_and_the_liquidation_price_agree_with_the_healthy_check() {
        // 10 WETH (18 dp) at $2,000 against 8,000 USDC (6 dp) at LLTV 86%.
        let collateral = u("10000000000000000000");
        let price = u("2000") * u("1000000000000000000000000"); // 2000e6 × 1e36 / 1e18
        let borrowed = u("8000000000");
        let lltv = u("860000000000000000");
        assert_eq!(max_borrow(collateral, price, lltv), Some(u("17200000000")));
        assert_eq!(
            health_factor(collateral, borrowed, price, lltv),
            Some(u("2150000000000000000"))
        );
        let at = liquidation_price(collateral, borrowed, lltv).expect("price");
        // 8000 / (10 × 0.86) = $930.23… per WETH (the debt quoted up to whole USDC units first).
        assert_eq!(at, u("930232558200000000000000000"));
        assert_eq!(is_healthy(collateral, borrowed, at, lltv), Some(true));
        assert_eq!(
            is_healthy(collateral, borrowed, at - U256::from(1), lltv),
            Some(false)
        );
        assert_eq!(
            health_factor(collateral, U256::ZERO, price, lltv),
            Some(U256::MAX)
        );
        assert_eq!(liquidation_price(collateral, U256::ZERO, lltv), None);
    }

    #[test]
    fn seizing_and_repaying_are_each_others_inverse() {
        let market = MarketState {
            total_borrow_assets: u("8000000000"),
            total_borrow_shares: u("8000000000000000"),
            ..MarketState::default()
        };
        let price = u("900") * u("1000000000000000000000000");
        let lltv = u("860000000000000000");
        let shares = u("4000000000000000");
        let seized = seized_for_repaid_shares(shares, &market, price, lltv).expect("seized");
        // 4,000 USDC × 1.0438 / $900 = 4.639… WETH.
        assert_eq!(seized, u("4639294826666666666"));
        let back = repaid_shares_for_seized(seized, &market, price, lltv).expect("shares");
        assert_eq!(back, shares);
    }
}
