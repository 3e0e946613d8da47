//! Deploys an Aave v3.6 market on a running Anvil from the compiled `aave-v3-origin` artifacts,
//! in the order of upstream's `AaveV3SetupProcedure`: provider and ACL, the pool-wide rate
//! strategy, linked libraries, Pool and configurator behind the provider's proxies, oracle and
//! data provider, token implementations, `initReserves` with the 3.4+ input, risk parameters,
//! and the E-Mode category with its collateral and borrowable bitmaps.

use std::collections::BTreeMap;

use alloy::primitives::{Address, Bytes, I256, U256};
use alloy::sol_types::{SolCall, SolValue};

use super::super::compiled::Compiled;
use super::super::deploy::ensure_multicall3;
use super::super::error::DevnetError;
use super::super::rpc::DevClient;
use super::abi::{
    IOriginAclManager, IOriginAddressesProvider, IOriginConfigurator, IOriginDataProvider,
    InitReserveInput, InterestRateData,
};
use super::manifest::{OriginContracts, OriginReserve};
use super::spec::{EMODE, MARKET_ID, RESERVES, ReserveSpec};
use crate::config::MULTICALL3;

/// What the deploy produced.
#[derive(Debug, Clone)]
pub struct DeployedMarket {
    /// Market-wide contracts.
    pub contracts: OriginContracts,
    /// Reserves in listing order.
    pub reserves: Vec<OriginReserve>,
}

/// Sends from the deployer and builds from the artifacts.
struct Deployer<'a> {
    client: &'a DevClient,
    artifacts: &'a Compiled,
    from: Address,
}

impl Deployer<'_> {
    async fn deploy(
        &self,
        name: &str,
        args: &[u8],
        libraries: &BTreeMap<String, Address>,
        label: &str,
    ) -> Result<Address, DevnetError> {
        let code = self.artifacts.creation_code(name, libraries, args)?;
        let what = if label.is_empty() {
            name.to_string()
        } else {
            format!("{name} ({label})")
        };
        self.client.deploy(self.from, code, &what).await
    }

    async fn call<C: SolCall>(&self, to: Address, call: &C, what: &str) -> Result<(), DevnetError> {
        self.client
            .send_call(self.from, to, call, what)
            .await
            .map(|_| ())
    }
}

