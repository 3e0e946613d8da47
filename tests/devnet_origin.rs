//! The Aave v3.6 devnet (`@aave-dao/aave-v3-origin@3.6.0`, compiled from source): the market
//! works as 3.6 (revision 10, no stable debt, E-Mode by bitmaps), its users' health factors are
//! what the 3.6 formula gives to the wei, the chain judges a liquidation, the state cache makes
//! a second start fast — and lendesk's reader must read it exactly.
//!
//! Each test starts its own Anvil on a free port.

mod chain_v36_common;

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider};
use chain_v36_common::{provider, reader, wad};
use lendesk::chain::risk;
use lendesk::devnet::origin::abi::{IOriginOracle, IOriginPool, IOriginToken};
use lendesk::devnet::origin::spec::{self, EMODE, RESERVES};
use lendesk::devnet::origin::{OriginDevnet, OriginManifest, OriginOptions};

const RAY: u128 = 1_000_000_000_000_000_000_000_000_000;
const WAD: u128 = 1_000_000_000_000_000_000;

async fn start(fresh: bool) -> OriginDevnet {
    let devnet = OriginDevnet::start(OriginOptions { port: 0, fresh })
        .await
        .expect("start the v3.6 devnet");
    let s = devnet.stats();
    eprintln!(
        "v3.6 devnet: compile step {:?}, chain {:?} ({}), {} transactions",
        s.compile,
        s.chain,
        if s.from_cache {
            "from cache"
        } else {
            "deployed"
        },
        s.transactions
    );
    devnet
}

fn user(manifest: &OriginManifest, role: &str) -> Address {
    manifest
        .user(role)
        .unwrap_or_else(|| panic!("no {role} user"))
        .address
}

/// The 3.6 account totals, computed here from raw chain reads with v3.6's GenericLogic:
/// collateral `floor(floor(scaled × income / RAY) × price / unit)`, debt
/// `ceil(ceil(scaled × index / RAY) × price / unit)`, the E-Mode threshold only for reserves in
/// the category's collateral bitmap, and HF = `wadDiv(Σ collateral × LT, debt) / 10_000`.
struct Expected {
    collateral: U256,
    debt: U256,
    liquidation_threshold: U256,
    health_factor: U256,
}

async fn expected_36(
    p: &DynProvider,
    m: &OriginManifest,
    who: Address,
    emode: u8,
    block: BlockId,
) -> Expected {
    let pool = IOriginPool::new(m.contracts.pool, p);
    let oracle = IOriginOracle::new(m.contracts.aave_oracle, p);
    let ray = U256::from(RAY);
    let (mut collateral, mut debt, mut weighted) = (U256::ZERO, U256::ZERO, U256::ZERO);
    for r in &m.reserves {
        let spec = spec::reserve(&r.symbol).expect("spec");
        let unit = U256::from(10u64).pow(U256::from(r.decimals));
        let price = oracle
            .getAssetPrice(r.address)
            .block(block)
            .call()
            .await
            .unwrap();
        let scaled_a = IOriginToken::new(r.a_token, p)
            .scaledBalanceOf(who)
            .block(block)
            .call()
            .await
            .unwrap();
        let scaled_v = IOriginToken::new(r.variable_debt_token, p)
            .scaledBalanceOf(who)
            .block(block)
            .call()
            .await
            .unwrap();
        if !scaled_a.is_zero() {
            let income = pool
                .getReserveNormalizedIncome(r.address)
                .block(block)
                .call()
                .await
                .unwrap();
            let base = scaled_a * income / ray * price / unit;
            let lt = if emode == EMODE.id && EMODE.collateral.contains(&spec.symbol) {
                EMODE.liquidation_threshold
            } else {
                spec.liquidation_threshold
            };
            collateral += base;
            weighted += base * U256::from(lt);
        }
        if !scaled_v.is_zero() {
            let index = pool
                .getReserveNormalizedVariableDebt(r.address)
                .block(block)
                .call()
                .await
                .unwrap();
            let balance = (scaled_v * index).div_ceil(ray);
            debt += (balance * price).div_ceil(unit);
        }
    }
    let wad = U256::from(WAD);
    let health_factor = (weighted * wad + debt / U256::from(2)) / debt / U256::from(10_000);
    Expected {
        collateral,
        debt,
        liquidation_threshold: weighted / collateral,
        health_factor,
    }
}

