//! A local Aave v3 market on Anvil, for demos and tests.
//!
//! [`Devnet::start`] runs Anvil, deploys a full Aave v3 market (Pool, configurator, oracle, data
//! providers, four reserves with realistic risk parameters and an E-Mode category) from the
//! bytecode in the pinned npm artifacts, seeds demo accounts at chosen health factors, deploys
//! Morpho Blue beside it (three markets on the same tokens, demo borrowers of their own), and
//! describes it all in a [`DevnetManifest`]. The first start takes a few seconds; the chain state
//! is then cached under `devnet/.cache/` and later starts load it in well under a second.
//! [`DevnetPair`] runs it beside the Aave v3.6 market of [`origin`] (its own Anvil, chain
//! 31338), as `lendesk devnet` and `lendesk demo` do.
//!
//! ```no_run
//! # async fn demo() -> Result<(), lendesk::devnet::DevnetError> {
//! use lendesk::devnet::{Devnet, DevnetOptions, Profile};
//! let devnet = Devnet::start(DevnetOptions::default()).await?;
//! let close = devnet.manifest().account(Profile::Close).map(|a| a.address);
//! devnet.set_price("WETH", "1800").await?;
//! if let Some(user) = close {
//!     let report = devnet.liquidate(user).await?;
//!     assert!(report.executed);
//! }
//! # Ok(()) }
//! ```

mod aave_errors;
mod anvil;
mod artifacts;
mod cache;
pub mod cli;
mod cli_morpho;
pub mod compiled;
mod deploy;
mod error;
mod manifest;
mod market;
pub mod morpho;
mod morpho_ops;
mod morpho_seed;
mod ops;
pub mod origin;
pub mod pair;
mod price;
mod rpc;
mod seed;
mod tools;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, Bytes, U64, U256};

pub use error::DevnetError;
pub use manifest::{
    ArtifactVersions, Contracts, DemoAccount, DevnetManifest, MorphoDemoAccount,
    MorphoDemoPosition, MorphoManifest, MorphoMarketInfo, Profile, TokenInfo,
};
pub use market::DEPLOY_SCRIPT_VERSION;
pub use morpho_ops::{MorphoLiquidationReport, MorphoOracleMove, MorphoPositionHealth};
pub use ops::LiquidationReport;
pub use pair::{DevnetFile, DevnetPair, MORPHO_MARKET, V3_0_MARKET, V3_6_MARKET};
pub use price::{format_fixed, parse_usd};
pub use tools::DEVNET_DIR_ENV;

use anvil::{AnvilProcess, CHAIN_ID};
use artifacts::ArtifactStore;
use rpc::DevClient;
use seed::SeedTargets;
use tools::Toolchain;

/// How to start a devnet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DevnetOptions {
    /// TCP port for Anvil; 0 picks a free one.
    pub port: u16,
    /// Ignore the state cache: deploy and seed from scratch (and refresh the cache).
    pub fresh: bool,
}

/// How a start went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartStats {
    /// Whether the chain came from the state cache.
    pub from_cache: bool,
    /// Wall time from the call to `start` until ready.
    pub elapsed: Duration,
    /// Transactions sent to build the market and seed accounts (0 from the cache).
    pub transactions: usize,
    /// The cache file read or written, if any.
    pub cache_file: Option<PathBuf>,
}

/// A running devnet. Owns the Anvil child process, which is stopped on drop.
#[derive(Debug)]
pub struct Devnet {
    anvil: AnvilProcess,
    manifest: DevnetManifest,
    stats: StartStats,
}

