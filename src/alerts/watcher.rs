//! One market's watcher: at each new block, what changed (one `eth_getLogs`), the market's
//! shared state (one snapshot), fresh reads of only the accounts that changed, and every other
//! watched position recomputed locally; a crossing is confirmed by a fresh exact read before
//! its alert is written to the outbox (state and alert in one flushed step) for delivery.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use alloy::providers::Provider;

use crate::chain::aave_v3::AaveV3Reader;
use crate::chain::aave_v3::accounts::{ScaledAccount, evaluate};
use crate::chain::aave_v3::changes::{Changes, Liquidation};
use crate::chain::aave_v3::snapshot::MarketSnapshot;
use crate::chain::error::ChainError;
use crate::chain::risk::{self, Leg};
use crate::lang::Lang;
use crate::store::{
    AlertMark, AlertSettings, LastAlert, NoticeKind, OutboxEntry, Severity, Store, StoreError,
};

use super::levels::{self, Levels, Step};
use super::notice::{self, AlertFacts, Moved};
use super::{AlertsConfig, Shard, dedup_key, liquidation_key};

/// What can stop a tick.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The node failed: the watcher pauses and catches up later.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One watched address of this market.
#[derive(Debug, Clone)]
struct Watched {
    account: ScaledAccount,
    /// Health factor at the last evaluated block (None before the first).
    hf: Option<U256>,
    /// Its account changed in the blocks of this tick.
    changed: bool,
}

/// One subscriber of an address.
#[derive(Debug, Clone)]
pub(super) struct Subscriber {
    pub(super) settings: AlertSettings,
    pub(super) lang: Lang,
}

/// Who watches what, from the store's settings and linked addresses: every subscriber of each
/// address (its own watches, and its linked addresses unless alerts are off or muted there).
pub(super) async fn load_subscribers(
    store: &Store,
    shard: Shard,
) -> Result<HashMap<Address, Vec<Subscriber>>, StoreError> {
    let mut subscribers: HashMap<Address, Vec<Subscriber>> = HashMap::new();
    for settings in store.all_alert_settings().await? {
        let user = store.user(settings.user).await?;
        let lang = user.as_ref().map(|u| u.speaks()).unwrap_or_default();
        let mut addresses: Vec<Address> = settings.watched.clone();
        if settings.enabled {
            addresses.extend(
                user.iter()
                    .flat_map(|u| u.links.iter().map(|l| l.address))
                    .filter(|a| !settings.muted.contains(a)),
            );
        }
        addresses.retain(|a| shard.owns(a));
        addresses.sort();
        addresses.dedup();
        for address in addresses {
            subscribers.entry(address).or_default().push(Subscriber {
                settings: settings.clone(),
                lang,
            });
        }
    }
    Ok(subscribers)
}

/// The block ranges after `cursor` up to `head`, each at most `max` blocks (what the node
/// accepts in one `eth_getLogs`); none without a cursor (the first tick starts at the head).
pub(super) fn log_ranges(cursor: Option<u64>, head: u64, max: u64) -> Vec<(u64, u64)> {
    let mut ranges = Vec::new();
    let Some(cursor) = cursor else {
        return ranges;
    };
    let mut from = cursor + 1;
    while from <= head {
        let to = head.min(from + max.max(1) - 1);
        ranges.push((from, to));
        from = to + 1;
    }
    ranges
}

/// What a tick decided, written: changed marks and new alerts in one flushed step, then the
/// cursor of `market`'s `shard` at `head`. The alerts written.
pub(super) async fn write_tick(
    store: &Store,
    (market, shard): (&str, Shard),
    head: u64,
    marks: &[AlertMark],
    outbox: &[OutboxEntry],
) -> Result<usize, StoreError> {
    if !marks.is_empty() || !outbox.is_empty() {
        store.save_alert_marks(marks, outbox).await?;
    }
    store
        .set_watch_cursor(&shard.cursor_key(market), head)
        .await?;
    Ok(outbox.len())
}