fn close(hf: U256, target: U256) -> bool {
    let diff = if hf > target {
        hf - target
    } else {
        target - hf
    };
    diff <= target / U256::from(1_000u64)
}

#[tokio::test]
async fn a_v3_6_market_from_source_works_and_follows_the_3_6_formula() {
    let devnet = start(false).await;
    let m = devnet.manifest().clone();
    let p = provider(devnet.rpc_url());
    let pool = IOriginPool::new(m.contracts.pool, &p);

    assert_eq!(pool.POOL_REVISION().call().await.unwrap(), U256::from(10));
    for r in &m.reserves {
        assert_eq!(
            r.stable_debt_token,
            Address::ZERO,
            "{} stable debt",
            r.symbol
        );
        assert_ne!(r.variable_debt_token, Address::ZERO, "{}", r.symbol);
    }
    assert_eq!(m.reserves.len(), RESERVES.len());

    let block = BlockId::number(p.get_block_number().await.unwrap());
    for u in &m.users {
        let got = pool
            .getUserAccountData(u.address)
            .block(block)
            .call()
            .await
            .unwrap();
        let want = expected_36(&p, &m, u.address, u.emode, block).await;
        eprintln!(
            "{:>16} {} emode {}: HF {} collateral {} debt {} LT {}",
            u.role,
            u.address,
            u.emode,
            got.healthFactor,
            got.totalCollateralBase,
            got.totalDebtBase,
            got.currentLiquidationThreshold
        );
        assert_eq!(
            got.totalCollateralBase, want.collateral,
            "{} collateral",
            u.role
        );
        assert_eq!(got.totalDebtBase, want.debt, "{} debt", u.role);
        assert_eq!(
            got.currentLiquidationThreshold, want.liquidation_threshold,
            "{} LT",
            u.role
        );
        assert_eq!(got.healthFactor, want.health_factor, "{} HF", u.role);
        let mode = pool.getUserEMode(u.address).call().await.unwrap();
        assert_eq!(mode, U256::from(u.emode), "{} E-Mode", u.role);
    }

    // The E-Mode user: wstETH at the category's 95%, USDC outside the bitmap at its own 78%.
    let emode = pool
        .getUserAccountData(user(&m, "emode"))
        .call()
        .await
        .unwrap();
    assert!(
        close(emode.healthFactor, wad(1_275, 1_000)),
        "E-Mode HF {} (3.6 bitmap rules give 1.275)",
        emode.healthFactor
    );
    // Under 3.0's rule (E-Mode threshold only for reserves whose own category is 1) wstETH would
    // count at 79%: HF 1.115. The chain says otherwise.
    assert!(!close(emode.healthFactor, wad(1_115, 1_000)));
    let near = pool
        .getUserAccountData(user(&m, "near_liquidation"))
        .call()
        .await
        .unwrap();
    assert!(
        close(near.healthFactor, wad(8_250, 7_850)),
        "{}",
        near.healthFactor
    );
    let small = pool
        .getUserAccountData(user(&m, "small"))
        .call()
        .await
        .unwrap();
    assert!(small.totalCollateralBase < U256::from(2_000u64 * spec::BASE_UNIT_8DP));
    assert!(
        close(small.healthFactor, wad(825, 400)),
        "{}",
        small.healthFactor
    );
}

