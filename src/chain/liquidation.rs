//! What a liquidator may do to a position right now, by the rules of `position.version`.
//!
//! Owns the liquidation figures: for each pair of a debt and a collateral, the most debt one
//! `Pool.liquidationCall` repays and the collateral it takes from the user, exactly as
//! `LiquidationLogic.executeLiquidationCall` computes them:
//! - 3.0–3.2: the close factor applies to the debt reserve: 50% of it while HF > 0.95, 100% at
//!   or below.
//! - 3.3+: 100% of the reserve's debt, except while HF > 0.95 and both the reserve's debt and
//!   the chosen collateral are worth at least `MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD`: then at most
//!   50% of the position's whole debt (in base currency, converted to the asset, floored). A
//!   partial liquidation must leave at least `MIN_LEFTOVER_BASE` of both that debt and that
//!   collateral, or the call reverts (`MustNotLeaveDust`); the figure here is the largest
//!   repayment that passes. When a call takes the user's last collateral, the rest of every
//!   debt is burnt and booked as the reserves' deficit (bad debt).
//! - 3.4+: the borrower may not liquidate themself; nothing here depends on who liquidates.
//!
//! The collateral figure is what leaves the user; the protocol's fee share of the bonus (the
//! reserve's `liquidationProtocolFee`, not read today) comes out of it, not on top.

use alloy::primitives::U256;
use serde::Serialize;

use super::math::{WAD, percent_div, percent_div_ceil, percent_mul, percent_mul_floor, unit};
use super::position::{AaveVersion, Position, ReserveState};
use super::risk::{self, AccountTotals, CLOSE_FACTOR_HF_THRESHOLD};
use super::rules::{self, MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD, MIN_LEFTOVER_BASE};

/// One liquidation a liquidator may make now: repay one debt, seize one collateral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LiquidationOption {
    /// Reserve index of the debt repaid.
    pub debt_index: usize,
    /// Reserve index of the collateral seized.
    pub collateral_index: usize,
    /// The most of the debt one call repays (token units of the debt asset).
    pub max_repay: U256,
    /// Collateral leaving the user for that repayment, bonus included (token units).
    pub collateral_seized: U256,
    /// The 100% close factor applied (HF ≤ 0.95, or from 3.3 this debt or this collateral
    /// under $2,000); false under the 50% rule, even when 50% of the position covers this debt.
    pub full_close_factor: bool,
    /// 3.3+: the call takes the user's last collateral, so the protocol writes off the rest of
    /// every debt as a reserve deficit.
    pub writes_off_remaining_debt: bool,
}

/// What one call with a given `debtToCover` does, or `None` when it reverts.
#[derive(Debug, Clone, Copy)]
struct Call {
    repaid: U256,
    seized: U256,
}

struct Pair<'a> {
    version: AaveVersion,
    totals: AccountTotals,
    debt: &'a ReserveState,
    collateral: &'a ReserveState,
    bonus: u64,
}

