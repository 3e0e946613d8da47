//! The devnet market's specification: tokens, prices, interest-rate curves, risk parameters and
//! the E-Mode category. Pure data; `deploy` turns it into contracts.

use alloy::primitives::U256;

/// Bump whenever the deployment or the seed changes: it keys the state cache (3: Morpho Blue
/// markets and borrowers beside the Aave market, Anvil with 20 accounts).
pub const DEPLOY_SCRIPT_VERSION: u32 = 3;

/// The `marketId` given to the `PoolAddressesProvider`.
pub const MARKET_ID: &str = "lendesk devnet";

/// How the underlying token is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `WETH9Mocked` (no constructor arguments, 18 decimals).
    Weth,
    /// `MintableERC20(name, symbol, decimals)`.
    Mintable,
}

/// An interest-rate curve in basis points (converted to ray at deploy time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCurve {
    /// Utilization at the kink.
    pub optimal_usage: u64,
    /// Variable rate at 0% utilization.
    pub base_variable: u64,
    /// Variable slope below the kink.
    pub variable_slope1: u64,
    /// Variable slope above the kink.
    pub variable_slope2: u64,
    /// Stable slope below the kink.
    pub stable_slope1: u64,
    /// Stable slope above the kink.
    pub stable_slope2: u64,
    /// Stable rate premium over the variable base.
    pub base_stable_offset: u64,
    /// Stable premium when the stable share is above optimal.
    pub stable_excess_offset: u64,
    /// Optimal share of stable debt.
    pub optimal_stable_to_total: u64,
}

impl RateCurve {
    /// Stablecoins: kink at 90%, 4% then 60% (Aave's `rateStrategyStableOne`).
    pub const STABLE: RateCurve = RateCurve {
        optimal_usage: 9000,
        base_variable: 0,
        variable_slope1: 400,
        variable_slope2: 6000,
        stable_slope1: 50,
        stable_slope2: 6000,
        base_stable_offset: 100,
        stable_excess_offset: 800,
        optimal_stable_to_total: 2000,
    };
    /// WETH: kink at 80%, 3.3% then 80%.
    pub const WETH: RateCurve = RateCurve {
        optimal_usage: 8000,
        base_variable: 0,
        variable_slope1: 330,
        variable_slope2: 8000,
        stable_slope1: 400,
        stable_slope2: 8000,
        base_stable_offset: 200,
        stable_excess_offset: 500,
        optimal_stable_to_total: 2000,
    };
    /// WBTC: kink at 45%, 4% then 300% (Aave's `rateStrategyVolatileOne`).
    pub const VOLATILE: RateCurve = RateCurve {
        optimal_usage: 4500,
        base_variable: 0,
        variable_slope1: 400,
        variable_slope2: 30000,
        stable_slope1: 700,
        stable_slope2: 30000,
        base_stable_offset: 200,
        stable_excess_offset: 500,
        optimal_stable_to_total: 2000,
    };

    /// The nine ray values, in `DefaultReserveInterestRateStrategy` constructor order (after the
    /// provider).
    pub fn in_ray(&self) -> [U256; 9] {
        [
            self.optimal_usage,
            self.base_variable,
            self.variable_slope1,
            self.variable_slope2,
            self.stable_slope1,
            self.stable_slope2,
            self.base_stable_offset,
            self.stable_excess_offset,
            self.optimal_stable_to_total,
        ]
        .map(bps_to_ray)
    }
}

/// Basis points → ray (1e27 = 100%): `bps · 1e23`.
pub fn bps_to_ray(bps: u64) -> U256 {
    U256::from(bps) * U256::from(10u64).pow(U256::from(23u64))
}

/// Collateral and borrowing parameters of one reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskParams {
    /// Loan to value, bps.
    pub ltv: u64,
    /// Liquidation threshold, bps.
    pub liquidation_threshold: u64,
    /// Liquidation bonus, bps (10500 = 5% bonus).
    pub liquidation_bonus: u64,
    /// Reserve factor, bps.
    pub reserve_factor: u64,
    /// Supply cap in whole tokens.
    pub supply_cap: Option<u64>,
    /// Borrow cap in whole tokens.
    pub borrow_cap: Option<u64>,
    /// Isolation-mode debt ceiling in USD with 2 decimals.
    pub debt_ceiling: Option<u64>,
    /// Whether isolated positions may borrow it.
    pub borrowable_in_isolation: bool,
    /// E-Mode category.
    pub emode_category: Option<u8>,
}

/// One reserve of the devnet market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSpec {
    /// Symbol.
    pub symbol: &'static str,
    /// ERC-20 name.
    pub name: &'static str,
    /// Decimals.
    pub decimals: u8,
    /// Initial price, USD with 8 decimals.
    pub price_8dp: u64,
    /// How it is deployed.
    pub kind: TokenKind,
    /// Interest-rate curve.
    pub rates: RateCurve,
    /// Risk parameters.
    pub risk: RiskParams,
}

/// Whole US dollars as an 8-decimal oracle answer.
pub const fn usd(whole: u64) -> u64 {
    whole * 100_000_000
}

