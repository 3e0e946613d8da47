//! Deploys a complete Aave v3 market on a fresh Anvil from the npm artifacts' bytecode.
//!
//! Order matters: the provider and ACL first, then the libraries, the Pool and the configurator
//! (proxies created by the provider), the oracle and data providers, one interest-rate strategy
//! per token, the token implementations, `initReserves` in batches, and finally the risk
//! parameters and the E-Mode category. Every address is deterministic: same deployer, same
//! nonce sequence.

use std::collections::BTreeMap;

use alloy::primitives::{Address, Bytes, I256, U256, address};
use alloy::sol_types::{SolCall, SolValue};

use super::artifacts::ArtifactStore;
use super::error::DevnetError;
use super::manifest::{Contracts, TokenInfo};
use super::market::{self, EMODE, INIT_RESERVES_BATCH, TOKENS, TokenKind, TokenSpec};
use super::rpc::DevClient;
use crate::chain::bindings::{
    AaveProtocolDataProvider, ConfiguratorInputTypes, IACLManager, IPoolAddressesProvider,
    IPoolConfigurator, Multicall3,
};

/// The canonical Multicall3 address on every chain.
pub const MULTICALL3: Address = address!("cA11bde05977b3631167028862bE2a173976CA11");

/// Logic libraries in deployment order (`FlashLoanLogic` links `BorrowLogic`).
const LIBRARIES: [&str; 8] = [
    "SupplyLogic",
    "BorrowLogic",
    "LiquidationLogic",
    "EModeLogic",
    "BridgeLogic",
    "PoolLogic",
    "FlashLoanLogic",
    "ConfiguratorLogic",
];

/// Index of the treasury among Anvil's default accounts.
pub const TREASURY_INDEX: usize = 9;

/// A deployed market.
#[derive(Debug, Clone)]
pub struct Market {
    /// Market-wide contracts.
    pub contracts: Contracts,
    /// Reserves in listing order.
    pub tokens: Vec<TokenInfo>,
}

