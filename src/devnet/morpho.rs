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

async fn send<C: SolCall>(
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

/// Compiles (or finds cached) the Morpho artifacts in `devnet_dir`, off the async runtime.
pub(super) async fn artifacts(devnet_dir: std::path::PathBuf) -> Result<Compiled, DevnetError> {
    tokio::task::spawn_blocking(move || Compiled::prepare(&devnet_dir, &MORPHO))
        .await
        .map_err(|e| DevnetError::unexpected("compiling Morpho Blue", e.to_string()))?
}
