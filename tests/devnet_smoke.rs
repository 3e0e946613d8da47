//! Smoke test of the devnet: start Anvil with the Aave v3 market, check the demo positions,
//! restart from the state cache, move a price and liquidate.

use alloy::network::TransactionBuilder;
use alloy::primitives::U256;
use alloy::providers::{Provider, ProviderBuilder};
use alloy::sol;
use alloy::sol_types::SolCall;
use lendesk::chain::bindings::{IAaveOracle, IERC20Detailed, IPool, MintableERC20, Multicall3};
use lendesk::devnet::{Devnet, DevnetError, DevnetOptions, Profile};

sol! {
    /// The part of the periphery's UiPoolDataProviderV3 this test touches.
    #[sol(rpc)]
    interface UiPoolDataProvider {
        function getReservesList(address provider) external view returns (address[] memory);
        function getReservesData(address provider) external view;
    }
}

fn wad(text: &str) -> U256 {
    lendesk::devnet::parse_usd(text)
        .map(|v| v * U256::from(10_000_000_000u64))
        .expect("valid decimal")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devnet_end_to_end() {
    // Fresh: always exercise the deploy path (about half a second); the second start below
    // must then come from the cache this one writes.
    let devnet = Devnet::start(DevnetOptions {
        port: 0,
        fresh: true,
    })
    .await
    .expect("devnet starts");
    let stats = devnet.stats().clone();
    eprintln!(
        "first start: from_cache={} in {} ms, {} transactions",
        stats.from_cache,
        stats.elapsed.as_millis(),
        stats.transactions
    );
    let manifest = devnet.manifest().clone();
    assert_eq!(manifest.chain_id, 31337);
    assert_eq!(manifest.rpc_url, devnet.rpc_url());

    let provider = ProviderBuilder::new().connect_http(devnet.rpc_url().parse().expect("url"));
    let pool = IPool::new(manifest.contracts.pool, &provider);

    // Every demo account with a target lands within ±5% of it.
    for account in &manifest.accounts {
        let data = pool
            .getUserAccountData(account.address)
            .call()
            .await
            .expect("getUserAccountData");
        eprintln!(
            "#{} {:<10} HF {}",
            account.index, account.profile, data.healthFactor
        );
        match &account.expected_health_factor {
            Some(target) => {
                let target = wad(target);
                let diff = if data.healthFactor > target {
                    data.healthFactor - target
                } else {
                    target - data.healthFactor
                };
                assert!(
                    diff * U256::from(100u64) <= target * U256::from(5u64),
                    "{} HF {} vs target {}",
                    account.profile,
                    data.healthFactor,
                    target
                );
            }
            None => assert!(
                data.totalDebtBase.is_zero(),
                "{} should have no debt",
                account.profile
            ),
        }
    }
    let empty = manifest.account(Profile::Empty).expect("empty account");
    let data = pool
        .getUserAccountData(empty.address)
        .call()
        .await
        .expect("getUserAccountData");
    assert!(data.totalCollateralBase.is_zero());

    // Multicall3 is at its canonical address.
    let code = provider
        .get_code_at(manifest.contracts.multicall3)
        .await
        .expect("eth_getCode");
    assert!(!code.is_empty(), "Multicall3 has no code");
    let multicall = Multicall3::new(manifest.contracts.multicall3, &provider);
    assert!(
        multicall
            .getBlockNumber()
            .call()
            .await
            .expect("Multicall3.getBlockNumber")
            > U256::ZERO
    );

    // The periphery's UI data provider reads the whole market without reverting.
    let ui = UiPoolDataProvider::new(manifest.contracts.ui_pool_data_provider, &provider);
    let listed = ui
        .getReservesList(manifest.contracts.pool_addresses_provider)
        .call()
        .await
        .expect("getReservesList");
    assert_eq!(
        listed,
        manifest
            .tokens
            .iter()
            .map(|t| t.address)
            .collect::<Vec<_>>()
    );
    let call = UiPoolDataProvider::getReservesDataCall {
        provider: manifest.contracts.pool_addresses_provider,
    };
    let request = alloy::rpc::types::TransactionRequest::default()
        .with_to(manifest.contracts.ui_pool_data_provider)
        .with_input(call.abi_encode());
    let data = provider
        .call(request)
        .await
        .expect("UiPoolDataProviderV3.getReservesData");
    assert!(
        data.len() > 1_000,
        "getReservesData returned {} bytes",
        data.len()
    );

    // The market works end to end: supply, borrow, repay, withdraw (from the empty account).
    let user = empty.address;
    let dai = manifest.token("DAI").expect("DAI").address;
    let weth_token = manifest.token("WETH").expect("WETH").address;
    let one_weth = U256::from(10u64).pow(U256::from(18u64));
    let hundred_dai = U256::from(100u64) * one_weth;
    let send = |tx: alloy::rpc::types::TransactionRequest| {
        let provider = &provider;
        async move {
            let receipt = provider
                .send_transaction(tx)
                .await
                .expect("send")
                .get_receipt()
                .await
                .expect("receipt");
            assert!(receipt.status(), "transaction reverted");
        }
    };
    let weth_c = MintableERC20::new(weth_token, &provider);
    let dai_c = MintableERC20::new(dai, &provider);
    send(
        weth_c
            .mint_0(user, one_weth)
            .from(user)
            .into_transaction_request(),
    )
    .await;
    send(
        weth_c
            .approve(manifest.contracts.pool, U256::MAX)
            .from(user)
            .into_transaction_request(),
    )
    .await;
    send(
        pool.supply(weth_token, one_weth, user, 0)
            .from(user)
            .into_transaction_request(),
    )
    .await;
    send(
        pool.borrow(dai, hundred_dai, U256::from(2u64), 0, user)
            .from(user)
            .into_transaction_request(),
    )
    .await;
    assert!(
        pool.getUserAccountData(user)
            .call()
            .await
            .expect("account data")
            .totalDebtBase
            > U256::ZERO
    );
    send(
        dai_c
            .mint_0(user, hundred_dai)
            .from(user)
            .into_transaction_request(),
    )
    .await;
    send(
        dai_c
            .approve(manifest.contracts.pool, U256::MAX)
            .from(user)
            .into_transaction_request(),
    )
    .await;
    send(
        pool.repay(dai, U256::MAX, U256::from(2u64), user)
            .from(user)
            .into_transaction_request(),
    )
    .await;
    send(
        pool.withdraw(weth_token, U256::MAX, user)
            .from(user)
            .into_transaction_request(),
    )
    .await;
    let after = pool
        .getUserAccountData(user)
        .call()
        .await
        .expect("account data");
    assert!(after.totalDebtBase.is_zero() && after.totalCollateralBase.is_zero());
    let weth_balance = IERC20Detailed::new(weth_token, &provider)
        .balanceOf(user)
        .call()
        .await
        .expect("balanceOf");
    assert_eq!(weth_balance, one_weth);

    // A second start comes from the cache with identical addresses.
    let second = Devnet::start(DevnetOptions::default())
        .await
        .expect("second devnet starts");
    eprintln!(
        "second start: from_cache={} in {} ms",
        second.stats().from_cache,
        second.stats().elapsed.as_millis()
    );
    assert!(
        second.stats().from_cache,
        "second start should load the state cache"
    );
    assert_ne!(second.rpc_url(), devnet.rpc_url());
    assert_eq!(second.manifest().contracts, manifest.contracts);
    assert_eq!(second.manifest().tokens, manifest.tokens);
    assert_eq!(second.manifest().accounts, manifest.accounts);
    let second_provider =
        ProviderBuilder::new().connect_http(second.rpc_url().parse().expect("url"));
    let close = manifest
        .account(Profile::Close)
        .expect("close account")
        .address;
    let hf_second = IPool::new(manifest.contracts.pool, &second_provider)
        .getUserAccountData(close)
        .call()
        .await
        .expect("getUserAccountData on the cached devnet")
        .healthFactor;
    assert!(hf_second > U256::ZERO);
    second.stop();

    // set_price moves the oracle; unknown symbols are typed errors.
    let weth = manifest.token("WETH").expect("WETH").address;
    devnet.set_price("WETH", "1800").await.expect("set_price");
    let oracle = IAaveOracle::new(manifest.contracts.aave_oracle, &provider);
    assert_eq!(
        oracle
            .getAssetPrice(weth)
            .call()
            .await
            .expect("getAssetPrice"),
        U256::from(180_000_000_000u64)
    );
    match devnet.set_price("DOGE", "1").await {
        Err(DevnetError::UnknownToken { known, .. }) => {
            assert!(known.contains(&"WETH".to_string()))
        }
        other => panic!("expected UnknownToken, got {other:?}"),
    }

    // After a 10% WETH drop the "close" account is liquidatable and "safe" is not.
    let report = devnet.liquidate(close).await.expect("liquidate close");
    eprintln!("{report:?}");
    assert!(
        report.executed,
        "close should be liquidated: {:?}",
        report.reason
    );
    assert!(report.health_factor_before < wad("1"));
    assert!(report.debt_repaid > U256::ZERO && report.collateral_seized > U256::ZERO);
    assert_eq!(report.debt_symbol.as_deref(), Some("USDC"));
    assert_eq!(report.collateral_symbol.as_deref(), Some("WETH"));

    let safe = manifest
        .account(Profile::Safe)
        .expect("safe account")
        .address;
    let refused = devnet.liquidate(safe).await.expect("liquidate safe");
    assert!(!refused.executed);
    assert_eq!(
        refused.error_code.as_deref(),
        Some("45"),
        "{:?}",
        refused.reason
    );
    assert!(
        refused
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("HEALTH_FACTOR_NOT_BELOW_THRESHOLD")
    );
}
