//! Test-only builders for the pure risk, rules and liquidation tests: a listed reserve, a
//! position around reserves, the stablecoin E-Mode category and 3.2+ bitmap membership. Each
//! test module tunes what it needs on top.

use alloy::primitives::{Address, U256};

use super::math::unit;
use super::position::{
    AaveVersion, EModeCategory, EModeMembership, Position, ReportedAccountData, ReserveConfig,
    ReserveState,
};

/// An active, borrowable reserve with no balances, not enabled as collateral: `price_usd` whole
/// dollars (8-decimal base), bonus 105%, a stablecoin when it costs $1.
pub(crate) fn reserve(
    id: u16,
    symbol: &str,
    decimals: u8,
    price_usd: u64,
    ltv: u64,
    lt: u64,
) -> ReserveState {
    ReserveState {
        asset: Address::repeat_byte(id as u8 + 1),
        id,
        symbol: symbol.into(),
        decimals,
        price: U256::from(price_usd) * unit(8),
        config: ReserveConfig {
            ltv,
            liquidation_threshold: lt,
            liquidation_bonus: 10_500,
            decimals,
            active: true,
            borrowing_enabled: true,
            ..Default::default()
        },
        is_stablecoin: price_usd == 1,
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
    }
}

/// A position of `reserves` on a `version` pool, read at block 1 (8-decimal base currency).
pub(crate) fn position(
    version: AaveVersion,
    emode: Option<EModeCategory>,
    reserves: Vec<ReserveState>,
) -> Position {
    Position {
        market: "t".into(),
        user: Address::ZERO,
        block_number: 1,
        block_timestamp: 1,
        base_currency_unit: unit(8),
        version,
        pool_revision: 0,
        emode,
        reserves,
        reported: ReportedAccountData::default(),
        quote: None,
        source: Default::default(),
    }
}

/// E-Mode category 1, stablecoins at LTV 93%, threshold 95%, bonus 101%.
pub(crate) fn stablecoin_category(membership: EModeMembership) -> EModeCategory {
    EModeCategory {
        id: 1,
        ltv: 9_300,
        liquidation_threshold: 9_500,
        liquidation_bonus: 10_100,
        price_source: Address::ZERO,
        label: "Stablecoins".into(),
        membership,
    }
}

/// 3.2+ membership by bitmaps (bit `i` = reserve id `i`), not an isolated category.
pub(crate) fn bitmaps(collateral: u128, borrowable: u128, ltv_zero: u128) -> EModeMembership {
    EModeMembership::Bitmaps {
        collateral,
        borrowable,
        ltv_zero,
        isolated: false,
    }
}
