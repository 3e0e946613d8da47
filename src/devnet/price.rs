//! Exact decimal text ↔ fixed-point integers (8-dp USD prices, token amounts, wad health
//! factors), with no floating point anywhere.

use alloy::primitives::U256;

/// Decimals of Chainlink-style USD answers (and of the Aave oracle's base currency here).
pub const PRICE_DECIMALS: u8 = 8;

/// Parses `"1850.5"` into `185050000000` (8 decimals). Rejects signs, exponents, more than
/// 8 significant fractional digits, zero, and anything that is not `digits[.digits]`.
pub fn parse_usd(input: &str) -> Result<U256, String> {
    let value = parse_fixed(input.trim().trim_start_matches('$'), PRICE_DECIMALS)?;
    if value.is_zero() {
        return Err("price must be greater than zero".into());
    }
    Ok(value)
}

/// Parses a non-negative decimal into an integer scaled by `10^decimals`, exactly.
pub fn parse_fixed(input: &str, decimals: u8) -> Result<U256, String> {
    let text = input.trim().replace('_', "");
    if text.is_empty() {
        return Err("empty".into());
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text.as_str(), ""),
    };
    if whole.is_empty() && fraction.is_empty() {
        return Err("no digits".into());
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected digits with an optional decimal point, like 1850.5".into());
    }
    let significant = fraction.trim_end_matches('0');
    if significant.len() > usize::from(decimals) {
        return Err(format!("more than {decimals} decimal places"));
    }
    let padded = format!("{significant:0<width$}", width = usize::from(decimals));
    let digits = format!("{whole}{padded}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    U256::from_str_radix(digits, 10).map_err(|_| "number too large".to_string())
}

/// Formats `value / 10^decimals` exactly, trimming trailing fractional zeros:
/// `format_fixed(185050000000, 8)` → `"1850.5"`.
pub fn format_fixed(value: U256, decimals: u8) -> String {
    let scale = U256::from(10u64).pow(U256::from(decimals));
    let whole = value / scale;
    let fraction = value % scale;
    if fraction.is_zero() {
        return whole.to_string();
    }
    let fraction = format!(
        "{:0>width$}",
        fraction.to_string(),
        width = usize::from(decimals)
    );
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// Formats `value / 10^decimals` rounded down to `places` decimals (for display).
pub fn format_rounded(value: U256, decimals: u8, places: u8) -> String {
    if places >= decimals {
        return format_fixed(value, decimals);
    }
    let cut = U256::from(10u64).pow(U256::from(decimals - places));
    let truncated = value / cut;
    let scale = U256::from(10u64).pow(U256::from(places));
    let whole = truncated / scale;
    if places == 0 {
        return whole.to_string();
    }
    let fraction = truncated % scale;
    format!(
        "{whole}.{:0>width$}",
        fraction.to_string(),
        width = usize::from(places)
    )
}

/// A health factor in wad (1e18) for display: `"1.0512"`, or `"∞"` for `uint256.max`.
pub fn format_health_factor(hf_wad: U256) -> String {
    if hf_wad == U256::MAX {
        return "∞ (no debt)".into();
    }
    format_rounded(hf_wad, 18, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prices_exactly() {
        assert_eq!(parse_usd("1850.5"), Ok(U256::from(185_050_000_000u64)));
        assert_eq!(parse_usd("2000"), Ok(U256::from(200_000_000_000u64)));
        assert_eq!(parse_usd("0.99999999"), Ok(U256::from(99_999_999u64)));
        assert_eq!(parse_usd(" $1.000000000 "), Ok(U256::from(100_000_000u64)));
        assert_eq!(parse_usd(".5"), Ok(U256::from(50_000_000u64)));
        assert_eq!(parse_usd("60_000"), Ok(U256::from(6_000_000_000_000u64)));
        // 0.1 + 0.2 style float traps do not exist here.
        assert_eq!(parse_usd("0.3"), Ok(U256::from(30_000_000u64)));
    }

    #[test]
    fn rejects_bad_prices() {
        for bad in [
            "",
            "-1",
            "1e3",
            "1.2.3",
            "abc",
            "1.000000001",
            "0",
            "0.0",
            ".",
            "+5",
            "1,5",
        ] {
            assert!(parse_usd(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_fixed(U256::from(185_050_000_000u64), 8), "1850.5");
        assert_eq!(format_fixed(U256::from(200_000_000_000u64), 8), "2000");
        assert_eq!(format_fixed(U256::from(1u64), 8), "0.00000001");
        assert_eq!(
            format_rounded(U256::from(1_051_234_567_890_000_000u64), 18, 4),
            "1.0512"
        );
        assert_eq!(format_rounded(U256::from(5u64), 18, 2), "0.00");
        assert_eq!(format_health_factor(U256::MAX), "∞ (no debt)");
        for text in ["1850.5", "0.00000001", "123456789.12345678"] {
            assert_eq!(format_fixed(parse_fixed(text, 8).unwrap(), 8), text);
        }
    }
}
