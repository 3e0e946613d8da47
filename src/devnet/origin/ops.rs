//! Acting on the v3.6 market as its users and its liquidator do: borrow, withdraw and
//! `liquidationCall` (also on a v3.6 devnet another process runs, from its manifest, as
//! `lendesk devnet liquidate --market devnet-v3.6` does). Each call is simulated first, so a refusal comes back as the chain's
//! reason (the v3.6 custom error's name), not as an error; what went through is read back from
//! the Pool (health factors) and the receipt's events (what a liquidation repaid and seized).

use alloy::primitives::{Address, U256};
use alloy::rpc::types::TransactionReceipt;
use alloy::sol_types::SolCall;

use super::super::error::DevnetError;
use super::super::rpc::DevClient;
use super::OriginDevnet;
use super::abi::{self, IOriginOracle, IOriginPool, IOriginToken};
use super::manifest::OriginManifest;
use super::seed;

/// What a borrow or a withdrawal did, as the chain judged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginAction {
    /// The transaction went through.
    pub executed: bool,
    /// Why it reverted: the v3.6 custom error's name when known, else the raw reason.
    pub reason: Option<String>,
    /// The user's health factor afterwards (wad; unchanged when it reverted).
    pub health_factor_after: U256,
}

/// What a `liquidationCall` did, as the chain judged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginLiquidation {
    /// The transaction went through.
    pub executed: bool,
    /// Why it reverted: the v3.6 custom error's name when known, else the raw reason.
    pub reason: Option<String>,
    /// The borrower's health factor before and after (wad).
    pub health_factor_before: U256,
    /// After (equal to before when it reverted).
    pub health_factor_after: U256,
    /// Debt the liquidator repaid (`LiquidationCall.debtToCover`, the actual amount; 0 when it
    /// reverted), in the debt asset's smallest unit.
    pub debt_repaid: U256,
    /// Collateral the liquidator received (`LiquidationCall.liquidatedCollateralAmount`: the
    /// protocol's fee share, none on this devnet, would leave the user on top of it).
    pub collateral_seized: U256,
    /// Debt written off as reserve deficit (`DeficitCreated`, summed over every debt asset).
    pub deficit: U256,
}

impl OriginDevnet {
    /// `user` borrows `amount` (smallest units) of `symbol` at the variable rate.
    pub async fn borrow(
        &self,
        user: Address,
        symbol: &str,
        amount: U256,
    ) -> Result<OriginAction, DevnetError> {
        let asset = seed::lookup(&self.manifest.reserves, symbol)?.address;
        let call = IOriginPool::borrowCall::new((asset, amount, U256::from(2), 0, user));
        self.act(user, &call, &format!("borrow {symbol}")).await
    }

    /// `user` withdraws `amount` (smallest units) of `symbol` to itself.
    pub async fn withdraw(
        &self,
        user: Address,
        symbol: &str,
        amount: U256,
    ) -> Result<OriginAction, DevnetError> {
        let asset = seed::lookup(&self.manifest.reserves, symbol)?.address;
        let call = IOriginPool::withdrawCall::new((asset, amount, user));
        self.act(user, &call, &format!("withdraw {symbol}")).await
    }

    /// A `liquidationCall` from the liquidator: repays up to `debt_to_cover` of `debt` and
    /// seizes `collateral`. The chain decides; a refusal is a report, not an error.
    pub async fn liquidate(
        &self,
        user: Address,
        collateral: &str,
        debt: &str,
        debt_to_cover: U256,
    ) -> Result<OriginLiquidation, DevnetError> {
        liquidate(
            self.rpc_url(),
            &self.manifest,
            user,
            collateral,
            debt,
            debt_to_cover,
        )
        .await
    }

