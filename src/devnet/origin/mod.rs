//! An Aave **v3.6** market on Anvil, compiled from `@aave-dao/aave-v3-origin@3.6.0`: the test
//! ground for the 3.2+ rules (no stable debt, E-Mode bitmaps, 3.3 liquidation rules, 3.5
//! rounding) that the v3.0 devnet beside it cannot show.
//!
//! [`OriginDevnet::start`] runs its own Anvil, compiles the contracts with the pinned solc-js
//! (`devnet/compile-origin.mjs`, once per package versions; cached in `devnet/.cache/`),
//! deploys the market ([`deploy`]), supplies liquidity and seeds the users of [`spec::USERS`]
//! ([`seed`]). The chain state is then cached like the v3.0 devnet's, so later starts load it.
//! It owns the market; reading it is lendesk's reader's job, as on any real market.

pub mod abi;
mod deploy;
mod manifest;
mod ops;
mod seed;
pub mod spec;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, Bytes, U64, U256};
use serde::{Deserialize, Serialize};

pub use manifest::{OriginContracts, OriginManifest, OriginReserve, OriginUser};
pub use ops::{
    LargestLiquidation, OriginAction, OriginLiquidation, liquidate, liquidate_largest,
    reserve_price, user_health_factor,
};

use super::anvil::AnvilProcess;
use super::cache::load_state;
use super::compiled::{Compiled, ORIGIN};
use super::error::DevnetError;
use super::rpc::DevClient;

/// Bump when the deploy or the seed changes what is on chain (part of the state cache key).
pub const ORIGIN_DEPLOY_VERSION: u32 = 2;

/// The v3.6 devnet's chain id: not the v3.0 devnet's 31337, so beside it they are two chains
/// (part of the state cache key: a state dumped on one chain id is not loaded on another).
pub const ORIGIN_CHAIN_ID: u64 = 31338;

/// Storage slot of `MockAggregator._latestAnswer`.
const LATEST_ANSWER_SLOT: B256 = B256::ZERO;

/// How to start a v3.6 devnet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OriginOptions {
    /// TCP port for Anvil; 0 picks a free one.
    pub port: u16,
    /// Ignore the state cache: deploy and seed from scratch (and refresh the cache).
    pub fresh: bool,
}

/// How a start went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginStats {
    /// The chain came from the state cache.
    pub from_cache: bool,
    /// The compile step (a few ms when the artifacts were cached).
    pub compile: Duration,
    /// Deploy and seed, or loading the cached state.
    pub chain: Duration,
    /// Transactions sent (0 from the cache).
    pub transactions: usize,
}

/// A running v3.6 devnet; Anvil stops on drop.
#[derive(Debug)]
pub struct OriginDevnet {
    anvil: AnvilProcess,
    manifest: OriginManifest,
    stats: OriginStats,
}

/// The state cache file's content.
#[derive(Serialize, Deserialize)]
struct CachedOrigin {
    key: String,
    manifest: OriginManifest,
    state: Bytes,
}

impl OriginDevnet {
    /// Starts Anvil and brings up the v3.6 market, from the state cache when possible.
    pub async fn start(opts: OriginOptions) -> Result<Self, DevnetError> {
        let tools = super::toolchain().await?;
        let devnet_dir = tools.devnet_dir.clone();
        let artifacts =
            tokio::task::spawn_blocking(move || Compiled::prepare(&devnet_dir, &ORIGIN))
                .await
                .map_err(|e| DevnetError::unexpected("compiling v3.6", e.to_string()))??;
        let key = format!(
            "{}_anvil-{}_deploy-{ORIGIN_DEPLOY_VERSION}_chain-{ORIGIN_CHAIN_ID}",
            artifacts.key, tools.anvil_version
        );
        let cache_file = tools.cache_dir().join(format!("state-{key}.json"));
        let started = Instant::now();
        let mut anvil = AnvilProcess::start(&tools.anvil, opts.port, ORIGIN_CHAIN_ID).await?;
        if !opts.fresh
            && let Some(cached) = read_cache(&cache_file, &key)
        {
            match load(anvil.url(), cached).await {
                Ok(manifest) => {
                    let stats = OriginStats {
                        from_cache: true,
                        compile: artifacts.elapsed,
                        chain: started.elapsed(),
                        transactions: 0,
                    };
                    return Ok(Self {
                        anvil,
                        manifest,
                        stats,
                    });
                }
                Err(e) => {
                    tracing::warn!("v3.6 state cache unusable ({e}); deploying afresh");
                    anvil.stop();
                    anvil = AnvilProcess::start(&tools.anvil, opts.port, ORIGIN_CHAIN_ID).await?;
                }
            }
        }
        let client = DevClient::connect(anvil.url())?;
        let manifest = deploy_and_seed(&client, &artifacts).await?;
        let chain = started.elapsed();
        if let Err(e) = write_cache(&client, &tools.cache_dir(), &cache_file, &key, &manifest).await
        {
            tracing::warn!("could not write the v3.6 state cache: {e}");
        }
        let stats = OriginStats {
            from_cache: false,
            compile: artifacts.elapsed,
            chain,
            transactions: client.transactions_sent(),
        };
        Ok(Self {
            anvil,
            manifest,
            stats,
        })
    }

    /// What is deployed and who holds what.
    pub fn manifest(&self) -> &OriginManifest {
        &self.manifest
    }