/// Deploys the market with account #0 of `accounts` (Anvil's default, unlocked accounts).
pub async fn deploy_market(
    client: &DevClient,
    store: &ArtifactStore,
    accounts: &[Address],
) -> Result<Market, DevnetError> {
    let deployer = *accounts
        .first()
        .ok_or_else(|| DevnetError::unexpected("eth_accounts", "no accounts"))?;
    let treasury = *accounts
        .get(TREASURY_INDEX)
        .ok_or_else(|| DevnetError::unexpected("eth_accounts", "fewer than 10 accounts"))?;
    let d = Deployer {
        client,
        store,
        from: deployer,
    };

    ensure_multicall3(client).await?;

    // Tokens and their price feeds.
    let mut underlyings = Vec::with_capacity(TOKENS.len());
    let mut feeds = Vec::with_capacity(TOKENS.len());
    for spec in &TOKENS {
        let token = match spec.kind {
            TokenKind::Weth => d.deploy("WETH9Mocked", &[], spec.symbol).await?,
            TokenKind::Mintable => {
                let args = (
                    spec.name.to_string(),
                    spec.symbol.to_string(),
                    U256::from(spec.decimals),
                )
                    .abi_encode_params();
                d.deploy("MintableERC20", &args, spec.symbol).await?
            }
        };
        let answer = I256::try_from(spec.price_8dp)
            .map_err(|e| DevnetError::unexpected("price spec", e.to_string()))?;
        let feed = d
            .deploy(
                "MockAggregator",
                &(answer,).abi_encode_params(),
                spec.symbol,
            )
            .await?;
        underlyings.push(token);
        feeds.push(feed);
    }

    // Addresses provider and access control.
    let provider = d
        .deploy(
            "PoolAddressesProvider",
            &(market::MARKET_ID.to_string(), deployer).abi_encode_params(),
            "",
        )
        .await?;
    d.call(
        provider,
        &IPoolAddressesProvider::setACLAdminCall::new((deployer,)),
        "setACLAdmin",
    )
    .await?;
    let acl = d
        .deploy("ACLManager", &(provider,).abi_encode_params(), "")
        .await?;
    d.call(
        provider,
        &IPoolAddressesProvider::setACLManagerCall::new((acl,)),
        "setACLManager",
    )
    .await?;
    d.call(
        acl,
        &IACLManager::addPoolAdminCall::new((deployer,)),
        "addPoolAdmin",
    )
    .await?;
    d.call(
        acl,
        &IACLManager::addRiskAdminCall::new((deployer,)),
        "addRiskAdmin",
    )
    .await?;
    d.call(
        acl,
        &IACLManager::addEmergencyAdminCall::new((deployer,)),
        "addEmergencyAdmin",
    )
    .await?;

    // Libraries, then the Pool and the configurator behind the provider's proxies.
    let mut libraries = BTreeMap::new();
    for name in LIBRARIES {
        let address = d.deploy_linked(name, &[], &libraries).await?;
        libraries.insert(name.to_string(), address);
    }
    let pool_impl = d
        .deploy_linked("Pool", &(provider,).abi_encode_params(), &libraries)
        .await?;
    d.call(
        provider,
        &IPoolAddressesProvider::setPoolImplCall::new((pool_impl,)),
        "setPoolImpl",
    )
    .await?;
    let pool = client
        .read(provider, &IPoolAddressesProvider::getPoolCall::new(()))
        .await?;
    let configurator_impl = d.deploy_linked("PoolConfigurator", &[], &libraries).await?;
    d.call(
        provider,
        &IPoolAddressesProvider::setPoolConfiguratorImplCall::new((configurator_impl,)),
        "setPoolConfiguratorImpl",
    )
    .await?;
    let configurator = client
        .read(
            provider,
            &IPoolAddressesProvider::getPoolConfiguratorCall::new(()),
        )
        .await?;

    // Oracle and data providers.
    let unit = U256::from(10u64).pow(U256::from(8u64));
    let oracle_args = (
        provider,
        underlyings.clone(),
        feeds.clone(),
        Address::ZERO,
        Address::ZERO,
        unit,
    )
        .abi_encode_params();
    let oracle = d.deploy("AaveOracle", &oracle_args, "").await?;
    d.call(
        provider,
        &IPoolAddressesProvider::setPriceOracleCall::new((oracle,)),
        "setPriceOracle",
    )
    .await?;
    let data_provider = d
        .deploy(
            "AaveProtocolDataProvider",
            &(provider,).abi_encode_params(),
            "",
        )
        .await?;
    d.call(
        provider,
        &IPoolAddressesProvider::setPoolDataProviderCall::new((data_provider,)),
        "setPoolDataProvider",
    )
    .await?;
    // The market's reference currency is USD: a dedicated $1 feed, so a USDC depeg demo leaves it alone.
    let one_usd = I256::try_from(100_000_000u64)
        .map_err(|e| DevnetError::unexpected("usd feed", e.to_string()))?;
    let usd_feed = d
        .deploy(
            "MockAggregator",
            &(one_usd,).abi_encode_params(),
            "USD reference",
        )
        .await?;
    let ui_args = (feed_for(&feeds, "WETH")?, usd_feed).abi_encode_params();
    let ui_data_provider = d.deploy("UiPoolDataProviderV3", &ui_args, "").await?;

    // Interest-rate strategies and token implementations.
    let mut strategies = Vec::with_capacity(TOKENS.len());
    for spec in &TOKENS {
        let [a, b, c, e, f, g, h, i, j] = spec.rates.in_ray();
        let args = (provider, a, b, c, e, f, g, h, i, j).abi_encode_params();
        strategies.push(
            d.deploy("DefaultReserveInterestRateStrategy", &args, spec.symbol)
                .await?,
        );
    }
    let a_token_impl = d.deploy("AToken", &(pool,).abi_encode_params(), "").await?;
    let stable_impl = d
        .deploy("StableDebtToken", &(pool,).abi_encode_params(), "")
        .await?;
    let variable_impl = d
        .deploy("VariableDebtToken", &(pool,).abi_encode_params(), "")
        .await?;

    // List the reserves.
    let inputs: Vec<ConfiguratorInputTypes::InitReserveInput> = TOKENS
        .iter()
        .zip(underlyings.iter().zip(&strategies))
        .map(
            |(spec, (&asset, &strategy))| ConfiguratorInputTypes::InitReserveInput {
                aTokenImpl: a_token_impl,
                stableDebtTokenImpl: stable_impl,
                variableDebtTokenImpl: variable_impl,
                underlyingAssetDecimals: spec.decimals,
                interestRateStrategyAddress: strategy,
                underlyingAsset: asset,
                treasury,
                incentivesController: Address::ZERO,
                aTokenName: format!("Aave Devnet {}", spec.symbol),
                aTokenSymbol: format!("aDev{}", spec.symbol),
                variableDebtTokenName: format!("Aave Devnet Variable Debt {}", spec.symbol),
                variableDebtTokenSymbol: format!("variableDebtDev{}", spec.symbol),
                stableDebtTokenName: format!("Aave Devnet Stable Debt {}", spec.symbol),
                stableDebtTokenSymbol: format!("stableDebtDev{}", spec.symbol),
                params: Bytes::new(),
            },
        )
        .collect();
    for batch in inputs.chunks(INIT_RESERVES_BATCH) {
        let call = IPoolConfigurator::initReservesCall::new((batch.to_vec(),));
        let gas = market::init_reserves_gas(batch.len());
        client
            .send_call_with_gas(deployer, configurator, &call, gas, "initReserves")
            .await?;
    }

    // Risk parameters.
    for (spec, &asset) in TOKENS.iter().zip(&underlyings) {
        configure_reserve(&d, configurator, spec, asset).await?;
    }
    let emode = IPoolConfigurator::setEModeCategoryCall::new((
        EMODE.id,
        EMODE.ltv,
        EMODE.liquidation_threshold,
        EMODE.liquidation_bonus,
        Address::ZERO,
        EMODE.label.to_string(),
    ));
    d.call(configurator, &emode, "setEModeCategory").await?;
    for (spec, &asset) in TOKENS.iter().zip(&underlyings) {
        if let Some(category) = spec.risk.emode_category {
            let call = IPoolConfigurator::setAssetEModeCategoryCall::new((asset, category));
            d.call(
                configurator,
                &call,
                &format!("setAssetEModeCategory {}", spec.symbol),
            )
            .await?;
        }
    }

    // Read back the token proxies.
    let mut tokens = Vec::with_capacity(TOKENS.len());
    for ((spec, &asset), &feed) in TOKENS.iter().zip(&underlyings).zip(&feeds) {
        let addrs = client
            .read(
                data_provider,
                &AaveProtocolDataProvider::getReserveTokensAddressesCall::new((asset,)),
            )
            .await?;
        tokens.push(TokenInfo {
            symbol: spec.symbol.to_string(),
            address: asset,
            decimals: spec.decimals,
            price_feed: feed,
            a_token: addrs.aTokenAddress,
            variable_debt_token: addrs.variableDebtTokenAddress,
            stable_debt_token: addrs.stableDebtTokenAddress,
        });
    }

    Ok(Market {
        contracts: Contracts {
            pool_addresses_provider: provider,
            pool,
            pool_configurator: configurator,
            acl_manager: acl,
            aave_oracle: oracle,
            protocol_data_provider: data_provider,
            ui_pool_data_provider: ui_data_provider,
            multicall3: MULTICALL3,
            treasury,
            libraries,
            interest_rate_strategies: TOKENS
                .iter()
                .map(|t| t.symbol.to_string())
                .zip(strategies)
                .collect(),
        },
        tokens,
    })
}

