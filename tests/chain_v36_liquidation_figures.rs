//! The Aave v3.6 chain judges lendesk's liquidation figures (the 3.3+ rules): a real
//! `liquidationCall` offered far more than lendesk's `max_repay` repays exactly that figure and
//! seizes exactly its `collateral_seized` — 50% of the whole position above HF 0.95, the whole
//! reserve debt at or below it or under $2,000, all of a collateral when it runs out, the rest
//! written off as deficit when the last collateral goes — and lendesk's figure never leaves
//! dust where a tenth of a percent more does.
//!
//! "Exactly" allows only the interest accrued between lendesk's read and the transaction's
//! block: one part per million. Each case runs on a devnet of its own.

mod chain_v36_common;

use alloy::primitives::U256;
use chain_v36_common::{V36, scaled, tokens, within_a_ppm};
use lendesk::chain::liquidation::{self, LiquidationOption};
use lendesk::chain::math::WAD;
use lendesk::chain::position::Position;
use lendesk::chain::risk::{self, CLOSE_FACTOR_HF_THRESHOLD, LiquidationPrice};

/// One case: a position pushed under HF 1 by one price, and the pair a liquidator takes.
struct Case {
    name: &'static str,
    role: &'static str,
    /// The asset whose price falls to `factor_bps` of lendesk's liquidation price.
    moved: &'static str,
    factor_bps: u64,
    collateral: &'static str,
    debt: &'static str,
    /// lendesk must say the 100% close factor applies.
    full_close: bool,
    /// lendesk's figure is the whole reserve debt.
    whole_debt: bool,
    /// lendesk's figure takes all of this collateral.
    whole_collateral: bool,
    /// The last collateral goes: the rest of the debt becomes deficit.
    writes_off: bool,
}

const CASES: [Case; 8] = [
    Case {
        name: "HF 0.98, one debt: 50% of the position",
        role: "near_liquidation",
        moved: "WETH",
        factor_bps: 9_800,
        collateral: "WETH",
        debt: "DAI",
        full_close: false,
        whole_debt: false,
        whole_collateral: false,
        writes_off: false,
    },
    Case {
        name: "HF 0.94: the whole reserve debt",
        role: "near_liquidation",
        moved: "WETH",
        factor_bps: 9_400,
        collateral: "WETH",
        debt: "DAI",
        full_close: true,
        whole_debt: true,
        whole_collateral: false,
        writes_off: false,
    },
    Case {
        name: "E-Mode, HF 0.97, wstETH in the bitmap: 50%, at the category's 1% bonus",
        role: "emode",
        moved: "wstETH",
        factor_bps: 9_700,
        collateral: "wstETH",
        debt: "WETH",
        full_close: false,
        whole_debt: false,
        whole_collateral: false,
        writes_off: false,
    },
    Case {
        name: "E-Mode, HF 0.97, USDC outside the bitmap: all of it, at its own 4.5% bonus",
        role: "emode",
        moved: "wstETH",
        factor_bps: 9_700,
        collateral: "USDC",
        debt: "WETH",
        full_close: false,
        whole_debt: false,
        whole_collateral: true,
        writes_off: false,
    },
    Case {
        name: "E-Mode, HF 0.90: all the wstETH (the debt it buys rounded up)",
        role: "emode",
        moved: "wstETH",
        factor_bps: 9_000,
        collateral: "wstETH",
        debt: "WETH",
        full_close: true,
        whole_debt: false,
        whole_collateral: true,
        writes_off: false,
    },
    Case {
        name: "under $2,000 at HF 0.975: the whole debt",
        role: "small",
        moved: "WETH",
        factor_bps: 9_750,
        collateral: "WETH",
        debt: "USDC",
        full_close: true,
        whole_debt: true,
        whole_collateral: false,
        writes_off: false,
    },
    Case {
        name: "a $1,800 debt in a $4,400 position at HF 0.97: the whole of it",
        role: "two_debts",
        moved: "WETH",
        factor_bps: 9_700,
        collateral: "WETH",
        debt: "USDC",
        full_close: true,
        whole_debt: true,
        whole_collateral: false,
        writes_off: false,
    },
    Case {
        name: "collateral worth less than the debt: all of it, the rest written off",
        role: "small",
        moved: "WETH",
        factor_bps: 7_200,
        collateral: "WETH",
        debt: "USDC",
        full_close: true,
        whole_debt: false,
        whole_collateral: true,
        writes_off: true,
    },
];