/// A step to tell: the position read, and what the step is.
pub(super) struct Crossing<'a> {
    /// The position, freshly read (common model).
    pub(super) position: &'a crate::chain::position::Position,
    /// Its health factor, wad.
    pub(super) hf: U256,
    /// The health factor at the last check.
    pub(super) previous: Option<U256>,
    /// Why it moved.
    pub(super) moved: Moved,
    /// The level fallen under.
    pub(super) severity: Severity,
    /// The state at subscription rather than a crossing.
    pub(super) state: bool,
}

/// The notice of `crossing` for one subscriber, its mark updated: held back (none) while the
/// subscriber's snooze or quiet hours hold a warning, else the outbox entry.
pub(super) fn alert_entry(
    mark: &mut AlertMark,
    sub: &Subscriber,
    levels: &Levels,
    config: &AlertsConfig,
    crossing: Crossing<'_>,
    now: u64,
) -> Option<OutboxEntry> {
    let Crossing {
        position,
        hf,
        previous,
        moved,
        severity,
        state,
    } = crossing;
    if !state && !levels::sends_now(&sub.settings, severity, now) {
        mark.held = Some(severity);
        return None;
    }
    mark.held = None;
    mark.crossings += 1;
    let facts = AlertFacts {
        position,
        previous,
        moved,
        severity,
        state,
        level: match severity {
            Severity::Warning => levels.warning,
            Severity::Critical => levels.critical,
        },
        comfort: levels::wad_of(config.comfort.max(sub.settings.warning + config.margin)),
    };
    let kind = if state {
        NoticeKind::State
    } else {
        NoticeKind::Alert(severity)
    };
    mark.last_alert = Some(LastAlert {
        at: now,
        severity,
        health_factor: hf.to_string(),
        block: position.block_number,
    });
    let (user, address) = (sub.settings.user, mark.address);
    Some(OutboxEntry {
        key: dedup_key(user, &mark.market, address, kind, position.block_number),
        user,
        market: mark.market.clone(),
        address,
        kind,
        text: notice::alert_text(&facts, sub.lang),
        buttons: notice::alert_buttons(address, sub.lang),
        created_at: now,
        seq: 0,
    })
}

/// The step a subscriber's mark takes at health factor `hf`: a crossing or the state, else a
/// held-back alert released.
pub(super) fn step_of(
    mark: &mut AlertMark,
    levels: &Levels,
    settings: &AlertSettings,
    hf: U256,
    now: u64,
) -> Step {
    match levels::step(levels, &mut mark.arming, hf) {
        Step::Quiet => released(mark, levels, settings, hf, now),
        other => other,
    }
}

/// What one tick did (for tests, logs and the benchmark).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// The block evaluated (None: no new block).
    pub block: Option<u64>,
    /// Positions evaluated.
    pub evaluated: usize,
    /// Accounts read over RPC this tick (new or changed).
    pub read: usize,
    /// Outbox entries written.
    pub written: usize,
    /// Crossings the fresh read did not confirm.
    pub unconfirmed: usize,
}

/// The watcher of one market.
pub struct MarketWatcher {
    reader: Arc<AaveV3Reader>,
    store: Store,
    config: AlertsConfig,
    book: HashMap<Address, Watched>,
    /// Subscribers per address, rebuilt from the store when it changes.
    subscribers: HashMap<Address, Vec<Subscriber>>,
    marks: HashMap<(i64, Address), AlertMark>,
    cursor: Option<u64>,
    previous: Option<MarketSnapshot>,
    scratch: Vec<Leg>,
}

impl std::fmt::Debug for MarketWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MarketWatcher")
            .field("market", &self.market())
            .field("watched", &self.book.len())
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