/// Deploys the market from `deployer`; `treasury` receives the protocol's share.
pub async fn deploy_market(
    client: &DevClient,
    artifacts: &Compiled,
    deployer: Address,
    treasury: Address,
) -> Result<DeployedMarket, DevnetError> {
    let d = Deployer {
        client,
        artifacts,
        from: deployer,
    };
    let none = BTreeMap::new();
    ensure_multicall3(client).await?;

    // Underlyings and price feeds.
    let mut underlyings = Vec::with_capacity(RESERVES.len());
    let mut feeds = Vec::with_capacity(RESERVES.len());
    for spec in &RESERVES {
        let args = (
            spec.symbol.to_string(),
            spec.symbol.to_string(),
            U256::from(spec.decimals),
        )
            .abi_encode_params();
        underlyings.push(d.deploy("MintableERC20", &args, &none, spec.symbol).await?);
        let answer = I256::try_from(spec.price_8dp)
            .map_err(|e| DevnetError::unexpected("price spec", e.to_string()))?;
        let args = (answer,).abi_encode_params();
        feeds.push(
            d.deploy("MockAggregator", &args, &none, spec.symbol)
                .await?,
        );
    }

    // Provider and access control.
    let provider_args = (MARKET_ID.to_string(), deployer).abi_encode_params();
    let provider = d
        .deploy("PoolAddressesProvider", &provider_args, &none, "")
        .await?;
    let set_admin = IOriginAddressesProvider::setACLAdminCall::new((deployer,));
    d.call(provider, &set_admin, "setACLAdmin").await?;
    let acl = d
        .deploy("ACLManager", &(provider,).abi_encode_params(), &none, "")
        .await?;
    let set_acl = IOriginAddressesProvider::setACLManagerCall::new((acl,));
    d.call(provider, &set_acl, "setACLManager").await?;
    let add_pool_admin = IOriginAclManager::addPoolAdminCall::new((deployer,));
    d.call(acl, &add_pool_admin, "addPoolAdmin").await?;
    let add_risk_admin = IOriginAclManager::addRiskAdminCall::new((deployer,));
    d.call(acl, &add_risk_admin, "addRiskAdmin").await?;
    let add_emergency = IOriginAclManager::addEmergencyAdminCall::new((deployer,));
    d.call(acl, &add_emergency, "addEmergencyAdmin").await?;

    // One rate strategy for the whole pool (v3.4+), the libraries, the Pool and configurator.
    let strategy = d
        .deploy(
            "DefaultReserveInterestRateStrategyV2",
            &(provider,).abi_encode_params(),
            &none,
            "",
        )
        .await?;
    let mut libraries = BTreeMap::new();
    for lib in artifacts.library_order(&["PoolInstance", "PoolConfiguratorInstance"])? {
        let address = d.deploy(&lib, &[], &libraries, "").await?;
        libraries.insert(lib, address);
    }
    let pool_args = (provider, strategy).abi_encode_params();
    let pool_impl = d.deploy("PoolInstance", &pool_args, &libraries, "").await?;
    let set_pool = IOriginAddressesProvider::setPoolImplCall::new((pool_impl,));
    d.call(provider, &set_pool, "setPoolImpl").await?;
    let pool = client
        .read(provider, &IOriginAddressesProvider::getPoolCall::new(()))
        .await?;
    let configurator_impl = d
        .deploy("PoolConfiguratorInstance", &[], &libraries, "")
        .await?;
    let set_configurator =
        IOriginAddressesProvider::setPoolConfiguratorImplCall::new((configurator_impl,));
    d.call(provider, &set_configurator, "setPoolConfiguratorImpl")
        .await?;
    let configurator = client
        .read(
            provider,
            &IOriginAddressesProvider::getPoolConfiguratorCall::new(()),
        )
        .await?;

    // Oracle (USD, 8 decimals) and data provider.
    let oracle_args = (
        provider,
        underlyings.clone(),
        feeds.clone(),
        Address::ZERO,
        Address::ZERO,
        U256::from(super::spec::BASE_UNIT_8DP),
    )
        .abi_encode_params();
    let oracle = d.deploy("AaveOracle", &oracle_args, &none, "").await?;
    let set_oracle = IOriginAddressesProvider::setPriceOracleCall::new((oracle,));
    d.call(provider, &set_oracle, "setPriceOracle").await?;
    let data_provider = d
        .deploy(
            "AaveProtocolDataProvider",
            &(provider,).abi_encode_params(),
            &none,
            "",
        )
        .await?;
    let set_data = IOriginAddressesProvider::setPoolDataProviderCall::new((data_provider,));
    d.call(provider, &set_data, "setPoolDataProvider").await?;

    // Token implementations (no rewards controller) and the reserves, one per transaction.
    let a_token_args = (pool, Address::ZERO, treasury).abi_encode_params();
    let a_token_impl = d.deploy("ATokenInstance", &a_token_args, &none, "").await?;
    let v_token_args = (pool, Address::ZERO).abi_encode_params();
    let v_token_impl = d
        .deploy("VariableDebtTokenInstance", &v_token_args, &none, "")
        .await?;
    for (spec, &asset) in RESERVES.iter().zip(&underlyings) {
        let input = init_input(spec, asset, a_token_impl, v_token_impl);
        let call = IOriginConfigurator::initReservesCall::new((vec![input],));
        d.call(
            configurator,
            &call,
            &format!("initReserves {}", spec.symbol),
        )
        .await?;
    }

    // Risk parameters and the E-Mode category.
    for (spec, &asset) in RESERVES.iter().zip(&underlyings) {
        configure(&d, configurator, spec, asset).await?;
    }
    let category = IOriginConfigurator::setEModeCategoryCall::new((
        EMODE.id,
        EMODE.ltv,
        EMODE.liquidation_threshold,
        EMODE.liquidation_bonus,
        EMODE.label.to_string(),
    ));
    d.call(configurator, &category, "setEModeCategory").await?;
    for (spec, &asset) in RESERVES.iter().zip(&underlyings) {
        if EMODE.collateral.contains(&spec.symbol) {
            let call =
                IOriginConfigurator::setAssetCollateralInEModeCall::new((asset, EMODE.id, true));
            let what = format!("setAssetCollateralInEMode {}", spec.symbol);
            d.call(configurator, &call, &what).await?;
        }
        if EMODE.borrowable.contains(&spec.symbol) {
            let call =
                IOriginConfigurator::setAssetBorrowableInEModeCall::new((asset, EMODE.id, true));
            let what = format!("setAssetBorrowableInEMode {}", spec.symbol);
            d.call(configurator, &call, &what).await?;
        }
    }

    // Read back the token proxies.
    let mut reserves = Vec::with_capacity(RESERVES.len());
    for ((spec, &asset), &feed) in RESERVES.iter().zip(&underlyings).zip(&feeds) {
        let tokens = client
            .read(
                data_provider,
                &IOriginDataProvider::getReserveTokensAddressesCall::new((asset,)),
            )
            .await?;
        reserves.push(OriginReserve {
            symbol: spec.symbol.to_string(),
            address: asset,
            decimals: spec.decimals,
            price_feed: feed,
            a_token: tokens.aTokenAddress,
            variable_debt_token: tokens.variableDebtTokenAddress,
            stable_debt_token: tokens.stableDebtTokenAddress,
        });
    }

    Ok(DeployedMarket {
        contracts: OriginContracts {
            pool_addresses_provider: provider,
            acl_manager: acl,
            pool,
            pool_configurator: configurator,
            aave_oracle: oracle,
            protocol_data_provider: data_provider,
            interest_rate_strategy: strategy,
            multicall3: MULTICALL3,
            treasury,
            libraries,
        },
        reserves,
    })
}

