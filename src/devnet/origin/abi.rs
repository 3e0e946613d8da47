//! The Aave v3.6 calls the origin devnet makes, declared inline from the compiled artifacts'
//! ABIs (`@aave-dao/aave-v3-origin` 3.6.0): only what deploying, seeding, acting on and checking
//! a market needs. They differ from `crate::chain::bindings` (v3.0): `initReserves` takes the 3.4+ input
//! (no stable debt, rate data as bytes), E-Mode is set per asset through bitmaps, and errors are
//! custom errors instead of numeric strings.

use alloy::sol;

sol! {
    /// `ConfiguratorInputTypes.InitReserveInput` as of v3.4.
    #[derive(Debug)]
    struct InitReserveInput {
        address aTokenImpl;
        address variableDebtTokenImpl;
        address underlyingAsset;
        string aTokenName;
        string aTokenSymbol;
        string variableDebtTokenName;
        string variableDebtTokenSymbol;
        bytes params;
        bytes interestRateData;
    }

    /// `DataTypes.CollateralConfig`: an E-Mode category's LTV, threshold and bonus (bps).
    #[derive(Debug)]
    struct CollateralConfig {
        uint16 ltv;
        uint16 liquidationThreshold;
        uint16 liquidationBonus;
    }

    /// `IDefaultInterestRateStrategyV2.InterestRateData`: bps, ABI-encoded into `interestRateData`.
    #[derive(Debug)]
    struct InterestRateData {
        uint16 optimalUsageRatio;
        uint32 baseVariableBorrowRate;
        uint32 variableRateSlope1;
        uint32 variableRateSlope2;
    }

    /// `PoolAddressesProvider`.
    #[sol(rpc)]
    interface IOriginAddressesProvider {
        function setACLAdmin(address newAclAdmin) external;
        function setACLManager(address newAclManager) external;
        function setPoolImpl(address newPoolImpl) external;
        function setPoolConfiguratorImpl(address newPoolConfiguratorImpl) external;
        function setPriceOracle(address newPriceOracle) external;
        function setPoolDataProvider(address newDataProvider) external;
        function getPool() external view returns (address);
        function getPoolConfigurator() external view returns (address);
    }

    /// `ACLManager`.
    #[sol(rpc)]
    interface IOriginAclManager {
        function addPoolAdmin(address admin) external;
        function addRiskAdmin(address admin) external;
        function addEmergencyAdmin(address admin) external;
    }

    /// `PoolConfigurator` (revision 7).
    #[sol(rpc)]
    interface IOriginConfigurator {
        function initReserves(InitReserveInput[] calldata input) external;
        function configureReserveAsCollateral(address asset, uint256 ltv, uint256 liquidationThreshold, uint256 liquidationBonus) external;
        function setReserveBorrowing(address asset, bool enabled) external;
        function setReserveFactor(address asset, uint256 newReserveFactor) external;
        function setEModeCategory(uint8 categoryId, uint16 ltv, uint16 liquidationThreshold, uint16 liquidationBonus, string calldata label) external;
        function setAssetCollateralInEMode(address asset, uint8 categoryId, bool collateral) external;
        function setAssetBorrowableInEMode(address asset, uint8 categoryId, bool borrowable) external;
    }

    /// `Pool` (revision 10).
    #[sol(rpc)]
    interface IOriginPool {
        function POOL_REVISION() external view returns (uint256);
        function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode) external;
        function borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf) external;
        function setUserEMode(uint8 categoryId) external;
        function getUserEMode(address user) external view returns (uint256);
        function liquidationCall(address collateralAsset, address debtAsset, address borrower, uint256 debtToCover, bool receiveAToken) external;
        function getUserAccountData(address user) external view returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor);
        function getReserveNormalizedIncome(address asset) external view returns (uint256);
        function getReserveNormalizedVariableDebt(address asset) external view returns (uint256);
        function withdraw(address asset, uint256 amount, address to) external returns (uint256);
        function getEModeCategoryLabel(uint8 id) external view returns (string memory);
        function getEModeCategoryCollateralConfig(uint8 id) external view returns (CollateralConfig memory);
        function getEModeCategoryCollateralBitmap(uint8 id) external view returns (uint128);
        function getEModeCategoryBorrowableBitmap(uint8 id) external view returns (uint128);
        function getReserveDeficit(address asset) external view returns (uint256);
        event LiquidationCall(address indexed collateralAsset, address indexed debtAsset, address indexed user, uint256 debtToCover, uint256 liquidatedCollateralAmount, address liquidator, bool receiveAToken);
        event DeficitCreated(address indexed user, address indexed debtAsset, uint256 amountCreated);
    }

    /// `AaveProtocolDataProvider`: the stable debt address stays in the ABI and is always zero.
    #[sol(rpc)]
    interface IOriginDataProvider {
        function getReserveTokensAddresses(address asset) external view returns (address aTokenAddress, address stableDebtTokenAddress, address variableDebtTokenAddress);
    }

    /// `AaveOracle`.
    #[sol(rpc)]
    interface IOriginOracle {
        function getAssetPrice(address asset) external view returns (uint256);
    }

    /// The mock underlying (`MintableERC20`) and the a/v tokens' scaled balances.
    #[sol(rpc)]
    interface IOriginToken {
        function mint(address account, uint256 value) external returns (bool);
        function approve(address spender, uint256 value) external returns (bool);
        function balanceOf(address account) external view returns (uint256);
        function scaledBalanceOf(address user) external view returns (uint256);
    }

    /// The v3.6 `Errors` a liquidation or a seed can revert with (custom errors since v3.4).
    #[derive(Debug, PartialEq, Eq)]
    interface IOriginErrors {
        error HealthFactorNotBelowThreshold();
        error HealthFactorLowerThanLiquidationThreshold();
        error CollateralCannotCoverNewBorrow();
        error NotBorrowableInEMode();
        error InconsistentEModeCategory();
        error CollateralCannotBeLiquidated();
        error SpecifiedCurrencyNotBorrowedByUser();
        error MustNotLeaveDust();
        error LtvValidationFailed();
        error BorrowingNotEnabled();
        error NotEnoughAvailableUserBalance();
        error InvalidAmount();
        error CallerNotPoolAdmin();
        error CallerNotRiskOrPoolAdmin();
        error InvalidEmodeCategoryParams();
        error InvalidReserveParams();
        error InvalidAddressesProvider();
        error ZeroAddressNotValid();
    }
}

/// The name of a v3.6 custom error from raw revert data, if it is one of [`IOriginErrors`].
pub fn error_name(data: &[u8]) -> Option<String> {
    use alloy::sol_types::SolInterface;
    IOriginErrors::IOriginErrorsErrors::abi_decode(data)
        .ok()
        .map(|e| {
            format!("{e:?}")
                .split('(')
                .next()
                .unwrap_or_default()
                .to_string()
        })
}
