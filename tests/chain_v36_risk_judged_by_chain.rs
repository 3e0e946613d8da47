//! The Aave v3.6 chain judges lendesk's risk figures (`@aave-dao/aave-v3-origin@3.6.0` on Anvil):
//! a liquidation price must be exact to 0.1% on either side — inside and outside the E-Mode
//! collateral bitmap — and safe borrow and withdraw amounts must be what the 3.6 Pool accepts,
//! with a tenth of a percent more refused or under the target. A real transaction decides.
//!
//! Each case runs on a devnet of its own, loaded from the state cache.

mod chain_v36_common;

use alloy::primitives::U256;
use chain_v36_common::{V36, scaled, wad};
use lendesk::chain::liquidation;
use lendesk::chain::math::WAD;
use lendesk::chain::risk::{self, Blocked, Limit, LiquidationPrice};

/// One liquidation-price case: whose position, which asset's price moves, and the pair a
/// liquidator takes once it is past.
struct PriceCase {
    role: &'static str,
    moved: &'static str,
    collateral: &'static str,
    debt: &'static str,
}

const PRICE_CASES: [PriceCase; 6] = [
    // No E-Mode: WETH collateral against DAI.
    PriceCase {
        role: "near_liquidation",
        moved: "WETH",
        collateral: "WETH",
        debt: "DAI",
    },
    // E-Mode 1, wstETH inside the collateral bitmap: it counts at the category's 95%.
    PriceCase {
        role: "emode",
        moved: "wstETH",
        collateral: "wstETH",
        debt: "WETH",
    },
    // E-Mode 1, USDC outside the bitmap: its own 78% (it must fall to about $0.15).
    PriceCase {
        role: "emode",
        moved: "USDC",
        collateral: "USDC",
        debt: "WETH",
    },
    // The E-Mode user's debt rising: WETH at or above its price liquidates.
    PriceCase {
        role: "emode",
        moved: "WETH",
        collateral: "wstETH",
        debt: "WETH",
    },
    // Under $2,000: the whole debt may go at once.
    PriceCase {
        role: "small",
        moved: "WETH",
        collateral: "WETH",
        debt: "USDC",
    },
    // Two debts: lendesk's DAI figure is the one that leaves $1,000, not the 50% cap.
    PriceCase {
        role: "two_debts",
        moved: "WETH",
        collateral: "WETH",
        debt: "DAI",
    },
];

#[tokio::test]
async fn liquidation_price_on_3_6_is_exact_to_a_tenth_of_a_percent() {
    for case in &PRICE_CASES {
        let name = format!("{}/{}", case.role, case.moved);
        let v = V36::start().await;
        let user = v.user(case.role);
        let position = v.position(user).await;
        let index = position.reserve_index(case.moved).expect("asset");
        let (price, safe_side, past) = match risk::liquidation_price(&position, index) {
            LiquidationPrice::AtOrBelow(p) => (p, 10, -10),
            LiquidationPrice::AtOrAbove(p) => (p, -10, 10),
            other => panic!("{name}: expected a liquidation price, got {other:?}"),
        };
        eprintln!("{name}: lendesk's liquidation price {price} (8 decimals)");

        // 0.1% on the safe side: HF ≥ 1 and liquidationCall reverts.
        v.set_price(case.moved, scaled(price, safe_side)).await;
        let hf = v.chain_hf(user).await;
        assert!(hf >= WAD, "{name}: HF {hf} on the safe side");
        let cover = U256::from(1_000_000u64); // any amount: the HF check comes first
        let refused = v
            .devnet
            .liquidate(user, case.collateral, case.debt, cover)
            .await
            .expect("liquidate runs");
        assert!(!refused.executed, "{name}: liquidated on the safe side");
        assert_eq!(
            refused.reason.as_deref(),
            Some("HealthFactorNotBelowThreshold"),
            "{name}"
        );

        // 0.1% past it: HF < 1, and lendesk's own figure for the pair goes through.
        v.set_price(case.moved, scaled(price, past)).await;
        let hf = v.chain_hf(user).await;
        assert!(hf < WAD, "{name}: HF {hf} past the liquidation price");
        let position = v.position(user).await;
        let (d, c) = (
            position.reserve_index(case.debt).expect("debt"),
            position.reserve_index(case.collateral).expect("collateral"),
        );
        let option = liquidation::liquidation_options(&position)
            .into_iter()
            .find(|o| o.debt_index == d && o.collateral_index == c)
            .unwrap_or_else(|| panic!("{name}: lendesk offers no liquidation of the pair"));
        let done = v
            .devnet
            .liquidate(user, case.collateral, case.debt, option.max_repay)
            .await
            .expect("liquidate runs");
        assert!(
            done.executed,
            "{name}: refused past the price: {:?}",
            done.reason
        );
        assert!(done.health_factor_before < WAD);
    }
}

