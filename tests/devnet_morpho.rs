//! Morpho Blue on the devnet, judged by the chain: compiled from the npm package's sources
//! with the solc-js they pin (via IR; cached by package versions), deployed beside the Aave
//! market, its IRM and LLTVs enabled and markets created on the devnet's tokens, each with an
//! oracle of its own; Morpho's own views give back what was created. The committed ABIs are the
//! compiled ones.

mod common;

use alloy::primitives::U256;
use lendesk::chain::bindings::morpho::{Morpho, OracleMock};
use lendesk::chain::morpho_blue::math::{self, MarketState};
use lendesk::devnet::morpho::{MorphoBorrow, MorphoMarketSpec, market_id};

/// 1e36 × usd ÷ 10^(collateral decimals − loan decimals): Morpho's oracle scale.
fn oracle_price(usd: u64, collateral_decimals: u8, loan_decimals: u8) -> U256 {
    let scale = U256::from(10u64).pow(U256::from(36 + u32::from(loan_decimals)));
    scale * U256::from(usd) / U256::from(10u64).pow(U256::from(collateral_decimals))
}

fn wad_percent(percent_x10: u64) -> U256 {
    U256::from(percent_x10) * U256::from(10u64).pow(U256::from(15))
}

#[tokio::test(flavor = "multi_thread")]
async fn morpho_blue_compiled_from_its_npm_sources_deploys_and_creates_markets() {
    let devnet = common::own().await;
    let manifest = devnet.manifest();
    let token = |s: &str| manifest.token(s).unwrap_or_else(|| panic!("no {s}"));
    let (weth, wbtc, usdc) = (token("WETH"), token("WBTC"), token("USDC"));
    let specs = [
        MorphoMarketSpec {
            loan_token: usdc.address,
            collateral_token: weth.address,
            lltv: wad_percent(860),
            price: oracle_price(2_000, weth.decimals, usdc.decimals),
        },
        MorphoMarketSpec {
            loan_token: usdc.address,
            collateral_token: wbtc.address,
            lltv: wad_percent(860),
            price: oracle_price(60_000, wbtc.decimals, usdc.decimals),
        },
    ];
    let deployed = devnet.deploy_morpho(&specs).await.expect("deploy Morpho");
    assert!(
        deployed.artifacts.starts_with("morpho-1.0.0_solc-0.8.19"),
        "{}",
        deployed.artifacts
    );

    let provider = common::provider(devnet.rpc_url());
    let morpho = Morpho::new(deployed.morpho, &provider);
    assert_eq!(morpho.owner().call().await.expect("owner"), deployed.owner);
    assert!(morpho.isIrmEnabled(deployed.irm).call().await.expect("irm"));
    assert!(
        morpho
            .isLltvEnabled(wad_percent(860))
            .call()
            .await
            .expect("lltv")
    );
    assert!(
        !morpho
            .isLltvEnabled(wad_percent(945))
            .call()
            .await
            .expect("lltv")
    );
    assert_eq!(deployed.markets.len(), 2);
    for (spec, market) in specs.iter().zip(&deployed.markets) {
        // The id is Morpho's: its views know the market by it.
        assert_eq!(market.id, market_id(&market.params()));
        let params = morpho
            .idToMarketParams(market.id)
            .call()
            .await
            .expect("params");
        assert_eq!(
            (
                params.loanToken,
                params.collateralToken,
                params.oracle,
                params.irm,
                params.lltv
            ),
            (
                spec.loan_token,
                spec.collateral_token,
                market.oracle,
                deployed.irm,
                spec.lltv
            )
        );
        let state = morpho.market(market.id).call().await.expect("market");
        assert!(state.lastUpdate > 0, "created: its clock started");
        assert_eq!(state.totalSupplyAssets, 0);
        let oracle = OracleMock::new(market.oracle, &provider);
        assert_eq!(oracle.price().call().await.expect("price"), spec.price);
    }
}

#[test]
fn the_committed_morpho_abis_are_the_compiled_ones() {
    common::assert_node_check("scripts/morpho-abis.mjs", "abis/morpho/");
}

#[tokio::test(flavor = "multi_thread")]
async fn morpho_refuses_a_liquidation_just_above_the_computed_price_and_allows_it_just_below() {
    let devnet = common::own().await;
    let manifest = devnet.manifest();
    let token = |s: &str| manifest.token(s).unwrap_or_else(|| panic!("no {s}"));
    let (weth, usdc) = (token("WETH"), token("USDC"));
    let lltv = wad_percent(860);
    let price = oracle_price(2_000, weth.decimals, usdc.decimals);
    let spec = MorphoMarketSpec {
        loan_token: usdc.address,
        collateral_token: weth.address,
        lltv,
        price,
    };
    let deployed = devnet.deploy_morpho(&[spec]).await.expect("deploy Morpho");
    let market = &deployed.markets[0];
    let borrower = common::account(manifest, "warning");
    let unit = |decimals: u8| U256::from(10u64).pow(U256::from(decimals));
    devnet
        .seed_morpho(
            &deployed,
            market,
            U256::from(1_000_000u64) * unit(usdc.decimals),
            &[MorphoBorrow {
                borrower,
                collateral: U256::from(10u64) * unit(weth.decimals),
                borrow: U256::from(8_000u64) * unit(usdc.decimals),
            }],
        )
        .await
        .expect("seed");

    // The position and market as Morpho holds them, and lendesk's figures from them.
    let provider = common::provider(devnet.rpc_url());
    let morpho = Morpho::new(deployed.morpho, &provider);
    let position = morpho
        .position(market.id, borrower)
        .call()
        .await
        .expect("position");
    let totals = morpho.market(market.id).call().await.expect("market");
    let state = MarketState {
        total_supply_assets: U256::from(totals.totalSupplyAssets),
        total_supply_shares: U256::from(totals.totalSupplyShares),
        total_borrow_assets: U256::from(totals.totalBorrowAssets),
        total_borrow_shares: U256::from(totals.totalBorrowShares),
        last_update: u64::try_from(totals.lastUpdate).expect("time"),
        fee: U256::from(totals.fee),
    };
    let collateral = U256::from(position.collateral);
    let borrowed = math::borrowed(U256::from(position.borrowShares), &state).expect("borrowed");
    assert_eq!(
        borrowed,
        U256::from(8_000u64) * unit(usdc.decimals),
        "just borrowed"
    );
    let health = math::health_factor(collateral, borrowed, price, lltv);
    assert_eq!(
        health,
        Some(U256::from(2_150_000_000_000_000_000u64)),
        "17,200 / 8,000"
    );
    let at = math::liquidation_price(collateral, borrowed, lltv).expect("liquidation price");

    // 0.1% above: healthy, Morpho refuses; 0.1% below: Morpho lets a liquidator in.
    let seized = unit(weth.decimals) / U256::from(1_000u64);
    let liquidation_at = |per_mille: u64| {
        let price = at * U256::from(per_mille) / U256::from(1_000u64);
        let devnet = &devnet;
        let deployed = &deployed;
        async move {
            devnet
                .set_morpho_price(deployed, market, price)
                .await
                .expect("price");
            devnet
                .try_liquidate_morpho(deployed, market, borrower, seized)
                .await
                .expect("simulate")
        }
    };
    let refused = liquidation_at(1_001).await;
    assert!(
        refused
            .as_deref()
            .is_some_and(|r| r.contains("position is healthy")),
        "{refused:?}"
    );
    let allowed = liquidation_at(999).await;
    assert_eq!(allowed, None, "liquidatable 0.1% under the computed price");
}
