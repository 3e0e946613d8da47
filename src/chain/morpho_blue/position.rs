//! A user's position in one Morpho Blue market as read at one block: the market's parameters,
//! its totals with interest accrued to that block, the oracle's price and the user's shares
//! and collateral. What the risk figures ([`super::risk`]) and the renderers consume.

use alloy::primitives::{Address, B256, U256};
use serde::Serialize;

use super::math::{self, MarketState};
use crate::chain::format;

/// A token's fixed facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenFacts {
    /// The ERC-20.
    pub address: Address,
    /// Its symbol (as the token reports it, made printable).
    pub symbol: String,
    /// Its decimals.
    pub decimals: u8,
}

/// One Morpho market's fixed facts: its id, parameters and tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarketFacts {
    /// `keccak256(abi.encode(marketParams))`.
    pub id: B256,
    /// The token lent and borrowed.
    pub loan: TokenFacts,
    /// The collateral token.
    pub collateral: TokenFacts,
    /// The market's oracle (fixed at creation).
    pub oracle: Address,
    /// The interest rate model (fixed at creation).
    pub irm: Address,
    /// Liquidation loan-to-value, wad (fixed at creation).
    pub lltv: U256,
}

impl MarketFacts {
    /// "WETH/USDC 86%": collateral, loan and LLTV, how people name a Morpho market.
    pub fn label(&self) -> String {
        format!(
            "{}/{} {}",
            self.collateral.symbol,
            self.loan.symbol,
            wad_percent(self.lltv)
        )
    }

    /// The first 8 hex digits of the id ("0x1a2b3c4d"), to tell markets apart in buttons.
    pub fn short_id(&self) -> String {
        format!("0x{}", &hex::encode(self.id)[..8])
    }
}

/// A wad as a percentage with up to two decimals: 0.86e18 → "86%", 0.915e18 → "91.5%".
pub fn wad_percent(wad: U256) -> String {
    // Basis points of a percent: 1e18 = 100% = 10,000 bps.
    let bps = wad / U256::from(100_000_000_000_000u64);
    let bps = u64::try_from(bps).unwrap_or(u64::MAX);
    format::bps(bps)
}

/// A user's position in one Morpho market, every figure from one block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MorphoPosition {
    /// The configured market's name (the Morpho deployment), e.g. "morpho-ethereum".
    pub market: String,
    /// The Morpho market.
    pub facts: MarketFacts,
    /// The account.
    pub user: Address,
    /// Block the figures were read at.
    pub block_number: u64,
    /// That block's timestamp (seconds).
    pub block_timestamp: u64,
    /// The market's totals with interest accrued to the block, as a transaction in it sees them.
    #[serde(skip)]
    pub state: MarketState,
    /// Interest the accrual to the block added to the market's debt (0 when the market was
    /// already touched in that block).
    pub pending_interest: U256,
    /// The oracle's price: loan-token units per collateral unit, scaled by 1e36.
    pub price: U256,
    /// The user's supply shares (lending the loan token; not collateral).
    pub supply_shares: U256,
    /// The user's borrow shares.
    pub borrow_shares: U256,
    /// The user's collateral, in collateral-token units (earns no interest).
    pub collateral: U256,
}

impl MorphoPosition {
    /// What the user owes, in loan-token units: shares to assets rounded up (as Morpho's
    /// health check and a full repayment count it).
    pub fn borrowed(&self) -> U256 {
        math::borrowed(self.borrow_shares, &self.state).unwrap_or(U256::MAX)
    }

    /// What the user supplied (lent) with its interest, in loan-token units, rounded down (as
    /// a withdrawal of all shares pays it).
    pub fn supplied(&self) -> U256 {
        math::to_assets_down(
            self.supply_shares,
            self.state.total_supply_assets,
            self.state.total_supply_shares,
        )
        .unwrap_or(U256::ZERO)
    }

    /// Loan tokens the market holds now: what can be borrowed or withdrawn.
    pub fn liquidity(&self) -> U256 {
        self.state
            .total_supply_assets
            .saturating_sub(self.state.total_borrow_assets)
    }

    /// The collateral's value in loan-token units, rounded down (as Morpho values it).
    pub fn collateral_value(&self) -> U256 {
        math::mul_div_down(self.collateral, self.price, math::ORACLE_PRICE_SCALE)
            .unwrap_or(U256::MAX)
    }

    /// True when the user has nothing in this market.
    pub fn is_empty(&self) -> bool {
        self.supply_shares.is_zero() && self.borrow_shares.is_zero() && self.collateral.is_zero()
    }

    /// One whole collateral token's price in loan-token units (floored: for display).
    pub fn unit_price(&self) -> U256 {
        self.price_of_unit(self.price)
    }

    /// One whole collateral token at oracle price `price`, in loan-token units (floored).
    pub fn price_of_unit(&self, price: U256) -> U256 {
        math::mul_div_down(
            crate::chain::math::unit(self.facts.collateral.decimals),
            price,
            math::ORACLE_PRICE_SCALE,
        )
        .unwrap_or(U256::MAX)
    }
}
