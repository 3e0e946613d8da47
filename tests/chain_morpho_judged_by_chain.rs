//! lendesk's Morpho Blue reader and figures, judged by the chain: the reader's totals equal
//! Morpho's own accrual at the read's block (and lendesk's `accrue` from the IRM's rate gives
//! the same), what it says a borrower owes is what a full repayment at that block pays, and
//! the safe withdraw / safe borrow / repay-to-target amounts hold when sent as transactions,
//! while 0.5% more (or less, for a repayment) breaks the target or reverts. One round trip per
//! read.

mod common;

use alloy::eips::BlockId;
use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use lendesk::chain::bindings::MintableERC20;
use lendesk::chain::bindings::morpho::{IrmMock, Morpho};
use lendesk::chain::morpho_blue::math::{self, MarketState};
use lendesk::chain::morpho_blue::{MorphoPosition, MorphoReader, risk};
use lendesk::devnet::Devnet;
use lendesk::devnet::morpho::{MorphoBorrow, MorphoDeployment, MorphoMarket, MorphoMarketSpec};

const TARGET: u64 = 1_200_000_000_000_000_000; // 1.2

fn unit(decimals: u8) -> U256 {
    U256::from(10u64).pow(U256::from(decimals))
}

/// 1e36 × usd ÷ 10^(collateral decimals − loan decimals): Morpho's oracle scale.
fn oracle_price(usd: u64, collateral_decimals: u8, loan_decimals: u8) -> U256 {
    U256::from(10u64).pow(U256::from(36 + u32::from(loan_decimals))) * U256::from(usd)
        / unit(collateral_decimals)
}

fn wad_permille(x: u64) -> U256 {
    U256::from(x) * U256::from(10u64).pow(U256::from(15))
}

/// A devnet with Morpho: WETH/USDC (86%) and DAI/USDC (94.5%), USDC liquidity, and Anvil
/// #9 borrowing on both (HF about 1.43 and 1.13), plus a reader of both markets.
struct Fixture {
    devnet: Devnet,
    deployed: MorphoDeployment,
    reader: MorphoReader,
    provider: DynProvider,
    borrower: Address,
}

impl Fixture {
    async fn new() -> Fixture {
        let devnet = common::own().await;
        let manifest = devnet.manifest().clone();
        let token = |s: &str| manifest.token(s).cloned().expect("token");
        let (weth, usdc, dai) = (token("WETH"), token("USDC"), token("DAI"));
        let specs = [
            MorphoMarketSpec {
                loan_token: usdc.address,
                collateral_token: weth.address,
                lltv: wad_permille(860),
                price: oracle_price(2_000, weth.decimals, usdc.decimals),
            },
            MorphoMarketSpec {
                loan_token: usdc.address,
                collateral_token: dai.address,
                lltv: wad_permille(945),
                price: oracle_price(1, dai.decimals, usdc.decimals),
            },
        ];
        let deployed = devnet.deploy_morpho(&specs).await.expect("deploy Morpho");
        let provider = common::provider(devnet.rpc_url());
        let borrower = provider.get_accounts().await.expect("accounts")[9];
        let borrows = [
            (10u64, weth.decimals, 12_000u64),
            (10_000u64, dai.decimals, 8_000u64),
        ];
        for (market, (collateral, decimals, borrow)) in deployed.markets.iter().zip(borrows) {
            devnet
                .seed_morpho(
                    &deployed,
                    market,
                    U256::from(1_000_000u64) * unit(usdc.decimals),
                    &[MorphoBorrow {
                        borrower,
                        collateral: U256::from(collateral) * unit(decimals),
                        borrow: U256::from(borrow) * unit(usdc.decimals),
                    }],
                )
                .await
                .expect("seed");
        }
        let reader = common::morpho_reader(
            devnet.rpc_url(),
            manifest.chain_id,
            deployed.morpho,
            deployed.markets.iter().map(|m| m.id).collect(),
        );
        Fixture {
            devnet,
            deployed,
            reader,
            provider,
            borrower,
        }
    }

    fn market(&self, i: usize) -> &MorphoMarket {
        &self.deployed.markets[i]
    }

    async fn read(&self) -> Vec<MorphoPosition> {
        self.reader.positions(self.borrower).await.expect("read")
    }

