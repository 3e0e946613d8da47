//! Liquidation-risk alerts: every watched position re-checked at every block, exactly, and one
//! alert per downward crossing of the user's levels.
//!
//! Owns the alert rules ([`levels`]), what an alert says ([`notice`]), the per-market watcher
//! ([`watcher`]) and the delivery of the outbox ([`deliver`]). The chain reads are
//! `chain::aave_v3`'s (snapshot, scaled accounts, event scan); state lives in the store. It
//! knows nothing of Telegram: delivery takes a sending function.

pub mod levels;
pub mod notice;
pub mod watcher;

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
        }
    }
}

/// The dedup key of a notice: user, market, address, kind and the crossing's number, so a
/// crossing is written once and sent once whatever restarts in between.
pub fn dedup_key(user: i64, market: &str, address: Address, kind: NoticeKind, n: u64) -> String {
    let kind = match kind {
        NoticeKind::Alert(Severity::Warning) => "warning",
        NoticeKind::Alert(Severity::Critical) => "critical",
        NoticeKind::State => "state",
        NoticeKind::Liquidation => "liquidation",
    };
    format!("{user}:{market}:{address}:{kind}:{n}")
}

/// The dedup key of a liquidation notice: user, and the liquidation's transaction and log
/// index (its identity on chain).
pub fn liquidation_key(user: i64, transaction: alloy::primitives::B256, log_index: u64) -> String {
    format!("{user}:liq:{transaction}:{log_index}")
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

/// Sends the outbox: urgent entries (critical, liquidation) first; of several unsent alerts
/// for one user and address only the newest goes out (the older ones are marked sent, as
/// replaced). An entry is marked sent after `send` returns, so a crash in between sends it
/// again (the one crash window).
pub async fn deliver<F, Fut>(store: &Store, now: u64, mut send: F) -> Result<Delivered, StoreError>
where
    F: FnMut(OutboxEntry) -> Fut,
    Fut: Future<Output = Result<(), SendFailure>>,
{
    let mut done = Delivered::default();
    let entries = store.alert_outbox()?;
    // The newest entry (by order written) of each user and address.
    let mut newest: std::collections::HashMap<(i64, Address), u64> = Default::default();
    for e in &entries {
        if e.kind != NoticeKind::Liquidation {
            let at = newest.entry((e.user, e.address)).or_insert(0);
            *at = (*at).max(e.seq);
        }
    }
    for entry in entries {
        if store.alert_was_sent(&entry.key)? {
            store.drop_alert(&entry.key)?;
            continue;
        }
        let superseded = entry.kind != NoticeKind::Liquidation
            && newest
                .get(&(entry.user, entry.address))
                .is_some_and(|&seq| seq > entry.seq);
        if superseded {
            store.mark_alert_sent(&entry, now)?;
            done.coalesced += 1;
            continue;
        }
        match send(entry.clone()).await {
            Ok(()) => {
                store.mark_alert_sent(&entry, now)?;
                done.sent += 1;
            }
            Err(SendFailure::Never) => {
                store.drop_alert(&entry.key)?;
                done.dropped += 1;
            }
            Err(SendFailure::Later) => done.waiting += 1,
        }
    }
    Ok(done)
}