/// The real test of lendesk on a v3.6 market: its reader's own totals must equal the Pool's
/// `getUserAccountData` to the wei for every seeded user. Expected to fail until the reader
/// knows the 3.2+ rules (no stable debt token, E-Mode bitmaps, 3.5 rounding).
#[tokio::test]
async fn lendesk_reads_a_v3_6_market_exactly() {
    let devnet = start(false).await;
    let m = devnet.manifest().clone();
    let reader = reader(&devnet);

    let mut problems = Vec::new();
    for u in &m.users {
        let position = match reader.position(u.address).await {
            Ok(position) => position,
            Err(e) => {
                problems.push(format!("{}: the reader failed: {e}", u.role));
                continue;
            }
        };
        assert_eq!(
            (position.version, position.pool_revision),
            (lendesk::chain::position::AaveVersion::V3_6, 10),
            "{}: the pool is detected as 3.6 at revision 10",
            u.role
        );
        if let Some(category) = &position.emode {
            assert!(
                matches!(
                    category.membership,
                    lendesk::chain::position::EModeMembership::Bitmaps { .. }
                ),
                "{}: a 3.6 category is read with its bitmaps: {category:?}",
                u.role
            );
        }
        let ours = risk::account_totals(&position);
        assert!(
            lendesk::chain::report::assess(&position, risk::DEFAULT_TARGET_HEALTH_FACTOR)
                .agrees_with_protocol,
            "{}: the guard stays quiet on a market lendesk models",
            u.role
        );
        let chain = &position.reported;
        let fields = [
            (
                "collateral",
                ours.total_collateral_base,
                chain.total_collateral_base,
            ),
            ("debt", ours.total_debt_base, chain.total_debt_base),
            (
                "available borrows",
                ours.available_borrows_base,
                chain.available_borrows_base,
            ),
            ("ltv", ours.ltv, chain.ltv),
            (
                "liquidation threshold",
                ours.liquidation_threshold,
                chain.current_liquidation_threshold,
            ),
            ("health factor", ours.health_factor, chain.health_factor),
        ];
        for (name, ours, chain) in fields {
            if ours != chain {
                problems.push(format!(
                    "{}: {name}: lendesk {ours}, getUserAccountData {chain}",
                    u.role
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "lendesk's reader disagrees with the v3.6 Pool:\n{}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn a_liquidation_on_v3_6_is_judged_by_the_chain() {
    let devnet = start(false).await;
    let m = devnet.manifest().clone();
    let borrower = user(&m, "near_liquidation");
    let cover = U256::from(1_000u64) * U256::from(WAD); // 1,000 DAI

    let refused = devnet
        .liquidate(borrower, "WETH", "DAI", cover)
        .await
        .expect("liquidate");
    assert!(
        !refused.executed,
        "liquidated at HF {}",
        refused.health_factor_before
    );
    assert_eq!(
        refused.reason.as_deref(),
        Some("HealthFactorNotBelowThreshold")
    );
    assert!(refused.health_factor_before > U256::from(WAD));

    devnet
        .set_price("WETH", U256::from(1_800u64 * spec::BASE_UNIT_8DP))
        .await
        .expect("move WETH to $1,800");
    let done = devnet
        .liquidate(borrower, "WETH", "DAI", cover)
        .await
        .expect("liquidate");
    eprintln!(
        "liquidation: HF {} -> {}",
        done.health_factor_before, done.health_factor_after
    );
    assert!(done.executed, "refused: {:?}", done.reason);
    assert!(done.health_factor_before < U256::from(WAD));
    assert!(close(done.health_factor_before, wad(7_425, 7_850)));
    assert!(done.health_factor_after > done.health_factor_before);
}

#[tokio::test]
async fn a_second_start_loads_the_cached_chain() {
    let fresh = start(true).await;
    assert!(!fresh.stats().from_cache);
    assert!(fresh.stats().transactions > 50);
    let cached = start(false).await;
    assert!(cached.stats().from_cache);
    assert_eq!(cached.stats().transactions, 0);
    let (a, b) = (fresh.manifest(), cached.manifest());
    assert_eq!(a.contracts, b.contracts);
    assert_eq!(a.users, b.users);
    assert!(
        cached.stats().chain < fresh.stats().chain,
        "cache {:?} vs deploy {:?}",
        cached.stats().chain,
        fresh.stats().chain
    );
    let p = provider(cached.rpc_url());
    let pool = IOriginPool::new(b.contracts.pool, &p);
    let data = pool
        .getUserAccountData(user(b, "emode"))
        .call()
        .await
        .unwrap();
    assert!(close(data.healthFactor, wad(1_275, 1_000)));
}

/// 3.3's rules on a position under $2,000: the whole debt may be liquidated at once (no 50%
/// close factor), and a partial liquidation that would leave less than $1,000 is refused.
#[tokio::test]
async fn the_3_3_dust_rule_on_a_small_position_is_judged_by_the_chain() {
    let devnet = start(false).await;
    let m = devnet.manifest().clone();
    let borrower = user(&m, "small");
    let usdc = |whole: u64| U256::from(whole) * U256::from(1_000_000u64);

    // WETH at $900: 0.5 WETH = $450 against $400 of USDC debt, HF ≈ 0.928.
    devnet
        .set_price("WETH", U256::from(900u64 * spec::BASE_UNIT_8DP))
        .await
        .expect("move WETH to $900");
    let partial = devnet
        .liquidate(borrower, "WETH", "USDC", usdc(100))
        .await
        .expect("liquidate");
    assert!(!partial.executed, "a $100 liquidation left dust");
    assert_eq!(partial.reason.as_deref(), Some("MustNotLeaveDust"));
    assert!(close(partial.health_factor_before, wad(37_125, 40_000)));

    let full = devnet
        .liquidate(borrower, "WETH", "USDC", usdc(1_000))
        .await
        .expect("liquidate");
    assert!(full.executed, "refused: {:?}", full.reason);
    let p = provider(devnet.rpc_url());
    let after = IOriginPool::new(m.contracts.pool, &p)
        .getUserAccountData(borrower)
        .call()
        .await
        .unwrap();
    assert_eq!(after.totalDebtBase, U256::ZERO, "the whole debt was repaid");
    assert_eq!(full.health_factor_after, U256::MAX);
}

/// The E-Mode category as lendesk's reader holds it is the Pool's: label, LTV, threshold,
/// bonus and both bitmaps, read from the 3.6 getters.
#[tokio::test]
async fn lendesk_reads_the_v3_6_emode_category_as_the_pool_holds_it() {
    let devnet = start(false).await;
    let m = devnet.manifest().clone();
    let reader = reader(&devnet);
    let position = reader.position(user(&m, "emode")).await.expect("read");
    let category = position.emode.expect("the emode user is in E-Mode");

    let p = provider(devnet.rpc_url());
    let pool = IOriginPool::new(m.contracts.pool, &p);
    let label = pool.getEModeCategoryLabel(EMODE.id).call().await.unwrap();
    let config = pool
        .getEModeCategoryCollateralConfig(EMODE.id)
        .call()
        .await
        .unwrap();
    let collateral = pool
        .getEModeCategoryCollateralBitmap(EMODE.id)
        .call()
        .await
        .unwrap();
    let borrowable = pool
        .getEModeCategoryBorrowableBitmap(EMODE.id)
        .call()
        .await
        .unwrap();
    assert_eq!(label, EMODE.label, "the devnet's own label");
    assert_eq!(category.label, label, "lendesk's label is the category's");
    assert_eq!(category.id, EMODE.id);
    assert_eq!(
        (
            category.ltv,
            category.liquidation_threshold,
            category.liquidation_bonus
        ),
        (
            u64::from(config.ltv),
            u64::from(config.liquidationThreshold),
            u64::from(config.liquidationBonus)
        )
    );
    let lendesk::chain::position::EModeMembership::Bitmaps {
        collateral: ours_collateral,
        borrowable: ours_borrowable,
        ..
    } = category.membership
    else {
        panic!("a 3.6 category is read with its bitmaps");
    };
    assert_eq!((ours_collateral, ours_borrowable), (collateral, borrowable));
    // wstETH (reserve 1) and WETH (0) are collateral; only WETH is borrowable.
    assert_eq!((collateral, borrowable), (0b11, 0b1));
}

#[tokio::test]
async fn the_answer_says_which_collateral_the_emode_category_covers() {
    let devnet = start(false).await;
    let m = devnet.manifest().clone();
    let reader = reader(&devnet);
    let position = reader.position(user(&m, "emode")).await.expect("read");
    let report = lendesk::chain::report::assess(&position, risk::DEFAULT_TARGET_HEALTH_FACTOR);
    let comfort = wad(3, 2);
    let render = |lang| {
        lendesk::desk::position_answer::render(
            lang,
            &position,
            &report,
            lendesk::desk::intent::PositionFocus::Overview,
            None,
            comfort,
        )
    };
    // wstETH is in the category's collateral bitmap, USDC is not.
    let en = render(lendesk::lang::Lang::En);
    assert!(
        en.contains("It applies to your wstETH; USDC keeps its own LTV and liquidation threshold."),
        "{en}"
    );
    let zh = render(lendesk::lang::Lang::Zh);
    assert!(
        zh.contains("它适用于你的 wstETH；USDC 仍按自身的 LTV 和清算阈值计算。"),
        "{zh}"
    );
}
