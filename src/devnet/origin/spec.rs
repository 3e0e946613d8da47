//! What the v3.6 devnet market is: its reserves, prices and risk parameters, the E-Mode
//! category with its bitmaps, the liquidity, and the seeded users. Pure data, so the
//! numbers a test expects can be read from one place.
//!
//! The seeded users are chosen to exercise the 3.2+ rules lendesk must learn:
//! - **emode**: in E-Mode 1 with wstETH (in the category's collateral bitmap, so it counts at the
//!   category's 95% threshold) and USDC (outside it, so it keeps its own 78%), borrowing WETH
//!   (borrowable in the category). HF = (24,000 × 0.95 + 10,000 × 0.78) / 24,000 = 1.275.
//! - **near_liquidation**: no E-Mode, 5 WETH against 7,850 DAI. HF = 8,250 / 7,850 ≈ 1.051;
//!   WETH at $1,800 takes it to ≈ 0.946.
//! - **small**: a position under $2,000 (0.5 WETH against 400 USDC, HF ≈ 2.06), where the 3.3
//!   dust rules apply to liquidations.
//! - **two_debts**: 3 WETH against 2,600 DAI and 1,800 USDC (HF = 4,950 / 4,400 = 1.125). Once
//!   liquidatable above HF 0.95, the 3.3 rules treat its debts differently: DAI (≥ $2,000) is
//!   capped at half the position, $2,200, which would leave $400 of DAI: dust, so the most one
//!   call may repay is what leaves exactly $1,000; USDC (< $2,000) may be repaid whole.

/// Anvil default account indexes.
pub const DEPLOYER_INDEX: usize = 0;
/// Supplies the liquidity every borrow draws on.
pub const LIQUIDITY_INDEX: usize = 1;
/// Sends `liquidationCall`s.
pub const LIQUIDATOR_INDEX: usize = 5;
/// Receives the aTokens' treasury share.
pub const TREASURY_INDEX: usize = 9;

/// The market id written into the addresses provider.
pub const MARKET_ID: &str = "lendesk v3.6 devnet";

/// Price of one whole token in USD with 8 decimals (the oracle's base unit).
pub const BASE_UNIT_8DP: u64 = 100_000_000;

/// One reserve of the market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReserveSpec {
    /// Token symbol (also its name's suffix).
    pub symbol: &'static str,
    /// ERC-20 decimals.
    pub decimals: u8,
    /// Initial USD price, 8 decimals.
    pub price_8dp: u64,
    /// Loan to value, bps.
    pub ltv: u16,
    /// Liquidation threshold, bps.
    pub liquidation_threshold: u16,
    /// Liquidation bonus, bps (10,500 = 5% bonus).
    pub liquidation_bonus: u16,
    /// Reserve factor, bps.
    pub reserve_factor: u16,
    /// Interest-rate curve: optimal usage, base rate, slope 1, slope 2 (bps).
    pub rates: [u32; 4],
    /// What the liquidity account supplies, in whole tokens.
    pub liquidity: u64,
}

/// The reserves in listing order (their reserve ids are 0, 1, 2, 3).
pub const RESERVES: [ReserveSpec; 4] = [
    ReserveSpec {
        symbol: "WETH",
        decimals: 18,
        price_8dp: 2_000 * BASE_UNIT_8DP,
        ltv: 8_000,
        liquidation_threshold: 8_250,
        liquidation_bonus: 10_500,
        reserve_factor: 1_500,
        rates: [9_000, 0, 270, 8_000],
        liquidity: 200,
    },
    ReserveSpec {
        symbol: "wstETH",
        decimals: 18,
        price_8dp: 2_400 * BASE_UNIT_8DP,
        ltv: 7_500,
        liquidation_threshold: 7_900,
        liquidation_bonus: 10_600,
        reserve_factor: 1_500,
        rates: [4_500, 0, 450, 8_000],
        liquidity: 200,
    },
    ReserveSpec {
        symbol: "USDC",
        decimals: 6,
        price_8dp: BASE_UNIT_8DP,
        ltv: 7_500,
        liquidation_threshold: 7_800,
        liquidation_bonus: 10_450,
        reserve_factor: 1_000,
        rates: [9_200, 0, 550, 3_500],
        liquidity: 500_000,
    },
    ReserveSpec {
        symbol: "DAI",
        decimals: 18,
        price_8dp: BASE_UNIT_8DP,
        ltv: 7_500,
        liquidation_threshold: 7_700,
        liquidation_bonus: 10_500,
        reserve_factor: 1_000,
        rates: [9_200, 0, 550, 3_500],
        liquidity: 500_000,
    },
];

/// An E-Mode category with its 3.2+ bitmaps, by symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EModeSpec {
    /// Category id.
    pub id: u8,
    /// LTV, bps.
    pub ltv: u16,
    /// Liquidation threshold, bps.
    pub liquidation_threshold: u16,
    /// Liquidation bonus, bps.
    pub liquidation_bonus: u16,
    /// Label.
    pub label: &'static str,
    /// Reserves in the collateral bitmap.
    pub collateral: &'static [&'static str],
    /// Reserves in the borrowable bitmap.
    pub borrowable: &'static [&'static str],
}

