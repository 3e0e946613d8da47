//! The Aave v3 position reader.
//!
//! Discovers the market from its PoolAddressesProvider once (Pool, oracle, the release the
//! Pool runs, reserves, symbols, decimals, E-Mode categories: cached), then reads a user's
//! whole position in one Multicall3 round trip, the way the pool's release lays it out. The
//! read comes in two halves, [`AaveV3Reader::plan`] and [`PendingPosition::finish`], so that
//! the markets on one node share that round trip (see [`crate::chain::markets`]).

pub mod accounts;
pub mod calls;
pub mod changes;
pub mod emode;
pub mod reserve_config;
pub mod snapshot;
pub mod version;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use alloy::providers::Provider;

use super::batch::{Batch, BatchResults, Slot};
use super::bindings::Multicall3;
use super::bindings::mainnet::{
    IAaveOracle, IERC20Detailed, IPool, IPoolAddressesProvider, IPoolProbes,
};
use super::discovered::Discovered;
use super::error::ChainError;
use super::position::{AaveVersion, EModeCategory, Position, ReportedAccountData, ReserveState};
use super::rpc::{Rpc, printable};
use crate::config::MarketConfig;

/// What does not change between lookups: addresses, the release, symbols, decimals, the
/// reserve list, E-Mode categories.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The market's PoolAddressesProvider.
    pub provider: Address,
    /// The Pool proxy.
    pub pool: Address,
    /// The AaveOracle.
    pub oracle: Address,
    /// One unit of the base currency (1e8 on USD markets).
    pub base_currency_unit: U256,
    /// The release the Pool runs (see [`version`]).
    pub version: AaveVersion,
    /// What `POOL_REVISION()` returned (0 when the Pool has no such getter).
    pub pool_revision: u64,
    /// Reserves in the Pool's list order.
    pub reserves: Vec<CatalogReserve>,
    /// E-Mode categories read with every position: before 3.2 those the reserves name, from
    /// 3.2 those configured at discovery (non-zero liquidation threshold).
    pub emode_ids: Vec<u8>,
    /// 3.2+: the labels of [`emode_ids`](Self::emode_ids) at discovery.
    pub emode_labels: BTreeMap<u8, String>,
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
    /// Stable debt token (zero from 3.2, where stable debt is gone: nothing is read then).
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
    /// The market's fixed facts once discovered; dropped when a position read finds the
    /// market's oracle or reserve list changed, so the next lookup discovers it again.
    catalog: Discovered<Catalog>,
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
    /// None when the reserve has no stable debt token.
    stable_debt: Option<Slot<IERC20Detailed::balanceOfCall>>,
    total_supplied: Slot<IERC20Detailed::totalSupplyCall>,
    total_variable: Slot<IERC20Detailed::totalSupplyCall>,
    total_stable: Option<Slot<IERC20Detailed::totalSupplyCall>>,
    liquidity: Slot<IERC20Detailed::balanceOfCall>,
}

/// Slots of one 3.2+ category's reads.
#[derive(Clone, Copy)]
struct LiquidSlots {
    config: Slot<IPool::getEModeCategoryCollateralConfigCall>,
    collateral: Slot<IPool::getEModeCategoryCollateralBitmapCall>,
    borrowable: Slot<IPool::getEModeCategoryBorrowableBitmapCall>,
    /// 3.6+.
    ltv_zero: Option<Slot<IPool::getEModeCategoryLtvzeroBitmapCall>>,
    /// 3.7+.
    isolated: Option<Slot<IPoolProbes::getIsEModeCategoryIsolatedCall>>,
}

/// The E-Mode reads of a position batch, by release.
enum EModeSlots {
    /// 3.0–3.1: `getEModeCategoryData` per category the reserves name.
    Legacy(Vec<(u8, Slot<IPool::getEModeCategoryDataCall>)>),
    /// 3.2+: collateral config and bitmaps per configured category.
    Liquid(Vec<(u8, LiquidSlots)>),
}

/// Every slot of a position batch.
struct PositionSlots {
    block_number: Slot<Multicall3::getBlockNumberCall>,
    timestamp: Slot<Multicall3::getCurrentBlockTimestampCall>,
    account: Slot<IPool::getUserAccountDataCall>,
    user_config: Slot<IPool::getUserConfigurationCall>,
    user_emode: Slot<IPool::getUserEModeCall>,
    prices: Slot<IAaveOracle::getAssetsPricesCall>,
    checks: CatalogChecks,
    emode: EModeSlots,
    reserves: Vec<ReserveSlots>,
}

/// Adds the reads of one 3.2+ category.
fn add_liquid(batch: &mut Batch, pool: Address, version: AaveVersion, id: u8) -> LiquidSlots {
    LiquidSlots {
        config: batch.add(pool, IPool::getEModeCategoryCollateralConfigCall { id }),
        collateral: batch.add(pool, IPool::getEModeCategoryCollateralBitmapCall { id }),
        borrowable: batch.add(pool, IPool::getEModeCategoryBorrowableBitmapCall { id }),
        ltv_zero: (version >= AaveVersion::V3_6)
            .then(|| batch.add(pool, IPool::getEModeCategoryLtvzeroBitmapCall { id })),
        isolated: (version >= AaveVersion::V3_7)
            .then(|| batch.add(pool, IPoolProbes::getIsEModeCategoryIsolatedCall { id })),
    }
}