impl Pair<'_> {
    fn debt_units(&self) -> U256 {
        unit(self.debt.decimals)
    }

    fn collateral_units(&self) -> U256 {
        unit(self.collateral.decimals)
    }

    /// The close-factor cap on `debtToCover` and whether it is the full 100%.
    fn max_liquidatable(&self) -> (U256, bool) {
        let debt = self.debt.debt();
        let above_threshold = self.totals.health_factor > CLOSE_FACTOR_HF_THRESHOLD;
        if !rules::close_factor_on_position(self.version) {
            // core-v3 LiquidationLogic._calculateDebt: userTotalDebt.percentMul(closeFactor).
            return if above_threshold {
                (percent_mul(debt, 5_000), false)
            } else {
                (debt, true)
            };
        }
        // 3.6.0 LiquidationLogic.sol lines 245-276.
        let debt_base = rules::debt_value(self.version, debt, self.debt.price, self.debt_units());
        let collateral_base = rules::collateral_value(
            self.collateral.supplied,
            self.collateral.price,
            self.collateral_units(),
        );
        if collateral_base >= MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD
            && debt_base >= MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD
            && above_threshold
        {
            let half = percent_mul(self.totals.total_debt_base, 5_000);
            if debt_base > half {
                return (half * self.debt_units() / self.debt.price, false);
            }
            return (debt, false);
        }
        (debt, true)
    }

    /// `executeLiquidationCall` with `debtToCover = cover`, up to the dust check.
    fn call(&self, cover: U256, cap: U256) -> Option<Call> {
        let (debt_unit, coll_unit) = (self.debt_units(), self.collateral_units());
        let (debt_price, coll_price) = (self.debt.price, self.collateral.price);
        let debt = self.debt.debt();
        let balance = self.collateral.supplied;
        let actual = cover.min(cap);
        // _calculateAvailableCollateralToLiquidate.
        let base = debt_price * actual * coll_unit / (coll_price * debt_unit);
        let max_collateral = if self.version >= AaveVersion::V3_7 {
            // docs/3.7/liquidation-rounding.md, change 1.
            percent_mul_floor(base, self.bonus)
        } else {
            percent_mul(base, self.bonus)
        };
        let (seized, repaid) = if max_collateral > balance {
            let value = coll_price * balance * debt_unit / (debt_price * coll_unit);
            let needed = if self.version >= AaveVersion::V3_5 {
                percent_div_ceil(value, self.bonus)
            } else {
                percent_div(value, self.bonus)
            };
            (balance, needed)
        } else {
            (max_collateral, actual)
        };
        if rules::close_factor_on_position(self.version) && repaid < debt && seized < balance {
            // 3.6.0 LiquidationLogic.sol lines 302-323: MustNotLeaveDust.
            let debt_left = rules::debt_value(self.version, debt - repaid, debt_price, debt_unit);
            let collateral_left = rules::collateral_value(balance - seized, coll_price, coll_unit);
            if debt_left < MIN_LEFTOVER_BASE || collateral_left < MIN_LEFTOVER_BASE {
                return None;
            }
        }
        Some(Call { repaid, seized })
    }

    fn best(&self, debt_index: usize, collateral_index: usize) -> Option<LiquidationOption> {
        let (cap, full) = self.max_liquidatable();
        if cap.is_zero() {
            return None;
        }
        let ok = |x: U256| self.call(x, cap).is_some();
        let cover = if ok(cap) {
            cap
        } else {
            // Passing repayments are those leaving enough of both (a prefix), or clearing the
            // debt or the collateral (the cap itself, which failed): search the prefix.
            if !ok(U256::from(1)) {
                return None;
            }
            let (mut lo, mut hi) = (U256::from(1), cap);
            while hi - lo > U256::from(1) {
                let mid = lo + (hi - lo) / U256::from(2);
                if ok(mid) { lo = mid } else { hi = mid }
            }
            lo
        };
        let call = self.call(cover, cap)?;
        if call.repaid.is_zero() {
            return None;
        }
        // 3.6.0 LiquidationLogic.sol line 339: hasNoCollateralLeft.
        let seized_base =
            rules::collateral_value(call.seized, self.collateral.price, self.collateral_units());
        Some(LiquidationOption {
            debt_index,
            collateral_index,
            max_repay: call.repaid,
            collateral_seized: call.seized,
            full_close_factor: full,
            writes_off_remaining_debt: rules::close_factor_on_position(self.version)
                && seized_base == self.totals.total_collateral_base,
        })
    }
}

fn usable(reserve: &ReserveState) -> bool {
    // validateLiquidationCall: both reserves active and not paused.
    reserve.config.active && !reserve.config.paused && !reserve.price.is_zero()
}

/// Every liquidation a liquidator may make now (empty while HF ≥ 1), one per pair of a debt the
/// user owes and a collateral that counts, with the most it may repay and seize.
pub fn liquidation_options(position: &Position) -> Vec<LiquidationOption> {
    let totals = risk::account_totals(position);
    if totals.health_factor >= WAD {
        return Vec::new();
    }
    let mut options = Vec::new();
    for (d, debt) in position.reserves.iter().enumerate() {
        if !debt.borrowing || debt.debt().is_zero() || !usable(debt) {
            continue;
        }
        for (c, collateral) in position.reserves.iter().enumerate() {
            let rules = rules::reserve_rules(position, collateral);
            if !rules.counts_as_collateral
                || collateral.supplied.is_zero()
                || !usable(collateral)
                || rules.liquidation_bonus == 0
            {
                continue;
            }
            let pair = Pair {
                version: position.version,
                totals,
                debt,
                collateral,
                bonus: rules.liquidation_bonus,
            };
            options.extend(pair.best(d, c));
        }
    }
    options
}

/// The most of reserve `index`'s debt any one call may repay now (`None` when no call can).
pub fn max_repay(options: &[LiquidationOption], index: usize) -> Option<U256> {
    options
        .iter()
        .filter(|o| o.debt_index == index)
        .map(|o| o.max_repay)
        .max()
}

