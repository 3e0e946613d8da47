//! The Morpho Blue position reader.
//!
//! Discovers the configured Morpho markets once (their ids from the configuration, or every
//! market the contract created, from its `CreateMarket` events; then each market's parameters
//! and its tokens' symbols and decimals: cached), then reads a user's positions in every market
//! in one Multicall3 round trip at one block. Per market the batch holds `idToMarketParams`,
//! `market` as stored, Morpho's own `accrueInterest` (run inside the same `eth_call`, so it is
//! a simulation: nothing is sent), `market` again (totals with interest accrued to the block,
//! exactly what a transaction in that block would use, whatever the interest rate model),
//! `position` and the oracle's `price`. [`super::math::accrue`] reproduces that accrual from
//! the IRM's rate (checked against the chain in the tests) and projects positions forward.
//! The read comes in two halves, [`MorphoReader::plan`] and [`PendingMorpho::finish`], so that
//! markets on one node share that round trip (see [`crate::chain::markets`]).

use std::sync::Arc;

use alloy::eips::BlockId;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use alloy::sol_types::{SolCall, SolEvent};

use super::math::MarketState;
use super::position::{MarketFacts, MorphoPosition, TokenFacts};
use crate::chain::batch::{Batch, BatchResults, Slot};
use crate::chain::bindings::Multicall3;
use crate::chain::bindings::mainnet::IERC20Detailed;
use crate::chain::bindings::morpho::events::{CreateMarket, Liquidate};
use crate::chain::bindings::morpho::{Morpho, OracleMock};
use crate::chain::discovered::Discovered;
use crate::chain::error::ChainError;
use crate::chain::rpc::{Rpc, printable};
use crate::config::{MarketConfig, Protocol};

/// One `Liquidate` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MorphoLiquidation {
    /// The Morpho market.
    pub market: B256,
    /// The liquidated borrower.
    pub borrower: Address,
    /// Who liquidated.
    pub liquidator: Address,
    /// Loan token repaid, its units.
    pub repaid: U256,
    /// Collateral seized, its units.
    pub seized: U256,
    /// Debt written off against the market's lenders (collateral gone), loan-token units.
    pub bad_debt: U256,
    /// The block.
    pub block_number: u64,
    /// The log's index in its block.
    pub log_index: u64,
    /// The transaction.
    pub transaction: B256,
}

/// The markets of one Morpho deployment, as discovered.
#[derive(Debug, Clone)]
pub struct MorphoCatalog {
    /// The Morpho contract.
    pub morpho: Address,
    /// The markets read, in the configuration's order (or creation order when discovered).
    pub markets: Vec<MarketFacts>,
}

/// Reads Morpho Blue positions from one deployment (one configured market).
#[derive(Debug)]
pub struct MorphoReader {
    market: MarketConfig,
    morpho: Address,
    market_ids: Vec<B256>,
    rpc: Rpc,
    stablecoins: Vec<String>,
    catalog: Discovered<MorphoCatalog>,
}

/// Slots of one Morpho market's reads in a position batch.
struct MarketSlots {
    params: Slot<Morpho::idToMarketParamsCall>,
    stored: Slot<Morpho::marketCall>,
    accrued: Slot<Morpho::marketCall>,
    position: Slot<Morpho::positionCall>,
    price: Slot<OracleMock::priceCall>,
}

/// A position read whose batch is out: what decoding its results needs.
pub struct PendingMorpho<'a> {
    reader: &'a MorphoReader,
    catalog: Arc<MorphoCatalog>,
    user: Address,
    block_number: Slot<Multicall3::getBlockNumberCall>,
    timestamp: Slot<Multicall3::getCurrentBlockTimestampCall>,
    markets: Vec<MarketSlots>,
}

impl std::fmt::Debug for PendingMorpho<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingMorpho")
            .field("market", &self.reader.market.name)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl From<&Morpho::marketReturn> for MarketState {
    /// The totals `Morpho.market(id)` returned.
    fn from(m: &Morpho::marketReturn) -> Self {
        state_of(m)
    }
}