#[tokio::test]
async fn borrowing_the_safe_amount_on_3_6_is_accepted_and_a_tenth_of_a_percent_more_is_not() {
    // E-Mode 1: WETH is in the borrowable bitmap. At 1.01 the LTV binds (wstETH at the
    // category's 93%, USDC at its own 75%); at 1.2 the health factor does.
    for target in [risk::DEFAULT_TARGET_HEALTH_FACTOR, wad(6, 5)] {
        for (role, symbol) in [("emode", "WETH"), ("near_liquidation", "DAI")] {
            let name = format!("{role}/{symbol} at target {target}");
            let v = V36::start().await;
            let user = v.user(role);
            let position = v.position(user).await;
            let index = position.reserve_index(symbol).expect("asset");
            let safe = risk::max_safe_borrow(&position, index, target);
            eprintln!("{name}: {safe:?}");
            if let Limit::Blocked(Blocked::HealthFactorBelowTarget) = safe.limit {
                assert!(
                    v.chain_hf(user).await < target,
                    "{name}: blocked while the chain's HF is above target"
                );
                continue;
            }
            assert!(!safe.amount.is_zero(), "{name}: {safe:?}");
            let done = v.devnet.borrow(user, symbol, safe.amount).await.unwrap();
            assert!(
                done.executed,
                "{name}: safe borrow refused: {:?}",
                done.reason
            );
            assert!(
                done.health_factor_after >= target,
                "{name}: HF {} under target after the safe borrow",
                done.health_factor_after
            );

            let v = V36::start().await;
            let more = v
                .devnet
                .borrow(user, symbol, scaled(safe.amount, 10))
                .await
                .unwrap();
            match safe.limit {
                Limit::Ltv => assert_eq!(
                    more.reason.as_deref(),
                    Some("CollateralCannotCoverNewBorrow"),
                    "{name}: 0.1% over lendesk's LTV limit"
                ),
                Limit::HealthFactor => {
                    assert!(more.executed, "{name}: {:?}", more.reason);
                    assert!(
                        more.health_factor_after < target,
                        "{name}: 0.1% more left HF {} ≥ target",
                        more.health_factor_after
                    );
                }
                other => panic!("{name}: unexpected limit {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn a_borrow_outside_the_borrowable_bitmap_is_blocked_by_lendesk_and_the_chain() {
    let v = V36::start().await;
    let user = v.user("emode");
    let position = v.position(user).await;
    for symbol in ["USDC", "DAI", "wstETH"] {
        let index = position.reserve_index(symbol).expect("asset");
        let safe = risk::max_safe_borrow(&position, index, risk::DEFAULT_TARGET_HEALTH_FACTOR);
        assert_eq!(
            safe.limit,
            Limit::Blocked(Blocked::EModeCategoryMismatch),
            "{symbol}"
        );
        assert!(safe.amount.is_zero());
        let unit = U256::from(10u64).pow(U256::from(position.reserves[index].decimals));
        let tried = v.devnet.borrow(user, symbol, unit).await.unwrap();
        assert_eq!(
            tried.reason.as_deref(),
            Some("NotBorrowableInEMode"),
            "{symbol}: one whole token"
        );
    }
    // And WETH, in the bitmap, is not blocked.
    let weth = position.reserve_index("WETH").expect("WETH");
    let safe = risk::max_safe_borrow(&position, weth, risk::DEFAULT_TARGET_HEALTH_FACTOR);
    assert!(!matches!(safe.limit, Limit::Blocked(_)), "{safe:?}");
}

#[tokio::test]
async fn withdrawing_the_safe_amount_on_3_6_keeps_the_target_and_a_tenth_of_a_percent_more_does_not()
 {
    for (role, symbol) in [
        ("emode", "wstETH"),
        ("emode", "USDC"),
        ("near_liquidation", "WETH"),
    ] {
        for target in [WAD, risk::DEFAULT_TARGET_HEALTH_FACTOR, wad(6, 5)] {
            let name = format!("{role}/{symbol} at target {target}");
            let v = V36::start().await;
            let user = v.user(role);
            let position = v.position(user).await;
            let index = position.reserve_index(symbol).expect("asset");
            let safe = risk::max_safe_withdraw(&position, index, target);
            eprintln!("{name}: {safe:?}");
            if let Limit::Blocked(Blocked::HealthFactorBelowTarget) = safe.limit {
                assert!(v.chain_hf(user).await < target, "{name}");
                continue;
            }
            assert_eq!(safe.limit, Limit::HealthFactor, "{name}");
            let done = v.devnet.withdraw(user, symbol, safe.amount).await.unwrap();
            assert!(
                done.executed,
                "{name}: safe withdrawal refused: {:?}",
                done.reason
            );
            assert!(
                done.health_factor_after >= target,
                "{name}: HF {} under target",
                done.health_factor_after
            );

            let v = V36::start().await;
            let more = v
                .devnet
                .withdraw(user, symbol, scaled(safe.amount, 10))
                .await
                .unwrap();
            if target == WAD {
                assert_eq!(
                    more.reason.as_deref(),
                    Some("HealthFactorLowerThanLiquidationThreshold"),
                    "{name}: 0.1% more at target 1"
                );
            } else {
                assert!(more.executed, "{name}: {:?}", more.reason);
                assert!(
                    more.health_factor_after < target,
                    "{name}: 0.1% more left HF {}",
                    more.health_factor_after
                );
            }
        }
    }
}
