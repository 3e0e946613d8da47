//! The watcher's reads, judged by the chain: accounts read once as scaled balances, then
//! evaluated locally from each later block's snapshot, give exactly what
//! `Pool.getUserAccountData` gives at that block — after interest accrues and after prices
//! move, on the v3.0 and the v3.6 market — and the event scan names who changed.

mod chain_v36_common;
mod common;

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider};
use lendesk::chain::aave_v3::AaveV3Reader;
use lendesk::chain::aave_v3::accounts::{ScaledAccount, evaluate};
use lendesk::chain::bindings::IPool;

/// Every field of `getUserAccountData` at `block`, as lendesk computes it locally and as the
/// Pool gives it.
async fn judge(
    reader: &AaveV3Reader,
    provider: &DynProvider,
    pool: Address,
    accounts: &[ScaledAccount],
    block: u64,
    what: &str,
) {
    let snapshot = reader
        .snapshot(BlockId::number(block), &Default::default())
        .await
        .expect("snapshot");
    assert_eq!(snapshot.block_number, block);
    let mut scratch = Vec::new();
    for account in accounts {
        let ours = evaluate(&snapshot, account, &mut scratch).expect("category read");
        let chain = IPool::new(pool, provider)
            .getUserAccountData(account.user)
            .block(BlockId::number(block))
            .call()
            .await
            .expect("getUserAccountData");
        let ours = (
            ours.total_collateral_base,
            ours.total_debt_base,
            ours.available_borrows_base,
            ours.liquidation_threshold,
            ours.ltv,
            ours.health_factor,
        );
        let theirs = (
            chain.totalCollateralBase,
            chain.totalDebtBase,
            chain.availableBorrowsBase,
            chain.currentLiquidationThreshold,
            chain.ltv,
            chain.healthFactor,
        );
        assert_eq!(ours, theirs, "{what}: {}", account.user);
    }
}

async fn head(provider: &DynProvider) -> u64 {
    provider.get_block_number().await.expect("block number")
}

#[tokio::test(flavor = "multi_thread")]
async fn v3_0_accounts_read_once_stay_exact_through_interest_and_price_moves() {
    let sandbox = common::Sandbox::new().await;
    let manifest = sandbox.devnet.manifest().clone();
    let pool = manifest.contracts.pool;
    let mut users: Vec<Address> = manifest.accounts.iter().map(|a| a.address).collect();
    users.push(Address::repeat_byte(0x42)); // never used the market
    let block = head(&sandbox.provider).await;
    let accounts = sandbox
        .reader
        .read_accounts(&users, block)
        .await
        .expect("read accounts");
    assert_eq!(accounts.len(), users.len());
    assert!(accounts.iter().any(ScaledAccount::has_debt));
    assert!(
        accounts.iter().any(|a| a.emode != 0),
        "the multi account is in E-Mode"
    );
    assert!(accounts.last().is_some_and(|a| a.legs.is_empty()));
    judge(
        &sandbox.reader,
        &sandbox.provider,
        pool,
        &accounts,
        block,
        "at the read",
    )
    .await;

    // Thirty days pass: only the indexes move.
    sandbox
        .devnet
        .advance_time(30 * 86_400)
        .await
        .expect("time");
    let later = head(&sandbox.provider).await;
    judge(
        &sandbox.reader,
        &sandbox.provider,
        pool,
        &accounts,
        later,
        "30 days on",
    )
    .await;

    // WETH falls 12%: only the prices move.
    sandbox
        .devnet
        .set_price("WETH", "1760")
        .await
        .expect("price");
    let moved = head(&sandbox.provider).await;
    judge(
        &sandbox.reader,
        &sandbox.provider,
        pool,
        &accounts,
        moved,
        "after WETH fell",
    )
    .await;

    // Neither changed anyone's balances: the event scan names nobody.
    let changes = sandbox
        .reader
        .changes(block + 1, moved)
        .await
        .expect("logs");
    assert!(changes.users.is_empty(), "{:?}", changes.users);
}

#[tokio::test(flavor = "multi_thread")]
async fn v3_6_accounts_read_once_stay_exact_through_interest_and_price_moves() {
    let v36 = chain_v36_common::V36::start().await;
    let pool = v36.manifest.contracts.pool;
    let users: Vec<Address> = v36.manifest.users.iter().map(|u| u.address).collect();
    let block = v36.block().await;
    let accounts = v36
        .reader
        .read_accounts(&users, block)
        .await
        .expect("read accounts");
    judge(
        &v36.reader,
        &v36.provider,
        pool,
        &accounts,
        block,
        "at the read",
    )
    .await;
    v36.devnet.advance_time(90 * 86_400).await.expect("time");
    let later = v36.block().await;
    judge(
        &v36.reader,
        &v36.provider,
        pool,
        &accounts,
        later,
        "90 days on",
    )
    .await;
    let weth = v36.reader.position(users[0]).await.expect("position");
    let i = weth.reserve_index("WETH").expect("WETH");
    v36.set_price(
        "WETH",
        weth.reserves[i].price * U256::from(9) / U256::from(10),
    )
    .await;
    let moved = v36.block().await;
    judge(
        &v36.reader,
        &v36.provider,
        pool,
        &accounts,
        moved,
        "after WETH fell",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_event_scan_names_a_liquidated_account_and_what_it_lost() {
    let sandbox = common::Sandbox::new().await;
    let manifest = sandbox.devnet.manifest().clone();
    let close = common::account(&manifest, "close");
    let before = head(&sandbox.provider).await;
    sandbox
        .devnet
        .set_price("WETH", "1500")
        .await
        .expect("price");
    let report = sandbox.devnet.liquidate(close).await.expect("liquidate");
    assert!(report.executed, "{report:?}");
    let after = head(&sandbox.provider).await;
    let changes = sandbox
        .reader
        .changes(before + 1, after)
        .await
        .expect("logs");
    assert!(changes.users.contains(&close));
    let [liquidation] = changes.liquidations.as_slice() else {
        panic!("one liquidation: {:?}", changes.liquidations);
    };
    assert_eq!(liquidation.user, close);
    assert_eq!(liquidation.debt_to_cover, report.debt_repaid);
    assert_eq!(liquidation.liquidated_collateral, report.collateral_seized);
    assert_eq!(Some(liquidation.transaction), report.tx_hash);

    // The account read again after the liquidation is exact again.
    let accounts = sandbox
        .reader
        .read_accounts(&[close], after)
        .await
        .expect("read");
    judge(
        &sandbox.reader,
        &sandbox.provider,
        manifest.contracts.pool,
        &accounts,
        after,
        "after the liquidation",
    )
    .await;
}
