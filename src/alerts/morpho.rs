//! One Morpho Blue deployment's watcher: at each new block, every watched address's positions
//! in every market of the deployment, read exactly at that block (interest accrued by Morpho's
//! own `accrueInterest` in the same call; many addresses per Multicall3 request), then each
//! subscriber's levels stepped per Morpho market. The read is the fresh exact read an Aave
//! crossing waits for, so a crossing here needs no confirmation; state and alert go to the
//! outbox in one flushed step, as the Aave watcher writes them. Marks are kept per Morpho
//! market (the market named as answers name it), so two markets of one address alert apart.
//! Morpho's `Liquidate` events since the last block give each subscriber one notice, with what
//! was repaid and seized and the debt Morpho wrote off when the collateral ran out.

use std::collections::HashMap;
use std::sync::Arc;

use alloy::eips::BlockId;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use futures::future::join_all;

use crate::chain::aave_v3::changes::Liquidation;
use crate::chain::batch::Batch;
use crate::chain::error::ChainError;
use crate::chain::format;
use crate::chain::morpho_blue::{MorphoLiquidation, MorphoPosition, MorphoReader, common};
use crate::store::{AlertMark, NoticeKind, OutboxEntry, Store, StoreError};

use super::levels::{Levels, Step};
use super::notice::{self, Moved};
use super::watcher::{
    Crossing, Subscriber, TickReport, WatchError, alert_entry, load_subscribers, log_ranges,
    new_mark, step_of, write_tick,
};
use super::{AlertsConfig, Shard, liquidation_key};

/// Addresses read per Multicall3 request (each adds six calls per market).
const ADDRESSES_PER_CALL: usize = 100;

/// What the last tick saw of one position: health factor and oracle price.
#[derive(Debug, Clone, Copy)]
struct Seen {
    hf: U256,
    price: U256,
    borrow_shares: U256,
    collateral: U256,
}

/// The watcher of one Morpho deployment.
pub struct MorphoWatcher {
    reader: Arc<MorphoReader>,
    store: Store,
    config: AlertsConfig,
    subscribers: HashMap<Address, Vec<Subscriber>>,
    /// By (user, Morpho market name, address).
    marks: HashMap<(i64, String, Address), AlertMark>,
    seen: HashMap<(Address, B256), Seen>,
    cursor: Option<u64>,
}

impl std::fmt::Debug for MorphoWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MorphoWatcher")
            .field("market", &self.reader.market().name)
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

/// The marks the store holds for the Morpho markets of `deployment` and the addresses of
/// `shard`.
async fn stored_marks(
    store: &Store,
    deployment: &str,
    shard: Shard,
) -> Result<HashMap<(i64, String, Address), AlertMark>, StoreError> {
    let prefix = format!("{deployment} ");
    Ok(store
        .alert_marks()
        .await?
        .into_iter()
        .filter(|m| m.market.starts_with(&prefix) && shard.owns(&m.address))
        .map(|m| ((m.user, m.market.clone(), m.address), m))
        .collect())
}

impl MorphoWatcher {
    /// A watcher of `reader`'s deployment, resuming from the store's cursor and marks.
    pub async fn new(
        reader: Arc<MorphoReader>,
        store: Store,
        config: AlertsConfig,
    ) -> Result<Self, StoreError> {
        let deployment = reader.market().name.clone();
        Ok(Self {
            cursor: config.shard.start_cursor(&store, &deployment).await?,
            marks: stored_marks(&store, &deployment, config.shard).await?,
            reader,
            store,
            config,
            subscribers: HashMap::new(),
            seen: HashMap::new(),
        })
    }

    /// The deployment's configured name.
    pub fn market(&self) -> &str {
        &self.reader.market().name
    }

    /// The last block processed.
    pub fn cursor(&self) -> Option<u64> {
        self.cursor
    }

