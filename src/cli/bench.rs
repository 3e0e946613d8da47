//! `lendesk bench`: position-lookup latency on a local devnet, batched (one Multicall3 round
//! trip) against the naive way (one eth_call per figure), the watcher's figures
//! ([`super::bench_watch`]) and the desk's, in the same run.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use alloy::primitives::Address;

use super::CommandError;
use crate::chain::aave_v3::AaveV3Reader;
use crate::chain::morpho_blue::MorphoReader;
use crate::chain::rpc::Rpc;
use crate::config::{MULTICALL3, MarketConfig, Protocol, RiskConfig};
use crate::devnet::{Devnet, DevnetOptions};

/// Latency figures of one way of reading.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// Median.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// HTTP round trips per lookup.
    pub round_trips: f64,
}

fn percentile(sorted: &[Duration], pct: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * pct).div_ceil(100).max(1) - 1;
    sorted[rank.min(sorted.len() - 1)]
}

async fn measure(
    reader: &AaveV3Reader,
    users: &[Address],
    lookups: usize,
    naive: bool,
) -> Result<Latency, CommandError> {
    let mut samples = Vec::with_capacity(lookups);
    let before = reader.rpc().round_trips.get();
    for i in 0..lookups {
        let user = users[i % users.len()];
        let start = Instant::now();
        if naive {
            reader.position_one_by_one(user).await?;
        } else {
            reader.position(user).await?;
        }
        samples.push(start.elapsed());
    }
    let trips = reader.rpc().round_trips.get() - before;
    samples.sort();
    Ok(Latency {
        p50: percentile(&samples, 50),
        p99: percentile(&samples, 99),
        round_trips: trips as f64 / lookups.max(1) as f64,
    })
}

/// Starts a devnet, warms the reader, then measures `lookups` lookups each way; the desk
/// figures answer from the knowledge base in `faq`.
pub async fn run(lookups: usize, faq: &std::path::Path) -> Result<String, CommandError> {
    let devnet = Devnet::start(DevnetOptions {
        port: 0,
        fresh: false,
    })
    .await
    .map_err(|e| CommandError::Other(e.to_string()))?;
    let manifest = devnet.manifest();
    let market = MarketConfig {
        name: "devnet".into(),
        chain_id: manifest.chain_id,
        rpc_url: devnet.rpc_url().to_string(),
        protocol: Protocol::AaveV3 {
            pool_addresses_provider: manifest.contracts.pool_addresses_provider,
        },
        multicall3: MULTICALL3,
    };
    let rpc = Rpc::connect(devnet.rpc_url(), Duration::from_secs(10))?;
    let reader = AaveV3Reader::new(market, rpc, RiskConfig::default().stablecoins);
    let users: Vec<Address> = manifest.accounts.iter().map(|a| a.address).collect();
    // Warm-up: market discovery and connection setup are not part of a lookup.
    for &user in &users {
        reader.position(user).await?;
        reader.position_one_by_one(user).await?;
    }
    let batched = measure(&reader, &users, lookups, false).await?;
    let naive = measure(&reader, &users, lookups, true).await?;
    let ratio = naive.p50.as_secs_f64() / batched.p50.as_secs_f64().max(1e-9);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "position lookup on the devnet, {lookups} lookups each, {} accounts",
        users.len()
    );
    for (name, l) in [
        ("batched (Multicall3)", batched),
        ("naive (one call per read)", naive),
    ] {
        let _ = writeln!(
            out,
            "  {name:<26} p50 {:>8.3} ms   p99 {:>8.3} ms   {:>5.1} HTTP round trips per lookup",
            l.p50.as_secs_f64() * 1e3,
            l.p99.as_secs_f64() * 1e3,
            l.round_trips
        );
    }
    let _ = writeln!(out, "  batched is {ratio:.1}x faster at the median");
    if let Some(morpho) = morpho_figures(&devnet, lookups).await? {
        out.push_str(&morpho);
    }
    let snapshot = reader
        .snapshot(alloy::eips::BlockId::latest(), &Default::default())
        .await?;
    out.push_str(&super::bench_watch::local_figures(&snapshot));
    out.push_str(&super::bench_watch::cold_read_figures(&reader, &users, COLD_WALLETS).await?);
    let safe = manifest
        .account("safe")
        .map(|a| a.address)
        .ok_or_else(|| CommandError::Other("the devnet has no safe account".into()))?;
    let ws = devnet.rpc_url().replacen("http://", "ws://", 1);
    for ws_url in [None, Some(ws.as_str())] {
        out.push_str(
            &super::bench_watch::alert_latency_figures(
                &devnet,
                reader.market().clone(),
                safe,
                ws_url,
            )
            .await?,
        );
    }
    out.push_str(&desk_figures(&devnet, reader, lookups, faq).await?);
    Ok(out)
}

