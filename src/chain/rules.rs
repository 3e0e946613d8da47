//! The Aave v3 release rules the account math follows, selected by [`Position::version`].
//!
//! Owns what differs between releases 3.0 … 3.7 for one reserve or one account figure: which
//! E-Mode parameters apply to an asset, what counts as collateral, how base-currency values
//! and the health factor are rounded, which borrow restrictions exist, and the liquidation
//! constants. Every rule names the contract line it follows; nothing here performs I/O.
//!
//! Not modelled: 3.7's isolated E-Mode (`EModeCategory.isolated`: collateral outside the
//! category's bitmap has LTV 0 inside it) — the reader does not read that flag yet; 3.1's
//! liquidation grace periods; the liquidation protocol fee's split of the seized collateral.

use alloy::primitives::U256;

use super::math::{
    div_ceil, percent_mul, percent_mul_floor, ray_mul, ray_mul_ceil, ray_mul_floor, wad_div,
};
use super::position::{AaveVersion, EModeMembership, Position, ReserveState};

/// `LiquidationLogic.MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD` (3.3+): `2000e8` base-currency units.
/// A plain constant in the contract: $2,000 on USD markets (8 decimals), whatever the base unit.
pub const MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD: U256 = U256::from_limbs([200_000_000_000, 0, 0, 0]);
/// `LiquidationLogic.MIN_LEFTOVER_BASE` (3.3+): `MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD / 2`.
pub const MIN_LEFTOVER_BASE: U256 = U256::from_limbs([100_000_000_000, 0, 0, 0]);

/// One reserve's parameters as they apply to this user under the position's release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReserveRules {
    /// The balance enters the collateral total (and can be seized by liquidators).
    pub counts_as_collateral: bool,
    /// LTV in bps as `getUserReserveLtv` gives it; 0 = zero-LTV collateral.
    pub ltv: u64,
    /// Liquidation threshold in bps.
    pub liquidation_threshold: u64,
    /// Liquidation bonus in bps over 100%.
    pub liquidation_bonus: u64,
}

fn on_bitmap(bitmap: u128, id: u16) -> bool {
    // EModeConfiguration.isReserveEnabledOnBitmap: (bitmap >> reserveIndex) & 1 != 0.
    id < 128 && (bitmap >> id) & 1 != 0
}

/// The user's E-Mode category gives this asset its collateral parameters.
/// 3.0–3.1 `EModeLogic.isInEModeCategory`: the reserve names the user's category;
/// 3.2+ `GenericLogic`: the asset's bit is set in the category's `collateralBitmap`.
pub fn in_emode_collateral(position: &Position, reserve: &ReserveState) -> bool {
    match &position.emode {
        Some(cat) if cat.id != 0 => match cat.membership {
            EModeMembership::ReserveCategory => reserve.config.emode_category == cat.id,
            EModeMembership::Bitmaps { collateral, .. } => on_bitmap(collateral, reserve.id),
        },
        _ => false,
    }
}

/// While in E-Mode, the asset may be borrowed (`None` when the user is not in E-Mode).
/// 3.0–3.1 `ValidationLogic.validateBorrow`: the asset's category equals the user's;
/// 3.2+: the asset's bit is set in the category's `borrowableBitmap`.
pub fn emode_borrowable(position: &Position, reserve: &ReserveState) -> Option<bool> {
    let cat = position.emode.as_ref().filter(|c| c.id != 0)?;
    Some(match cat.membership {
        EModeMembership::ReserveCategory => reserve.config.emode_category == cat.id,
        EModeMembership::Bitmaps { borrowable, .. } => on_bitmap(borrowable, reserve.id),
    })
}

/// True when the user is in a 3.7+ isolated E-Mode category.
fn user_category_isolated(position: &Position) -> bool {
    position.emode.as_ref().is_some_and(|c| {
        c.id != 0
            && matches!(
                c.membership,
                EModeMembership::Bitmaps { isolated: true, .. }
            )
    })
}

