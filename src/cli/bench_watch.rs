//! `lendesk bench`'s watcher figures: local re-evaluation of many watched positions after a
//! price move (one core), memory per watched position, and the cold read of many wallets over
//! RPC beside the node's own ceiling and the one-call-for-all way, in the same run.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use alloy::providers::Provider;
use futures::{StreamExt, TryStreamExt};

use super::CommandError;
use crate::chain::aave_v3::AaveV3Reader;
use crate::chain::aave_v3::accounts::{
    CALLS_IN_FLIGHT, ScaledAccount, ScaledLeg, WALLETS_PER_CALL, evaluate,
};
use crate::chain::aave_v3::snapshot::MarketSnapshot;
use crate::chain::batch::Batch;
use crate::chain::bindings::mainnet::IPool;
use crate::chain::math::{RAY, WAD};

/// A small deterministic generator (xorshift64*): the same synthetic book every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `n` synthetic watched accounts over the snapshot's reserves: one or two collaterals worth
/// $1k–$1M and one debt sized for a health factor between 1.0 and 3.0; one in ten in an
/// E-Mode category when the market has one.
pub fn synthetic_accounts(snapshot: &MarketSnapshot, n: usize) -> Vec<ScaledAccount> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let categories: Vec<u8> = snapshot.categories.keys().copied().collect();
    let reserves = snapshot.reserves.len();
    (0..n)
        .map(|i| {
            let emode = if !categories.is_empty() && rng.below(10) == 0 {
                categories[rng.below(categories.len())]
            } else {
                0
            };
            let terms = snapshot.terms(emode).unwrap_or_default();
            let mut legs = Vec::with_capacity(3);
            let mut weighted = U256::ZERO; // Σ value × LT, base currency × bps
            for _ in 0..1 + rng.below(2) {
                let c = rng.below(reserves);
                if legs.iter().any(|l: &ScaledLeg| usize::from(l.reserve) == c) {
                    continue;
                }
                let (r, t) = (&snapshot.reserves[c], terms[c]);
                let value =
                    U256::from(1_000 + rng.below(999_000)) * snapshot.catalog.base_currency_unit;
                let tokens = value * r.unit / r.price.max(U256::from(1));
                weighted += value * U256::from(t.liquidation_threshold);
                legs.push(ScaledLeg {
                    reserve: c as u16,
                    collateral: true,
                    borrowing: false,
                    scaled_supply: tokens * RAY / r.income_index,
                    scaled_debt: U256::ZERO,
                    stable_debt: U256::ZERO,
                });
            }
            let d = rng.below(reserves);
            let r = &snapshot.reserves[d];
            let hf_bps = U256::from(10_000 + rng.below(20_000));
            let debt_value = weighted / hf_bps;
            let scaled_debt = debt_value * r.unit / r.price.max(U256::from(1)) * RAY / r.debt_index;
            match legs.iter_mut().find(|l| usize::from(l.reserve) == d) {
                Some(leg) => {
                    leg.borrowing = true;
                    leg.scaled_debt = scaled_debt;
                }
                None => legs.push(ScaledLeg {
                    reserve: d as u16,
                    collateral: false,
                    borrowing: true,
                    scaled_supply: U256::ZERO,
                    scaled_debt,
                    stable_debt: U256::ZERO,
                }),
            }
            ScaledAccount {
                user: Address::from_word(U256::from(i + 1).into()),
                emode,
                legs: legs.into_boxed_slice(),
            }
        })
        .collect()
}

/// Evaluations per second of every account in `accounts` at `snapshot`, on this task alone,
/// over at least `min` of passes; and how many are under 1.3 and 1.1.
fn evaluation_rate(
    snapshot: &MarketSnapshot,
    accounts: &[ScaledAccount],
    min: Duration,
) -> (f64, usize, usize) {
    let mut scratch = Vec::new();
    let (warning, critical) = (
        WAD * U256::from(13) / U256::from(10),
        WAD * U256::from(11) / U256::from(10),
    );
    let (mut under_warning, mut under_critical) = (0, 0);
    for a in accounts {
        let hf = evaluate(snapshot, a, &mut scratch).map_or(U256::MAX, |t| t.health_factor);
        under_warning += usize::from(hf < warning);
        under_critical += usize::from(hf < critical);
    }
    let start = Instant::now();
    let mut done = 0usize;
    while start.elapsed() < min {
        for a in accounts {
            black_box(evaluate(black_box(snapshot), a, &mut scratch));
        }
        done += accounts.len();
    }
    (
        done as f64 / start.elapsed().as_secs_f64(),
        under_warning,
        under_critical,
    )
}

/// The process's resident memory, bytes (Linux; 0 elsewhere).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
        })
        .map_or(0, |kb| kb * 1024)
}