/// A Morpho Blue lookup (every market of the devnet's deployment at one block, interest
/// accrued) over its demo borrowers: p50, p99 and round trips; `None` on a devnet without
/// Morpho.
async fn morpho_figures(devnet: &Devnet, lookups: usize) -> Result<Option<String>, CommandError> {
    let manifest = devnet.manifest();
    let Some(morpho) = &manifest.morpho else {
        return Ok(None);
    };
    let market = MarketConfig {
        name: crate::devnet::MORPHO_MARKET.into(),
        chain_id: manifest.chain_id,
        rpc_url: devnet.rpc_url().to_string(),
        protocol: Protocol::MorphoBlue {
            morpho: morpho.morpho,
            market_ids: morpho.markets.iter().map(|m| m.id).collect(),
        },
        multicall3: MULTICALL3,
    };
    let rpc = Rpc::connect(devnet.rpc_url(), Duration::from_secs(10))?;
    let Some(reader) = MorphoReader::new(market, rpc, RiskConfig::default().stablecoins) else {
        return Ok(None);
    };
    let users: Vec<Address> = morpho.accounts.iter().map(|a| a.address).collect();
    if users.is_empty() {
        return Ok(None);
    }
    reader.catalog().await?;
    let mut samples = Vec::with_capacity(lookups);
    let before = reader.rpc().round_trips.get();
    for i in 0..lookups {
        let start = Instant::now();
        reader.positions(users[i % users.len()]).await?;
        samples.push(start.elapsed());
    }
    let trips = reader.rpc().round_trips.get() - before;
    samples.sort();
    Ok(Some(format!(
        "  {:<26} p50 {:>8.3} ms   p99 {:>8.3} ms   {:>5.1} HTTP round trips per lookup ({} markets)\n",
        "Morpho Blue (Multicall3)",
        percentile(&samples, 50).as_secs_f64() * 1e3,
        percentile(&samples, 99).as_secs_f64() * 1e3,
        trips as f64 / lookups.max(1) as f64,
        morpho.markets.len()
    )))
}

/// Wallets in the watcher's cold-read figure.
const COLD_WALLETS: usize = 20_000;

/// How many users the returning-users figure spreads its messages over.
const RETURNING: usize = 1_000;

/// FAQ messages answered in one timed pass.
#[derive(Debug, Clone, Copy)]
struct Rate {
    per_second: f64,
    answered: usize,
    faq_hits: usize,
}

/// Answers `rounds` passes over `messages` as fast as one task can; `who(i)` gives the
/// sender and the clock of the `i`-th message.
async fn faq_rate(
    desk: &crate::desk::Desk,
    messages: &[String],
    rounds: usize,
    who: impl Fn(usize) -> (i64, u64),
) -> Rate {
    use crate::desk::{Incoming, Intent};
    let start = Instant::now();
    let mut faq_hits = 0usize;
    let total = rounds * messages.len();
    for i in 0..total {
        let (user, now) = who(i);
        let out = desk
            .handle(Incoming {
                user,
                text: messages[i % messages.len()].clone(),
                now,
                ..Default::default()
            })
            .await;
        faq_hits += usize::from(out.intent == Intent::Faq);
    }
    Rate {
        per_second: total as f64 / start.elapsed().as_secs_f64(),
        answered: total,
        faq_hits,
    }
}