/// Decodes one 3.2+ category's reads.
fn read_liquid(
    results: &BatchResults,
    slots: LiquidSlots,
    id: u8,
    label: &str,
) -> Result<EModeCategory, ChainError> {
    let config = results.get(slots.config)?;
    let bitmaps = emode::Bitmaps {
        collateral: results.get(slots.collateral)?,
        borrowable: results.get(slots.borrowable)?,
        ltv_zero: slots.ltv_zero.map(|s| results.get(s)).transpose()?,
        isolated: slots.isolated.map(|s| results.get(s)).transpose()?,
    };
    Ok(emode::liquid(id, &config, label, bitmaps))
}

/// Discovery's second batch: the reserve list, the base currency unit and the version probes.
fn list_batch(
    pool: Address,
    oracle: Address,
) -> (
    Batch,
    Slot<IPool::getReservesListCall>,
    Slot<IAaveOracle::BASE_CURRENCY_UNITCall>,
    version::ProbeSlots,
) {
    let mut batch = Batch::new();
    let list = batch.add(pool, IPool::getReservesListCall {});
    let unit = batch.add(oracle, IAaveOracle::BASE_CURRENCY_UNITCall {});
    let probes = version::add(&mut batch, pool);
    (batch, list, unit, probes)
}

/// Slots of one reserve's discovery reads.
type ReserveFacts = (
    Slot<IPool::getReserveDataCall>,
    Slot<IERC20Detailed::symbolCall>,
    Slot<IERC20Detailed::decimalsCall>,
);

/// The slot of one E-Mode category id's collateral config in discovery's scan.
type CategoryScan = Slot<IPool::getEModeCategoryCollateralConfigCall>;