/// Moves `moved` to `factor_bps` of lendesk's liquidation price and reads the position again.
async fn push_under(v: &V36, role: &str, moved: &str, factor_bps: u64) -> Position {
    let user = v.user(role);
    let position = v.position(user).await;
    let index = position.reserve_index(moved).expect("asset");
    let LiquidationPrice::AtOrBelow(price) = risk::liquidation_price(&position, index) else {
        panic!("{role}: no liquidation price for {moved}");
    };
    let price = price * U256::from(factor_bps) / U256::from(10_000u64);
    v.set_price(moved, price).await;
    v.position(user).await
}

fn option_for(position: &Position, debt: &str, collateral: &str) -> LiquidationOption {
    let d = position.reserve_index(debt).expect("debt");
    let c = position.reserve_index(collateral).expect("collateral");
    liquidation::liquidation_options(position)
        .into_iter()
        .find(|o| o.debt_index == d && o.collateral_index == c)
        .unwrap_or_else(|| panic!("lendesk offers no liquidation of {debt} against {collateral}"))
}

/// `|a − b| ≤ of / 1e6`.
fn ppm_apart(a: U256, b: U256, of: U256) -> bool {
    a.abs_diff(b) * U256::from(1_000_000u64) <= of
}

#[tokio::test]
async fn a_liquidation_on_3_6_repays_and_seizes_what_lendesk_says() {
    for case in &CASES {
        let name = case.name;
        let v = V36::start().await;
        let user = v.user(case.role);
        let position = push_under(&v, case.role, case.moved, case.factor_bps).await;
        let hf = risk::account_totals(&position).health_factor;
        assert!(hf < WAD, "{name}: HF {hf}");
        assert_eq!(
            hf > CLOSE_FACTOR_HF_THRESHOLD,
            case.factor_bps > 9_500,
            "{name}: HF {hf} on the wrong side of 0.95"
        );
        let o = option_for(&position, case.debt, case.collateral);
        let debt = &position.reserves[o.debt_index];
        let collateral = &position.reserves[o.collateral_index];
        let (debt_before, supplied_before) = (debt.debt(), collateral.supplied);
        eprintln!("{name}: HF {hf}, {o:?}, debt {debt_before}, supplied {supplied_before}");
        assert_eq!(o.full_close_factor, case.full_close, "{name}: close factor");
        assert_eq!(
            o.max_repay == debt_before,
            case.whole_debt,
            "{name}: whole debt"
        );
        assert_eq!(
            o.collateral_seized == supplied_before,
            case.whole_collateral,
            "{name}: whole collateral"
        );
        assert_eq!(o.writes_off_remaining_debt, case.writes_off, "{name}");
        if !case.full_close && !case.whole_collateral {
            // The 3.3 cap: half the position's debt (here all in this reserve).
            assert!(
                ppm_apart(o.max_repay * U256::from(2), debt_before, debt_before),
                "{name}: {} is not half of {debt_before}",
                o.max_repay
            );
        }

        // Offer twice the whole debt: the chain caps it where lendesk said.
        let done = v
            .devnet
            .liquidate(
                user,
                case.collateral,
                case.debt,
                debt_before * U256::from(2),
            )
            .await
            .expect("liquidate runs");
        assert!(done.executed, "{name}: refused: {:?}", done.reason);
        assert!(
            within_a_ppm(done.debt_repaid, o.max_repay),
            "{name}: the chain repaid {} where lendesk said {}",
            done.debt_repaid,
            o.max_repay
        );
        assert!(
            within_a_ppm(done.collateral_seized, o.collateral_seized),
            "{name}: the chain seized {} where lendesk said {}",
            done.collateral_seized,
            o.collateral_seized
        );

        // The balances moved by those amounts (and no protocol fee on this devnet).
        let debt_after = v.chain_debt(user, case.debt).await;
        let supplied_after = v.chain_supplied(user, case.collateral).await;
        if case.whole_debt || case.writes_off {
            assert_eq!(debt_after, U256::ZERO, "{name}: debt left");
        } else {
            assert!(
                ppm_apart(debt_after, debt_before - done.debt_repaid, debt_before),
                "{name}: debt {debt_before} - {} ≠ {debt_after}",
                done.debt_repaid
            );
        }
        assert!(
            ppm_apart(
                supplied_after,
                supplied_before - done.collateral_seized,
                supplied_before
            ),
            "{name}: supplied {supplied_before} - {} ≠ {supplied_after}",
            done.collateral_seized
        );
        if case.whole_collateral {
            assert_eq!(supplied_after, U256::ZERO, "{name}: collateral left");
        }
        let deficit = v.chain_deficit(case.debt).await;
        if case.writes_off {
            let written_off = debt_before - o.max_repay;
            assert!(
                within_a_ppm(done.deficit, written_off) && deficit == done.deficit,
                "{name}: deficit {} (reserve {deficit}) where lendesk's figures leave {written_off}",
                done.deficit
            );
        } else {
            assert_eq!(done.deficit, U256::ZERO, "{name}: deficit");
        }
    }
}

