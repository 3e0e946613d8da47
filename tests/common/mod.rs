//! The shared fixture for tests that need a chain: a real Anvil with the real Aave v3 market,
//! started once per test binary (read-only tests) or once per test (tests that move prices,
//! withdraw, repay or liquidate). The store's fixtures are here too: a data directory with
//! every kind of record (`populate`) and a PostgreSQL database of a test's own (`postgres`).
#![allow(dead_code)]

pub mod judge;
pub mod populate;
pub mod postgres;
pub mod switchable;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use lendesk::chain::aave_v3::AaveV3Reader;
use lendesk::chain::markets::Markets;
use lendesk::chain::rpc::Rpc;
use lendesk::config::{Config, MULTICALL3, MarketConfig, Protocol, RiskConfig};
use lendesk::desk::{Desk, DeskSettings};
use lendesk::devnet::{Devnet, DevnetManifest, DevnetOptions};
use lendesk::knowledge::KnowledgeBase;
use lendesk::store::Store;
use lendesk::tickets::{SlaConfig, Tickets};

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
        protocol: Protocol::AaveV3 {
            pool_addresses_provider: manifest.contracts.pool_addresses_provider,
        },
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

/// lendesk's reader of the devnet market at `rpc_url` (10 s timeout).
pub fn reader(rpc_url: &str, manifest: &DevnetManifest) -> AaveV3Reader {
    reader_of(market(rpc_url, manifest), Duration::from_secs(10))
}

/// A reader of the devnet market at `rpc_url`, called `name`, giving up after `timeout`.
pub fn named_reader(
    name: &str,
    rpc_url: &str,
    manifest: &DevnetManifest,
    timeout: Duration,
) -> AaveV3Reader {
    let mut market = market(rpc_url, manifest);
    market.name = name.into();
    reader_of(market, timeout)
}

/// lendesk's reader of `market` (at its own `rpc_url`), giving up after `timeout`.
pub fn reader_of(market: MarketConfig, timeout: Duration) -> AaveV3Reader {
    let rpc = Rpc::connect(&market.rpc_url, timeout).expect("rpc");
    AaveV3Reader::new(market, rpc, RiskConfig::default().stablecoins)
}

/// The committed FAQ folder.
pub fn faq_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("faq")
}

/// A desk over `markets` with the committed FAQ, keeping its tickets in `store`.
pub fn desk(markets: Markets, store: Store) -> Desk {
    desk_with(markets, store, lendesk::knowledge::Retrieval::default())
}

/// [`desk`] with the knowledge base searched by `retrieval` (the evaluation's ablation).
#[allow(dead_code)]
pub fn desk_with(markets: Markets, store: Store, retrieval: lendesk::knowledge::Retrieval) -> Desk {
    let kb = KnowledgeBase::load_dir(&faq_dir())
        .expect("faq")
        .with_retrieval(retrieval);
    let tickets = Tickets::new(store.clone(), SlaConfig::default());
    Desk::new(kb, markets, tickets, store, DeskSettings::default())
}

/// A node that accepts connections and never answers.
pub async fn silent_node() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    format!("http://{addr}")
}

/// Runs `node <script> --check` in the crate and fails with its output when the committed
/// files differ from the pinned packages (`what` names them).
pub fn assert_node_check(script: &str, what: &str) {
    // The shared devnet installs devnet/node_modules (the address book included) when missing.
    let _ = shared();
    let out = std::process::Command::new("node")
        .arg(script)
        .arg("--check")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "{what} differs from the pinned package: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
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

/// `user` watching `address` (without linking it) at the default levels (1.3 / 1.1).
pub fn watching(user: i64, address: Address) -> lendesk::store::AlertSettings {
    let defaults = lendesk::alerts::AlertsConfig::default();
    lendesk::store::AlertSettings {
        watched: vec![address],
        ..lendesk::store::AlertSettings::new(user, defaults.warning, defaults.critical)
    }
}

/// The last alert of `user` for `address` on the devnet market states the health factor
/// `Pool.getUserAccountData` gives at the block it was read at; that block.
pub async fn last_alert_equals_the_chain(
    sandbox: &Sandbox,
    store: &Store,
    user: i64,
    address: Address,
) -> u64 {
    let mark = store
        .alert_mark(user, "devnet", address)
        .await
        .expect("mark")
        .expect("kept");
    let last = mark.last_alert.expect("last alert");
    let chain = protocol_account(
        &sandbox.provider,
        sandbox.devnet.manifest().contracts.pool,
        address,
        BlockId::number(last.block),
    )
    .await;
    assert_eq!(last.health_factor, chain.healthFactor.to_string());
    last.block
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

/// The devnet's Morpho Blue deployment.
pub fn morpho(manifest: &DevnetManifest) -> &lendesk::devnet::MorphoManifest {
    manifest.morpho.as_ref().expect("the devnet runs Morpho")
}

/// The devnet's Morpho demo borrower with `profile` ("safe", "close", "multi", "both"…).
pub fn morpho_borrower(manifest: &DevnetManifest, profile: &str) -> Address {
    morpho(manifest)
        .accounts
        .iter()
        .find(|a| a.profile == profile)
        .unwrap_or_else(|| panic!("no Morpho {profile} borrower"))
        .address
}

/// `user`'s health factor on the devnet's Morpho market `label` ("WETH/USDC 86%") as Morpho
/// judges it at the latest block: its own state, with the interest its IRM would accrue.
pub async fn morpho_chain_hf(devnet: &Devnet, label: &str, user: Address) -> U256 {
    devnet
        .morpho_positions(user)
        .await
        .expect("Morpho positions")
        .into_iter()
        .find(|p| p.market == label)
        .unwrap_or_else(|| panic!("{user} has nothing on {label}"))
        .health_factor
}

/// A reader of the Morpho contract `morpho` on the devnet at `rpc_url` (market
/// "devnet-morpho"), of the markets `market_ids` (every created one when empty), with USDC and
/// DAI counted as stablecoins.
pub fn morpho_reader(
    rpc_url: &str,
    chain_id: u64,
    morpho: Address,
    market_ids: Vec<alloy::primitives::B256>,
) -> lendesk::chain::morpho_blue::MorphoReader {
    let config = MarketConfig {
        name: "devnet-morpho".into(),
        chain_id,
        rpc_url: rpc_url.into(),
        protocol: Protocol::MorphoBlue { morpho, market_ids },
        multicall3: MULTICALL3,
    };
    let rpc = Rpc::connect(rpc_url, Duration::from_secs(10)).expect("rpc");
    lendesk::chain::morpho_blue::MorphoReader::new(config, rpc, vec!["USDC".into(), "DAI".into()])
        .expect("a Morpho market")
}

/// Copies a directory tree (a sled data directory, to damage the copy).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
