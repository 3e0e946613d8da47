//! The guard: lendesk never shows a health factor the protocol disagrees with. Real positions
//! from the devnet agree with `getUserAccountData`; a position read with a deliberately wrong
//! parameter (as a market on other rules would give) shows the protocol's figures and leaves
//! out everything derived from lendesk's own math.

mod common;

use alloy::primitives::U256;
use lendesk::chain::format;
use lendesk::chain::position::Position;
use lendesk::chain::report::{self, HealthBand};
use lendesk::chain::risk::{self, DEFAULT_TARGET_HEALTH_FACTOR};
use lendesk::desk::intent::{PositionFocus, WhatIf};
use lendesk::desk::position_answer;
use lendesk::lang::Lang;

const PROFILES: [&str; 7] = [
    "safe",
    "warning",
    "close",
    "multi",
    "empty",
    "liquidity",
    "isolated",
];

async fn read(profile: &str) -> Position {
    let chain = common::shared();
    common::reader(&chain.rpc_url, &chain.manifest)
        .position(common::account(&chain.manifest, profile))
        .await
        .expect("position")
}

/// The warning account as a market with a different liquidation threshold for WETH would be
/// computed by lendesk: its own totals move, the protocol's view stays.
async fn misread_warning_position() -> Position {
    let mut position = read("warning").await;
    let weth = position.reserve_index("WETH").expect("WETH");
    position.reserves[weth].config.liquidation_threshold -= 500;
    position
}

#[tokio::test]
async fn every_demo_position_agrees_with_the_protocol() {
    for profile in PROFILES {
        let position = read(profile).await;
        let report = report::assess(&position, DEFAULT_TARGET_HEALTH_FACTOR);
        assert!(report.agrees_with_protocol, "{profile}");
    }
}

#[tokio::test]
async fn the_allowance_is_rounding_and_no_more() {
    let position = read("warning").await;
    let totals = risk::account_totals(&position);
    assert!(report::agrees_with_protocol(&position, &totals));
    let units = U256::from(position.reserves.len());

    let mut off = position.clone();
    off.reported.total_collateral_base += units;
    assert!(
        report::agrees_with_protocol(&off, &totals),
        "within rounding"
    );
    off.reported.total_collateral_base += U256::from(1);
    assert!(
        !report::agrees_with_protocol(&off, &totals),
        "past rounding"
    );

    let mut off = position.clone();
    let slack = totals.health_factor / U256::from(1_000_000u64);
    off.reported.health_factor = totals.health_factor - slack;
    assert!(report::agrees_with_protocol(&off, &totals), "a millionth");
    off.reported.health_factor -= U256::from(2);
    assert!(!report::agrees_with_protocol(&off, &totals), "more");

    let mut off = position.clone();
    off.reported.current_liquidation_threshold += U256::from(2);
    assert!(!report::agrees_with_protocol(&off, &totals), "threshold");
}

#[tokio::test]
async fn a_disagreeing_read_shows_the_protocols_health_factor_and_no_derived_figures() {
    let position = misread_warning_position().await;
    let own = risk::account_totals(&position);
    assert_ne!(
        own.health_factor, position.reported.health_factor,
        "the test must make lendesk's math disagree"
    );
    let report = report::assess(&position, DEFAULT_TARGET_HEALTH_FACTOR);
    assert!(!report.agrees_with_protocol);
    assert_eq!(report.totals.health_factor, position.reported.health_factor);
    assert_eq!(report.band, HealthBand::of(position.reported.health_factor));

    let protocol_hf = format::health_factor(position.reported.health_factor);
    let own_hf = format::health_factor(own.health_factor);
    assert_ne!(protocol_hf, own_hf, "the two must read differently");
    let comfort = U256::from(15u64) * U256::from(10u64).pow(U256::from(17));
    for (lang, said) in [(Lang::En, "protocol's own"), (Lang::Zh, "来自协议本身")] {
        let text = position_answer::render(
            lang,
            &position,
            &report,
            PositionFocus::Overview,
            None,
            comfort,
        );
        assert!(text.contains(&protocol_hf), "{text}");
        assert!(!text.contains(&format!(" {own_hf}")), "{text}");
        assert!(text.contains(said), "{text}");
        for derived in [
            "Liquidation price of",
            "Safe to withdraw",
            "的清算价格：",
            "可安全取出：",
            "−10%",
        ] {
            assert!(!text.contains(derived), "{derived}: {text}");
        }
        let what_if = position_answer::render_what_if(
            lang,
            &position,
            &report,
            &WhatIf {
                symbol: None,
                change_bps: -2_000,
            },
        );
        assert!(what_if.contains(said), "{what_if}");
        let asset =
            position_answer::render_asset(lang, &position, &report, "WETH").expect("WETH detail");
        assert!(asset.contains(said), "{asset}");
    }

    let json = report::to_json(&position, &report);
    assert_eq!(json["summary"]["agrees_with_protocol"], false);
    assert_eq!(json["assets"][0]["approximate"], true);
}

