//! Decoding Aave v3's packed reserve configuration bitmap (`ReserveConfiguration.sol`).

use alloy::primitives::U256;

use crate::chain::position::ReserveConfig;

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
}