impl MarketWatcher {
    /// A watcher of `reader`'s market, resuming after the block the store last recorded.
    pub async fn new(
        reader: Arc<AaveV3Reader>,
        store: Store,
        config: AlertsConfig,
    ) -> Result<Self, StoreError> {
        let market = reader.market().name.clone();
        let cursor = config.shard.start_cursor(&store, &market).await?;
        let marks = stored_marks(&store, &market, config.shard).await?;
        Ok(Self {
            reader,
            store,
            config,
            book: HashMap::new(),
            subscribers: HashMap::new(),
            marks,
            cursor,
            previous: None,
            scratch: Vec::new(),
        })
    }

    /// The market's name.
    pub fn market(&self) -> &str {
        &self.reader.market().name
    }

    /// The last block processed.
    pub fn cursor(&self) -> Option<u64> {
        self.cursor
    }

    /// How many addresses are watched.
    pub fn watched(&self) -> usize {
        self.book.len()
    }

    /// Rebuilds who watches what from the store's settings and linked addresses.
    pub async fn reload_subscriptions(&mut self) -> Result<(), StoreError> {
        let subscribers = load_subscribers(&self.store, self.config.shard).await?;
        self.book.retain(|a, _| subscribers.contains_key(a));
        // A watch that ended forgets its state: watching again starts afresh (the state once
        // if under a level).
        let ended: Vec<(i64, Address)> = self
            .marks
            .keys()
            .filter(|(user, address)| {
                !subscribers
                    .get(address)
                    .is_some_and(|subs| subs.iter().any(|s| s.settings.user == *user))
            })
            .copied()
            .collect();
        for (user, address) in ended {
            self.marks.remove(&(user, address));
            self.store
                .remove_alert_mark(user, self.reader.market().name.as_str(), address)
                .await?;
        }
        self.subscribers = subscribers;
        Ok(())
    }

    /// Processes every block up to the node's head: one evaluation at the head, with the
    /// events of every block since the last one (a gap after an outage included).
    pub async fn tick(&mut self, now: u64) -> Result<TickReport, WatchError> {
        let rpc = self.reader.rpc();
        let head = rpc.run(rpc.provider.get_block_number()).await?;
        let mut report = TickReport::default();
        if self.cursor.is_some_and(|c| c >= head) {
            return Ok(report);
        }
        let Changes {
            users: changed,
            liquidations,
        } = self.changes_until(head).await?;
        let wanted = self.mark_changed(&changed);
        report.read = self.refresh_accounts(wanted, changed, head).await?;
        let categories: BTreeSet<u8> = self.book.values().map(|w| w.account.emode).collect();
        let snapshot = self
            .reader
            .snapshot(BlockId::number(head), &categories)
            .await?;
        let mut marks_out = Vec::new();
        let mut outbox = Vec::new();
        let noticed = match self
            .evaluate_all(&snapshot, now, &mut report, &mut marks_out, &mut outbox)
            .await
        {
            Ok(()) => {
                self.notice_liquidations(liquidations, now, &mut outbox)
                    .await
            }
            Err(e) => Err(e.into()),
        };
        if let Err(e) = noticed {
            // The marks in memory already took this block's crossings; the store still has
            // them armed. Back to the store's, so the next tick finds the crossings again.
            self.marks = stored_marks(&self.store, self.market(), self.config.shard).await?;
            return Err(e);
        }
        let cursor = (self.market(), self.config.shard);
        report.written = write_tick(&self.store, cursor, head, &marks_out, &outbox).await?;
        self.cursor = Some(head);
        self.previous = Some(snapshot);
        report.block = Some(head);
        Ok(report)
    }

    /// The events since the cursor, in ranges the node accepts. The first tick has no cursor:
    /// it starts at the head.
    async fn changes_until(&self, head: u64) -> Result<Changes, ChainError> {
        let mut all = Changes::default();
        for (from, to) in log_ranges(self.cursor, head, self.config.max_log_range) {
            let part = self.reader.changes(from, to).await?;
            all.users.extend(part.users);
            all.liquidations.extend(part.liquidations);
        }
        Ok(all)
    }