/// Bytes one account takes: the struct and its legs on the heap.
fn account_bytes(a: &ScaledAccount) -> usize {
    std::mem::size_of::<ScaledAccount>() + a.legs.len() * std::mem::size_of::<ScaledLeg>()
}

/// Local re-evaluation after a 5% fall of the first reserve's price, at 10,000 and 100,000
/// synthetic positions; memory per position and RSS with 100,000.
pub fn local_figures(snapshot: &MarketSnapshot) -> String {
    let mut out = String::new();
    let fallen = snapshot.reserves[0].price * U256::from(95) / U256::from(100);
    let moved = snapshot.with_price(0, fallen);
    let symbol = &snapshot.catalog.reserves[0].symbol;
    let _ = writeln!(
        out,
        "watcher: local re-evaluation after {symbol} fell 5%, one task (one core)"
    );
    for n in [10_000usize, 100_000] {
        let before = rss();
        let accounts = synthetic_accounts(snapshot, n);
        let grown = rss().saturating_sub(before);
        let (rate, warning, critical) = evaluation_rate(&moved, &accounts, Duration::from_secs(1));
        let bytes: usize = accounts.iter().map(account_bytes).sum();
        let _ = writeln!(
            out,
            "  {n:>7} positions: {rate:>12.0} evaluations/s   {} under HF 1.3, {} under 1.1   {:.0} bytes/position ({:.1} MB), RSS +{:.1} MB building them, RSS {:.1} MB",
            warning,
            critical,
            bytes as f64 / n as f64,
            bytes as f64 / 1e6,
            grown as f64 / 1e6,
            rss() as f64 / 1e6,
        );
    }
    out
}

/// Wallets per second of `read`, run over `users`.
async fn wallets_per_second<F, Fut>(users: &[Address], read: F) -> Result<f64, String>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let start = Instant::now();
    read().await?;
    Ok(users.len() as f64 / start.elapsed().as_secs_f64())
}

/// `getUserAccountData` of every user, in chunks of `chunk` per Multicall3 call with `in_flight`
/// calls out at once: the node's own ceiling for the protocol's view.
async fn account_data(
    reader: &AaveV3Reader,
    users: &[Address],
    block: u64,
    chunk: usize,
    in_flight: usize,
) -> Result<(), String> {
    let catalog = reader.catalog().await.map_err(|e| e.to_string())?;
    let multicall = reader.market().multicall3;
    futures::stream::iter(users.chunks(chunk))
        .map(|part| {
            let mut batch = Batch::new();
            for &user in part {
                batch.add(catalog.pool, IPool::getUserAccountDataCall { user });
            }
            async move {
                let results = batch
                    .run(reader.rpc(), multicall, BlockId::number(block))
                    .await
                    .map_err(|e| e.to_string())?;
                if results.len() != part.len() {
                    return Err(format!(
                        "{} results for {} wallets",
                        results.len(),
                        part.len()
                    ));
                }
                Ok(())
            }
        })
        .buffered(in_flight)
        .try_collect::<Vec<()>>()
        .await
        .map(|_| ())
}

