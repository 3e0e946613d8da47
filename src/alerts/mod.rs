//! Liquidation-risk alerts: every watched position re-checked at every block, exactly, and one
//! alert per downward crossing of the user's levels.
//!
//! Owns the alert rules ([`levels`]), what an alert says ([`notice`]), the per-market watcher
//! ([`watcher`]), the tasks that follow each chain's head ([`follow`], woken by [`heads`]
//! where a WebSocket endpoint is configured) and the delivery of the outbox ([`deliver`]). The chain reads are
//! `chain::aave_v3`'s (snapshot, scaled accounts, event scan); state lives in the store. It
//! knows nothing of Telegram: delivery takes a sending function.

pub mod follow;
pub mod heads;
pub mod levels;
pub mod morpho;
pub mod notice;
pub mod watcher;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use alloy::primitives::Address;

use crate::store::{NoticeKind, OutboxEntry, Severity, Store, StoreError};

/// The alerts' settings (`[alerts]` in `lendesk.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertsConfig {
    /// Default warning level, health factor × 10,000.
    pub warning: u32,
    /// Default critical level, health factor × 10,000.
    pub critical: u32,
    /// Hysteresis: a level alerts again only after the health factor came back this far
    /// above it (× 10,000).
    pub margin: u32,
    /// The health factor repay and add amounts aim for (× 10,000); at least the warning
    /// level plus the margin.
    pub comfort: u32,
    /// How often the head is polled.
    pub poll: Duration,
    /// The most blocks one `eth_getLogs` covers (nodes limit ranges).
    pub max_log_range: u64,
    /// The watched addresses this process watches (replicas share them out); all by default.
    pub shard: Shard,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            warning: 13_000,
            critical: 11_000,
            margin: 500,
            comfort: 15_000,
            poll: Duration::from_secs(1),
            max_log_range: 2_000,
            shard: Shard::WHOLE,
        }
    }
}

/// A share of the watched addresses: those whose last eight bytes, as a number, leave
/// `index` divided by `count` (addresses are hashes: the shares come out even). Replicas each
/// take their place among the live ones; each watches, and sends the alerts of, its share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This share, from 0.
    pub index: u32,
    /// How many shares there are (at least 1).
    pub count: u32,
}

impl Shard {
    /// Every address: one process watches all.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Share `index` of `count` (`count` 0 counts as 1).
    pub fn new(index: usize, count: usize) -> Shard {
        let count = u32::try_from(count.max(1)).unwrap_or(u32::MAX);
        let index = u32::try_from(index).unwrap_or(0).min(count - 1);
        Shard { index, count }
    }

    /// Whether `address` is in this share.
    pub fn owns(&self, address: &Address) -> bool {
        let mut tail = [0u8; 8];
        tail.copy_from_slice(&address.0[12..]);
        u64::from_be_bytes(tail) % u64::from(self.count) == u64::from(self.index)
    }

    /// The name this share's block cursor of `market` is stored under: the market's own
    /// name when one process watches all.
    pub fn cursor_key(&self, market: &str) -> String {
        if self.count <= 1 {
            market.to_string()
        } else {
            format!("{market}#{}/{}", self.index, self.count)
        }
    }

    /// Where this share's watcher of `market` starts: its own cursor; for a share new to the
    /// store (replicas came or went), the oldest cursor of the market's other shares, so no
    /// block any of them left unprocessed is skipped (one processed twice alerts nobody
    /// twice: notices are kept by key); none at all: the head.
    pub async fn start_cursor(
        &self,
        store: &Store,
        market: &str,
    ) -> Result<Option<u64>, StoreError> {
        if let Some(own) = store.watch_cursor(&self.cursor_key(market)).await? {
            return Ok(Some(own));
        }
        Ok(store
            .watch_cursors_of(market)
            .await?
            .into_iter()
            .map(|(_, block)| block)
            .min())
    }
}

/// Raised when who watches what changed (an `/alerts` or `/watch` change, a link, a
/// `/forget`): each market's watcher rebuilds its subscriptions at its next tick. Clones share
/// the count of changes: each reader keeps the count it last acted on.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionsChanged(Arc<AtomicU64>);

impl SubscriptionsChanged {
    /// Marks the subscriptions changed.
    pub fn raise(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }

    /// How many changes so far: each watcher compares it with the one it last loaded.
    pub fn epoch(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

/// The dedup key of a notice: user, market, address, kind and the block of the read that
/// confirmed it, so a crossing is written once and sent once whatever restarts in between, and
/// a watch started again later never meets the key of an alert sent before.
pub fn dedup_key(
    user: i64,
    market: &str,
    address: Address,
    kind: NoticeKind,
    block: u64,
) -> String {
    let kind = match kind {
        NoticeKind::Alert(Severity::Warning) => "warning",
        NoticeKind::Alert(Severity::Critical) => "critical",
        NoticeKind::State => "state",
        NoticeKind::Liquidation => "liquidation",
    };
    format!("{user}:{market}:{address}:{kind}:{block}")
}

/// The dedup key of a liquidation notice: user, and the liquidation's block and log index
/// (its identity on chain). Not the transaction hash: 64 hex digits read as a private key to
/// the store's secret redaction, which would blank the key.
pub fn liquidation_key(user: i64, block: u64, log_index: u64) -> String {
    format!("{user}:liq:{block}:{log_index}")
}

/// Why one entry was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// Try again later (network, 5xx, rate limit).
    Later,
    /// Never (the user blocked the bot, the chat is gone): the entry is dropped.
    Never,
}

/// What a delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Sent and moved to the sent log.
    pub sent: usize,
    /// Older entries for the same user and address, replaced by the newest.
    pub coalesced: usize,
    /// Dropped: they can never be sent.
    pub dropped: usize,
    /// Left for the next round.
    pub waiting: usize,
}

