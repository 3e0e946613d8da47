//! Following the chains: one task per market polls the node's head every `poll` (and, where a
//! WebSocket endpoint is configured, ticks at once when [`super::heads`] announces a block),
//! runs its watcher's tick, reloads who watches what when the desk says it changed, and wakes
//! the sender when a tick wrote alerts. A node failure pauses the market with one event (staff hear
//! of it once), retries with a growing pause, and the first tick after it catches up over the
//! gap (its events included) before saying the node is back.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use crate::chain::aave_v3::AaveV3Reader;
use crate::chain::morpho_blue::MorphoReader;
use crate::clock::unix_now;
use crate::store::Store;

use super::morpho::MorphoWatcher;
use super::watcher::{MarketWatcher, TickReport, WatchError};
use crate::store::StoreError;

/// What a follower follows: an Aave market, or a Morpho deployment.
#[derive(Debug, Clone)]
pub enum Followed {
    /// An Aave v3 market.
    Aave(Arc<AaveV3Reader>),
    /// A Morpho Blue deployment (all its markets).
    Morpho(Arc<MorphoReader>),
}

impl Followed {
    fn name(&self) -> String {
        match self {
            Self::Aave(r) => r.market().name.clone(),
            Self::Morpho(r) => r.market().name.clone(),
        }
    }
}

/// Either watcher, driven the same way.
enum Watcher {
    Aave(Box<MarketWatcher>),
    Morpho(Box<MorphoWatcher>),
}

impl Watcher {
    async fn new(
        followed: &Followed,
        store: Store,
        config: AlertsConfig,
    ) -> Result<Self, StoreError> {
        Ok(match followed {
            Followed::Aave(r) => Self::Aave(Box::new(
                MarketWatcher::new(r.clone(), store, config).await?,
            )),
            Followed::Morpho(r) => Self::Morpho(Box::new(
                MorphoWatcher::new(r.clone(), store, config).await?,
            )),
        })
    }

    async fn reload_subscriptions(&mut self) -> Result<(), StoreError> {
        match self {
            Self::Aave(w) => w.reload_subscriptions().await,
            Self::Morpho(w) => w.reload_subscriptions().await,
        }
    }

    async fn tick(&mut self, now: u64) -> Result<TickReport, WatchError> {
        match self {
            Self::Aave(w) => w.tick(now).await,
            Self::Morpho(w) => w.tick(now).await,
        }
    }

    fn cursor(&self) -> Option<u64> {
        match self {
            Self::Aave(w) => w.cursor(),
            Self::Morpho(w) => w.cursor(),
        }
    }
}
use super::{AlertsConfig, SubscriptionsChanged};

/// The longest pause between retries while a node is down.
const MAX_PAUSE: Duration = Duration::from_secs(30);

/// What the watchers tell the operator (staff chat, log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// A market's node failed: its alerts wait until it is back. Once per outage.
    Paused {
        /// The market.
        market: String,
        /// What failed (the node's URL is shown without credentials).
        error: String,
    },
    /// The node is back and the watcher caught up.
    Resumed {
        /// The market.
        market: String,
        /// How long it was down.
        down_for: Duration,
        /// The block it caught up to.
        block: u64,
    },
    /// The store failed: the market's watcher cannot go on (its task ends).
    Stopped {
        /// The market.
        market: String,
        /// What failed.
        error: String,
    },
}

/// The running watchers.
#[derive(Debug)]
pub struct Watching {
    /// Notified after a tick wrote alerts to the outbox.
    pub outbox: Arc<Notify>,
    /// The watchers' events, for staff and the log.
    pub events: mpsc::UnboundedReceiver<WatchEvent>,
    tasks: Vec<JoinHandle<()>>,
}