impl Devnet {
    /// Starts Anvil and brings up the market, from the state cache when possible.
    ///
    /// Anvil is spawned with a parent-death signal on Linux: the kernel kills it when the
    /// **thread** that spawned it exits. lendesk spawns it from a dedicated thread that lives
    /// as long as the process, so a devnet held in a `static` outlives the tokio runtime (or
    /// test) that started it, and a crashed or killed test binary never leaks Anvil.
    pub async fn start(opts: DevnetOptions) -> Result<Devnet, DevnetError> {
        let started = Instant::now();
        let tools = toolchain().await?;
        let key = cache::cache_key(
            &tools.core_version,
            &tools.periphery_version,
            &tools.anvil_version,
            &tools.morpho_key,
            DEPLOY_SCRIPT_VERSION,
        );
        let cache_file = cache::cache_path(&tools.cache_dir(), &key);

        let mut anvil = AnvilProcess::start(&tools.anvil, opts.port, CHAIN_ID).await?;
        if !opts.fresh {
            match load_from_cache(anvil.url(), &cache_file, &key).await {
                CacheOutcome::Loaded(manifest) => {
                    let stats = StartStats {
                        from_cache: true,
                        elapsed: started.elapsed(),
                        transactions: 0,
                        cache_file: Some(cache_file),
                    };
                    tracing::info!(
                        url = anvil.url(),
                        ms = stats.elapsed.as_millis(),
                        "devnet loaded from cache"
                    );
                    return Ok(Devnet {
                        anvil,
                        manifest: *manifest,
                        stats,
                    });
                }
                CacheOutcome::Missing => {}
                CacheOutcome::Failed => {
                    // A failed load may have left partial state: start over on a clean chain.
                    anvil.stop();
                    anvil = AnvilProcess::start(&tools.anvil, opts.port, CHAIN_ID).await?;
                }
            }
        }

        let client = DevClient::connect(anvil.url())?;
        let manifest = deploy_and_seed(&client, tools).await?;
        let written = match save_cache(&client, &tools.cache_dir(), &key, &manifest).await {
            Ok(path) => Some(path),
            Err(e) => {
                tracing::warn!("could not write the devnet state cache: {e}");
                None
            }
        };
        let stats = StartStats {
            from_cache: false,
            elapsed: started.elapsed(),
            transactions: client.transactions_sent(),
            cache_file: written,
        };
        tracing::info!(
            url = anvil.url(),
            ms = stats.elapsed.as_millis(),
            transactions = stats.transactions,
            "devnet deployed and seeded"
        );
        Ok(Devnet {
            anvil,
            manifest,
            stats,
        })
    }

    /// What is deployed and who holds what.
    pub fn manifest(&self) -> &DevnetManifest {
        &self.manifest
    }

    /// `http://127.0.0.1:PORT`.
    pub fn rpc_url(&self) -> &str {
        self.anvil.url()
    }

    /// How the start went (cache or fresh, time, transactions).
    pub fn stats(&self) -> &StartStats {
        &self.stats
    }

    /// Sets a token's USD price from exact decimal text (`"1850.5"` → `185050000000`), and the
    /// oracle of every Morpho market of that token with it (one price per token).
    pub async fn set_price(&self, symbol: &str, usd: &str) -> Result<(), DevnetError> {
        ops::set_price_with(&self.client()?, &self.manifest, symbol, usd)
            .await
            .map(drop)
    }

    /// Sets a token's price to a raw 8-decimal answer (Morpho's oracles of that token follow).
    pub async fn set_price_raw(&self, symbol: &str, answer_8dp: U256) -> Result<(), DevnetError> {
        ops::set_price_raw_with(&self.client()?, &self.manifest, symbol, answer_8dp)
            .await
            .map(drop)
    }

    /// Moves the chain's clock `seconds` forward and mines a block (interest accrues).
    pub async fn advance_time(&self, seconds: u64) -> Result<(), DevnetError> {
        self.client()?.advance_time(seconds).await
    }

    /// Liquidates `user` from the liquidator account; a refusal is a report, not an error.
    pub async fn liquidate(&self, user: Address) -> Result<LiquidationReport, DevnetError> {
        ops::liquidate_with(&self.client()?, &self.manifest, user).await
    }

    /// Deploys Morpho Blue beside the market (owned by Anvil's account #0), compiling it from
    /// the npm sources on first use, and creates `markets`.
    pub async fn deploy_morpho(
        &self,
        markets: &[morpho::MorphoMarketSpec],
    ) -> Result<morpho::MorphoDeployment, DevnetError> {
        let tools = toolchain().await?;
        let artifacts = morpho::artifacts(tools.devnet_dir.clone()).await?;
        let client = self.client()?;
        let owner = self.account(&client, 0).await?;
        morpho::deploy(&client, &artifacts, owner, markets).await
    }

    /// Supplies `liquidity` to `market` of `deployment` from Anvil's account #6 (the Aave
    /// "liquidity" account, as for the devnet's own Morpho markets) and opens `borrows`.
    pub async fn seed_morpho(
        &self,
        deployment: &morpho::MorphoDeployment,
        market: &morpho::MorphoMarket,
        liquidity: U256,
        borrows: &[morpho::MorphoBorrow],
    ) -> Result<(), DevnetError> {
        let client = self.client()?;
        let lender = self.account(&client, morpho_seed::LENDER).await?;
        morpho::seed(
            &client,
            deployment.morpho,
            market,
            lender,
            liquidity,
            borrows,
        )
        .await
    }

