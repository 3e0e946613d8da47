//! Morpho Blue on the devnet, judged by the chain: compiled from the npm package's sources
//! with the solc-js they pin (via IR; cached by package versions), deployed beside the Aave
//! market, its IRM and LLTVs enabled and markets created on the devnet's tokens, each with an
//! oracle of its own; Morpho's own views give back what was created. The committed ABIs are the
//! compiled ones.
//!
//! The devnet's own Morpho (deployed and seeded by `Devnet::start`, in the state cache): its
//! markets are Morpho's, priced from the Aave feeds; each demo borrower sits at its target
//! health factor by Morpho's own state; a price move carries the Morpho oracles of the token
//! along; the close borrower is liquidated through Morpho after a drop; `devnet.json` and
//! `lendesk.toml` describe it; the `lendesk devnet` commands act on it.

mod common;

use std::path::Path;

use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider};
use lendesk::chain::bindings::IAaveOracle;
use lendesk::chain::bindings::morpho::{Morpho, OracleMock};
use lendesk::chain::morpho_blue::math::{self, MarketState};
use lendesk::devnet::morpho::{
    MorphoBorrow, MorphoMarketSpec, market_id, oracle_price as usd_oracle_price,
};
use lendesk::devnet::{
    DevnetFile, DevnetManifest, MORPHO_MARKET, MorphoManifest, MorphoMarketInfo, Profile,
};

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
    let state = MarketState::from(&totals);
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

// ---------------------------------------------------------------------------------------------
// The devnet's own Morpho markets and demo borrowers
// ---------------------------------------------------------------------------------------------

fn morpho_of(manifest: &DevnetManifest) -> &MorphoManifest {
    manifest.morpho.as_ref().expect("the devnet deploys Morpho")
}

/// `10^n`.
fn e(n: u32) -> U256 {
    U256::from(10u64).pow(U256::from(n))
}

/// A health-factor text (`"1.05"`) as a wad.
fn wad_of(text: &str) -> U256 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = format!("{whole}{fraction:0<18}");
    U256::from_str_radix(&digits, 10).expect("a decimal")
}

/// The Morpho oracle price both tokens' current Aave prices give.
async fn price_from_aave(
    provider: &DynProvider,
    manifest: &DevnetManifest,
    market: &MorphoMarketInfo,
) -> U256 {
    let oracle = IAaveOracle::new(manifest.contracts.aave_oracle, provider);
    let token = |s: &str| {
        manifest
            .token(s)
            .unwrap_or_else(|| panic!("no {s}"))
            .clone()
    };
    let (collateral, loan) = (token(&market.collateral_symbol), token(&market.loan_symbol));
    let c = oracle
        .getAssetPrice(collateral.address)
        .call()
        .await
        .expect("collateral price");
    let l = oracle
        .getAssetPrice(loan.address)
        .call()
        .await
        .expect("loan price");
    usd_oracle_price(c, collateral.decimals, l, loan.decimals).expect("an oracle price")
}

