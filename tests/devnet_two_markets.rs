//! The devnet's two markets as `lendesk devnet` and `lendesk demo` run them: Aave v3.0 on
//! chain 31337 and Aave v3.6 on chain 31338, each on its own Anvil, both configured by the
//! written `lendesk.toml`. An address seeded on both is read on both, worst health first, each
//! health factor equal to its own chain's `getUserAccountData`; each market is detected as its
//! version; with the v3.6 Anvil gone the v3.0 market still answers within the deadline; the
//! binary shows both, and moves prices and liquidates on the market `--market` names.
//!
//! Each test starts its own pair (from the state caches: well under a second).

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, U256};
use alloy::providers::{Provider, ProviderBuilder};
use lendesk::chain::markets::{Lookup, MarketAnswer, Markets};
use lendesk::chain::position::AaveVersion;
use lendesk::chain::report;
use lendesk::chain::risk::DEFAULT_TARGET_HEALTH_FACTOR;
use lendesk::config::Config;
use lendesk::devnet::origin::abi::IOriginPool;
use lendesk::devnet::pair::WrittenFiles;
use lendesk::devnet::{
    DevnetFile, DevnetOptions, DevnetPair, MORPHO_MARKET, V3_0_MARKET, V3_6_MARKET,
};

const WAD: u128 = 1_000_000_000_000_000_000;

/// Both markets on free ports, their files written into `dir`.
async fn start(dir: &Path) -> (DevnetPair, WrittenFiles) {
    let pair = DevnetPair::start(DevnetOptions {
        port: 0,
        fresh: false,
    })
    .await
    .expect("start both devnet markets");
    let written = pair
        .write_files(dir)
        .expect("write devnet.json and lendesk.toml");
    (pair, written)
}

/// lendesk configured from the written `lendesk.toml`, as `lendesk position` loads it.
fn config(written: &WrittenFiles) -> Config {
    Config::load(&written.lendesk_toml, true).expect("the written lendesk.toml loads")
}

/// Anvil account `index` of the default mnemonic, as the v3.0 manifest lists it.
fn account(pair: &DevnetPair, index: u32) -> Address {
    pair.v3_0()
        .manifest()
        .accounts
        .iter()
        .find(|a| a.index == index)
        .unwrap_or_else(|| panic!("no account #{index}"))
        .address
}

/// `getUserAccountData(user).healthFactor` on the Pool at `pool`, over `rpc_url`.
async fn chain_health_factor(rpc_url: &str, pool: Address, user: Address) -> U256 {
    let provider = ProviderBuilder::new()
        .disable_recommended_fillers()
        .connect_http(rpc_url.parse().expect("url"));
    IOriginPool::new(pool, provider)
        .getUserAccountData(user)
        .call()
        .await
        .expect("getUserAccountData")
        .healthFactor
}

fn names(lookup: &Lookup) -> Vec<&str> {
    lookup.reads.iter().map(|r| r.market.as_str()).collect()
}

/// The market's health factor as lendesk computes it (wad).
fn lendesk_health_factor(lookup: &Lookup, market: &str) -> U256 {
    let (_, position) = lookup
        .positions()
        .find(|(r, _)| r.market == market)
        .unwrap_or_else(|| panic!("no position on {market}: {lookup:?}"));
    report::assess(position, DEFAULT_TARGET_HEALTH_FACTOR)
        .totals
        .health_factor
}

