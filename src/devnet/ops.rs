//! Operations on a running devnet: move a price feed (the Morpho oracles of that token follow),
//! and liquidate a position on the Aave market (Morpho's are `morpho_ops`').
//!
//! Both work on any devnet described by a manifest (the one this process started or one
//! started elsewhere, e.g. `lendesk devnet` in another terminal).

use alloy::primitives::{Address, B256, U256};
use alloy::sol_types::SolCall;
use serde::Serialize;

use super::error::DevnetError;
use super::manifest::{DevnetManifest, Profile, TokenInfo};
use super::morpho_ops::{self, MorphoOracleMove};
use super::price::parse_usd;
use super::rpc::DevClient;
use crate::chain::bindings::{
    AaveProtocolDataProvider, IAaveOracle, IERC20Detailed, IPool, MintableERC20,
};

/// Storage slot of `MockAggregator._latestAnswer` (its only state variable).
const LATEST_ANSWER_SLOT: B256 = B256::ZERO;

/// What a liquidation attempt did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiquidationReport {
    /// The position liquidated.
    pub user: Address,
    /// Who sent the liquidation (account #8).
    pub liquidator: Address,
    /// Whether `liquidationCall` went through.
    pub executed: bool,
    /// Why not, when it did not: the decoded Aave error, e.g.
    /// `45 HEALTH_FACTOR_NOT_BELOW_THRESHOLD (health factor is not below the threshold)`.
    pub reason: Option<String>,
    /// The raw Aave error code (`"45"`), when the revert carried one.
    pub error_code: Option<String>,
    /// The debt asset chosen (largest debt by value).
    pub debt_symbol: Option<String>,
    /// The collateral asset chosen (largest enabled collateral by value).
    pub collateral_symbol: Option<String>,
    /// Debt repaid, raw units of the debt token.
    pub debt_repaid: U256,
    /// Collateral seized by the liquidator, raw units of the collateral token.
    pub collateral_seized: U256,
    /// Health factor (wad) before.
    pub health_factor_before: U256,
    /// Health factor (wad) after, when executed.
    pub health_factor_after: Option<U256>,
    /// The liquidation transaction.
    pub tx_hash: Option<B256>,
}

/// Parses `usd` exactly into an 8-dp answer and writes it to the token's feed; the devnet's
/// Morpho oracles of that token follow (the moves are returned).
pub async fn set_price_with(
    client: &DevClient,
    manifest: &DevnetManifest,
    symbol: &str,
    usd: &str,
) -> Result<Vec<MorphoOracleMove>, DevnetError> {
    let token = manifest.require_token(symbol)?;
    let answer = parse_usd(usd).map_err(|reason| DevnetError::InvalidPrice {
        input: usd.to_string(),
        reason,
    })?;
    write_answer(client, manifest, token, answer).await?;
    morpho_ops::sync_oracles(client, manifest, &token.symbol).await
}

/// Writes a raw 8-dp answer to the token's feed; the devnet's Morpho oracles of that token
/// follow.
pub async fn set_price_raw_with(
    client: &DevClient,
    manifest: &DevnetManifest,
    symbol: &str,
    answer_8dp: U256,
) -> Result<Vec<MorphoOracleMove>, DevnetError> {
    let token = manifest.require_token(symbol)?;
    if answer_8dp.is_zero() || answer_8dp.bit_len() > 255 {
        return Err(DevnetError::InvalidPrice {
            input: answer_8dp.to_string(),
            reason: "answer must be positive and fit in int256".into(),
        });
    }
    write_answer(client, manifest, token, answer_8dp).await?;
    morpho_ops::sync_oracles(client, manifest, &token.symbol).await
}

/// `anvil_setStorageAt(feed, 0, answer)`, mine a block, and check the oracle sees it.
async fn write_answer(
    client: &DevClient,
    manifest: &DevnetManifest,
    token: &TokenInfo,
    answer: U256,
) -> Result<(), DevnetError> {
    let value = B256::from(answer);
    let _: serde_json::Value = client
        .request(
            "anvil_setStorageAt",
            (token.price_feed, LATEST_ANSWER_SLOT, value),
        )
        .await?;
    client.mine().await?;
    let got = asset_price(client, manifest, token.address).await?;
    if got != answer {
        return Err(DevnetError::PriceNotApplied {
            symbol: token.symbol.clone(),
            expected: answer,
            got,
        });
    }
    Ok(())
}

/// The oracle's price of `asset` (8 dp).
pub async fn asset_price(
    client: &DevClient,
    manifest: &DevnetManifest,
    asset: Address,
) -> Result<U256, DevnetError> {
    client
        .read(
            manifest.contracts.aave_oracle,
            &IAaveOracle::getAssetPriceCall::new((asset,)),
        )
        .await
}

/// The health factor (wad) of `user`.
pub async fn health_factor(
    client: &DevClient,
    manifest: &DevnetManifest,
    user: Address,
) -> Result<U256, DevnetError> {
    let data = client
        .read(
            manifest.contracts.pool,
            &IPool::getUserAccountDataCall::new((user,)),
        )
        .await?;
    Ok(data.healthFactor)
}

/// One reserve of the user, valued in base currency.
struct Holding<'a> {
    token: &'a TokenInfo,
    collateral: U256,
    collateral_value: U256,
    debt: U256,
    debt_value: U256,
}