    /// Rebuilds who watches what; a watch that ended forgets its marks.
    pub async fn reload_subscriptions(&mut self) -> Result<(), StoreError> {
        let subscribers = load_subscribers(&self.store, self.config.shard).await?;
        let ended: Vec<(i64, String, Address)> = self
            .marks
            .keys()
            .filter(|(user, _, address)| {
                !subscribers
                    .get(address)
                    .is_some_and(|subs| subs.iter().any(|s| s.settings.user == *user))
            })
            .cloned()
            .collect();
        for key in ended {
            self.marks.remove(&key);
            self.store.remove_alert_mark(key.0, &key.1, key.2).await?;
        }
        self.seen.retain(|(a, _), _| subscribers.contains_key(a));
        self.subscribers = subscribers;
        Ok(())
    }

    /// Reads every watched address at `head`, many per request.
    async fn read_all(&self, head: u64) -> Result<Vec<(Address, Vec<MorphoPosition>)>, ChainError> {
        let addresses: Vec<Address> = self.subscribers.keys().copied().collect();
        let mut out = Vec::with_capacity(addresses.len());
        for chunk in addresses.chunks(ADDRESSES_PER_CALL) {
            let plans = join_all(chunk.iter().map(|&a| self.reader.plan(a))).await;
            let mut combined = Batch::new();
            let mut pending = Vec::with_capacity(chunk.len());
            for (&address, plan) in chunk.iter().zip(plans) {
                let (batch, read) = plan?;
                pending.push((address, combined.append(batch), read));
            }
            let results = combined
                .run(
                    self.reader.rpc(),
                    self.reader.market().multicall3,
                    BlockId::number(head),
                )
                .await?;
            for (address, range, read) in pending {
                out.push((address, read.finish(&results.part(range))?));
            }
        }
        Ok(out)
    }

    /// Processes the node's head: every watched position read at it, levels stepped.
    pub async fn tick(&mut self, now: u64) -> Result<TickReport, WatchError> {
        let rpc = self.reader.rpc();
        let head = rpc.run(rpc.provider.get_block_number()).await?;
        let mut report = TickReport::default();
        if self.cursor.is_some_and(|c| c >= head) {
            return Ok(report);
        }
        let liquidations = self.liquidations_until(head).await?;
        let read = self.read_all(head).await?;
        report.read = read.len();
        let mut marks_out = Vec::new();
        let mut outbox = Vec::new();
        for (address, positions) in &read {
            for m in positions {
                self.evaluate(*address, m, now, &mut report, &mut marks_out, &mut outbox);
            }
        }
        for l in &liquidations {
            let after = read
                .iter()
                .filter(|(address, _)| *address == l.borrower)
                .flat_map(|(_, positions)| positions)
                .find(|m| m.facts.id == l.market);
            if let Some(after) = after {
                self.notice_liquidation(l, after, now, &mut outbox).await?;
            }
        }
        let cursor = (self.market(), self.config.shard);
        report.written = write_tick(&self.store, cursor, head, &marks_out, &outbox).await?;
        self.cursor = Some(head);
        report.block = Some(head);
        Ok(report)
    }

    /// The liquidations since the cursor, in ranges the node accepts; none on the first tick
    /// (it starts at the head).
    async fn liquidations_until(&self, head: u64) -> Result<Vec<MorphoLiquidation>, ChainError> {
        let mut all = Vec::new();
        for (from, to) in log_ranges(self.cursor, head, self.config.max_log_range) {
            all.extend(self.reader.liquidations(from, to).await?);
        }
        Ok(all)
    }