/// The most of reserve `index`'s collateral any one call may seize now.
pub fn max_seize(options: &[LiquidationOption], index: usize) -> Option<U256> {
    options
        .iter()
        .filter(|o| o.collateral_index == index)
        .map(|o| o.collateral_seized)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::test_fixtures;

    fn reserve(id: u16, symbol: &str, decimals: u8, price_usd: u64, lt: u64) -> ReserveState {
        test_fixtures::reserve(id, symbol, decimals, price_usd, lt.saturating_sub(500), lt)
    }

    /// `weth_wei` of WETH ($2,000, LT `lt`) as collateral against USDC (6 decimals) and DAI
    /// (18 decimals) debts given in their smallest units.
    fn position(version: AaveVersion, weth_wei: U256, lt: u64, usdc: U256, dai: U256) -> Position {
        let mut weth = reserve(0, "WETH", 18, 2_000, lt);
        weth.supplied = weth_wei;
        weth.collateral_enabled = true;
        let mut usdc_r = reserve(1, "USDC", 6, 1, 8_000);
        usdc_r.variable_debt = usdc;
        usdc_r.borrowing = !usdc.is_zero();
        let mut dai_r = reserve(2, "DAI", 18, 1, 8_000);
        dai_r.variable_debt = dai;
        dai_r.borrowing = !dai.is_zero();
        test_fixtures::position(version, None, vec![weth, usdc_r, dai_r])
    }

    fn usdc(whole: u64) -> U256 {
        U256::from(whole) * unit(6)
    }

    fn weth(whole: u64) -> U256 {
        U256::from(whole) * unit(18)
    }

    fn option_for(p: &Position, debt: usize) -> LiquidationOption {
        let options = liquidation_options(p);
        *options
            .iter()
            .find(|o| o.debt_index == debt && o.collateral_index == 0)
            .expect("a liquidation of this debt against WETH")
    }

    #[test]
    fn healthy_positions_offer_no_liquidation() {
        // 10 WETH × $2,000 × 80% = $16,000 against $10,000: HF 1.6.
        let p = position(AaveVersion::V3_3, weth(10), 8_000, usdc(10_000), U256::ZERO);
        assert!(liquidation_options(&p).is_empty());
    }

    #[test]
    fn close_factor_50_above_095_and_100_at_095_on_33() {
        // 10 WETH = $20,000 at LT 95% → $19,000 against USDC.
        // USDC 19,999: HF = 19,000 / 19,999 = 0.95005 > 0.95, both reserves ≥ $2,000 →
        // 50% of the position: percentMul(19,999e8, 5000) = 9,999.5e8 base < 19,999e8 →
        // 9,999.5e8 × 1e6 / 1e8 = 9,999.5 USDC. Seized: 9,999.5e6 × 1e8 × 1e18 /
        // (2,000e8 × 1e6) = 4.99975e18 wei × 105% = 5.2497375e18 wei.
        let above = position(AaveVersion::V3_3, weth(10), 9_500, usdc(19_999), U256::ZERO);
        let o = option_for(&above, 1);
        assert_eq!(o.max_repay, U256::from(9_999_500_000u64));
        assert_eq!(
            o.collateral_seized,
            U256::from(5_249_737_500_000_000_000u64)
        );
        assert!(!o.full_close_factor && !o.writes_off_remaining_debt);
        // USDC 20,000: HF = 0.95 exactly → 100%: 20,000 USDC would take 10.5 WETH > 10, so
        // all 10 WETH go and the debt repaid is (2,000e8 × 10e18 × 1e6 / (1e8 × 1e18)) =
        // 20,000e6 percentDiv 10500 = (2e14 + 5,250) / 10,500 = 19,047,619,048 (half up);
        // the last collateral leaves: the rest of the debt is written off.
        let at = position(AaveVersion::V3_3, weth(10), 9_500, usdc(20_000), U256::ZERO);
        let o = option_for(&at, 1);
        assert_eq!(o.max_repay, U256::from(19_047_619_048u64));
        assert_eq!(o.collateral_seized, weth(10));
        assert!(o.full_close_factor && o.writes_off_remaining_debt);
        // 3.0 gives the same write-off case no deficit flag.
        let at30 = position(AaveVersion::V3_0, weth(10), 9_500, usdc(20_000), U256::ZERO);
        assert!(!option_for(&at30, 1).writes_off_remaining_debt);
    }

    #[test]
    fn close_factor_covers_the_whole_position_from_33_and_each_reserve_before() {
        // 3 WETH = $6,000 at LT 98% → $5,880 against 3,000 USDC + 3,000 DAI: HF 0.98.
        let dai = U256::from(3_000u64) * unit(18);
        // 3.2: 50% of each reserve: percentMul(3,000e6, 5000) = 1,500 USDC.
        let p32 = position(AaveVersion::V3_2, weth(3), 9_800, usdc(3_000), dai);
        assert_eq!(option_for(&p32, 1).max_repay, usdc(1_500));
        // 3.3: 50% of $6,000 = $3,000 ≥ the USDC debt ($3,000, not more) → all of it.
        // Seized: 3,000e6 × 1e8 × 1e18 / (2,000e8 × 1e6) = 1.5e18 × 105% = 1.575e18.
        let p33 = position(AaveVersion::V3_3, weth(3), 9_800, usdc(3_000), dai);
        let o = option_for(&p33, 1);
        assert_eq!(o.max_repay, usdc(3_000));
        assert_eq!(
            o.collateral_seized,
            U256::from(1_575_000_000_000_000_000u64)
        );
        assert!(!o.full_close_factor);
    }

    #[test]
    fn debt_under_2000_is_fully_liquidatable_from_33() {
        // 1 WETH = $2,000 at LT 97% → $1,940.
        // USDC 2,000 (at the threshold): HF 0.97, 50% → cap 1,000 USDC, which would take
        // 1,000e6 × 5e8 = 0.5e18 × 105% = 0.525 WETH and leave 0.475 WETH = $950 < $1,000:
        // dust. The most that passes leaves ≥ $1,000 of WETH: percentMul(x × 5e8, 10500) =
        // x × 525,000,000 ≤ 0.5e18 → x = 952,380,952 (seizes 499,999,999,800,000,000 wei;
        // leaves 1,047.619048 USDC ≥ $1,000).
        let at = position(AaveVersion::V3_3, weth(1), 9_700, usdc(2_000), U256::ZERO);
        let o = option_for(&at, 1);
        assert_eq!(o.max_repay, U256::from(952_380_952u64));
        assert_eq!(o.collateral_seized, U256::from(499_999_999_800_000_000u64));
        assert!(!o.full_close_factor);
        // USDC 1,999.99 (just under): 100% → 1,999.99 USDC would take 1.04999475 WETH > 1,
        // so all 1 WETH goes for (2,000e8 × 1e18 × 1e6 / (1e8 × 1e18)) = 2,000e6
        // percentDiv 10500 = (2e13 + 5,250) / 10,500 = 1,904,761,905.
        let under = position(
            AaveVersion::V3_3,
            weth(1),
            9_700,
            U256::from(1_999_990_000u64),
            U256::ZERO,
        );
        let o = option_for(&under, 1);
        assert_eq!(o.max_repay, U256::from(1_904_761_905u64));
        assert_eq!(o.collateral_seized, weth(1));
        assert!(o.full_close_factor && o.writes_off_remaining_debt);
    }

    #[test]
    fn collateral_under_2000_is_fully_liquidatable_from_33() {
        // 0.999995 WETH = $1,999.99 (just under) at LT 97% against 2,000 USDC: HF 0.96999.
        // 100% → all the WETH for (2,000e8 × 999,995e12 × 1e6 / (1e8 × 1e18)) = 1,999,990,000
        // percentDiv 10500 = (19,999,900,000,000 + 5,250) / 10,500 = 1,904,752,381.
        let p = position(
            AaveVersion::V3_3,
            U256::from(999_995_000_000_000_000u64),
            9_700,
            usdc(2_000),
            U256::ZERO,
        );
        let o = option_for(&p, 1);
        assert!(o.full_close_factor);
        assert_eq!(o.max_repay, U256::from(1_904_752_381u64));
        assert_eq!(o.collateral_seized, U256::from(999_995_000_000_000_000u64));
    }

    #[test]
    fn dust_rule_on_the_debt_left_from_33() {
        // 2.5 WETH = $5,000 at LT 78% → $3,900 against 3,000 USDC + DAI.
        let half_weth = weth(5) / U256::from(2);
        let with_dai = |dai| position(AaveVersion::V3_3, half_weth, 7_800, usdc(3_000), dai);
        // DAI 1,000: total $4,000, HF 0.975; 50% = $2,000 < USDC $3,000 → cap 2,000 USDC,
        // which leaves exactly $1,000 of USDC debt: allowed. Seizes 2,000e6 × 5e8 × 105% =
        // 1.05e18 wei and leaves 1.45 WETH ($2,900).
        let at = with_dai(U256::from(1_000u64) * unit(18));
        let o = option_for(&at, 1);
        assert_eq!(o.max_repay, usdc(2_000));
        assert_eq!(
            o.collateral_seized,
            U256::from(1_050_000_000_000_000_000u64)
        );
        // DAI 1,000.02: total $4,000.02 → cap 2,000.01 USDC would leave $999.99: dust. The
        // most that passes leaves exactly $1,000: 2,000 USDC.
        let under = with_dai(U256::from(1_000_020u64) * unit(15));
        let o = option_for(&under, 1);
        assert_eq!(o.max_repay, usdc(2_000));
        // 3.2 has no dust rule: 50% of the USDC reserve, 1,500 USDC.
        let mut p32 = under.clone();
        p32.version = AaveVersion::V3_2;
        assert_eq!(option_for(&p32, 1).max_repay, usdc(1_500));
    }
}
