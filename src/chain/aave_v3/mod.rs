//! The Aave v3 position reader.
//!
//! Discovers the market from its PoolAddressesProvider once (Pool, oracle, reserves, symbols,
//! decimals: cached), then reads a user's whole position in one Multicall3 round trip.

pub mod reserve_config;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Instant;

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use alloy::providers::Provider;
use tokio::sync::OnceCell;

use super::batch::{Batch, BatchResults, Slot};
use super::bindings::{IAaveOracle, IERC20Detailed, IPool, IPoolAddressesProvider, Multicall3};
use super::error::ChainError;
use super::position::{
    AaveVersion, EModeCategory, EModeMembership, Position, ReportedAccountData, ReserveState,
};
use super::rpc::{Rpc, printable};
use crate::config::MarketConfig;

/// What does not change between lookups: addresses, symbols, decimals, the reserve list.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The Pool proxy.
    pub pool: Address,
    /// The AaveOracle.
    pub oracle: Address,
    /// One unit of the base currency (1e8 on USD markets).
    pub base_currency_unit: U256,
    /// Reserves in the Pool's list order.
    pub reserves: Vec<CatalogReserve>,
    /// E-Mode categories referenced by reserves, with their price sources at discovery.
    pub emode_ids: Vec<u8>,
}

/// One reserve's fixed facts.
#[derive(Debug, Clone)]
pub struct CatalogReserve {
    /// Underlying token.
    pub asset: Address,
    /// Its symbol.
    pub symbol: String,
    /// Its decimals.
    pub decimals: u8,
    /// aToken.
    pub a_token: Address,
    /// Variable debt token.
    pub variable_debt_token: Address,
    /// Stable debt token.
    pub stable_debt_token: Address,
    /// Reserve id: the user-configuration bit index.
    pub id: u16,
}

/// Reads Aave v3 positions from one market.
#[derive(Debug)]
pub struct AaveV3Reader {
    market: MarketConfig,
    rpc: Rpc,
    stablecoins: Vec<String>,
    catalog: OnceCell<Catalog>,
    /// When discovery last ran out of time. For one timeout after that, lookups fail at once:
    /// an answer that needs the catalog twice (a what-if's symbols, then the position) waits
    /// for one deadline, not two.
    discovery_timed_out: Mutex<Option<Instant>>,
}

/// Slots of one reserve's reads inside a position batch.
struct ReserveSlots {
    data: Slot<IPool::getReserveDataCall>,
    supplied: Slot<IERC20Detailed::balanceOfCall>,
    variable_debt: Slot<IERC20Detailed::balanceOfCall>,
    stable_debt: Slot<IERC20Detailed::balanceOfCall>,
    total_supplied: Slot<IERC20Detailed::totalSupplyCall>,
    total_variable: Slot<IERC20Detailed::totalSupplyCall>,
    total_stable: Slot<IERC20Detailed::totalSupplyCall>,
    liquidity: Slot<IERC20Detailed::balanceOfCall>,
}

impl AaveV3Reader {
    /// A reader over `rpc`; nothing is read until the first lookup.
    pub fn new(market: MarketConfig, rpc: Rpc, stablecoins: Vec<String>) -> Self {
        Self {
            market,
            rpc,
            stablecoins,
            catalog: OnceCell::new(),
            discovery_timed_out: Mutex::new(None),
        }
    }

    /// The market this reader serves.
    pub fn market(&self) -> &MarketConfig {
        &self.market
    }

    /// The connection (for round-trip counts).
    pub fn rpc(&self) -> &Rpc {
        &self.rpc
    }

    /// The market's fixed facts, discovered on first use (three round trips, once), within
    /// the connection's deadline.
    pub async fn catalog(&self) -> Result<&Catalog, ChainError> {
        if let Some(catalog) = self.catalog.get() {
            return Ok(catalog);
        }
        let recently = self
            .discovery_timed_out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some_and(|at| at.elapsed() < self.rpc.timeout);
        if recently {
            return Err(self.rpc.timed_out());
        }
        let found = self
            .rpc
            .within_deadline(self.catalog.get_or_try_init(|| self.discover()))
            .await;
        if let Err(ChainError::RpcTimeout { .. }) = found {
            *self
                .discovery_timed_out
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
        }
        found
    }