    /// Marks the watched accounts that changed; the addresses to read: new, changed, or with
    /// stable debt (whose balance grows at its own rate).
    fn mark_changed(&mut self, changed: &HashSet<Address>) -> Vec<Address> {
        for w in self.book.values_mut() {
            w.changed = changed.contains(&w.account.user);
        }
        self.subscribers
            .keys()
            .filter(|a| {
                self.book
                    .get(*a)
                    .is_none_or(|w| w.changed || w.account.has_stable_debt())
            })
            .copied()
            .collect()
    }

    /// Reads `wanted` at `head` into the book; how many.
    async fn refresh_accounts(
        &mut self,
        wanted: Vec<Address>,
        changed: HashSet<Address>,
        head: u64,
    ) -> Result<usize, ChainError> {
        if wanted.is_empty() {
            return Ok(0);
        }
        let accounts = self.reader.read_accounts(&wanted, head).await?;
        for account in accounts {
            let hf = self.book.get(&account.user).and_then(|w| w.hf);
            let changed = changed.contains(&account.user);
            self.book.insert(
                account.user,
                Watched {
                    account,
                    hf,
                    changed,
                },
            );
        }
        Ok(wanted.len())
    }

    /// Evaluates every watched position and writes what its subscribers must hear.
    async fn evaluate_all(
        &mut self,
        snapshot: &MarketSnapshot,
        now: u64,
        report: &mut TickReport,
        marks_out: &mut Vec<AlertMark>,
        outbox: &mut Vec<OutboxEntry>,
    ) -> Result<(), ChainError> {
        // Local evaluation of everyone; the steps that call for a notice are collected. A mark
        // is only copied out when it changed: most blocks change none.
        let mut due: Vec<(Address, i64, Step, Option<U256>)> = Vec::new();
        let mut changed: HashSet<(i64, Address)> = HashSet::new();
        for (address, watched) in self.book.iter_mut() {
            let Some(totals) = evaluate(snapshot, &watched.account, &mut self.scratch) else {
                continue;
            };
            report.evaluated += 1;
            let previous = watched.hf.replace(totals.health_factor);
            for sub in self.subscribers.get(address).into_iter().flatten() {
                let levels = Levels::of(&sub.settings, self.config.margin);
                let key = (sub.settings.user, *address);
                let mark = self
                    .marks
                    .entry(key)
                    .or_insert_with(|| new_mark(key.0, self.reader.market().name.clone(), key.1));
                let before = (mark.arming, mark.held);
                let step = step_of(mark, &levels, &sub.settings, totals.health_factor, now);
                if step != Step::Quiet {
                    due.push((*address, sub.settings.user, step, previous));
                }
                if (mark.arming, mark.held) != before {
                    changed.insert(key);
                }
            }
        }
        // Each notice is confirmed by a fresh read of its address (one per address).
        let mut fresh: HashMap<Address, (crate::chain::position::Position, U256)> = HashMap::new();
        for (address, user, step, previous) in due {
            if let std::collections::hash_map::Entry::Vacant(slot) = fresh.entry(address) {
                let position = self.reader.position(address).await?;
                let hf = risk::account_totals(&position).health_factor;
                slot.insert((position, hf));
            }
            let (position, hf) = &fresh[&address];
            let hf = *hf;
            let Some(sub) = self
                .subscribers
                .get(&address)
                .and_then(|subs| subs.iter().find(|s| s.settings.user == user))
            else {
                continue;
            };
            let levels = Levels::of(&sub.settings, self.config.margin);
            let Some(mark) = self.marks.get_mut(&(user, address)) else {
                continue;
            };
            changed.insert((user, address));
            let (severity, state) = match step {
                Step::Alert(s) => (s, false),
                Step::State(s) => (s, true),
                Step::Quiet => continue,
            };
            // Not confirmed: the level alerts again at the next fall.
            if levels::under(&levels, hf).is_none_or(|now| now < severity) {
                report.unconfirmed += 1;
                match severity {
                    Severity::Warning => mark.arming.warning = true,
                    Severity::Critical => mark.arming.critical = true,
                }
                continue;
            }
            let moved = moved(self.previous.as_ref(), snapshot, &self.book[&address]);
            let crossing = Crossing {
                position,
                hf,
                previous,
                moved,
                severity,
                state,
            };
            outbox.extend(alert_entry(mark, sub, &levels, &self.config, crossing, now));
        }
        // Every mark that changed this tick is written with the outbox.
        marks_out.extend(changed.iter().filter_map(|k| self.marks.get(k)).cloned());
        Ok(())
    }