/// Collateral parameters, borrowing, reserve factor, flash loans, caps and isolation settings.
async fn configure_reserve(
    d: &Deployer<'_>,
    configurator: Address,
    spec: &TokenSpec,
    asset: Address,
) -> Result<(), DevnetError> {
    let r = spec.risk;
    let sym = spec.symbol;
    let collateral = IPoolConfigurator::configureReserveAsCollateralCall::new((
        asset,
        U256::from(r.ltv),
        U256::from(r.liquidation_threshold),
        U256::from(r.liquidation_bonus),
    ));
    d.call(
        configurator,
        &collateral,
        &format!("configureReserveAsCollateral {sym}"),
    )
    .await?;
    let borrowing = IPoolConfigurator::setReserveBorrowingCall::new((asset, true));
    d.call(
        configurator,
        &borrowing,
        &format!("setReserveBorrowing {sym}"),
    )
    .await?;
    let factor =
        IPoolConfigurator::setReserveFactorCall::new((asset, U256::from(r.reserve_factor)));
    d.call(configurator, &factor, &format!("setReserveFactor {sym}"))
        .await?;
    let flash = IPoolConfigurator::setReserveFlashLoaningCall::new((asset, true));
    d.call(
        configurator,
        &flash,
        &format!("setReserveFlashLoaning {sym}"),
    )
    .await?;
    if let Some(cap) = r.supply_cap {
        let call = IPoolConfigurator::setSupplyCapCall::new((asset, U256::from(cap)));
        d.call(configurator, &call, &format!("setSupplyCap {sym}"))
            .await?;
    }
    if let Some(cap) = r.borrow_cap {
        let call = IPoolConfigurator::setBorrowCapCall::new((asset, U256::from(cap)));
        d.call(configurator, &call, &format!("setBorrowCap {sym}"))
            .await?;
    }
    if let Some(ceiling) = r.debt_ceiling {
        let call = IPoolConfigurator::setDebtCeilingCall::new((asset, U256::from(ceiling)));
        d.call(configurator, &call, &format!("setDebtCeiling {sym}"))
            .await?;
    }
    if r.borrowable_in_isolation {
        let call = IPoolConfigurator::setBorrowableInIsolationCall::new((asset, true));
        d.call(
            configurator,
            &call,
            &format!("setBorrowableInIsolation {sym}"),
        )
        .await?;
    }
    Ok(())
}