    async fn discover(&self) -> Result<Catalog, ChainError> {
        let chain_id = self.rpc.run(self.rpc.provider.get_chain_id()).await?;
        if chain_id != self.market.chain_id {
            return Err(ChainError::WrongChain {
                url: self.rpc.display_url.clone(),
                expected: self.market.chain_id,
                actual: chain_id,
            });
        }
        let provider = self.market.pool_addresses_provider;
        let mut batch = Batch::new();
        let pool = batch.add(provider, IPoolAddressesProvider::getPoolCall {});
        let oracle = batch.add(provider, IPoolAddressesProvider::getPriceOracleCall {});
        let results = self.run(batch, BlockId::latest()).await?;
        let not_a_market = |what: &str| {
            ChainError::NotAMarket(format!(
                "{provider} on {} is not an Aave v3 PoolAddressesProvider ({what})",
                self.rpc.display_url
            ))
        };
        let pool = results
            .get(pool)
            .map_err(|_| not_a_market("no getPool()"))?;
        let oracle = results
            .get(oracle)
            .map_err(|_| not_a_market("no getPriceOracle()"))?;
        if pool.is_zero() || oracle.is_zero() {
            return Err(not_a_market("Pool or oracle not set"));
        }

        let mut batch = Batch::new();
        let list = batch.add(pool, IPool::getReservesListCall {});
        let unit = batch.add(oracle, IAaveOracle::BASE_CURRENCY_UNITCall {});
        let results = self.run(batch, BlockId::latest()).await?;
        let assets = results
            .get(list)
            .map_err(|_| not_a_market("Pool has no reserve list"))?;
        let base_currency_unit = results.get(unit)?;

        let mut batch = Batch::new();
        let slots: Vec<_> = assets
            .iter()
            .map(|&asset| {
                (
                    batch.add(pool, IPool::getReserveDataCall { asset }),
                    batch.add(asset, IERC20Detailed::symbolCall {}),
                    batch.add(asset, IERC20Detailed::decimalsCall {}),
                )
            })
            .collect();
        let results = self.run(batch, BlockId::latest()).await?;
        let mut reserves = Vec::with_capacity(assets.len());
        let mut emode_ids = BTreeSet::new();
        for (&asset, (data, symbol, decimals)) in assets.iter().zip(slots) {
            let data = results.get(data)?;
            let config = reserve_config::decode(data.configuration.data);
            if config.emode_category != 0 {
                emode_ids.insert(config.emode_category);
            }
            reserves.push(CatalogReserve {
                asset,
                // Some tokens return bytes32 or nothing; fall back to a short address. A symbol
                // is remote text shown to users and operators: no control characters.
                symbol: results
                    .ok(symbol)
                    .map(|s| printable(&s).trim().to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("{asset:.4}")),
                decimals: results.ok(decimals).unwrap_or(config.decimals),
                a_token: data.aTokenAddress,
                variable_debt_token: data.variableDebtTokenAddress,
                stable_debt_token: data.stableDebtTokenAddress,
                id: data.id,
            });
        }
        Ok(Catalog {
            pool,
            oracle,
            base_currency_unit,
            reserves,
            emode_ids: emode_ids.into_iter().collect(),
        })
    }

    async fn run(&self, batch: Batch, block: BlockId) -> Result<BatchResults, ChainError> {
        batch.run(&self.rpc, self.market.multicall3, block).await
    }

    /// The user's whole position, read in one HTTP round trip at one block (after the first
    /// lookup, which also discovers the market). One deadline, the configured timeout, covers
    /// every request of the lookup.
    pub async fn position(&self, user: Address) -> Result<Position, ChainError> {
        self.rpc.within_deadline(self.read(user, false)).await
    }

    /// The same data read the naive way, one eth_call per figure (all pinned to one block):
    /// the benchmark's baseline. Not for production use.
    pub async fn position_one_by_one(&self, user: Address) -> Result<Position, ChainError> {
        self.read(user, true).await
    }

