//! One block's shared market state, as the watcher needs it: every reserve's indexes, rates,
//! configuration and price, and the terms each E-Mode category gives each reserve, read in one
//! round trip. With it a watched account's health factor is recomputed locally, exactly
//! ([`super::accounts`]); nothing here depends on any one user.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};

use crate::chain::batch::{Batch, BatchResults, Slot};
use crate::chain::bindings::Multicall3;
use crate::chain::bindings::mainnet::{IAaveOracle, IPool};
use crate::chain::error::ChainError;
use crate::chain::math::unit;
use crate::chain::position::{
    AaveVersion, EModeCategory, Position, ReportedAccountData, ReserveConfig, ReserveState,
};
use crate::chain::rules;

use super::{AaveV3Reader, Catalog, CatalogChecks, EModeSlots, read_liquid, reserve_config};

/// One reserve at the snapshot's block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotReserve {
    /// The oracle's price (base currency).
    pub price: U256,
    /// One whole token, 10^decimals.
    pub unit: U256,
    /// `getReserveNormalizedIncome` at this block: what scaled aToken balances multiply by.
    pub income_index: U256,
    /// `getReserveNormalizedVariableDebt` at this block.
    pub debt_index: U256,
    /// The decoded configuration.
    pub config: ReserveConfig,
    /// Supply rate, ray.
    pub liquidity_rate: U256,
    /// Variable borrow rate, ray.
    pub variable_borrow_rate: U256,
}

/// What one reserve counts for, for a user in one E-Mode category (0: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Terms {
    /// The price the protocol uses for this user (a 3.0–3.1 category price source overrides).
    pub price: U256,
    /// Effective LTV, bps (0: zero-LTV collateral).
    pub ltv: u64,
    /// Effective liquidation threshold, bps.
    pub liquidation_threshold: u64,
    /// An enabled collateral counts under the release's rules.
    pub counts_as_collateral: bool,
}

/// A market at one block.
#[derive(Debug, Clone)]
pub struct MarketSnapshot {
    /// The block read.
    pub block_number: u64,
    /// Its timestamp.
    pub block_timestamp: u64,
    /// The catalog the snapshot was read with (reserve order, tokens).
    pub catalog: Arc<Catalog>,
    /// Every reserve, in the catalog's order.
    pub reserves: Vec<SnapshotReserve>,
    /// Per E-Mode category (0: none), the terms of every reserve, in the catalog's order.
    pub terms: BTreeMap<u8, Vec<Terms>>,
    /// The categories themselves.
    pub categories: BTreeMap<u8, EModeCategory>,
    /// 3.0–3.1: the price each category's own price source gives, where it has one.
    pub category_prices: BTreeMap<u8, U256>,
}

impl MarketSnapshot {
    /// The release the pool runs.
    pub fn version(&self) -> AaveVersion {
        self.catalog.version
    }

    /// The terms for users in category `id`; None for a category this snapshot did not read.
    pub fn terms(&self, id: u8) -> Option<&[Terms]> {
        self.terms.get(&id).map(Vec::as_slice)
    }

    /// The same block with reserve `index` priced at `price`: what an oracle update would
    /// give (the benchmark's price move; what-ifs).
    pub fn with_price(&self, index: usize, price: U256) -> MarketSnapshot {
        let mut moved = self.clone();
        if let Some(r) = moved.reserves.get_mut(index) {
            r.price = price;
        }
        moved.terms = all_terms(
            &moved.catalog,
            &moved.reserves,
            &moved.categories,
            &moved.category_prices,
        );
        moved
    }
}

/// The terms of no E-Mode and of every category in `categories`.
fn all_terms(
    catalog: &Catalog,
    reserves: &[SnapshotReserve],
    categories: &BTreeMap<u8, EModeCategory>,
    category_prices: &BTreeMap<u8, U256>,
) -> BTreeMap<u8, Vec<Terms>> {
    let mut terms = BTreeMap::new();
    terms.insert(0, terms_for(catalog, reserves, None, None));
    for (id, category) in categories {
        let price = category_prices.get(id).copied();
        terms.insert(*id, terms_for(catalog, reserves, Some(category), price));
    }
    terms
}

/// Slots of one reserve's shared reads.
struct ReserveSlots {
    data: Slot<IPool::getReserveDataCall>,
    income: Slot<IPool::getReserveNormalizedIncomeCall>,
    debt: Slot<IPool::getReserveNormalizedVariableDebtCall>,
}

