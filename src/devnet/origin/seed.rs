//! Seeds the v3.6 market: liquidity from one account, then the users of
//! [`super::spec::USERS`] (mint, approve, supply, E-Mode, borrow), each checked against the
//! Pool's own `getUserAccountData` (it must have debt and be above HF 1).

use alloy::primitives::{Address, U256};
use alloy::sol_types::SolCall;

use super::super::error::DevnetError;
use super::super::rpc::DevClient;
use super::abi::{IOriginPool, IOriginToken};
use super::manifest::{OriginReserve, OriginUser};
use super::spec::{self, Amount, RESERVES, USERS, UserSpec};

/// 1e18: health factor 1.
const WAD: u64 = 1_000_000_000_000_000_000;

/// Supplies every reserve's liquidity from `provider`.
pub async fn supply_liquidity(
    client: &DevClient,
    pool: Address,
    reserves: &[OriginReserve],
    provider: Address,
) -> Result<(), DevnetError> {
    for spec in &RESERVES {
        let amount = Amount {
            symbol: spec.symbol,
            milli: spec.liquidity * 1_000,
        };
        supply(client, pool, reserves, provider, amount).await?;
    }
    Ok(())
}

/// Seeds every user and returns them as the manifest lists them.
pub async fn seed_users(
    client: &DevClient,
    pool: Address,
    reserves: &[OriginReserve],
    accounts: &[Address],
) -> Result<Vec<OriginUser>, DevnetError> {
    let mut users = Vec::with_capacity(USERS.len());
    for user in &USERS {
        let address = *accounts
            .get(user.account_index)
            .ok_or_else(|| DevnetError::MissingAccount(user.role.to_string()))?;
        seed_one(client, pool, reserves, address, user).await?;
        users.push(OriginUser {
            role: user.role.to_string(),
            address,
            emode: user.emode,
        });
    }
    Ok(users)
}

async fn seed_one(
    client: &DevClient,
    pool: Address,
    reserves: &[OriginReserve],
    user: Address,
    plan: &UserSpec,
) -> Result<(), DevnetError> {
    for &amount in plan.supplies {
        supply(client, pool, reserves, user, amount).await?;
    }
    if plan.emode != 0 {
        let call = IOriginPool::setUserEModeCall::new((plan.emode,));
        let what = format!("setUserEMode {} ({})", plan.emode, plan.role);
        client.send_call(user, pool, &call, &what).await?;
    }
    for borrow in plan.borrows {
        let reserve = lookup(reserves, borrow.symbol)?;
        let amount = spec::units(reserve.decimals, borrow.milli);
        let call = IOriginPool::borrowCall::new((reserve.address, amount, U256::from(2), 0, user));
        let what = format!("borrow {} ({})", borrow.symbol, plan.role);
        client.send_call(user, pool, &call, &what).await?;
    }
    let data = client
        .read(pool, &IOriginPool::getUserAccountDataCall::new((user,)))
        .await?;
    if data.totalDebtBase.is_zero() || data.healthFactor <= U256::from(WAD) {
        return Err(DevnetError::unexpected(
            format!("seeding {}", plan.role),
            format!(
                "debt {} base, health factor {} (wanted debt and HF above 1)",
                data.totalDebtBase, data.healthFactor
            ),
        ));
    }
    Ok(())
}

/// Mints `amount` to `user`, approves the Pool and supplies it.
async fn supply(
    client: &DevClient,
    pool: Address,
    reserves: &[OriginReserve],
    user: Address,
    amount: Amount,
) -> Result<(), DevnetError> {
    let reserve = lookup(reserves, amount.symbol)?;
    let value = spec::units(reserve.decimals, amount.milli);
    mint_and_approve(client, reserve.address, user, pool, value).await?;
    let call = IOriginPool::supplyCall::new((reserve.address, value, user, 0));
    client
        .send_call(user, pool, &call, &format!("supply {}", amount.symbol))
        .await?;
    Ok(())
}

/// Mints `value` of the mock `token` to `holder` and lets `spender` take it.
pub async fn mint_and_approve(
    client: &DevClient,
    token: Address,
    holder: Address,
    spender: Address,
    value: U256,
) -> Result<(), DevnetError> {
    let mint = IOriginToken::mintCall::new((holder, value));
    client.send_call(holder, token, &mint, "mint").await?;
    let approve = IOriginToken::approveCall::new((spender, value));
    client.send_call(holder, token, &approve, "approve").await?;
    Ok(())
}

/// The reserve of `symbol`.
pub fn lookup<'a>(
    reserves: &'a [OriginReserve],
    symbol: &str,
) -> Result<&'a OriginReserve, DevnetError> {
    reserves
        .iter()
        .find(|r| r.symbol == symbol)
        .ok_or_else(|| DevnetError::UnknownToken {
            symbol: symbol.to_string(),
            known: reserves.iter().map(|r| r.symbol.clone()).collect(),
        })
}