/// Discovery's third batch: each reserve's data, symbol and decimals, and on 3.2+ every
/// E-Mode category id's collateral config (the Pool has no list of categories).
fn reserves_batch(
    pool: Address,
    assets: &[Address],
    version: AaveVersion,
) -> (Batch, Vec<ReserveFacts>, Vec<(u8, CategoryScan)>) {
    let mut batch = Batch::new();
    let facts = assets
        .iter()
        .map(|&asset| {
            (
                batch.add(pool, IPool::getReserveDataCall { asset }),
                batch.add(asset, IERC20Detailed::symbolCall {}),
                batch.add(asset, IERC20Detailed::decimalsCall {}),
            )
        })
        .collect();
    let categories = if version >= AaveVersion::V3_2 {
        (1..=u8::MAX)
            .map(|id| {
                (
                    id,
                    batch.add(pool, IPool::getEModeCategoryCollateralConfigCall { id }),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    (batch, facts, categories)
}

/// Discovery's last batch on 3.2+: the configured categories' labels.
fn labels_batch(
    pool: Address,
    ids: &[u8],
) -> (Batch, Vec<(u8, Slot<IPool::getEModeCategoryLabelCall>)>) {
    let mut batch = Batch::new();
    let slots = ids
        .iter()
        .map(|&id| (id, batch.add(pool, IPool::getEModeCategoryLabelCall { id })))
        .collect();
    (batch, slots)
}

/// The one batch of a position lookup.
fn position_batch(catalog: &Catalog, multicall: Address, user: Address) -> (Batch, PositionSlots) {
    let pool = catalog.pool;
    let mut batch = Batch::new();
    let block_number = batch.add(multicall, Multicall3::getBlockNumberCall {});
    let timestamp = batch.add(multicall, Multicall3::getCurrentBlockTimestampCall {});
    let account = batch.add(pool, IPool::getUserAccountDataCall { user });
    let user_config = batch.add(pool, IPool::getUserConfigurationCall { user });
    let user_emode = batch.add(pool, IPool::getUserEModeCall { user });
    let assets: Vec<Address> = catalog.reserves.iter().map(|r| r.asset).collect();
    let prices = batch.add(catalog.oracle, IAaveOracle::getAssetsPricesCall { assets });
    let checks = CatalogChecks::add(&mut batch, catalog);
    let emode = EModeSlots::add(&mut batch, catalog, catalog.emode_ids.iter().copied());
    let reserves = catalog
        .reserves
        .iter()
        .map(|r| {
            let stable = (!r.stable_debt_token.is_zero()).then_some(r.stable_debt_token);
            ReserveSlots {
                data: batch.add(pool, IPool::getReserveDataCall { asset: r.asset }),
                supplied: batch.add(r.a_token, IERC20Detailed::balanceOfCall { account: user }),
                variable_debt: batch.add(
                    r.variable_debt_token,
                    IERC20Detailed::balanceOfCall { account: user },
                ),
                stable_debt: stable
                    .map(|t| batch.add(t, IERC20Detailed::balanceOfCall { account: user })),
                total_supplied: batch.add(r.a_token, IERC20Detailed::totalSupplyCall {}),
                total_variable: batch
                    .add(r.variable_debt_token, IERC20Detailed::totalSupplyCall {}),
                total_stable: stable.map(|t| batch.add(t, IERC20Detailed::totalSupplyCall {})),
                liquidity: batch.add(
                    r.asset,
                    IERC20Detailed::balanceOfCall { account: r.a_token },
                ),
            }
        })
        .collect();
    (
        batch,
        PositionSlots {
            block_number,
            timestamp,
            account,
            user_config,
            user_emode,
            prices,
            checks,
            emode,
            reserves,
        },
    )
}

/// The user's E-Mode category and, on 3.0–3.1, the price its price source gives.
struct UserCategory {
    category: EModeCategory,
    /// The category's price source's price (None: each asset keeps its own price).
    price: Option<U256>,
}

/// The user's category `id` from the position batch; None when the batch did not read it
/// (a category created after discovery).
fn category_in_batch(
    catalog: &Catalog,
    results: &BatchResults,
    slots: &EModeSlots,
    id: u8,
) -> Result<Option<EModeCategory>, ChainError> {
    match slots {
        EModeSlots::Legacy(categories) => Ok(categories
            .iter()
            .find(|(c, _)| *c == id)
            .and_then(|(_, slot)| results.ok(*slot))
            .map(|data| emode::legacy(id, &data))),
        EModeSlots::Liquid(categories) => categories
            .iter()
            .find(|(c, _)| *c == id)
            .map(|(_, slots)| {
                let label = catalog.emode_labels.get(&id).map_or("", String::as_str);
                read_liquid(results, *slots, id, label)
            })
            .transpose(),
    }
}

/// The position from the position batch's results and the user's category.
fn assemble(
    catalog: &Catalog,
    market: &str,
    stablecoins: &[String],
    user: Address,
    results: &BatchResults,
    slots: PositionSlots,
    emode: Option<UserCategory>,
) -> Result<Position, ChainError> {
    let block_number = u64::try_from(results.get(slots.block_number)?).unwrap_or(u64::MAX);
    let block_timestamp = u64::try_from(results.get(slots.timestamp)?).unwrap_or(u64::MAX);
    let account = results.get(slots.account)?;
    let user_config = results.get(slots.user_config)?.data;
    let prices = results.get(slots.prices)?;
    if prices.len() != catalog.reserves.len() {
        return Err(ChainError::Decode(
            "oracle returned a price list of the wrong length".into(),
        ));
    }

    let mut reserves = Vec::with_capacity(catalog.reserves.len());
    for ((fixed, slots), &oracle_price) in catalog.reserves.iter().zip(slots.reserves).zip(&prices)
    {
        let data = results.get(slots.data)?;
        let config = reserve_config::decode_for(data.configuration.data, catalog.version);
        let price = match &emode {
            Some(UserCategory {
                category,
                price: Some(p),
            }) if config.emode_category == category.id => *p,
            _ => oracle_price,
        };
        let stable_debt = match slots.stable_debt {
            Some(slot) => results.get(slot)?,
            None => U256::ZERO,
        };
        let total_stable = match slots.total_stable {
            Some(slot) => results.get(slot)?,
            None => U256::ZERO,
        };
        reserves.push(ReserveState {
            asset: fixed.asset,
            id: fixed.id,
            symbol: fixed.symbol.clone(),
            decimals: fixed.decimals,
            price,
            config,
            is_stablecoin: stablecoins
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&fixed.symbol)),
            supplied: results.get(slots.supplied)?,
            variable_debt: results.get(slots.variable_debt)?,
            stable_debt,
            collateral_enabled: reserve_config::is_using_as_collateral(user_config, data.id),
            borrowing: reserve_config::is_borrowing(user_config, data.id),
            total_supplied: results.get(slots.total_supplied)?,
            total_debt: results.get(slots.total_variable)? + total_stable,
            available_liquidity: results.get(slots.liquidity)?,
            isolation_mode_total_debt: U256::from(data.isolationModeTotalDebt),
            liquidity_rate: U256::from(data.currentLiquidityRate),
            variable_borrow_rate: U256::from(data.currentVariableBorrowRate),
        });
    }

    Ok(Position {
        market: market.to_string(),
        user,
        block_number,
        block_timestamp,
        base_currency_unit: catalog.base_currency_unit,
        version: catalog.version,
        pool_revision: catalog.pool_revision,
        emode: emode.map(|e| e.category),
        reserves,
        reported: ReportedAccountData {
            total_collateral_base: account.totalCollateralBase,
            total_debt_base: account.totalDebtBase,
            available_borrows_base: account.availableBorrowsBase,
            current_liquidation_threshold: account.currentLiquidationThreshold,
            ltv: account.ltv,
            health_factor: account.healthFactor,
        },
        quote: None,
        source: Default::default(),
    })
}

/// The provider's oracle and the Pool's reserve list, read with every position and snapshot:
/// when either moved since discovery, the catalog is stale.
#[derive(Clone, Copy)]
struct CatalogChecks {
    oracle_now: Slot<IPoolAddressesProvider::getPriceOracleCall>,
    reserves_now: Slot<IPool::getReservesListCall>,
}

impl CatalogChecks {
    fn add(batch: &mut Batch, catalog: &Catalog) -> Self {
        Self {
            oracle_now: batch.add(
                catalog.provider,
                IPoolAddressesProvider::getPriceOracleCall {},
            ),
            reserves_now: batch.add(catalog.pool, IPool::getReservesListCall {}),
        }
    }

    /// Why `catalog` no longer describes the market, when it does not: the provider names
    /// another oracle, or the Pool lists other reserves. A check whose call failed says
    /// nothing.
    fn stale(self, catalog: &Catalog, results: &BatchResults) -> Option<&'static str> {
        if results
            .ok(self.oracle_now)
            .is_some_and(|oracle| oracle != catalog.oracle)
        {
            return Some("the provider names another price oracle");
        }
        let listed = |list: Vec<Address>| {
            list.len() != catalog.reserves.len()
                || list
                    .iter()
                    .zip(&catalog.reserves)
                    .any(|(a, r)| *a != r.asset)
        };
        if results.ok(self.reserves_now).is_some_and(listed) {
            return Some("the Pool lists other reserves");
        }
        None
    }
}

impl EModeSlots {
    /// Adds the reads of categories `ids`, the way the pool's release lays them out.
    fn add(batch: &mut Batch, catalog: &Catalog, ids: impl Iterator<Item = u8>) -> Self {
        let pool = catalog.pool;
        if catalog.version >= AaveVersion::V3_2 {
            Self::Liquid(
                ids.map(|id| (id, add_liquid(batch, pool, catalog.version, id)))
                    .collect(),
            )
        } else {
            Self::Legacy(
                ids.map(|id| (id, batch.add(pool, IPool::getEModeCategoryDataCall { id })))
                    .collect(),
            )
        }
    }
}

/// A position read whose batch is out: what decoding its results needs (see
/// [`AaveV3Reader::plan`]).
pub struct PendingPosition<'a> {
    reader: &'a AaveV3Reader,
    catalog: Arc<Catalog>,
    user: Address,
    slots: PositionSlots,
}

