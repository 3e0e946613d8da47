//! Operations on the devnet's Morpho markets, for any devnet a manifest describes: a borrower's
//! positions with Morpho's own figures (interest accrued to the latest block), the oracles kept
//! in step with the Aave market's USD feeds, and liquidations through Morpho's `liquidate`.

use alloy::primitives::{Address, B256, U256};
use alloy::sol_types::SolCall;
use serde::Serialize;

use super::error::DevnetError;
use super::manifest::{DevnetManifest, MorphoManifest, MorphoMarketInfo, Profile};
use super::morpho;
use super::rpc::DevClient;
use crate::chain::bindings::morpho::events::Liquidate;
use crate::chain::bindings::morpho::{IrmMock, Morpho, OracleMock};
use crate::chain::morpho_blue::math::{self, MarketState};

/// A borrower's position on one Morpho market, as Morpho would judge it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MorphoPositionHealth {
    /// The market's short name.
    pub market: String,
    /// The market's id.
    pub market_id: B256,
    /// Collateral, raw units of the collateral token.
    pub collateral: U256,
    /// Borrow shares.
    pub borrow_shares: U256,
    /// What the shares owe with interest accrued to the latest block (rounded up, as
    /// `_isHealthy`).
    pub borrowed: U256,
    /// The market oracle's price (1e36 scale).
    pub oracle_price: U256,
    /// Max borrow ÷ borrowed, wad, Morpho's rounding (`math::health_factor`); `U256::MAX`
    /// without debt. Below 1.0 Morpho lets the position be liquidated.
    pub health_factor: U256,
}

/// An oracle moved to follow the Aave feeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MorphoOracleMove {
    /// The market's short name.
    pub market: String,
    /// Its price before (1e36 scale).
    pub before: U256,
    /// Its price after.
    pub after: U256,
}

/// What a liquidation on one Morpho market did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MorphoLiquidationReport {
    /// The market's short name.
    pub market: String,
    /// The market's id.
    pub market_id: B256,
    /// The position liquidated.
    pub user: Address,
    /// Who sent the liquidation (Anvil's account #8).
    pub liquidator: Address,
    /// Whether `liquidate` went through.
    pub executed: bool,
    /// Morpho's refusal when it did not (e.g. `position is healthy`).
    pub reason: Option<String>,
    /// The health factor (wad) before, interest accrued.
    pub health_factor_before: U256,
    /// The health factor after (`U256::MAX` once no debt is left), when executed.
    pub health_factor_after: Option<U256>,
    /// Collateral before, raw units.
    pub collateral_before: U256,
    /// Collateral after, when executed.
    pub collateral_after: Option<U256>,
    /// Loan token repaid by the liquidator, raw units.
    pub repaid_assets: U256,
    /// Borrow shares repaid.
    pub repaid_shares: U256,
    /// Collateral seized by the liquidator, raw units.
    pub seized_assets: U256,
    /// Debt written off as bad debt (the collateral ran out), raw units.
    pub bad_debt_assets: U256,
    /// Borrow shares written off.
    pub bad_debt_shares: U256,
    /// The liquidation transaction.
    pub tx_hash: Option<B256>,
}

/// The manifest's Morpho part, or a typed error saying the devnet has none.
pub(super) fn require_morpho(manifest: &DevnetManifest) -> Result<&MorphoManifest, DevnetError> {
    manifest.morpho.as_ref().ok_or(DevnetError::NoMorpho)
}

fn math_failed(what: &str) -> DevnetError {
    DevnetError::unexpected(
        "Morpho math",
        format!("{what} overflows or divides by zero"),
    )
}

/// The market's totals with interest accrued to the latest block, as Morpho's next
/// `_accrueInterest` at that time would make them (the IRM's own `borrowRateView`).
pub(super) async fn accrued_state(
    client: &DevClient,
    morpho: Address,
    market: &MorphoMarketInfo,
) -> Result<MarketState, DevnetError> {
    let totals = client
        .read(morpho, &Morpho::marketCall::new((market.id,)))
        .await?;
    let state = MarketState::from(&totals);
    let params = market.params();
    let irm_params = IrmMock::MarketParams {
        loanToken: params.loanToken,
        collateralToken: params.collateralToken,
        oracle: params.oracle,
        irm: params.irm,
        lltv: params.lltv,
    };
    let irm_market = IrmMock::Market {
        totalSupplyAssets: totals.totalSupplyAssets,
        totalSupplyShares: totals.totalSupplyShares,
        totalBorrowAssets: totals.totalBorrowAssets,
        totalBorrowShares: totals.totalBorrowShares,
        lastUpdate: totals.lastUpdate,
        fee: totals.fee,
    };
    let rate = client
        .read(
            market.irm,
            &IrmMock::borrowRateViewCall::new((irm_params, irm_market)),
        )
        .await?;
    let now = client.latest_timestamp().await?;
    // A market updated in the latest block (or later, which Anvil never does) needs nothing.
    Ok(math::accrue(&state, rate, now).map_or(state, |a| a.market))
}