    /// `http://127.0.0.1:PORT`.
    pub fn rpc_url(&self) -> &str {
        self.anvil.url()
    }

    /// How the start went.
    pub fn stats(&self) -> &OriginStats {
        &self.stats
    }

    /// Sets a reserve's oracle answer (USD, 8 decimals), mines a block, checks the oracle.
    pub async fn set_price(&self, symbol: &str, answer_8dp: U256) -> Result<(), DevnetError> {
        set_price(self.rpc_url(), &self.manifest, symbol, answer_8dp).await
    }

    /// Moves the chain's clock `seconds` forward and mines a block (interest accrues).
    pub async fn advance_time(&self, seconds: u64) -> Result<(), DevnetError> {
        DevClient::connect(self.rpc_url())?
            .advance_time(seconds)
            .await
    }

    /// Stops Anvil now (dropping does the same).
    pub fn stop(mut self) {
        self.anvil.stop();
    }
}

/// Sets a reserve's oracle answer (USD, 8 decimals) on any running v3.6 devnet described by
/// `manifest` (this process's or one `lendesk devnet` runs), mines a block, checks the oracle.
pub async fn set_price(
    rpc_url: &str,
    manifest: &OriginManifest,
    symbol: &str,
    answer_8dp: U256,
) -> Result<(), DevnetError> {
    if answer_8dp.is_zero() || answer_8dp.bit_len() > 255 {
        return Err(DevnetError::InvalidPrice {
            input: answer_8dp.to_string(),
            reason: "answer must be positive and fit in int256".into(),
        });
    }
    let client = DevClient::connect(rpc_url)?;
    let reserve = seed::lookup(&manifest.reserves, symbol)?;
    let _: serde_json::Value = client
        .request(
            "anvil_setStorageAt",
            (
                reserve.price_feed,
                LATEST_ANSWER_SLOT,
                B256::from(answer_8dp),
            ),
        )
        .await?;
    client.mine().await?;
    let got = ops::oracle_price(&client, manifest, reserve.address).await?;
    if got != answer_8dp {
        return Err(DevnetError::PriceNotApplied {
            symbol: symbol.to_string(),
            expected: answer_8dp,
            got,
        });
    }
    Ok(())
}

/// Deploys, supplies liquidity, seeds the users and describes it all.
async fn deploy_and_seed(
    client: &DevClient,
    artifacts: &Compiled,
) -> Result<OriginManifest, DevnetError> {
    let accounts: Vec<Address> = client.request("eth_accounts", ()).await?;
    let account = |i: usize, what: &str| {
        accounts
            .get(i)
            .copied()
            .ok_or_else(|| DevnetError::MissingAccount(what.to_string()))
    };
    let deployer = account(spec::DEPLOYER_INDEX, "deployer")?;
    let treasury = account(spec::TREASURY_INDEX, "treasury")?;
    let liquidity = account(spec::LIQUIDITY_INDEX, "liquidity")?;
    let liquidator = account(spec::LIQUIDATOR_INDEX, "liquidator")?;
    let market = deploy::deploy_market(client, artifacts, deployer, treasury).await?;
    let pool = market.contracts.pool;
    seed::supply_liquidity(client, pool, &market.reserves, liquidity).await?;
    let users = seed::seed_users(client, pool, &market.reserves, &accounts).await?;
    Ok(OriginManifest {
        chain_id: ORIGIN_CHAIN_ID,
        rpc_url: client.url().to_string(),
        artifacts_key: artifacts.key.clone(),
        contracts: market.contracts,
        reserves: market.reserves,
        users,
        liquidator,
    })
}

fn read_cache(path: &Path, key: &str) -> Option<CachedOrigin> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str::<CachedOrigin>(&text) {
        Ok(cached) if cached.key == key => Some(cached),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!("ignoring v3.6 state cache {}: {e}", path.display());
            None
        }
    }
}

/// Loads a cached state into a fresh Anvil and checks the Pool is there.
async fn load(url: &str, cached: CachedOrigin) -> Result<OriginManifest, DevnetError> {
    let client = DevClient::connect(url)?;
    load_state(&client, cached.state, cached.manifest.contracts.pool).await?;
    let mut manifest = cached.manifest;
    let _: U64 = client.request("eth_blockNumber", ()).await?;
    manifest.rpc_url = url.to_string();
    Ok(manifest)
}

/// Dumps Anvil's state with the manifest, atomically (temp file + rename).
async fn write_cache(
    client: &DevClient,
    dir: &Path,
    path: &PathBuf,
    key: &str,
    manifest: &OriginManifest,
) -> Result<(), DevnetError> {
    let state: Bytes = client.request("anvil_dumpState", ()).await?;
    let cached = CachedOrigin {
        key: key.to_string(),
        manifest: manifest.clone(),
        state,
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| DevnetError::io(format!("creating {}", dir.display()), e))?;
    let text = serde_json::to_string(&cached)
        .map_err(|e| DevnetError::json("serializing the v3.6 state cache", e))?;
    // Unique per write: tests in one binary share the pid and may write at once.
    static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".state-{key}.{}.{n}.tmp", std::process::id()));
    std::fs::write(&tmp, text)
        .map_err(|e| DevnetError::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        DevnetError::io(format!("renaming {} into place", tmp.display()), e)
    })
}