/// The cold read of `n` wallets (the devnet's seeded accounts, repeated) by the watcher,
/// beside `getUserAccountData` for the same wallets: in the watcher's chunks (the node's
/// ceiling) and in one call for all (what a naive watcher does).
pub async fn cold_read_figures(
    reader: &AaveV3Reader,
    seeded: &[Address],
    n: usize,
) -> Result<String, CommandError> {
    let users: Vec<Address> = seeded.iter().copied().cycle().take(n).collect();
    let block = reader
        .rpc()
        .provider
        .get_block_number()
        .await
        .map_err(|e| CommandError::Other(e.to_string()))?;
    // Warm-up: connections and the catalog.
    reader.read_accounts(&users[..seeded.len()], block).await?;
    let ours = wallets_per_second(&users, || async {
        reader
            .read_accounts(&users, block)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(CommandError::Other)?;
    let ceiling = wallets_per_second(&users, || {
        account_data(reader, &users, block, WALLETS_PER_CALL, CALLS_IN_FLIGHT)
    })
    .await
    .map_err(CommandError::Other)?;
    let one = 700.min(n);
    let single = wallets_per_second(&users[..one], || {
        account_data(reader, &users[..one], block, one, 1)
    })
    .await
    .map_err(CommandError::Other)?;
    let all_at_once = account_data(reader, &users, block, n, 1).await;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "watcher: cold read of {n} wallets (the {} seeded accounts repeated) at one block",
        seeded.len()
    );
    let _ = writeln!(
        out,
        "  lendesk (flags, then used balances; {WALLETS_PER_CALL} wallets a call, {CALLS_IN_FLIGHT} in flight) {ours:>9.0} wallets/s"
    );
    let _ = writeln!(
        out,
        "  node ceiling: getUserAccountData, same chunks                     {ceiling:>9.0} wallets/s"
    );
    let _ = writeln!(
        out,
        "  getUserAccountData, {one} wallets in one call                       {single:>9.0} wallets/s"
    );
    let _ = writeln!(
        out,
        "  getUserAccountData, all {n} in one call: {}",
        match all_at_once {
            Ok(()) => "answered".to_string(),
            Err(e) => format!("fails ({})", e.chars().take(140).collect::<String>()),
        }
    );
    Ok(out)
}

/// Crossings timed in the latency figure.
const LATENCY_SAMPLES: usize = 12;

/// From the transaction that pushes a watched position under its warning level to the moment
/// the alert is handed to `sendMessage`, with the watcher running as in `lendesk run` (a 1 s
/// head poll, the sender woken by the tick that wrote the alert). Each sample starts at a
/// different point of the poll interval; between samples the price goes back up (re-arming).
/// With `ws_url` the watcher also follows the node's newHeads over WebSocket.
pub async fn alert_latency_figures(
    devnet: &crate::devnet::Devnet,
    market: crate::config::MarketConfig,
    watched: Address,
    ws_url: Option<&str>,
) -> Result<String, CommandError> {
    use crate::alerts::{AlertsConfig, SendFailure, deliver, follow};
    use crate::store::{AlertSettings, Store};
    let other = |e: &dyn std::fmt::Display| CommandError::Other(e.to_string());
    let config = AlertsConfig::default();
    let store = Store::temporary().map_err(|e| other(&e))?;
    store
        .save_alert_settings(&AlertSettings {
            watched: vec![watched],
            ..AlertSettings::new(1, config.warning, config.critical)
        })
        .await
        .map_err(|e| other(&e))?;
    let rpc = crate::chain::rpc::Rpc::connect(&market.rpc_url, Duration::from_secs(10))?;
    let provider = rpc.provider.clone();
    let ws_urls: std::collections::BTreeMap<String, String> = ws_url
        .map(|url| (market.name.clone(), url.to_string()))
        .into_iter()
        .collect();
    let reader = AaveV3Reader::new(
        market,
        rpc,
        crate::config::RiskConfig::default().stablecoins,
    );
    let market = reader.market().name.clone();
    let watching = follow::spawn(
        vec![std::sync::Arc::new(reader)],
        &ws_urls,
        store.clone(),
        config,
        Default::default(),
    );
    let (handed, mut sends) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let sender = tokio::spawn({
        let (store, outbox) = (store.clone(), watching.outbox.clone());
        async move {
            loop {
                let _ = deliver(&store, crate::clock::unix_now(), |_| {
                    let _ = handed.send(Instant::now());
                    async { Ok::<(), SendFailure>(()) }
                })
                .await;
                outbox.notified().await;
            }
        }
    });
    let mut samples = Vec::with_capacity(LATENCY_SAMPLES);
    for i in 0..LATENCY_SAMPLES {
        // Back above the levels, and a tick past that block (the levels re-arm).
        devnet
            .set_price("WETH", "2000")
            .await
            .map_err(|e| other(&e))?;
        let block = provider.get_block_number().await.map_err(|e| other(&e))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while store
            .watch_cursor(&market)
            .await
            .map_err(|e| other(&e))?
            .is_none_or(|c| c < block)
        {
            if Instant::now() > deadline {
                return Err(CommandError::Other(
                    "the watcher did not follow the devnet".into(),
                ));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // A different phase of the poll each time (0.37 of a poll apart).
        let phase = (i as f64 * 0.37).fract();
        tokio::time::sleep(config.poll.mul_f64(phase)).await;
        let start = Instant::now();
        devnet
            .set_price("WETH", "1000")
            .await
            .map_err(|e| other(&e))?;
        let sent = tokio::time::timeout(Duration::from_secs(10), sends.recv())
            .await
            .ok()
            .flatten()
            .ok_or_else(|| CommandError::Other("no alert within 10 s of the crossing".into()))?;
        samples.push(sent.saturating_duration_since(start));
    }
    sender.abort();
    drop(watching);
    // The devnet as the other figures expect it.
    devnet
        .set_price("WETH", "2000")
        .await
        .map_err(|e| other(&e))?;
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "watcher: crossing → sendMessage, {LATENCY_SAMPLES} crossings, head polled every {} ms{}",
        config.poll.as_millis(),
        if ws_url.is_some() {
            ", newHeads over WebSocket"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "  p50 {:>6.0} ms   p90 {:>6.0} ms   max {:>6.0} ms   (target p50 ≤ 1000 ms)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    );
    Ok(out)
}