impl std::fmt::Debug for PendingPosition<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingPosition")
            .field("market", &self.reader.market.name)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl<'a> PendingPosition<'a> {
    /// The market the read is for.
    pub fn reader(&self) -> &'a AaveV3Reader {
        self.reader
    }

    /// The second half of a position read: decodes the plan's batch results (the batch's own
    /// part when it ran inside a larger one) and makes the rare follow-up reads at the batch's
    /// block (a category created after discovery, a 3.0–3.1 category's price source).
    pub async fn finish(self, results: &BatchResults) -> Result<Position, ChainError> {
        let Self {
            reader,
            catalog,
            user,
            slots,
        } = self;
        // This answer is still decoded with the stale catalog (the guard shows the protocol's
        // own figures if they disagree); the next lookup discovers again.
        if let Some(why) = slots.checks.stale(&catalog, results) {
            reader.forget(&catalog, why);
        }
        let catalog = &*catalog;
        let block_number = u64::try_from(results.get(slots.block_number)?).unwrap_or(u64::MAX);
        let emode_id = u8::try_from(results.get(slots.user_emode)?).unwrap_or(0);
        let emode = if emode_id == 0 {
            None
        } else {
            let category = match category_in_batch(catalog, results, &slots.emode, emode_id)? {
                Some(category) => category,
                // A category created after discovery: one more read.
                None => {
                    reader
                        .fetch_category(catalog, emode_id, block_number)
                        .await?
                }
            };
            // 3.0–3.1 EModeLogic.getEModeConfiguration: a category price source overrides its
            // assets' prices. From 3.2 there is none (the category's price source is zero).
            let price = if category.price_source.is_zero() {
                None
            } else {
                Some(
                    reader
                        .asset_price(catalog.oracle, category.price_source, block_number)
                        .await?,
                )
            };
            Some(UserCategory { category, price })
        };
        assemble(
            catalog,
            &reader.market.name,
            &reader.stablecoins,
            user,
            results,
            slots,
            emode,
        )
    }
}