/// Sends in flight at once: Telegram's overall limit per second (the bot's throttle holds
/// what goes beyond; one at a time would wait on the throttle's own tick for each).
pub const SENDS_IN_FLIGHT: usize = 30;

/// Sends the outbox: urgent entries (critical, liquidation) first, all of them settled before
/// the others start, [`SENDS_IN_FLIGHT`] at a time; of several unsent alerts for one user and
/// address only the newest goes out (the older ones are marked sent, as replaced). An entry is
/// marked sent after `send` returns, so a crash in between sends it again (the one crash
/// window).
pub async fn deliver<F, Fut>(store: &Store, now: u64, send: F) -> Result<Delivered, StoreError>
where
    F: FnMut(OutboxEntry) -> Fut,
    Fut: Future<Output = Result<(), SendFailure>>,
{
    deliver_share(store, now, Shard::WHOLE, send).await
}

/// [`deliver`] for the entries of the addresses in `shard` (a replica sends its share's).
pub async fn deliver_share<F, Fut>(
    store: &Store,
    now: u64,
    shard: Shard,
    mut send: F,
) -> Result<Delivered, StoreError>
where
    F: FnMut(OutboxEntry) -> Fut,
    Fut: Future<Output = Result<(), SendFailure>>,
{
    use futures::StreamExt;
    let mut done = Delivered::default();
    let mut entries = store.alert_outbox().await?;
    entries.retain(|e| shard.owns(&e.address));
    // The newest entry (by order written) of each user and address.
    let mut newest: std::collections::HashMap<(i64, Address), u64> = Default::default();
    for e in &entries {
        if e.kind != NoticeKind::Liquidation {
            let at = newest.entry((e.user, e.address)).or_insert(0);
            *at = (*at).max(e.seq);
        }
    }
    let mut due = Vec::with_capacity(entries.len());
    for entry in entries {
        if store.alert_was_sent(&entry.key).await? {
            store.drop_alert(&entry.key).await?;
            continue;
        }
        let superseded = entry.kind != NoticeKind::Liquidation
            && newest
                .get(&(entry.user, entry.address))
                .is_some_and(|&seq| seq > entry.seq);
        if superseded {
            store.mark_alert_sent(&entry, now).await?;
            done.coalesced += 1;
        } else {
            due.push(entry);
        }
    }
    let (urgent, rest): (Vec<_>, Vec<_>) = due.into_iter().partition(OutboxEntry::urgent);
    for group in [urgent, rest] {
        let mut sends = futures::stream::iter(group)
            .map(|entry| {
                let sending = send(entry.clone());
                async move { (entry, sending.await) }
            })
            .buffer_unordered(SENDS_IN_FLIGHT);
        while let Some((entry, result)) = sends.next().await {
            match result {
                Ok(()) => {
                    store.mark_alert_sent(&entry, now).await?;
                    done.sent += 1;
                }
                Err(SendFailure::Never) => {
                    store.drop_alert(&entry.key).await?;
                    done.dropped += 1;
                }
                Err(SendFailure::Later) => done.waiting += 1,
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_is_in_exactly_one_share_and_the_shares_come_out_even() {
        let addresses: Vec<Address> = (0..3_000u64)
            .map(|i| Address::from_slice(&alloy::primitives::keccak256(i.to_be_bytes())[12..]))
            .collect();
        for count in 1..=4usize {
            let shards: Vec<Shard> = (0..count).map(|i| Shard::new(i, count)).collect();
            let mut sizes = vec![0usize; count];
            for a in &addresses {
                let owners: Vec<usize> = (0..count).filter(|&i| shards[i].owns(a)).collect();
                assert_eq!(owners.len(), 1, "{a} in shares {owners:?} of {count}");
                sizes[owners[0]] += 1;
            }
            let even = addresses.len() / count;
            assert!(
                sizes.iter().all(|&n| n.abs_diff(even) < even / 5),
                "{count} shares: {sizes:?}"
            );
        }
        assert_eq!(Shard::new(5, 3), Shard { index: 2, count: 3 });
        assert_eq!(Shard::new(0, 0), Shard::WHOLE);
    }

    #[test]
    fn one_share_keeps_the_markets_cursor_and_several_keep_one_each() {
        assert_eq!(Shard::WHOLE.cursor_key("mainnet"), "mainnet");
        assert_eq!(Shard::new(1, 3).cursor_key("mainnet"), "mainnet#1/3");
    }

    #[tokio::test]
    async fn a_new_share_starts_where_the_slowest_share_of_its_market_stopped() {
        let store = Store::temporary().expect("store");
        let first = Shard::new(0, 2);
        assert_eq!(
            first.start_cursor(&store, "mainnet").await.expect("read"),
            None
        );
        for (key, block) in [
            ("mainnet", 90),
            ("mainnet#0/2", 120),
            ("mainnet#1/2", 110),
            ("mainnet-fork", 5),
            ("base#0/2", 7),
        ] {
            store.set_watch_cursor(key, block).await.expect("cursor");
        }
        // Its own, when it has one.
        assert_eq!(
            first.start_cursor(&store, "mainnet").await.expect("read"),
            Some(120)
        );
        // New (three replicas now): the oldest of the market's, other markets' aside.
        let new = Shard::new(2, 3);
        assert_eq!(
            new.start_cursor(&store, "mainnet").await.expect("read"),
            Some(90)
        );
        assert_eq!(
            new.start_cursor(&store, "base").await.expect("read"),
            Some(7)
        );
    }
}
