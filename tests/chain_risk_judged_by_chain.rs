//! The chain judges the math: computed liquidation prices, safe withdraw / borrow amounts and
//! repay-to-target amounts are executed on the real Aave v3 market and must hold to 0.1–0.5%.

mod common;

use alloy::primitives::{Address, U256};
use alloy::providers::DynProvider;
use lendesk::chain::bindings::{IERC20Detailed, IPool};
use lendesk::chain::math::WAD;
use lendesk::chain::risk::{self, Limit, LiquidationPrice};

const TX_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// An explicit gas limit: Anvil's estimate is made at one timestamp, and a transaction mined a
/// second later may first have to accrue the reserve's indexes (more storage writes), so an
/// estimated limit can run out under load. A reverted transaction is still a revert.
const TX_GAS: u64 = 3_000_000;

/// Waits for the receipt: a mined but reverted transaction is an error too. Polls for the
/// receipt by hash: alloy's block heartbeat does not expect block numbers to go back after
/// `evm_revert`.
async fn mined(
    pending: alloy::providers::PendingTransactionBuilder<alloy::network::Ethereum>,
) -> Result<(), String> {
    use alloy::providers::Provider;
    let hash = *pending.tx_hash();
    let provider = pending.provider().clone();
    let deadline = std::time::Instant::now() + TX_TIMEOUT;
    loop {
        if let Some(receipt) = provider
            .get_transaction_receipt(hash)
            .await
            .map_err(|e| e.to_string())?
        {
            return if receipt.status() {
                Ok(())
            } else {
                Err(format!("reverted in {hash}"))
            };
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("{hash} not mined within {TX_TIMEOUT:?}"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// The account's next nonce as the chain sees it now: after `evm_revert` Anvil's own pool
/// may still count the reverted transactions.
async fn nonce(p: &DynProvider, user: Address) -> Result<u64, String> {
    use alloy::providers::Provider;
    p.get_transaction_count(user)
        .await
        .map_err(|e| e.to_string())
}

/// `amount × (10000 + bps) / 10000`.
fn scaled(amount: U256, bps: i64) -> U256 {
    amount * U256::from((10_000 + bps) as u64) / U256::from(10_000u64)
}

async fn withdraw(
    p: &DynProvider,
    pool: Address,
    user: Address,
    asset: Address,
    amount: U256,
) -> Result<(), String> {
    let pending = IPool::new(pool, p)
        .withdraw(asset, amount, user)
        .from(user)
        .nonce(nonce(p, user).await?)
        .gas(TX_GAS)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    mined(pending).await
}

async fn borrow(
    p: &DynProvider,
    pool: Address,
    user: Address,
    asset: Address,
    amount: U256,
) -> Result<(), String> {
    let pending = IPool::new(pool, p)
        .borrow(asset, amount, U256::from(2), 0, user)
        .from(user)
        .nonce(nonce(p, user).await?)
        .gas(TX_GAS)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    mined(pending).await
}

async fn repay(
    p: &DynProvider,
    pool: Address,
    user: Address,
    asset: Address,
    amount: U256,
) -> Result<(), String> {
    let approval = IERC20Detailed::new(asset, p)
        .approve(pool, amount)
        .from(user)
        .nonce(nonce(p, user).await?)
        .gas(TX_GAS)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    mined(approval).await?;
    let pending = IPool::new(pool, p)
        .repay(asset, amount, U256::from(2), user)
        .from(user)
        .nonce(nonce(p, user).await?)
        .gas(TX_GAS)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    mined(pending).await
}

#[tokio::test]
async fn liquidation_price_is_exact_to_a_tenth_of_a_percent() {
    let mut sb = common::Sandbox::new().await;
    let manifest = sb.devnet.manifest().clone();
    let pool = manifest.contracts.pool;
    // Collateral falling, and a debt asset rising (USDC at $2.50 liquidates the safe account).
    let cases = [
        ("close", "WETH"),
        ("warning", "WETH"),
        ("isolated", "WBTC"),
        ("safe", "WETH"),
        ("safe", "USDC"),
    ];
    for (profile, symbol) in cases {
        let user = common::account(&manifest, profile);
        let position = sb.reader.position(user).await.expect("read");
        let index = position.reserve_index(symbol).expect("asset");
        let (price, safe_side, past) = match risk::liquidation_price(&position, index) {
            LiquidationPrice::AtOrBelow(p) => (p, 10, -10),
            LiquidationPrice::AtOrAbove(p) => (p, -10, 10),
            other => panic!("{profile}: expected a liquidation price for {symbol}, got {other:?}"),
        };

        // 0.1% on the safe side: HF ≥ 1 and liquidationCall reverts.
        sb.devnet
            .set_price_raw(symbol, scaled(price, safe_side))
            .await
            .expect("price");
        let hf = common::protocol_hf(&sb.provider, pool, user).await;
        assert!(
            hf >= WAD,
            "{profile}/{symbol}: HF {hf} should be ≥ 1 on the safe side"
        );
        let report = sb.devnet.liquidate(user).await.expect("liquidate runs");
        assert!(
            !report.executed,
            "{profile}/{symbol}: liquidation must revert on the safe side"
        );

        // 0.1% past it: HF < 1 and liquidationCall succeeds.
        sb.devnet
            .set_price_raw(symbol, scaled(price, past))
            .await
            .expect("price");
        let hf = common::protocol_hf(&sb.provider, pool, user).await;
        assert!(
            hf < WAD,
            "{profile}/{symbol}: HF {hf} should be < 1 past the liquidation price"
        );
        let report = sb.devnet.liquidate(user).await.expect("liquidate runs");
        assert!(
            report.executed,
            "{profile}/{symbol}: liquidation must succeed past the price"
        );
        sb = common::Sandbox::new().await;
    }
}

#[tokio::test]
async fn no_liquidation_price_means_even_a_near_zero_price_cannot_liquidate() {
    let sb = common::Sandbox::new().await;
    let manifest = sb.devnet.manifest().clone();
    // The E-Mode account's stablecoin collateral covers its debt without any WETH.
    let user = common::account(&manifest, "multi");
    let position = sb.reader.position(user).await.expect("read");
    let index = position.reserve_index("WETH").expect("WETH");
    assert_eq!(
        risk::liquidation_price(&position, index),
        LiquidationPrice::None
    );
    sb.devnet
        .set_price_raw("WETH", U256::from(1u64))
        .await
        .expect("price");
    let hf = common::protocol_hf(&sb.provider, manifest.contracts.pool, user).await;
    assert!(hf >= WAD, "HF {hf} with WETH at 1e-8 USD");
    assert!(
        !sb.devnet
            .liquidate(user)
            .await
            .expect("liquidate runs")
            .executed
    );
}

#[tokio::test]
async fn withdrawing_the_safe_amount_keeps_the_target_and_half_a_percent_more_does_not() {
    let mut sb = common::Sandbox::new().await;
    let manifest = sb.devnet.manifest().clone();
    let pool = manifest.contracts.pool;
    for (profile, symbol) in [
        ("safe", "WETH"),
        ("warning", "WETH"),
        ("multi", "USDC"),
        ("isolated", "WBTC"),
    ] {
        let user = common::account(&manifest, profile);
        let position = sb.reader.position(user).await.expect("read");
        let index = position.reserve_index(symbol).expect("asset");
        let asset = position.reserves[index].asset;
        for target in [risk::DEFAULT_TARGET_HEALTH_FACTOR, WAD, common::wad(3, 2)] {
            let safe = risk::max_safe_withdraw(&position, index, target);
            if matches!(safe.limit, Limit::Blocked(_)) {
                assert!(target > WAD, "{profile}: withdraw blocked at target 1");
                continue;
            }
            assert!(
                matches!(safe.limit, Limit::HealthFactor | Limit::Balance),
                "{profile}: unexpected limit {:?}",
                safe.limit
            );
            withdraw(&sb.provider, pool, user, asset, safe.amount)
                .await
                .expect("safe withdraw succeeds");
            let hf = common::protocol_hf(&sb.provider, pool, user).await;
            assert!(
                hf >= target,
                "{profile}: HF {hf} under target {target} after the safe withdrawal"
            );
            sb = common::Sandbox::new().await;
            let more = withdraw(&sb.provider, pool, user, asset, scaled(safe.amount, 50)).await;
            if safe.limit == Limit::Balance {
                assert!(
                    more.is_err(),
                    "{profile}: more than the whole balance must revert"
                );
            } else if target == WAD {
                assert!(
                    more.is_err(),
                    "{profile}: 0.5% more than the safe amount must revert at target 1"
                );
            } else {
                more.expect("a withdrawal above target but over HF 1 is accepted by the pool");
                let hf = common::protocol_hf(&sb.provider, pool, user).await;
                assert!(
                    hf < target,
                    "{profile}: 0.5% more should leave HF {hf} under target {target}"
                );
            }
            sb = common::Sandbox::new().await;
        }
    }
}

#[tokio::test]
async fn repaying_the_computed_amount_reaches_the_target_and_less_does_not() {
    let mut sb = common::Sandbox::new().await;
    let manifest = sb.devnet.manifest().clone();
    let pool = manifest.contracts.pool;
    for (profile, symbol) in [("close", "USDC"), ("warning", "DAI"), ("isolated", "USDC")] {
        let user = common::account(&manifest, profile);
        let position = sb.reader.position(user).await.expect("read");
        let index = position.reserve_index(symbol).expect("asset");
        let asset = position.reserves[index].asset;
        for target in [common::wad(2, 1), common::wad(5, 2)] {
            let plan = risk::repay_to_target(&position, index, target);
            assert!(
                plan.reaches_target && !plan.amount.is_zero(),
                "{profile}: plan {plan:?}"
            );
            repay(&sb.provider, pool, user, asset, plan.amount)
                .await
                .expect("repay succeeds");
            let hf = common::protocol_hf(&sb.provider, pool, user).await;
            assert!(
                hf >= target,
                "{profile}: HF {hf} under target {target} after repaying the plan"
            );
            sb = common::Sandbox::new().await;
            repay(&sb.provider, pool, user, asset, scaled(plan.amount, -50))
                .await
                .expect("repay succeeds");
            let hf = common::protocol_hf(&sb.provider, pool, user).await;
            assert!(
                hf < target,
                "{profile}: repaying 0.5% less should leave HF {hf} under {target}"
            );
            sb = common::Sandbox::new().await;
        }
    }
}

#[tokio::test]
async fn borrowing_the_safe_amount_is_accepted_and_half_a_percent_more_is_not_safe() {
    let mut sb = common::Sandbox::new().await;
    let manifest = sb.devnet.manifest().clone();
    let pool = manifest.contracts.pool;
    for (profile, symbol) in [
        ("safe", "USDC"),
        ("safe", "WETH"),
        ("multi", "DAI"),
        ("isolated", "USDC"),
    ] {
        let user = common::account(&manifest, profile);
        let position = sb.reader.position(user).await.expect("read");
        let index = position.reserve_index(symbol).expect("asset");
        let asset = position.reserves[index].asset;
        let target = risk::DEFAULT_TARGET_HEALTH_FACTOR;
        let safe = risk::max_safe_borrow(&position, index, target);
        assert!(!safe.amount.is_zero(), "{profile}/{symbol}: {safe:?}");
        borrow(&sb.provider, pool, user, asset, safe.amount)
            .await
            .expect("safe borrow succeeds");
        let hf = common::protocol_hf(&sb.provider, pool, user).await;
        assert!(
            hf >= target,
            "{profile}/{symbol}: HF {hf} under target after the safe borrow"
        );
        sb = common::Sandbox::new().await;
        let more = borrow(&sb.provider, pool, user, asset, scaled(safe.amount, 50)).await;
        match safe.limit {
            Limit::Ltv | Limit::DebtCeiling | Limit::BorrowCap | Limit::PoolLiquidity => {
                assert!(
                    more.is_err(),
                    "{profile}/{symbol}: the protocol must refuse 0.5% over its {:?} limit",
                    safe.limit
                )
            }
            Limit::HealthFactor => {
                more.expect("over target but under the LTV limit is accepted");
                let hf = common::protocol_hf(&sb.provider, pool, user).await;
                assert!(
                    hf < target,
                    "{profile}/{symbol}: HF {hf} should be under target"
                );
            }
            other => panic!("{profile}/{symbol}: unexpected limit {other:?}"),
        }
        sb = common::Sandbox::new().await;
    }
}
