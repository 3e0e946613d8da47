//! Morpho Blue beside the Aave market: deploys Morpho 1.0.0 from the artifacts compiled out of
//! `@morpho-org/morpho-blue` ([`compiled::MORPHO`](super::compiled::MORPHO)), the package's
//! interest rate model mock, and each market with an oracle of its own (the package's
//! `OracleMock`: a settable price on Morpho's 36-decimal scale); enables the IRM and each LLTV,
//! and creates the markets on the devnet's own tokens.

use alloy::primitives::{Address, B256, U256, keccak256};
use alloy::sol_types::{SolCall, SolValue};

use super::compiled::{Compiled, MORPHO};
use super::error::DevnetError;
use super::rpc::DevClient;
use crate::chain::bindings::MintableERC20;
use crate::chain::bindings::morpho::{Morpho, OracleMock};

/// One market to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MorphoMarketSpec {
    /// The token lent and borrowed.
    pub loan_token: Address,
    /// The collateral token.
    pub collateral_token: Address,
    /// Liquidation loan-to-value, wad (0.86e18 = 86%).
    pub lltv: U256,
    /// The oracle's price: loan-token units per collateral unit, scaled by 1e36 (Morpho's
    /// `ORACLE_PRICE_SCALE`, with both tokens' decimals folded in).
    pub price: U256,
}

/// A created market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MorphoMarket {
    /// `keccak256(abi.encode(marketParams))`, as Morpho's `MarketParamsLib.id`.
    pub id: B256,
    /// The token lent and borrowed.
    pub loan_token: Address,
    /// The collateral token.
    pub collateral_token: Address,
    /// Its oracle (settable).
    pub oracle: Address,
    /// Its interest rate model.
    pub irm: Address,
    /// Liquidation loan-to-value, wad.
    pub lltv: U256,
}

impl MorphoMarket {
    /// The market's parameters as Morpho takes them.
    pub fn params(&self) -> Morpho::MarketParams {
        Morpho::MarketParams {
            loanToken: self.loan_token,
            collateralToken: self.collateral_token,
            oracle: self.oracle,
            irm: self.irm,
            lltv: self.lltv,
        }
    }
}

/// Morpho as deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MorphoDeployment {
    /// The Morpho contract.
    pub morpho: Address,
    /// Its owner (who enabled the IRM and LLTVs).
    pub owner: Address,
    /// The interest rate model every market uses.
    pub irm: Address,
    /// The markets, in the order of the specs.
    pub markets: Vec<MorphoMarket>,
    /// The artifacts' cache key (package and compiler versions).
    pub artifacts: String,
}

/// A market's id: `keccak256(abi.encode(params))`.
pub fn market_id(params: &Morpho::MarketParams) -> B256 {
    keccak256(params.abi_encode())
}

/// Deploys Morpho owned by `owner`, the IRM mock, an oracle per market; enables and creates
/// the markets of `specs`.
pub(super) async fn deploy(
    client: &DevClient,
    artifacts: &Compiled,
    owner: Address,
    specs: &[MorphoMarketSpec],
) -> Result<MorphoDeployment, DevnetError> {
    let code = |name: &str, args: &[u8]| artifacts.creation_code(name, &Default::default(), args);
    let morpho = client
        .deploy(owner, code("Morpho", &owner.abi_encode())?, "Morpho")
        .await?;
    let irm = client
        .deploy(owner, code("IrmMock", &[])?, "IrmMock")
        .await?;
    send(client, owner, morpho, Morpho::enableIrmCall { irm }).await?;
    let mut markets = Vec::with_capacity(specs.len());
    let mut enabled: Vec<U256> = Vec::new();
    for spec in specs {
        let oracle = client
            .deploy(owner, code("OracleMock", &[])?, "OracleMock")
            .await?;
        send(
            client,
            owner,
            oracle,
            OracleMock::setPriceCall {
                newPrice: spec.price,
            },
        )
        .await?;
        if !enabled.contains(&spec.lltv) {
            send(
                client,
                owner,
                morpho,
                Morpho::enableLltvCall { lltv: spec.lltv },
            )
            .await?;
            enabled.push(spec.lltv);
        }
        let mut market = MorphoMarket {
            id: B256::ZERO,
            loan_token: spec.loan_token,
            collateral_token: spec.collateral_token,
            oracle,
            irm,
            lltv: spec.lltv,
        };
        let params = market.params();
        market.id = market_id(&params);
        send(
            client,
            owner,
            morpho,
            Morpho::createMarketCall {
                marketParams: params,
            },
        )
        .await?;
        markets.push(market);
    }
    Ok(MorphoDeployment {
        morpho,
        owner,
        irm,
        markets,
        artifacts: artifacts.key.clone(),
    })
}