/// A position as Morpho holds it right after `accrueInterest`: (health factor, collateral,
/// borrowed), with Morpho's rounding.
async fn morpho_health(
    provider: &DynProvider,
    morpho: &MorphoManifest,
    market: &MorphoMarketInfo,
    user: Address,
) -> (U256, U256, U256) {
    let contract = Morpho::new(morpho.morpho, provider);
    let receipt = contract
        .accrueInterest(market.params())
        .from(morpho.owner)
        // A fixed limit: an estimate made in the second of the last update (nothing to
        // accrue) is too low for the block that mines it a second later.
        .gas(1_000_000)
        .send()
        .await
        .expect("accrueInterest")
        .get_receipt()
        .await
        .expect("receipt");
    assert!(receipt.status(), "accrueInterest reverted");
    let position = contract
        .position(market.id, user)
        .call()
        .await
        .expect("position");
    let totals = contract.market(market.id).call().await.expect("market");
    let state = MarketState::from(&totals);
    let price = OracleMock::new(market.oracle, provider)
        .price()
        .call()
        .await
        .expect("price");
    let collateral = U256::from(position.collateral);
    let borrowed = math::borrowed(U256::from(position.borrowShares), &state).expect("borrowed");
    let hf = math::health_factor(collateral, borrowed, price, market.lltv).expect("hf");
    (hf, collateral, borrowed)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_devnets_morpho_markets_are_morphos_own_and_priced_from_the_aave_feeds() {
    let chain = common::shared();
    let manifest = &chain.manifest;
    let morpho = morpho_of(manifest);
    let provider = common::provider(&chain.rpc_url);
    let contract = Morpho::new(morpho.morpho, &provider);
    assert_eq!(contract.owner().call().await.expect("owner"), morpho.owner);
    assert!(contract.isIrmEnabled(morpho.irm).call().await.expect("irm"));
    let names: Vec<(&str, &str, &str, String)> = morpho
        .markets
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.collateral_symbol.as_str(),
                m.loan_symbol.as_str(),
                m.lltv.to_string(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                "WETH/USDC 86%",
                "WETH",
                "USDC",
                "860000000000000000".to_string()
            ),
            (
                "WBTC/USDC 86%",
                "WBTC",
                "USDC",
                "860000000000000000".to_string()
            ),
            (
                "DAI/USDC 94.5%",
                "DAI",
                "USDC",
                "945000000000000000".to_string()
            ),
        ]
    );
    for market in &morpho.markets {
        assert_eq!(market.id, market_id(&market.params()), "{}", market.name);
        let params = contract
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
                manifest.token(&market.loan_symbol).expect("loan").address,
                manifest
                    .token(&market.collateral_symbol)
                    .expect("collateral")
                    .address,
                market.oracle,
                morpho.irm,
                market.lltv
            ),
            "{}",
            market.name
        );
        assert!(
            contract
                .isLltvEnabled(market.lltv)
                .call()
                .await
                .expect("lltv")
        );
        let price = OracleMock::new(market.oracle, &provider)
            .price()
            .call()
            .await
            .expect("price");
        assert_eq!(price, market.oracle_price, "{}", market.name);
        assert_eq!(
            price,
            price_from_aave(&provider, manifest, market).await,
            "{}: one price per token",
            market.name
        );
        let state = contract.market(market.id).call().await.expect("market");
        assert!(state.totalSupplyAssets > 0, "{}: liquidity", market.name);
    }
    // 1 WETH = 2,000 USDC: 2000 × 1e36 × 1e6 ÷ 1e18.
    assert_eq!(morpho.markets[0].oracle_price, U256::from(2_000u64) * e(24));
    // The liquidity comes from the Aave "liquidity" account (#6).
    let lender = common::account(manifest, "liquidity");
    for market in &morpho.markets {
        let position = contract
            .position(market.id, lender)
            .call()
            .await
            .expect("position");
        assert!(position.supplyShares > U256::ZERO, "{}", market.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_morpho_demo_borrower_sits_at_its_target_by_morphos_own_state() {
    let devnet = common::own().await;
    let manifest = devnet.manifest();
    let morpho = morpho_of(manifest);
    let provider = common::provider(devnet.rpc_url());
    let profiles: Vec<(u32, &str, usize)> = morpho
        .accounts
        .iter()
        .map(|a| (a.index, a.profile.as_str(), a.positions.len()))
        .collect();
    assert_eq!(
        profiles,
        [
            (1, "both", 1),
            (10, "safe", 1),
            (11, "warning", 1),
            (12, "close", 1),
            (13, "multi", 2)
        ]
    );
    for account in &morpho.accounts {
        for p in &account.positions {
            let market = morpho.market(&p.market).expect("the position's market");
            assert_eq!(market.id, p.market_id);
            let (hf, collateral, borrowed) =
                morpho_health(&provider, morpho, market, account.address).await;
            let target = wad_of(&p.expected_health_factor);
            eprintln!(
                "#{} {} {} {}: HF {hf} (target {}), collateral {collateral}, borrowed {borrowed}",
                account.index, account.address, account.profile, p.market, p.expected_health_factor
            );
            assert_eq!(collateral, p.collateral, "{} {}", account.profile, p.market);
            // At seed time at or just above the target; interest since the cached state was
            // written (APR = utilization, under 3%) only lowers it a little.
            assert!(
                hf <= target + target / U256::from(1_000u64)
                    && hf >= target - target / U256::from(100u64),
                "{} on {}: HF {hf}, target {target}",
                account.profile,
                p.market
            );
        }
    }
    // #1 is the Aave "safe" account too, and its Aave position is as the Aave seed left it.
    let both = morpho.account("both").expect("both");
    let aave_safe = manifest.account(Profile::Safe).expect("safe");
    assert_eq!(both.address, aave_safe.address);
    let aave_hf = common::protocol_hf(&provider, manifest.contracts.pool, both.address).await;
    let aave_target = wad_of(
        aave_safe
            .expected_health_factor
            .as_deref()
            .expect("a target"),
    );
    assert!(
        aave_hf <= aave_target + aave_target / U256::from(1_000u64)
            && aave_hf >= aave_target - aave_target / U256::from(100u64),
        "Aave HF of #1: {aave_hf}"
    );
    // Morpho-only borrowers are accounts #10 and up of the same mnemonic.
    let accounts: Vec<Address> = provider
        .raw_request("eth_accounts".into(), ())
        .await
        .expect("eth_accounts");
    assert_eq!(accounts.len(), 20);
    for a in &morpho.accounts {
        assert_eq!(accounts[a.index as usize], a.address, "#{}", a.index);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_price_move_carries_the_morpho_oracles_of_that_token_along() {
    let devnet = common::own().await;
    let manifest = devnet.manifest();
    let morpho = morpho_of(manifest);
    let provider = common::provider(devnet.rpc_url());
    let price_of = |m: &MorphoMarketInfo| {
        let provider = provider.clone();
        let oracle = m.oracle;
        async move {
            OracleMock::new(oracle, &provider)
                .price()
                .call()
                .await
                .expect("price")
        }
    };
    let before: Vec<U256> = futures::future::join_all(morpho.markets.iter().map(price_of)).await;

    devnet
        .set_price("WETH", "1800")
        .await
        .expect("WETH at 1800");
    for (market, before) in morpho.markets.iter().zip(&before) {
        let now = price_of(market).await;
        if market.collateral_symbol == "WETH" {
            assert_eq!(now, U256::from(1_800u64) * e(24), "{}", market.name);
        } else {
            assert_eq!(now, *before, "{} has no WETH", market.name);
        }
        assert_eq!(now, price_from_aave(&provider, manifest, market).await);
    }

    // The loan token moves every market: USDC at $1.25 makes 1 WBTC worth 48,000 USDC.
    devnet
        .set_price("USDC", "1.25")
        .await
        .expect("USDC at 1.25");
    for market in &morpho.markets {
        assert_eq!(
            price_of(market).await,
            price_from_aave(&provider, manifest, market).await,
            "{}",
            market.name
        );
    }
    let wbtc = morpho.market("WBTC/USDC 86%").expect("WBTC market");
    assert_eq!(price_of(wbtc).await, U256::from(48_000u64) * e(34));
    // The close borrower's health follows: 1.05 × 1800/2000 ÷ 1.25.
    let close = morpho.account("close").expect("close");
    let weth = morpho.market("WETH/USDC 86%").expect("WETH market");
    let (hf, _, _) = morpho_health(&provider, morpho, weth, close.address).await;
    assert!(
        hf < wad_of("0.757") && hf > wad_of("0.75"),
        "close HF after the moves: {hf}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_close_borrower_is_liquidated_on_morpho_after_a_drop_and_its_collateral_falls() {
    let devnet = common::own().await;
    let manifest = devnet.manifest();
    let morpho = morpho_of(manifest);
    let provider = common::provider(devnet.rpc_url());
    let close = morpho.account("close").expect("close").address;
    let weth = morpho.market("WETH/USDC 86%").expect("WETH market");

    // Healthy: Morpho refuses, and says why.
    let refused = devnet.liquidate_morpho(close).await.expect("liquidate");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(!refused[0].executed);
    assert!(
        refused[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("position is healthy")),
        "{refused:?}"
    );

    // WETH −10%: HF 1.05 → 0.945, liquidatable; the collateral covers the whole debt and
    // Morpho's incentive (1/(1 − 0.3 × 0.14) ≈ 1.0438), so all of it is repaid.
    devnet
        .set_price("WETH", "1800")
        .await
        .expect("WETH at 1800");
    let (hf_before, collateral_before, borrowed_before) =
        morpho_health(&provider, morpho, weth, close).await;
    assert!(hf_before < math::WAD, "{hf_before}");
    let reports = devnet.liquidate_morpho(close).await.expect("liquidate");
    eprintln!(
        "{}",
        lendesk::devnet::cli::describe_morpho_reports(manifest, close, &reports)
    );
    let report = &reports[0];
    assert!(report.executed, "{report:?}");
    assert_eq!(report.market, weth.name);
    assert!(report.seized_assets > U256::ZERO && report.repaid_assets >= borrowed_before);
    assert!(report.bad_debt_assets.is_zero());
    let (hf_after, collateral_after, borrowed_after) =
        morpho_health(&provider, morpho, weth, close).await;
    assert_eq!(collateral_after, collateral_before - report.seized_assets);
    assert_eq!(Some(collateral_after), report.collateral_after);
    assert!(
        borrowed_after.is_zero(),
        "all debt repaid: {borrowed_after}"
    );
    assert_eq!(hf_after, U256::MAX);
    // Seized as Morpho's math says: the repaid shares' assets × the incentive, at the price.
    let expected_seized = borrowed_before * U256::from(10_438u64) / U256::from(10_000u64) * e(12)
        / U256::from(1_800u64);
    let diff = report.seized_assets.abs_diff(expected_seized);
    assert!(
        diff * U256::from(1_000u64) < expected_seized,
        "seized {} vs ≈ {expected_seized}",
        report.seized_assets
    );

    // The safe Morpho borrower (same market) is not touched: Morpho refuses it.
    let safe = morpho.account("safe").expect("safe").address;
    let untouched = devnet.liquidate_morpho(safe).await.expect("liquidate");
    assert!(!untouched[0].executed, "{untouched:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_written_lendesk_toml_configures_the_morpho_market() {
    let chain = common::shared();
    let morpho = morpho_of(&chain.manifest);
    let file = DevnetFile {
        v3_0: chain.manifest.clone(),
        v3_6: None,
    };
    assert_eq!(file.market_names(), ["devnet", MORPHO_MARKET]);
    let text = file.lendesk_toml();
    let ids: Vec<String> = morpho
        .markets
        .iter()
        .map(|m| format!("\"{}\"", m.id))
        .collect();
    let expected = format!(
        "[[markets]]\n\
         name = \"devnet-morpho\"\n\
         chain_id = 31337\n\
         rpc_url = \"{}\"\n\
         kind = \"morpho-blue\"\n\
         morpho = \"{}\"\n\
         market_ids = [{}]\n",
        chain.manifest.rpc_url,
        morpho.morpho.to_checksum(None),
        ids.join(", ")
    );
    assert!(text.ends_with(&expected), "{text}");
    let value: toml::Value = toml::from_str(&text).expect("TOML");
    let markets = value["markets"].as_array().expect("markets");
    assert_eq!(markets.len(), 2, "{text}");
    assert_eq!(markets[0]["name"].as_str(), Some("devnet"));
    let ids: Vec<&str> = markets[1]["market_ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().all(|id| id.len() == 66 && id.starts_with("0x")));
    // The single-devnet file says the same; the Aave-only fixture config stays one market.
    assert_eq!(
        lendesk::devnet::cli::lendesk_toml_with_morpho(&chain.manifest),
        text
    );
    assert!(!lendesk::devnet::cli::lendesk_toml(&chain.manifest).contains("morpho"));
}

/// Waits for lendesk's parser of `kind = "morpho-blue"` (src/config.rs).
#[test]
fn the_written_lendesk_toml_loads_in_lendesks_config_with_the_morpho_market() {
    let chain = common::shared();
    let text = lendesk::devnet::cli::lendesk_toml_with_morpho(&chain.manifest);
    let config = lendesk::config::Config::parse(&text, "lendesk.toml").expect("the config loads");
    assert_eq!(config.market_names(), ["devnet", MORPHO_MARKET]);
}

#[test]
fn the_state_cache_is_keyed_by_the_morpho_artifacts_key_without_compiling() {
    let chain = common::shared();
    let devnet_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("devnet");
    let out = std::process::Command::new("node")
        .args(["compile-morpho.mjs", "--key"])
        .current_dir(&devnet_dir)
        .output()
        .expect("run node");
    assert!(out.status.success());
    let script_key = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let derived = lendesk::devnet::compiled::morpho_key(&devnet_dir).expect("derived key");
    assert_eq!(derived, script_key);
    assert_eq!(morpho_of(&chain.manifest).artifacts, script_key);
}

/// `lendesk devnet price` and `lendesk devnet liquidate` on a devnet.json of the v3.0 devnet.
#[tokio::test(flavor = "multi_thread")]
async fn the_devnet_commands_move_the_morpho_oracles_and_liquidate_on_morpho() {
    let devnet = common::own().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("devnet.json");
    DevnetFile {
        v3_0: devnet.manifest().clone(),
        v3_6: None,
    }
    .write(&json)
    .expect("write devnet.json");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lendesk"))
            .args(args)
            .arg("--manifest")
            .arg(&json)
            .current_dir(dir.path())
            .output()
            .expect("run lendesk");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{args:?}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    };
    let moved = run(&["devnet", "price", "WETH", "1800"]);
    eprintln!("{moved}");
    assert!(moved.contains("devnet-morpho oracles"), "{moved}");
    assert!(
        moved.contains("1 WETH = 2000.00 USDC → 1 WETH = 1800.00 USDC"),
        "{moved}"
    );
    let oracles = moved
        .split("devnet-morpho oracles")
        .nth(1)
        .and_then(|rest| rest.split("demo borrowers").next())
        .expect("the oracle section");
    assert!(
        !oracles.contains("WBTC"),
        "only WETH markets move: {oracles}"
    );
    let close_line = moved
        .lines()
        .find(|l| l.contains("#12") && l.contains("close"))
        .expect("the close borrower's line");
    assert!(close_line.contains("liquidatable"), "{close_line}");

    let close = morpho_of(devnet.manifest())
        .account("close")
        .expect("close");
    let liquidated = run(&[
        "devnet",
        "liquidate",
        &close.address.to_string(),
        "--market",
        MORPHO_MARKET,
    ]);
    eprintln!("{liquidated}");
    assert!(liquidated.contains("WETH/USDC 86%"), "{liquidated}");
    assert!(liquidated.contains("debt repaid"), "{liquidated}");
    assert!(liquidated.contains("WETH (raw"), "{liquidated}");
    // With the default market, the Aave part reports too (#12 has nothing on Aave).
    let again = run(&["devnet", "liquidate", &close.address.to_string()]);
    assert!(again.contains("the user has no debt"), "{again}");
    assert!(again.contains("owes nothing on Morpho"), "{again}");
}