    /// Simulates `call` from `user`, then sends it unless it would revert.
    async fn act<C: SolCall>(
        &self,
        user: Address,
        call: &C,
        what: &str,
    ) -> Result<OriginAction, DevnetError> {
        let client = DevClient::connect(self.rpc_url())?;
        let pool = self.manifest.contracts.pool;
        let reason = match client.simulate(user, pool, call).await? {
            Err(revert) => Some(readable(&revert.reason)),
            Ok(_) => {
                client.send_call(user, pool, call, what).await?;
                None
            }
        };
        Ok(OriginAction {
            executed: reason.is_none(),
            reason,
            health_factor_after: health_factor(&client, pool, user).await?,
        })
    }
}

/// A `liquidationCall` on the v3.6 devnet at `rpc_url` described by `manifest`, from its
/// liquidator: repays up to `debt_to_cover` of `debt` and seizes `collateral`. The liquidator
/// is minted `debt_to_cover` first. The chain decides; a refusal is a report, not an error.
pub async fn liquidate(
    rpc_url: &str,
    manifest: &OriginManifest,
    user: Address,
    collateral: &str,
    debt: &str,
    debt_to_cover: U256,
) -> Result<OriginLiquidation, DevnetError> {
    let client = DevClient::connect(rpc_url)?;
    let pool = manifest.contracts.pool;
    let liquidator = manifest.liquidator;
    let collateral = seed::lookup(&manifest.reserves, collateral)?.address;
    let debt = seed::lookup(&manifest.reserves, debt)?.address;
    let before = health_factor(&client, pool, user).await?;
    seed::mint_and_approve(&client, debt, liquidator, pool, debt_to_cover).await?;
    let call =
        IOriginPool::liquidationCallCall::new((collateral, debt, user, debt_to_cover, false));
    if let Err(revert) = client.simulate(liquidator, pool, &call).await? {
        return Ok(OriginLiquidation {
            executed: false,
            reason: Some(readable(&revert.reason)),
            health_factor_before: before,
            health_factor_after: before,
            debt_repaid: U256::ZERO,
            collateral_seized: U256::ZERO,
            deficit: U256::ZERO,
        });
    }
    let receipt = client
        .send_call(liquidator, pool, &call, "liquidationCall")
        .await?;
    let (debt_repaid, collateral_seized, deficit) = liquidation_events(&receipt, pool);
    Ok(OriginLiquidation {
        executed: true,
        reason: None,
        health_factor_before: before,
        health_factor_after: health_factor(&client, pool, user).await?,
        debt_repaid,
        collateral_seized,
        deficit,
    })
}

/// What [`liquidate_largest`] chose and what the chain did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LargestLiquidation {
    /// The collateral seized: the user's largest supply by value.
    pub collateral: String,
    /// The debt repaid: the user's largest debt by value.
    pub debt: String,
    /// Twice that debt, offered as `debtToCover`: the Pool takes what its rules allow, and
    /// interest accrued before the transaction lands cannot leave dust (an exact "whole debt"
    /// read a block earlier would leave a few wei, which 3.3+ refuses as `MustNotLeaveDust`).
    pub offered: U256,
    /// What the chain did.
    pub outcome: OriginLiquidation,
}

/// Liquidates `user`'s largest debt against its largest supply, offering twice that debt: what
/// `lendesk devnet liquidate --market devnet-v3.6` does. `None` when the user has no debt or
/// no supply to seize.
pub async fn liquidate_largest(
    rpc_url: &str,
    manifest: &OriginManifest,
    user: Address,
) -> Result<Option<LargestLiquidation>, DevnetError> {
    let client = DevClient::connect(rpc_url)?;
    let (mut collateral, mut debt) = (None, None);
    for reserve in &manifest.reserves {
        let price = oracle_price(&client, manifest, reserve.address).await?;
        let unit = U256::from(10u64).pow(U256::from(reserve.decimals));
        let supplied = balance_of(&client, reserve.a_token, user).await?;
        let owed = balance_of(&client, reserve.variable_debt_token, user).await?;
        let (supplied_value, owed_value) = (supplied * price / unit, owed * price / unit);
        if !supplied.is_zero()
            && collateral
                .as_ref()
                .is_none_or(|(v, _, _)| supplied_value > *v)
        {
            collateral = Some((supplied_value, reserve.symbol.clone(), supplied));
        }
        if !owed.is_zero() && debt.as_ref().is_none_or(|(v, _, _)| owed_value > *v) {
            debt = Some((
                owed_value,
                reserve.symbol.clone(),
                owed.saturating_mul(U256::from(2)),
            ));
        }
    }
    let (Some((_, collateral, _)), Some((_, debt, offered))) = (collateral, debt) else {
        return Ok(None);
    };
    let outcome = liquidate(rpc_url, manifest, user, &collateral, &debt, offered).await?;
    Ok(Some(LargestLiquidation {
        collateral,
        debt,
        offered,
        outcome,
    }))
}