fn state_of(m: &Morpho::marketReturn) -> MarketState {
    MarketState {
        total_supply_assets: U256::from(m.totalSupplyAssets),
        total_supply_shares: U256::from(m.totalSupplyShares),
        total_borrow_assets: U256::from(m.totalBorrowAssets),
        total_borrow_shares: U256::from(m.totalBorrowShares),
        last_update: u64::try_from(m.lastUpdate).unwrap_or(u64::MAX),
        fee: U256::from(m.fee),
    }
}

impl<'a> PendingMorpho<'a> {
    /// The reader the read is for.
    pub fn reader(&self) -> &'a MorphoReader {
        self.reader
    }

    /// The second half of a read: decodes the plan's batch results (the batch's own part when
    /// it ran inside a larger one) into one position per Morpho market, empty ones included.
    pub fn finish(self, results: &BatchResults) -> Result<Vec<MorphoPosition>, ChainError> {
        let block_number = u64::try_from(results.get(self.block_number)?).unwrap_or(u64::MAX);
        let block_timestamp = u64::try_from(results.get(self.timestamp)?).unwrap_or(u64::MAX);
        let mut positions = Vec::with_capacity(self.markets.len());
        for (facts, slots) in self.catalog.markets.iter().zip(self.markets) {
            let params = results.get(slots.params)?;
            if params.lltv != facts.lltv || params.oracle != facts.oracle {
                self.reader.forget(&self.catalog);
                return Err(ChainError::NotAMarket(format!(
                    "Morpho market {} on {} is not the one discovered",
                    facts.id, self.reader.market.name
                )));
            }
            let stored = state_of(&results.get(slots.stored)?);
            // The accrued totals: Morpho's own accrual in the same call. When it reverted (an
            // IRM that fails), the stored totals, which lack the interest since the last
            // update, are all there is: the position is read but its debt may be low by that.
            let state = results
                .ok(slots.accrued)
                .map(|m| state_of(&m))
                .unwrap_or(stored);
            if state == stored && stored.last_update < block_timestamp {
                tracing::debug!(market = %facts.id, "Morpho interest not accrued in the read");
            }
            let position = results.get(slots.position)?;
            let price = results.get(slots.price).map_err(|e| {
                ChainError::Decode(format!(
                    "the oracle {} of Morpho market {} ({e})",
                    facts.oracle,
                    facts.label()
                ))
            })?;
            positions.push(MorphoPosition {
                market: self.reader.market.name.clone(),
                facts: facts.clone(),
                user: self.user,
                block_number,
                block_timestamp,
                pending_interest: state
                    .total_borrow_assets
                    .saturating_sub(stored.total_borrow_assets),
                state,
                price,
                supply_shares: position.supplyShares,
                borrow_shares: U256::from(position.borrowShares),
                collateral: U256::from(position.collateral),
            });
        }
        Ok(positions)
    }
}

impl MorphoReader {
    /// A reader over `rpc` for a market of kind `morpho-blue`; nothing is read until the first
    /// lookup. `stablecoins` (symbols) tell which leg "all volatile prices" moves. `None` for a
    /// market of another kind.
    pub fn new(market: MarketConfig, rpc: Rpc, stablecoins: Vec<String>) -> Option<Self> {
        let Protocol::MorphoBlue { morpho, market_ids } = market.protocol.clone() else {
            return None;
        };
        Some(Self {
            market,
            morpho,
            market_ids,
            rpc,
            stablecoins,
            catalog: Discovered::default(),
        })
    }

    /// The configured market.
    pub fn market(&self) -> &MarketConfig {
        &self.market
    }

    /// The symbols counted as stablecoins.
    pub fn stablecoins(&self) -> &[String] {
        &self.stablecoins
    }

    /// The connection.
    pub fn rpc(&self) -> &Rpc {
        &self.rpc
    }

    /// The markets, discovered on first use (within the connection's deadline).
    pub async fn catalog(&self) -> Result<Arc<MorphoCatalog>, ChainError> {
        if let Some(catalog) = self.discovered() {
            return Ok(catalog);
        }
        self.rpc.within_deadline(self.discover_once()).await
    }