/// Stablecoin E-Mode category id.
pub const EMODE_STABLECOINS: u8 = 1;

/// An E-Mode category.
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
}

/// The one E-Mode category: stablecoins at 93% / 95% / 101%.
pub const EMODE: EModeSpec = EModeSpec {
    id: EMODE_STABLECOINS,
    ltv: 9300,
    liquidation_threshold: 9500,
    liquidation_bonus: 10100,
    label: "Stablecoins",
};

/// WETH, USDC, DAI, WBTC: listing order, which is also the order of `devnet.json`'s tokens.
pub const TOKENS: [TokenSpec; 4] = [
    TokenSpec {
        symbol: "WETH",
        name: "Wrapped Ether",
        decimals: 18,
        price_8dp: usd(2_000),
        kind: TokenKind::Weth,
        rates: RateCurve::WETH,
        risk: RiskParams {
            ltv: 8000,
            liquidation_threshold: 8250,
            liquidation_bonus: 10500,
            reserve_factor: 1500,
            supply_cap: None,
            borrow_cap: None,
            debt_ceiling: None,
            borrowable_in_isolation: false,
            emode_category: None,
        },
    },
    TokenSpec {
        symbol: "USDC",
        name: "USD Coin",
        decimals: 6,
        price_8dp: usd(1),
        kind: TokenKind::Mintable,
        rates: RateCurve::STABLE,
        risk: RiskParams {
            ltv: 7700,
            liquidation_threshold: 8000,
            liquidation_bonus: 10450,
            reserve_factor: 1000,
            supply_cap: Some(2_000_000),
            borrow_cap: None,
            debt_ceiling: None,
            borrowable_in_isolation: true,
            emode_category: Some(EMODE_STABLECOINS),
        },
    },
    TokenSpec {
        symbol: "DAI",
        name: "Dai Stablecoin",
        decimals: 18,
        price_8dp: usd(1),
        kind: TokenKind::Mintable,
        rates: RateCurve::STABLE,
        risk: RiskParams {
            ltv: 7500,
            liquidation_threshold: 8000,
            liquidation_bonus: 10500,
            reserve_factor: 1000,
            supply_cap: None,
            borrow_cap: Some(1_000_000),
            debt_ceiling: None,
            borrowable_in_isolation: true,
            emode_category: Some(EMODE_STABLECOINS),
        },
    },
    TokenSpec {
        symbol: "WBTC",
        name: "Wrapped BTC",
        decimals: 8,
        price_8dp: usd(60_000),
        kind: TokenKind::Mintable,
        rates: RateCurve::VOLATILE,
        risk: RiskParams {
            ltv: 7000,
            liquidation_threshold: 7500,
            liquidation_bonus: 11000,
            reserve_factor: 2000,
            supply_cap: None,
            borrow_cap: None,
            // $10M, in the 2-decimal units of the debt ceiling.
            debt_ceiling: Some(10_000_000 * 100),
            borrowable_in_isolation: false,
            emode_category: None,
        },
    },
];

/// The spec of a token by symbol.
pub fn token_spec(symbol: &str) -> Option<&'static TokenSpec> {
    TOKENS
        .iter()
        .find(|t| t.symbol.eq_ignore_ascii_case(symbol))
}

/// The most reserves one `initReserves` call may list: one costs ≈ 2.3 M gas and a transaction
/// may use at most 16.77 M (EIP-7825).
pub const INIT_RESERVES_BATCH: usize = 5;

/// Explicit gas limit for an `initReserves` call with `n` reserves.
pub fn init_reserves_gas(n: usize) -> u64 {
    // 3 reserves measured at 6.85 M gas: budget 2.45 M each plus overhead, capped under 16.77 M.
    (2_450_000 * n as u64 + 500_000).min(16_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_convert_to_ray() {
        assert_eq!(bps_to_ray(10_000), U256::from(10u64).pow(U256::from(27u64)));
        assert_eq!(
            RateCurve::WETH.in_ray()[2],
            U256::from(33u64) * U256::from(10u64).pow(U256::from(24u64))
        );
    }

    #[test]
    fn risk_params_pass_aave_validation() {
        for t in TOKENS {
            let r = t.risk;
            assert!(r.ltv <= r.liquidation_threshold, "{}", t.symbol);
            assert!(r.liquidation_bonus > 10_000, "{}", t.symbol);
            assert!(
                r.liquidation_threshold * r.liquidation_bonus / 10_000 <= 10_000,
                "{}",
                t.symbol
            );
            if r.emode_category.is_some() {
                assert!(u64::from(EMODE.liquidation_threshold) > r.liquidation_threshold);
            }
        }
        assert!(
            u64::from(EMODE.liquidation_threshold) * u64::from(EMODE.liquidation_bonus) / 10_000
                <= 10_000
        );
    }

    #[test]
    fn init_reserves_batches_fit_the_tx_gas_cap() {
        assert!(init_reserves_gas(INIT_RESERVES_BATCH) < 16_777_216);
        assert!(init_reserves_gas(3) > 6_850_000);
    }
}