/// Liquidates `user`'s largest debt against its largest collateral, from the liquidator account.
pub async fn liquidate_with(
    client: &DevClient,
    manifest: &DevnetManifest,
    user: Address,
) -> Result<LiquidationReport, DevnetError> {
    let liquidator = manifest
        .account(Profile::Liquidator)
        .ok_or_else(|| DevnetError::MissingAccount("liquidator".into()))?
        .address;
    let hf_before = health_factor(client, manifest, user).await?;
    let mut report = LiquidationReport {
        user,
        liquidator,
        executed: false,
        reason: None,
        error_code: None,
        debt_symbol: None,
        collateral_symbol: None,
        debt_repaid: U256::ZERO,
        collateral_seized: U256::ZERO,
        health_factor_before: hf_before,
        health_factor_after: None,
        tx_hash: None,
    };

    let holdings = holdings(client, manifest, user).await?;
    let debt = holdings
        .iter()
        .filter(|h| !h.debt.is_zero())
        .max_by_key(|h| h.debt_value);
    let collateral = holdings
        .iter()
        .filter(|h| !h.collateral.is_zero())
        .max_by_key(|h| h.collateral_value);
    let (Some(debt), Some(collateral)) = (debt, collateral) else {
        report.reason = Some(
            if debt.is_none() {
                "the user has no debt"
            } else {
                "the user has no collateral enabled"
            }
            .into(),
        );
        return Ok(report);
    };
    report.debt_symbol = Some(debt.token.symbol.clone());
    report.collateral_symbol = Some(collateral.token.symbol.clone());

    let pool = manifest.contracts.pool;
    let call = IPool::liquidationCallCall::new((
        collateral.token.address,
        debt.token.address,
        user,
        U256::MAX,
        false,
    ));

    // A dry run first: an Aave refusal (e.g. "45") needs no funds and is reported as is.
    if let Err(revert) = client.simulate(liquidator, pool, &call).await?
        && let Some(code) = revert.message.as_deref().filter(|m| is_aave_code(m))
    {
        report.error_code = Some(code.to_string());
        report.reason = Some(revert.reason);
        return Ok(report);
    }

    // Fund the liquidator: twice the debt covers interest accrued meanwhile.
    fund(
        client,
        debt.token,
        liquidator,
        pool,
        debt.debt * U256::from(2u64),
    )
    .await?;
    if let Err(revert) = client.simulate(liquidator, pool, &call).await? {
        report.error_code = revert.message.filter(|m| is_aave_code(m));
        report.reason = Some(revert.reason);
        return Ok(report);
    }

    let receipt = client
        .send_call(liquidator, pool, &call, "liquidationCall")
        .await?;
    report.executed = true;
    report.tx_hash = Some(receipt.transaction_hash);
    for log in receipt.logs() {
        if let Ok(event) = log.log_decode::<IPool::LiquidationCall>() {
            report.debt_repaid = event.inner.data.debtToCover;
            report.collateral_seized = event.inner.data.liquidatedCollateralAmount;
        }
    }
    report.health_factor_after = Some(health_factor(client, manifest, user).await?);
    Ok(report)
}

/// Aave's revert messages are decimal numbers.
fn is_aave_code(message: &str) -> bool {
    !message.is_empty() && message.bytes().all(|b| b.is_ascii_digit())
}

/// The user's balances on every reserve, with values at oracle prices.
async fn holdings<'a>(
    client: &DevClient,
    manifest: &'a DevnetManifest,
    user: Address,
) -> Result<Vec<Holding<'a>>, DevnetError> {
    let mut out = Vec::with_capacity(manifest.tokens.len());
    for token in &manifest.tokens {
        let data = client
            .read(
                manifest.contracts.protocol_data_provider,
                &AaveProtocolDataProvider::getUserReserveDataCall::new((token.address, user)),
            )
            .await?;
        let price = asset_price(client, manifest, token.address).await?;
        let scale = U256::from(10u64).pow(U256::from(token.decimals));
        let collateral = if data.usageAsCollateralEnabled {
            data.currentATokenBalance
        } else {
            U256::ZERO
        };
        let debt = data.currentVariableDebt + data.currentStableDebt;
        out.push(Holding {
            token,
            collateral,
            collateral_value: collateral * price / scale,
            debt,
            debt_value: debt * price / scale,
        });
    }
    Ok(out)
}

/// Mints what the liquidator lacks of `amount` and approves the Pool.
async fn fund(
    client: &DevClient,
    token: &TokenInfo,
    liquidator: Address,
    pool: Address,
    amount: U256,
) -> Result<(), DevnetError> {
    let balance = client
        .read(
            token.address,
            &IERC20Detailed::balanceOfCall::new((liquidator,)),
        )
        .await?;
    if balance < amount {
        let mint = MintableERC20::mint_0Call::new((liquidator, amount - balance));
        client
            .send_call(
                liquidator,
                token.address,
                &mint,
                &format!("mint {} for the liquidator", token.symbol),
            )
            .await?;
    }
    let allowance = client
        .read(
            token.address,
            &IERC20Detailed::allowanceCall::new((liquidator, pool)),
        )
        .await?;
    if allowance < amount {
        let approve = IERC20Detailed::approveCall::new((pool, U256::MAX));
        client
            .send_call(
                liquidator,
                token.address,
                &approve,
                &format!("approve {} for the liquidator", token.symbol),
            )
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_aave_codes() {
        assert!(is_aave_code("45"));
        assert!(!is_aave_code("ERC20: transfer amount exceeds balance"));
        assert!(!is_aave_code(""));
    }
}
