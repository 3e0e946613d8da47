//! A lending position as read at one block: what the risk math and the renderers consume.
//!
//! Protocol readers fill these types; nothing here talks to the chain.

use alloy::primitives::{Address, U256};
use serde::Serialize;

/// The static risk configuration of one reserve, decoded from Aave's configuration bitmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct ReserveConfig {
    /// Max loan-to-value, in bps (8000 = 80%).
    pub ltv: u64,
    /// Liquidation threshold, in bps.
    pub liquidation_threshold: u64,
    /// Liquidation bonus, in bps over 100% (10500 = liquidators receive 5% extra).
    pub liquidation_bonus: u64,
    /// Token decimals as configured in the reserve.
    pub decimals: u8,
    /// The reserve accepts actions at all.
    pub active: bool,
    /// No new supply or borrow; repay, withdraw and liquidation still work.
    pub frozen: bool,
    /// Nothing works until unpaused.
    pub paused: bool,
    /// Variable borrowing is enabled.
    pub borrowing_enabled: bool,
    /// May be borrowed by users in isolation mode.
    pub borrowable_in_isolation: bool,
    /// Borrowing it forbids borrowing anything else.
    pub siloed_borrowing: bool,
    /// Share of interest kept by the protocol, in bps.
    pub reserve_factor: u64,
    /// Borrow cap in whole tokens (0 = none).
    pub borrow_cap: U256,
    /// Supply cap in whole tokens (0 = none).
    pub supply_cap: U256,
    /// E-Mode category id (0 = none).
    pub emode_category: u8,
    /// Isolation-mode debt ceiling in USD with 2 decimals (0 = not an isolated asset).
    pub debt_ceiling: U256,
}

/// The Aave v3 release a pool runs, as far as the rules lendesk applies differ between
/// releases (canonical source: `aave-dao/aave-v3-origin`, `docs/3.1` … `docs/3.7`).
/// Ordered: a later release compares greater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub enum AaveVersion {
    /// 3.0 (and 3.0.x): one E-Mode category per asset, stable debt, per-reserve close factor.
    #[default]
    #[serde(rename = "3.0")]
    V3_0,
    /// 3.1: virtual accounting, liquidation grace periods; same account math as 3.0.
    #[serde(rename = "3.1")]
    V3_1,
    /// 3.2: no stable debt; "liquid" E-Mode with collateral and borrowable bitmaps.
    #[serde(rename = "3.2")]
    V3_2,
    /// 3.3: close factor on the whole position, dust rules, bad-debt deficits.
    #[serde(rename = "3.3")]
    V3_3,
    /// 3.4: self-liquidation forbidden.
    #[serde(rename = "3.4")]
    V3_4,
    /// 3.5: pessimistic rounding (collateral down, debt up).
    #[serde(rename = "3.5")]
    V3_5,
    /// 3.6: E-Mode LTV-zero bitmap.
    #[serde(rename = "3.6")]
    V3_6,
    /// 3.7: isolation mode and siloed borrowing removed ("isolated E-Mode" instead).
    #[serde(rename = "3.7")]
    V3_7,
}

impl AaveVersion {
    /// "3.2" and so on.
    pub fn label(self) -> &'static str {
        match self {
            Self::V3_0 => "3.0",
            Self::V3_1 => "3.1",
            Self::V3_2 => "3.2",
            Self::V3_3 => "3.3",
            Self::V3_4 => "3.4",
            Self::V3_5 => "3.5",
            Self::V3_6 => "3.6",
            Self::V3_7 => "3.7",
        }
    }
}

impl std::fmt::Display for AaveVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Which assets an E-Mode category's parameters apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EModeMembership {
    /// 3.0–3.1: every asset whose reserve configuration names the category, for both
    /// collateral and borrowing.
    ReserveCategory,
    /// 3.2+: bitmaps indexed by reserve id.
    Bitmaps {
        /// Assets whose LTV / liquidation threshold / bonus become the category's.
        collateral: u128,
        /// Assets that may be borrowed while in the category.
        borrowable: u128,
        /// 3.6+: assets whose LTV is zero inside the category (0 before 3.6).
        ltv_zero: u128,
        /// 3.7+ "isolated E-Mode": collateral outside the collateral bitmap has LTV zero
        /// (false before 3.7).
        #[serde(default)]
        isolated: bool,
    },
}

/// An E-Mode category (Aave v3): higher LTV / liquidation threshold for correlated assets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EModeCategory {
    /// Category id (1–255).
    pub id: u8,
    /// LTV in bps inside the category.
    pub ltv: u64,
    /// Liquidation threshold in bps inside the category.
    pub liquidation_threshold: u64,
    /// Liquidation bonus in bps inside the category.
    pub liquidation_bonus: u64,
    /// Optional price source shared by the category's assets (zero = each asset's own price).
    pub price_source: Address,
    /// Human label, e.g. "Stablecoins".
    pub label: String,
    /// Which assets the category covers.
    pub membership: EModeMembership,
}