/// Puts the canonical Multicall3 runtime code at its address if nothing is there.
pub(super) async fn ensure_multicall3(client: &DevClient) -> Result<(), DevnetError> {
    let code: Bytes = client
        .request("eth_getCode", (MULTICALL3, "latest"))
        .await?;
    if code.is_empty() {
        let _: serde_json::Value = client
            .request(
                "anvil_setCode",
                (MULTICALL3, Multicall3::DEPLOYED_BYTECODE.clone()),
            )
            .await?;
    }
    Ok(())
}

fn feed_for(feeds: &[Address], symbol: &str) -> Result<Address, DevnetError> {
    TOKENS
        .iter()
        .position(|t| t.symbol == symbol)
        .and_then(|i| feeds.get(i).copied())
        .ok_or_else(|| DevnetError::unexpected("market spec", format!("no {symbol} feed")))
}

/// Sends from the deployer and loads artifacts.
struct Deployer<'a> {
    client: &'a DevClient,
    store: &'a ArtifactStore,
    from: Address,
}

impl Deployer<'_> {
    /// Deploys an artifact without libraries; `label` distinguishes repeated contracts in errors.
    async fn deploy(&self, name: &str, args: &[u8], label: &str) -> Result<Address, DevnetError> {
        let artifact = self.store.load(name)?;
        let code = artifact.creation_code(&BTreeMap::new(), args)?;
        let what = if label.is_empty() {
            name.to_string()
        } else {
            format!("{name} ({label})")
        };
        self.client.deploy(self.from, code, &what).await
    }

    /// Deploys an artifact, linking the libraries it references.
    async fn deploy_linked(
        &self,
        name: &str,
        args: &[u8],
        libraries: &BTreeMap<String, Address>,
    ) -> Result<Address, DevnetError> {
        let artifact = self.store.load(name)?;
        tracing::debug!(contract = name, libraries = ?artifact.required_libraries(), "linking");
        let code = artifact.creation_code(libraries, args)?;
        self.client.deploy(self.from, code, &artifact.name).await
    }

    /// Sends a call from the deployer.
    async fn call<C: SolCall>(&self, to: Address, call: &C, what: &str) -> Result<(), DevnetError> {
        self.client
            .send_call(self.from, to, call, what)
            .await
            .map(|_| ())
    }
}
