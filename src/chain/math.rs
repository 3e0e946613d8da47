//! Aave's fixed-point arithmetic on `U256`: wad (1e18), ray (1e27) and percentages (1e4 = 100%).
//!
//! Each function rounds exactly as its namesake in Aave v3's `WadRayMath` / `PercentageMath`
//! (half up), so figures computed here equal the protocol's to the wei.

use alloy::primitives::U256;

/// 1e18: the unit of health factors.
pub const WAD: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// 1e27: the unit of liquidity and borrow indexes.
pub const RAY: U256 = U256::from_limbs([0x9fd0803ce8000000, 0x33b2e3c, 0, 0]);
/// 1e4 = 100%: the unit of LTV, liquidation threshold, bonus and reserve factor.
pub const PERCENTAGE_FACTOR: u64 = 10_000;

/// `PercentageMath.percentMul`: value × percentage / 1e4, rounded half up.
pub fn percent_mul(value: U256, percentage: u64) -> U256 {
    let pct = U256::from(percentage);
    (value * pct + U256::from(PERCENTAGE_FACTOR / 2)) / U256::from(PERCENTAGE_FACTOR)
}

/// `PercentageMath.percentDiv`: value × 1e4 / percentage, rounded half up.
/// Callers guarantee `percentage != 0` (the protocol reverts otherwise).
pub fn percent_div(value: U256, percentage: u64) -> U256 {
    let pct = U256::from(percentage);
    (value * U256::from(PERCENTAGE_FACTOR) + pct / U256::from(2)) / pct
}

/// `PercentageMath.percentMulFloor` (3.5+): value × percentage / 1e4, rounded down.
pub fn percent_mul_floor(value: U256, percentage: u64) -> U256 {
    value * U256::from(percentage) / U256::from(PERCENTAGE_FACTOR)
}

/// `PercentageMath.percentDivCeil` (3.5+): value × 1e4 / percentage, rounded up.
/// Callers guarantee `percentage != 0` (the protocol reverts otherwise).
pub fn percent_div_ceil(value: U256, percentage: u64) -> U256 {
    div_ceil(
        value * U256::from(PERCENTAGE_FACTOR),
        U256::from(percentage),
    )
}

/// `MathUtils.mulDivCeil` (3.5+): ⌈a × b / c⌉ for c ≠ 0.
pub fn mul_div_ceil(a: U256, b: U256, c: U256) -> U256 {
    div_ceil(a * b, c)
}

/// `WadRayMath.wadDiv`: a × 1e18 / b, rounded half up. `b` must be non-zero.
pub fn wad_div(a: U256, b: U256) -> U256 {
    (a * WAD + b / U256::from(2)) / b
}

/// `WadRayMath.wadMul`: a × b / 1e18, rounded half up.
pub fn wad_mul(a: U256, b: U256) -> U256 {
    (a * b + WAD / U256::from(2)) / WAD
}

/// `WadRayMath.rayMul`: a × b / 1e27, rounded half up.
pub fn ray_mul(a: U256, b: U256) -> U256 {
    (a * b + RAY / U256::from(2)) / RAY
}

/// `WadRayMath.rayMulFloor` (3.5+): a × b / 1e27, rounded down.
pub fn ray_mul_floor(a: U256, b: U256) -> U256 {
    a * b / RAY
}

/// `WadRayMath.rayMulCeil` (3.5+): a × b / 1e27, rounded up.
pub fn ray_mul_ceil(a: U256, b: U256) -> U256 {
    div_ceil(a * b, RAY)
}

/// 10^decimals as a `U256`: one whole token in its smallest unit.
pub fn unit(decimals: u8) -> U256 {
    U256::from(10u64).pow(U256::from(decimals))
}

/// ⌈a / b⌉ for b ≠ 0.
pub fn div_ceil(a: U256, b: U256) -> U256 {
    let (q, r) = a.div_rem(b);
    if r.is_zero() { q } else { q + U256::from(1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_what_they_say() {
        assert_eq!(WAD, U256::from(10u64).pow(U256::from(18)));
        assert_eq!(RAY, U256::from(10u64).pow(U256::from(27)));
    }

    #[test]
    fn percent_mul_rounds_half_up_like_aave() {
        // 8250 bps of 3 = 2.475 → 2; of 2 = 1.65 → 2; of 10_000 = 8250.
        assert_eq!(percent_mul(U256::from(3), 8250), U256::from(2));
        assert_eq!(percent_mul(U256::from(2), 8250), U256::from(2));
        assert_eq!(percent_mul(U256::from(10_000), 8250), U256::from(8250));
        assert_eq!(percent_mul(U256::from(1), 5000), U256::from(1));
    }

    #[test]
    fn percent_div_inverts_percent_mul() {
        assert_eq!(percent_div(U256::from(8000), 8000), U256::from(10_000));
        assert_eq!(percent_div(U256::from(1), 3), U256::from(3333));
    }

    #[test]
    fn wad_div_and_ray_mul_round_half_up() {
        assert_eq!(
            wad_div(U256::from(1), U256::from(3)),
            U256::from(333_333_333_333_333_333u64)
        );
        assert_eq!(
            wad_div(U256::from(2), U256::from(3)),
            U256::from(666_666_666_666_666_667u64)
        );
        assert_eq!(ray_mul(U256::from(3), RAY / U256::from(2)), U256::from(2));
        assert_eq!(wad_mul(WAD, U256::from(7)), U256::from(7));
    }

    #[test]
    fn ray_mul_floor_and_ceil_round_their_way() {
        // 3 × 0.5 = 1.5: half up 2, floor 1, ceil 2; 4 × 0.5 = 2 exactly either way.
        let half = RAY / U256::from(2);
        assert_eq!(ray_mul_floor(U256::from(3), half), U256::from(1));
        assert_eq!(ray_mul_ceil(U256::from(3), half), U256::from(2));
        assert_eq!(ray_mul_floor(U256::from(4), half), U256::from(2));
        assert_eq!(ray_mul_ceil(U256::from(4), half), U256::from(2));
    }

    #[test]
    fn floor_and_ceil_variants_differ_from_half_up_by_one() {
        // 3 × 8250 = 24,750 → /1e4 = 2.475: half up 2, floor 2; 5 × 8250 = 41,250 → 4.125.
        // 7 × 9500 = 66,500 → 6.65: half up 7, floor 6.
        assert_eq!(percent_mul(U256::from(7), 9_500), U256::from(7));
        assert_eq!(percent_mul_floor(U256::from(7), 9_500), U256::from(6));
        // 1 × 1e4 / 3 = 3333.33: half up 3333, ceil 3334.
        assert_eq!(percent_div(U256::from(1), 3), U256::from(3_333));
        assert_eq!(percent_div_ceil(U256::from(1), 3), U256::from(3_334));
        assert_eq!(
            percent_div_ceil(U256::from(8_000), 8_000),
            U256::from(10_000)
        );
        // 3 × 5 / 2 = 7.5 → 8; 4 × 5 / 2 = 10 exactly.
        assert_eq!(
            mul_div_ceil(U256::from(3), U256::from(5), U256::from(2)),
            U256::from(8)
        );
        assert_eq!(
            mul_div_ceil(U256::from(4), U256::from(5), U256::from(2)),
            U256::from(10)
        );
    }

    #[test]
    fn div_ceil_rounds_up_only_with_a_remainder() {
        assert_eq!(div_ceil(U256::from(10), U256::from(5)), U256::from(2));
        assert_eq!(div_ceil(U256::from(11), U256::from(5)), U256::from(3));
    }
}