/// Every slot of a snapshot batch.
struct SnapshotSlots {
    block_number: Slot<Multicall3::getBlockNumberCall>,
    timestamp: Slot<Multicall3::getCurrentBlockTimestampCall>,
    prices: Slot<IAaveOracle::getAssetsPricesCall>,
    checks: CatalogChecks,
    reserves: Vec<ReserveSlots>,
    emode: EModeSlots,
}

/// The snapshot batch: block, prices, each reserve's data and indexes, each category in `ids`.
fn snapshot_batch(
    catalog: &Catalog,
    multicall: Address,
    ids: &BTreeSet<u8>,
) -> (Batch, SnapshotSlots) {
    let pool = catalog.pool;
    let mut batch = Batch::new();
    let block_number = batch.add(multicall, Multicall3::getBlockNumberCall {});
    let timestamp = batch.add(multicall, Multicall3::getCurrentBlockTimestampCall {});
    let assets: Vec<Address> = catalog.reserves.iter().map(|r| r.asset).collect();
    let prices = batch.add(catalog.oracle, IAaveOracle::getAssetsPricesCall { assets });
    let checks = CatalogChecks::add(&mut batch, catalog);
    let reserves = catalog
        .reserves
        .iter()
        .map(|r| ReserveSlots {
            data: batch.add(pool, IPool::getReserveDataCall { asset: r.asset }),
            income: batch.add(
                pool,
                IPool::getReserveNormalizedIncomeCall { asset: r.asset },
            ),
            debt: batch.add(
                pool,
                IPool::getReserveNormalizedVariableDebtCall { asset: r.asset },
            ),
        })
        .collect();
    let emode = EModeSlots::add(&mut batch, catalog, ids.iter().copied());
    (
        batch,
        SnapshotSlots {
            block_number,
            timestamp,
            prices,
            checks,
            reserves,
            emode,
        },
    )
}

/// The categories a snapshot batch read (a category that reverts is left out: no user can
/// be in it).
fn categories_in(
    catalog: &Catalog,
    results: &BatchResults,
    slots: &EModeSlots,
) -> Result<BTreeMap<u8, EModeCategory>, ChainError> {
    let mut categories = BTreeMap::new();
    match slots {
        EModeSlots::Legacy(list) => {
            for (id, slot) in list {
                if let Some(data) = results.ok(*slot) {
                    categories.insert(*id, super::emode::legacy(*id, &data));
                }
            }
        }
        EModeSlots::Liquid(list) => {
            for (id, slots) in list {
                let label = catalog.emode_labels.get(id).map_or("", String::as_str);
                categories.insert(*id, read_liquid(results, *slots, *id, label)?);
            }
        }
    }
    Ok(categories)
}

/// A position holding every reserve as an enabled collateral, for the release's rules to say
/// what each reserve counts for inside `category`.
fn template(
    catalog: &Catalog,
    reserves: &[SnapshotReserve],
    category: Option<&EModeCategory>,
) -> Position {
    Position {
        market: String::new(),
        user: Address::ZERO,
        block_number: 0,
        block_timestamp: 0,
        base_currency_unit: catalog.base_currency_unit,
        version: catalog.version,
        pool_revision: catalog.pool_revision,
        emode: category.cloned(),
        reserves: catalog
            .reserves
            .iter()
            .zip(reserves)
            .map(|(fixed, r)| ReserveState {
                asset: fixed.asset,
                id: fixed.id,
                symbol: String::new(),
                decimals: fixed.decimals,
                price: r.price,
                config: r.config,
                is_stablecoin: false,
                supplied: U256::ZERO,
                variable_debt: U256::ZERO,
                stable_debt: U256::ZERO,
                collateral_enabled: true,
                borrowing: false,
                total_supplied: U256::ZERO,
                total_debt: U256::ZERO,
                available_liquidity: U256::ZERO,
                isolation_mode_total_debt: U256::ZERO,
                liquidity_rate: r.liquidity_rate,
                variable_borrow_rate: r.variable_borrow_rate,
            })
            .collect(),
        reported: ReportedAccountData::default(),
        quote: None,
        source: Default::default(),
    }
}