/// `user`'s position on `market`, judged with Morpho's rounding at the latest block.
pub async fn position_health(
    client: &DevClient,
    morpho: Address,
    market: &MorphoMarketInfo,
    user: Address,
) -> Result<MorphoPositionHealth, DevnetError> {
    let position = client
        .read(morpho, &Morpho::positionCall::new((market.id, user)))
        .await?;
    let state = accrued_state(client, morpho, market).await?;
    let price = client
        .read(market.oracle, &OracleMock::priceCall::new(()))
        .await?;
    let collateral = U256::from(position.collateral);
    let borrow_shares = U256::from(position.borrowShares);
    let borrowed = math::borrowed(borrow_shares, &state).ok_or_else(|| math_failed("borrowed"))?;
    let health_factor = math::health_factor(collateral, borrowed, price, market.lltv)
        .ok_or_else(|| math_failed("the health factor"))?;
    Ok(MorphoPositionHealth {
        market: market.name.clone(),
        market_id: market.id,
        collateral,
        borrow_shares,
        borrowed,
        oracle_price: price,
        health_factor,
    })
}

/// `user`'s positions on every Morpho market of the devnet (markets where it holds nothing
/// are left out).
pub async fn positions(
    client: &DevClient,
    morpho: &MorphoManifest,
    user: Address,
) -> Result<Vec<MorphoPositionHealth>, DevnetError> {
    let mut out = Vec::new();
    for market in &morpho.markets {
        let health = position_health(client, morpho.morpho, market, user).await?;
        if !health.collateral.is_zero() || !health.borrow_shares.is_zero() {
            out.push(health);
        }
    }
    Ok(out)
}

/// Sets the oracle of every Morpho market whose loan or collateral token is `symbol` from
/// both tokens' current Aave USD prices (see [`morpho::oracle_price`]), so the devnet keeps one
/// price per token; checks each oracle reads back what was written. Nothing to do on a devnet
/// without Morpho.
pub async fn sync_oracles(
    client: &DevClient,
    manifest: &DevnetManifest,
    symbol: &str,
) -> Result<Vec<MorphoOracleMove>, DevnetError> {
    let Some(morpho) = &manifest.morpho else {
        return Ok(Vec::new());
    };
    let mut moved = Vec::new();
    for market in morpho.markets_of(symbol) {
        let collateral = manifest.require_token(&market.collateral_symbol)?;
        let loan = manifest.require_token(&market.loan_symbol)?;
        let collateral_usd = super::ops::asset_price(client, manifest, collateral.address).await?;
        let loan_usd = super::ops::asset_price(client, manifest, loan.address).await?;
        let price =
            morpho::oracle_price(collateral_usd, collateral.decimals, loan_usd, loan.decimals)
                .filter(|p| !p.is_zero())
                .ok_or_else(|| DevnetError::InvalidPrice {
                    input: format!("{} at ${collateral_usd} / ${loan_usd} (8 dp)", market.name),
                    reason: "no Morpho oracle price follows from these USD prices".into(),
                })?;
        let oracle = OracleMock::priceCall::new(());
        let before = client.read(market.oracle, &oracle).await?;
        morpho::set_price(client, morpho.owner, market.oracle, price).await?;
        let after = client.read(market.oracle, &oracle).await?;
        if after != price {
            return Err(DevnetError::PriceNotApplied {
                symbol: market.name.clone(),
                expected: price,
                got: after,
            });
        }
        moved.push(MorphoOracleMove {
            market: market.name.clone(),
            before,
            after,
        });
    }
    Ok(moved)
}