    /// Sends `call` to Morpho from the borrower; the receipt's status. The gas limit is fixed:
    /// Anvil's estimate, made in the second of a market's last update (no interest to accrue),
    /// can be too low for the block that mines it a second later.
    async fn send(&self, to: Address, call: impl SolCall) -> bool {
        let tx = TransactionRequest::default()
            .from(self.borrower)
            .to(to)
            .gas_limit(2_000_000)
            .input(call.abi_encode().into());
        match self.provider.send_transaction(tx).await {
            Ok(pending) => pending.get_receipt().await.expect("receipt").status(),
            Err(e) => {
                eprintln!("refused: {e}");
                false
            }
        }
    }

    /// Morpho's call as the borrower at `block` (a simulation): `Ok(returned)` or the revert.
    async fn simulate(&self, call: impl SolCall, block: u64) -> Result<Vec<u8>, String> {
        let tx = TransactionRequest::default()
            .from(self.borrower)
            .to(self.deployed.morpho)
            .input(call.abi_encode().into());
        self.provider
            .call(tx)
            .block(BlockId::number(block))
            .await
            .map(|b| b.to_vec())
            .map_err(|e| e.to_string())
    }

    /// Mints `amount` of the market's loan token to the borrower and lets Morpho take it.
    async fn fund_loan_token(&self, market: &MorphoMarket, amount: U256) {
        assert!(
            self.send(
                market.loan_token,
                MintableERC20::mint_0Call::new((self.borrower, amount))
            )
            .await
        );
        assert!(
            self.send(
                market.loan_token,
                MintableERC20::approveCall::new((self.deployed.morpho, amount))
            )
            .await
        );
    }

    /// The borrower's health factor on market `i` now, from Morpho's own state after a real
    /// `accrueInterest`.
    async fn chain_health(&self, i: usize) -> U256 {
        let market = self.market(i);
        assert!(
            self.send(
                self.deployed.morpho,
                Morpho::accrueInterestCall {
                    marketParams: market.params()
                }
            )
            .await
        );
        let morpho = Morpho::new(self.deployed.morpho, &self.provider);
        let state = state_of(&morpho.market(market.id).call().await.expect("market"));
        let position = morpho
            .position(market.id, self.borrower)
            .call()
            .await
            .expect("position");
        let price =
            lendesk::chain::bindings::morpho::OracleMock::new(market.oracle, &self.provider)
                .price()
                .call()
                .await
                .expect("price");
        let borrowed = math::borrowed(U256::from(position.borrowShares), &state).expect("borrowed");
        math::health_factor(
            U256::from(position.collateral),
            borrowed,
            price,
            market.lltv,
        )
        .expect("hf")
    }

    fn params(&self, i: usize) -> Morpho::MarketParams {
        self.market(i).params()
    }
}

fn state_of(m: &Morpho::marketReturn) -> MarketState {
    MarketState::from(m)
}