impl AaveV3Reader {
    /// A reader over `rpc`; nothing is read until the first lookup.
    pub fn new(market: MarketConfig, rpc: Rpc, stablecoins: Vec<String>) -> Self {
        Self {
            market,
            rpc,
            stablecoins,
            catalog: Discovered::default(),
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

    /// The market's fixed facts, discovered on first use (three round trips after the chain
    /// id, a fourth for E-Mode labels on 3.2+ pools that have categories; once), within the
    /// connection's deadline.
    pub async fn catalog(&self) -> Result<Arc<Catalog>, ChainError> {
        if let Some(catalog) = self.discovered() {
            return Ok(catalog);
        }
        let recently = self
            .discovery_timed_out
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|at| at.elapsed() < self.rpc.timeout);
        if recently {
            return Err(self.rpc.timed_out());
        }
        let found = self.rpc.within_deadline(self.discover_once()).await;
        if let Err(ChainError::RpcTimeout { .. }) = found {
            *self
                .discovery_timed_out
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        }
        found
    }

    /// Discovers the market unless a concurrent lookup did while this one waited.
    async fn discover_once(&self) -> Result<Arc<Catalog>, ChainError> {
        self.catalog.get_or_discover(|| self.discover()).await
    }

    /// Drops `stale` (if it is still the current catalog) so the next lookup discovers the
    /// market again.
    fn forget(&self, stale: &Arc<Catalog>, why: &str) {
        if self.catalog.forget(stale) {
            tracing::warn!(market = %self.market.name, why, "the market changed since discovery; discovering it again on the next lookup");
        }
    }

    async fn discover(&self) -> Result<Catalog, ChainError> {
        self.rpc.expect_chain(self.market.chain_id).await?;
        let Some(provider) = self.market.pool_addresses_provider() else {
            return Err(ChainError::NotAMarket(format!(
                "{} is a {} market, not an Aave v3 one",
                self.market.name,
                self.market.kind().label()
            )));
        };
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

        let (batch, list, unit, probes) = list_batch(pool, oracle);
        let results = self.run(batch, BlockId::latest()).await?;
        let assets = results
            .get(list)
            .map_err(|_| not_a_market("Pool has no reserve list"))?;
        let base_currency_unit = results.get(unit)?;
        let probes = version::read(&results, probes);
        let version = version::decide(&probes);

        let (batch, facts, categories) = reserves_batch(pool, &assets, version);
        let results = self.run(batch, BlockId::latest()).await?;
        let mut reserves = Vec::with_capacity(assets.len());
        let mut emode_ids = BTreeSet::new();
        for (&asset, (data, symbol, decimals)) in assets.iter().zip(facts) {
            let data = results.get(data)?;
            let config = reserve_config::decode_for(data.configuration.data, version);
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
        for (id, slot) in categories {
            if results.ok(slot).is_some_and(|c| emode::is_active(&c)) {
                emode_ids.insert(id);
            }
        }
        let emode_ids: Vec<u8> = emode_ids.into_iter().collect();

        let mut emode_labels = BTreeMap::new();
        if version >= AaveVersion::V3_2 && !emode_ids.is_empty() {
            let (batch, labels) = labels_batch(pool, &emode_ids);
            let results = self.run(batch, BlockId::latest()).await?;
            for (id, slot) in labels {
                // A label is only a name: a category without one still counts.
                emode_labels.insert(id, results.ok(slot).unwrap_or_default());
            }
        }
        Ok(Catalog {
            provider,
            pool,
            oracle,
            base_currency_unit,
            version,
            pool_revision: probes.revision.unwrap_or(0),
            reserves,
            emode_ids,
            emode_labels,
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
        let (batch, pending) = self.plan(user).await?;
        let results = if one_by_one {
            let block = self.rpc.run(self.rpc.provider.get_block_number()).await?;
            batch
                .run_one_by_one(&self.rpc, BlockId::number(block))
                .await?
        } else {
            self.run(batch, BlockId::latest()).await?
        };
        pending.finish(&results).await
    }

    /// The first half of a position read: the market's catalog (discovered on first use,
    /// within the connection's deadline) and the batch that reads `user`'s position. Run the
    /// batch alone, or [append](Batch::append) it to other markets' batches on the same node
    /// and Multicall3, then give its results to [`PendingPosition::finish`].
    pub async fn plan(&self, user: Address) -> Result<(Batch, PendingPosition<'_>), ChainError> {
        let catalog = self.catalog().await?;
        let (batch, slots) = position_batch(&catalog, self.market.multicall3, user);
        Ok((
            batch,
            PendingPosition {
                reader: self,
                catalog,
                user,
                slots,
            },
        ))
    }

    /// The market's catalog when it is already discovered (no request is made).
    pub fn discovered(&self) -> Option<Arc<Catalog>> {
        self.catalog.get()
    }

    /// A category the position batch did not read (created after discovery), read at `block`.
    async fn fetch_category(
        &self,
        catalog: &Catalog,
        id: u8,
        block: u64,
    ) -> Result<EModeCategory, ChainError> {
        let mut batch = Batch::new();
        if catalog.version < AaveVersion::V3_2 {
            let slot = batch.add(catalog.pool, IPool::getEModeCategoryDataCall { id });
            let data = self.run(batch, BlockId::number(block)).await?.get(slot)?;
            return Ok(emode::legacy(id, &data));
        }
        let slots = add_liquid(&mut batch, catalog.pool, catalog.version, id);
        let label = batch.add(catalog.pool, IPool::getEModeCategoryLabelCall { id });
        let results = self.run(batch, BlockId::number(block)).await?;
        let label = results.ok(label).unwrap_or_default();
        read_liquid(&results, slots, id, &label)
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

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn catalog(version: AaveVersion) -> Catalog {
        let stable = |n: u8| {
            if version >= AaveVersion::V3_2 {
                Address::ZERO
            } else {
                Address::repeat_byte(0x30 + n)
            }
        };
        Catalog {
            provider: Address::repeat_byte(3),
            pool: Address::repeat_byte(1),
            oracle: Address::repeat_byte(2),
            base_currency_unit: U256::from(100_000_000u64),
            version,
            pool_revision: 0,
            reserves: (0..3u8)
                .map(|n| CatalogReserve {
                    asset: Address::repeat_byte(0x10 + n),
                    symbol: format!("T{n}"),
                    decimals: 18,
                    a_token: Address::repeat_byte(0x20 + n),
                    variable_debt_token: Address::repeat_byte(0x40 + n),
                    stable_debt_token: stable(n),
                    id: u16::from(n),
                })
                .collect(),
            emode_ids: vec![1, 2],
            emode_labels: BTreeMap::new(),
        }
    }

    fn selector_of(data: &[u8]) -> [u8; 4] {
        let mut selector = [0u8; 4];
        selector.copy_from_slice(&data[..4]);
        selector
    }

    /// Every call of `batch` is listed in [`calls::CALLS`] for `version` and goes to a contract.
    pub(super) fn assert_listed(batch: &Batch, version: AaveVersion, what: &str) {
        for (target, data) in batch.calls() {
            let selector = selector_of(data);
            let call = calls::find(selector)
                .unwrap_or_else(|| panic!("{what}: selector {selector:02x?} is not in CALLS"));
            assert!(
                call.used.on(version),
                "{what}: {} is not made on {version}",
                call.signature
            );
            assert!(
                !target.is_zero(),
                "{what}: {} called on address zero",
                call.signature
            );
        }
    }

    fn every_batch(version: AaveVersion) -> Vec<(&'static str, Batch)> {
        let c = catalog(version);
        let assets: Vec<Address> = c.reserves.iter().map(|r| r.asset).collect();
        vec![
            ("list", list_batch(c.pool, c.oracle).0),
            ("reserves", reserves_batch(c.pool, &assets, version).0),
            ("labels", labels_batch(c.pool, &c.emode_ids).0),
            (
                "position",
                position_batch(&c, Address::repeat_byte(9), Address::repeat_byte(7)).0,
            ),
        ]
    }

    #[test]
    fn every_batch_calls_only_listed_functions_of_its_release() {
        for version in [
            AaveVersion::V3_0,
            AaveVersion::V3_1,
            AaveVersion::V3_2,
            AaveVersion::V3_5,
            AaveVersion::V3_6,
            AaveVersion::V3_7,
        ] {
            for (what, batch) in every_batch(version) {
                if what == "labels" && version < AaveVersion::V3_2 {
                    continue;
                }
                assert_listed(&batch, version, what);
            }
        }
    }

    #[test]
    fn without_a_stable_debt_token_no_stable_debt_is_read() {
        let c = catalog(AaveVersion::V3_6);
        let (batch, slots) = position_batch(&c, Address::repeat_byte(9), Address::repeat_byte(7));
        assert!(batch.calls().all(|(target, _)| !target.is_zero()));
        assert!(
            slots
                .reserves
                .iter()
                .all(|r| r.stable_debt.is_none() && r.total_stable.is_none())
        );
        // A v3.0 pool still has them: 8 reads per reserve, as before.
        let c = catalog(AaveVersion::V3_0);
        let (_, slots) = position_batch(&c, Address::repeat_byte(9), Address::repeat_byte(7));
        assert!(
            slots
                .reserves
                .iter()
                .all(|r| r.stable_debt.is_some() && r.total_stable.is_some())
        );
    }

    fn emode_selectors(version: AaveVersion) -> Vec<&'static str> {
        let c = catalog(version);
        let (batch, _) = position_batch(&c, Address::repeat_byte(9), Address::repeat_byte(7));
        batch
            .calls()
            .filter_map(|(_, data)| calls::find(selector_of(data)))
            .map(|c| c.signature)
            .filter(|s| s.starts_with("getEModeCategory") || s.starts_with("getIsEModeCategory"))
            .collect()
    }

    #[test]
    fn each_release_reads_its_own_emode_getters_for_every_category() {
        assert_eq!(
            emode_selectors(AaveVersion::V3_0),
            ["getEModeCategoryData(uint8)"; 2]
        );
        let liquid = [
            "getEModeCategoryCollateralConfig(uint8)",
            "getEModeCategoryCollateralBitmap(uint8)",
            "getEModeCategoryBorrowableBitmap(uint8)",
        ];
        assert_eq!(
            emode_selectors(AaveVersion::V3_2),
            [liquid, liquid].concat()
        );
        let with_ltv_zero = [
            liquid[0],
            liquid[1],
            liquid[2],
            "getEModeCategoryLtvzeroBitmap(uint8)",
        ];
        assert_eq!(
            emode_selectors(AaveVersion::V3_6),
            [with_ltv_zero, with_ltv_zero].concat()
        );
        let isolated = [
            liquid[0],
            liquid[1],
            liquid[2],
            with_ltv_zero[3],
            "getIsEModeCategoryIsolated(uint8)",
        ];
        assert_eq!(
            emode_selectors(AaveVersion::V3_7),
            [isolated, isolated].concat()
        );
    }

    #[test]
    fn discovery_scans_every_category_id_only_on_liquid_emode_pools() {
        let c = catalog(AaveVersion::V3_0);
        let assets: Vec<Address> = c.reserves.iter().map(|r| r.asset).collect();
        let (_, _, scan) = reserves_batch(c.pool, &assets, AaveVersion::V3_0);
        assert!(scan.is_empty());
        let (_, _, scan) = reserves_batch(c.pool, &assets, AaveVersion::V3_2);
        let ids: Vec<u8> = scan.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, (1..=255).collect::<Vec<u8>>());
    }

    use alloy::sol_types::SolCall;

    use crate::chain::bindings::mainnet::DataTypes;
    use crate::chain::position::EModeMembership;

    const USER: Address = Address::repeat_byte(7);

    fn reserve_data(id: u16, configuration: U256) -> DataTypes::ReserveDataLegacy {
        DataTypes::ReserveDataLegacy {
            configuration: DataTypes::ReserveConfigurationMap {
                data: configuration,
            },
            liquidityIndex: 0,
            currentLiquidityRate: 3,
            variableBorrowIndex: 0,
            currentVariableBorrowRate: 5,
            currentStableBorrowRate: 0,
            lastUpdateTimestamp: alloy::primitives::aliases::U40::ZERO,
            id,
            aTokenAddress: Address::ZERO,
            stableDebtTokenAddress: Address::ZERO,
            variableDebtTokenAddress: Address::ZERO,
            interestRateStrategyAddress: Address::ZERO,
            accruedToTreasury: 0,
            unbacked: 0,
            isolationModeTotalDebt: 0,
        }
    }

    /// A pool's answers to a position batch: user in category `user_emode`; reserve n holds
    /// 1000+n supplied, 100+n variable debt, 7 stable debt (where a stable token exists);
    /// category n has ltv 9000+n, threshold 9300+n, bonus 10100+n, collateral bitmap n,
    /// borrowable bitmap 0x10·n, LTV-zero bitmap 0x100·n; every reserve configuration still
    /// holds the stale E-Mode id 1 in bits 168–175.
    fn answer(catalog: &Catalog, user_emode: u8, data: &[u8]) -> Option<Vec<u8>> {
        let selector = selector_of(data);
        let id_of = |data: &[u8]| {
            IPool::getEModeCategoryBorrowableBitmapCall::abi_decode_raw(&data[4..])
                .map(|c| c.id)
                .unwrap_or(0)
        };
        let n = u128::from(id_of(data));
        let reserve = |asset: Address| catalog.reserves.iter().position(|r| r.asset == asset);
        Some(match selector {
            Multicall3::getBlockNumberCall::SELECTOR => {
                Multicall3::getBlockNumberCall::abi_encode_returns(&U256::from(100u64))
            }
            Multicall3::getCurrentBlockTimestampCall::SELECTOR => {
                Multicall3::getCurrentBlockTimestampCall::abi_encode_returns(&U256::from(1000u64))
            }
            IPool::getUserAccountDataCall::SELECTOR => {
                IPool::getUserAccountDataCall::abi_encode_returns(
                    &IPool::getUserAccountDataReturn {
                        totalCollateralBase: U256::from(1u64),
                        totalDebtBase: U256::from(2u64),
                        availableBorrowsBase: U256::from(3u64),
                        currentLiquidationThreshold: U256::from(4u64),
                        ltv: U256::from(5u64),
                        healthFactor: U256::from(6u64),
                    },
                )
            }
            // Reserve 0: collateral; reserve 2: borrowing.
            IPool::getUserConfigurationCall::SELECTOR => {
                IPool::getUserConfigurationCall::abi_encode_returns(
                    &DataTypes::UserConfigurationMap {
                        data: U256::from(0b01_00_10u64),
                    },
                )
            }
            IPool::getUserEModeCall::SELECTOR => {
                IPool::getUserEModeCall::abi_encode_returns(&U256::from(user_emode))
            }
            IAaveOracle::getAssetsPricesCall::SELECTOR => {
                let prices = (0..catalog.reserves.len())
                    .map(|i| U256::from(2000 + i))
                    .collect();
                IAaveOracle::getAssetsPricesCall::abi_encode_returns(&prices)
            }
            IPool::getReserveDataCall::SELECTOR => {
                let call = IPool::getReserveDataCall::abi_decode(data).ok()?;
                let i = reserve(call.asset)?;
                let config = U256::from(8000u64) | U256::from(1u64) << 168;
                IPool::getReserveDataCall::abi_encode_returns(&reserve_data(
                    catalog.reserves[i].id,
                    config,
                ))
            }
            IPool::getEModeCategoryDataCall::SELECTOR => {
                IPool::getEModeCategoryDataCall::abi_encode_returns(
                    &DataTypes::EModeCategoryLegacy {
                        ltv: 9000 + n as u16,
                        liquidationThreshold: 9300 + n as u16,
                        liquidationBonus: 10100 + n as u16,
                        priceSource: Address::ZERO,
                        label: format!("legacy {n}"),
                    },
                )
            }
            IPool::getEModeCategoryCollateralConfigCall::SELECTOR => {
                IPool::getEModeCategoryCollateralConfigCall::abi_encode_returns(
                    &DataTypes::CollateralConfig {
                        ltv: 9000 + n as u16,
                        liquidationThreshold: 9300 + n as u16,
                        liquidationBonus: 10100 + n as u16,
                    },
                )
            }
            IPool::getEModeCategoryCollateralBitmapCall::SELECTOR => {
                IPool::getEModeCategoryCollateralBitmapCall::abi_encode_returns(&n)
            }
            IPool::getEModeCategoryBorrowableBitmapCall::SELECTOR => {
                IPool::getEModeCategoryBorrowableBitmapCall::abi_encode_returns(&(0x10 * n))
            }
            IPool::getEModeCategoryLtvzeroBitmapCall::SELECTOR => {
                IPool::getEModeCategoryLtvzeroBitmapCall::abi_encode_returns(&(0x100 * n))
            }
            IERC20Detailed::balanceOfCall::SELECTOR | IERC20Detailed::totalSupplyCall::SELECTOR => {
                // Which token is asked is not in the calldata: the caller matches targets.
                return None;
            }
            _ => return None,
        })
    }

    #[test]
    fn a_moved_oracle_or_reserve_list_makes_the_catalog_stale() {
        let c = catalog(AaveVersion::V3_6);
        let listed: Vec<Address> = c.reserves.iter().map(|r| r.asset).collect();
        let judge = |oracle: Option<Address>, list: Option<Vec<Address>>| {
            let (batch, slots) = position_batch(&c, Address::repeat_byte(9), USER);
            let returns: Vec<_> = batch
                .calls()
                .map(|(_, data)| match selector_of(data) {
                    IPoolAddressesProvider::getPriceOracleCall::SELECTOR => oracle.map(|o| {
                        IPoolAddressesProvider::getPriceOracleCall::abi_encode_returns(&o)
                    }),
                    IPool::getReservesListCall::SELECTOR => list
                        .clone()
                        .map(|l| IPool::getReservesListCall::abi_encode_returns(&l)),
                    _ => None,
                })
                .collect();
            slots.checks.stale(&c, &BatchResults::from_returns(returns))
        };
        assert_eq!(judge(Some(c.oracle), Some(listed.clone())), None);
        // A failed check says nothing.
        assert_eq!(judge(None, None), None);
        assert!(judge(Some(Address::repeat_byte(0xee)), Some(listed.clone())).is_some());
        let mut more = listed.clone();
        more.push(Address::repeat_byte(0x77));
        assert!(judge(Some(c.oracle), Some(more)).is_some());
        let mut swapped = listed.clone();
        swapped.swap(0, 1);
        assert!(judge(Some(c.oracle), Some(swapped)).is_some());
    }

    /// The position a pool with [`answer`]'s state gives through the reader's decoding.
    fn decoded(catalog: &Catalog, user_emode: u8) -> Position {
        let (batch, slots) = position_batch(catalog, Address::repeat_byte(9), USER);
        let returns: Vec<_> = batch
            .calls()
            .map(|(target, data)| {
                let selector = selector_of(data);
                let token = catalog.reserves.iter().enumerate().find_map(|(i, r)| {
                    let which = [
                        (r.a_token, 1000),
                        (r.variable_debt_token, 100),
                        (r.stable_debt_token, 7),
                        (r.asset, 50_000),
                    ];
                    which
                        .iter()
                        .find(|(t, _)| *t == target && !t.is_zero())
                        .map(|(_, base)| (i, *base))
                });
                match (selector, token) {
                    (IERC20Detailed::balanceOfCall::SELECTOR, Some((i, base))) => Some(
                        IERC20Detailed::balanceOfCall::abi_encode_returns(&U256::from(base + i)),
                    ),
                    (IERC20Detailed::totalSupplyCall::SELECTOR, Some((i, base))) => {
                        Some(IERC20Detailed::totalSupplyCall::abi_encode_returns(
                            &U256::from(10 * (base + i)),
                        ))
                    }
                    _ => answer(catalog, user_emode, data),
                }
            })
            .collect();
        let results = BatchResults::from_returns(returns);
        let emode = category_in_batch(catalog, &results, &slots.emode, user_emode)
            .expect("decode the category")
            .map(|category| UserCategory {
                category,
                price: None,
            });
        assemble(catalog, "test", &[], USER, &results, slots, emode).expect("assemble")
    }

    #[test]
    fn a_3_6_position_decodes_with_bitmaps_the_cached_label_and_no_stable_debt() {
        let mut c = catalog(AaveVersion::V3_6);
        c.pool_revision = 10;
        c.emode_labels = BTreeMap::from([(1, "ETH correlated".into()), (2, "Stables".into())]);
        let p = decoded(&c, 2);
        assert_eq!((p.version, p.pool_revision), (AaveVersion::V3_6, 10));
        let cat = p.emode.expect("in category 2");
        assert_eq!(
            (
                cat.id,
                cat.ltv,
                cat.liquidation_threshold,
                cat.liquidation_bonus
            ),
            (2, 9002, 9302, 10102)
        );
        assert_eq!(cat.label, "Stables");
        assert!(cat.price_source.is_zero());
        assert_eq!(
            cat.membership,
            EModeMembership::Bitmaps {
                collateral: 2,
                borrowable: 0x20,
                ltv_zero: 0x200,
                isolated: false,
            }
        );
        for (i, r) in p.reserves.iter().enumerate() {
            assert_eq!(r.supplied, U256::from(1000 + i));
            assert_eq!(r.variable_debt, U256::from(100 + i));
            assert_eq!(r.stable_debt, U256::ZERO);
            assert_eq!(r.total_debt, U256::from(10 * (100 + i)));
            assert_eq!(r.available_liquidity, U256::from(50_000 + i));
            assert_eq!(r.price, U256::from(2000 + i));
            assert_eq!(r.config.emode_category, 0, "stale bits ignored on 3.2+");
        }
        assert!(p.reserves[0].collateral_enabled && !p.reserves[0].borrowing);
        assert!(p.reserves[2].borrowing && !p.reserves[2].collateral_enabled);
        assert_eq!(p.reported.health_factor, U256::from(6u64));
    }

    #[test]
    fn before_3_6_a_liquid_category_has_no_ltv_zero_bitmap() {
        let p = decoded(&catalog(AaveVersion::V3_3), 1);
        assert_eq!(
            p.emode.map(|c| c.membership),
            Some(EModeMembership::Bitmaps {
                collateral: 1,
                borrowable: 0x10,
                ltv_zero: 0,
                isolated: false,
            })
        );
    }

    #[test]
    fn a_3_0_position_keeps_stable_debt_and_the_legacy_category() {
        let p = decoded(&catalog(AaveVersion::V3_0), 1);
        let cat = p.emode.expect("in category 1");
        assert_eq!(cat.membership, EModeMembership::ReserveCategory);
        assert_eq!(cat.label, "legacy 1");
        for (i, r) in p.reserves.iter().enumerate() {
            assert_eq!(r.stable_debt, U256::from(7 + i));
            assert_eq!(r.total_debt, U256::from(10 * (100 + i) + 10 * (7 + i)));
            assert_eq!(r.config.emode_category, 1);
        }
    }

    #[test]
    fn a_category_the_batch_did_not_read_is_left_for_one_more_read() {
        let c = catalog(AaveVersion::V3_6);
        let (_, slots) = position_batch(&c, Address::repeat_byte(9), USER);
        let results = BatchResults::from_returns(Vec::new());
        assert!(matches!(
            category_in_batch(&c, &results, &slots.emode, 7),
            Ok(None)
        ));
    }
}