/// Liquidates `user` on every Morpho market where it has debt, from the liquidator account
/// (Anvil's #8): the whole debt when the collateral covers it with Morpho's incentive, else all
/// of the collateral. One report per market with debt; a healthy position is Morpho's refusal
/// (`position is healthy`), not an error. Empty when `user` owes nothing on Morpho.
pub async fn liquidate(
    client: &DevClient,
    manifest: &DevnetManifest,
    user: Address,
) -> Result<Vec<MorphoLiquidationReport>, DevnetError> {
    let morpho = require_morpho(manifest)?;
    let liquidator = manifest
        .account(Profile::Liquidator)
        .ok_or_else(|| DevnetError::MissingAccount("liquidator".into()))?
        .address;
    let mut reports = Vec::new();
    for market in &morpho.markets {
        let position = client
            .read(morpho.morpho, &Morpho::positionCall::new((market.id, user)))
            .await?;
        if position.borrowShares == 0 {
            continue;
        }
        reports.push(liquidate_one(client, morpho.morpho, market, liquidator, user).await?);
    }
    Ok(reports)
}

/// How much of a position a liquidation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Take {
    /// Repay every borrow share (the collateral covers the debt and Morpho's incentive).
    AllDebt(U256),
    /// Seize every unit of collateral (what is left of the debt becomes bad debt).
    AllCollateral(U256),
}

impl Take {
    fn call(self, market: &MorphoMarketInfo, borrower: Address) -> Morpho::liquidateCall {
        let (seized, repaid_shares) = match self {
            Take::AllDebt(shares) => (U256::ZERO, shares),
            Take::AllCollateral(collateral) => (collateral, U256::ZERO),
        };
        Morpho::liquidateCall {
            marketParams: market.params(),
            borrower,
            seizedAssets: seized,
            repaidShares: repaid_shares,
            data: Default::default(),
        }
    }
}

/// One market's liquidation: interest accrued first (a transaction), then the plan from
/// Morpho's math on the accrued state, tried on `eth_call` before it is sent.
async fn liquidate_one(
    client: &DevClient,
    morpho: Address,
    market: &MorphoMarketInfo,
    liquidator: Address,
    user: Address,
) -> Result<MorphoLiquidationReport, DevnetError> {
    let accrue = Morpho::accrueInterestCall {
        marketParams: market.params(),
    };
    morpho::send(client, liquidator, morpho, accrue).await?;
    let before = position_health(client, morpho, market, user).await?;
    let mut report = MorphoLiquidationReport {
        market: market.name.clone(),
        market_id: market.id,
        user,
        liquidator,
        executed: false,
        reason: None,
        health_factor_before: before.health_factor,
        health_factor_after: None,
        collateral_before: before.collateral,
        collateral_after: None,
        repaid_assets: U256::ZERO,
        repaid_shares: U256::ZERO,
        seized_assets: U256::ZERO,
        bad_debt_assets: U256::ZERO,
        bad_debt_shares: U256::ZERO,
        tx_hash: None,
    };

    let state = accrued_state(client, morpho, market).await?;
    let seized_for_all = math::seized_for_repaid_shares(
        before.borrow_shares,
        &state,
        before.oracle_price,
        market.lltv,
    );
    let all_debt = Take::AllDebt(before.borrow_shares);
    let all_collateral = Take::AllCollateral(before.collateral);
    // Interest of the next second may tip a plan at the very edge over: the other one then goes.
    let plans = match seized_for_all {
        Some(seized) if seized < before.collateral => [all_debt, all_collateral],
        _ => [all_collateral, all_debt],
    };

    // Fund the liquidator with the whole debt and a margin for the interest meanwhile.
    let budget = before.borrowed + before.borrowed / U256::from(100u64) + U256::from(1u64);
    morpho::fund(client, market.loan_token, liquidator, budget, morpho).await?;

    let mut chosen = None;
    for plan in plans {
        match client
            .simulate(liquidator, morpho, &plan.call(market, user))
            .await?
        {
            Ok(_) => {
                chosen = Some(plan);
                break;
            }
            Err(revert) => {
                report.reason.get_or_insert(revert.reason);
            }
        }
    }
    let Some(plan) = chosen else {
        return Ok(report);
    };
    report.reason = None;

    let receipt = client
        .send_call(
            liquidator,
            morpho,
            &plan.call(market, user),
            &format!("Morpho liquidate on {}", market.name),
        )
        .await?;
    report.executed = true;
    report.tx_hash = Some(receipt.transaction_hash);
    for log in receipt.logs() {
        if let Ok(event) = log.log_decode::<Liquidate>() {
            let e = event.inner.data;
            report.repaid_assets = e.repaidAssets;
            report.repaid_shares = e.repaidShares;
            report.seized_assets = e.seizedAssets;
            report.bad_debt_assets = e.badDebtAssets;
            report.bad_debt_shares = e.badDebtShares;
        }
    }
    let after = position_health(client, morpho, market, user).await?;
    report.health_factor_after = Some(after.health_factor);
    report.collateral_after = Some(after.collateral);
    Ok(report)
}