/// E-Mode 1: ETH correlated. USDC and DAI are in neither bitmap.
pub const EMODE: EModeSpec = EModeSpec {
    id: 1,
    ltv: 9_300,
    liquidation_threshold: 9_500,
    liquidation_bonus: 10_100,
    label: "ETH correlated",
    collateral: &["WETH", "wstETH"],
    borrowable: &["WETH"],
};

/// An amount of a token, in thousandths of a whole token (0.5 WETH = `Amount("WETH", 500)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    /// Token symbol.
    pub symbol: &'static str,
    /// Thousandths of a whole token.
    pub milli: u64,
}

/// One seeded user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserSpec {
    /// Stable name used in the manifest and tests.
    pub role: &'static str,
    /// Anvil account index.
    pub account_index: usize,
    /// E-Mode category set before borrowing (0 = none).
    pub emode: u8,
    /// Supplied (and used as collateral).
    pub supplies: &'static [Amount],
    /// Borrowed at the variable rate.
    pub borrows: &'static [Amount],
}

/// The seeded users.
pub const USERS: [UserSpec; 4] = [
    UserSpec {
        role: "emode",
        account_index: 2,
        emode: 1,
        supplies: &[
            Amount {
                symbol: "wstETH",
                milli: 10_000,
            },
            Amount {
                symbol: "USDC",
                milli: 10_000_000,
            },
        ],
        borrows: &[Amount {
            symbol: "WETH",
            milli: 12_000,
        }],
    },
    UserSpec {
        role: "near_liquidation",
        account_index: 3,
        emode: 0,
        supplies: &[Amount {
            symbol: "WETH",
            milli: 5_000,
        }],
        borrows: &[Amount {
            symbol: "DAI",
            milli: 7_850_000,
        }],
    },
    UserSpec {
        role: "small",
        account_index: 4,
        emode: 0,
        supplies: &[Amount {
            symbol: "WETH",
            milli: 500,
        }],
        borrows: &[Amount {
            symbol: "USDC",
            milli: 400_000,
        }],
    },
    UserSpec {
        role: "two_debts",
        account_index: 6,
        emode: 0,
        supplies: &[Amount {
            symbol: "WETH",
            milli: 3_000,
        }],
        borrows: &[
            Amount {
                symbol: "DAI",
                milli: 2_600_000,
            },
            Amount {
                symbol: "USDC",
                milli: 1_800_000,
            },
        ],
    },
];

/// The reserve spec of `symbol`.
pub fn reserve(symbol: &str) -> Option<&'static ReserveSpec> {
    RESERVES.iter().find(|r| r.symbol == symbol)
}

/// `milli / 1000` whole tokens in the token's smallest unit.
pub fn units(decimals: u8, milli: u64) -> alloy::primitives::U256 {
    use alloy::primitives::U256;
    U256::from(milli) * U256::from(10u64).pow(U256::from(decimals)) / U256::from(1_000u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every symbol the E-Mode and the users name is a listed reserve.
    #[test]
    fn every_named_symbol_is_listed() {
        for symbol in EMODE.collateral.iter().chain(EMODE.borrowable) {
            assert!(reserve(symbol).is_some(), "{symbol}");
        }
        for user in &USERS {
            for a in user.supplies.iter().chain(user.borrows) {
                assert!(reserve(a.symbol).is_some(), "{}", a.symbol);
            }
        }
        assert!(!EMODE.collateral.contains(&"USDC"));
    }

    /// The configurator's own checks: ltv ≤ threshold, threshold × bonus ≤ 100%.
    #[test]
    fn parameters_pass_the_configurators_checks() {
        for r in RESERVES
            .iter()
            .map(|r| (r.ltv, r.liquidation_threshold, r.liquidation_bonus))
        {
            assert!(r.0 <= r.1 && r.2 > 10_000);
            assert!(u32::from(r.1) * u32::from(r.2) <= 10_000 * 10_000);
        }
        let e = EMODE;
        assert!(e.ltv <= e.liquidation_threshold && e.liquidation_bonus > 10_000);
        assert!(u32::from(e.liquidation_threshold) * u32::from(e.liquidation_bonus) <= 100_000_000);
    }

    /// Each user has an Anvil account of its own, none of the market's roles.
    #[test]
    fn users_have_accounts_of_their_own() {
        let roles = [
            DEPLOYER_INDEX,
            LIQUIDITY_INDEX,
            LIQUIDATOR_INDEX,
            TREASURY_INDEX,
        ];
        let mut seen = std::collections::BTreeSet::new();
        for user in &USERS {
            assert!(!roles.contains(&user.account_index), "{}", user.role);
            assert!(seen.insert(user.account_index), "{}", user.role);
            assert!(user.account_index < 10, "Anvil has 10 accounts");
        }
    }

    #[test]
    fn units_scale_by_decimals() {
        use alloy::primitives::U256;
        assert_eq!(units(6, 400_000), U256::from(400_000_000u64));
        assert_eq!(units(18, 500), U256::from(500_000_000_000_000_000u64));
    }
}