impl Watching {
    /// Stops every watcher (state on disk stays as the last tick left it).
    pub fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts one watcher task per market, and a newHeads subscription for each market named in
/// `ws_urls` (market name → `ws://` or `wss://` endpoint).
pub fn spawn(
    readers: Vec<Arc<AaveV3Reader>>,
    ws_urls: &BTreeMap<String, String>,
    store: Store,
    config: AlertsConfig,
    changed: SubscriptionsChanged,
) -> Watching {
    let followed = readers.into_iter().map(Followed::Aave).collect();
    spawn_all(followed, ws_urls, store, config, changed)
}

/// [`spawn`] for markets of any protocol: one task per market or Morpho deployment.
pub fn spawn_all(
    followed: Vec<Followed>,
    ws_urls: &BTreeMap<String, String>,
    store: Store,
    config: AlertsConfig,
    changed: SubscriptionsChanged,
) -> Watching {
    let outbox = Arc::new(Notify::new());
    let (events, receiver) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for reader in followed {
        let market = reader.name();
        let wake = ws_urls.get(&market).map(|url| {
            let wake = Arc::new(Notify::new());
            tasks.push(tokio::spawn(super::heads::follow_heads(
                market.clone(),
                url.clone(),
                wake.clone(),
            )));
            wake
        });
        let task = Follower {
            market,
            reader,
            store: store.clone(),
            config,
            changed: changed.clone(),
            outbox: outbox.clone(),
            events: events.clone(),
            wake,
        };
        tasks.push(tokio::spawn(task.run()));
    }
    Watching {
        outbox,
        events: receiver,
        tasks,
    }
}

/// One market's loop.
struct Follower {
    market: String,
    reader: Followed,
    store: Store,
    config: AlertsConfig,
    changed: SubscriptionsChanged,
    outbox: Arc<Notify>,
    events: mpsc::UnboundedSender<WatchEvent>,
    /// Notified at each new head (a WebSocket subscription), when configured.
    wake: Option<Arc<Notify>>,
}

impl Follower {
    async fn run(self) {
        let mut watcher = match Watcher::new(&self.reader, self.store.clone(), self.config).await {
            Ok(w) => w,
            Err(e) => return self.stopped(&e.to_string()),
        };
        let mut loaded: Option<u64> = None;
        let mut down: Option<Instant> = None;
        let mut pause = self.config.poll;
        loop {
            let started = Instant::now();
            // 1. Who watches what, when it changed (or was never loaded).
            let epoch = self.changed.epoch();
            if loaded != Some(epoch) {
                match watcher.reload_subscriptions().await {
                    Ok(()) => loaded = Some(epoch),
                    Err(e) => return self.stopped(&e.to_string()),
                }
            }
            // 2. Every block up to the head.
            match watcher.tick(unix_now()).await {
                Ok(report) => {
                    // The node answered: back, caught up to the head (a quiet chain may
                    // have no new block yet).
                    if let Some(since) = down.take() {
                        self.tell(WatchEvent::Resumed {
                            market: self.market.clone(),
                            down_for: since.elapsed(),
                            block: report.block.or(watcher.cursor()).unwrap_or_default(),
                        });
                    }
                    pause = self.config.poll;
                    if report.written > 0 {
                        tracing::info!(market = %self.market, block = ?report.block, alerts = report.written, "alerts written");
                        self.outbox.notify_one();
                    }
                }
                Err(WatchError::Chain(e)) => {
                    if down.is_none() {
                        down = Some(started);
                        tracing::warn!(market = %self.market, error = %e, "the watcher paused: node failure");
                        self.tell(WatchEvent::Paused {
                            market: self.market.clone(),
                            error: e.to_string(),
                        });
                    }
                    pause = (pause * 2).min(MAX_PAUSE).max(self.config.poll);
                }
                Err(WatchError::Store(e)) => return self.stopped(&e.to_string()),
            }
            // 3. The next tick: at the next head announced, or `pause` after this one started.
            let next = tokio::time::sleep_until((started + pause).into());
            match (&self.wake, down) {
                (Some(wake), None) => {
                    tokio::select! {
                        _ = next => {}
                        _ = wake.notified() => {}
                    }
                }
                _ => next.await,
            }
        }
    }

    fn tell(&self, event: WatchEvent) {
        // Nobody listening (the receiver dropped) is fine: the log has it.
        let _ = self.events.send(event);
    }

    fn stopped(&self, error: &str) {
        tracing::error!(market = %self.market, error, "the watcher stopped: store failure");
        self.tell(WatchEvent::Stopped {
            market: self.market.clone(),
            error: error.to_string(),
        });
    }
}