/// The parameters of `reserve` for this user under `position.version`.
pub fn reserve_rules(position: &Position, reserve: &ReserveState) -> ReserveRules {
    let cfg = &reserve.config;
    let in_emode = in_emode_collateral(position, reserve);
    let cat = position.emode.as_ref().filter(|_| in_emode);
    let liquidation_threshold = cat.map_or(cfg.liquidation_threshold, |c| c.liquidation_threshold);
    let liquidation_bonus = cat.map_or(cfg.liquidation_bonus, |c| c.liquidation_bonus);
    let (counts_as_collateral, ltv) = if position.version >= AaveVersion::V3_6 {
        // 3.6 GenericLogic: `if (isEnabledAsCollateral)` — no LT gate; LTV from
        // ValidationLogic.getUserReserveLtv: in the collateral bitmap, 0 when also in
        // `ltvzeroBitmap`, else the category's LTV; outside it, the reserve's own.
        let ltv = match cat {
            Some(c) => match c.membership {
                EModeMembership::Bitmaps { ltv_zero, .. } if on_bitmap(ltv_zero, reserve.id) => 0,
                _ => c.ltv,
            },
            // 3.7 getUserReserveLtv: in an isolated category, collateral outside its
            // collateral bitmap has LTV 0 (docs/3.7/isolated-emode.md).
            None if user_category_isolated(position) => 0,
            None => cfg.ltv,
        };
        (reserve.collateral_enabled, ltv)
    } else {
        // 3.0–3.5 GenericLogic: `if (vars.liquidationThreshold != 0 && isUsingAsCollateral)` on
        // the reserve's own LT; `if (vars.ltv != 0) avgLtv += … (inEMode ? eModeLtv : ltv)
        // else hasZeroLtvCollateral = true` on the reserve's own LTV.
        let ltv = if cfg.ltv == 0 {
            0
        } else {
            cat.map_or(cfg.ltv, |c| c.ltv)
        };
        (
            reserve.collateral_enabled && cfg.liquidation_threshold != 0,
            ltv,
        )
    };
    ReserveRules {
        counts_as_collateral,
        ltv,
        liquidation_threshold,
        liquidation_bonus,
    }
}

/// An aToken balance from its scaled balance and the reserve's normalized income: `rayMul`
/// (half up) before 3.5; from 3.5 `TokenMath.getATokenBalance`, `rayMulFloor`.
pub fn a_token_balance(version: AaveVersion, scaled: U256, income_index: U256) -> U256 {
    if version >= AaveVersion::V3_5 {
        ray_mul_floor(scaled, income_index)
    } else {
        ray_mul(scaled, income_index)
    }
}

/// A variable debt balance from its scaled balance and the reserve's normalized variable
/// debt: `rayMul` (half up) before 3.5; from 3.5 `TokenMath.getVTokenBalance`, `rayMulCeil`.
pub fn v_token_balance(version: AaveVersion, scaled: U256, debt_index: U256) -> U256 {
    if version >= AaveVersion::V3_5 {
        ray_mul_ceil(scaled, debt_index)
    } else {
        ray_mul(scaled, debt_index)
    }
}

/// `_getUserBalanceInBaseCurrency`: balance × price / unit, floored in every release.
pub fn collateral_value(amount: U256, price: U256, unit: U256) -> U256 {
    amount * price / unit
}

/// `_getUserDebtInBaseCurrency`: floored before 3.5; from 3.5 `MathUtils.mulDivCeil`, so
/// a non-zero debt is worth at least one base unit.
pub fn debt_value(version: AaveVersion, amount: U256, price: U256, unit: U256) -> U256 {
    if version >= AaveVersion::V3_5 {
        div_ceil(amount * price, unit)
    } else {
        amount * price / unit
    }
}