/// `user`'s health factor (wad) on the v3.6 devnet at `rpc_url`, as the Pool reports it.
pub async fn user_health_factor(
    rpc_url: &str,
    manifest: &OriginManifest,
    user: Address,
) -> Result<U256, DevnetError> {
    health_factor(&DevClient::connect(rpc_url)?, manifest.contracts.pool, user).await
}

/// The oracle's price of `symbol` (USD, 8 decimals) on the v3.6 devnet at `rpc_url`.
pub async fn reserve_price(
    rpc_url: &str,
    manifest: &OriginManifest,
    symbol: &str,
) -> Result<U256, DevnetError> {
    let reserve = seed::lookup(&manifest.reserves, symbol)?;
    oracle_price(&DevClient::connect(rpc_url)?, manifest, reserve.address).await
}

/// The oracle's price of `asset` (USD, 8 decimals).
pub(super) async fn oracle_price(
    client: &DevClient,
    manifest: &OriginManifest,
    asset: Address,
) -> Result<U256, DevnetError> {
    let call = IOriginOracle::getAssetPriceCall::new((asset,));
    client.read(manifest.contracts.aave_oracle, &call).await
}

async fn balance_of(client: &DevClient, token: Address, who: Address) -> Result<U256, DevnetError> {
    client
        .read(token, &IOriginToken::balanceOfCall::new((who,)))
        .await
}

async fn health_factor(
    client: &DevClient,
    pool: Address,
    user: Address,
) -> Result<U256, DevnetError> {
    let call = IOriginPool::getUserAccountDataCall::new((user,));
    Ok(client.read(pool, &call).await?.healthFactor)
}

/// The Pool's `LiquidationCall` (debt repaid, collateral seized) and the sum of its
/// `DeficitCreated` amounts in `receipt`.
fn liquidation_events(receipt: &TransactionReceipt, pool: Address) -> (U256, U256, U256) {
    let (mut repaid, mut seized, mut deficit) = (U256::ZERO, U256::ZERO, U256::ZERO);
    for log in receipt.logs().iter().filter(|l| l.address() == pool) {
        if let Ok(event) = log.log_decode::<IOriginPool::LiquidationCall>() {
            repaid += event.inner.data.debtToCover;
            seized += event.inner.data.liquidatedCollateralAmount;
        } else if let Ok(event) = log.log_decode::<IOriginPool::DeficitCreated>() {
            deficit += event.inner.data.amountCreated;
        }
    }
    (repaid, seized, deficit)
}

/// A v3.6 custom error's name when the reason is its raw data (`0x…`), else the reason.
fn readable(reason: &str) -> String {
    reason
        .strip_prefix("0x")
        .and_then(|h| hex::decode(h).ok())
        .and_then(|data| abi::error_name(&data))
        .unwrap_or_else(|| reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolError;

    #[test]
    fn custom_error_data_reads_as_its_name() {
        let data = abi::IOriginErrors::HealthFactorNotBelowThreshold {}.abi_encode();
        let reason = format!("0x{}", hex::encode(&data));
        assert_eq!(readable(&reason), "HealthFactorNotBelowThreshold");
        let data = abi::IOriginErrors::NotBorrowableInEMode {}.abi_encode();
        assert_eq!(
            readable(&format!("0x{}", hex::encode(&data))),
            "NotBorrowableInEMode"
        );
        assert_eq!(readable("0xdeadbeef"), "0xdeadbeef");
        assert_eq!(readable("plain words"), "plain words");
    }
}
