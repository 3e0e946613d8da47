//! Which accounts changed over a range of blocks, from one `eth_getLogs` request: the Pool's
//! collateral-flag, E-Mode and liquidation events, and every `Transfer` of the market's aTokens
//! and debt tokens (minted on supply and borrow, burnt on withdraw, repay and liquidation,
//! moved between wallets). Everyone else's scaled balances are as they were.

use std::collections::HashSet;

use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::{Filter, Log};
use alloy::sol_types::SolEvent;

use crate::chain::bindings::mainnet::{IERC20Detailed, IPool};
use crate::chain::error::ChainError;

use super::{AaveV3Reader, Catalog};

/// A `LiquidationCall` of the Pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Liquidation {
    /// The liquidated wallet.
    pub user: Address,
    /// The collateral seized.
    pub collateral_asset: Address,
    /// The debt repaid.
    pub debt_asset: Address,
    /// Debt repaid, in the debt asset's units.
    pub debt_to_cover: U256,
    /// Collateral seized (bonus included), in the collateral's units.
    pub liquidated_collateral: U256,
    /// Who liquidated.
    pub liquidator: Address,
    /// The block.
    pub block_number: u64,
    /// The transaction.
    pub transaction: B256,
    /// The log's index in its block: with the transaction, the liquidation's identity.
    pub log_index: u64,
}

/// What happened over a range of blocks.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Wallets whose balances, flags or category may have changed.
    pub users: HashSet<Address>,
    /// Liquidations, in chain order.
    pub liquidations: Vec<Liquidation>,
}

/// The event signatures followed.
fn topics() -> Vec<B256> {
    vec![
        IERC20Detailed::Transfer::SIGNATURE_HASH,
        IPool::ReserveUsedAsCollateralEnabled::SIGNATURE_HASH,
        IPool::ReserveUsedAsCollateralDisabled::SIGNATURE_HASH,
        IPool::UserEModeSet::SIGNATURE_HASH,
        IPool::LiquidationCall::SIGNATURE_HASH,
    ]
}

/// The contracts whose events say who changed: the Pool and every reserve's tokens.
fn emitters(catalog: &Catalog) -> Vec<Address> {
    let mut list = vec![catalog.pool];
    for r in &catalog.reserves {
        list.push(r.a_token);
        list.push(r.variable_debt_token);
        if !r.stable_debt_token.is_zero() {
            list.push(r.stable_debt_token);
        }
    }
    list
}

/// The filter for blocks `from..=to`.
pub fn filter(catalog: &Catalog, from: u64, to: u64) -> Filter {
    Filter::new()
        .from_block(from)
        .to_block(to)
        .address(emitters(catalog))
        .event_signature(topics())
}

/// An indexed address topic.
fn topic_address(log: &Log, i: usize) -> Option<Address> {
    log.topics()
        .get(i)
        .map(|t| Address::from_word(*t))
        .filter(|a| !a.is_zero())
}

/// Adds what one log says to `changes`. Logs of other contracts or events are ignored.
fn take(catalog: &Catalog, log: &Log, changes: &mut Changes) {
    let Some(&topic) = log.topics().first() else {
        return;
    };
    if log.address() != catalog.pool {
        // A token: only its transfers (mint, burn, move) say who changed.
        if topic == IERC20Detailed::Transfer::SIGNATURE_HASH {
            changes.users.extend(topic_address(log, 1));
            changes.users.extend(topic_address(log, 2));
        }
        return;
    }
    if topic == IPool::ReserveUsedAsCollateralEnabled::SIGNATURE_HASH
        || topic == IPool::ReserveUsedAsCollateralDisabled::SIGNATURE_HASH
    {
        changes.users.extend(topic_address(log, 2));
    } else if topic == IPool::UserEModeSet::SIGNATURE_HASH {
        changes.users.extend(topic_address(log, 1));
    } else if topic == IPool::LiquidationCall::SIGNATURE_HASH
        && let Ok(event) = log.log_decode::<IPool::LiquidationCall>()
    {
        let e = event.inner.data;
        changes.users.insert(e.user);
        changes.liquidations.push(Liquidation {
            user: e.user,
            collateral_asset: e.collateralAsset,
            debt_asset: e.debtAsset,
            debt_to_cover: e.debtToCover,
            liquidated_collateral: e.liquidatedCollateralAmount,
            liquidator: e.liquidator,
            block_number: log.block_number.unwrap_or_default(),
            transaction: log.transaction_hash.unwrap_or_default(),
            log_index: log.log_index.unwrap_or_default(),
        });
    }
}

