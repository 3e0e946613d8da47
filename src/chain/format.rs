//! Turning on-chain integers into text for people: token amounts, USD, health factors, %.
//!
//! The only place integers become decimals, and only for display; truncation never rounds up
//! (a "safe" amount shown must never exceed the computed one).

use alloy::primitives::{Address, U256};

use super::math::{WAD, unit};

/// An address as people read it in a message: checksummed, shortened to `0x7099…79C8`.
pub fn short_address(address: Address) -> String {
    let full = address.to_checksum(None);
    format!("{}…{}", &full[..6], &full[full.len() - 4..])
}

/// A transaction hash as shown: "0x1a2b3c4d…9f0e" (a whole hash reads as a private key to the
/// secret redaction of everything stored).
pub fn short_hash(hash: alloy::primitives::B256) -> String {
    let full = hash.to_string();
    format!("{}…{}", &full[..10], &full[full.len() - 4..])
}

/// `value` with `decimals` places, truncated to at most `max_fraction` digits, trailing zeros
/// trimmed, thousands separated: `1234567891` (6 dp, 2) → "1,234.56".
pub fn amount(value: U256, decimals: u8, max_fraction: u8) -> String {
    let scale = unit(decimals);
    let (int, frac) = value.div_rem(scale);
    let mut frac_digits = if decimals == 0 {
        String::new()
    } else {
        format!(
            "{:0>width$}",
            frac.to_string(),
            width = usize::from(decimals)
        )
    };
    frac_digits.truncate(usize::from(max_fraction.min(decimals)));
    let trimmed = frac_digits.trim_end_matches('0');
    let int = group_thousands(&int.to_string());
    if trimmed.is_empty() {
        int
    } else {
        format!("{int}.{trimmed}")
    }
}

/// A token amount with a precision that suits its size: up to 6 significant fraction digits
/// for small amounts, 2 for large ones.
pub fn token(value: U256, decimals: u8) -> String {
    let whole = value / unit(decimals);
    let digits = if whole >= U256::from(10_000u64) {
        2
    } else if whole >= U256::from(1u64) {
        4
    } else {
        6
    };
    amount(value, decimals, digits)
}

/// A base-currency value as dollars: "$12,345.67" (base unit 1e8 on USD markets).
pub fn usd(value: U256, base_unit: U256) -> String {
    let decimals = decimals_of(base_unit);
    format!("${}", amount(value, decimals, 2.min(decimals)))
}

/// A price in base currency with cents, or more digits below $1: "$1,850.5", "$0.9998".
pub fn price(value: U256, base_unit: U256) -> String {
    let decimals = decimals_of(base_unit);
    // Six significant digits, at least two decimals: "$1,904.76", "$150.123", "$1.0025" (a
    // stablecoin's liquidation price must not read "$1" beside today's "$1").
    let whole_digits = (value / base_unit.max(U256::from(1))).to_string().len() as u8;
    let digits = 6u8.saturating_sub(whole_digits).max(2);
    format!("${}", amount(value, decimals, digits.min(decimals)))
}

/// A value in `quote` (`None`: the base currency, shown in dollars): "$1,234.56" or
/// "1,234.56 USDC".
pub fn value_in(value: U256, base_unit: U256, quote: Option<&str>) -> String {
    match quote {
        None => usd(value, base_unit),
        Some(symbol) => {
            let decimals = decimals_of(base_unit);
            format!("{} {symbol}", amount(value, decimals, 2.min(decimals)))
        }
    }
}

/// A price in `quote`, with [`price`]'s digits: "$1,850.5" or "1,850.5 USDC".
pub fn price_in(value: U256, base_unit: U256, quote: Option<&str>) -> String {
    let shown = price(value, base_unit);
    match quote {
        None => shown,
        Some(symbol) => format!("{} {symbol}", shown.trim_start_matches('$')),
    }
}

fn decimals_of(base_unit: U256) -> u8 {
    let mut d = 0u8;
    let mut u = base_unit;
    while u > U256::from(1) && d < 77 {
        u /= U256::from(10);
        d += 1;
    }
    d
}

/// A health factor with two decimals, truncated ("1.0499" shows "1.04": never rosier than
/// it is); "∞" without debt.
pub fn health_factor(wad: U256) -> String {
    if wad == U256::MAX {
        return "∞".into();
    }
    let (int, frac) = wad.div_rem(WAD);
    let cents = frac / U256::from(10_000_000_000_000_000u64);
    format!("{int}.{cents:0>2}")
}

/// Basis points as a percentage: 8250 → "82.5%".
pub fn bps(value: u64) -> String {
    let whole = value / 100;
    let frac = value % 100;
    match frac {
        0 => format!("{whole}%"),
        f if f.is_multiple_of(10) => format!("{whole}.{}%", f / 10),
        f => format!("{whole}.{f:02}%"),
    }
}

/// A ray rate (1e27 = 100% APR) as a percentage with two decimals.
pub fn ray_rate(rate: U256) -> String {
    let bps_x100 = rate / U256::from(10u64).pow(U256::from(21)); // 1e27 → 1e6 (= 100.0000%)
    let v = u64::try_from(bps_x100).unwrap_or(u64::MAX);
    format!("{}.{:02}%", v / 10_000, (v % 10_000) / 100)
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_truncate_and_group() {
        assert_eq!(amount(U256::from(1_234_567_891u64), 6, 2), "1,234.56");
        assert_eq!(amount(U256::from(1_000_000u64), 6, 6), "1");
        assert_eq!(amount(U256::from(5u64), 18, 18), "0.000000000000000005");
        assert_eq!(amount(U256::ZERO, 18, 4), "0");
        assert_eq!(
            token(U256::from(5_963_636_363_636_363_636u64), 18),
            "5.9636"
        );
    }

    #[test]
    fn usd_and_prices() {
        let unit = U256::from(100_000_000u64);
        assert_eq!(usd(U256::from(2_000_012_345_678u64), unit), "$20,000.12");
        assert_eq!(price(U256::from(99_980_000u64), unit), "$0.9998");
        assert_eq!(price(U256::from(100_250_000u64), unit), "$1.0025");
        assert_eq!(price(U256::from(15_012_345_678u64), unit), "$150.123");
        assert_eq!(price(U256::from(190_476_190_476u64), unit), "$1,904.76");
    }

    #[test]
    fn health_factor_never_rounds_up() {
        assert_eq!(
            health_factor(U256::from(1_049_999_999_999_999_999u64)),
            "1.04"
        );
        assert_eq!(health_factor(WAD * U256::from(5) / U256::from(2)), "2.50");
        assert_eq!(health_factor(U256::MAX), "∞");
    }

    #[test]
    fn percentages() {
        assert_eq!(bps(8250), "82.5%");
        assert_eq!(bps(8000), "80%");
        assert_eq!(bps(10_450), "104.5%");
        assert_eq!(bps(1), "0.01%");
        assert_eq!(
            ray_rate(U256::from(10u64).pow(U256::from(25)) * U256::from(4)),
            "4.00%"
        );
    }
}