/// The 3.4+ `InitReserveInput` of one reserve.
fn init_input(
    spec: &ReserveSpec,
    asset: Address,
    a_token_impl: Address,
    v_token_impl: Address,
) -> InitReserveInput {
    let [optimal, base, slope1, slope2] = spec.rates;
    let rates = InterestRateData {
        optimalUsageRatio: u16::try_from(optimal).unwrap_or(u16::MAX),
        baseVariableBorrowRate: base,
        variableRateSlope1: slope1,
        variableRateSlope2: slope2,
    };
    InitReserveInput {
        aTokenImpl: a_token_impl,
        variableDebtTokenImpl: v_token_impl,
        underlyingAsset: asset,
        aTokenName: format!("Aave v3.6 Devnet {}", spec.symbol),
        aTokenSymbol: format!("aDev36{}", spec.symbol),
        variableDebtTokenName: format!("Aave v3.6 Devnet Variable Debt {}", spec.symbol),
        variableDebtTokenSymbol: format!("variableDebtDev36{}", spec.symbol),
        params: Bytes::new(),
        interestRateData: Bytes::from(rates.abi_encode()),
    }
}

/// Collateral parameters, borrowing and the reserve factor of one reserve.
async fn configure(
    d: &Deployer<'_>,
    configurator: Address,
    spec: &ReserveSpec,
    asset: Address,
) -> Result<(), DevnetError> {
    let sym = spec.symbol;
    let collateral = IOriginConfigurator::configureReserveAsCollateralCall::new((
        asset,
        U256::from(spec.ltv),
        U256::from(spec.liquidation_threshold),
        U256::from(spec.liquidation_bonus),
    ));
    let what = format!("configureReserveAsCollateral {sym}");
    d.call(configurator, &collateral, &what).await?;
    let borrowing = IOriginConfigurator::setReserveBorrowingCall::new((asset, true));
    let what = format!("setReserveBorrowing {sym}");
    d.call(configurator, &borrowing, &what).await?;
    let factor =
        IOriginConfigurator::setReserveFactorCall::new((asset, U256::from(spec.reserve_factor)));
    d.call(configurator, &factor, &format!("setReserveFactor {sym}"))
        .await?;
    Ok(())
}