    /// A notice per subscriber of each liquidated watched address, with the position after.
    async fn notice_liquidations(
        &mut self,
        liquidations: Vec<Liquidation>,
        now: u64,
        outbox: &mut Vec<OutboxEntry>,
    ) -> Result<(), WatchError> {
        for l in &liquidations {
            let Some(subs) = self.subscribers.get(&l.user) else {
                continue;
            };
            let position = self.reader.position(l.user).await?;
            for sub in subs {
                let user = sub.settings.user;
                let key = liquidation_key(user, l.block_number, l.log_index);
                if self.store.alert_was_sent(&key).await? {
                    continue;
                }
                outbox.push(OutboxEntry {
                    key,
                    user,
                    market: self.reader.market().name.clone(),
                    address: l.user,
                    kind: NoticeKind::Liquidation,
                    text: notice::liquidation_text(l, &position, sub.lang),
                    buttons: notice::liquidation_buttons(l.user, sub.lang),
                    created_at: now,
                    seq: 0,
                });
            }
        }
        Ok(())
    }
}

/// The alert states the store holds for `market` and the addresses of `shard`, by user and
/// address (another share's are not this watcher's to keep or end).
async fn stored_marks(
    store: &Store,
    market: &str,
    shard: Shard,
) -> Result<HashMap<(i64, Address), AlertMark>, StoreError> {
    Ok(store
        .alert_marks()
        .await?
        .into_iter()
        .filter(|m| m.market == market && shard.owns(&m.address))
        .map(|m| ((m.user, m.address), m))
        .collect())
}

pub(super) fn new_mark(user: i64, market: String, address: Address) -> AlertMark {
    AlertMark {
        user,
        market,
        address,
        arming: Default::default(),
        crossings: 0,
        last_alert: None,
        held: None,
    }
}

/// A held-back alert whose snooze or quiet hours are over goes out if the position is still
/// under its level; otherwise it is dropped.
fn released(
    mark: &mut AlertMark,
    levels: &Levels,
    settings: &AlertSettings,
    hf: U256,
    now: u64,
) -> Step {
    let Some(held) = mark.held else {
        return Step::Quiet;
    };
    if !levels::sends_now(settings, held, now) {
        return Step::Quiet;
    }
    match levels::under(levels, hf) {
        Some(s) => Step::Alert(s),
        None => {
            mark.held = None;
            Step::Quiet
        }
    }
}

/// What moved the position since the previous snapshot.
fn moved(previous: Option<&MarketSnapshot>, now: &MarketSnapshot, watched: &Watched) -> Moved {
    let Some(previous) = previous else {
        return Moved::Unknown;
    };
    if watched.changed {
        return Moved::Position;
    }
    let prices: Vec<(usize, U256, U256)> = watched
        .account
        .legs
        .iter()
        .map(|l| usize::from(l.reserve))
        .filter_map(|i| {
            let (before, after) = (previous.reserves.get(i)?.price, now.reserves.get(i)?.price);
            (before != after).then_some((i, before, after))
        })
        .collect();
    if prices.is_empty() {
        Moved::Interest
    } else {
        Moved::Prices(prices)
    }
}