/// The health factor from the account sums (`debt` non-zero).
/// Before 3.5: `totalCollateral.percentMul(avgLiquidationThreshold).wadDiv(totalDebt)` on the
/// floored average; from 3.5: `avgLiquidationThreshold.wadDiv(totalDebt) / 100_00` on the
/// un-divided sum Σ value × LT (3.6.0 GenericLogic.sol lines 172-174).
pub fn health_factor(
    version: AaveVersion,
    collateral: U256,
    weighted_lt_sum: U256,
    debt: U256,
) -> U256 {
    if version >= AaveVersion::V3_5 {
        wad_div(weighted_lt_sum, debt) / U256::from(10_000u64)
    } else {
        let average = if collateral.is_zero() {
            0
        } else {
            u64::try_from(weighted_lt_sum / collateral).unwrap_or(u64::MAX)
        };
        wad_div(percent_mul(collateral, average), debt)
    }
}

/// `GenericLogic.calculateAvailableBorrows`: collateral × LTV (half up before 3.5,
/// `percentMulFloor` from 3.5) less the debt, never negative.
pub fn available_borrows(version: AaveVersion, collateral: U256, debt: U256, ltv: u64) -> U256 {
    let power = if version >= AaveVersion::V3_5 {
        percent_mul_floor(collateral, ltv)
    } else {
        percent_mul(collateral, ltv)
    };
    power.saturating_sub(debt)
}

/// Isolation mode (debt ceilings) and siloed borrowing exist: removed in 3.7
/// (`docs/3.7/mode-removal.md`).
pub fn has_isolation_and_siloed_borrowing(version: AaveVersion) -> bool {
    version < AaveVersion::V3_7
}

/// Borrowing a reserve in E-Mode also needs its own `borrowingEnabled`: until 3.5. From 3.6
/// `validateBorrow` checks only the category's `borrowableBitmap` while in E-Mode
/// (`docs/3.6`: "lt, ltv and borrowingEnabled are now fully decoupled").
pub fn emode_needs_borrowing_enabled(version: AaveVersion) -> bool {
    version < AaveVersion::V3_6
}

/// The close factor applies to the whole position with the $2,000 and dust rules (3.3+)
/// rather than to each debt reserve (3.0–3.2).
pub fn close_factor_on_position(version: AaveVersion) -> bool {
    version >= AaveVersion::V3_3
}

