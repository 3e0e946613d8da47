//! Several markets at once, as users and operators meet them: the devnet's market under two
//! names (two markets on one chain), a second devnet whose prices moved, and markets whose
//! node is dead (a closed port) or silent (accepts, never answers). The lookup answers within
//! its one deadline, worst health first; the binary's `markets` and `position` without
//! `--market` show it; the desk answers from every market. Also: the committed presets table
//! matches the pinned address book.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use lendesk::chain::aave_v3::AaveV3Reader;
use lendesk::chain::markets::{MarketAnswer, Markets};
use lendesk::desk::{Desk, Incoming, Intent};
use lendesk::devnet::DevnetManifest;
use lendesk::store::Store;

/// A local port nothing listens on: connections are refused.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

/// The shared devnet's market configured twice, as "devnet-a" and "devnet-b" (two markets on
/// one chain, one node).
fn devnet_twice(chain: &common::Chain, timeout: Duration) -> Markets {
    Markets::new(
        vec![
            common::named_reader("devnet-a", &chain.rpc_url, &chain.manifest, timeout),
            common::named_reader("devnet-b", &chain.rpc_url, &chain.manifest, timeout),
        ],
        timeout,
    )
}

fn names(lookup: &lendesk::chain::markets::Lookup) -> Vec<&str> {
    lookup.reads.iter().map(|r| r.market.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_markets_on_one_chain_both_answer() {
    let chain = common::shared();
    let timeout = Duration::from_secs(10);
    let markets = devnet_twice(&chain, timeout);
    let multi = common::account(&chain.manifest, "multi");
    let lookup = markets.lookup(multi).await;
    assert_eq!(names(&lookup), ["devnet-a", "devnet-b"]);
    let positions: Vec<_> = lookup.positions().collect();
    assert_eq!(positions.len(), 2, "{lookup:?}");
    for (read, position) in positions {
        assert_eq!(position.market, read.market);
        assert_eq!(position.user, multi);
        assert!(!position.is_empty());
    }
    // The empty account has nothing on either: both answer "no position".
    let empty = markets
        .lookup(common::account(&chain.manifest, "empty"))
        .await;
    assert!(
        empty
            .reads
            .iter()
            .all(|r| matches!(r.answer, MarketAnswer::NoPosition(_))),
        "{empty:?}"
    );
    assert!(!empty.all_failed());
}

/// HTTP round trips made so far through every reader's connection.
fn round_trips(readers: &[&AaveV3Reader]) -> u64 {
    readers.iter().map(|r| r.rpc().round_trips.get()).sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_markets_on_one_node_are_read_in_one_round_trip_at_one_block() {
    let chain = common::shared();
    let timeout = Duration::from_secs(10);
    let markets = devnet_twice(&chain, timeout);
    assert!(markets.warm_up().await.is_empty(), "both are discovered");
    let readers: Vec<&AaveV3Reader> = markets.readers().iter().collect();
    for profile in ["multi", "warning", "empty"] {
        let user = common::account(&chain.manifest, profile);
        let before = round_trips(&readers);
        let lookup = markets.lookup(user).await;
        assert_eq!(
            round_trips(&readers) - before,
            1,
            "{profile}: one request for both markets"
        );
        assert_eq!(lookup.failures().count(), 0, "{lookup:?}");
        // Each market's own read (one request each) gives the same position at the same block.
        for read in &lookup.reads {
            let own = markets
                .get(&read.market)
                .expect("configured")
                .position(user)
                .await
                .expect("its own read");
            let shared = read.position().expect("read");
            assert_eq!(shared.block_number, own.block_number, "{profile}");
            assert_eq!(shared, &own, "{profile} on {}", read.market);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn markets_on_one_chain_at_two_urls_are_two_requests() {
    let chain = common::shared();
    let timeout = Duration::from_secs(10);
    // The same node under another name: another endpoint as far as the configuration says.
    let other_url = chain.rpc_url.replace("127.0.0.1", "localhost");
    assert_ne!(other_url, chain.rpc_url);
    let markets = Markets::new(
        vec![
            common::named_reader("here", &chain.rpc_url, &chain.manifest, timeout),
            common::named_reader("there", &other_url, &chain.manifest, timeout),
            common::named_reader("here-too", &chain.rpc_url, &chain.manifest, timeout),
        ],
        timeout,
    );
    assert!(markets.warm_up().await.is_empty(), "all are discovered");
    let readers: Vec<&AaveV3Reader> = markets.readers().iter().collect();
    let each: Vec<u64> = readers.iter().map(|r| r.rpc().round_trips.get()).collect();
    let lookup = markets
        .lookup(common::account(&chain.manifest, "warning"))
        .await;
    assert_eq!(lookup.positions().count(), 3, "{lookup:?}");
    let made: Vec<u64> = readers
        .iter()
        .zip(each)
        .map(|(r, before)| r.rpc().round_trips.get() - before)
        .collect();
    // "here" and "here-too" share one request (on the first one's connection); "there" has
    // its own.
    assert_eq!(made, [1, 1, 0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_provider_that_is_no_market_fails_alone_and_its_node_neighbour_answers() {
    let chain = common::shared();
    let timeout = Duration::from_secs(10);
    let bogus = {
        let mut market = common::market(&chain.rpc_url, &chain.manifest);
        market.name = "bogus".into();
        // No contract there: no getPool().
        market.protocol = lendesk::config::Protocol::AaveV3 {
            pool_addresses_provider: alloy::primitives::Address::repeat_byte(0x42),
        };
        common::reader_of(market, timeout)
    };
    let markets = Markets::new(
        vec![
            bogus,
            common::named_reader("devnet", &chain.rpc_url, &chain.manifest, timeout),
        ],
        timeout,
    );
    let warning = common::account(&chain.manifest, "warning");
    // Cold (both discovered in this lookup), then warm (the good one is cached, the bogus one
    // fails its discovery again).
    for round in ["cold", "warm"] {
        let lookup = markets.lookup(warning).await;
        assert_eq!(names(&lookup), ["devnet", "bogus"], "{round}: {lookup:?}");
        assert!(
            matches!(lookup.reads[0].answer, MarketAnswer::Position(_)),
            "{round}: {lookup:?}"
        );
        assert!(
            matches!(
                lookup.reads[1].failure(),
                Some(lendesk::chain::ChainError::NotAMarket(_))
            ),
            "{round}: {lookup:?}"
        );
    }
    let good = markets.get("devnet").expect("configured");
    let before = good.rpc().round_trips.get();
    markets.lookup(warning).await;
    assert_eq!(good.rpc().round_trips.get() - before, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_or_silent_market_is_reported_and_the_live_one_answers_within_the_deadline() {
    let chain = common::shared();
    // Warm the live market first: the deadline below is for a lookup, not a first discovery
    // on a busy test machine.
    let deadline = Duration::from_millis(1_500);
    let live = common::named_reader("live", &chain.rpc_url, &chain.manifest, deadline);
    live.catalog()
        .await
        .expect("the devnet market is discovered");
    let silent = common::silent_node().await;
    // The dead markets come first in the configuration; the answer puts the live one first.
    let markets = Markets::new(
        vec![
            common::named_reader("refused", &closed_port(), &chain.manifest, deadline),
            // Its own connection would wait 10 s: the lookup's deadline cuts it short.
            common::named_reader("silent", &silent, &chain.manifest, Duration::from_secs(10)),
            live,
        ],
        deadline,
    );
    let warning = common::account(&chain.manifest, "warning");
    let started = Instant::now();
    let lookup = markets.lookup(warning).await;
    let took = started.elapsed();
    assert!(
        took < deadline + Duration::from_millis(700),
        "the lookup took {took:?} with a {deadline:?} deadline"
    );
    assert_eq!(names(&lookup), ["live", "refused", "silent"], "{lookup:?}");
    assert!(matches!(lookup.reads[0].answer, MarketAnswer::Position(_)));
    let refused = lookup.reads[1]
        .failure()
        .expect("refused failed")
        .to_string();
    assert!(refused.contains("unavailable"), "{refused}");
    let silent = lookup.reads[2]
        .failure()
        .expect("silent failed")
        .to_string();
    assert!(silent.contains("did not answer within 1500 ms"), "{silent}");
    assert!(!lookup.all_failed());

    // An account with nothing anywhere: failures come before "no position".
    let empty = markets
        .lookup(common::account(&chain.manifest, "empty"))
        .await;
    assert_eq!(names(&empty), ["refused", "silent", "live"], "{empty:?}");
    assert!(matches!(empty.reads[2].answer, MarketAnswer::NoPosition(_)));

    // A node serving another chain than the market expects: a typed failure of its own.
    let mut mainnet = common::market(&chain.rpc_url, &chain.manifest);
    mainnet.name = "mainnet".into();
    mainnet.chain_id = 1;
    let wrong = Markets::new(vec![common::reader_of(mainnet, deadline)], deadline);
    let lookup = wrong.lookup(warning).await;
    assert!(
        matches!(
            lookup.reads[0].failure(),
            Some(lendesk::chain::ChainError::WrongChain { expected: 1, .. })
        ),
        "{lookup:?}"
    );

    // Every node down: all failed, still within the deadline.
    let dead = Markets::new(
        vec![
            common::named_reader("refused", &closed_port(), &chain.manifest, deadline),
            common::named_reader(
                "silent",
                &common::silent_node().await,
                &chain.manifest,
                deadline,
            ),
        ],
        deadline,
    );
    let started = Instant::now();
    assert!(dead.lookup(warning).await.all_failed());
    assert!(started.elapsed() < deadline + Duration::from_millis(700));
}

#[tokio::test(flavor = "multi_thread")]
async fn positions_come_worst_health_first_then_debt_free_ones() {
    let calm = common::shared();
    // A devnet of this test's own where WETH fell 20%: the warning account is worse there.
    let stressed = common::own().await;
    stressed.set_price("WETH", "1600").await.expect("move WETH");
    let timeout = Duration::from_secs(10);
    let markets = Markets::new(
        vec![
            common::named_reader("calm", &calm.rpc_url, &calm.manifest, timeout),
            common::named_reader("stressed", stressed.rpc_url(), stressed.manifest(), timeout),
        ],
        timeout,
    );
    let warning = common::account(&calm.manifest, "warning");
    assert_eq!(warning, common::account(stressed.manifest(), "warning"));
    let lookup = markets.lookup(warning).await;
    assert_eq!(names(&lookup), ["stressed", "calm"], "{lookup:?}");

    // The debt-free "liquidity" account: a position on both, after the warning one's in a
    // lookup of each (the order of the groups is unit-tested in chain::markets).
    let liquidity = common::account(&calm.manifest, "liquidity");
    let debt_free = markets.lookup(liquidity).await;
    assert_eq!(debt_free.positions().count(), 2, "{debt_free:?}");
    for (_, p) in debt_free.positions() {
        assert!(
            p.reserves.iter().all(|r| r.variable_debt.is_zero()),
            "{}",
            p.market
        );
    }
    stressed.stop();
}

// ---- The binary: `lendesk markets` and `lendesk position` without `--market`. ----

/// A config with the devnet's market under each of `names`, at the matching RPC URL.
fn write_config(dir: &Path, markets: &[(&str, &str)], manifest: &DevnetManifest) -> PathBuf {
    let mut text = String::new();
    for (name, rpc_url) in markets {
        text.push_str(&format!(
            "[[markets]]\nname = \"{name}\"\nchain_id = {}\nrpc_url = \"{rpc_url}\"\nkind = \"aave-v3\"\npool_addresses_provider = \"{}\"\n\n",
            manifest.chain_id, manifest.contracts.pool_addresses_provider
        ));
    }
    let path = dir.join("lendesk.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

async fn lendesk(config: &Path, args: &[&str], timeout_ms: u64) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_lendesk"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("LENDESK_RPC_TIMEOUT_MS", timeout_ms.to_string())
        .env_remove("LENDESK_CONFIG")
        .env_remove("LENDESK_RPC_URL")
        .env_remove("LENDESK_MARKET")
        .output()
        .await
        .expect("run lendesk")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn lendesk_markets_lists_the_presets_and_marks_the_configured_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("lendesk.toml");
    std::fs::write(
        &config,
        "markets = [\"aave-v3-base\", { preset = \"aave-v3-arbitrum\", name = \"arb\" }]\n\
         [rpc.urls]\nbase = \"https://base.example\"\narbitrum = \"https://arb.example\"\n",
    )
    .expect("write config");
    let out = lendesk(&config, &["markets"], 5_000).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no line for {name}: {text}"))
            .to_string()
    };
    let base = line("aave-v3-base");
    assert!(
        base.contains("8453") && base.contains("0xe20fCBdBfFC4Dd138cE8b2E6FBb6CB49777ad64D"),
        "{base}"
    );
    assert!(base.ends_with('*'), "{base}");
    assert!(line("aave-v3-arbitrum").ends_with("* (as arb)"), "{text}");
    let ethereum = line("aave-v3-ethereum");
    assert!(
        !ethereum.contains('*') && ethereum.contains(" ethereum "),
        "{ethereum}"
    );
    assert!(line("aave-v3-sepolia").contains("testnet"), "{text}");

    let out = lendesk(&config, &["markets", "--json"], 5_000).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["address_book"], "4.68.1");
    let presets = v["presets"].as_array().expect("presets");
    let find = |name: &str| {
        presets
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert_eq!(find("aave-v3-arbitrum")["configured_as"], "arb");
    assert_eq!(
        find("aave-v3-ethereum")["configured_as"],
        serde_json::Value::Null
    );
    assert_eq!(find("aave-v3-ethereum")["chain_id"], 1);

    // An unknown preset is a configuration error: exit 2, with a close name.
    std::fs::write(&config, "markets = [\"aave-v3-bse\"]\n").expect("write config");
    let out = lendesk(&config, &["markets"], 5_000).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did you mean aave-v3-base"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn position_without_market_covers_every_market_and_fails_only_when_all_do() {
    let chain = common::shared();
    let dir = tempfile::tempdir().expect("temp dir");
    let warning = common::account(&chain.manifest, "warning").to_checksum(None);
    let dead = closed_port();

    // Two live names and a dead one: both sections, a line for the dead one, exit 0.
    let config = write_config(
        dir.path(),
        &[
            ("dead", &dead),
            ("east", &chain.rpc_url),
            ("west", &chain.rpc_url),
        ],
        &chain.manifest,
    );
    let out = lendesk(&config, &["position", &warning], 10_000).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let east = text.find("== east ==").expect("east section");
    let west = text.find("== west ==").expect("west section");
    let failed = text.find("dead: could not be read").expect("dead line");
    assert!(east < west && west < failed, "{text}");
    common::assert_warning_hf(&text[east..west], "Health factor ");
    assert!(
        text.contains("Note: 1 of 3 markets could not be read"),
        "{text}"
    );

    let out = lendesk(&config, &["position", &warning, "--json"], 10_000).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let items = v.as_array().expect("an array");
    let statuses: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i["market"].as_str().unwrap(), i["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("east", "position"),
            ("west", "position"),
            ("dead", "failed")
        ]
    );
    assert!(items[0]["position"]["summary"]["health_factor"]["raw"].is_string());

    // --market still reads one market, as before.
    let out = lendesk(&config, &["position", &warning, "--market", "west"], 10_000).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("=="), "{}", stdout(&out));

    // Every node dead: exit 3 naming each market.
    let config = write_config(
        dir.path(),
        &[("dead", &dead), ("silent", &common::silent_node().await)],
        &chain.manifest,
    );
    let started = Instant::now();
    let out = lendesk(&config, &["position", &warning], 1_000).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("dead:") && stderr(&out).contains("silent:"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(4));
}

// ---- The desk over several markets. ----

fn desk(markets: Markets, data: &Path) -> Desk {
    common::desk(markets, Store::open(data).expect("store"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_desk_answers_from_every_market_and_its_buttons_name_theirs() {
    let chain = common::shared();
    let timeout = Duration::from_secs(10);
    let dir = tempfile::tempdir().expect("temp dir");
    let desk = desk(
        Markets::new(
            vec![
                common::named_reader("east", &chain.rpc_url, &chain.manifest, timeout),
                common::named_reader("dead", &closed_port(), &chain.manifest, timeout),
                common::named_reader("west", &chain.rpc_url, &chain.manifest, timeout),
            ],
            timeout,
        ),
        dir.path(),
    );
    let warning = common::account(&chain.manifest, "warning");
    let out = desk
        .handle(Incoming {
            user: 7,
            text: format!("how is {warning} doing?"),
            now: 1_700_000_000,
            ..Default::default()
        })
        .await;
    assert_eq!(out.intent, Intent::Position, "{}", out.text());
    assert!(out.replies[0].text.contains("on east"), "{}", out.text());
    assert!(out.replies[1].text.contains("on west"), "{}", out.text());
    assert!(
        out.replies[2].text.contains("couldn't read dead"),
        "{}",
        out.text()
    );
    assert_eq!(out.sources.len(), 2, "{:?}", out.sources);

    // The buttons name their market; pressing one answers from that market.
    let east_tag = Markets::tag("east");
    let buttons: Vec<&str> = out.replies[0]
        .buttons
        .iter()
        .flatten()
        .map(|b| b.data.as_str())
        .collect();
    let asset = buttons
        .iter()
        .find(|d| d.starts_with(&format!("am:{east_tag}:")) && d.ends_with(":WETH"))
        .unwrap_or_else(|| panic!("no WETH button for east: {buttons:?}"));
    assert!(buttons.iter().all(|d| d.len() <= 64), "{buttons:?}");
    let what_if = buttons
        .iter()
        .find(|d| d.starts_with("whatif:") && d.ends_with(&format!("@{east_tag}")))
        .unwrap_or_else(|| panic!("no what-if for east: {buttons:?}"));
    let pressed = desk.button(7, asset, None, 1_700_000_001).await;
    assert_eq!(pressed.intent, Intent::Position, "{}", pressed.text());
    assert!(
        pressed.sources[0].starts_with("chain:east:"),
        "{:?}",
        pressed.sources
    );
    let pressed = desk.button(7, what_if, None, 1_700_000_002).await;
    assert_eq!(pressed.replies.len(), 1, "{}", pressed.text());
    assert!(
        pressed.sources[0].starts_with("chain:east:"),
        "{:?}",
        pressed.sources
    );

    // An older button without a market still answers (from a market holding the asset); one
    // naming a market no longer configured says so.
    let old = desk
        .button(
            7,
            &format!("asset:{}:WETH", warning.to_checksum(None)),
            None,
            1_700_000_003,
        )
        .await;
    assert_eq!(old.intent, Intent::Position, "{}", old.text());
    let gone = desk
        .button(
            7,
            &format!("am:ffff:{}:WETH", warning.to_checksum(None)),
            None,
            1_700_000_004,
        )
        .await;
    assert!(gone.text().contains("no longer reads"), "{}", gone.text());

    // Staff see one part per market with a position and the unreadable one.
    let summary = desk
        .position_summary(warning, lendesk::lang::Lang::En)
        .await
        .expect("a summary");
    assert!(
        summary.starts_with("east: HF 1.")
            && summary.contains("| west: HF 1.")
            && summary.ends_with("unreadable: dead"),
        "{summary}"
    );

    // A FAQ answer's personal line names the worst market when there are several.
    let faq = desk
        .handle(Incoming {
            user: 8,
            text: "what does the health factor mean".into(),
            addresses: vec![warning],
            now: 1_700_000_005,
            ..Default::default()
        })
        .await;
    common::assert_warning_hf(&faq.text(), "Your health factor on east right now is **");

    // Nothing anywhere: one answer naming the markets read.
    let empty = common::account(&chain.manifest, "empty");
    let out = desk
        .handle(Incoming {
            user: 7,
            text: format!("how is {empty} doing?"),
            now: 1_700_000_005,
            ..Default::default()
        })
        .await;
    assert!(
        out.replies[0]
            .text
            .contains("no supply and no debt on any of these markets: east, west"),
        "{}",
        out.text()
    );
}

// ---- The presets table. ----

#[test]
fn the_committed_presets_table_matches_the_pinned_address_book() {
    common::assert_node_check("scripts/address-book-presets.mjs", "the presets table");
}