/// The most `p` can borrow by lendesk's mirror of `Morpho.borrow` (shares rounded up, the
/// market's totals moved) while Morpho still calls it healthy, searched below `max_borrow`.
fn most_morpho_lends(p: &MorphoPosition, max_borrow: U256) -> U256 {
    let healthy_after = |assets: U256| {
        risk::after_borrow(p, assets).is_some_and(|(shares, market)| {
            let owed = math::borrowed(shares, &market).expect("owed");
            math::is_healthy(p.collateral, owed, p.price, p.facts.lltv) == Some(true)
        })
    };
    let (mut lo, mut hi) = (U256::ZERO, max_borrow);
    while hi - lo > U256::from(1) {
        let mid = (lo + hi) / U256::from(2);
        if healthy_after(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn more(x: U256, per_mille: u64) -> U256 {
    x * U256::from(1_000 + per_mille) / U256::from(1_000u64)
}

fn less(x: U256, per_mille: u64) -> U256 {
    x * U256::from(1_000 - per_mille) / U256::from(1_000u64)
}

#[tokio::test(flavor = "multi_thread")]
async fn figures_equal_what_morpho_computes_at_the_same_block_in_one_round_trip() {
    let f = Fixture::new().await;
    f.fund_loan_token(f.market(0), U256::from(100_000u64) * unit(6))
        .await;
    // A month passes with nobody touching the markets: the stored totals lack its interest.
    f.devnet.advance_time(30 * 24 * 3600).await.expect("time");
    f.reader.catalog().await.expect("discover");
    let before = f.reader.rpc().round_trips.get();
    let positions = f.read().await;
    assert_eq!(
        f.reader.rpc().round_trips.get() - before,
        1,
        "one HTTP round trip for every market"
    );
    assert_eq!(positions.len(), 2);
    let morpho = Morpho::new(f.deployed.morpho, &f.provider);
    for (i, p) in positions.iter().enumerate() {
        let market = f.market(i);
        assert_eq!(p.facts.id, market.id);
        let block = p.block_number;
        assert!(p.pending_interest > U256::ZERO, "a month of interest");
        // lendesk's accrual from the stored totals and the IRM's rate equals Morpho's own.
        let stored = morpho
            .market(market.id)
            .block(BlockId::number(block))
            .call()
            .await
            .expect("market");
        let rate = IrmMock::new(market.irm, &f.provider)
            .borrowRateView(
                IrmMock::MarketParams {
                    loanToken: market.loan_token,
                    collateralToken: market.collateral_token,
                    oracle: market.oracle,
                    irm: market.irm,
                    lltv: market.lltv,
                },
                IrmMock::Market {
                    totalSupplyAssets: stored.totalSupplyAssets,
                    totalSupplyShares: stored.totalSupplyShares,
                    totalBorrowAssets: stored.totalBorrowAssets,
                    totalBorrowShares: stored.totalBorrowShares,
                    lastUpdate: stored.lastUpdate,
                    fee: stored.fee,
                },
            )
            .block(BlockId::number(block))
            .call()
            .await
            .expect("rate");
        let accrued = math::accrue(&state_of(&stored), rate, p.block_timestamp).expect("accrue");
        assert_eq!(accrued.market, p.state, "market {i}: accrual");
        assert_eq!(accrued.interest, p.pending_interest);

        let figures = risk::assess(p, U256::from(TARGET));
        // What the borrower owes is what repaying every share at that block takes.
        if i == 0 {
            let repaid = f
                .simulate(
                    Morpho::repayCall {
                        marketParams: f.params(0),
                        assets: U256::ZERO,
                        shares: p.borrow_shares,
                        onBehalf: f.borrower,
                        data: Default::default(),
                    },
                    block,
                )
                .await
                .expect("repay all at the read's block");
            let repaid = Morpho::repayCall::abi_decode_returns(&repaid).expect("decode");
            assert_eq!(repaid._0, figures.borrowed, "owed = a full repayment");
        }
        // lendesk's mirror of `borrow` (shares rounded up, totals moved) finds the most Morpho
        // lends against this collateral at that block, to the unit.
        let lo = most_morpho_lends(p, figures.max_borrow);
        let borrow = |assets: U256| Morpho::borrowCall {
            marketParams: f.params(i),
            assets,
            shares: U256::ZERO,
            onBehalf: f.borrower,
            receiver: f.borrower,
        };
        f.simulate(borrow(lo), block)
            .await
            .unwrap_or_else(|e| panic!("market {i}: borrowing {lo} must pass: {e}"));
        let refused = f
            .simulate(borrow(lo + U256::from(1)), block)
            .await
            .expect_err("one unit more must fail");
        assert!(refused.contains("insufficient collateral"), "{refused}");
        assert!(
            figures.max_borrow - figures.borrowed - lo <= U256::from(1),
            "the room is max borrow − owed"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_safe_withdrawal_holds_the_target_and_half_a_percent_more_breaks_it() {
    let f = Fixture::new().await;
    let p = &f.read().await[0];
    let figures = risk::assess(p, U256::from(TARGET));
    let safe = figures.safe_withdraw.expect("has collateral");
    assert!(safe.amount > U256::ZERO && safe.amount < p.collateral);
    let withdraw = |assets: U256| Morpho::withdrawCollateralCall {
        marketParams: f.params(0),
        assets,
        onBehalf: f.borrower,
        receiver: f.borrower,
    };
    // 0.5% more: the target breaks (the transaction may still pass: HF stays above 1).
    let over = more(safe.amount, 5);
    let hf_over = {
        let left = p.collateral - over;
        math::health_factor(left, figures.borrowed, p.price, p.facts.lltv).expect("hf")
    };
    assert!(hf_over < U256::from(TARGET), "0.5% more breaks the target");
    assert!(
        f.send(f.deployed.morpho, withdraw(safe.amount)).await,
        "withdraw the safe amount"
    );
    let hf = f.chain_health(0).await;
    assert!(hf >= U256::from(TARGET), "HF after {hf} ≥ target");
    assert!(
        hf < U256::from(TARGET) * U256::from(1_001u64) / U256::from(1_000u64),
        "the most that keeps the target: {hf}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_safe_borrow_holds_the_target_and_half_a_percent_more_breaks_it() {
    let f = Fixture::new().await;
    let p = &f.read().await[1]; // DAI/USDC, 94.5%: HF 1.18
    let target = U256::from(1_100_000_000_000_000_000u64); // 1.1
    let figures = risk::assess(p, target);
    let safe = figures.safe_borrow;
    assert!(safe.amount > U256::ZERO, "{safe:?}");
    let borrow = |assets: U256| Morpho::borrowCall {
        marketParams: f.params(1),
        assets,
        shares: U256::ZERO,
        onBehalf: f.borrower,
        receiver: f.borrower,
    };
    // 0.5% more breaks the target by lendesk's exact evaluation…
    let block = p.block_number;
    let over = more(safe.amount, 5);
    let over_hf = {
        let mut q = p.clone();
        q.borrow_shares += math::to_shares_up(
            over,
            p.state.total_borrow_assets,
            p.state.total_borrow_shares,
        )
        .expect("shares");
        q.state.total_borrow_assets += over;
        q.state.total_borrow_shares += q.borrow_shares - p.borrow_shares;
        math::health_factor(q.collateral, q.borrowed(), q.price, q.facts.lltv).expect("hf")
    };
    assert!(over_hf < target, "0.5% more breaks the target: {over_hf}");
    f.simulate(borrow(over), block)
        .await
        .expect("still under the LLTV");
    // …and the safe amount, sent, keeps it.
    assert!(f.send(f.deployed.morpho, borrow(safe.amount)).await);
    let hf = f.chain_health(1).await;
    assert!(hf >= target, "HF after {hf} ≥ target");
    assert!(
        hf < target * U256::from(1_001u64) / U256::from(1_000u64),
        "{hf}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn repaying_the_computed_amount_reaches_the_target_and_half_a_percent_less_does_not() {
    let f = Fixture::new().await;
    f.fund_loan_token(f.market(0), U256::from(100_000u64) * unit(6))
        .await;
    let p = &f.read().await[0]; // WETH/USDC: HF 1.43
    let target = U256::from(2u64) * U256::from(10u64).pow(U256::from(18));
    let figures = risk::assess(p, target);
    let plan = figures.repay_to_target.expect("has debt");
    assert!(plan.reaches_target && plan.amount > U256::ZERO, "{plan:?}");
    let short = less(plan.amount, 5);
    let (shares, state) = risk::after_repay(p, short).expect("repay");
    let short_hf = math::health_factor(
        p.collateral,
        math::borrowed(shares, &state).expect("owed"),
        p.price,
        p.facts.lltv,
    )
    .expect("hf");
    assert!(short_hf < target, "0.5% less falls short: {short_hf}");
    let repay = Morpho::repayCall {
        marketParams: f.params(0),
        assets: plan.amount,
        shares: U256::ZERO,
        onBehalf: f.borrower,
        data: Default::default(),
    };
    assert!(f.send(f.deployed.morpho, repay).await, "repay");
    let hf = f.chain_health(0).await;
    assert!(hf >= target, "HF after {hf} ≥ target");
    assert!(
        hf < target * U256::from(1_001u64) / U256::from(1_000u64),
        "{hf}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn markets_are_found_from_create_market_events_when_none_are_configured() {
    let f = Fixture::new().await;
    let reader = common::morpho_reader(
        f.devnet.rpc_url(),
        f.devnet.manifest().chain_id,
        f.deployed.morpho,
        Vec::new(),
    );
    let catalog = reader.catalog().await.expect("discovered");
    let ids: Vec<_> = catalog.markets.iter().map(|m| m.id).collect();
    let created: Vec<_> = f.deployed.markets.iter().map(|m| m.id).collect();
    // The devnet's own Morpho (when it has one) is another contract: only these markets.
    assert_eq!(ids, created);
    let labels: Vec<String> = catalog.markets.iter().map(|m| m.label()).collect();
    assert_eq!(labels, ["WETH/USDC 86%", "DAI/USDC 94.5%"]);
    let read = reader.positions(f.borrower).await.expect("read");
    assert_eq!(read, f.read().await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_liquidatable_position_shows_what_a_liquidator_may_seize_and_morpho_agrees() {
    let f = Fixture::new().await;
    let p = &f.read().await[0];
    let lp = risk::assess(p, U256::from(TARGET))
        .liquidation_price
        .expect("has debt");
    let below = lp - U256::from(1);
    f.devnet
        .set_morpho_price(&f.deployed, f.market(0), below)
        .await
        .expect("price");
    let p = &f.read().await[0];
    let figures = risk::assess(p, U256::from(TARGET));
    assert!(!figures.healthy && figures.health_factor < U256::from(10u64).pow(U256::from(18)));
    let seized = figures.max_seizable_collateral.expect("liquidatable");
    assert!(seized > U256::ZERO && seized <= p.collateral);
    // The bonus at 86%: 1 / (1 − 0.3 × 0.14) = 1.0438…
    assert_eq!(
        figures.incentive_factor,
        U256::from(1_043_841_336_116_910_229u64)
    );
    let refused = f
        .devnet
        .try_liquidate_morpho(&f.deployed, f.market(0), f.borrower, seized)
        .await
        .expect("simulate");
    assert_eq!(refused, None, "Morpho lets the computed seizure through");
    let too_much = f
        .devnet
        .try_liquidate_morpho(&f.deployed, f.market(0), f.borrower, seized + U256::from(1))
        .await
        .expect("simulate");
    assert!(too_much.is_some(), "one unit more is refused");
}

/// Every demo borrower of the devnet's own Morpho, every market it is in: what lendesk says is
/// owed is what a full repayment at the read's block pays, and the room to borrow is Morpho's
/// to the unit (borrowing it passes at that block, one unit more reverts).
#[tokio::test(flavor = "multi_thread")]
async fn every_demo_borrower_s_figures_are_morpho_s_at_the_read_s_block() {
    let devnet = common::own().await;
    let manifest = devnet.manifest().clone();
    let morpho = manifest.morpho.clone().expect("the devnet runs Morpho");
    let provider = common::provider(devnet.rpc_url());
    let reader = common::morpho_reader(
        devnet.rpc_url(),
        manifest.chain_id,
        morpho.morpho,
        Vec::new(),
    );
    let usdc = manifest.token("USDC").expect("USDC").address;
    let send = |from: Address, to: Address, data: Vec<u8>| {
        let provider = provider.clone();
        async move {
            let tx = TransactionRequest::default()
                .from(from)
                .to(to)
                .gas_limit(2_000_000)
                .input(data.into());
            let receipt = provider
                .send_transaction(tx)
                .await
                .expect("send")
                .get_receipt()
                .await
                .expect("receipt");
            assert!(receipt.status());
        }
    };
    let mut checked = 0;
    for account in &morpho.accounts {
        let user = account.address;
        // Enough loan token to repay everything, approved.
        let plenty = U256::from(10u64).pow(U256::from(12));
        send(
            user,
            usdc,
            MintableERC20::mint_0Call::new((user, plenty)).abi_encode(),
        )
        .await;
        send(
            user,
            usdc,
            MintableERC20::approveCall::new((morpho.morpho, plenty)).abi_encode(),
        )
        .await;
        a_minute_passes(&devnet).await;
        for p in reader.positions(user).await.expect("read") {
            if p.borrow_shares.is_zero() {
                continue;
            }
            let figures = risk::assess(&p, U256::from(TARGET));
            let params = Morpho::MarketParams {
                loanToken: p.facts.loan.address,
                collateralToken: p.facts.collateral.address,
                oracle: p.facts.oracle,
                irm: p.facts.irm,
                lltv: p.facts.lltv,
            };
            let at = BlockId::number(p.block_number);
            let simulate = |call: Vec<u8>| {
                let provider = provider.clone();
                async move {
                    let tx = TransactionRequest::default()
                        .from(user)
                        .to(morpho.morpho)
                        .input(call.into());
                    provider.call(tx).block(at).await
                }
            };
            let repaid = simulate(
                Morpho::repayCall {
                    marketParams: params.clone(),
                    assets: U256::ZERO,
                    shares: p.borrow_shares,
                    onBehalf: user,
                    data: Default::default(),
                }
                .abi_encode(),
            )
            .await
            .expect("a full repayment");
            let repaid = Morpho::repayCall::abi_decode_returns(&repaid).expect("decode");
            assert_eq!(
                repaid._0,
                figures.borrowed,
                "{} {}",
                account.profile,
                p.facts.label()
            );
            let lo = most_morpho_lends(&p, figures.max_borrow);
            let borrow = |assets: U256| {
                Morpho::borrowCall {
                    marketParams: params.clone(),
                    assets,
                    shares: U256::ZERO,
                    onBehalf: user,
                    receiver: user,
                }
                .abi_encode()
            };
            simulate(borrow(lo)).await.expect("the room passes");
            let refused = simulate(borrow(lo + U256::from(1)))
                .await
                .expect_err("one unit more reverts");
            assert!(
                refused.to_string().contains("insufficient collateral"),
                "{refused}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 6, "five borrowers, six positions");
}

/// A minute passes: the markets' stored totals lack its interest.
async fn a_minute_passes(devnet: &Devnet) {
    devnet.advance_time(60).await.expect("time");
}