/// The user may liquidate their own position: until 3.3. From 3.4
/// `ValidationLogic.validateLiquidationCall` requires `borrower != liquidator`. lendesk does not
/// show who may liquidate, so no figure depends on this; it is kept for the answers that will.
pub fn self_liquidation_allowed(version: AaveVersion) -> bool {
    version < AaveVersion::V3_4
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::math::{WAD, unit};
    use crate::chain::test_fixtures::{self, bitmaps, stablecoin_category};

    fn reserve(id: u16, ltv: u64, lt: u64, bonus: u64) -> ReserveState {
        let mut r = test_fixtures::reserve(id, &format!("R{id}"), 18, 1, ltv, lt);
        r.config.liquidation_bonus = bonus;
        r.collateral_enabled = true;
        r
    }

    fn position(version: AaveVersion, membership: EModeMembership) -> Position {
        test_fixtures::position(version, Some(stablecoin_category(membership)), vec![])
    }

    #[test]
    fn constants_are_the_contracts() {
        // 2000e8 and 2000e8 / 2.
        assert_eq!(
            MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD,
            U256::from(2_000u64) * unit(8)
        );
        assert_eq!(
            MIN_LEFTOVER_BASE,
            MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD / U256::from(2)
        );
    }

    #[test]
    fn liquid_emode_applies_only_to_the_collateral_bitmap() {
        // 3.2: category 1 covers reserve 3 (bit 3 = 8) but not reserve 2.
        let p = position(AaveVersion::V3_2, bitmaps(0b1000, 0, 0));
        let inside = reserve(3, 7_500, 8_000, 10_500);
        let outside = reserve(2, 7_500, 8_000, 10_500);
        assert_eq!(
            reserve_rules(&p, &inside),
            ReserveRules {
                counts_as_collateral: true,
                ltv: 9_300,
                liquidation_threshold: 9_500,
                liquidation_bonus: 10_100
            }
        );
        assert_eq!(
            reserve_rules(&p, &outside),
            ReserveRules {
                counts_as_collateral: true,
                ltv: 7_500,
                liquidation_threshold: 8_000,
                liquidation_bonus: 10_500
            }
        );
        // The reserve's category field no longer matters from 3.2 on.
        let mut named = outside.clone();
        named.config.emode_category = 1;
        assert_eq!(reserve_rules(&p, &named).ltv, 7_500);
        // 3.0: the reserve's category field decides.
        let p30 = position(AaveVersion::V3_0, EModeMembership::ReserveCategory);
        assert_eq!(reserve_rules(&p30, &named).ltv, 9_300);
        assert_eq!(reserve_rules(&p30, &inside).ltv, 7_500);
    }

    #[test]
    fn ltv_zero_bitmap_counts_from_36_only() {
        // Reserve 3 in the collateral and the ltv-zero bitmap.
        let r = reserve(3, 7_500, 8_000, 10_500);
        let p36 = position(AaveVersion::V3_6, bitmaps(0b1000, 0, 0b1000));
        let rules = reserve_rules(&p36, &r);
        assert_eq!((rules.ltv, rules.liquidation_threshold), (0, 9_500));
        let p36_not = position(AaveVersion::V3_6, bitmaps(0b1000, 0, 0b0100));
        assert_eq!(reserve_rules(&p36_not, &r).ltv, 9_300);
        // Before 3.6 the bitmap does not exist (the reader leaves it 0); a reserve LTV of 0
        // is zero-LTV inside the category too, which 3.6 decouples.
        let mut zero = r.clone();
        zero.config.ltv = 0;
        let p35 = position(AaveVersion::V3_5, bitmaps(0b1000, 0, 0));
        assert_eq!(reserve_rules(&p35, &zero).ltv, 0);
        let p36_free = position(AaveVersion::V3_6, bitmaps(0b1000, 0, 0));
        assert_eq!(reserve_rules(&p36_free, &zero).ltv, 9_300);
    }

    #[test]
    fn an_isolated_category_zeroes_the_ltv_of_collateral_outside_its_bitmap() {
        // Reserve 3 (own LTV 75%) outside the category's collateral bitmap (reserve 2 only).
        let r = reserve(3, 7_500, 8_000, 10_500);
        let isolated = |isolated| EModeMembership::Bitmaps {
            collateral: 0b0100,
            borrowable: 0,
            ltv_zero: 0,
            isolated,
        };
        let p37 = position(AaveVersion::V3_7, isolated(true));
        let rules = reserve_rules(&p37, &r);
        // LTV 0, its own LT still counts towards the health factor.
        assert_eq!((rules.ltv, rules.liquidation_threshold), (0, 8_000));
        assert!(rules.counts_as_collateral);
        // Not isolated: the reserve keeps its own LTV.
        let open = position(AaveVersion::V3_7, isolated(false));
        assert_eq!(reserve_rules(&open, &r).ltv, 7_500);
        // Inside the bitmap an isolated category gives its own LTV.
        let inside = reserve(2, 7_500, 8_000, 10_500);
        assert_eq!(reserve_rules(&p37, &inside).ltv, 9_300);
        // Without E-Mode the flag of no category applies.
        let mut none = p37.clone();
        none.emode = None;
        assert_eq!(reserve_rules(&none, &r).ltv, 7_500);
    }

    #[test]
    fn reserve_lt_zero_collateral_counts_from_36_only() {
        let mut r = reserve(0, 0, 0, 0);
        r.collateral_enabled = true;
        let p35 = position(AaveVersion::V3_5, bitmaps(0, 0, 0));
        assert!(!reserve_rules(&p35, &r).counts_as_collateral);
        let p36 = position(AaveVersion::V3_6, bitmaps(0, 0, 0));
        assert!(reserve_rules(&p36, &r).counts_as_collateral);
    }

    #[test]
    fn borrowable_bitmap_replaces_the_category_match() {
        let r = reserve(5, 0, 0, 0);
        let p = position(AaveVersion::V3_2, bitmaps(0, 1 << 5, 0));
        assert_eq!(emode_borrowable(&p, &r), Some(true));
        let p = position(AaveVersion::V3_2, bitmaps(1 << 5, 1 << 4, 0));
        assert_eq!(emode_borrowable(&p, &r), Some(false));
        let mut p30 = position(AaveVersion::V3_0, EModeMembership::ReserveCategory);
        assert_eq!(emode_borrowable(&p30, &r), Some(false));
        p30.emode = None;
        assert_eq!(emode_borrowable(&p30, &r), None);
    }

    #[test]
    fn debt_value_rounds_up_from_35() {
        // 1 wei of an 18-decimal token at $1 (1e8): 1e8 / 1e18 = 1e-10 → floor 0, ceil 1.
        let (one, price, u) = (U256::from(1), unit(8), unit(18));
        assert_eq!(debt_value(AaveVersion::V3_4, one, price, u), U256::ZERO);
        assert_eq!(debt_value(AaveVersion::V3_5, one, price, u), U256::from(1));
        // Exact values do not move: 2e18 × 1e8 / 1e18 = 2e8 either way.
        let two = U256::from(2) * u;
        assert_eq!(
            debt_value(AaveVersion::V3_5, two, price, u),
            U256::from(2) * price
        );
        assert_eq!(collateral_value(one, price, u), U256::ZERO);
    }

    #[test]
    fn health_factor_formula_changes_at_35() {
        // Collateral 3 + 1 = 4 base units at LT 8000 and 8001: Σ = 24,000 + 8,001 = 32,001.
        // Before 3.5: avg = ⌊32,001 / 4⌋ = 8000; percentMul(4, 8000) = (32,000 + 5,000) / 1e4
        // = 3 (floored after half-up: 3.7 → 3); wadDiv(3, 3) = 1e18.
        // 3.5+: wadDiv(32,001, 3) = ⌊(32,001e18 + 1) / 3⌋ = 10,667e18; / 1e4 = 1.0667e18.
        let (c, sum, d) = (U256::from(4), U256::from(32_001), U256::from(3));
        assert_eq!(health_factor(AaveVersion::V3_4, c, sum, d), WAD);
        assert_eq!(
            health_factor(AaveVersion::V3_5, c, sum, d),
            U256::from(1_066_700_000_000_000_000u64)
        );
    }

    #[test]
    fn available_borrows_floor_from_35() {
        // 7 × 9500 / 1e4 = 6.65: half up 7, floor 6; less 0 debt.
        let seven = U256::from(7);
        assert_eq!(
            available_borrows(AaveVersion::V3_4, seven, U256::ZERO, 9_500),
            seven
        );
        assert_eq!(
            available_borrows(AaveVersion::V3_5, seven, U256::ZERO, 9_500),
            U256::from(6)
        );
        assert_eq!(
            available_borrows(AaveVersion::V3_5, seven, seven, 9_500),
            U256::ZERO
        );
    }

    #[test]
    fn release_switches() {
        assert!(has_isolation_and_siloed_borrowing(AaveVersion::V3_6));
        assert!(!has_isolation_and_siloed_borrowing(AaveVersion::V3_7));
        assert!(!close_factor_on_position(AaveVersion::V3_2));
        assert!(close_factor_on_position(AaveVersion::V3_3));
        assert!(self_liquidation_allowed(AaveVersion::V3_3));
        assert!(!self_liquidation_allowed(AaveVersion::V3_4));
        assert!(emode_needs_borrowing_enabled(AaveVersion::V3_5));
        assert!(!emode_needs_borrowing_enabled(AaveVersion::V3_6));
    }
}
