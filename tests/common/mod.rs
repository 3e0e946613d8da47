//! The shared fixture for tests that need a chain: a real Anvil with the real Aave v3 market,
//! started once per test binary (read-only tests) or once per test (tests that move prices,
//! withdraw, repay or liquidate).
#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::Duration;

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use lendesk::chain::aave_v3::AaveV3Reader;
use lendesk::chain::rpc::Rpc;
use lendesk::config::{Config, MULTICALL3, MarketConfig, MarketKind, RiskConfig};
use lendesk::devnet::{Devnet, DevnetManifest, DevnetOptions};

/// A running devnet as tests see it.
#[derive(Clone)]
pub struct Chain {
    pub rpc_url: String,
    pub manifest: DevnetManifest,
}

static SHARED: OnceLock<Chain> = OnceLock::new();

/// The devnet shared by every read-only test of this binary. It lives on a thread of its own
/// that never ends, so Anvil (bound to its spawning thread by PDEATHSIG) dies with the binary.
pub fn shared() -> Chain {
    SHARED
        .get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("test runtime");
                let devnet = runtime
                    .block_on(Devnet::start(DevnetOptions {
                        port: 0,
                        fresh: false,
                    }))
                    .expect("start the devnet");
                tx.send(Chain {
                    rpc_url: devnet.rpc_url().to_string(),
                    manifest: devnet.manifest().clone(),
                })
                .expect("hand the devnet to the tests");
                loop {
                    std::thread::park();
                }
            });
            rx.recv().expect("devnet thread")
        })
        .clone()
}

/// A devnet of this test's own, for tests that change chain state.
pub async fn own() -> Devnet {
    Devnet::start(DevnetOptions {
        port: 0,
        fresh: false,
    })
    .await
    .expect("start a devnet")
}

pub fn market(rpc_url: &str, manifest: &DevnetManifest) -> MarketConfig {
    MarketConfig {
        name: "devnet".into(),
        chain_id: manifest.chain_id,
        rpc_url: rpc_url.into(),
        kind: MarketKind::AaveV3,
        pool_addresses_provider: manifest.contracts.pool_addresses_provider,
        multicall3: MULTICALL3,
    }
}

pub fn config(rpc_url: &str, manifest: &DevnetManifest) -> Config {
    Config {
        default_market: Some("devnet".into()),
        markets: vec![market(rpc_url, manifest)],
        ..Default::default()
    }
}

pub fn reader(rpc_url: &str, manifest: &DevnetManifest) -> AaveV3Reader {
    let rpc = Rpc::connect(rpc_url, Duration::from_secs(10)).expect("rpc");
    AaveV3Reader::new(
        market(rpc_url, manifest),
        rpc,
        RiskConfig::default().stablecoins,
    )
}

/// A provider that sends transactions from Anvil's unlocked accounts (`from` set per tx).
/// No fillers: Anvil fills nonce and gas itself, so snapshots and reverts never leave a cached
/// nonce behind (a future nonce would wait in the mempool forever).
pub fn provider(rpc_url: &str) -> DynProvider {
    ProviderBuilder::new()
        .disable_recommended_fillers()
        .connect_http(rpc_url.parse().expect("url"))
        .erased()
}

pub fn account(manifest: &DevnetManifest, profile: &str) -> Address {
    manifest
        .account(profile)
        .unwrap_or_else(|| panic!("devnet has no {profile} account"))
        .address
}

/// `Pool.getUserAccountData` at `block`: the protocol's own view.
pub async fn protocol_account(
    provider: &DynProvider,
    pool: Address,
    user: Address,
    block: BlockId,
) -> lendesk::chain::bindings::IPool::getUserAccountDataReturn {
    lendesk::chain::bindings::IPool::new(pool, provider)
        .getUserAccountData(user)
        .block(block)
        .call()
        .await
        .expect("getUserAccountData")
}

/// The protocol's current health factor.
pub async fn protocol_hf(provider: &DynProvider, pool: Address, user: Address) -> U256 {
    protocol_account(provider, pool, user, BlockId::latest())
        .await
        .healthFactor
}

/// A devnet of one test case's own, with a reader and a provider on it. Tests that send
/// transactions take a fresh sandbox per case instead of `evm_revert`: Anvil may put reverted
/// transactions back in its pool, which breaks nonces for the next case.
pub struct Sandbox {
    pub devnet: Devnet,
    pub reader: AaveV3Reader,
    pub provider: DynProvider,
}

impl Sandbox {
    pub async fn new() -> Sandbox {
        let devnet = own().await;
        let reader = reader(devnet.rpc_url(), devnet.manifest());
        let provider = provider(devnet.rpc_url());
        Sandbox {
            devnet,
            reader,
            provider,
        }
    }
}

/// 1e18 × num / den: a health factor from a fraction.
pub fn wad(num: u64, den: u64) -> U256 {
    U256::from(10u64).pow(U256::from(18)) * U256::from(num) / U256::from(den)
}

/// The health factor a text shows right after `label` ("Health factor 1.29" → 1.29).
pub fn shown_health_factor(text: &str, label: &str) -> Option<f64> {
    let rest = &text[text.find(label)? + label.len()..];
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    number.parse().ok()
}

/// The "warning" demo account is seeded at HF 1.3: 1.30 on a fresh deploy, a little under it
/// once interest has accrued since the cached state was written.
pub fn assert_warning_hf(text: &str, label: &str) {
    let hf = shown_health_factor(text, label);
    assert!(
        hf.is_some_and(|hf| (1.25..=1.30).contains(&hf)),
        "expected the warning account's HF (1.25–1.30) after {label:?}: {text}"
    );
}