/// Desk throughput on FAQ messages (one task, so one core) and the latency of a whole position
/// answer (read, math, rendering) through the desk.
async fn desk_figures(
    devnet: &Devnet,
    reader: AaveV3Reader,
    lookups: usize,
    faq: &std::path::Path,
) -> Result<String, CommandError> {
    use crate::desk::{Desk, DeskSettings, Incoming, Intent};
    use crate::knowledge::KnowledgeBase;
    use crate::lang::Lang;
    use crate::store::Store;
    use crate::tickets::{SlaConfig, Tickets};

    let kb = KnowledgeBase::load_dir(faq).map_err(|e| CommandError::Other(e.to_string()))?;
    // FAQ messages: every question variant of the topics that are answered from the FAQ alone
    // (topics marked `escalate` open a ticket, a flushed write, and are a different path), but
    // those written as a command ("/mydata what does it send"): the desk runs the command
    // (/mydata exports everything stored about the user), they never reach the FAQ.
    let messages: Vec<String> = kb
        .topics()
        .iter()
        .filter(|t| !t.escalate)
        .flat_map(|t| {
            [Lang::En, Lang::Zh]
                .into_iter()
                .flat_map(move |l| t.text(l).questions.clone())
        })
        .filter(|q| !q.trim_start().starts_with('/'))
        .collect();
    let store = Store::temporary().map_err(|e| CommandError::Other(e.to_string()))?;
    let tickets = Tickets::new(store.clone(), SlaConfig::default());
    let desk = Desk::new(
        kb,
        crate::chain::markets::Markets::single(reader),
        tickets,
        store,
        DeskSettings::default(),
    );
    // Warm-up: every message once, from users of its own.
    let warm_up_user = |i: usize| 3_000_000 + i as i64;
    for (i, m) in messages.iter().enumerate() {
        desk.handle(Incoming {
            user: warm_up_user(i),
            text: m.clone(),
            ..Default::default()
        })
        .await;
    }
    let rounds = 20usize;
    // First contacts: one new user per message, so each message also creates a user record.
    let first = faq_rate(&desk, &messages, rounds, |i| (1_000_000 + i as i64, 0)).await;
    // Returning users, the common case: RETURNING users who wrote before, each sending one
    // message a minute (under flood control), consecutive messages of one user on different
    // topics (the list is grouped by topic), so every message reaches the knowledge base.
    let returning = faq_rate(&desk, &messages, rounds, |i| {
        (warm_up_user(i % RETURNING), 60 * (i / RETURNING) as u64)
    })
    .await;

    let user = devnet
        .manifest()
        .account("warning")
        .map(|a| a.address)
        .ok_or_else(|| CommandError::Other("devnet has no warning account".into()))?;
    let mut samples = Vec::with_capacity(lookups);
    for i in 0..lookups {
        let start = Instant::now();
        let out = desk
            .handle(Incoming {
                user: 5_000 + i as i64,
                text: "what's my health factor?".into(),
                addresses: vec![user],
                ..Default::default()
            })
            .await;
        samples.push(start.elapsed());
        if out.intent != Intent::Position {
            return Err(CommandError::Other(format!(
                "position answer failed: {}",
                out.text()
            )));
        }
    }
    samples.sort();
    let mut text = String::new();
    for (who, rate) in [("returning users", returning), ("first contacts", first)] {
        let _ = writeln!(
            text,
            "desk: {:.0} FAQ messages/s on one task, {who} ({} messages, {:.0}% answered from the FAQ)",
            rate.per_second,
            rate.answered,
            100.0 * rate.faq_hits as f64 / rate.answered.max(1) as f64
        );
    }
    let _ = writeln!(
        text,
        "desk: position answer p50 {:.3} ms, p99 {:.3} ms ({lookups} answers)",
        percentile(&samples, 50).as_secs_f64() * 1e3,
        percentile(&samples, 99).as_secs_f64() * 1e3
    );
    Ok(text)
}