    async fn read(&self, user: Address, one_by_one: bool) -> Result<Position, ChainError> {
        let catalog = self.catalog().await?;
        let mc = self.market.multicall3;
        let mut batch = Batch::new();
        let block_number = batch.add(mc, Multicall3::getBlockNumberCall {});
        let timestamp = batch.add(mc, Multicall3::getCurrentBlockTimestampCall {});
        let account = batch.add(catalog.pool, IPool::getUserAccountDataCall { user });
        let user_config = batch.add(catalog.pool, IPool::getUserConfigurationCall { user });
        let user_emode = batch.add(catalog.pool, IPool::getUserEModeCall { user });
        let assets: Vec<Address> = catalog.reserves.iter().map(|r| r.asset).collect();
        let prices = batch.add(catalog.oracle, IAaveOracle::getAssetsPricesCall { assets });
        let categories: Vec<_> = catalog
            .emode_ids
            .iter()
            .map(|&id| {
                (
                    id,
                    batch.add(catalog.pool, IPool::getEModeCategoryDataCall { id }),
                )
            })
            .collect();
        let reserve_slots: Vec<ReserveSlots> = catalog
            .reserves
            .iter()
            .map(|r| ReserveSlots {
                data: batch.add(catalog.pool, IPool::getReserveDataCall { asset: r.asset }),
                supplied: batch.add(r.a_token, IERC20Detailed::balanceOfCall { account: user }),
                variable_debt: batch.add(
                    r.variable_debt_token,
                    IERC20Detailed::balanceOfCall { account: user },
                ),
                stable_debt: batch.add(
                    r.stable_debt_token,
                    IERC20Detailed::balanceOfCall { account: user },
                ),
                total_supplied: batch.add(r.a_token, IERC20Detailed::totalSupplyCall {}),
                total_variable: batch
                    .add(r.variable_debt_token, IERC20Detailed::totalSupplyCall {}),
                total_stable: batch.add(r.stable_debt_token, IERC20Detailed::totalSupplyCall {}),
                liquidity: batch.add(
                    r.asset,
                    IERC20Detailed::balanceOfCall { account: r.a_token },
                ),
            })
            .collect();

        let results = if one_by_one {
            let block = self.rpc.run(self.rpc.provider.get_block_number()).await?;
            batch
                .run_one_by_one(&self.rpc, BlockId::number(block))
                .await?
        } else {
            self.run(batch, BlockId::latest()).await?
        };

        let block_number = u64::try_from(results.get(block_number)?).unwrap_or(u64::MAX);
        let block_timestamp = u64::try_from(results.get(timestamp)?).unwrap_or(u64::MAX);
        let account = results.get(account)?;
        let user_config = results.get(user_config)?.data;
        let emode_id = u8::try_from(results.get(user_emode)?).unwrap_or(0);
        let prices = results.get(prices)?;
        if prices.len() != catalog.reserves.len() {
            return Err(ChainError::Decode(
                "oracle returned a price list of the wrong length".into(),
            ));
        }

        let emode = if emode_id == 0 {
            None
        } else {
            let found = categories
                .iter()
                .find(|(id, _)| *id == emode_id)
                .and_then(|(_, slot)| results.ok(*slot));
            let data = match found {
                Some(data) => data,
                // A category created after discovery: one more read.
                None => {
                    self.emode_category(catalog.pool, emode_id, block_number)
                        .await?
                }
            };
            Some(EModeCategory {
                id: emode_id,
                ltv: u64::from(data.ltv),
                liquidation_threshold: u64::from(data.liquidationThreshold),
                liquidation_bonus: u64::from(data.liquidationBonus),
                price_source: data.priceSource,
                label: printable(&data.label),
                membership: EModeMembership::ReserveCategory,
            })
        };
        // EModeLogic.getEModeConfiguration: a category price source overrides its assets' prices.
        let emode_price = match &emode {
            Some(cat) if !cat.price_source.is_zero() => Some(
                self.asset_price(catalog.oracle, cat.price_source, block_number)
                    .await?,
            ),
            _ => None,
        };

        let mut reserves = Vec::with_capacity(catalog.reserves.len());
        for ((fixed, slots), &oracle_price) in
            catalog.reserves.iter().zip(reserve_slots).zip(&prices)
        {
            let data = results.get(slots.data)?;
            let config = reserve_config::decode(data.configuration.data);
            let price = match (&emode, emode_price) {
                (Some(cat), Some(p)) if config.emode_category == cat.id => p,
                _ => oracle_price,
            };
            reserves.push(ReserveState {
                asset: fixed.asset,
                id: fixed.id,
                symbol: fixed.symbol.clone(),
                decimals: fixed.decimals,
                price,
                config,
                is_stablecoin: self
                    .stablecoins
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(&fixed.symbol)),
                supplied: results.get(slots.supplied)?,
                variable_debt: results.get(slots.variable_debt)?,
                stable_debt: results.get(slots.stable_debt)?,
                collateral_enabled: reserve_config::is_using_as_collateral(user_config, data.id),
                borrowing: reserve_config::is_borrowing(user_config, data.id),
                total_supplied: results.get(slots.total_supplied)?,
                total_debt: results.get(slots.total_variable)? + results.get(slots.total_stable)?,
                available_liquidity: results.get(slots.liquidity)?,
                isolation_mode_total_debt: U256::from(data.isolationModeTotalDebt),
                liquidity_rate: U256::from(data.currentLiquidityRate),
                variable_borrow_rate: U256::from(data.currentVariableBorrowRate),
            });
        }

        Ok(Position {
            market: self.market.name.clone(),
            user,
            block_number,
            block_timestamp,
            base_currency_unit: catalog.base_currency_unit,
            version: AaveVersion::V3_0,
            pool_revision: 0,
            emode,
            reserves,
            reported: ReportedAccountData {
                total_collateral_base: account.totalCollateralBase,
                total_debt_base: account.totalDebtBase,
                available_borrows_base: account.availableBorrowsBase,
                current_liquidation_threshold: account.currentLiquidationThreshold,
                ltv: account.ltv,
                health_factor: account.healthFactor,
            },
        })
    }

    async fn emode_category(
        &self,
        pool: Address,
        id: u8,
        block: u64,
    ) -> Result<<IPool::getEModeCategoryDataCall as alloy::sol_types::SolCall>::Return, ChainError>
    {
        let mut batch = Batch::new();
        let slot = batch.add(pool, IPool::getEModeCategoryDataCall { id });
        self.run(batch, BlockId::number(block)).await?.get(slot)
    }

    async fn asset_price(
        &self,
        oracle: Address,
        asset: Address,
        block: u64,
    ) -> Result<U256, ChainError> {
        let mut batch = Batch::new();
        let slot = batch.add(oracle, IAaveOracle::getAssetPriceCall { asset });
        self.run(batch, BlockId::number(block)).await?.get(slot)
    }
}