impl AaveV3Reader {
    /// The accounts that changed in blocks `from..=to`, and the liquidations among them, in
    /// one `eth_getLogs` request under the connection's timeout.
    pub async fn changes(&self, from: u64, to: u64) -> Result<Changes, ChainError> {
        let catalog = self.catalog().await?;
        let filter = filter(&catalog, from, to);
        let logs = self.rpc.run(self.rpc.provider.get_logs(&filter)).await?;
        let mut changes = Changes::default();
        for log in &logs {
            take(&catalog, log, &mut changes);
        }
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{Bytes, LogData};

    use super::*;
    use crate::chain::position::AaveVersion;

    fn log(address: Address, topics: Vec<B256>, data: Vec<u8>) -> Log {
        Log {
            inner: alloy::primitives::Log {
                address,
                data: LogData::new_unchecked(topics, Bytes::from(data)),
            },
            block_number: Some(7),
            ..Default::default()
        }
    }

    #[test]
    fn transfers_flags_emode_and_liquidations_name_their_users() {
        let c = super::super::tests::catalog(AaveVersion::V3_0);
        let (a, b, liquidator) = (
            Address::repeat_byte(0xa1),
            Address::repeat_byte(0xb2),
            Address::repeat_byte(0xcc),
        );
        let mut changes = Changes::default();
        let transfer = IERC20Detailed::Transfer::SIGNATURE_HASH;
        // A mint (from zero) on an aToken, a transfer on a debt token.
        take(
            &c,
            &log(
                c.reserves[0].a_token,
                vec![transfer, B256::ZERO, a.into_word()],
                vec![],
            ),
            &mut changes,
        );
        take(
            &c,
            &log(
                c.reserves[1].variable_debt_token,
                vec![transfer, a.into_word(), b.into_word()],
                vec![],
            ),
            &mut changes,
        );
        let expected: HashSet<Address> = [a, b].into();
        assert_eq!(changes.users, expected);

        let d = Address::repeat_byte(0xd4);
        let enabled = IPool::ReserveUsedAsCollateralEnabled::SIGNATURE_HASH;
        take(
            &c,
            &log(
                c.pool,
                vec![enabled, c.reserves[0].asset.into_word(), d.into_word()],
                vec![],
            ),
            &mut changes,
        );
        // The same event from another contract says nothing.
        let e = Address::repeat_byte(0xe5);
        take(
            &c,
            &log(
                Address::repeat_byte(0x99),
                vec![enabled, B256::ZERO, e.into_word()],
                vec![],
            ),
            &mut changes,
        );
        assert!(changes.users.contains(&d) && !changes.users.contains(&e));

        let event = IPool::LiquidationCall {
            collateralAsset: c.reserves[0].asset,
            debtAsset: c.reserves[1].asset,
            user: e,
            debtToCover: U256::from(5),
            liquidatedCollateralAmount: U256::from(6),
            liquidator,
            receiveAToken: false,
        };
        let data = event.encode_log_data();
        take(
            &c,
            &log(c.pool, data.topics().to_vec(), data.data.to_vec()),
            &mut changes,
        );
        assert!(changes.users.contains(&e));
        assert_eq!(changes.liquidations.len(), 1);
        let l = &changes.liquidations[0];
        assert_eq!(
            (
                l.user,
                l.debt_to_cover,
                l.liquidated_collateral,
                l.liquidator,
                l.block_number
            ),
            (e, U256::from(5), U256::from(6), liquidator, 7)
        );
    }

    #[test]
    fn the_filter_follows_the_pool_and_every_token() {
        let c = super::super::tests::catalog(AaveVersion::V3_0);
        assert_eq!(emitters(&c).len(), 1 + 3 * c.reserves.len());
        let c = super::super::tests::catalog(AaveVersion::V3_6);
        assert_eq!(emitters(&c).len(), 1 + 2 * c.reserves.len());
        assert_eq!(topics().len(), 5);
    }
}