pub(super) async fn send<C: SolCall>(
    client: &DevClient,
    from: Address,
    to: Address,
    call: C,
) -> Result<(), DevnetError> {
    client
        .send_call(from, to, &call, C::SIGNATURE)
        .await
        .map(|_| ())
}

/// A borrower's position to open on a market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MorphoBorrow {
    /// The borrower (one of Anvil's unlocked accounts).
    pub borrower: Address,
    /// Collateral supplied, in the collateral token's units.
    pub collateral: U256,
    /// Loan token borrowed, in its units.
    pub borrow: U256,
}

/// Mints `amount` of `token` (the devnet's mintable tokens) to `to` and lets Morpho take it.
pub(super) async fn fund(
    client: &DevClient,
    token: Address,
    to: Address,
    amount: U256,
    morpho: Address,
) -> Result<(), DevnetError> {
    // WETH9Mocked and MintableERC20 share `mint(address,uint256)` (the first overload).
    send(
        client,
        to,
        token,
        MintableERC20::mint_0Call::new((to, amount)),
    )
    .await?;
    send(
        client,
        to,
        token,
        MintableERC20::approveCall::new((morpho, amount)),
    )
    .await
}

/// Supplies `liquidity` of the market's loan token from `lender`, then opens each position:
/// collateral supplied, then the loan borrowed, by the borrower itself.
pub(super) async fn seed(
    client: &DevClient,
    morpho: Address,
    market: &MorphoMarket,
    lender: Address,
    liquidity: U256,
    borrows: &[MorphoBorrow],
) -> Result<(), DevnetError> {
    supply(client, morpho, &market.params(), lender, liquidity).await?;
    for b in borrows {
        open(client, morpho, &market.params(), b).await?;
    }
    Ok(())
}

/// Mints `liquidity` of the market's loan token to `lender` and supplies it.
pub(super) async fn supply(
    client: &DevClient,
    morpho: Address,
    params: &Morpho::MarketParams,
    lender: Address,
    liquidity: U256,
) -> Result<(), DevnetError> {
    fund(client, params.loanToken, lender, liquidity, morpho).await?;
    let supply = Morpho::supplyCall {
        marketParams: params.clone(),
        assets: liquidity,
        shares: U256::ZERO,
        onBehalf: lender,
        data: Default::default(),
    };
    send(client, lender, morpho, supply).await
}

/// Opens one position: mints and supplies the collateral, then borrows, by the borrower itself.
pub(super) async fn open(
    client: &DevClient,
    morpho: Address,
    params: &Morpho::MarketParams,
    b: &MorphoBorrow,
) -> Result<(), DevnetError> {
    fund(
        client,
        params.collateralToken,
        b.borrower,
        b.collateral,
        morpho,
    )
    .await?;
    let collateral = Morpho::supplyCollateralCall {
        marketParams: params.clone(),
        assets: b.collateral,
        onBehalf: b.borrower,
        data: Default::default(),
    };
    send(client, b.borrower, morpho, collateral).await?;
    let borrow = Morpho::borrowCall {
        marketParams: params.clone(),
        assets: b.borrow,
        shares: U256::ZERO,
        onBehalf: b.borrower,
        receiver: b.borrower,
    };
    send(client, b.borrower, morpho, borrow).await
}