fn run(args: &[&str], dir: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lendesk"))
        .args(args)
        .current_dir(dir)
        .env_remove("LENDESK_CONFIG")
        // The whole suite runs beside it on two cores: a first lookup (discovery of both
        // markets) must not meet the default deadline under that load.
        .env("LENDESK_RPC_TIMEOUT_MS", "30000")
        .output()
        .expect("run lendesk")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_written_config_names_both_markets_on_two_chains() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pair, written) = start(dir.path()).await;
    let config = config(&written);
    assert_eq!(
        config.market_names(),
        [V3_0_MARKET, V3_6_MARKET, MORPHO_MARKET]
    );
    assert_eq!(config.default_market.as_deref(), Some(V3_0_MARKET));
    let v30 = config.market(Some(V3_0_MARKET)).expect("v3.0 market");
    let v36 = config.market(Some(V3_6_MARKET)).expect("v3.6 market");
    assert_eq!((v30.chain_id, v36.chain_id), (31337, 31338));
    assert_eq!(v30.rpc_url, pair.v3_0().rpc_url());
    assert_eq!(v36.rpc_url, pair.v3_6().rpc_url());
    assert_ne!(v30.rpc_url, v36.rpc_url);
    // Each Anvil serves the chain id the config gives it.
    for m in [v30, v36] {
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .connect_http(m.rpc_url.parse().expect("url"));
        assert_eq!(provider.get_chain_id().await.expect("chain id"), m.chain_id);
    }
    // devnet.json keeps the v3.0 shape at the top level and describes the v3.6 market too.
    let file = DevnetFile::read(&written.devnet_json).expect("devnet.json");
    assert_eq!(&file.v3_0, pair.v3_0().manifest());
    assert_eq!(file.v3_6.as_ref(), Some(pair.v3_6().manifest()));
    let old_reader =
        lendesk::devnet::DevnetManifest::read(&written.devnet_json).expect("read as v3.0 only");
    assert_eq!(&old_reader, pair.v3_0().manifest());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_on_both_markets_gets_both_worst_health_first_each_equal_to_its_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pair, written) = start(dir.path()).await;
    let markets = Markets::from_config(&config(&written)).expect("markets");
    let v30_pool = pair.v3_0().manifest().contracts.pool;
    let v36_pool = pair.v3_6().manifest().contracts.pool;

    // #2 is `warning` on v3.0 (HF ≈ 1.30) and `emode` on v3.6 (HF 1.275): v3.6 first.
    // #3 is `close` on v3.0 (HF ≈ 1.0499) and `near_liquidation` on v3.6 (≈ 1.0509): v3.0
    // first. The configuration's order alone cannot give both.
    for (index, worst_first) in [
        (2, [V3_6_MARKET, V3_0_MARKET, MORPHO_MARKET]),
        (3, [V3_0_MARKET, V3_6_MARKET, MORPHO_MARKET]),
    ] {
        let user = account(&pair, index);
        let lookup = markets.lookup(user).await;
        assert_eq!(names(&lookup), worst_first, "#{index}: {lookup:?}");
        assert_eq!(lookup.positions().count(), 2, "#{index}: {lookup:?}");
        let hf30 = lendesk_health_factor(&lookup, V3_0_MARKET);
        let hf36 = lendesk_health_factor(&lookup, V3_6_MARKET);
        assert_eq!(
            hf30,
            chain_health_factor(pair.v3_0().rpc_url(), v30_pool, user).await,
            "#{index} on v3.0"
        );
        assert_eq!(
            hf36,
            chain_health_factor(pair.v3_6().rpc_url(), v36_pool, user).await,
            "#{index} on v3.6"
        );
        assert_ne!(hf30, hf36);
        assert!(hf30 > U256::from(WAD) && hf36 > U256::from(WAD));
        // Each market is read by its own version's rules.
        for (read, position) in lookup.positions() {
            let expected = if read.market == V3_6_MARKET {
                AaveVersion::V3_6
            } else {
                AaveVersion::V3_0
            };
            assert_eq!(position.version, expected, "{}", read.market);
        }
    }
    // The E-Mode user of v3.6 is in E-Mode 1 there; on v3.0 the same account is not.
    let lookup = markets.lookup(account(&pair, 2)).await;
    let emode = |market: &str| {
        lookup
            .positions()
            .find(|(r, _)| r.market == market)
            .and_then(|(_, p)| p.emode.as_ref().map(|e| e.id))
    };
    assert_eq!(emode(V3_6_MARKET), Some(1));
    assert_eq!(emode(V3_0_MARKET), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_v3_6_anvil_stopped_the_v3_0_market_answers_within_the_deadline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pair, written) = start(dir.path()).await;
    let config = config(&written);
    let markets = Markets::from_config(&config).expect("markets");
    // Both discovered first: the deadline below is for a lookup, not a first discovery.
    assert!(markets.warm_up().await.is_empty());
    let user = account(&pair, 2);
    assert_eq!(markets.lookup(user).await.positions().count(), 2);

    let (v30, v36) = pair.into_parts();
    v36.stop();
    let deadline = markets.deadline();
    let started = Instant::now();
    let lookup = markets.lookup(user).await;
    let took = started.elapsed();
    assert!(
        took < deadline + Duration::from_millis(700),
        "the lookup took {took:?} with a {deadline:?} deadline"
    );
    assert_eq!(
        names(&lookup),
        [V3_0_MARKET, V3_6_MARKET, MORPHO_MARKET],
        "{lookup:?}"
    );
    assert!(
        matches!(lookup.reads[0].answer, MarketAnswer::Position(_)),
        "{lookup:?}"
    );
    assert_eq!(
        lendesk_health_factor(&lookup, V3_0_MARKET),
        chain_health_factor(v30.rpc_url(), v30.manifest().contracts.pool, user).await
    );
    assert!(lookup.reads[1].failure().is_some(), "{lookup:?}");
    assert!(!lookup.all_failed());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_shows_both_markets_and_acts_on_the_one_market_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pair, written) = start(dir.path()).await;
    let toml = written.lendesk_toml.to_str().expect("utf-8 path");
    let json = written.devnet_json.to_str().expect("utf-8 path");
    let emode = account(&pair, 2).to_string();
    let out = stdout(&run(&["position", &emode, "--config", toml], dir.path()));
    eprintln!("{out}");
    let v36 = out
        .find(&format!("== {V3_6_MARKET} =="))
        .expect("a v3.6 section");
    let v30 = out
        .find(&format!("== {V3_0_MARKET} =="))
        .expect("a v3.0 section");
    assert!(v36 < v30, "worst health first:\n{out}");
    assert!(out.contains("E-Mode"), "{out}");

    // WETH at $1,800 on v3.6 only: its near_liquidation user (#3) becomes liquidatable there,
    // while #3 on v3.0 keeps its health factor.
    let near = account(&pair, 3);
    let v30_pool = pair.v3_0().manifest().contracts.pool;
    let v36_pool = pair.v3_6().manifest().contracts.pool;
    let v30_before = chain_health_factor(pair.v3_0().rpc_url(), v30_pool, near).await;
    let moved = stdout(&run(
        &[
            "devnet",
            "price",
            "WETH",
            "1800",
            "--market",
            V3_6_MARKET,
            "--manifest",
            json,
        ],
        dir.path(),
    ));
    assert!(moved.contains("near_liquidation"), "{moved}");
    let v36_hf = chain_health_factor(pair.v3_6().rpc_url(), v36_pool, near).await;
    assert!(v36_hf < U256::from(WAD), "v3.6 HF {v36_hf}");
    assert_eq!(
        chain_health_factor(pair.v3_0().rpc_url(), v30_pool, near).await,
        v30_before
    );

    let near_text = near.to_string();
    let liquidated = stdout(&run(
        &[
            "devnet",
            "liquidate",
            &near_text,
            "--market",
            V3_6_MARKET,
            "--manifest",
            json,
        ],
        dir.path(),
    ));
    eprintln!("{liquidated}");
    assert!(liquidated.contains("debt repaid"), "{liquidated}");
    assert!(liquidated.contains("DAI"), "{liquidated}");
    let after = chain_health_factor(pair.v3_6().rpc_url(), v36_pool, near).await;
    assert!(after > v36_hf, "HF {v36_hf} → {after}");

    // An unknown market is refused with the names devnet.json has.
    let refused = run(
        &[
            "devnet",
            "price",
            "WETH",
            "1",
            "--market",
            "nope",
            "--manifest",
            json,
        ],
        dir.path(),
    );
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains(V3_6_MARKET), "{err}");
}