/// The terms of every reserve for users in `category` (None: no E-Mode), whose 3.0–3.1 price
/// source gives `category_price` when it has one.
fn terms_for(
    catalog: &Catalog,
    reserves: &[SnapshotReserve],
    category: Option<&EModeCategory>,
    category_price: Option<U256>,
) -> Vec<Terms> {
    let position = template(catalog, reserves, category);
    position
        .reserves
        .iter()
        .map(|r| {
            let rules = rules::reserve_rules(&position, r);
            // As the reader: a category price source prices the assets naming the category.
            let price = match (category, category_price) {
                (Some(c), Some(p)) if r.config.emode_category == c.id => p,
                _ => r.price,
            };
            Terms {
                price,
                ltv: rules.ltv,
                liquidation_threshold: rules.liquidation_threshold,
                counts_as_collateral: rules.counts_as_collateral,
            }
        })
        .collect()
}

impl AaveV3Reader {
    /// The market's shared state at `block` in one round trip (plus one when a 3.0–3.1
    /// category has its own price source), with the terms of no E-Mode, of every category
    /// known at discovery and of `extra_categories`. Fails with
    /// [`ChainError::NotAMarket`] when the market's oracle or reserve list moved since
    /// discovery (the catalog is then dropped: the next call discovers it again).
    pub async fn snapshot(
        &self,
        block: BlockId,
        extra_categories: &BTreeSet<u8>,
    ) -> Result<MarketSnapshot, ChainError> {
        self.rpc
            .within_deadline(self.read_snapshot(block, extra_categories))
            .await
    }

    async fn read_snapshot(
        &self,
        block: BlockId,
        extra_categories: &BTreeSet<u8>,
    ) -> Result<MarketSnapshot, ChainError> {
        let catalog = self.catalog().await?;
        let mut ids: BTreeSet<u8> = catalog.emode_ids.iter().copied().collect();
        ids.extend(extra_categories.iter().filter(|&&id| id != 0));
        let (batch, slots) = snapshot_batch(&catalog, self.market().multicall3, &ids);
        let results = self.run(batch, block).await?;
        // The same checks as a position read, but a snapshot decoded with a stale catalog
        // would mislabel every account: it fails instead.
        if let Some(why) = slots.checks.stale(&catalog, &results) {
            self.forget(&catalog, why);
            return Err(ChainError::NotAMarket(why.into()));
        }
        let block_number = u64::try_from(results.get(slots.block_number)?).unwrap_or(u64::MAX);
        let block_timestamp = u64::try_from(results.get(slots.timestamp)?).unwrap_or(u64::MAX);
        let prices = results.get(slots.prices)?;
        if prices.len() != catalog.reserves.len() {
            return Err(ChainError::Decode(
                "oracle returned a price list of the wrong length".into(),
            ));
        }
        let mut reserves = Vec::with_capacity(catalog.reserves.len());
        for ((fixed, slots), price) in catalog.reserves.iter().zip(&slots.reserves).zip(prices) {
            let data = results.get(slots.data)?;
            reserves.push(SnapshotReserve {
                price,
                unit: unit(fixed.decimals),
                income_index: results.get(slots.income)?,
                debt_index: results.get(slots.debt)?,
                config: reserve_config::decode_for(data.configuration.data, catalog.version),
                liquidity_rate: U256::from(data.currentLiquidityRate),
                variable_borrow_rate: U256::from(data.currentVariableBorrowRate),
            });
        }
        let categories = categories_in(&catalog, &results, &slots.emode)?;
        let mut category_prices = BTreeMap::new();
        for (id, category) in &categories {
            // 3.0–3.1: a category price source overrides its assets' prices (one more read,
            // at the same block; none of the devnet's categories has one).
            if !category.price_source.is_zero() {
                let price = self
                    .asset_price(catalog.oracle, category.price_source, block_number)
                    .await?;
                category_prices.insert(*id, price);
            }
        }
        let terms = all_terms(&catalog, &reserves, &categories, &category_prices);
        Ok(MarketSnapshot {
            block_number,
            block_timestamp,
            catalog,
            reserves,
            terms,
            categories,
            category_prices,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_batch_calls_only_listed_functions() {
        for version in [AaveVersion::V3_0, AaveVersion::V3_2, AaveVersion::V3_6] {
            let c = super::super::tests::catalog(version);
            let ids: BTreeSet<u8> = [1, 2].into();
            let (batch, slots) = snapshot_batch(&c, Address::repeat_byte(9), &ids);
            super::super::tests::assert_listed(&batch, version, "snapshot");
            assert_eq!(slots.reserves.len(), c.reserves.len());
        }
    }
}