/// Morpho's oracle price of a market from both tokens' USD prices (8-decimal answers, as the
/// Aave market's feeds give them): loan-token units per collateral unit × 1e36, i.e.
/// `collateral USD ÷ loan USD × 1e36 × 10^loan decimals ÷ 10^collateral decimals`, rounded
/// down. `None` for a zero loan price or on overflow.
pub fn oracle_price(
    collateral_usd_8dp: U256,
    collateral_decimals: u8,
    loan_usd_8dp: U256,
    loan_decimals: u8,
) -> Option<U256> {
    let ten = U256::from(10u64);
    let numerator = collateral_usd_8dp
        .checked_mul(ten.checked_pow(U256::from(36u32 + u32::from(loan_decimals)))?)?;
    let denominator =
        loan_usd_8dp.checked_mul(ten.checked_pow(U256::from(collateral_decimals))?)?;
    numerator.checked_div(denominator)
}

/// Sets a market oracle's price (1e36 scale).
pub(super) async fn set_price(
    client: &DevClient,
    owner: Address,
    oracle: Address,
    price: U256,
) -> Result<(), DevnetError> {
    send(
        client,
        owner,
        oracle,
        OracleMock::setPriceCall { newPrice: price },
    )
    .await
}

/// Whether `liquidator` could liquidate `borrower` now, seizing `seized` collateral (simulated
/// with `eth_call` after funding the liquidator): `Ok(None)` when it would succeed, else the
/// contract's reason.
pub(super) async fn try_liquidate(
    client: &DevClient,
    morpho: Address,
    market: &MorphoMarket,
    liquidator: Address,
    borrower: Address,
    seized: U256,
) -> Result<Option<String>, DevnetError> {
    let budget = U256::from(10u64).pow(U256::from(30));
    fund(client, market.loan_token, liquidator, budget, morpho).await?;
    let call = Morpho::liquidateCall {
        marketParams: market.params(),
        borrower,
        seizedAssets: seized,
        repaidShares: U256::ZERO,
        data: Default::default(),
    };
    Ok(client
        .simulate(liquidator, morpho, &call)
        .await?
        .err()
        .map(|revert| revert.reason))
}

/// Compiles (or finds cached) the Morpho artifacts in `devnet_dir`, off the async runtime.
pub(super) async fn artifacts(devnet_dir: std::path::PathBuf) -> Result<Compiled, DevnetError> {
    tokio::task::spawn_blocking(move || Compiled::prepare(&devnet_dir, &MORPHO))
        .await
        .map_err(|e| DevnetError::unexpected("compiling Morpho Blue", e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(n: u32) -> U256 {
        U256::from(10u64).pow(U256::from(n))
    }

    #[test]
    fn oracle_prices_fold_in_both_tokens_decimals() {
        let usd = |whole: u64| U256::from(whole) * e(8);
        // 1 WETH (18 dp) = 2,000 USDC (6 dp): 2000 × 1e36 × 1e6 / 1e18.
        assert_eq!(
            oracle_price(usd(2_000), 18, usd(1), 6),
            Some(U256::from(2_000u64) * e(24))
        );
        // 1 WBTC (8 dp) = 60,000 USDC.
        assert_eq!(
            oracle_price(usd(60_000), 8, usd(1), 6),
            Some(U256::from(60_000u64) * e(34))
        );
        // 1 DAI (18 dp) = 1 USDC: 1e24.
        assert_eq!(oracle_price(usd(1), 18, usd(1), 6), Some(e(24)));
        // A loan token worth 2 USD halves it, rounding down.
        assert_eq!(
            oracle_price(U256::from(1u64), 18, usd(3), 6),
            Some(e(24) / U256::from(300_000_000u64))
        );
        assert_eq!(oracle_price(usd(1), 18, U256::ZERO, 6), None);
    }
}