    /// A notice per subscriber of a liquidated watched address, with the position after (and
    /// the bad debt Morpho wrote off, if the collateral ran out).
    async fn notice_liquidation(
        &self,
        l: &MorphoLiquidation,
        after: &MorphoPosition,
        now: u64,
        outbox: &mut Vec<OutboxEntry>,
    ) -> Result<(), StoreError> {
        let position = common::to_position(after, self.reader.stablecoins());
        let facts = &after.facts;
        let event = Liquidation {
            user: l.borrower,
            collateral_asset: facts.collateral.address,
            debt_asset: facts.loan.address,
            debt_to_cover: l.repaid,
            liquidated_collateral: l.seized,
            liquidator: l.liquidator,
            block_number: l.block_number,
            transaction: l.transaction,
            log_index: l.log_index,
        };
        for sub in self.subscribers.get(&l.borrower).into_iter().flatten() {
            let user = sub.settings.user;
            let key = liquidation_key(user, l.block_number, l.log_index);
            if self.store.alert_was_sent(&key).await? {
                continue;
            }
            let mut text = notice::liquidation_text(&event, &position, sub.lang);
            if !l.bad_debt.is_zero() {
                let amount = format!(
                    "{} {}",
                    format::token(l.bad_debt, facts.loan.decimals),
                    facts.loan.symbol
                );
                text.push_str(&notice::bad_debt_line(&amount, sub.lang));
                text.push('\n');
            }
            outbox.push(OutboxEntry {
                key,
                user,
                market: position.market.clone(),
                address: l.borrower,
                kind: NoticeKind::Liquidation,
                text,
                buttons: notice::liquidation_buttons(l.borrower, sub.lang),
                created_at: now,
                seq: 0,
            });
        }
        Ok(())
    }

    /// One position at this block: each subscriber's levels stepped, notices written.
    fn evaluate(
        &mut self,
        address: Address,
        m: &MorphoPosition,
        now: u64,
        report: &mut TickReport,
        marks_out: &mut Vec<AlertMark>,
        outbox: &mut Vec<OutboxEntry>,
    ) {
        let key = (address, m.facts.id);
        if m.is_empty() && !self.seen.contains_key(&key) {
            return;
        }
        // The health factor from Morpho's integers directly; the common model is built only
        // for a notice.
        let hf = common::totals(m).health_factor;
        report.evaluated += 1;
        let before = self.seen.insert(
            key,
            Seen {
                hf,
                price: m.price,
                borrow_shares: m.borrow_shares,
                collateral: m.collateral,
            },
        );
        let mut position = None;
        let market = common::market_name(&m.market, &m.facts);
        for sub in self.subscribers.get(&address).into_iter().flatten() {
            let levels = Levels::of(&sub.settings, self.config.margin);
            let user = sub.settings.user;
            let mark = self
                .marks
                .entry((user, market.clone(), address))
                .or_insert_with(|| new_mark(user, market.clone(), address));
            let was = (mark.arming, mark.held);
            let step = step_of(mark, &levels, &sub.settings, hf, now);
            let (severity, state) = match step {
                Step::Quiet => {
                    if (mark.arming, mark.held) != was {
                        marks_out.push(mark.clone());
                    }
                    continue;
                }
                Step::Alert(s) => (s, false),
                Step::State(s) => (s, true),
            };
            let position =
                position.get_or_insert_with(|| common::to_position(m, self.reader.stablecoins()));
            let crossing = Crossing {
                position,
                hf,
                previous: before.map(|b| b.hf),
                moved: moved_since(before, m),
                severity,
                state,
            };
            outbox.extend(alert_entry(mark, sub, &levels, &self.config, crossing, now));
            marks_out.push(mark.clone());
        }
    }
}

/// What moved a position since the last tick saw it.
fn moved_since(before: Option<Seen>, m: &MorphoPosition) -> Moved {
    match before {
        None => Moved::Unknown,
        Some(b) if b.borrow_shares != m.borrow_shares || b.collateral != m.collateral => {
            Moved::Position
        }
        // The oracle's ratio moved: shown as the collateral's price in the loan token.
        Some(b) if b.price != m.price => Moved::Prices(vec![(
            common::COLLATERAL,
            m.price_of_unit(b.price),
            m.price_of_unit(m.price),
        )]),
        Some(_) => Moved::Interest,
    }
}