    /// The catalog when it is already discovered (no request is made).
    pub fn discovered(&self) -> Option<Arc<MorphoCatalog>> {
        self.catalog.get()
    }

    fn forget(&self, stale: &Arc<MorphoCatalog>) {
        if self.catalog.forget(stale) {
            tracing::warn!(market = %self.market.name, "the Morpho markets changed since discovery; discovering them again on the next lookup");
        }
    }

    async fn discover_once(&self) -> Result<Arc<MorphoCatalog>, ChainError> {
        self.catalog.get_or_discover(|| self.discover()).await
    }

    async fn run(&self, batch: Batch, block: BlockId) -> Result<BatchResults, ChainError> {
        batch.run(&self.rpc, self.market.multicall3, block).await
    }

    /// Checks the chain, finds the market ids (configured, or from `CreateMarket` events),
    /// then reads each market's parameters and its tokens' symbols and decimals.
    async fn discover(&self) -> Result<MorphoCatalog, ChainError> {
        self.rpc.expect_chain(self.market.chain_id).await?;
        let ids = if self.market_ids.is_empty() {
            self.created_markets().await?
        } else {
            self.market_ids.clone()
        };
        let mut batch = Batch::new();
        let params: Vec<_> = ids
            .iter()
            .map(|&id| batch.add(self.morpho, Morpho::idToMarketParamsCall::new((id,))))
            .collect();
        let results = self.run(batch, BlockId::latest()).await?;
        let not_morpho = |detail: String| {
            ChainError::NotAMarket(format!(
                "{} on {} is not a Morpho Blue contract ({detail})",
                self.morpho, self.rpc.display_url
            ))
        };
        let mut found = Vec::with_capacity(ids.len());
        for (&id, slot) in ids.iter().zip(params) {
            let p = results
                .get(slot)
                .map_err(|e| not_morpho(format!("idToMarketParams: {e}")))?;
            // A market never created reads as all zeros (Morpho has no market with LLTV 0
            // and no loan token).
            if p.loanToken.is_zero() && p.lltv.is_zero() {
                return Err(ChainError::NotAMarket(format!(
                    "Morpho {} on {} has no market {id} (check `market_ids` of market {:?})",
                    self.morpho, self.rpc.display_url, self.market.name
                )));
            }
            found.push((id, p));
        }
        let mut batch = Batch::new();
        let token_slots: Vec<_> = found
            .iter()
            .map(|(_, p)| {
                let facts = |token: Address, batch: &mut Batch| {
                    (
                        token,
                        batch.add(token, IERC20Detailed::symbolCall {}),
                        batch.add(token, IERC20Detailed::decimalsCall {}),
                    )
                };
                (
                    facts(p.loanToken, &mut batch),
                    facts(p.collateralToken, &mut batch),
                )
            })
            .collect();
        let results = self.run(batch, BlockId::latest()).await?;
        let token = |(address, symbol, decimals): (Address, Slot<_>, Slot<_>)| TokenFacts {
            address,
            // A symbol is remote text shown to users: printable, or a short address.
            symbol: results
                .ok(symbol)
                .map(|s: String| printable(&s).trim().to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("{address:.4}")),
            decimals: results.ok(decimals).unwrap_or(18),
        };
        let markets = found
            .into_iter()
            .zip(token_slots)
            .map(|((id, p), (loan, collateral))| MarketFacts {
                id,
                loan: token(loan),
                collateral: token(collateral),
                oracle: p.oracle,
                irm: p.irm,
                lltv: p.lltv,
            })
            .collect();
        Ok(MorphoCatalog {
            morpho: self.morpho,
            markets,
        })
    }