/// A real cause of disagreement on a real chain: governance points the market at another
/// oracle after lendesk discovered it. lendesk keeps reading the oracle it discovered, the Pool
/// prices with the new one. The desk must show the protocol's health factor, say so, and record
/// the guard's event, which `/stats` counts for the market.
#[tokio::test(flavor = "multi_thread")]
async fn an_oracle_replaced_after_discovery_trips_the_guard_in_the_desk_and_in_stats() {
    use std::path::Path;

    use alloy::primitives::Address;
    use alloy::providers::Provider;
    use alloy::rpc::types::TransactionRequest;
    use alloy::sol_types::SolCall;
    use lendesk::chain::bindings::{IAaveOracle, IPoolAddressesProvider};
    use lendesk::chain::markets::Markets;
    use lendesk::desk::{Desk, DeskSettings, Incoming, Intent};
    use lendesk::knowledge::KnowledgeBase;
    use lendesk::store::Store;
    use lendesk::tickets::{SlaConfig, Tickets};

    let devnet = common::own().await;
    let m = devnet.manifest().clone();
    let provider = common::provider(devnet.rpc_url());
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let kb =
        KnowledgeBase::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq")).expect("faq");
    let desk = Desk::new(
        kb,
        Markets::single(common::reader(devnet.rpc_url(), &m)),
        Tickets::new(store.clone(), SlaConfig::default()),
        store.clone(),
        DeskSettings::default(),
    );
    let warning = common::account(&m, "warning");
    let ask = |now: u64| Incoming {
        user: 9,
        text: format!("what is the health factor of {warning}?"),
        now,
        ..Default::default()
    };

    // Before: lendesk agrees with the protocol; no guard mark.
    let out = desk.handle(ask(1_700_000_000)).await;
    assert_eq!(out.intent, Intent::Position, "{}", out.text());
    assert!(
        !out.sources.iter().any(|s| s.starts_with("guard:")),
        "{:?}",
        out.sources
    );

    // Governance swaps the oracle: a copy of the AaveOracle at a new address (same code and
    // provider), where WETH is priced by WBTC's feed, set in the PoolAddressesProvider.
    let send = |to: Address, data: Vec<u8>, from: Address| {
        let provider = provider.clone();
        async move {
            let tx = TransactionRequest::default()
                .from(from)
                .to(to)
                .input(data.into());
            let pending = provider.send_transaction(tx).await.expect("send");
            let receipt = pending.get_receipt().await.expect("receipt");
            assert!(receipt.status(), "transaction reverted");
        }
    };
    let deployer = provider.get_accounts().await.expect("accounts")[0];
    let code = provider
        .get_code_at(m.contracts.aave_oracle)
        .await
        .expect("oracle code");
    let replacement = Address::repeat_byte(0x0c);
    let _: serde_json::Value = provider
        .raw_request("anvil_setCode".into(), (replacement, code))
        .await
        .expect("anvil_setCode");
    let feed = |symbol: &str| {
        m.tokens
            .iter()
            .find(|t| t.symbol == symbol)
            .unwrap_or_else(|| panic!("{symbol}"))
    };
    let assets: Vec<Address> = m.tokens.iter().map(|t| t.address).collect();
    let sources: Vec<Address> = m
        .tokens
        .iter()
        .map(|t| {
            if t.symbol == "WETH" {
                feed("WBTC").price_feed
            } else {
                t.price_feed
            }
        })
        .collect();
    send(
        replacement,
        IAaveOracle::setAssetSourcesCall { assets, sources }.abi_encode(),
        deployer,
    )
    .await;
    send(
        m.contracts.pool_addresses_provider,
        IPoolAddressesProvider::setPriceOracleCall {
            newPriceOracle: replacement,
        }
        .abi_encode(),
        deployer,
    )
    .await;
    let protocol = common::protocol_hf(&provider, m.contracts.pool, warning).await;

    // After: the reply shows the protocol's HF and says so; the sources carry the guard mark.
    let out = desk.handle(ask(1_700_000_060)).await;
    let text = out.text();
    assert!(
        text.contains(&format::health_factor(protocol)),
        "the protocol's HF {protocol}: {text}"
    );
    assert!(text.contains("protocol's own"), "{text}");
    assert!(!text.contains("Liquidation price of"), "{text}");
    assert_eq!(
        out.sources
            .iter()
            .filter(|s| s.as_str() == "guard:devnet")
            .count(),
        1,
        "{:?}",
        out.sources
    );

    // That read also saw the provider name another oracle: the next lookup discovers the
    // market again and agrees with the protocol, derived figures back.
    let out = desk.handle(ask(1_700_000_070)).await;
    let text = out.text();
    assert!(
        !out.sources.iter().any(|s| s.starts_with("guard:")),
        "{:?}: {text}",
        out.sources
    );
    assert!(text.contains(&format::health_factor(protocol)), "{text}");
    assert!(text.contains("Liquidation price of"), "{text}");

    // `/stats` counts the one guarded answer for the market.
    desk.flush_events().await;
    let events = store.events_since(0).await.expect("events");
    let stats = lendesk::staff::stats::compute(&[], &events, 1_700_000_100, 86_400);
    assert_eq!(stats.guarded, vec![("devnet".to_string(), 1)], "{events:?}");
    devnet.stop();
}
