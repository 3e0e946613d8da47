//! The chain judges the liquidation figures: a real `liquidationCall` on the devnet (Aave 3.0)
//! repays and seizes what `liquidation::liquidation_options` said it would.

mod common;

use alloy::primitives::U256;
use lendesk::chain::liquidation;
use lendesk::chain::risk::{self, LiquidationPrice};

/// Equal within one part per million: interest accrues for the seconds between the read and
/// the liquidation's block.
fn within_a_ppm(chain: U256, ours: U256) -> bool {
    chain.abs_diff(ours) * U256::from(1_000_000u64) <= ours
}

#[tokio::test]
async fn a_liquidation_repays_and_seizes_what_the_figures_say() {
    let sb = common::Sandbox::new().await;
    let manifest = sb.devnet.manifest().clone();
    let user = common::account(&manifest, "close");
    let position = sb.reader.position(user).await.expect("read");
    let weth = position.reserve_index("WETH").expect("WETH");
    let LiquidationPrice::AtOrBelow(price) = risk::liquidation_price(&position, weth) else {
        panic!("the close account has a WETH liquidation price");
    };
    // 3% under it: HF about 0.97, inside the 50% close factor.
    sb.devnet
        .set_price_raw("WETH", price * U256::from(97u64) / U256::from(100u64))
        .await
        .expect("price");
    let position = sb.reader.position(user).await.expect("read");
    let hf = risk::account_totals(&position).health_factor;
    assert!(hf < risk::HEALTH_FACTOR_LIQUIDATION_THRESHOLD && hf > risk::CLOSE_FACTOR_HF_THRESHOLD);
    let options = liquidation::liquidation_options(&position);

    let report = sb.devnet.liquidate(user).await.expect("liquidate runs");
    assert!(report.executed, "{:?}", report.reason);
    let index = |s: &Option<String>| position.reserve_index(s.as_deref().expect("symbol"));
    let (d, c) = (
        index(&report.debt_symbol).expect("debt"),
        index(&report.collateral_symbol).expect("collateral"),
    );
    let o = options
        .iter()
        .find(|o| o.debt_index == d && o.collateral_index == c)
        .expect("a figure for the pair the liquidator used");
    assert!(!o.full_close_factor);
    assert!(
        within_a_ppm(report.debt_repaid, o.max_repay),
        "repaid {} vs {}",
        report.debt_repaid,
        o.max_repay
    );
    assert!(
        within_a_ppm(report.collateral_seized, o.collateral_seized),
        "seized {} vs {}",
        report.collateral_seized,
        o.collateral_seized
    );
}
