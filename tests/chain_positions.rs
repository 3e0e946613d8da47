//! The position reader and the risk math against the real Aave v3 market on Anvil: every figure
//! must equal what the protocol's own views report at the same block.

mod common;

use alloy::eips::BlockId;
use lendesk::chain::bindings::AaveProtocolDataProvider;
use lendesk::chain::report::{self, HealthBand};
use lendesk::chain::risk::{self, DEFAULT_TARGET_HEALTH_FACTOR};

#[tokio::test]
async fn every_demo_account_matches_get_user_account_data_exactly() {
    let chain = common::shared();
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let provider = common::provider(&chain.rpc_url);
    let pool = chain.manifest.contracts.pool;
    assert!(chain.manifest.accounts.len() >= 6, "demo accounts missing");
    for account in &chain.manifest.accounts {
        let position = reader
            .position(account.address)
            .await
            .expect("read position");
        let ours = risk::account_totals(&position);
        let theirs = common::protocol_account(
            &provider,
            pool,
            account.address,
            BlockId::number(position.block_number),
        )
        .await;
        let who = format!("{} ({:?})", account.address, account.profile);
        assert_eq!(
            ours.total_collateral_base, theirs.totalCollateralBase,
            "collateral of {who}"
        );
        assert_eq!(ours.total_debt_base, theirs.totalDebtBase, "debt of {who}");
        assert_eq!(
            ours.available_borrows_base, theirs.availableBorrowsBase,
            "available borrows of {who}"
        );
        assert_eq!(
            ours.liquidation_threshold, theirs.currentLiquidationThreshold,
            "LT of {who}"
        );
        assert_eq!(ours.ltv, theirs.ltv, "LTV of {who}");
        assert_eq!(ours.health_factor, theirs.healthFactor, "HF of {who}");
        // The same batch carried the protocol's view too: it agrees with itself.
        assert_eq!(
            position.reported.health_factor, theirs.healthFactor,
            "batched HF of {who}"
        );
    }
}

#[tokio::test]
async fn per_asset_balances_equal_the_protocol_data_provider() {
    let chain = common::shared();
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let provider = common::provider(&chain.rpc_url);
    let data_provider =
        AaveProtocolDataProvider::new(chain.manifest.contracts.protocol_data_provider, &provider);
    for account in &chain.manifest.accounts {
        let position = reader
            .position(account.address)
            .await
            .expect("read position");
        assert_eq!(position.reserves.len(), chain.manifest.tokens.len());
        for r in &position.reserves {
            let theirs = data_provider
                .getUserReserveData(r.asset, account.address)
                .block(BlockId::number(position.block_number))
                .call()
                .await
                .expect("getUserReserveData");
            let who = format!("{} of {:?}", r.symbol, account.profile);
            assert_eq!(r.supplied, theirs.currentATokenBalance, "supplied {who}");
            assert_eq!(
                r.variable_debt, theirs.currentVariableDebt,
                "variable debt {who}"
            );
            assert_eq!(r.stable_debt, theirs.currentStableDebt, "stable debt {who}");
            assert_eq!(
                r.collateral_enabled, theirs.usageAsCollateralEnabled,
                "collateral flag {who}"
            );
        }
    }
}

#[tokio::test]
async fn a_position_lookup_costs_one_http_round_trip() {
    let chain = common::shared();
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let user = common::account(&chain.manifest, "multi");
    reader
        .position(user)
        .await
        .expect("first lookup discovers the market");
    for _ in 0..3 {
        let before = reader.rpc().round_trips.get();
        reader.position(user).await.expect("lookup");
        assert_eq!(reader.rpc().round_trips.get() - before, 1);
    }
}

#[tokio::test]
async fn the_naive_read_gives_the_same_position() {
    let chain = common::shared();
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let user = common::account(&chain.manifest, "multi");
    let batched = reader.position(user).await.expect("batched");
    let before = reader.rpc().round_trips.get();
    let naive = reader.position_one_by_one(user).await.expect("naive");
    let naive_trips = reader.rpc().round_trips.get() - before;
    assert!(
        naive_trips > 20,
        "the naive read makes one call per figure, made {naive_trips}"
    );
    // Interest accrues per second, so compare what does not move with time.
    assert_eq!(naive.reserves.len(), batched.reserves.len());
    for (a, b) in naive.reserves.iter().zip(&batched.reserves) {
        assert_eq!((a.asset, a.price, a.config), (b.asset, b.price, b.config));
        assert_eq!(a.collateral_enabled, b.collateral_enabled);
    }
    assert_eq!(naive.emode, batched.emode);
}

#[tokio::test]
async fn demo_profiles_land_in_their_health_bands() {
    let chain = common::shared();
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let expect = [
        ("safe", HealthBand::Comfortable),
        ("warning", HealthBand::Risky),
        ("close", HealthBand::Danger),
        ("multi", HealthBand::Moderate),
        ("empty", HealthBand::NoDebt),
        ("isolated", HealthBand::Moderate),
    ];
    for (profile, band) in expect {
        let position = reader
            .position(common::account(&chain.manifest, profile))
            .await
            .expect("read");
        let report = report::assess(&position, DEFAULT_TARGET_HEALTH_FACTOR);
        assert_eq!(report.band, band, "{profile}");
    }
}

#[tokio::test]
async fn emode_and_isolation_are_read_from_the_chain() {
    let chain = common::shared();
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let multi = reader
        .position(common::account(&chain.manifest, "multi"))
        .await
        .expect("read");
    let cat = multi
        .emode
        .as_ref()
        .expect("the multi account is in E-Mode");
    assert_eq!(
        (cat.id, cat.ltv, cat.liquidation_threshold),
        (1, 9_300, 9_500)
    );
    assert!(multi.isolation_collateral().is_none());
    let isolated = reader
        .position(common::account(&chain.manifest, "isolated"))
        .await
        .expect("read");
    let i = isolated
        .isolation_collateral()
        .expect("the isolated account is in isolation mode");
    assert_eq!(isolated.reserves[i].symbol, "WBTC");
    assert!(!isolated.reserves[i].isolation_mode_total_debt.is_zero());
    // Only assets borrowable in isolation can be borrowed.
    let weth = isolated.reserve_index("WETH").expect("WETH");
    let safe = risk::max_safe_borrow(&isolated, weth, DEFAULT_TARGET_HEALTH_FACTOR);
    assert_eq!(
        safe.limit,
        risk::Limit::Blocked(risk::Blocked::NotBorrowableInIsolation)
    );
}