    /// Every market the contract created, from its `CreateMarket` events, in creation order.
    async fn created_markets(&self) -> Result<Vec<B256>, ChainError> {
        let filter = Filter::new()
            .address(self.morpho)
            .event_signature(CreateMarket::SIGNATURE_HASH)
            .from_block(0);
        let logs = self.rpc.run(self.rpc.provider.get_logs(&filter)).await.map_err(|e| {
            ChainError::NotAMarket(format!(
                "could not list the markets of Morpho {} ({e}); name them in `market_ids` of market {:?}",
                self.morpho, self.market.name
            ))
        })?;
        let mut ids = Vec::new();
        for log in logs {
            if let Some(&id) = log.topics().get(1)
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Every liquidation in the deployment's markets between blocks `from` and `to`, inclusive.
    pub async fn liquidations(
        &self,
        from: u64,
        to: u64,
    ) -> Result<Vec<MorphoLiquidation>, ChainError> {
        let filter = Filter::new()
            .address(self.morpho)
            .event_signature(Liquidate::SIGNATURE_HASH)
            .from_block(from)
            .to_block(to);
        let logs = self.rpc.run(self.rpc.provider.get_logs(&filter)).await?;
        let mut found = Vec::with_capacity(logs.len());
        for log in logs {
            let decoded = Liquidate::decode_log(&log.inner)
                .map_err(|e| ChainError::Decode(format!("Morpho Liquidate event: {e}")))?;
            found.push(MorphoLiquidation {
                market: decoded.id,
                borrower: decoded.borrower,
                liquidator: decoded.caller,
                repaid: decoded.repaidAssets,
                seized: decoded.seizedAssets,
                bad_debt: decoded.badDebtAssets,
                block_number: log.block_number.unwrap_or(to),
                log_index: log.log_index.unwrap_or_default(),
                transaction: log.transaction_hash.unwrap_or_default(),
            });
        }
        Ok(found)
    }

    /// The user's positions in every market of the deployment, read in one HTTP round trip at
    /// one block (after the first lookup, which also discovers the markets), empty ones
    /// included. One deadline, the configured timeout, covers every request.
    pub async fn positions(&self, user: Address) -> Result<Vec<MorphoPosition>, ChainError> {
        self.rpc
            .within_deadline(async {
                let (batch, pending) = self.plan(user).await?;
                let results = self.run(batch, BlockId::latest()).await?;
                pending.finish(&results)
            })
            .await
    }

    /// The first half of a read: the catalog (discovered on first use) and the batch that
    /// reads `user` in every market. Run it alone, or [append](Batch::append) it to other
    /// markets' batches on the same node and Multicall3, then give its results to
    /// [`PendingMorpho::finish`].
    pub async fn plan(&self, user: Address) -> Result<(Batch, PendingMorpho<'_>), ChainError> {
        let catalog = self.catalog().await?;
        let multicall = self.market.multicall3;
        let mut batch = Batch::new();
        let block_number = batch.add(multicall, Multicall3::getBlockNumberCall {});
        let timestamp = batch.add(multicall, Multicall3::getCurrentBlockTimestampCall {});
        let markets = catalog
            .markets
            .iter()
            .map(|m| {
                let params = Morpho::MarketParams {
                    loanToken: m.loan.address,
                    collateralToken: m.collateral.address,
                    oracle: m.oracle,
                    irm: m.irm,
                    lltv: m.lltv,
                };
                MarketSlots {
                    params: batch.add(self.morpho, Morpho::idToMarketParamsCall::new((m.id,))),
                    stored: batch.add(self.morpho, Morpho::marketCall::new((m.id,))),
                    accrued: {
                        // Morpho's accrual, simulated inside the call (its result is the
                        // second `market` read).
                        batch.add(
                            self.morpho,
                            Morpho::accrueInterestCall {
                                marketParams: params,
                            },
                        );
                        batch.add(self.morpho, Morpho::marketCall::new((m.id,)))
                    },
                    position: batch.add(self.morpho, Morpho::positionCall::new((m.id, user))),
                    price: batch.add(m.oracle, OracleMock::priceCall {}),
                }
            })
            .collect();
        Ok((
            batch,
            PendingMorpho {
                reader: self,
                catalog,
                user,
                block_number,
                timestamp,
                markets,
            },
        ))
    }
}
