//! Decoding Aave v3's packed reserve configuration bitmap (`ReserveConfiguration.sol`),
//! per release: bits a release stopped using are not read on it.

use alloy::primitives::U256;

use crate::chain::position::{AaveVersion, ReserveConfig};

fn bits(data: U256, start: usize, len: usize) -> U256 {
    (data >> start) & ((U256::from(1) << len) - U256::from(1))
}

fn small(data: U256, start: usize, len: usize) -> u64 {
    // len ≤ 16 for every field read through here, so the value always fits.
    u64::try_from(bits(data, start, len)).unwrap_or(u64::MAX)
}

fn flag(data: U256, bit: usize) -> bool {
    data.bit(bit)
}

/// Decodes the bitmap; bit positions are `ReserveConfiguration.*_START_BIT_POSITION`.
pub fn decode(data: U256) -> ReserveConfig {
    ReserveConfig {
        ltv: small(data, 0, 16),
        liquidation_threshold: small(data, 16, 16),
        liquidation_bonus: small(data, 32, 16),
        decimals: u8::try_from(small(data, 48, 8)).unwrap_or(u8::MAX),
        active: flag(data, 56),
        frozen: flag(data, 57),
        borrowing_enabled: flag(data, 58),
        paused: flag(data, 60),
        borrowable_in_isolation: flag(data, 61),
        siloed_borrowing: flag(data, 62),
        reserve_factor: small(data, 64, 16),
        borrow_cap: bits(data, 80, 36),
        supply_cap: bits(data, 116, 36),
        emode_category: u8::try_from(small(data, 168, 8)).unwrap_or(0),
        debt_ceiling: bits(data, 212, 40),
    }
}

/// Decodes the bitmap as a pool of `version` uses it. From 3.2 the E-Mode category bits
/// (168–175) are an unused hole that may still hold a pre-3.2 id: membership comes from the
/// category bitmaps instead. From 3.7 isolation mode and siloed borrowing are gone, their bits
/// deprecated (`docs/3.7/mode-removal.md`).
pub fn decode_for(data: U256, version: AaveVersion) -> ReserveConfig {
    let mut config = decode(data);
    if version >= AaveVersion::V3_2 {
        config.emode_category = 0;
    }
    if version >= AaveVersion::V3_7 {
        config.debt_ceiling = U256::ZERO;
        config.siloed_borrowing = false;
        config.borrowable_in_isolation = false;
    }
    config
}

/// `UserConfiguration.isBorrowing`: bit 2·id.
pub fn is_borrowing(user_config: U256, reserve_id: u16) -> bool {
    let bit = usize::from(reserve_id) * 2;
    bit < 256 && user_config.bit(bit)
}

/// `UserConfiguration.isUsingAsCollateral`: bit 2·id + 1.
pub fn is_using_as_collateral(user_config: U256, reserve_id: u16) -> bool {
    let bit = usize::from(reserve_id) * 2 + 1;
    bit < 256 && user_config.bit(bit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_field_at_its_offset() {
        let mut data = U256::from(8000u64)
            | U256::from(8250u64) << 16
            | U256::from(10500u64) << 32
            | U256::from(18u64) << 48
            | U256::from(1u64) << 56
            | U256::from(1u64) << 58
            | U256::from(1u64) << 61
            | U256::from(1500u64) << 64
            | U256::from(1_000_000u64) << 80
            | U256::from(2_000_000u64) << 116
            | U256::from(1u64) << 168;
        data |= U256::from(1_000_000_000u64) << 212;
        let c = decode(data);
        assert_eq!(
            (c.ltv, c.liquidation_threshold, c.liquidation_bonus),
            (8000, 8250, 10500)
        );
        assert_eq!(c.decimals, 18);
        assert!(c.active && c.borrowing_enabled && c.borrowable_in_isolation);
        assert!(!c.frozen && !c.paused && !c.siloed_borrowing);
        assert_eq!(c.reserve_factor, 1500);
        assert_eq!(c.borrow_cap, U256::from(1_000_000u64));
        assert_eq!(c.supply_cap, U256::from(2_000_000u64));
        assert_eq!(c.emode_category, 1);
        assert_eq!(c.debt_ceiling, U256::from(1_000_000_000u64));
    }

    #[test]
    fn user_flags_are_pairs_of_bits() {
        let cfg = U256::from(0b1001u64); // reserve 0 borrowing, reserve 1 collateral
        assert!(is_borrowing(cfg, 0) && !is_using_as_collateral(cfg, 0));
        assert!(is_using_as_collateral(cfg, 1) && !is_borrowing(cfg, 1));
        assert!(!is_borrowing(cfg, 200));
    }

    #[test]
    fn releases_ignore_the_bits_they_retired() {
        let data = U256::from(8000u64)
            | U256::from(1u64) << 61
            | U256::from(1u64) << 62
            | U256::from(3u64) << 168
            | U256::from(500u64) << 212;
        let v3_0 = decode_for(data, AaveVersion::V3_0);
        assert_eq!(v3_0.emode_category, 3);
        assert_eq!(v3_0, decode(data));
        let v3_2 = decode_for(data, AaveVersion::V3_2);
        assert_eq!(v3_2.emode_category, 0);
        assert_eq!(v3_2.debt_ceiling, U256::from(500u64));
        assert!(v3_2.siloed_borrowing && v3_2.borrowable_in_isolation);
        let v3_7 = decode_for(data, AaveVersion::V3_7);
        assert_eq!(v3_7.debt_ceiling, U256::ZERO);
        assert!(!v3_7.siloed_borrowing && !v3_7.borrowable_in_isolation);
        assert_eq!(v3_7.ltv, 8000);
    }
}