/// One reserve of the market together with the user's balances in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReserveState {
    /// Underlying asset.
    pub asset: Address,
    /// Reserve id: its bit in the user configuration and in E-Mode bitmaps.
    pub id: u16,
    /// Token symbol (as the token reports it).
    pub symbol: String,
    /// Token decimals.
    pub decimals: u8,
    /// Price in the market's base currency, as the protocol prices it for this user.
    pub price: U256,
    /// Decoded reserve configuration.
    pub config: ReserveConfig,
    /// Treated as a stablecoin for "all volatile prices" scenarios (from config).
    pub is_stablecoin: bool,
    /// The user's supplied balance (aToken balance), in token units.
    pub supplied: U256,
    /// The user's variable debt, in token units.
    pub variable_debt: U256,
    /// The user's stable-rate debt, in token units.
    pub stable_debt: U256,
    /// The user's collateral switch for this reserve.
    pub collateral_enabled: bool,
    /// The user's borrowing flag for this reserve.
    pub borrowing: bool,
    /// Total supplied by everyone (aToken total supply).
    pub total_supplied: U256,
    /// Total debt of everyone (variable + stable).
    pub total_debt: U256,
    /// Underlying held by the aToken: what can be withdrawn or borrowed right now.
    pub available_liquidity: U256,
    /// Isolation-mode debt currently backed by this (isolated) collateral, USD with 2 decimals.
    pub isolation_mode_total_debt: U256,
    /// Current supply rate, ray (1e27 = 100% APR).
    pub liquidity_rate: U256,
    /// Current variable borrow rate, ray.
    pub variable_borrow_rate: U256,
}

impl ReserveState {
    /// The user's total debt in this reserve.
    pub fn debt(&self) -> U256 {
        self.variable_debt + self.stable_debt
    }

    /// The supplied balance in base currency, floored as the protocol computes it.
    pub fn supplied_base(&self) -> U256 {
        self.supplied * self.price / crate::chain::math::unit(self.decimals)
    }

    /// The debt in base currency, floored as the protocol computes it.
    pub fn debt_base(&self) -> U256 {
        self.debt() * self.price / crate::chain::math::unit(self.decimals)
    }

    /// True when the user has anything in this reserve.
    pub fn is_involved(&self) -> bool {
        !self.supplied.is_zero() || !self.debt().is_zero()
    }
}

/// What `Pool.getUserAccountData` reported, in the same batch as everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct ReportedAccountData {
    /// Total collateral in base currency.
    pub total_collateral_base: U256,
    /// Total debt in base currency.
    pub total_debt_base: U256,
    /// Available borrows in base currency.
    pub available_borrows_base: U256,
    /// Weighted liquidation threshold, bps.
    pub current_liquidation_threshold: U256,
    /// Weighted LTV, bps.
    pub ltv: U256,
    /// Health factor, wad.
    pub health_factor: U256,
}

/// Which protocol a position comes from, and so whose rules compute its risk
/// ([`crate::chain::report`] dispatches on it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(tag = "protocol", rename_all = "kebab-case")]
pub enum Source {
    /// Aave v3 or a fork: the fields of [`Position`] are the whole story.
    #[default]
    AaveV3,
    /// One Morpho Blue market, as read; the position's reserves are its two legs (collateral
    /// first, then the loan token), for display.
    MorphoBlue(Box<crate::chain::morpho_blue::MorphoPosition>),
}

/// A user's whole position in one market, every figure from the same block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    /// Market name from the config.
    pub market: String,
    /// The account.
    pub user: Address,
    /// Block the figures were read at.
    pub block_number: u64,
    /// That block's timestamp (seconds).
    pub block_timestamp: u64,
    /// One unit of the base currency (1e8 for USD markets).
    pub base_currency_unit: U256,
    /// The Aave release the pool runs: selects the rules the math follows.
    pub version: AaveVersion,
    /// What the pool's `POOL_REVISION()` returned (0 when it has no such getter).
    pub pool_revision: u64,
    /// The user's E-Mode category, when one is active.
    pub emode: Option<EModeCategory>,
    /// Every reserve of the market, in reserve-id order.
    pub reserves: Vec<ReserveState>,
    /// The protocol's own account view, for cross-checking.
    pub reported: ReportedAccountData,
    /// What values and prices are counted in: `None` for the market's base currency (USD on
    /// Aave's USD markets), or a token's symbol (a Morpho market's loan token).
    pub quote: Option<String>,
    /// The protocol the position comes from.
    pub source: Source,
}

impl Position {
    /// A value in the position's quote: "$1,234.56", or "1,234.56 USDC".
    pub fn money(&self, value: U256) -> String {
        crate::chain::format::value_in(value, self.base_currency_unit, self.quote.as_deref())
    }

    /// A price in the position's quote: "$1,850.5", or "1,850.5 USDC".
    pub fn price_text(&self, value: U256) -> String {
        crate::chain::format::price_in(value, self.base_currency_unit, self.quote.as_deref())
    }

    /// The Morpho Blue position behind this one, when it is one.
    pub fn morpho(&self) -> Option<&crate::chain::morpho_blue::MorphoPosition> {
        match &self.source {
            Source::MorphoBlue(m) => Some(m),
            Source::AaveV3 => None,
        }
    }

    /// Index of the reserve whose symbol matches (case-insensitive).
    pub fn reserve_index(&self, symbol: &str) -> Option<usize> {
        self.reserves
            .iter()
            .position(|r| r.symbol.eq_ignore_ascii_case(symbol))
    }

    /// True when the user has no supply and no debt at all.
    pub fn is_empty(&self) -> bool {
        !self.reserves.iter().any(ReserveState::is_involved)
    }

    /// The isolated collateral when the user is in isolation mode: exactly one collateral
    /// enabled and that reserve has a debt ceiling (`UserConfiguration.getIsolationModeState`).
    pub fn isolation_collateral(&self) -> Option<usize> {
        let mut enabled = self
            .reserves
            .iter()
            .enumerate()
            .filter(|(_, r)| r.collateral_enabled);
        let (index, only) = enabled.next()?;
        if enabled.next().is_some() || only.config.debt_ceiling.is_zero() {
            return None;
        }
        Some(index)
    }
}