    /// Sets a Morpho market oracle's price (1e36 scale).
    pub async fn set_morpho_price(
        &self,
        deployment: &morpho::MorphoDeployment,
        market: &morpho::MorphoMarket,
        price: U256,
    ) -> Result<(), DevnetError> {
        morpho::set_price(&self.client()?, deployment.owner, market.oracle, price).await
    }

    /// Whether `borrower` can be liquidated on `market` now (seizing `seized` collateral, from
    /// Anvil's account #8): `Ok(None)` when Morpho would let it, else its reason.
    pub async fn try_liquidate_morpho(
        &self,
        deployment: &morpho::MorphoDeployment,
        market: &morpho::MorphoMarket,
        borrower: Address,
        seized: U256,
    ) -> Result<Option<String>, DevnetError> {
        let client = self.client()?;
        let liquidator = self.account(&client, 8).await?;
        morpho::try_liquidate(
            &client,
            deployment.morpho,
            market,
            liquidator,
            borrower,
            seized,
        )
        .await
    }

    /// Liquidates `user` on every Morpho market of the devnet where it has debt (Morpho's own
    /// `liquidate`, from Anvil's account #8); a refusal is a report, not an error.
    pub async fn liquidate_morpho(
        &self,
        user: Address,
    ) -> Result<Vec<MorphoLiquidationReport>, DevnetError> {
        morpho_ops::liquidate(&self.client()?, &self.manifest, user).await
    }

    /// `user`'s positions on the devnet's Morpho markets, judged as Morpho would now.
    pub async fn morpho_positions(
        &self,
        user: Address,
    ) -> Result<Vec<MorphoPositionHealth>, DevnetError> {
        morpho_positions(self.rpc_url(), &self.manifest, user).await
    }

    /// Anvil's unlocked account number `index`.
    async fn account(&self, client: &DevClient, index: usize) -> Result<Address, DevnetError> {
        let accounts: Vec<Address> = client.request("eth_accounts", ()).await?;
        accounts
            .get(index)
            .copied()
            .ok_or_else(|| DevnetError::unexpected("eth_accounts", "fewer accounts than needed"))
    }

    /// A client bound to the calling runtime: a devnet kept in a `static` may be used from
    /// many runtimes, and pooled HTTP connections must not outlive the one that opened them.
    fn client(&self) -> Result<DevClient, DevnetError> {
        DevClient::connect(self.anvil.url())
    }

    /// Stops Anvil now (dropping the devnet does the same).
    pub fn stop(mut self) {
        self.anvil.stop();
    }
}

/// Sets a token's USD price on any running devnet described by `manifest`, and the oracle of
/// every Morpho market of that token with it.
pub async fn set_price(
    rpc_url: &str,
    manifest: &DevnetManifest,
    symbol: &str,
    usd: &str,
) -> Result<(), DevnetError> {
    ops::set_price_with(&DevClient::connect(rpc_url)?, manifest, symbol, usd)
        .await
        .map(drop)
}

/// Liquidates `user` on any running devnet described by `manifest`.
pub async fn liquidate(
    rpc_url: &str,
    manifest: &DevnetManifest,
    user: Address,
) -> Result<LiquidationReport, DevnetError> {
    ops::liquidate_with(&DevClient::connect(rpc_url)?, manifest, user).await
}

/// Liquidates `user` on the Morpho markets of any running devnet described by `manifest`.
pub async fn liquidate_morpho(
    rpc_url: &str,
    manifest: &DevnetManifest,
    user: Address,
) -> Result<Vec<MorphoLiquidationReport>, DevnetError> {
    morpho_ops::liquidate(&DevClient::connect(rpc_url)?, manifest, user).await
}

/// `user`'s positions on the Morpho markets of any running devnet described by `manifest`
/// (interest accrued to the latest block, Morpho's rounding); [`DevnetError::NoMorpho`] when
/// the devnet has none.
pub async fn morpho_positions(
    rpc_url: &str,
    manifest: &DevnetManifest,
    user: Address,
) -> Result<Vec<MorphoPositionHealth>, DevnetError> {
    let morpho = morpho_ops::require_morpho(manifest)?;
    morpho_ops::positions(&DevClient::connect(rpc_url)?, morpho, user).await
}

