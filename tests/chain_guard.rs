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