/// Two debts at HF 0.97: the 50% cap on DAI ($2,200 of a $2,600 debt) would leave $400 of
/// DAI, so the chain refuses it (`MustNotLeaveDust`); lendesk's figure is the most that leaves
/// $1,000, which passes, and 0.1% more is refused.
#[tokio::test]
async fn lendesks_figure_stops_at_the_dust_limit_on_3_6() {
    let v = V36::start().await;
    let user = v.user("two_debts");
    let position = push_under(&v, "two_debts", "WETH", 9_700).await;
    let hf = risk::account_totals(&position).health_factor;
    assert!(hf < WAD && hf > CLOSE_FACTOR_HF_THRESHOLD, "HF {hf}");
    let o = option_for(&position, "DAI", "WETH");
    let dai = &position.reserves[o.debt_index];
    eprintln!("two_debts/DAI: {o:?}, DAI debt {}", dai.debt());
    assert!(!o.full_close_factor);
    // $1,000 of DAI (price $1) stays, valued as 3.5+ values debt (rounded up to 1e-8 USD): the
    // smallest leftover worth 1000e8 is 1,000 DAI − 1e10 + 1 wei. The figure, to the wei:
    let smallest_leftover = tokens(1_000, 18) - U256::from(10_000_000_000u64) + U256::from(1);
    assert_eq!(o.max_repay, dai.debt() - smallest_leftover);

    // More than the figure: the 50% cap the chain applies to a large offer, and 0.1% over.
    for (what, cover) in [
        ("a large offer (the 50% cap)", dai.debt()),
        ("0.1% over lendesk's figure", scaled(o.max_repay, 10)),
    ] {
        let refused = v
            .devnet
            .liquidate(user, "WETH", "DAI", cover)
            .await
            .expect("liquidate runs");
        assert!(!refused.executed, "{what} went through");
        assert_eq!(
            refused.reason.as_deref(),
            Some("MustNotLeaveDust"),
            "{what}"
        );
    }

    let done = v
        .devnet
        .liquidate(user, "WETH", "DAI", o.max_repay)
        .await
        .expect("liquidate runs");
    assert!(done.executed, "lendesk's figure refused: {:?}", done.reason);
    assert_eq!(done.debt_repaid, o.max_repay);
    assert!(within_a_ppm(done.collateral_seized, o.collateral_seized));
    let left = v.chain_debt(user, "DAI").await;
    assert!(
        left >= smallest_leftover && within_a_ppm(left, tokens(1_000, 18)),
        "DAI left {left}"
    );
}