/// Resolves the tools once per process (npm install and `anvil --version` are not free).
async fn toolchain() -> Result<&'static Toolchain, DevnetError> {
    static TOOLS: OnceLock<Toolchain> = OnceLock::new();
    if let Some(tools) = TOOLS.get() {
        return Ok(tools);
    }
    let resolved = tokio::task::spawn_blocking(Toolchain::resolve)
        .await
        .map_err(|e| DevnetError::unexpected("resolving devnet tools", e.to_string()))??;
    Ok(TOOLS.get_or_init(|| resolved))
}

/// Deploys the market, seeds the accounts and builds the manifest.
async fn deploy_and_seed(
    client: &DevClient,
    tools: &Toolchain,
) -> Result<DevnetManifest, DevnetError> {
    let accounts: Vec<Address> = client.request("eth_accounts", ()).await?;
    let store = ArtifactStore::new(tools.node_modules());
    let market = deploy::deploy_market(client, &store, &accounts).await?;
    let targets = SeedTargets {
        pool: market.contracts.pool,
        data_provider: market.contracts.protocol_data_provider,
        tokens: &market.tokens,
    };
    let demo_accounts = seed::seed_accounts(client, targets, &accounts).await?;
    let artifacts = morpho::artifacts(tools.devnet_dir.clone()).await?;
    if artifacts.key != tools.morpho_key {
        return Err(DevnetError::unexpected(
            "compiling Morpho Blue",
            format!(
                "compile-morpho.mjs filed the artifacts under {}, but the state cache is keyed by {}",
                artifacts.key, tools.morpho_key
            ),
        ));
    }
    let morpho =
        morpho_seed::deploy_and_seed(client, &artifacts, &market.tokens, &accounts).await?;
    Ok(DevnetManifest {
        chain_id: CHAIN_ID,
        rpc_url: client.url().to_string(),
        block_number: block_number(client).await?,
        contracts: market.contracts,
        tokens: market.tokens,
        accounts: demo_accounts,
        artifacts: ArtifactVersions {
            core: tools.core_version.clone(),
            periphery: tools.periphery_version.clone(),
            anvil: tools.anvil_version.clone(),
        },
        morpho: Some(morpho),
    })
}

/// What became of an attempt to start from the state cache.
enum CacheOutcome {
    /// The chain is loaded; here is its manifest.
    Loaded(Box<DevnetManifest>),
    /// No usable cache file: nothing was sent to Anvil.
    Missing,
    /// Loading failed part-way: Anvil's state is unknown.
    Failed,
}

/// Reads the cache file and loads it into the Anvil at `url`, logging why when it cannot.
async fn load_from_cache(url: &str, cache_file: &std::path::Path, key: &str) -> CacheOutcome {
    let cached = match cache::read(cache_file, key) {
        Ok(Some(cached)) => cached,
        Ok(None) => return CacheOutcome::Missing,
        Err(e) => {
            tracing::warn!("ignoring devnet state cache: {e}");
            return CacheOutcome::Missing;
        }
    };
    let loaded = match DevClient::connect(url) {
        Ok(client) => load_cached(&client, cached).await,
        Err(e) => Err(e),
    };
    match loaded {
        Ok(manifest) => CacheOutcome::Loaded(Box::new(manifest)),
        Err(e) => {
            tracing::warn!(
                "devnet state cache {} unusable ({e}); deploying afresh",
                cache_file.display()
            );
            CacheOutcome::Failed
        }
    }
}

/// Loads a cached state into a fresh Anvil, mines one block and returns the manifest.
async fn load_cached(
    client: &DevClient,
    cached: cache::CachedState,
) -> Result<DevnetManifest, DevnetError> {
    cache::load_state(client, cached.state, cached.manifest.contracts.pool).await?;
    let mut manifest = cached.manifest;
    manifest.rpc_url = client.url().to_string();
    manifest.block_number = block_number(client).await?;
    Ok(manifest)
}

/// Dumps Anvil's state and saves it with the manifest.
async fn save_cache(
    client: &DevClient,
    cache_dir: &std::path::Path,
    key: &str,
    manifest: &DevnetManifest,
) -> Result<PathBuf, DevnetError> {
    let state: Bytes = client.request("anvil_dumpState", ()).await?;
    let cached = cache::CachedState {
        key: key.to_string(),
        manifest: manifest.clone(),
        state,
    };
    cache::write(cache_dir, &cached)
}

async fn block_number(client: &DevClient) -> Result<u64, DevnetError> {
    let n: U64 = client.request("eth_blockNumber", ()).await?;
    Ok(n.to::<u64>())
}
